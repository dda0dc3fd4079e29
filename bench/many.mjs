// Many posts at once, end to end, in one run on this machine (issue 23's goals, ratios side by side):
//
// - in headless Chromium, on the same texts (the tweets' test split, repeated to N posts; N = 10,000 and
//   100,000): the page's many-texts view from a click on Analyse to the last aggregate drawn (a CSV with a date and
//   a group column, read as a stream, parsed, analysed in the worker, aggregated, drawn); `analyzer.collection()`
//   `.add` in batches of 128 (the analysis and the aggregates, no file, no page); and `analyzeBatch` in batches of
//   128 (the bare batched analysis, every token's result, nothing kept); posts per second each, and the page's
//   wasm heap at the end (it only grows, so that is its peak);
// - the CLI on the same CSV (`sentir analyze --input … --summary`, release build) on one thread and on every core,
//   posts per second, and whether the two print the same per-post lines in the same order.
//
//   node bench/many.mjs [--sizes 10000,100000]       (scripts/bench-many installs what it needs and runs it)
//
// Prints the tables and writes results/many.{json,md}.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../tests/browser.mjs"; // serves the page as the page tests do (index.html, CSS types)
import { launchChromium, runContext } from "./serve.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench", "results");
const WORK = join(ROOT, "target", "bench-many");
const CLI = join(ROOT, "target", "release", "sentir");
const args = process.argv.slice(2);
const sizes = (args.includes("--sizes") ? args[args.indexOf("--sizes") + 1] : "10000,100000").split(",").map(Number);

const tweets = readFileSync(join(ROOT, "data/tweets/test.tsv"), "utf8").trimEnd().split("\n").slice(1)
  .map((line) => line.split("\t")[0]);
const AIRLINES = ["united", "usairways", "american", "southwest", "delta", "virgin"];

function postsOf(n) {
  return Array.from({ length: n }, (_, k) => tweets[k % tweets.length]);
}

function csvOf(texts) {
  const quote = (value) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const day = (k) => `2026-02-${String(1 + (k % 28)).padStart(2, "0")}T${String(k % 24).padStart(2, "0")}:00:00Z`;
  return `text,created_at,airline\n${texts.map((t, k) => `${quote(t)},${day(k)},${AIRLINES[k % 6]}`).join("\n")}\n`;
}

// The page, from a click on Analyse to "done": posts/s and the worker's wasm heap.
async function pageRate(browser, server, file) {
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`  [page] ${error.message}`));
  await page.goto(`${server.origin}/?view=many`);
  await page.waitForFunction(() => document.getElementById("progress").hidden, null, { timeout: 120_000 });
  await page.setInputFiles("#many-file", file);
  await page.selectOption("#many-column-group", "airline");
  const started = Date.now();
  await page.click("#many-go");
  await page.waitForFunction(() => document.getElementById("view-many").dataset.state === "done", null,
    { timeout: 20 * 60_000, polling: 50 });
  const seconds = (Date.now() - started) / 1e3;
  const heap = Number(await page.locator("#view-many").getAttribute("data-wasm-heap"));
  const posts = Number((await page.textContent("#many-count")).replace(/\D/g, ""));
  await context.close();
  return { posts, seconds, rate: posts / seconds, wasmHeap: heap };
}

// The same texts through the API in the page's own origin (main thread): collection.add and analyzeBatch.
async function apiRates(browser, server, texts) {
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  await page.goto(`${server.origin}/cache.js`); // any page of the origin, for its module imports
  const result = await page.evaluate(async (texts) => {
    const { loadSentir } = await import("/sentir.js");
    const sentir = await loadSentir();
    const file = async (name) => new Uint8Array(await (await fetch(`/models/default/${name}`)).arrayBuffer());
    const analyzer = await sentir.Analyzer.create({ config: await file("config.json"),
      weights: await file("model.safetensors"), tokenizer: await file("tokenizer.json") });
    const BATCH = 128;
    const time = async (run) => {
      await run(texts.slice(0, BATCH)); // warm
      const started = performance.now();
      for (let at = 0; at < texts.length; at += BATCH) await run(texts.slice(at, at + BATCH));
      return texts.length / ((performance.now() - started) / 1e3);
    };
    const collection = analyzer.collection();
    const add = await time((batch) => collection.add(batch));
    const batch = await time((batch) => analyzer.analyzeBatch(batch));
    return { collection: add, analyzeBatch: batch, build: sentir.build, backend: analyzer.backend };
  }, texts);
  await context.close();
  return result;
}

