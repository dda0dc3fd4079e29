// The page's wait before its first result, in headless Chromium, side by side: each round opens the page in a fresh
// context (empty cache, no service worker) from localhost, with a post in `?text=`, and times from navigation to
// the first analysis drawn (`body[data-state=done]`): the download, the wasm's compilation, the model's loading in
// the worker, the first analysis.
//
//   node bench/cold-page.mjs [--rounds 9] [--plain] WEB_A WEB_B
//
// Each WEB is a copy of web/ with the build to compare in its pkg/ (`cp -rL web /tmp/webA`, then its pkg/ replaced
// by another commit's); prints each one's median and every round. Needs bench/node_modules and Debian's chromium.
import { launchOptions, serve } from "../tests/browser.mjs";
import { chromium } from "playwright-core";

const args = process.argv.slice(2);
const at = args.indexOf("--rounds");
const rounds = at < 0 ? 9 : Number(args.splice(at, 2)[1]);
if (args.length === 0) throw new Error("give one or two copies of web/");
// With --plain, a post without emoji, which sentir's tokenizer recipe takes without the `tokenizers` pipeline.
const plain = args.includes("--plain") ? args.splice(args.indexOf("--plain"), 1).length : 0;
const POST = plain
  ? "The council meets again on Tuesday to discuss the new library and the park."
  : "@airline flight delayed again 🙄 at least the crew were lovely :)";

const servers = await Promise.all(args.map((root) => serve(root)));
const browser = await chromium.launch(launchOptions());
const times = args.map(() => []);
try {
  for (let round = 0; round < rounds; round++) {
    // Alternating the order, so that neither build always runs first on a machine whose load drifts.
    const order = round % 2 === 0 ? args.map((_, k) => k) : args.map((_, k) => args.length - 1 - k);
    for (const k of order) {
      const context = await browser.newContext({ serviceWorkers: "block" });
      const page = await context.newPage();
      const started = Date.now();
      await page.goto(`${servers[k].origin}/?text=${encodeURIComponent(POST)}`);
      await page.waitForSelector("body[data-state=done]", { timeout: 60_000 });
      times[k].push(Date.now() - started);
      await context.close();
    }
  }
} finally {
  await browser.close();
  servers.forEach((server) => server.close());
}
const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
console.log(`Chromium ${browser.version()}, ms from navigation to the first result, median of ${rounds}:`);
args.forEach((root, k) => console.log(`${root}: ${median(times[k])} (${times[k].join(", ")})`));
if (args.length === 2) console.log(`B ÷ A: ${(median(times[1]) / median(times[0])).toFixed(2)}`);
