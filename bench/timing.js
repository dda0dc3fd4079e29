// Shared by the benchmark pages and node.

// Runs `fn` until `budgetMs` is spent (at least `min` and at most 500 timed calls), and summarises the times in ms.
// First it warms up, untimed, for two calls and a quarter of the budget: V8 runs wasm from a quick compile first and
// swaps in optimised code in the background a while later, and the first measurement of a run would time the quick
// code.
export async function timeCalls(fn, budgetMs, min = 5) {
  const warm = performance.now() + budgetMs / 4;
  await fn();
  await fn();
  while (performance.now() < warm) await fn();
  const times = [];
  const started = performance.now();
  while (times.length < min || (times.length < 500 && performance.now() - started < budgetMs)) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const total = times.reduce((a, b) => a + b, 0);
  return { runs: times.length, p50_ms: at(0.5), p95_ms: at(0.95), mean_ms: total / times.length, min_ms: times[0] };
}

// Hands a page's result to its driver: sets `window.benchResult` (what bench/serve.mjs's pageResult waits
// for) to the result, or to `{ ...context, error }` if it failed.
export function publish(result, context = {}) {
  const status = document.getElementById("status");
  result.then(
    (value) => {
      window.benchResult = value;
      status.textContent = "done";
    },
    (error) => {
      window.benchResult = { ...context, error: String(error?.stack ?? error) };
      status.textContent = "error";
    },
  );
}
