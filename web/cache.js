// The one Cache Storage cache the page works offline from: the service worker (sw.js) fills it with the page's
// own files, the inference worker (worker.js) with the wasm and model files it downloads. Bump the version when
// the set of files changes shape; sw.js deletes the caches of other versions.
export const cacheName = "sentir-v4";
