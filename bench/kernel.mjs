// The CPU kernel benchmark: sentir's two wasm builds (simd128 and scalar) in node and in headless Chromium, in
// one run on this machine. See bench/README.md.
//
//   node bench/kernel.mjs [--budget MS] [--rounds N] [--model NAME]
//
// Rounds (default 2): node, then Chromium, N times; each cell reports its best round (see `best`). The machine is
// shared, and a neighbour slows a whole stretch of a run down (one run read the matrix-vector product at 20.8
// GFLOP/s in node, the next at 26.1).
//
// Needs target/bench/pkg-{simd,scalar} (`--features bench`; scripts/bench builds them), the data splits and
// bench/node_modules. Prints the tables and writes bench/results/kernel.{json,md}.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BATCHES, LENGTHS, PARTS_LENGTH, measureBuild } from "./kernel.js";
import { prepareInputs } from "./inputs.mjs";
import { launchChromium, origin, pageResult, runContext, serve } from "./serve.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const pkg = (build) => join(ROOT, "target", "bench", `pkg-${build}`);

const args = process.argv.slice(2);
const text = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const option = (name, fallback) => Number(text(name, fallback));
// Another model of models/ (its results go to kernel-NAME.{json,md}); the texts stay those picked for
// sentir-en-lstm's tokenizer.
const modelName = text("--model", "sentir-en-lstm");
const MODEL = join(ROOT, "models", modelName);
const resultsName = modelName === "sentir-en-lstm" ? "kernel" : `kernel-${modelName}`;
const budget = option("--budget", 300);
const rounds = option("--rounds", 2);

// The better of two rounds' measurements of the same thing, cell by cell: a rate (`gflops`, `*_gflops`) the
// higher, a timing (an object with `p50_ms`) the one with the lower p50, any other time (`*_ms`) the lower, except
// the model's load, which only the first round does cold.
function best(a, b) {
  if (a === undefined) return b;
  if (typeof a !== "object" || a === null) return a;
  if ("gflops" in a) return b.gflops > a.gflops ? b : a;
  if ("p50_ms" in a) return b.p50_ms < a.p50_ms ? b : a;
  return Object.fromEntries(Object.entries(a).map(([key, x]) => {
    const y = b[key];
    if (typeof x !== "number") return [key, best(x, y)];
    const time = key.endsWith("_ms") && key !== "load_ms";
    return [key, key.endsWith("gflops") ? Math.max(x, y) : time ? Math.min(x, y) : x];
  }));
}

async function inNode(texts) {
  const file = (name) => readFileSync(join(MODEL, name));
  const files = { config: file("config.json"), weights: file("model.safetensors"), tokenizer: file("tokenizer.json") };
  const builds = {};
  for (const build of ["simd", "scalar"]) {
    const sentir = await import(pathToFileURL(join(pkg(build), "sentir.js")));
    await sentir.default({ module_or_path: readFileSync(join(pkg(build), "sentir_bg.wasm")) });
    builds[build] = await measureBuild(sentir, { files, texts, simd: build === "simd", budgetMs: budget });
    console.log(`node, ${build} build: done`);
  }
  return { builds };
}

async function inChromium() {
  const server = await serve(ROOT);
  const browser = await launchChromium();
  const result = await pageResult(browser, `${origin(server)}/bench/kernel.html?budget=${budget}&model=${modelName}`, "chromium");
  result.browser = `Chromium ${browser.version()} (headless)`;
  await browser.close();
  server.close();
  if (result.error) throw new Error(`in Chromium: ${result.error}`);
  console.log("chromium: done");
  return result;
}

const f = (x, digits = 2) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(digits));
const si = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));

