// The page (web/, with web/pkg and web/pkg-scalar built) in Debian's headless Chromium, driven by Playwright.
//
//   node tests/page/page.test.mjs        (scripts/test-page installs playwright-core and runs it)
//
// Checks, in order: a person types a text and its tokens are coloured with the right signs, the label and the
// sentence summary follow, and appending continues from the saved state; the model ran in the worker, not on the
// page; no request left 127.0.0.1, and the CSP blocks one that tries; the tokens can be read with the keyboard;
// the page fits a phone; ?model= loads another model of models/; after one load the page works with the server
// gone (service worker); and an engine without WebAssembly SIMD gets the scalar build. Screenshots (light, dark, phone) go to target/artifacts/.
import assert from "node:assert/strict";
import { mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { launchOptions, serve } from "../browser.mjs";
import { cacheName } from "../../web/cache.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const WEB = join(ROOT, "web");
const ARTIFACTS = join(ROOT, "target", "artifacts");
const WAIT = { timeout: 60_000 };

// Uncaught exceptions of every page opened; the run fails at the end if there are any.
const pageErrors = [];

// Opens the page, printing the errors it logs, and waits for its first analysis.
async function open(context, url) {
  const page = await context.newPage();
  page.on("console", (message) => message.type() === "error" && console.error(`  [page] ${message.text()}`));
  page.on("pageerror", (error) => pageErrors.push(`${url}: ${error.message}`));
  await page.goto(url);
  await page.waitForSelector("body[data-state=done]", WAIT);
  return page;
}

// Types `text` at the end of the text area a key at a time, the way a person does, and waits until the page
// shows the analysis of the whole text.
async function type(page, text) {
  await page.locator("#text").press("End");
  await page.locator("#text").pressSequentially(text, { delay: 15 });
  const expected = await page.locator("#text").inputValue();
  await page.waitForFunction((value) => document.getElementById("tokens").textContent === value
    && document.body.dataset.state === "done", expected, WAIT);
}

async function tokenScores(page) {
  const spans = await page.$$eval(".token", (all) => all.map((span) => [span.textContent, Number(span.dataset.score)]));
  return new Map(spans);
}

async function typingColoursTokensInTheWorker(browser, origin) {
  console.log("typing: tokens coloured with the right signs, in the worker, nothing leaves 127.0.0.1");
  // Service workers are blocked here so that every request the page and its worker make reaches the routes.
  const context = await browser.newContext({ serviceWorkers: "block" });
  const offsite = [];
  const requests = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    requests.push(url);
    if (url.hostname !== "127.0.0.1") {
      offsite.push(url.href);
      return route.abort();
    }
    return route.continue();
  });
  const page = await open(context, `${origin}/`);
  const progress = await page.$eval("#progress", (bar) => ({ value: bar.value, max: bar.max, hidden: bar.hidden }));
  assert.ok(progress.hidden && progress.max > 4e6 && progress.value === progress.max,
    `the download progress reached the end (${progress.value} of ${progress.max} bytes) and was hidden`);

  // An example text, one click away.
  await page.getByRole("button", { name: "negation" }).click();
  await page.waitForFunction(() => document.getElementById("tokens").textContent === "I don't like this phone.", null, WAIT);
  assert.match(await page.locator("#verdict").textContent(), /^negative/, "'I don't like this phone.' is negative");

  await page.locator("#text").fill("");
  await type(page, "The food was wonderful and the staff were lovely.");
  let scores = await tokenScores(page);
  assert.ok(scores.get("wonderful") > 0, `"wonderful" pushes towards positive: ${scores.get("wonderful")}`);
  assert.ok(scores.get("lovely") > 0, `"lovely" pushes towards positive: ${scores.get("lovely")}`);
  assert.match(await page.locator("#verdict").textContent(), /^positive · \d+\.\d% confident$/);

  await type(page, " But the bill was awful and the waiter was terrible.");
  scores = await tokenScores(page);
  assert.ok(scores.get("awful") < 0, `"awful" pushes towards negative: ${scores.get("awful")}`);
  assert.ok(scores.get("terrible") < 0, `"terrible" pushes towards negative: ${scores.get("terrible")}`);
  const status = await page.locator("#status").textContent();
  assert.match(status, /^CPU SIMD · sentir-en-posts-distilled · \d+ tokens in \d+\.\d ms \(\d+ continued from the previous text\)$/,
    "appending continues from the saved state");
  const sentences = await page.$$eval("#sentence-rows tr", (rows) => rows.map((row) => row.cells[0].textContent));
  assert.deepEqual(sentences, ["The food was wonderful and the staff were lovely.",
    "But the bill was awful and the waiter was terrible."]);
  console.log(`  ${status}`);

  // The worker ran every analysis; the page itself never loaded the wasm.
  const worker = page.workers().find((w) => w.url().endsWith("/worker.js"));
  assert.ok(worker, "the page started worker.js");
  const analyses = await worker.evaluate(() => self.analyses);
  assert.ok(analyses >= 2, `the worker ran the analyses (${analyses})`);
  const onPage = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name)
    .filter((name) => name.endsWith(".wasm") || name.includes("/pkg")));
  assert.deepEqual(onPage, [], "the page's own thread loaded no wasm");
  console.log(`  the worker ran ${analyses} analyses; the page loaded no wasm`);

  assert.deepEqual(offsite, [], "no request left 127.0.0.1");
  assert.ok(requests.some((url) => url.pathname.endsWith("model.safetensors")), "the routes saw the model download");
  // And the page could not send text away if it tried: its CSP allows connections to itself only.
  const attempt = await page.evaluate(() => fetch("https://example.com/collect", { method: "POST", body: "text" })
    .then(() => "sent", (error) => `blocked: ${error.message}`));
  assert.match(attempt, /^blocked/);
  assert.deepEqual(offsite, [], "the CSP stopped it before the network");
  console.log(`  ${requests.length} requests, all to 127.0.0.1; a fetch elsewhere was ${attempt}`);

  // Keyboard: one tab stop for the tokens, arrow keys move between them, the detail line follows.
  await page.locator(".token[tabindex='0']").focus();
  await page.keyboard.press("ArrowRight");
  const focused = await page.evaluate(() => document.activeElement.textContent);
  assert.equal(focused, "food");
  assert.match(await page.locator("#detail").textContent(), /^"food": [+−]\d\.\d\d log-odds; P\(positive\) after it \d\.\d{3}$/);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, "page-light.png"), fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: join(ARTIFACTS, "page-dark.png"), fullPage: true });
  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page fits a 375-pixel-wide phone (${overflow} px too wide)`);
  await page.screenshot({ path: join(ARTIFACTS, "page-phone.png"), fullPage: true });
  console.log(`  screenshots in ${ARTIFACTS}`);
  await context.close();
}

async function worksOfflineAfterOneLoad(browser, server, origin) {
  console.log("offline: after one load the page works with the server gone");
  const context = await browser.newContext();
  const page = await open(context, `${origin}/`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  const cached = await page.waitForFunction(async (name) => {
    const keys = await (await caches.open(name)).keys();
    const names = keys.map((request) => new URL(request.url).pathname);
    return names.some((n) => n.endsWith(".wasm")) && names.some((n) => n.endsWith("model.safetensors")) &&
      names.some((n) => n.includes("/pkg/snippets/")) && names;
  }, cacheName, WAIT);
  console.log(`  cached: ${(await cached.jsonValue()).join(" ")}`);
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  await page.goto(`${origin}/?text=${encodeURIComponent("Absolutely fantastic service!")}`);
  await page.waitForSelector("body[data-state=done]", WAIT);
  const scores = await tokenScores(page);
  assert.ok(scores.get("fantastic") > 0, `offline, "fantastic" pushes towards positive: ${scores.get("fantastic")}`);
  console.log(`  offline: ${await page.locator("#status").textContent()}`);
  await context.close();
}

async function anotherModelOfModels(browser, origin) {
  console.log("?model=NAME loads models/NAME/ (an imported model, say); a name that is not a folder's is refused");
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await open(context, `${origin}/?model=tiny-gru&text=${encodeURIComponent("good movie")}`);
  assert.match(await page.locator("#status").textContent(), /^CPU SIMD · tiny-gru · 2 tokens in /);
  const bad = await context.newPage();
  await bad.goto(`${origin}/?model=..`);
  await bad.waitForSelector("body[data-state=error]", WAIT);
  assert.match(await bad.locator("#status").textContent(), /^Could not start: \?model=\.\. is not a folder name of models\//);
  console.log(`  ${await page.locator("#status").textContent()}`);
  await context.close();
}

async function scalarWithoutSimd(origin) {
  console.log("an engine without WebAssembly SIMD (V8 without SSE4.1) gets the scalar build");
  const browser = await chromium.launch(launchOptions(["--js-flags=--no-enable-sse4-1"]));
  const page = await open(await browser.newContext({ serviceWorkers: "block" }),
    `${origin}/?text=${encodeURIComponent("not good")}`);
  assert.match(await page.locator("#status").textContent(), /^CPU scalar · /);
  assert.match(await page.locator("#why").textContent(), /WebAssembly build scalar: this engine lacks WebAssembly SIMD/);
  console.log(`  ${await page.locator("#status").textContent()}`);
  await browser.close();
}

for (const pkg of ["pkg", "pkg-scalar"]) {
  try {
    statSync(join(WEB, pkg, "sentir_bg.wasm"));
  } catch {
    console.error(`web/${pkg}/sentir_bg.wasm is missing: build it first (scripts/lib.sh build_web_pkg)`);
    process.exit(1);
  }
}
const server = await serve(WEB);
const { origin } = server;
const browser = await chromium.launch(launchOptions());
try {
  await typingColoursTokensInTheWorker(browser, origin);
  await anotherModelOfModels(browser, origin);
  await scalarWithoutSimd(origin);
  await worksOfflineAfterOneLoad(browser, server, origin);
} finally {
  await browser.close();
  if (server.listening) server.close();
}
assert.deepEqual(pageErrors, [], "the page threw");
console.log("page OK");
