// sentir itself, from the release build of the page's wasm package (web/pkg): tokenizes, runs the LSTM, and
// computes every token's score and the words, from text, each call.
import init, { Analyzer } from "../../web/pkg/sentir.js";

export async function load(_backend, model) {
  await init();
  const analyzer = await Analyzer.create(new URL(model, location.href));
  return {
    backend: analyzer.backend,
    async run({ texts }) {
      const results = texts.length === 1 ? [await analyzer.analyze(texts[0])] : await analyzer.analyzeBatch(texts);
      return results.map((r) => r.probabilities.positive);
    },
  };
}
