// Loads sentir's wasm build for this engine: the simd128 build (pkg/) where WebAssembly SIMD is supported, the
// scalar build (pkg-scalar/) otherwise. Both export the same API; only the CPU kernel differs.
//
//   import { loadSentir } from "./sentir.js";
//   const { Analyzer, build, buildReason, memory } = await loadSentir();
//
// `memory` is the build's `WebAssembly.Memory`: `memory.buffer.byteLength` is the size of its heap.
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
  return { ...module, build, buildReason, memory: exports.memory };
}
