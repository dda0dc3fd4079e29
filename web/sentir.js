// Loads sentir's wasm build for this engine: the simd128 build (pkg/) where WebAssembly SIMD is supported, the
// scalar build (pkg-scalar/) otherwise. Both export the same API; only the CPU kernel differs.
//
//   import { loadSentir } from "./sentir.js";
//   const { Analyzer, build, buildReason, memory } = await loadSentir();
//
// `memory` is the build's `WebAssembly.Memory`: `memory.buffer.byteLength` is the size of its heap.
// The loader adds `Analyzer.prototype.analyzeMany` (below), written in JS over `analyzeBatch`, once for the page
// and the npm package alike.
// `options.build` forces "simd128" or "scalar"; `options.wasm(dir)` returns what the build's `init` takes
// (bytes, for example, where `fetch` cannot read the package's own files, as in node).

// The smallest module that uses SIMD: (module (func (result v128) i32.const 0 i8x16.splat)).
// WebAssembly.validate accepts it exactly when the engine implements WebAssembly SIMD (simd128).
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: one type, func () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // code: no locals; i32.const 0; i8x16.splat; end
]);

const BUILDS = {
  simd128: { dir: "./pkg", load: () => import("./pkg/sentir.js") },
  scalar: { dir: "./pkg-scalar", load: () => import("./pkg-scalar/sentir.js") },
};

// Whether this engine runs WebAssembly SIMD.
export function simdSupported() {
  return WebAssembly.validate(SIMD_PROBE);
}

export async function loadSentir({ build, wasm } = {}) {
  let buildReason = "chosen by the caller";
  if (build === undefined) {
    build = simdSupported() ? "simd128" : "scalar";
    buildReason = build === "simd128" ? "this engine runs WebAssembly SIMD" : "this engine lacks WebAssembly SIMD";
  } else if (!(build in BUILDS)) {
    throw new Error(`loadSentir: options.build is ${JSON.stringify(build)}; use "simd128" or "scalar"`);
  }
  const module = await BUILDS[build].load();
  const exports = await module.default(wasm ? { module_or_path: await wasm(BUILDS[build].dir) } : undefined);
  if (!Object.hasOwn(module.Analyzer.prototype, "analyzeMany")) {
    // Like the class's own methods: writable, configurable, not enumerable.
    Object.defineProperty(module.Analyzer.prototype, "analyzeMany", { value: analyzeMany, writable: true, configurable: true });
  }
  return { ...module, build, buildReason, memory: exports.memory };
}

const MANY_OPTIONS = ["onProgress", "signal", "batchSize"];
const DEFAULT_BATCH_SIZE = 256;

// analyzer.analyzeMany(texts, { onProgress, signal, batchSize }) (npm/index.d.ts has the contract): the analyses
// of an array, an iterable or an async iterable of strings, yielded in input order, analysed `batchSize` at a
// time through analyzeBatch. Errors in the arguments come, as every other error, as a rejection: here, of the
// first `next()`. A text that is not a string ends the iteration with a TypeError, and a text the model cannot
// analyse (too long, for example) with an Error, each naming the text's index in the whole input, once the texts
// before it have been yielded.
async function* analyzeMany(texts, options) {
  const { onProgress, signal, batchSize } = manyOptions(options);
  if (typeof texts === "string" || !(isIterable(texts, Symbol.asyncIterator) || isIterable(texts, Symbol.iterator))) {
    throw new TypeError(
      `Analyzer.analyzeMany(texts): texts must be an array, an iterable or an async iterable of strings, got ${kindOf(texts)}`,
    );
  }
  const total = typeof texts.length === "number" ? texts.length : typeof texts.size === "number" ? texts.size : undefined;
  let done = 0;
  stopIfAborted(signal);
  for await (const chunk of chunksOf(texts, batchSize)) {
    stopIfAborted(signal);
    const bad = chunk.findIndex((text) => typeof text !== "string");
    const batch = bad === -1 ? chunk : chunk.slice(0, bad);
    if (batch.length > 0) {
      const { results, failed } = await analyzeEach(this, batch);
      stopIfAborted(signal);
      if (failed === undefined) {
        done += batch.length;
        onProgress?.(total === undefined ? { done } : { done, total });
      }
      for (const result of results) {
        // Checked before each result too: nothing more is yielded once the signal is aborted.
        stopIfAborted(signal);
        yield result;
      }
      if (failed !== undefined) {
        const { index, error } = failed;
        const message = `Analyzer.analyzeMany(texts): texts[${done + index}]: ${error?.message ?? error}`;
        throw new Error(message, { cause: error });
      }
    }
    if (bad !== -1) {
      throw new TypeError(`Analyzer.analyzeMany(texts): texts[${done}] must be a string, got ${kindOf(chunk[bad])}`);
    }
  }
}

