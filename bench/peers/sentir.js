// sentir itself, from the release build of the page's wasm package (web/pkg), on the backend asked for
// (cpu-simd, cpu-scalar): tokenizes, runs the LSTM, and computes every token's score and the words, each call.
import init, { Analyzer } from "../../web/pkg/sentir.js";

export async function load(backend, model) {
  await init();
  const analyzer = await Analyzer.create(new URL(model, location.href), { backend });
  return {
    backend: analyzer.backend,
    async run({ texts }) {
      const results = texts.length === 1 ? [await analyzer.analyze(texts[0])] : await analyzer.analyzeBatch(texts);
      // Positive against negative, as the model cards score two-way sets: a three-label model's neutral share
      // set aside (for a two-label model, its positive probability).
      return results.map(({ probabilities: p }) => p.positive / (p.positive + p.negative));
    },
  };
}
