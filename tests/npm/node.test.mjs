// In node (ESM), from the installed package, offline: three lines, then the result's shape and offsets.
import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "sentir";

const analyzer = await load();
const text = "The acting was not good, but the music was wonderful 😍.";
const result = await analyzer.analyze(text);

// The shape index.d.ts declares, exactly: no field missing, none undeclared.
assert.deepEqual(Object.keys(result).sort(), ["backend", "label", "probabilities", "tokens", "words"]);
assert.deepEqual(Object.keys(result.tokens[0]).sort(), ["end", "id", "piece", "probability", "score", "start", "text"]);
assert.deepEqual(Object.keys(result.words[0]).sort(), ["end", "first_token", "score", "start", "text", "token_count"]);
assert.deepEqual(Object.keys(result.probabilities).sort(), analyzer.labels.slice().sort());
assert.equal(analyzer.modelName, "sentir-en-posts-distilled");
assert.equal(analyzer.backend, "cpu-simd");

// UTF-16 offsets: every token slices out its own text, the emoji (two code units) included.
for (const token of result.tokens) assert.equal(text.slice(token.start, token.end), token.text);
const emoji = result.tokens.find((t) => t.text === "😍");
assert.equal(emoji.end - emoji.start, 2);
const wonderful = result.tokens.find((t) => t.text === "wonderful");
assert.equal(wonderful.start, text.indexOf("wonderful"));
assert.ok(wonderful.score > 0, "'wonderful' pushes towards positive");
assert.equal((await analyzer.analyze("This is the worst purchase I have ever made.")).label, "negative");
assert.equal((await analyzer.analyze("Absolutely fantastic service!")).label, "positive");

// The batch, a session, the scalar build, a model folder by path, and an error that says what to do.
const batch = await analyzer.analyzeBatch(["great", "awful"]);
assert.deepEqual(batch.map((r) => r.label), ["positive", "negative"]);
const session = analyzer.session();
await session.analyze("not good");
assert.deepEqual(await session.analyze("not good at all"), await analyzer.analyze("not good at all"));
assert.equal(session.reusedTokens, 2);
session.free();
const scalar = await load({ build: "scalar", backend: "cpu-scalar" });
assert.equal(scalar.backend, "cpu-scalar");
// Node has no WebGPU: asking for the GPU loads on the CPU kernel, and the reason says why.
const noGpu = await load({ backend: "gpu" });
assert.equal(noGpu.backend, "cpu-simd");
assert.equal(noGpu.gpuAdapter, undefined);
assert.match(noGpu.backendReason, /no WebGPU adapter/);
assert.equal((await noGpu.analyze("great")).label, "positive");
noGpu.free();
const folder = new URL("./node_modules/sentir/model/", import.meta.url);
const fromPath = await load({ model: folder.pathname });
assert.equal(fromPath.modelName, "sentir-en-posts-distilled");
await assert.rejects(load({ model: "/no/such/model" }), /could not read the model file .*config\.json/);
// A folder that holds an adapter is the adapted model: the behaviour suite's first 80 sentences with their labels
// swapped, which the model reads the other way round, give a head that is kept.
const swapped = (await readFile(new URL("../behaviour/behaviour.tsv", import.meta.url), "utf8")).trim().split("\n")
  .slice(1, 81).map((line) => line.split("\t"));
const adaptation = await analyzer.adapt(swapped.map(([, text]) => text),
  swapped.map(([, , label]) => (label === "1" ? "negative" : "positive")));
