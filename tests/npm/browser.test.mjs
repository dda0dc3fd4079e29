// The installed package in Debian's headless Chromium: the Vite build of app/ (sentir on the page and in a
// module Web Worker) and plain.html (no bundler, the package's module imported by path).
//
//   node browser.test.mjs      (after `vite build`; scripts/test-npm runs it)
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { launchOptions, serve } from "../browser.mjs";
import { TEXT } from "./app/summary.js";

const HERE = dirname(fileURLToPath(import.meta.url));

async function results(browser, url) {
  const page = await browser.newPage();
  page.on("console", (message) => message.type() === "error" && console.error(`  [page] ${message.text()}`));
  await page.goto(url);
  await page.waitForFunction(() => window.sentirResults, null, { timeout: 60_000 });
  const out = await page.evaluate(() => window.sentirResults);
  await page.close();
  assert.equal(out.error, undefined, `${url}: ${out.error}`);
  return out;
}

function check(where, result) {
  for (const [text, start, end] of result.tokens) assert.equal(TEXT.slice(start, end), text, `${where}: offsets`);
  const wonderful = result.tokens.find(([text]) => text === "wonderful");
  assert.ok(wonderful[3] > 0, `${where}: 'wonderful' pushes towards positive`);
  assert.equal(result.backend, "cpu-simd", where);
  console.log(`  ${where}: ${result.label}, ${result.tokens.length} tokens, offsets exact`);
}

const server = await serve(HERE);
const browser = await chromium.launch(launchOptions());
try {
  console.log("a Vite app (vite build), on the page and in a module worker");
  const vite = await results(browser, `${server.origin}/dist/index.html`);
  check("vite, page", vite.page);
  check("vite, worker", vite.worker);
  assert.deepEqual(vite.worker, vite.page, "the worker gives the page's result");

  console.log("a plain <script type=module> page");
  const plain = await results(browser, `${server.origin}/plain.html`);
  check("plain page", plain.page);
  assert.deepEqual(plain.page, vite.page);
} finally {
  await browser.close();
  server.close();
}
console.log("browser OK");
