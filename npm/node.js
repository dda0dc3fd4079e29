// sentir for node (ESM): the same API as index.js, reading the wasm and the model from the package's own files,
// so it works offline. A model folder of your own can be a path, a file: URL, or an http(s) URL.
//
//   import { load } from "sentir";
//   const analyzer = await load();
//   const { label, tokens } = await analyzer.analyze("not good, but wonderful");
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { checkOptions, loadSentir, simdSupported } from "./loader.js";

export { simdSupported };

const DEFAULT_MODEL = new URL("./model/", import.meta.url);

// The three files of the model folder at `folder` (a file: URL ending in "/"), named by its config.json, and its
// adapter's two when it holds one (`sentir adapt --out`, the page's export): the folder is then the adapted model,
// as the CLI and Python load it.
async function readModel(folder) {
  const read = (name) => readFile(new URL(name, folder)).catch((error) => {
    throw new Error(`sentir: could not read the model file ${new URL(name, folder).pathname} (${error.code ?? error.message}); ` +
      "a model folder holds config.json and the weights and tokenizer files it names");
  });
  const config = await read("config.json");
  let names;
  try {
    names = JSON.parse(new TextDecoder().decode(config));
  } catch (error) {
    throw new Error(`sentir: ${new URL("config.json", folder).pathname} is not JSON (${error.message})`);
  }
  const [weights, tokenizer, adapterJson] = await Promise.all([read(String(names.weights)), read(String(names.tokenizer)),
    readFile(new URL("adapter.json", folder)).catch((error) => (error.code === "ENOENT" ? null : Promise.reject(error)))]);
  if (adapterJson === null) return { config, weights, tokenizer };
  return { config, weights, tokenizer, adapter: { json: adapterJson, weights: await read("adapter.safetensors") } };
}

// A folder given as a path or a URL, as a URL that ends in "/".
function folderUrl(folder) {
  const url = folder instanceof URL ? new URL(folder.href)
    : /^[a-z][a-z0-9+.-]*:\/\//i.test(folder) ? new URL(folder) : pathToFileURL(folder);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

const LOAD_OPTIONS = ["model", "backend", "build"];

/** See index.d.ts. */
export async function load(options) {
  const { model, build, backend } = checkOptions("load", options, LOAD_OPTIONS);
  // The wasm and the model's files are read side by side.
  let source = model;
  if (source === undefined) {
    source = readModel(DEFAULT_MODEL);
  } else if (typeof source === "string" || source instanceof URL) {
    const url = folderUrl(source);
    source = url.protocol === "file:" ? readModel(url) : url.href;
  }
  // Awaited below; marked handled now, so that a missing file is not an unhandled rejection in the meantime.
  Promise.resolve(source).catch(() => {});
  const { Analyzer } = await loadSentir({
    build,
    wasm: (dir) => readFile(new URL(`${dir}/sentir_bg.wasm`, import.meta.url)),
  });
  return Analyzer.create(await source, { backend });
}
