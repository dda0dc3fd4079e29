// bench/ab.mjs --chromium in the browser: ab.html?seconds=S&only=..., with the two packages served at /ab/0/ and
// /ab/1/ by bench/ab.mjs, which reads `window.benchResult`.
import { compare } from "./ab.js";
import { publish } from "./timing.js";

const MODEL = new URL("/models/sentir-en-lstm/", location.href);
const query = new URLSearchParams(location.search);

async function main() {
  const items = (await (await fetch("build/inputs.json")).json()).batch32;
  const analyzers = [];
  for (const i of [0, 1]) {
    const sentir = await import(`/ab/${i}/sentir.js`);
    await sentir.default();
    analyzers.push(await sentir.Analyzer.create(MODEL, { backend: "cpu-simd" }));
  }
  return { rows: await compare(analyzers, items, { seconds: Number(query.get("seconds")), only: query.get("only")?.split(",") }) };
}

publish(main());