assert.ok(adaptation.report.kept, adaptation.report.verdict);
const adaptedFolder = await mkdtemp(join(tmpdir(), "sentir-adapted-"));
for (const name of ["config.json", "model.safetensors", "tokenizer.json"]) {
  await copyFile(new URL(name, folder), join(adaptedFolder, name));
}
await writeFile(join(adaptedFolder, "adapter.json"), adaptation.adapter.json);
await writeFile(join(adaptedFolder, "adapter.safetensors"), adaptation.adapter.weights);
const fromAdaptedPath = await load({ model: adaptedFolder });
const [first] = swapped[0].slice(1);
assert.deepEqual(await fromAdaptedPath.analyze(first), await adaptation.analyzer.analyze(first));
assert.notDeepEqual((await fromAdaptedPath.analyze(first)).probabilities, (await analyzer.analyze(first)).probabilities);
fromAdaptedPath.free();
adaptation.analyzer.free();
await rm(adaptedFolder, { recursive: true });
await assert.rejects(analyzer.analyze("x".repeat(1 << 20)), (error) => error instanceof Error && /bytes/.test(error.message));

// Arguments and options of the wrong kind: a rejected promise with a TypeError that names them, never a wasm trap.
const typeError = (message) => (error) => {
  assert.ok(error instanceof TypeError, `a TypeError, not ${error}`);
  assert.equal(error.message, message);
  return true;
};
const rejectsWith = async (call, message) => {
  let promise;
  assert.doesNotThrow(() => { promise = call(); }, "rejects rather than throws");
  await assert.rejects(promise, typeError(message));
};
await rejectsWith(() => analyzer.analyze(42), "Analyzer.analyze(text): text must be a string, got number");
await rejectsWith(() => analyzer.analyze({}), "Analyzer.analyze(text): text must be a string, got object");
await rejectsWith(() => analyzer.analyze(null), "Analyzer.analyze(text): text must be a string, got null");
await rejectsWith(() => analyzer.analyze(), "Analyzer.analyze(text): text must be a string, got undefined");
await rejectsWith(() => analyzer.analyzeBatch("not an array"),
  "Analyzer.analyzeBatch(texts): texts must be an array of strings, got string");
await rejectsWith(() => analyzer.analyzeBatch(["a", "b", "c", {}]),
  "Analyzer.analyzeBatch(texts): texts[3] must be a string, got object");
const session2 = analyzer.session();
await rejectsWith(() => session2.analyze(7), "Session.analyze(text): text must be a string, got number");
session2.free();
const BACKENDS = '"auto", "cpu", "cpu-simd", "cpu-scalar", "gpu"';
await assert.rejects(load({ backend: "tpu" }),
  typeError(`Analyzer.create: options.backend must be one of ${BACKENDS}; got "tpu"`));
await assert.rejects(load({ backend: 1 }), typeError(`Analyzer.create: options.backend must be one of ${BACKENDS}; got 1`));
await assert.rejects(load({ bogus: 1 }), typeError('load: unknown option "bogus"; options are model, backend, build'));
await assert.rejects(load("gpu"), typeError("load: options must be an object, got string"));
// tests/backends.tsv: the same cases as the CLI's and Python's tests (no GPU in node: "gpu" runs on the CPU kernel).
const backendCases = (await readFile(new URL("../backends.tsv", import.meta.url), "utf8")).trimEnd().split("\n")
  .filter((line) => !line.startsWith("#")).slice(1).map((line) => line.split("\t"));
assert.ok(backendCases.length >= 9, `${backendCases.length} cases`);
for (const [name, gives] of backendCases) {
  if (gives === "error") {
    await assert.rejects(load({ backend: name }), typeError(`Analyzer.create: options.backend must be one of ${BACKENDS}; ` +
      `got ${JSON.stringify(name)}`));
  } else {
    const { backend } = await load({ backend: name });
    assert.ok(gives.split("|").includes(backend), `${JSON.stringify(name)} gave ${backend}, not ${gives}`);
  }
}
// load() passes create only `backend`; the class itself takes the rest.
const Analyzer = analyzer.constructor;
const modelFile = (name) => readFile(new URL(name, folder));
const files = { config: await modelFile("config.json"), weights: await modelFile("model.safetensors"),
  tokenizer: await modelFile("tokenizer.json") };
