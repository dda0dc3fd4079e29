// The CPU kernel benchmark in the browser: kernel.html?budget=MS, opened by bench/kernel.mjs, which reads
// `window.benchResult`. Both wasm builds (target/bench/pkg-{simd,scalar}) run in this one page.
import { measureBuild } from "./kernel.js";
import { publish } from "./timing.js";

const BUILDS = { simd: "/target/bench/pkg-simd/sentir.js", scalar: "/target/bench/pkg-scalar/sentir.js" };
const params = new URLSearchParams(location.search);
const MODEL = `/models/${params.get("model") ?? "sentir-en-lstm"}/`;
const budgetMs = Number(params.get("budget") ?? 300);

async function main() {
  const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  const config = await bytes(`${MODEL}config.json`);
  const { weights, tokenizer } = JSON.parse(new TextDecoder().decode(config));
  const files = { config, weights: await bytes(MODEL + weights), tokenizer: await bytes(MODEL + tokenizer) };
  const inputs = await (await fetch("build/inputs.json")).json();
  const texts = Object.fromEntries(Object.entries(inputs.lengths).map(([n, [item]]) => [n, item.text]));
  const result = { isolated: crossOriginIsolated, builds: {} };
  for (const [build, url] of Object.entries(BUILDS)) {
    const sentir = await import(url);
    await sentir.default();
    result.builds[build] = await measureBuild(sentir, { files, texts, simd: build === "simd", budgetMs });
  }
  return result;
}

publish(main());
