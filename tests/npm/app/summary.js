// What each test page reports of an analysis, so that the page, the worker and the plain page compare equal.
export const TEXT = "The acting was not good, but the music was wonderful.";

export function summary(result) {
  return { label: result.label, tokens: result.tokens.map((t) => [t.text, t.start, t.end, t.score]), backend: result.backend };
}
