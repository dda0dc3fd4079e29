// The GPU (WebGPU) against the SIMD kernel, in one page: gpu.html?budget=MS. bench/gpu.mjs opens it and reads
// `window.benchResult`. Whole analyses (`analyzeBatch`: tokenizing, the forward pass, every token's score), the
// same texts on both backends, for each batch size and length of the grid.
import init, { Analyzer } from "../web/pkg/sentir.js";
import { publish } from "./timing.js";

export const LENGTHS = [32, 128, 512];
export const BATCHES = [1, 16, 64, 256, 1024];
const MODEL = new URL("/models/sentir-en-lstm/", location.href);
const budgetMs = Number(new URLSearchParams(location.search).get("budget") ?? 2000);

// One cell: a warm-up call, then calls until the budget is spent (at least 3, at most 200). A warm-up slower than
// the budget is the cell's only time, and the larger batches of that length are skipped.
async function measure(analyzer, backend, texts) {
  let t = performance.now();
  const results = await analyzer.analyzeBatch(texts);
  const first = performance.now() - t;
  const ran = results[0].backend;
  if (ran !== backend) throw new Error(`asked for ${backend}, ${ran} ran (${results[0].fallback ?? ""})`);
  const times = [];
  if (first <= budgetMs) {
    const started = performance.now();
    while (times.length < 3 || (times.length < 200 && performance.now() - started < budgetMs)) {
      t = performance.now();
      await analyzer.analyzeBatch(texts);
      times.push(performance.now() - t);
    }
  }
  times.sort((a, b) => a - b);
  const ms = times.length ? times[Math.floor(times.length / 2)] : first;
  return { runs: times.length, first_ms: first, p50_ms: ms, results };
}

async function main() {
  await init();
  const inputs = await (await fetch("build/inputs.json")).json();
  const analyzers = {
    "cpu-simd": await Analyzer.create(MODEL, { backend: "cpu-simd" }),
    gpu: await Analyzer.create(MODEL, { backend: "gpu" }),
  };
  if (analyzers.gpu.backend !== "gpu") throw new Error(`no WebGPU here: ${analyzers.gpu.backendReason}`);
  const result = { adapter: analyzers.gpu.gpuAdapter, budget_ms: budgetMs, cells: [], parity: { max_abs_diff: 0 } };
  for (const length of LENGTHS) {
    const text = inputs.lengths[length][0].text;
    for (const [backend, analyzer] of Object.entries(analyzers)) {
      let skip = false;
      for (const batch of BATCHES) {
        const cell = { backend, length, batch };
        result.cells.push(cell);
        if (skip) {
          cell.skipped = true;
          continue;
        }
        const { results, ...times } = await measure(analyzer, backend, Array(batch).fill(text));
        Object.assign(cell, times, { tokens_per_s: (batch * length * 1000) / times.p50_ms });
        skip = times.runs === 0;
        if (batch === 16) {
          // The same texts on both backends: the GPU's probabilities against the CPU kernel's.
          const cpu = await analyzers["cpu-simd"].analyzeBatch([text]);
          const diff = Math.abs(results[0].probabilities.positive - cpu[0].probabilities.positive);
          result.parity.max_abs_diff = Math.max(result.parity.max_abs_diff, diff);
        }
        console.log(`${backend} ${batch} × ${length}: ${times.p50_ms.toFixed(1)} ms`);
      }
    }
  }
  return result;
}

publish(main());
