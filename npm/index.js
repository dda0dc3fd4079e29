// sentir for browsers, Web Workers and bundlers (node gets node.js, through package.json's "exports").
//
//   import { load } from "sentir";
//   const analyzer = await load();                        // the model that ships with the package
//   const { label, tokens } = await analyzer.analyze("not good, but wonderful");
//
// The files are found relative to this module with `new URL("…", import.meta.url)`, a form that browsers
// resolve and that bundlers (Vite, webpack, esbuild, Rollup) recognise and copy into their output.
import { checkOptions, loadSentir, simdSupported } from "./loader.js";

export { simdSupported };

// Each file named on its own, so that bundlers see every one of them.
const DEFAULT_MODEL = {
  config: new URL("./model/config.json", import.meta.url),
  weights: new URL("./model/model.safetensors", import.meta.url),
  tokenizer: new URL("./model/tokenizer.json", import.meta.url),
};

async function download(url) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`sentir: could not download ${url} (HTTP ${response.status}); check that the file is served`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

const LOAD_OPTIONS = ["model", "backend", "build"];

/** See index.d.ts. */
export async function load(options) {
  const { model, build, backend } = checkOptions("load", options, LOAD_OPTIONS);
  // The wasm and the default model download side by side.
  const files = model === undefined ? Promise.all(Object.values(DEFAULT_MODEL).map(download)) : null;
  files?.catch(() => {}); // awaited below; handled now, so that a failed download is not an unhandled rejection
  const { Analyzer } = await loadSentir({ build });
  let source = model instanceof URL ? model.href : model;
  if (files) {
    const [config, weights, tokenizer] = await files;
    source = { config, weights, tokenizer };
  }
  return Analyzer.create(source, { backend });
}
