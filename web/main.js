// The page: two views, one text (single.js) and many texts (many.js), over one inference worker (worker.js)
// that loads the wasm and the model once. This file starts the worker, shows the download, routes the worker's
// messages to the views by type, and switches between the views.
//
// URL parameters (for tests and links): ?text=… presets the text; ?view=many opens the many-texts view;
// ?build=simd128|scalar forces a wasm build.

import { startMany } from "./many.js";
import { startSingle } from "./single.js";
import { startTeach } from "./teach.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const BACKENDS = { "cpu-simd": "CPU SIMD", "cpu-scalar": "CPU scalar", gpu: "WebGPU" };
const megabytes = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

// Offline after the first load: the service worker answers from its cache when the network fails.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("sw.js", { type: "module" }).catch((error) => {
    console.warn(`sentir works online only: the service worker did not register (${error.message})`);
  });
}

const handlers = new Map();
const page = {
  worker: new Worker(new URL("worker.js", import.meta.url), { type: "module" }),
  // The worker's "ready" message once the model is loaded: its name, labels, backend and build.
  model: null,
  // Calls `handler(data)` for each message of `type` from the worker, after the handlers added before it.
  on(type, handler) {
    handlers.set(type, [...(handlers.get(type) ?? []), handler]);
  },
  report(message) {
    $("status").textContent = message;
    $("status").className = "status";
  },
  fail(message) {
    $("status").textContent = message;
    $("status").className = "status error";
    document.body.dataset.state = "error";
  },
  backendName: (backend) => BACKENDS[backend] ?? backend,
};

page.worker.onmessage = ({ data }) => {
  for (const handler of handlers.get(data.type) ?? []) handler(data);
};
page.worker.onerror = (event) => page.fail(`Could not start the analysis worker: ${event.message}`);

page.on("progress", (data) => {
  $("progress").max = data.total || 1;
  $("progress").value = data.loaded;
  $("status").textContent = `Downloading the model… ${megabytes(data.loaded)} of ${megabytes(data.total)}`;
});
page.on("ready", (data) => {
  page.model = data;
  $("progress").hidden = true;
  $("why").textContent = `${page.backendName(data.backend)}: ${data.backendReason}. ` +
    `WebAssembly build ${data.build}: ${data.buildReason}.`;
});
page.on("error", (data) => {
  if (data.id === null) page.fail(`Could not start: ${data.message}`);
});

// The views are tabs: one shows at a time, and the arrow keys move between the tabs.
const tabs = [...document.querySelectorAll("[role=tab]")];
function show(tab) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
}
for (const tab of tabs) {
  tab.addEventListener("click", () => show(tab));
  tab.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (step === undefined) return;
    const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
    show(next);
    next.focus();
  });
}
show(params.get("view") === "many" ? $("tab-many") : $("tab-single"));

startSingle(page, params.get("text"));
startMany(page, startTeach(page));
page.worker.postMessage({
  type: "load", build: params.get("build") ?? undefined, model: params.get("model") ?? undefined,
});
