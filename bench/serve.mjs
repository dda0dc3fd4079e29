// What the benchmark drivers share: a static server for the repo, Debian's headless Chromium, and what a run
// records about itself.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { extname, join } from "node:path";
import { chromium } from "playwright-core";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
  ".wasm": "application/wasm" };

// Serves the files under `root` on 127.0.0.1 (a free port), cross-origin isolated: performance.now() then has
// 5 µs resolution instead of 100 µs. `mounts` maps URL prefixes ("/ab/0/") to other directories. Resolves to the
// server; its origin is `origin(server)`.
export function serve(root, mounts = {}) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    const mount = Object.keys(mounts).find((prefix) => path.startsWith(prefix));
    const base = mount ? mounts[mount] : root;
    const file = join(base, mount ? path.slice(mount.length) : path);
    try {
      if (!file.startsWith(base) || !statSync(file).isFile()) throw new Error("not a file");
      response.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
      });
      response.end(readFileSync(file));
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

export const origin = (server) => `http://127.0.0.1:${server.address().port}`;

// Debian's Chromium ($CHROMIUM overrides), headless, with WebGPU enabled (SwiftShader where there is no GPU).
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--enable-unsafe-webgpu", "--enable-unsafe-swiftshader", "--disable-background-networking", "--no-sandbox"],
  });
}

// Opens `url` in a fresh context (empty cache), waits for the page to set `window.benchResult`, and returns it.
// `onPage(page)` may attach listeners first. Console errors are printed with `label`.
export async function pageResult(browser, url, label, onPage = () => {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  onPage(page);
  page.on("console", (message) => message.type() === "error" && console.error(`  [${label}] ${message.text()}`));
  await page.goto(url);
  await page.waitForFunction(() => window.benchResult, null, { timeout: 20 * 60_000, polling: 500 });
  const result = await page.evaluate(() => window.benchResult);
  await context.close();
  return result;
}

// What every result file records about its run: when, the command that reproduces it (`script` with `args`), the
// machine and the commit of `root`.
export function runContext(root, script, args) {
  return {
    date: new Date().toISOString(),
    command: `node ${script}${args.length ? ` ${args.join(" ")}` : ""}`,
    machine: `${cpus()[0].model}, ${cpus().length} cores`,
    commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim(),
  };
}
