// The page: sends the text to the inference worker (worker.js) as it changes and draws what comes back.
// Nothing here runs the model, so typing never waits for it.
//
// URL parameters (for tests and links): ?text=… presets the text; ?build=simd128|scalar forces a wasm build.

const $ = (id) => document.getElementById(id);
const text = $("text");
const tokens = $("tokens");
const detail = $("detail");
const status = $("status");
const params = new URLSearchParams(location.search);

const BACKENDS = { "cpu-simd": "CPU SIMD", "cpu-scalar": "CPU scalar", gpu: "WebGPU" };
const DEBOUNCE_MS = 60;

// Offline after the first load: the service worker answers from its cache when the network fails.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("sw.js", { type: "module" }).catch((error) => {
    console.warn(`sentir works online only: the service worker did not register (${error.message})`);
  });
}

const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
let model = null;
// At most one analysis in flight; while it runs, only the newest text waits.
let inFlight = null;
let waiting = null;
let nextId = 0;
let timer;

function request(value) {
  if (model === null || inFlight !== null) {
    waiting = value;
    return;
  }
  inFlight = { id: nextId++, text: value };
  worker.postMessage({ type: "analyze", ...inFlight });
}

function settled() {
  inFlight = null;
  if (waiting !== null) {
    const value = waiting;
    waiting = null;
    request(value);
  }
}

worker.onmessage = ({ data }) => {
  switch (data.type) {
    case "progress": {
      const progress = $("progress");
      progress.max = data.total || 1;
      progress.value = data.loaded;
      status.textContent = `Downloading the model… ${megabytes(data.loaded)} of ${megabytes(data.total)}`;
      break;
    }
    case "ready":
      model = data;
      $("progress").hidden = true;
      waiting = null; // typed while loading: the text area has the newest
      $("why").textContent = `${BACKENDS[data.backend] ?? data.backend}: ${data.backendReason}. ` +
        `WebAssembly build ${data.build}: ${data.buildReason}.`;
      request(text.value);
      break;
    case "result":
      if (data.id === inFlight?.id) {
        // Skip drawing a result the user has already typed past: the newer text is next.
        if (waiting === null) render(inFlight.text, data);
        settled();
      }
      break;
    case "error":
      if (data.id === null) {
        fail(`Could not start: ${data.message}`);
      } else if (data.id === inFlight?.id) {
        fail(data.message);
        settled();
      }
      break;
  }
};
worker.onerror = (event) => fail(`Could not start the analysis worker: ${event.message}`);

function fail(message) {
  $("verdict").textContent = "";
  $("probabilities").replaceChildren();
  tokens.replaceChildren();
  $("sentences").hidden = true;
  status.textContent = message;
  status.className = "status error";
  document.body.dataset.state = "error";
}

const megabytes = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const signed = (x, digits = 2) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

// A score is a change in positive-versus-negative log-odds: the sign picks the end of the diverging scale,
// tanh(|score|) how far along it (so ±1 is already a strong colour).
function paint(element, score) {
  element.classList.add(score < 0 ? "neg" : "pos");
  element.style.setProperty("--strength", Math.tanh(Math.abs(score)).toFixed(3));
}

// A label's colour: the ends of the diverging scale for the labels scores measure towards and against, grey for
// any other (a neutral label).
const tone = (label) => (label === model.positiveLabel ? "pos" : label === model.negativeLabel ? "neg" : "neu");

const span = (className, textContent = "") => Object.assign(document.createElement("span"), { className, textContent });

// One row per label, in the model's order: its name, a bar as long as its probability, and the percentage.
function probabilityRows(probabilities) {
  return model.labels.map((label) => {
    const p = probabilities[label];
    const row = document.createElement("li");
    row.className = `probability ${tone(label)}`;
    const bar = span("probability-bar");
    bar.setAttribute("aria-hidden", "true");
    bar.style.setProperty("--p", p.toFixed(4));
    row.append(span("probability-label", label), bar, span("probability-value", `${(100 * p).toFixed(1)}%`));
    return row;
  });
}

