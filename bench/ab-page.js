// bench/ab.mjs --chromium in the browser: ab.html?seconds=S&models=A,B&only=..., with the two packages served at
// /ab/0/ and /ab/1/ by bench/ab.mjs, which reads `window.benchResult`.
import { compare, tokenCounts } from "./ab.js";
import { publish } from "./timing.js";

const query = new URLSearchParams(location.search);
const models = (query.get("models") ?? "sentir-en-lstm,sentir-en-lstm").split(",");

async function main() {
  const items = (await (await fetch("build/inputs.json")).json()).batch32;
  const analyzers = [];
  for (const i of [0, 1]) {
    const sentir = await import(`/ab/${i}/sentir.js`);
    await sentir.default();
    analyzers.push(await sentir.Analyzer.create(new URL(`/models/${models[i]}/`, location.href), { backend: "cpu-simd" }));
  }
  const rows = await compare(analyzers, items, { seconds: Number(query.get("seconds")), only: query.get("only")?.split(",") });
  return { rows, tokens: await tokenCounts(analyzers, items) };
}

publish(main());
