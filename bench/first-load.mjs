// The wait before the first result, in node, side by side: each round starts a fresh node process per build, which
// compiles and instantiates the wasm, creates the analyzer from the model's files (parsing them, the tokenizer's
// regular expressions, the kernel's packing), and analyses a first post and then a second.
//
//   node bench/first-load.mjs [--rounds 7] [--model models/default] [--plain] DIR...
//
// The first post has an emoji, which sentir's tokenizer recipe leaves to the `tokenizers` crate, whose pipeline is
// built when a text first needs it; with --plain the two posts swap, so the first one is plain text, as the recipe
// takes it.
// Each DIR is a `wasm-pack --target web` package (web/pkg, or a copy of another commit's); prints each phase's
// median over the rounds, per build, and B ÷ A where there are two.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const take = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args.splice(at, 2)[1];
};
const rounds = Number(take("--rounds", 7));
const plain = args.includes("--plain") ? args.splice(args.indexOf("--plain"), 1).length : 0;
const model = resolve(take("--model", resolve(fileURLToPath(import.meta.url), "../../models/default")));
const dirs = args.map((dir) => resolve(dir));
if (dirs.length === 0) throw new Error("give one or two wasm-pack package folders (web/pkg, say)");

// What one child process runs: the phases' times in ms, as JSON on stdout.
const CHILD = `
const [dir, model, plain] = process.argv.slice(1);
const posts = ["@airline flight delayed again 🙄 at least the crew were lovely :) can't wait to fly home",
  "The council meets again on Tuesday to discuss the new library and the park."];
if (plain === "1") posts.reverse();
const { readFileSync } = await import("node:fs");
const read = (name) => readFileSync(model + "/" + name);
const started = performance.now();
const sentir = await import(dir + "/sentir.js");
await sentir.default({ module_or_path: readFileSync(dir + "/sentir_bg.wasm") });
const compiled = performance.now();
const analyzer = await sentir.Analyzer.create({ config: read("config.json"), weights: read("model.safetensors"),
  tokenizer: read("tokenizer.json") });
const created = performance.now();
await analyzer.analyze(posts[0]);
const first = performance.now();
await analyzer.analyze(posts[1]);
const second = performance.now();
console.log(JSON.stringify({ wasm: compiled - started, create: created - compiled, first: first - created,
  second: second - first, total: first - started }));
`;

const phases = ["wasm", "create", "first", "second", "total"];
const times = dirs.map(() => Object.fromEntries(phases.map((phase) => [phase, []])));
for (let round = 0; round < rounds; round++) {
  // Alternating the order, so that neither build always runs first on a machine whose load drifts.
  const order = round % 2 === 0 ? dirs.map((_, k) => k) : dirs.map((_, k) => dirs.length - 1 - k);
  for (const k of order) {
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", CHILD, dirs[k], model, String(plain)], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`${dirs[k]}: ${run.stderr}`);
    const result = JSON.parse(run.stdout);
    for (const phase of phases) times[k][phase].push(result[phase]);
  }
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`node ${process.version}, ${model}, first post ${plain ? "plain" : "with an emoji"}, median of ${rounds} fresh processes, ms:`);
console.log(["build", ...phases].join("\t"));
dirs.forEach((dir, k) => console.log([dir, ...phases.map((phase) => median(times[k][phase]).toFixed(1))].join("\t")));
if (dirs.length === 2) {
  console.log(["B ÷ A", ...phases.map((phase) => (median(times[1][phase]) / median(times[0][phase])).toFixed(2))].join("\t"));
}
