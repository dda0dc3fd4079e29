// One peer's measurements, in one fresh page: page.html?peer=<module>&backend=<name>[&model=<folder of models/>].
// bench/peers.mjs opens it once per peer in a new browser context (empty cache) and reads `window.benchResult`.
import { publish, timeCalls as time } from "./timing.js";

const params = new URLSearchParams(location.search);
const MODEL = `/models/${params.get("model") ?? "sentir-en-lstm"}/`;
const peerModule = params.get("peer");
const backend = params.get("backend");
const budgetMs = Number(params.get("budget") ?? 1500);

const timeCalls = (fn) => time(fn, budgetMs);

function slice(items, from, count) {
  return { texts: items.slice(from, from + count).map((i) => i.text), ids: items.slice(from, from + count).map((i) => i.ids) };
}

async function main() {
  const inputs = await (await fetch("build/inputs.json")).json();
  const result = { peer: peerModule, backend, isolated: crossOriginIsolated };

  const started = performance.now();
  const { load } = await import(`./build/${peerModule}.js`);
  const peer = await load(backend, MODEL);
  await peer.run(slice(inputs.lengths["8"], 0, 1));
  result.cold_load_ms = performance.now() - started;
  result.backend = peer.backend;
  if (backend !== "lexicon" && peer.backend !== backend) throw new Error(`asked for ${backend}, ran ${peer.backend}`);

  // Same weights, same answers: model peers must agree with sentir before their times mean anything.
  if (!peer.score && peerModule !== "sentir") {
    let maxDiff = 0;
    let labelsAgree = 0;
    for (const item of inputs.check) {
      const [p] = await peer.run({ texts: [item.text], ids: [item.ids] });
      maxDiff = Math.max(maxDiff, Math.abs(p - item.positive));
      labelsAgree += (p >= 0.5) === (item.positive >= 0.5);
    }
    result.parity = { texts: inputs.check.length, max_abs_diff: maxDiff, labels_agree: labelsAgree };
  }

  // Steady state, for every peer alike: wasm engines run code first from a quick compile and replace it with an
  // optimised one in the background a while later (V8: Liftoff, then TurboFan), so each peer first runs a 32-token
  // text, then a batch of 64, for the budget each, untimed.
  for (const input of [slice(inputs.lengths["32"], 0, 1), slice(inputs.batch32, 0, 64)]) {
    const until = performance.now() + budgetMs;
    while (performance.now() < until) await peer.run(input);
  }

  result.latency = {};
  for (const [tokens, items] of Object.entries(inputs.lengths)) {
    result.latency[tokens] = await timeCalls(() => peer.run(slice(items, 0, 1)));
  }
  result.throughput = {};
  for (const batch of [1, 64, 256]) {
    const input = slice(inputs.batch32, 0, batch);
    const times = await timeCalls(() => peer.run(input));
    result.throughput[batch] = { ...times, tokens_per_s: (batch * 32 * 1000) / times.mean_ms };
  }

  // Accuracy on the test-split sample. Model peers share sentir's weights (see parity), so only sentir and the
  // lexicons are run on it.
  if (peer.score || peerModule === "sentir") {
    result.accuracy = {};
    for (const [split, items] of Object.entries(inputs.accuracy)) {
      let correct = 0;
      for (let i = 0; i < items.length; i += 64) {
        const chunk = items.slice(i, i + 64);
        const out = await peer.run({ texts: chunk.map((x) => x.text), ids: null });
        out.forEach((value, j) => (correct += (peer.score ? value >= 0 : value >= 0.5) === (chunk[j].label === 1)));
      }
      result.accuracy[split] = { texts: items.length, accuracy: correct / items.length };
    }
  }
  return result;
}

publish(main(), { peer: peerModule, backend });