await assert.rejects(Analyzer.create(files, { backnd: "gpu" }),
  typeError('Analyzer.create: unknown option "backnd"; options are backend'));
await assert.rejects(Analyzer.create(files, "gpu"), typeError("Analyzer.create: options must be an object, got string"));
await assert.rejects(Analyzer.create(42), (error) => error instanceof TypeError && /base URL.*got number$/.test(error.message));

// A collection: one brief per post in order (the label analyze gives), a post too long fails alone, aggregates.
const collection = analyzer.collection();
const posts = ["love it 😍", "x ".repeat(20000), "the worst"];
const briefs = await collection.add(posts, ["a", "b", "a"]);
assert.equal(briefs.length, 3);
assert.equal(briefs[0].label, (await analyzer.analyze(posts[0])).label);
assert.match(briefs[1].error, /more than this model's maximum/);
assert.deepEqual(Object.keys(briefs[2].probabilities), analyzer.labels);
const summary = collection.summary();
assert.equal(summary.texts, 2);
assert.equal(summary.failed, 1);
assert.equal(Object.values(summary.counts).reduce((a, b) => a + b), 2);
assert.deepEqual(summary.groups.map((g) => [g.group, g.texts]), [["a", 2]]);
assert.equal(summary.histogram.counts.reduce((a, b) => a + b), 2);
collection.free();

// analyzeMany: the same analyses as analyze, in input order, in batches, over any (async) iterable.
const texts = Array.from({ length: 7 }, (_, i) => `${["great", "awful", "not bad", "meh 😐"][i % 4]} ${i}`);
const expected = JSON.stringify(await analyzer.analyzeBatch(texts));
const collect = async (generator) => {
  const results = [];
  for await (const result of generator) results.push(result);
  return results;
};
const progress = [];
const viaArray = await collect(analyzer.analyzeMany(texts, { batchSize: 3, onProgress: (p) => progress.push(p) }));
assert.equal(JSON.stringify(viaArray), expected);
assert.deepEqual(progress, [{ done: 3, total: 7 }, { done: 6, total: 7 }, { done: 7, total: 7 }]);
function* generate() { yield* texts; }
const generated = [];
assert.equal(JSON.stringify(await collect(analyzer.analyzeMany(generate(), { onProgress: (p) => generated.push(p) }))), expected);
assert.deepEqual(generated, [{ done: 7 }], "one batch by default (256), no total without a length");
async function* generateAsync() {
  for (const text of texts) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield text;
  }
}
assert.equal(JSON.stringify(await collect(analyzer.analyzeMany(generateAsync(), { batchSize: 2 }))), expected);
assert.equal(JSON.stringify(await collect(analyzer.analyzeMany(new Set(texts), { batchSize: 7 }))), expected);
assert.deepEqual(await collect(analyzer.analyzeMany([])), []);
// Batches go through analyzeBatch, batchSize texts at a time.
const sizes = [];
const batchOf = analyzer.analyzeBatch;
analyzer.analyzeBatch = function (batch) { sizes.push(batch.length); return batchOf.call(this, batch); };
await collect(analyzer.analyzeMany(texts, { batchSize: 2 }));
delete analyzer.analyzeBatch;
assert.deepEqual(sizes, [2, 2, 2, 1]);

// Abort: before the next batch (and before any result more), the generator throws the signal's reason.
const controller = new AbortController();
const seen = [];
await assert.rejects(async () => {
  for await (const result of analyzer.analyzeMany(texts, { batchSize: 2, signal: controller.signal })) {
    seen.push(result);
    if (seen.length === 3) controller.abort();
  }
}, (error) => error instanceof DOMException && error.name === "AbortError");
assert.equal(seen.length, 3);
await assert.rejects(collect(analyzer.analyzeMany(texts, { signal: AbortSignal.abort(new Error("stop")) })), /^Error: stop$/);
// A generator's early exit closes the input.
let closed = false;
function* watched() { try { yield* texts; } finally { closed = true; } }
for await (const _ of analyzer.analyzeMany(watched(), { batchSize: 2 })) break;
assert.ok(closed, "the input's iterator is closed when the loop stops early");

