// What the browser tests share (node built-ins only, so that each test's own playwright-core imports it).
//
// serve(root): a static file server for `root` on 127.0.0.1 at a free port, following symlinks (web/models links
// to models/), with Content-Length (the page's download progress reads it) and no caching;
// `(await serve(root)).origin` is its address.
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join } from "node:path";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".wasm": "application/wasm" };

// launchOptions(args): Playwright's `chromium.launch` options for Debian's Chromium ($CHROMIUM overrides), headless.
export function launchOptions(args = []) {
  return { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", ...args] };
}

export async function serve(root) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    const file = join(root, path.endsWith("/") ? `${path}index.html` : path);
    try {
      if (!file.startsWith(root) || !statSync(file).isFile()) throw new Error("not a file");
      const body = readFileSync(file);
      response.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": body.length,
        "cache-control": "no-store",
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((listening) => server.listen(0, "127.0.0.1", listening));
  server.origin = `http://127.0.0.1:${server.address().port}`;
  return server;
}
