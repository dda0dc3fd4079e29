// bench/adapt.mjs in the browser: adapt.html?sizes=100,200,500&rounds=3, with the page's simd128 build served at
// /pkg/ and the labelled posts at build/adapt-posts.json by bench/adapt.mjs, which reads `window.benchResult`.
import { publish } from "./timing.js";

const query = new URLSearchParams(location.search);
const sizes = (query.get("sizes") ?? "100,200,500").split(",").map(Number);
const rounds = Number(query.get("rounds") ?? 3);

async function main() {
  const sentir = await import("/pkg/sentir.js");
  await sentir.default();
  const analyzer = await sentir.Analyzer.create(new URL("/models/default/", location.href), { backend: "cpu-simd" });
  const posts = await (await fetch("build/adapt-posts.json")).json();
  const rows = [];
  for (const size of sizes) {
    const texts = posts.texts.slice(0, size);
    const labels = posts.labels.slice(0, size);
    const times = [];
    let report;
    for (let round = 0; round < rounds; round++) {
      const start = performance.now();
      const result = await analyzer.adapt(texts, labels);
      times.push(performance.now() - start);
      report = result.report;
      result.analyzer.free();
    }
    times.sort((a, b) => a - b);
    rows.push({ size, best: times[0], median: times[Math.floor(times.length / 2)], kept: report.kept, folds: report.folds });
  }
  analyzer.free();
  return { rows };
}

publish(main());