function markdown(run) {
  const lines = [
    `Run ${run.date.slice(0, 10)} on ${run.machine}, node ${run.node}, ${run.environments.chromium.browser}, one thread,`,
    `commit ${run.commit}: \`${run.command}\`. simd128 build: \`cpu-simd\`; scalar build (no simd128): \`cpu-scalar\`.`,
    `Node, then Chromium, ${run.rounds ?? 1} time(s); each cell is its best round.`,
    "",
    `Rates in GFLOP/s, from the fastest call of each. Matrix-vector: \`y = W x\` with W ${run.environments.node.builds.simd.matvec.rows} × ${run.environments.node.builds.simd.matvec.cols} (the recurrent step's shape). Recurrent step: \`W_hh · h\`, gates and cell update,`,
    "32 steps, counted as 2 · 4H · H flops per text and step; % is of the faster simd128 matrix-vector rate of the same run.",
    "",
    `| environment | matvec simd128 (dot / panels) | matvec scalar | ${BATCHES.map((b) => `step SIMD, batch ${b}`).join(" | ")} | ${BATCHES.map((b) => `step scalar, batch ${b}`).join(" | ")} | SIMD ÷ scalar, step batch 1 |`,
    `|---|${"---:|".repeat(3 + 2 * BATCHES.length)}`,
  ];
  for (const [env, { builds: { simd, scalar } }] of Object.entries(run.environments)) {
    const peak = simd.matvec.simd_gflops;
    lines.push(`| ${env} | ${f(simd.matvec.dot_gflops)} / ${f(simd.matvec.panels_gflops)} | ${f(scalar.matvec.scalar_gflops)} | ${BATCHES.map((b) => `${f(simd.recurrent[b].gflops)} (${(100 * simd.recurrent[b].gflops / peak).toFixed(0)}%)`).join(" | ")} | ${BATCHES.map((b) => f(scalar.recurrent[b].gflops)).join(" | ")} | ${f(simd.recurrent[1].gflops / scalar.recurrent[1].gflops)}× |`);
  }
  lines.push("", "Whole analyses (tokenize, forward pass, every token's score, results as JS objects): one call on a batch of",
    "copies of one real RT test text of exactly that many tokens. Each cell: p50 / p95 ms per call, then tokens/s.", "",
    `| environment | build | batch | ${LENGTHS.map((n) => `${n} tokens`).join(" | ")} |`, `|---|---|---:|${"---|".repeat(LENGTHS.length)}`);
  for (const [env, { builds }] of Object.entries(run.environments)) {
    for (const [build, result] of Object.entries(builds)) {
      for (const batch of BATCHES) {
        const cells = LENGTHS.map((n) => {
          const a = result.analysis[n][batch];
          return `${f(a.p50_ms)} / ${f(a.p95_ms)} · ${si(a.tokens_per_s)}`;
        });
        lines.push(`| ${env} | ${build} | ${batch} | ${cells.join(" | ")} |`);
      }
    }
    for (const batch of BATCHES) {
      const ratio = LENGTHS.map((n) => `${f(builds.simd.analysis[n][batch].tokens_per_s / builds.scalar.analysis[n][batch].tokens_per_s)}×`);
      lines.push(`| ${env} | SIMD ÷ scalar | ${batch} | ${ratio.join(" | ")} |`);
    }
  }
  lines.push("", `One analysis of the ${PARTS_LENGTH}-token text, part by part (ms per call, the fastest of each part's timings of 20 calls): tokenizing;`,
    "the forward pass on its ids; the whole analysis in Rust (tokenizing, the forward pass, scores, words, offsets); the",
    "whole analysis from JS (that, plus the result as JS objects and the promise).", "",
    "| environment | build | tokenize | forward pass | analysis in Rust | analysis from JS | of which JS objects |", "|---|---|---:|---:|---:|---:|---:|");
  for (const [env, { builds }] of Object.entries(run.environments)) {
    for (const [build, { parts }] of Object.entries(builds)) {
      lines.push(`| ${env} | ${build} | ${f(parts.tokenize_ms, 3)} | ${f(parts.forward_ms, 3)} | ${f(parts.rust_ms, 3)} | ${f(parts.whole_ms, 3)} | ${f(parts.whole_ms - parts.rust_ms, 3)} |`);
    }
  }
  const table = run.environments.node.builds.simd.table_bytes;
  lines.push("", `Model load (node, simd128 build): ${f(run.environments.node.builds.simd.load_ms)} ms (the vocabulary table is filled as texts read it: ${(table / 2 ** 20).toFixed(1)} MiB after the benchmark's texts);`,
    `scalar build ${f(run.environments.node.builds.scalar.load_ms)} ms.`);
  return `${lines.join("\n")}\n`;
}

async function main() {
  for (const build of ["simd", "scalar"]) {
    if (!existsSync(join(pkg(build), "sentir.js"))) throw new Error(`${pkg(build)} is missing: run scripts/bench`);
  }
  const inputs = join(BENCH, "build", "inputs.json");
  if (!existsSync(inputs)) {
    mkdirSync(dirname(inputs), { recursive: true });
    writeFileSync(inputs, JSON.stringify(await prepareInputs(ROOT, join(ROOT, "models", "sentir-en-lstm"), pkg("simd"))));
  }
  const texts = Object.fromEntries(Object.entries(JSON.parse(readFileSync(inputs)).lengths).map(([n, [item]]) => [n, item.text]));
  const run = {
    ...runContext(ROOT, "bench/kernel.mjs", args),
    node: process.version,
    budget_ms: budget,
    rounds,
    environments: {},
  };
  for (let round = 0; round < rounds; round++) {
    run.environments.node = best(run.environments.node, await inNode(texts));
    run.environments.chromium = best(run.environments.chromium, await inChromium());
  }
  mkdirSync(join(BENCH, "results"), { recursive: true });
  writeFileSync(join(BENCH, "results", `${resultsName}.json`), `${JSON.stringify(run, null, 2)}\n`);
  const md = markdown(run);
  writeFileSync(join(BENCH, "results", `${resultsName}.md`), md);
  console.log(`\n${md}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
