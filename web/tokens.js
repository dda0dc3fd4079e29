// What both views draw the same way: a text coloured token by token, a label's probabilities, the colours.
// `model` is the worker's "ready" message: the labels, and which of them the scores measure towards and against.

export const signed = (x, digits = 2) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

export const span = (className, textContent = "") =>
  Object.assign(document.createElement("span"), { className, textContent });

// A score is a change in positive-versus-negative log-odds: the sign picks the end of the diverging scale,
// tanh(|score|) how far along it (so ±1 is already a strong colour).
export function paint(element, score) {
  element.classList.add(score < 0 ? "neg" : "pos");
  element.style.setProperty("--strength", Math.tanh(Math.abs(score)).toFixed(3));
}

// A label's colour: the ends of the diverging scale for the labels scores measure towards and against, grey for
// any other (a neutral label).
export const tone = (model, label) =>
  label === model.positiveLabel ? "pos" : label === model.negativeLabel ? "neg" : "neu";

// One row per label, in the model's order: its name, a bar as long as `values[label]` (a share or a
// probability, 0 to 1), and the percentage, with `counts[label]` after it when given.
export function shareRows(model, values, counts) {
  return model.labels.map((label) => {
    const p = values[label] ?? 0;
    const row = document.createElement("li");
    row.className = `probability ${tone(model, label)}`;
    const bar = span("probability-bar");
    bar.setAttribute("aria-hidden", "true");
    bar.style.setProperty("--p", p.toFixed(4));
    const value = `${(100 * p).toFixed(1)}%` + (counts ? ` (${counts[label].toLocaleString("en")})` : "");
    row.append(span("probability-label", label), bar, span("probability-value", value));
    return row;
  });
}

// Fills `container` with `input`, its words each underlined by the word's score and its tokens each filled by
// its own: `result` is an analysis (tokens and words with UTF-16 offsets into `input`).
export function renderTokens(container, input, result, model) {
  const parts = [];
  let at = 0;
  const gap = (to) => {
    if (to > at) parts.push(document.createTextNode(input.slice(at, to)));
    at = Math.max(at, to);
  };
  for (const word of result.words) {
    gap(word.start);
    const wordSpan = span("word");
    paint(wordSpan, word.score);
    for (let k = word.first_token; k < word.first_token + word.token_count; k++) {
      const token = result.tokens[k];
      // Offsets are UTF-16 code units, so String.prototype.slice cuts exactly the token. Two tokens can share a
      // span (one character that normalises to two pieces): its text is shown once.
      const start = Math.max(at, token.start);
      if (start > at) wordSpan.append(input.slice(at, start));
      const tokenSpan = span("token", input.slice(start, token.end));
      tokenSpan.tabIndex = -1;
      tokenSpan.dataset.index = k;
      tokenSpan.dataset.score = token.score;
      tokenSpan.title = describe(model, token, word);
      paint(tokenSpan, token.score);
      wordSpan.append(tokenSpan);
      at = Math.max(at, token.end);
    }
    parts.push(wordSpan);
  }
  gap(input.length);
  container.replaceChildren(...parts);
  container.querySelector(".token")?.setAttribute("tabindex", "0");
}

function describe(model, token, word) {
  const piece = token.piece === token.text ? "" : ` (piece ${token.piece})`;
  const ofWord = word.token_count > 1 ? `; the word "${word.text}" ${signed(word.score)}` : "";
  return `"${token.text}"${piece}: ${signed(token.score)} log-odds${ofWord}; ` +
    `P(${model.positiveLabel}) after it ${token.probability.toFixed(3)}`;
}

// Hover shows a token's detail in `detail`; so does keyboard focus, and the arrow keys move it (one tab stop
// for all the tokens of `container`).
export function tokenDetails(container, detail) {
  const show = (element) => {
    if (element?.classList.contains("token")) detail.textContent = element.title;
  };
  container.addEventListener("pointerover", (event) => show(event.target));
  container.addEventListener("focusin", (event) => show(event.target));
  container.addEventListener("keydown", (event) => {
    const all = [...container.querySelectorAll(".token")];
    const from = all.indexOf(document.activeElement);
    const to = { ArrowRight: from + 1, ArrowLeft: from - 1, Home: 0, End: all.length - 1 }[event.key];
    if (from < 0 || to === undefined || !all[to]) return;
    event.preventDefault();
    all[from].tabIndex = -1;
    all[to].tabIndex = 0;
    all[to].focus();
  });
}
