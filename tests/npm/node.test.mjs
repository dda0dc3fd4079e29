// In node (ESM), from the installed package, offline: three lines, then the result's shape and offsets.
import assert from "node:assert/strict";
import { load } from "sentir";

const analyzer = await load();
const text = "The acting was not good, but the music was wonderful 😍.";
const result = await analyzer.analyze(text);

// The shape index.d.ts declares, exactly: no field missing, none undeclared.
assert.deepEqual(Object.keys(result).sort(), ["backend", "label", "probabilities", "tokens", "words"]);
assert.deepEqual(Object.keys(result.tokens[0]).sort(), ["end", "id", "piece", "probability", "score", "start", "text"]);
assert.deepEqual(Object.keys(result.words[0]).sort(), ["end", "first_token", "score", "start", "text", "token_count"]);
assert.deepEqual(Object.keys(result.probabilities).sort(), analyzer.labels.slice().sort());
assert.equal(analyzer.modelName, "sentir-en-posts");
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
assert.equal(fromPath.modelName, "sentir-en-posts");
await assert.rejects(load({ model: "/no/such/model" }), /could not read the model file .*config\.json/);
await assert.rejects(analyzer.analyze("x".repeat(1 << 20)), (error) => error instanceof Error && /bytes/.test(error.message));
analyzer.free();
console.log(`node: ${result.label} ${JSON.stringify(result.probabilities)}; ${result.tokens.length} tokens, offsets exact`);
