// The CPU kernel benchmark's measurements, the same in node and in the browser (bench/kernel.mjs runs them in
// both): for one wasm build of sentir, the rates of a matrix-vector product and of the recurrent step, and the
// latency and throughput of whole analyses. See bench/README.md.
import { timeCalls } from "./timing.js";

export const LENGTHS = [8, 32, 128, 512];
export const BATCHES = [1, 16, 64];
// The recurrent step is timed over texts of this many tokens.
const RECURRENT_STEPS = 32;
// The length of the text whose analysis is timed in parts.
export const PARTS_LENGTH = 32;

// `sentir`: an initialised build (the module of a `wasm-pack --target web` package built with `--features bench`).
// `files`: the model's { config, weights, tokenizer } bytes. `texts`: one real text per length in LENGTHS.
// `simd`: whether this build has simd128 (the scalar build only times scalar code).
export async function measureBuild(sentir, { files, texts, simd, budgetMs }) {
  const started = performance.now();
  const analyzer = await sentir.Analyzer.create(files);
  const result = { load_ms: performance.now() - started, backend: analyzer.backend, reason: analyzer.backendReason };
  // Rates from the fastest call: the speed of the code, with as little of this shared machine's noise as can be.
  const gflops = (flops, times) => flops / (times.min_ms * 1e6);

  // The reference rate: y = W x in the recurrent step's shape (4H × H), SIMD as dot products and in the kernel's
  // column panels (the faster of the two is the peak the step is judged against), and scalar.
  const flopsPerStep = analyzer.benchRecurrenceFlops;
  const { hidden_size: hidden } = JSON.parse(new TextDecoder().decode(files.config));
  const product = new sentir.MatVecBench(4 * hidden, hidden);
  const repeats = 200;
  result.matvec = { rows: 4 * hidden, cols: hidden };
  for (const kind of simd ? ["dot", "panels", "scalar"] : ["scalar"]) {
    const times = await timeCalls(() => product.run(kind, repeats), budgetMs);
    result.matvec[`${kind}_gflops`] = gflops(product.flops * repeats, times);
  }
  result.matvec.simd_gflops = Math.max(result.matvec.dot_gflops ?? 0, result.matvec.panels_gflops ?? 0);
  product.free();

  // The recurrent step alone (W_hh · h, gates, cell update), RECURRENT_STEPS steps for a batch of texts.
  result.recurrent = {};
  for (const batch of BATCHES) {
    const times = await timeCalls(() => analyzer.benchRecurrence(batch, RECURRENT_STEPS), budgetMs);
    result.recurrent[batch] = { gflops: gflops(flopsPerStep * batch * RECURRENT_STEPS, times), ...times };
  }

  // Where one analysis of the 32-token text spends its time: each part timed alone, `calls` calls per timing
  // (performance.now() is coarse in a browser). The forward pass gets the text's own ids.
  const text = texts[PARTS_LENGTH];
  const ids = Uint32Array.from((await analyzer.analyze(text)).tokens.map((token) => token.id));
  const calls = 20;
  // The fastest timing of each, as for the rates above: the parts are subtracted from each other.
  const part = async (call) => (await timeCalls(call, budgetMs)).min_ms / calls;
  result.parts = {
    tokens: ids.length,
    tokenize_ms: await part(() => analyzer.benchTokenize(text, calls)),
    forward_ms: await part(() => { for (let i = 0; i < calls; i++) analyzer.benchForward(ids, 1); }),
    rust_ms: await part(() => analyzer.benchAnalyze(text, calls)),
    whole_ms: await part(async () => { for (let i = 0; i < calls; i++) await analyzer.analyze(text); }),
  };

  // Whole analyses (tokenize, forward, every token's score, the result as JS objects): one call per batch.
  result.analysis = {};
  for (const length of LENGTHS) {
    result.analysis[length] = {};
    for (const batch of BATCHES) {
      const batchTexts = Array(batch).fill(texts[length]);
      const call = batch === 1 ? () => analyzer.analyze(texts[length]) : () => analyzer.analyzeBatch(batchTexts);
      const times = await timeCalls(call, budgetMs);
      result.analysis[length][batch] = { ...times, tokens_per_s: (batch * length * 1000) / times.p50_ms };
    }
  }
  // The vocabulary table is filled as texts read it: what the benchmark's texts left in it.
  result.table_bytes = analyzer.benchTableBytes;
  analyzer.free();
  return result;
}
