// The GPU against the SIMD kernel in headless Chromium (WebGPU; SwiftShader where there is no GPU), in one run.
// See bench/README.md.
//
//   node bench/gpu.mjs [--budget MS]
//
// Needs web/pkg (release), the data splits and bench/node_modules. Prints the table and writes
// bench/results/gpu-browser.{json,md}.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { prepareInputs } from "./inputs.mjs";
import { launchChromium, origin, pageResult, runContext, serve } from "./serve.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const args = process.argv.slice(2);
const budget = Number(args.includes("--budget") ? args[args.indexOf("--budget") + 1] : 2000);

function table(run) {
  const cell = (backend, length, batch) =>
    run.result.cells.find((c) => c.backend === backend && c.length === length && c.batch === batch);
  const rate = (c) => (c.skipped ? "skipped" : `${(c.tokens_per_s / 1000).toFixed(c.tokens_per_s < 10_000 ? 2 : 1)} k`);
  const ms = (c) => (c.skipped ? "–" : `${c.p50_ms.toFixed(c.p50_ms < 10 ? 2 : 0)}${c.runs ? "" : " (1 call)"}`);
  const lines = [
    `Run on ${run.date.slice(0, 10)} (commit ${run.commit}), ${run.machine}, ${run.browser}, GPU adapter: ${run.result.adapter}.`,
    `Command: \`${run.command}\`. Whole analyses (\`analyzeBatch\`), p50 per call; tokens/s = texts × tokens / p50.`,
    `GPU and CPU agree within ${run.result.parity.max_abs_diff.toExponential(1)} on the positive probability.`,
    "",
    "| tokens | texts | CPU SIMD ms | GPU ms | CPU SIMD tokens/s | GPU tokens/s | GPU ÷ CPU |",
    "|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const c of run.result.cells.filter((c) => c.backend === "cpu-simd")) {
    const g = cell("gpu", c.length, c.batch);
    const ratio = c.skipped || g.skipped ? "–" : `${(g.tokens_per_s / c.tokens_per_s).toFixed(3)}×`;
    lines.push(`| ${c.length} | ${c.batch} | ${ms(c)} | ${ms(g)} | ${rate(c)} | ${rate(g)} | ${ratio} |`);
  }
  return `${lines.join("\n")}\n`;
}

async function main() {
  mkdirSync(join(BENCH, "build"), { recursive: true });
  writeFileSync(join(BENCH, "build", "inputs.json"), JSON.stringify(await prepareInputs(ROOT, join(ROOT, "models", "sentir-en-lstm"))));
  const server = await serve(ROOT);
  const browser = await launchChromium();
  const result = await pageResult(browser, `${origin(server)}/bench/gpu.html?budget=${budget}`, "gpu");
  const version = browser.version();
  await browser.close();
  server.close();
  if (result.error) throw new Error(result.error);
  const run = {
    ...runContext(ROOT, "bench/gpu.mjs", args),
    browser: `Chromium ${version} (headless)`,
    result,
  };
  mkdirSync(join(BENCH, "results"), { recursive: true });
  writeFileSync(join(BENCH, "results", "gpu-browser.json"), `${JSON.stringify(run, null, 1)}\n`);
  const markdown = table(run);
  writeFileSync(join(BENCH, "results", "gpu-browser.md"), `# The GPU against the SIMD kernel, headless Chromium\n\n${markdown}`);
  console.log(markdown);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
