import { load } from "sentir";

const analyzer = load();
self.onmessage = async ({ data }) => {
  try {
    const result = await (await analyzer).analyze(data);
    postMessage({ label: result.label, tokens: result.tokens.map((t) => [t.text, t.start, t.end, t.score]), backend: result.backend });
  } catch (error) {
    postMessage({ error: error.message });
  }
};
