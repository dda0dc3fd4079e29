// npm `sentiment` (the AFINN-165 lexicon): a score per text whose sign is the label (0 counts as positive).
import Sentiment from "sentiment";

export async function load() {
  const sentiment = new Sentiment();
  return { backend: "lexicon", score: true, run: async ({ texts }) => texts.map((t) => sentiment.analyze(t).score) };
}
