// Two builds of sentir against each other in one process, call by call: for changes too small for scripts/bench
// to see on this shared machine (its runs differ by up to 2×; identical builds read 0.98–1.02 here).
//
//   node bench/ab.mjs A B [--chromium] [--seconds S] [--only rec1,fwd64,...] [--models MODEL_A,MODEL_B]
//
// A and B: wasm-pack `--target web` packages built with `--features bench` (scripts/bench builds
// target/bench/pkg-simd; build the other with `wasm-pack build --target web --out-dir DIR --no-pack --release
// --features bench` from crate/). In node by default; with --chromium, in one headless Chromium page (bench/ab.html),
// whose V8 is years newer than node's and schedules wasm differently: judge kernel changes there, since that is
// where the peers harness runs. For each measurement, calls alternate A, B (B first every other pair) for S
// seconds (default 2) after a warm-up; prints the fastest call of each and the median of the per-pair ratios
// B ÷ A, the number to read. Measurements (bench/ab.js), for batches of 1, 16 and 64 texts of 32 tokens
// (bench/build/inputs.json, made by bench/peers.mjs): `rec` the recurrent step alone, `fwd` the forward pass on
// ids, `tok` tokenizing, `all` the whole analysis from JS.
//
// `--models` compares two models instead of two builds (A and B may then be the same package): A runs MODEL_A, B
// runs MODEL_B (folders under models/). `rec` and `fwd` run 32 steps for both, so their ratio is the ratio of the
// time per token; `tok` and `all` run the same texts, which each model's tokenizer may cut into different numbers
// of tokens (printed).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compare, formatRow, HEADER, tokenCounts } from "./ab.js";
import { launchChromium, origin, pageResult, serve } from "./serve.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_MODEL = "sentir-en-lstm";

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args.splice(args.indexOf(name), 2)[1] : fallback);
const flag = (name) => args.includes(name) && args.splice(args.indexOf(name), 1).length > 0;
const seconds = Number(option("--seconds", "2"));
const only = option("--only", null);
const inChromium = flag("--chromium");
const models = (option("--models", null) ?? `${DEFAULT_MODEL},${DEFAULT_MODEL}`).split(",");
if (args.length !== 2 || models.length !== 2) {
  console.error("usage: node bench/ab.mjs A B [--chromium] [--seconds S] [--only rec1,fwd64,...] [--models MODEL_A,MODEL_B]");
  process.exit(2);
}
const packages = args.map((dir) => resolve(dir));
console.log(`A: ${packages[0]} with models/${models[0]}; B: ${packages[1]} with models/${models[1]}`);

console.log(HEADER);
if (inChromium) {
  const server = await serve(ROOT, { "/ab/0/": packages[0], "/ab/1/": packages[1] });
  const browser = await launchChromium();
  const query = `seconds=${seconds}&models=${models.join(",")}${only ? `&only=${only}` : ""}`;
  const result = await pageResult(browser, `${origin(server)}/bench/ab.html?${query}`, "chromium");
  await browser.close();
  server.close();
  if (result.error) throw new Error(result.error);
  result.rows.forEach((row) => console.log(formatRow(row)));
  console.log(result.tokens);
} else {
  const analyzers = [];
  for (const [i, dir] of packages.entries()) {
    const file = (name) => readFileSync(join(ROOT, "models", models[i], name));
    const files = { config: file("config.json"), weights: file("model.safetensors"), tokenizer: file("tokenizer.json") };
    // The query makes each package its own module, so both load even when they are copies.
    const sentir = await import(`${pathToFileURL(join(dir, "sentir.js"))}?${i}`);
    await sentir.default({ module_or_path: readFileSync(join(dir, "sentir_bg.wasm")) });
    analyzers.push(await sentir.Analyzer.create(files, { backend: "cpu-simd" }));
  }
  const items = JSON.parse(readFileSync(join(ROOT, "bench", "build", "inputs.json"))).batch32;
  await compare(analyzers, items, { seconds, only: only?.split(","), onRow: (row) => console.log(formatRow(row)) });
  console.log(await tokenCounts(analyzers, items));
}
