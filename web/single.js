// The single-text view: sends the text to the worker as it changes and draws what comes back. Nothing here runs
// the model, so typing never waits for it.

import { paint, renderTokens, shareRows, signed, tokenDetails, tone } from "./tokens.js";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 60;

// `page` (main.js): the worker, the model once loaded, and the status line. `initial` presets the text.
export function startSingle(page, initial) {
  const text = $("text");
  // At most one analysis in flight; while it runs, only the newest text waits.
  let inFlight = null;
  let waiting = null;
  let nextId = 0;
  let timer;

  function request(value) {
    if (page.model === null || inFlight !== null) {
      waiting = value;
      return;
    }
    inFlight = { id: nextId++, text: value };
    page.worker.postMessage({ type: "analyze", ...inFlight });
  }

  function settled() {
    inFlight = null;
    if (waiting !== null) {
      const value = waiting;
      waiting = null;
      request(value);
    }
  }

  page.on("ready", () => {
    waiting = null; // typed while loading: the text area has the newest
    request(text.value);
  });
  page.on("teach-using", () => request(text.value)); // another head: the text reads otherwise
  page.on("result", (data) => {
    if (data.id !== inFlight?.id) return;
    // Skip drawing a result the user has already typed past: the newer text is next.
    if (waiting === null) render(page, inFlight.text, data);
    settled();
  });
  page.on("error", (data) => {
    if (data.id === null || data.id !== inFlight?.id) return;
    clear();
    page.fail(data.message);
    settled();
  });

  tokenDetails($("tokens"), $("detail"));
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => request(text.value), DEBOUNCE_MS);
  });
  for (const button of document.querySelectorAll("[data-example]")) {
    button.addEventListener("click", () => {
      text.value = button.dataset.example;
      request(text.value);
    });
  }
  if (initial !== null) text.value = initial;
}

function clear() {
  $("verdict").textContent = "";
  $("probabilities").replaceChildren();
  $("tokens").replaceChildren();
  $("sentences").hidden = true;
}

function render(page, input, { result, sentences, millis, reused }) {
  const { model } = page;
  const positive = result.probabilities[model.positiveLabel];
  const confidence = result.probabilities[result.label];
  $("verdict").textContent = `${result.label} · ${(100 * confidence).toFixed(1)}% confident`;
  $("verdict").className = tone(model, result.label);
  $("probabilities").replaceChildren(...shareRows(model, result.probabilities));
  $("confidence").setAttribute("aria-valuenow", (100 * positive).toFixed(0));
  $("confidence").setAttribute("aria-valuetext", `${(100 * positive).toFixed(1)}% ${model.positiveLabel}`);
  $("confidence-marker").style.setProperty("--at", positive.toFixed(4));
  renderTokens($("tokens"), input, result, model);

  const rows = sentences.length > 1 ? sentences.map((sentence) => {
    const row = document.createElement("tr");
    const cells = [input.slice(sentence.start, sentence.end), signed(sentence.score), sentence.probability.toFixed(2)];
    for (const value of cells) row.append(Object.assign(document.createElement("td"), { textContent: value }));
    paint(row.children[1], sentence.score);
    return row;
  }) : [];
  $("sentence-rows").replaceChildren(...rows);
  $("sentences").hidden = rows.length === 0;

  const reuse = reused > 0 ? ` (${reused} continued from the previous text)` : "";
  page.report(`${page.backendName(result.backend)} · ${model.model} · ` +
    `${result.tokens.length} tokens in ${millis.toFixed(1)} ms${reuse}`);
  document.body.dataset.state = "done";
}