function cliRate(file, threads) {
  const started = process.hrtime.bigint();
  const run = spawnSync(CLI, ["analyze", "--input", file, "--threads", String(threads)],
    { encoding: "utf8", maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${CLI}: ${run.stderr}`);
  const posts = run.stdout.split("\n").length - 1;
  return { posts, seconds, rate: posts / seconds, output: run.stdout };
}

mkdirSync(WORK, { recursive: true });
mkdirSync(OUT, { recursive: true });
const server = await serve(join(ROOT, "web"));
const browser = await launchChromium();
const rows = [];
try {
  for (const n of sizes) {
    const texts = postsOf(n);
    const file = join(WORK, `posts-${n}.csv`);
    writeFileSync(file, csvOf(texts));
    console.log(`${n.toLocaleString("en")} posts (${file})`);
    const pageResult = await pageRate(browser, server, file);
    const api = await apiRates(browser, server, texts);
    const one = cliRate(file, 1);
    const all = cliRate(file, cpus().length);
    const row = {
      posts: n, page: pageResult.rate, pageSeconds: pageResult.seconds, wasmHeap: pageResult.wasmHeap,
      collection: api.collection, analyzeBatch: api.analyzeBatch, build: api.build, backend: api.backend,
      cliOne: one.rate, cliAll: all.rate, cores: cpus().length, cliSame: one.output === all.output,
    };
    rows.push(row);
    console.log(`  page ${row.page.toFixed(0)} posts/s (${row.pageSeconds.toFixed(1)} s, wasm heap ` +
      `${(row.wasmHeap / 2 ** 20).toFixed(1)} MiB); collection.add ${row.collection.toFixed(0)}; analyzeBatch ` +
      `${row.analyzeBatch.toFixed(0)}; page ÷ analyzeBatch ${(row.page / row.analyzeBatch).toFixed(2)}`);
    console.log(`  CLI: 1 thread ${row.cliOne.toFixed(0)} posts/s, ${row.cores} threads ${row.cliAll.toFixed(0)} ` +
      `(${(row.cliAll / row.cliOne).toFixed(2)}x), same output in the same order: ${row.cliSame}`);
  }
} finally {
  await browser.close();
  server.close();
}

const context = runContext(ROOT, "bench/many.mjs", args);
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
const md = [
  "# Many posts at once",
  "",
  `${context.date}, \`${context.command}\`, ${context.machine}, commit ${context.commit}. Texts: the tweets' test split`,
  "repeated; headless Chromium (Debian's), the page's release build; posts per second.",
  "",
  "| posts | page, end to end | `collection.add` | `analyzeBatch` | page ÷ analyzeBatch | page wasm heap | CLI, 1 thread | CLI, all cores | all ÷ 1 | same output |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--|",
  ...rows.map((r) => `| ${r.posts.toLocaleString("en")} | ${r.page.toFixed(0)} | ${r.collection.toFixed(0)} | ` +
    `${r.analyzeBatch.toFixed(0)} | ${(r.page / r.analyzeBatch).toFixed(2)} | ${mib(r.wasmHeap)} MiB | ` +
    `${r.cliOne.toFixed(0)} | ${r.cliAll.toFixed(0)} (${r.cores}) | ${(r.cliAll / r.cliOne).toFixed(2)} | ${r.cliSame} |`),
  "",
];
if (rows.length > 1) {
  const [small, large] = [rows[0], rows.at(-1)];
  md.push(`Wasm heap, ${large.posts.toLocaleString("en")} posts ÷ ${small.posts.toLocaleString("en")}: ` +
    `${(large.wasmHeap / small.wasmHeap).toFixed(2)}.`, "");
}
writeFileSync(join(OUT, "many.md"), md.join("\n"));
writeFileSync(join(OUT, "many.json"), `${JSON.stringify({ ...context, rows }, null, 1)}\n`);
console.log(`\n${md.join("\n")}`);