function render(input, { result, sentences, millis, reused }) {
  const positive = result.probabilities[model.positiveLabel];
  const confidence = result.probabilities[result.label];
  $("verdict").textContent = `${result.label} · ${(100 * confidence).toFixed(1)}% confident`;
  $("verdict").className = tone(result.label);
  $("probabilities").replaceChildren(...probabilityRows(result.probabilities));
  $("confidence").setAttribute("aria-valuenow", (100 * positive).toFixed(0));
  $("confidence").setAttribute("aria-valuetext", `${(100 * positive).toFixed(1)}% ${model.positiveLabel}`);
  $("confidence-marker").style.setProperty("--at", positive.toFixed(4));

  // Words hold their tokens: a word is underlined by its own score, each token filled by its own.
  const parts = [];
  let at = 0;
  const gap = (to) => {
    if (to > at) parts.push(document.createTextNode(input.slice(at, to)));
    at = Math.max(at, to);
  };
  for (const word of result.words) {
    gap(word.start);
    const wordSpan = document.createElement("span");
    wordSpan.className = "word";
    paint(wordSpan, word.score);
    for (let k = word.first_token; k < word.first_token + word.token_count; k++) {
      const token = result.tokens[k];
      // Offsets are UTF-16 code units, so String.prototype.slice cuts exactly the token. Two tokens can share a
      // span (one character that normalises to two pieces): its text is shown once.
      const start = Math.max(at, token.start);
      if (start > at) wordSpan.append(input.slice(at, start));
      const span = document.createElement("span");
      span.className = "token";
      span.textContent = input.slice(start, token.end);
      span.tabIndex = -1;
      span.dataset.index = k;
      span.dataset.score = token.score;
      span.title = describe(token, word);
      paint(span, token.score);
      wordSpan.append(span);
      at = Math.max(at, token.end);
    }
    parts.push(wordSpan);
  }
  gap(input.length);
  tokens.replaceChildren(...parts);
  tokens.querySelector(".token")?.setAttribute("tabindex", "0");

  const rows = sentences.length > 1 ? sentences.map((sentence) => {
    const row = document.createElement("tr");
    const cells = [input.slice(sentence.start, sentence.end), signed(sentence.score), sentence.probability.toFixed(2)];
    for (const value of cells) row.append(Object.assign(document.createElement("td"), { textContent: value }));
    paint(row.children[1], sentence.score);
    return row;
  }) : [];
  $("sentence-rows").replaceChildren(...rows);
  $("sentences").hidden = rows.length === 0;

  status.className = "status";
  const reuse = reused > 0 ? ` (${reused} continued from the previous text)` : "";
  status.textContent = `${BACKENDS[result.backend] ?? result.backend} · ${model.model} · ` +
    `${result.tokens.length} tokens in ${millis.toFixed(1)} ms${reuse}`;
  document.body.dataset.state = "done";
}

function describe(token, word) {
  const piece = token.piece === token.text ? "" : ` (piece ${token.piece})`;
  const ofWord = word.token_count > 1 ? `; the word "${word.text}" ${signed(word.score)}` : "";
  return `"${token.text}"${piece}: ${signed(token.score)} log-odds${ofWord}; ` +
    `P(${model.positiveLabel}) after it ${token.probability.toFixed(3)}`;
}

function show(span) {
  if (!span?.classList.contains("token")) return;
  detail.textContent = span.title;
}

// Hover shows a token's detail; so does keyboard focus, and the arrow keys move it (one tab stop for them all).
tokens.addEventListener("pointerover", (event) => show(event.target));
tokens.addEventListener("focusin", (event) => show(event.target));
tokens.addEventListener("keydown", (event) => {
  const all = [...tokens.querySelectorAll(".token")];
  const from = all.indexOf(document.activeElement);
  const to = { ArrowRight: from + 1, ArrowLeft: from - 1, Home: 0, End: all.length - 1 }[event.key];
  if (from < 0 || to === undefined || !all[to]) return;
  event.preventDefault();
  all[from].tabIndex = -1;
  all[to].tabIndex = 0;
  all[to].focus();
});

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

if (params.has("text")) text.value = params.get("text");
worker.postMessage({ type: "load", build: params.get("build") ?? undefined });
