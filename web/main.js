// The page: load the wasm and the default model, then analyse the text as it changes.
import { loadSentir } from "./sentir.js";

const text = document.getElementById("text");
const verdict = document.getElementById("verdict");
const tokens = document.getElementById("tokens");
const status = document.getElementById("status");

const NEGATIVE = [230, 97, 1];
const POSITIVE = [33, 102, 172];

// A score is a change in log-odds; tanh maps it to an opacity, so ±1 is already a strong colour.
function colour(score) {
  const [r, g, b] = score < 0 ? NEGATIVE : POSITIVE;
  return `rgba(${r}, ${g}, ${b}, ${Math.tanh(Math.abs(score)).toFixed(3)})`;
}

function render(input, result, millis) {
  const p = result.probabilities;
  verdict.textContent = `${result.label} (${(100 * p[result.label]).toFixed(1)}%)`;
  const parts = [];
  let at = 0;
  for (const token of result.tokens) {
    // Offsets are UTF-16 code units, so String.prototype.slice cuts exactly the token.
    // Two tokens can share a span (one character that normalises to two pieces): show its text once.
    const start = Math.max(at, token.start);
    if (start > at) parts.push(document.createTextNode(input.slice(at, start)));
    const span = document.createElement("span");
    span.textContent = input.slice(start, token.end);
    span.style.backgroundColor = colour(token.score);
    span.title = `${token.piece}: ${token.score >= 0 ? "+" : ""}${token.score.toFixed(3)} · P(positive) ${token.probability.toFixed(3)}`;
    span.dataset.score = token.score;
    parts.push(span);
    at = Math.max(at, token.end);
  }
  if (at < input.length) parts.push(document.createTextNode(input.slice(at)));
  tokens.replaceChildren(...parts);
  status.className = "status";
  status.textContent = `${analyzer.modelName} · ${analyzer.backend} · ${result.tokens.length} tokens in ${millis.toFixed(1)} ms`;
  status.title = `${analyzer.backend}: ${analyzer.backendReason}; ${sentir.build} build: ${sentir.buildReason}`;
}

let sentir;
let analyzer;
let timer;
async function analyse() {
  const input = text.value;
  const started = performance.now();
  try {
    const result = await analyzer.analyze(input);
    render(input, result, performance.now() - started);
    document.body.dataset.state = "done";
  } catch (error) {
    verdict.textContent = "";
    tokens.replaceChildren();
    status.textContent = error.message;
    status.className = "status error";
    document.body.dataset.state = "error";
  }
}

try {
  const params = new URLSearchParams(location.search);
  // ?build=simd128|scalar forces a build (for tests); by default the loader detects SIMD.
  sentir = await loadSentir({ build: params.get("build") ?? undefined });
  analyzer = await sentir.Analyzer.create(new URL("models/default/", location.href).href);
  const preset = params.get("text");
  if (preset !== null) text.value = preset;
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(analyse, 120);
  });
  await analyse();
} catch (error) {
  status.textContent = `Could not start: ${error.message}`;
  status.className = "status error";
  document.body.dataset.state = "error";
}
