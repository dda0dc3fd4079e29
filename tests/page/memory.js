// Memory under load, the same measurement in node and in a browser page (memory.test.mjs runs both): after a
// warm-up, 10,000 analyze calls (texts of many lengths, emoji, and a text over the limit, which rejects), 10,000
// session calls and 200 analyzeBatch calls must leave the wasm heap and the JS heap where they were; and
// analyzers dropped without free() must be reclaimed by the FinalizationRegistry fallback.
//
// `sentir` is what loadSentir() returns, `source` what Analyzer.create takes, `heap()` the JS heap's used bytes
// after a full garbage collection, `collect()` a full collection that lets finalizers run.

const TEXTS = [
  "not good",
  "The acting was not good, but the music was wonderful.",
  "omg this place is sooo good 😍 can't wait to go back!!",
  "Great camera, but the battery dies in two hours. ".repeat(20),
  "هذا المطعم رائع جدا 👨‍👩‍👧‍👦",
  "",
];
const TOO_LONG = "good ".repeat(20_000);

export async function measure(sentir, source, { heap, collect, calls = 10_000 }) {
  const { Analyzer, memory } = sentir;
  const analyzer = await Analyzer.create(source);
  const session = analyzer.session();
  let rejected = 0;
  const round = async (n) => {
    for (let i = 0; i < n; i++) {
      await analyzer.analyze(TEXTS[i % TEXTS.length]);
      await session.analyze(TEXTS[1].slice(0, i % TEXTS[1].length));
      if (i % 50 === 0) {
        await analyzer.analyzeBatch(TEXTS);
        await analyzer.analyze(TOO_LONG).catch(() => rejected++);
      }
    }
  };
  await round(500);
  const before = { wasm: memory.buffer.byteLength, heap: await heap() };
  await round(calls);
  const after = { wasm: memory.buffer.byteLength, heap: await heap() };
  session.free();
  analyzer.free();

  // Analyzers that are never freed: each reads a text with a word of nearly every 16 token ids, which fills its
  // vocabulary table (16,898 × 512 floats, 33 MiB, computed as texts read it) and makes it about 40 MiB; without
  // the finalizers, 12 of them would grow the heap by about 480 MiB, well over the 200 MiB the test allows.
  const spanning = await vocabularyText(source);
  const beforeDropped = memory.buffer.byteLength;
  for (let i = 0; i < 12; i++) {
    const dropped = await Analyzer.create(source);
    await dropped.analyze(spanning);
    await collect();
  }
  const dropped = { before: beforeDropped, after: memory.buffer.byteLength };
  return { calls, rejected, before, after, dropped };
}

// A text of one whole-word piece from each run of 16 token ids (the kernel's TABLE_CHUNK) of the model's vocabulary (`source`: a model folder's
// URL or its files), so that analysing it fills the kernel's vocabulary table.
async function vocabularyText(source) {
  const tokenizer = typeof source === "string" ? await (await fetch(`${source}tokenizer.json`)).json()
    : JSON.parse(typeof source.tokenizer === "string" ? source.tokenizer : new TextDecoder().decode(source.tokenizer));
  const words = new Map();
  for (const [piece, id] of Object.entries(tokenizer.model.vocab)) {
    if (/^\p{L}+$/u.test(piece) && !words.has(id >> 4)) words.set(id >> 4, piece);
  }
  return [...words.values()].join(" ");
}
