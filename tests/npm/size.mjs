// The package's sizes, and the wasm budget the README states: fails if a gzipped wasm build is over it.
//
//   node tests/npm/size.mjs target/npm/pack.json target/npm/sentir
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const [packJson, dir] = process.argv.slice(2);
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const stated = readme.match(/gzipped wasm budget: \*\*(\d+) kB\*\*/);
if (!stated) throw new Error("README.md states no 'gzipped wasm budget: **N kB**'");
const budget = Number(stated[1]) * 1000;

const [pack] = JSON.parse(readFileSync(packJson, "utf8"));
const kB = (bytes) => `${(bytes / 1000).toFixed(0)} kB`;
console.log(`package: ${pack.filename}, ${pack.entryCount} files, ${kB(pack.size)} packed, ${kB(pack.unpackedSize)} unpacked`);
const over = [];
for (const build of ["pkg", "pkg-scalar"]) {
  const wasm = readFileSync(join(dir, build, "sentir_bg.wasm"));
  const gzipped = gzipSync(wasm, { level: 9 }).length;
  console.log(`${build}/sentir_bg.wasm: ${kB(wasm.length)}, ${kB(gzipped)} gzipped (budget ${kB(budget)})`);
  if (gzipped > budget) over.push(`${build}: ${kB(gzipped)}`);
}
const model = ["model.safetensors", "tokenizer.json", "config.json"].map((f) => readFileSync(join(dir, "model", f)));
console.log(`model: ${kB(model.reduce((n, b) => n + b.length, 0))}, ${kB(model.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0))} gzipped`);
if (over.length) {
  console.error(`error: gzipped wasm over the README's budget of ${kB(budget)}: ${over.join(", ")}`);
  process.exit(1);
}
