// The JS loader (web/sentir.js) picks the wasm build this engine supports. scripts/test runs it twice:
//
//   node tests/loader.mjs simd128                     an engine with WebAssembly SIMD
//   node --no-enable-sse4-1 tests/loader.mjs scalar   V8 without SSE4.1, which has no WebAssembly SIMD
//
// Each run checks the build the loader picked and the backend it runs, and that the two builds analyse a text
// alike (where the engine can run both) or that the simd128 build cannot load (where it cannot).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadSentir, simdSupported } from "../web/sentir.js";

const expected = process.argv[2];
const web = new URL("../web/", import.meta.url);
const wasm = (dir) => readFileSync(new URL(`${dir}/sentir_bg.wasm`, web));
const model = new URL("../models/sentir-en-lstm/", import.meta.url);
const file = (name) => readFileSync(new URL(name, model));
const files = { config: file("config.json"), weights: file("model.safetensors"), tokenizer: file("tokenizer.json") };
const TEXT = "The acting was not good, but the music was wonderful. 👍";

async function analyse(sentir) {
  const analyzer = await sentir.Analyzer.create(files);
  const result = await analyzer.analyze(TEXT);
  analyzer.free();
  return result;
}

assert.equal(simdSupported(), expected === "simd128", "WebAssembly SIMD detection");
const picked = await loadSentir({ wasm });
assert.equal(picked.build, expected);
const result = await analyse(picked);
assert.equal(result.backend, expected === "simd128" ? "cpu-simd" : "cpu-scalar");
assert.ok(result.probabilities.positive > 0 && result.probabilities.positive < 1);

if (expected === "simd128") {
  const scalar = await analyse(await loadSentir({ build: "scalar", wasm }));
  assert.equal(scalar.backend, "cpu-scalar");
  assert.equal(scalar.label, result.label);
  assert.deepEqual(scalar.tokens.map((t) => [t.start, t.end]), result.tokens.map((t) => [t.start, t.end]));
  const close = (a, b) => Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b);
  assert.ok(close(scalar.probabilities.positive, result.probabilities.positive), "same probability on both builds");
  scalar.tokens.forEach((t, i) => assert.ok(close(t.score, result.tokens[i].score), `token ${i}: ${t.score} vs ${result.tokens[i].score}`));
} else {
  await assert.rejects(loadSentir({ build: "simd128", wasm }), WebAssembly.CompileError, "the simd128 build cannot load here");
}
await assert.rejects(loadSentir({ build: "avx" }), /use "simd128" or "scalar"/);
console.log(`loader OK: ${picked.build} build (${picked.buildReason}), ${result.backend}, ${result.label} ${result.probabilities.positive.toFixed(4)}`);
