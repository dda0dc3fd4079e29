// The service worker: the page works offline after its first load. Every request to this origin goes to the
// network first (so an online page is always current) and falls back to the cache when the network fails; each
// successful answer refreshes the cache. The page's own files are cached at install; the wasm and the model,
// which the inference worker downloads with progress, are put in the same cache by the worker (worker.js).
// Requests to other origins are not touched (the page makes none: its CSP allows only 'self').
import { cacheName } from "./cache.js";

const SHELL = ["./", "index.html", "style.css", "main.js", "worker.js", "sentir.js", "cache.js", "pkg/sentir.js",
  "pkg-scalar/sentir.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(cacheName).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

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