// Wrong texts and options: TypeErrors that name them, from the first next(); the texts before a bad one first.
const manyError = async (texts, options, message) => {
  const generator = analyzer.analyzeMany(texts, options);
  await assert.rejects(generator.next(), typeError(message));
};
await manyError("abc", undefined,
  "Analyzer.analyzeMany(texts): texts must be an array, an iterable or an async iterable of strings, got string");
await manyError(42, undefined,
  "Analyzer.analyzeMany(texts): texts must be an array, an iterable or an async iterable of strings, got number");
await manyError(texts, { batchsize: 2 },
  'Analyzer.analyzeMany: unknown option "batchsize"; options are onProgress, signal, batchSize');
await manyError(texts, { batchSize: 0 }, "Analyzer.analyzeMany: options.batchSize must be a whole number, 1 or more, got 0");
await manyError(texts, { batchSize: "2" },
  "Analyzer.analyzeMany: options.batchSize must be a whole number, 1 or more, got string");
await manyError(texts, { onProgress: true }, "Analyzer.analyzeMany: options.onProgress must be a function, got boolean");
await manyError(texts, { signal: {} }, "Analyzer.analyzeMany: options.signal must be an AbortSignal, got object");
await manyError(texts, 256, "Analyzer.analyzeMany: options must be an object, got number");
const before = [];
await assert.rejects(async () => {
  for await (const result of analyzer.analyzeMany(["good", "bad", "fine", 4, "never"], { batchSize: 2 })) before.push(result);
}, typeError("Analyzer.analyzeMany(texts): texts[3] must be a string, got number"));
assert.equal(before.length, 3, "the texts before the bad one were analysed and yielded");
// A text the model cannot analyse fails its analyzeBatch call whole: the texts before it are still yielded, in order,
// then an Error names its index in the whole input (here the second text of the second batch) and says why.
const tooLong = "x ".repeat(20000);
const good = ["good", "bad", "fine", tooLong, "never", "again"];
const analysed = [];
const reported = [];
const asked = [];
function* askedFor() { for (const text of good) { asked.push(text); yield text; } }
await assert.rejects(async () => {
  const options = { batchSize: 2, onProgress: (p) => reported.push(p.done) };
  for await (const result of analyzer.analyzeMany(askedFor(), options)) analysed.push(result);
}, (error) => {
  assert.ok(error instanceof Error && !(error instanceof TypeError), `an Error, not ${error}`);
  const why = /^Analyzer\.analyzeMany\(texts\): texts\[3\]: the text has \d+ tokens, more than this model's maximum/;
  assert.match(error.message, why);
  assert.ok(error.cause instanceof Error && error.message.endsWith(error.cause.message), "analyze's error is its cause");
  return true;
});
assert.equal(JSON.stringify(analysed), JSON.stringify(await analyzer.analyzeBatch(good.slice(0, 3))));
assert.deepEqual(reported, [2], "progress counts the batches that went through");
assert.equal(asked.length, 4, "nothing more is read after the bad text's batch");
// The bad text first in its batch, and alone in the last one.
for (const [texts, batchSize, index] of [[["good", "bad", tooLong, "fine"], 2, 2], [["good", tooLong], 1, 1]]) {
  const seen = [];
  await assert.rejects(async () => {
    for await (const result of analyzer.analyzeMany(texts, { batchSize })) seen.push(result);
  }, new RegExp(`^Error: Analyzer\\.analyzeMany\\(texts\\): texts\\[${index}\\]: the text has`));
  assert.equal(seen.length, index);
}
analyzer.free();
console.log(`node: ${result.label} ${JSON.stringify(result.probabilities)}; ${result.tokens.length} tokens, offsets exact`);
