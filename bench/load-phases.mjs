// Where a page's wait for its first result goes, phase by phase, in headless Chromium, side by side: each round
// opens a fresh browser context (no cache, no service worker) per build, which imports the wasm-pack package's JS,
// fetches and compiles the wasm (`init`), fetches the model's three files, creates the analyzer from them, analyses
// a first post, and then creates a second analyzer from the same bytes (its code compiled by then: what is left
// of `create` once the browser has compiled what it runs).
//
//   node bench/load-phases.mjs [--rounds 9] [--model default] [--backend cpu-simd] DIR...
//
// Each DIR is a `wasm-pack --target web` package (web/pkg, or a copy of another commit's); prints each phase's
// median over the rounds, per build, and B ÷ A where there are two.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { launchOptions, serve } from "../tests/browser.mjs";

const args = process.argv.slice(2);
const take = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args.splice(at, 2)[1];
};
const rounds = Number(take("--rounds", 9));
const model = take("--model", "default");
const backend = take("--backend", "cpu-simd");
if (args.length === 0) throw new Error("give one or two wasm-pack package folders (web/pkg, say)");

// One folder served: the page, the models, and each package as pkg0, pkg1, ...
const root = mkdtempSync(join(tmpdir(), "sentir-phases-"));
symlinkSync(resolve(fileURLToPath(import.meta.url), "../../models"), join(root, "models"));
args.forEach((dir, k) => symlinkSync(resolve(dir), join(root, `pkg${k}`)));
writeFileSync(join(root, "index.html"), `<!doctype html><script type="module">
const params = new URLSearchParams(location.search);
const [pkg, model, backend] = ["pkg", "model", "backend"].map((key) => params.get(key));
const marks = [performance.now()];
const mark = () => marks.push(performance.now());
const sentir = await import(\`./\${pkg}/sentir.js\`); mark();
await sentir.default(); mark();
const get = async (file) => new Uint8Array(await (await fetch(\`/models/\${model}/\${file}\`)).arrayBuffer());
const [config, weights, tokenizer] = await Promise.all(["config.json", "model.safetensors", "tokenizer.json"].map(get));
mark();
const analyzer = await sentir.Analyzer.create({ config, weights, tokenizer }, { backend }); mark();
await analyzer.analyze("The council meets again on Tuesday to discuss the new library and the park."); mark();
(await sentir.Analyzer.create({ config, weights, tokenizer }, { backend })).free(); mark();
const phases = ["import", "init", "fetch", "create", "first", "create again"];
window.phases = Object.fromEntries(phases.map((phase, k) => [phase, marks[k + 1] - marks[k]]));
window.phases.total = marks[5] - marks[0];
</script>
`);

const server = await serve(root);
const browser = await chromium.launch(launchOptions());
const times = args.map(() => ({}));
try {
  for (let round = 0; round < rounds; round++) {
    // Alternating the order, so that neither build always runs first on a machine whose load drifts.
    const order = round % 2 === 0 ? args.map((_, k) => k) : args.map((_, k) => args.length - 1 - k);
    for (const k of order) {
      const context = await browser.newContext({ serviceWorkers: "block" });
      const page = await context.newPage();
      await page.goto(`${server.origin}/index.html?pkg=pkg${k}&model=${model}&backend=${backend}`);
      const phases = await (await page.waitForFunction(() => window.phases, null, { timeout: 60_000 })).jsonValue();
      for (const [phase, ms] of Object.entries(phases)) (times[k][phase] ??= []).push(ms);
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
  rmSync(root, { recursive: true });
}

const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
const phases = Object.keys(times[0]);
console.log(`Chromium ${browser.version()}, models/${model}, ${backend}, median of ${rounds} fresh contexts, ms:`);
console.log(["build", ...phases].join("\t"));
const medians = times.map((build) => phases.map((phase) => median(build[phase])));
args.forEach((dir, k) => console.log([dir, ...medians[k].map((ms) => ms.toFixed(1))].join("\t")));
if (args.length === 2) console.log(["B ÷ A", ...phases.map((_, p) => (medians[1][p] / medians[0][p]).toFixed(2))].join("\t"));
