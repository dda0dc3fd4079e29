// How long `analyzer.adapt` takes in headless Chromium (issue 33: 500 labelled posts in under a second), on the
// page's simd128 build: the fit and its nested cross-validation on the first 100, 200 and 500 labelled snippets of
// RT's validation split (positive or negative), each size `--rounds` times (best and median, ms). Prints a table
// and writes bench/results/adapt-browser.md.
//
//   node bench/adapt.mjs [--sizes 100,200,500] [--rounds 3] [--pkg web/pkg]
//
// Needs the page's release build (scripts/lib.sh build_web_pkg), the data splits (scripts/data.py) and
// bench/node_modules (npm ci in bench/).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, origin, pageResult, runContext, serve } from "./serve.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const sizes = option("--sizes", "100,200,500");
const rounds = option("--rounds", "3");
const pkg = resolve(option("--pkg", join(ROOT, "web", "pkg")));

const [header, ...lines] = readFileSync(join(ROOT, "data", "rt", "valid.tsv"), "utf8").trim().split("\n");
const columns = header.split("\t");
const rows = lines.map((line) => line.split("\t"));
const texts = rows.map((row) => row[columns.indexOf("text")]);
const labels = rows.map((row) => (row[columns.indexOf("label")] === "1" ? "positive" : "negative"));
mkdirSync(join(ROOT, "bench", "build"), { recursive: true });
writeFileSync(join(ROOT, "bench", "build", "adapt-posts.json"), JSON.stringify({ texts, labels }));

const server = await serve(ROOT, { "/pkg/": pkg });
const browser = await launchChromium();
const result = await pageResult(browser, `${origin(server)}/bench/adapt.html?sizes=${sizes}&rounds=${rounds}`,
  "chromium");
await browser.close();
server.close();
if (result.error) throw new Error(result.error);

const table = [
  "| labelled posts | best ms | median ms | folds | kept |",
  "|---|---|---|---|---|",
  ...result.rows.map((r) => `| ${r.size} | ${r.best.toFixed(0)} | ${r.median.toFixed(0)} | ${r.folds} | ${r.kept} |`),
].join("\n");
console.log(table);
const context = runContext(ROOT, "bench/adapt.mjs", args);
writeFileSync(join(ROOT, "bench", "results", "adapt-browser.md"),
  `# analyzer.adapt in headless Chromium\n\n\`${context.command}\`, ${context.date}, ${context.machine}, commit ` +
  `${context.commit}, the page's simd128 build (${pkg}).\n\n${table}\n`);
