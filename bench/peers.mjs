// sentir side by side with its peers, in one headless Chromium run on this machine. See bench/README.md.
//
//   node bench/peers.mjs [--budget MS] [--rounds N] [--only sentir,tfjs-wasm,...]
//
// Builds the peer bundles (esbuild), prepares the inputs with sentir's own tokenizer, serves the repo on
// localhost, opens bench/page.html once per peer and round in a fresh browser context, and writes
// bench/results/peers.{json,md,svg}. Needs web/pkg (release), bench/build/<model>.onnx and bench/node_modules.
//
// Rounds (default 2): every peer runs once per round, the peers in the opposite order each round, and each
// measurement reports the best round (lowest p50, highest tokens/s, fastest load). This machine is shared, and a
// neighbour can slow a whole page down by 2× for a while; one page per peer left the ratios to chance.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { prepareInputs } from "./inputs.mjs";
import { writeReports } from "./report.mjs";
import { launchChromium, origin, pageResult, runContext, serve } from "./serve.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const MODEL = join(ROOT, "models", "sentir-en-lstm");

// [name in the report, bundle, backend, model folder of models/ (sentir's rows; the model peers run MODEL's weights)]
const PEERS = [
  ["sentir", "sentir", "cpu-simd"], // the baseline of every ratio: the first row
  ["sentir scalar", "sentir", "cpu-scalar"],
  // The model the page and the npm package load by default (three labels, hidden 128, a larger vocabulary): its
  // cold load is the one a page user waits for.
  ["sentir, default model", "sentir", "cpu-simd", "default"],
  ["TF.js cpu", "tfjs", "cpu"],
  ["TF.js wasm", "tfjs", "wasm"],
  ["TF.js webgl", "tfjs", "webgl"],
  ["ORT Web wasm", "ort-wasm", "wasm"],
  ["ORT Web webgpu", "ort-webgpu", "webgpu"],
  ["sentiment (AFINN)", "afinn", "lexicon"],
  ["vader-sentiment", "vader", "lexicon"],
];
// Files of the harness itself, not counted as a peer's download.
const HARNESS = new Set(["/bench/page.html", "/bench/page.js", "/bench/timing.js", "/bench/build/inputs.json", "/favicon.ico"]);

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const budget = Number(option("--budget", "1500"));
const only = option("--only", null)?.split(",");
const rounds = Number(option("--rounds", "2"));

// One self-contained ES module per peer in bench/build/, so each page downloads only its own peer's code.
async function bundlePeers() {
  const bundle = (entryPoints, options) =>
    build({
      entryPoints,
      outdir: join(BENCH, "build"),
      bundle: true,
      format: "esm",
      minify: true,
      platform: "browser",
      absWorkingDir: BENCH, // where esbuild resolves packages and aliases from
      logLevel: "error", // sentiment's optional language packs make an empty glob: harmless
      ...options,
    });
  const peer = (name) => join(BENCH, `peers/${name}.js`);
  await bundle(
    { sentir: peer("sentir"), tfjs: peer("tfjs"), afinn: peer("afinn"), vader: peer("vader") },
    { external: ["../../web/pkg/sentir.js"] },
  );
  // ORT Web twice: its wasm-only build and its WebGPU build.
  for (const flavour of ["wasm", "webgpu"]) {
    await bundle({ [`ort-${flavour}`]: peer("ort") }, { alias: { "onnxruntime-web": `onnxruntime-web/${flavour}` } });
  }
}

const gzipped = new Map();
function gzipSize(path) {
  if (!gzipped.has(path)) gzipped.set(path, gzipSync(readFileSync(join(ROOT, path)), { level: 9 }).length);
  return gzipped.get(path);
}

async function runPeer(browser, origin, [name, bundle, backend, model]) {
  const files = new Set();
  const started = Date.now();
  const query = `peer=${bundle}&backend=${backend}&budget=${budget}` + (model ? `&model=${model}` : "");
  const result = await pageResult(browser, `${origin}/bench/page.html?${query}`,
    name, (page) => page.on("requestfinished", (request) => {
      const url = new URL(request.url());
      if (url.protocol === "http:" && url.origin === origin && !HARNESS.has(url.pathname)) files.add(url.pathname);
    }));
  result.name = name;
  result.files = [...files].sort().map((path) => ({ path, gzip_bytes: gzipSize(path) }));
  result.download_gzip_bytes = result.files.reduce((sum, f) => sum + f.gzip_bytes, 0);
  console.log(`${name}: ${result.error ? `failed: ${result.error.split("\n")[0]}` : "done"} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return result;
}

// One peer's result from its rounds: each latency from the round with the lowest p50, each throughput from the one
// with the most tokens/s, the fastest cold load; the rest (download, parity, accuracy) is the same every round.
// `rounds` keeps every round's result.
function best(results) {
  const ok = results.filter((r) => !r.error);
  if (ok.length === 0) return results[0];
  const pick = (values, better) => values.reduce((a, b) => (better(b, a) ? b : a));
  const merged = { ...ok[0], rounds: results };
  merged.latency = Object.fromEntries(Object.keys(ok[0].latency).map((n) =>
    [n, pick(ok.map((r) => r.latency[n]), (a, b) => a.p50_ms < b.p50_ms)]));
  merged.throughput = Object.fromEntries(Object.keys(ok[0].throughput).map((b) =>
    [b, pick(ok.map((r) => r.throughput[b]), (x, y) => x.tokens_per_s > y.tokens_per_s)]));
  merged.cold_load_ms = Math.min(...ok.map((r) => r.cold_load_ms));
  return merged;
}

async function main() {
  await bundlePeers();
  writeFileSync(join(BENCH, "build", "inputs.json"), JSON.stringify(await prepareInputs(ROOT, MODEL)));
  const server = await serve(ROOT);
  const browser = await launchChromium();
  const peers = PEERS.filter(([name, bundle]) => !only || only.includes(bundle) || only.includes(name));
  const runs = new Map(peers.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const peer of round % 2 === 0 ? peers : [...peers].reverse()) {
      runs.get(peer[0]).push(await runPeer(browser, origin(server), peer));
    }
  }
  const results = peers.map(([name]) => best(runs.get(name)));
  const version = browser.version();
  await browser.close();
  server.close();

  const run = {
    ...runContext(ROOT, "bench/peers.mjs", args),
    browser: `Chromium ${version} (headless)`,
    budget_ms: budget,
    rounds,
    results,
  };
  mkdirSync(join(BENCH, "results"), { recursive: true });
  writeReports(run, join(BENCH, "results"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
