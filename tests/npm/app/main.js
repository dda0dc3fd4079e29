// A Vite app that uses sentir on the page and in a module Web Worker; the test reads window.sentirResults.
import { load } from "sentir";
import { summary, TEXT } from "./summary.js";

async function onPage() {
  const analyzer = await load();
  return summary(await analyzer.analyze(TEXT));
}

function inWorker() {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data));
    worker.onerror = (event) => reject(new Error(`the worker failed: ${event.message}`));
    worker.postMessage(TEXT);
  });
}

Promise.all([onPage(), inWorker()]).then(
  ([page, worker]) => {
    window.sentirResults = { page, worker };
    document.getElementById("out").textContent = `${page.label} (page), ${worker.label} (worker)`;
  },
  (error) => {
    window.sentirResults = { error: error.message };
  },
);
