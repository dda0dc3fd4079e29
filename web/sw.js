// The service worker: the page works offline after its first load. Every request to this origin goes to the
// network first (so an online page is always current) and falls back to the cache when the network fails; each
// successful answer refreshes the cache. The page's own files are cached at install; the wasm and the model,
// which the inference worker downloads with progress, are put in the same cache by the worker (worker.js).
// Requests to other origins are not touched (the page makes none: its CSP allows only 'self').
import { cacheName } from "./cache.js";

// wasm-bindgen's glue, one per build; it imports the JS of the crate's `inline_js` from snippets/, under a name with
// a hash in it.
const GLUE = ["pkg/sentir.js", "pkg-scalar/sentir.js"];
const SHELL = ["./", "index.html", "style.css", "main.js", "single.js", "many.js", "teach.js", "tokens.js",
  "charts.js", "worker.js", "many-worker.js", "teach-worker.js", "sentir.js", "cache.js", "vendor/uPlot.esm.js",
  "vendor/uPlot.min.css", "vendor/papaparse.js", "vendor/idb-keyval.js", ...GLUE];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(cacheName);
    await cache.addAll(SHELL);
    await cache.addAll((await Promise.all(GLUE.map((path) => glueImports(cache, path)))).flat());
    await self.skipWaiting();
  })());
});

// The files the glue at `path` (already in `cache`) imports, as paths relative to this worker.
async function glueImports(cache, path) {
  const source = await (await cache.match(path)).text();
  const dir = path.slice(0, path.lastIndexOf("/") + 1);
  return [...source.matchAll(/^import .* from '\.\/(snippets\/[^']+)';$/gm)].map((match) => dir + match[1]);
}

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== cacheName) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(cacheName);
    try {
      const response = await fetch(request);
      if (response.ok) event.waitUntil(cache.put(request, response.clone()));
      return response;
    } catch (error) {
      const cached = await cache.match(request, { ignoreSearch: true });
      if (cached) return cached;
      throw error;
    }
  })());
});
