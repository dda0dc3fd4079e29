// npm `vader-sentiment` (the VADER rules and lexicon): the compound score's sign is the label (0 counts as positive).
import vader from "vader-sentiment";

export async function load() {
  const analyzer = vader.SentimentIntensityAnalyzer;
  return { backend: "lexicon", score: true, run: async ({ texts }) => texts.map((t) => analyzer.polarity_scores(t).compound) };
}
