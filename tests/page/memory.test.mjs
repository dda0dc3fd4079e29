// Memory under load (memory.js) in node and in headless Chromium: prints the numbers, fails if 10,000 calls grow
// the wasm heap or the JS heap, or if analyzers dropped without free() are not reclaimed.
//
//   node --expose-gc tests/page/memory.test.mjs        (scripts/test-page runs it)
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { launchOptions, serve } from "../browser.mjs";
import { measure } from "./memory.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const MB = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function check(where, result) {
  assert.equal(result.error, undefined, `${where}: ${result.error}`);
  const { calls, rejected, before, after, dropped } = result;
  console.log(`${where}: ${calls} analyze + ${calls} session calls (${rejected} rejected as too long): ` +
    `wasm heap ${MB(before.wasm)} → ${MB(after.wasm)}, JS heap ${MB(before.heap)} → ${MB(after.heap)}; ` +
    `12 analyzers dropped without free(): wasm heap ${MB(dropped.before)} → ${MB(dropped.after)}`);
  assert.equal(after.wasm, before.wasm, `${where}: the wasm heap grew`);
  assert.ok(after.heap - before.heap < 2 * 2 ** 20, `${where}: the JS heap grew by ${MB(after.heap - before.heap)}`);
  assert.ok(dropped.after - dropped.before < 200 * 2 ** 20,
    `${where}: dropped analyzers were not reclaimed (the wasm heap grew by ${MB(dropped.after - dropped.before)})`);
}

if (typeof gc !== "function") throw new Error("run with node --expose-gc");
const { loadSentir } = await import(pathToFileURL(join(ROOT, "web/sentir.js")).href);
const sentir = await loadSentir({ wasm: (dir) => readFile(join(ROOT, "web", dir, "sentir_bg.wasm")) });
const model = join(ROOT, "models/default");
const source = {
  config: await readFile(join(model, "config.json")),
  weights: await readFile(join(model, "model.safetensors")),
  tokenizer: await readFile(join(model, "tokenizer.json")),
};
const heap = async () => {
  gc();
  return process.memoryUsage().heapUsed;
};
const collect = async () => {
  gc();
  await new Promise((tick) => setTimeout(tick, 0));
};
check("node", await measure(sentir, source, { heap, collect }));

const server = await serve(ROOT);
const browser = await chromium.launch(launchOptions(["--js-flags=--expose-gc", "--enable-precise-memory-info"]));
try {
  const page = await browser.newPage();
  page.on("console", (message) => message.type() === "error" && console.error(`  [page] ${message.text()}`));
  await page.goto(`${server.origin}/tests/page/memory.html`);
  await page.waitForFunction(() => window.memoryResult, null, { timeout: 300_000, polling: 1000 });
  check("chromium", await page.evaluate(() => window.memoryResult));
} finally {
  await browser.close();
  server.close();
}
console.log("memory OK");
