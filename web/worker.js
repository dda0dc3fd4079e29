// The page's inference worker: loads the wasm build this engine supports and the default model, then analyses
// each text the page sends, continuing from the previous text where the new one begins with the same tokens.
// Typing never waits for the model: all of it runs here, off the main thread. The many-texts view's jobs run
// here too, between the single texts (many-worker.js has their messages).
//
// Messages in:  { type: "load", build, model }   model: a folder of models/, default "default"
//               { type: "analyze", id, text }
//               { type: "teach-…" }: the adapters' (teach-worker.js)
// Messages out: { type: "progress", loaded, total }            while downloading
//               { type: "ready", model, labels, positiveLabel, negativeLabel, backend, backendReason, build,
//                 buildReason }
//               { type: "result", id, result, sentences, millis, reused }
//               { type: "error", id, message }                  (id is null when loading failed)
import { loadSentir } from "./sentir.js";
import { cacheName } from "./cache.js";
import { handleMany, reanalyseMany } from "./many-worker.js";
import { handleTeach } from "./teach-worker.js";

// A model is a folder of models/ (the page's `?model=NAME`; an imported one, say): a name, never a path.
function modelFolder(name = "default") {
  if (!/^[\w.-]+$/.test(name) || /^\.+$/.test(name)) {
    throw new Error(`?model=${name} is not a folder name of models/: use letters, digits, '.', '-' and '_'`);
  }
  return new URL(`models/${name}/`, import.meta.url);
}

// Analyses run here, counted so that a test can tell the worker did the work.
self.analyses = 0;

// The model as loaded (`base`), and the analyzer every text goes through: `base`, or `base` with an adapter's head
// (teach-worker.js switches between them with `use`).
const analyzers = { base: null, current: null };
let session;
// The wasm build's memory: the many-texts jobs report the size of its heap.
let memory;

// Analyses every text from now on with `analyzer` (`analyzers.base`, or an adapted one, which this takes
// ownership of), and the many-texts view's posts again; resolves to whether those are being analysed again.
function use(analyzer) {
  const previous = analyzers.current;
  analyzers.current = analyzer;
  session = analyzer.session();
  if (previous !== analyzers.base && previous !== analyzer) previous.free();
  return reanalyseMany(analyzer);
}

// Downloads `urls` in parallel, reporting the bytes received against the total that their Content-Length
// headers announce, and keeps a copy of each response for the service worker to answer from offline.
async function download(urls) {
  const responses = await Promise.all(urls.map(async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not download ${url.pathname}: HTTP ${response.status}`);
    return response;
  }));
  const total = responses.reduce((sum, r) => sum + Number(r.headers.get("content-length") ?? 0), 0);
  let loaded = 0;
  const cache = await caches.open(cacheName).catch(() => null);
  return Promise.all(responses.map(async (response, k) => {
    cache?.put(urls[k], response.clone()).catch(() => {});
    const chunks = [];
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      postMessage({ type: "progress", loaded, total });
    }
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    return bytes;
  }));
}

async function load(build, model) {
  const folder = modelFolder(model);
  const configBytes = (await download([new URL("config.json", folder)]))[0];
  const config = JSON.parse(new TextDecoder().decode(configBytes));
  let files;
  const sentir = await loadSentir({
    build,
    wasm: async (dir) => {
      // `dir` is relative to sentir.js, which sits next to this file.
      const urls = [new URL(`${dir}/sentir_bg.wasm`, import.meta.url), new URL(config.weights, folder),
        new URL(config.tokenizer, folder)];
      const [wasm, weights, tokenizer] = await download(urls);
      files = { weights, tokenizer };
      return wasm;
    },
  });
  const analyzer = await sentir.Analyzer.create({ config: configBytes, ...files });
  memory = sentir.memory;
  analyzers.base = analyzer;
  analyzers.current = analyzer;
  session = analyzer.session();
  postMessage({
    type: "ready", model: analyzer.modelName, labels: analyzer.labels, positiveLabel: analyzer.positiveLabel,
    negativeLabel: analyzer.negativeLabel, backend: analyzer.backend, backendReason: analyzer.backendReason,
    build: sentir.build, buildReason: sentir.buildReason,
  });
}

const SENTENCES = new Intl.Segmenter("en", { granularity: "sentence" });

// Per sentence: where it starts and ends (UTF-16), how far it moved the positive-versus-negative log-odds (the
// sum of its tokens' scores), and the positive probability once it has been read.
function sentences(text, tokens) {
  const out = [];
  let next = 0;
  for (const { index, segment } of SENTENCES.segment(text)) {
    const end = index + segment.trimEnd().length;
    let score = 0;
    let probability = null;
    while (next < tokens.length && tokens[next].start < index + segment.length) {
      score += tokens[next].score;
      probability = tokens[next].probability;
      next++;
    }
    if (probability !== null) out.push({ start: index, end, score, probability });
  }
  return out;
}

let loading;
self.onmessage = async ({ data }) => {
  if (data.type === "load") {
    loading = load(data.build, data.model).catch((error) => {
      postMessage({ type: "error", id: null, message: error.message });
      throw error;
    });
    return;
  }
  try {
    await loading;
  } catch {
    return;
  }
  if (data.type.startsWith("teach-")) {
    handleTeach({ ...analyzers, use }, data);
    return;
  }
  if (data.type !== "analyze") {
    handleMany({ analyzer: analyzers.current, memory }, data);
    return;
  }
  const started = performance.now();
  try {
    const result = await session.analyze(data.text);
    const millis = performance.now() - started;
    self.analyses++;
    postMessage({
      type: "result", id: data.id, result, sentences: sentences(data.text, result.tokens), millis,
      reused: session.reusedTokens,
    });
  } catch (error) {
    postMessage({ type: "error", id: data.id, message: error.message });
  }
};