// The analyses of `batch` (strings) by one analyzeBatch call. The call fails whole when one text fails, so then the
// texts are analysed one at a time to find which: the results before it, and its index and error (`failed`).
async function analyzeEach(analyzer, batch) {
  try {
    return { results: await analyzer.analyzeBatch(batch) };
  } catch {
    const results = [];
    for (const [index, text] of batch.entries()) {
      try {
        results.push(await analyzer.analyze(text));
      } catch (error) {
        return { results, failed: { index, error } };
      }
    }
    // Every text on its own went through: the batch failed as a whole, not for a text.
    return { results };
  }
}

// `options` of the call `call` as an object whose keys are all in `names`, by the rule Analyzer.create has
// (crate/src/wasm/args.rs, `options_of`): `undefined` and `null` are no options; anything but an object, or a key not in
// `names`, is a TypeError that names it. Every JS entry point with options checks them here (npm's load too).
export function checkOptions(call, options, names) {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${call}: options must be an object, got ${kindOf(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!names.includes(key)) {
      throw new TypeError(`${call}: unknown option ${JSON.stringify(key)}; options are ${names.join(", ")}`);
    }
  }
  return options;
}

// `options` of analyzeMany with their defaults; a TypeError names an unknown option or one of the wrong kind.
function manyOptions(options) {
  const call = "Analyzer.analyzeMany";
  options = checkOptions(call, options, MANY_OPTIONS);
  const onProgress = options.onProgress ?? undefined;
  const signal = options.signal ?? undefined;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new TypeError(`${call}: options.onProgress must be a function, got ${kindOf(onProgress)}`);
  }
  // Only `aborted` and `reason` are read, so a signal from another realm (an iframe's) passes too.
  if (signal !== undefined && typeof signal.aborted !== "boolean") {
    throw new TypeError(`${call}: options.signal must be an AbortSignal, got ${kindOf(signal)}`);
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    const got = typeof batchSize === "number" ? batchSize : kindOf(batchSize);
    throw new TypeError(`${call}: options.batchSize must be a whole number, 1 or more, got ${got}`);
  }
  return { onProgress, signal, batchSize };
}

// Arrays of up to `size` items of `iterable`, in order. A synchronous iterable is read in a plain loop:
// `for await` would wait a microtask for each item, and would take a promise among the texts for its value.
async function* chunksOf(iterable, size) {
  if (!isIterable(iterable, Symbol.asyncIterator)) {
    yield* syncChunksOf(iterable, size);
    return;
  }
  let chunk = [];
  for await (const item of iterable) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

function* syncChunksOf(iterable, size) {
  let chunk = [];
  for (const item of iterable) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

function isIterable(value, symbol) {
  return value !== null && value !== undefined && typeof value[symbol] === "function";
}

// Throws the signal's reason once it is aborted (an AbortError DOMException unless abort() was given another).
function stopIfAborted(signal) {
  if (signal?.aborted) throw signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

// What kind of value `value` is, for error messages: its typeof, with null and arrays apart (as crate/src/wasm/args.rs).
function kindOf(value) {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}
