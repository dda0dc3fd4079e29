// Two builds of sentir against each other in one node process, call by call: for changes too small for
// scripts/bench to see on this shared machine (its runs differ by up to 2×; identical builds read 0.98–1.02 here).
//
//   node bench/ab.mjs A B [--seconds S] [--only rec1,fwd64,...]
//
// A and B: wasm-pack `--target web` packages built with `--features bench` (scripts/bench builds
// target/bench/pkg-simd; build the other with `wasm-pack build --target web --release --features bench --out-dir
// DIR` from crate/). For each measurement, calls alternate A, B (B first every other pair) for S seconds (default
// 2) after a warm-up; prints the fastest call of each and the median of the per-pair ratios B ÷ A, the number to
// read. Measurements, for batches of 1, 16 and 64 texts of 32 tokens (bench/build/inputs.json, made by
// bench/peers.mjs): `rec` the recurrent step alone, `fwd` the forward pass on ids, `tok` tokenizing, `all` the
// whole analysis from JS.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MODEL = join(ROOT, "models", "sentir-en-lstm");

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args.splice(args.indexOf(name), 2)[1] : fallback);
const seconds = Number(option("--seconds", "2"));
const only = option("--only", null)?.split(",");
if (args.length !== 2) {
  console.error("usage: node bench/ab.mjs A B [--seconds S] [--only rec1,fwd64,...]");
  process.exit(2);
}

const file = (name) => readFileSync(join(MODEL, name));
const files = { config: file("config.json"), weights: file("model.safetensors"), tokenizer: file("tokenizer.json") };
const items = JSON.parse(readFileSync(join(ROOT, "bench", "build", "inputs.json"))).batch32;

const analyzers = [];
for (const [i, dir] of args.entries()) {
  // The query makes each package its own module, so both load even when they are copies.
  const sentir = await import(`${pathToFileURL(join(resolve(dir), "sentir.js"))}?${i}`);
  await sentir.default({ module_or_path: readFileSync(join(dir, "sentir_bg.wasm")) });
  analyzers.push(await sentir.Analyzer.create(files, { backend: "cpu-simd" }));
}

const measurements = [];
for (const batch of [1, 16, 64]) {
  const texts = items.slice(0, batch).map((item) => item.text);
  const ids = Uint32Array.from(items.slice(0, batch).flatMap((item) => item.ids));
  measurements.push([`rec${batch}`, batch, (a) => a.benchRecurrence(batch, 32)]);
  measurements.push([`fwd${batch}`, batch, (a) => a.benchForward(ids, batch)]);
  measurements.push([`tok${batch}`, batch, (a) => texts.forEach((text) => a.benchTokenize(text, 1))]);
  measurements.push([`all${batch}`, batch, (a) => (batch === 1 ? a.analyze(texts[0]) : a.analyzeBatch(texts))]);
}

console.log(`${"".padEnd(8)}${"A min ms".padStart(11)}${"B min ms".padStart(11)}${"B ÷ A median".padStart(15)}  pairs`);
for (const [name, batch, fn] of measurements.filter(([name]) => !only || only.includes(name))) {
  // One text runs 20 times a call, so that a call is long enough to time.
  const repeats = batch === 1 ? 20 : 1;
  const call = async (analyzer) => {
    const started = performance.now();
    for (let r = 0; r < repeats; r++) await fn(analyzer);
    return (performance.now() - started) / repeats;
  };
  for (let warm = 0; warm < 20; warm++) for (const analyzer of analyzers) await call(analyzer);
  const [a, b, ratios] = [[], [], []];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const bFirst = a.length % 2 === 1;
    const y = bFirst ? await call(analyzers[1]) : undefined;
    const x = await call(analyzers[0]);
    const z = bFirst ? y : await call(analyzers[1]);
    a.push(x);
    b.push(z);
    ratios.push(z / x);
  }
  ratios.sort((p, q) => p - q);
  const min = (values) => Math.min(...values).toFixed(3);
  console.log(`${name.padEnd(8)}${min(a).padStart(11)}${min(b).padStart(11)}${ratios[ratios.length >> 1].toFixed(3).padStart(15)}  ${a.length}`);
}
