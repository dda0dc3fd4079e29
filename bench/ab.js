// The A/B comparison itself, shared by node (bench/ab.mjs) and the page (bench/ab.html): two analyzers, call by
// call. See the header of bench/ab.mjs.

// [name, batch, call] for batches of 1, 16 and 64 texts of 32 tokens: `rec` the recurrent step alone, `fwd` the
// forward pass on ids, `tok` tokenizing, `all` the whole analysis from JS.
function measurements(items) {
  const list = [];
  for (const batch of [1, 16, 64]) {
    const texts = items.slice(0, batch).map((item) => item.text);
    const ids = Uint32Array.from(items.slice(0, batch).flatMap((item) => item.ids));
    list.push([`rec${batch}`, batch, (a) => a.benchRecurrence(batch, 32)]);
    list.push([`fwd${batch}`, batch, (a) => a.benchForward(ids, batch)]);
    list.push([`tok${batch}`, batch, (a) => texts.forEach((text) => a.benchTokenize(text, 1))]);
    list.push([`all${batch}`, batch, (a) => (batch === 1 ? a.analyze(texts[0]) : a.analyzeBatch(texts))]);
  }
  return list;
}

// For each measurement (all, or those named in `only`): calls alternate A, B (B first every other pair) for
// `seconds` after a warm-up. Resolves to rows { name, aMin, bMin, median, pairs }: the fastest call of each (ms)
// and the median of the per-pair ratios B ÷ A. `onRow(row)` sees each row as it is done.
export async function compare([first, second], items, { seconds = 2, only = null, onRow = () => {} } = {}) {
  const rows = [];
  for (const [name, batch, fn] of measurements(items).filter(([name]) => !only || only.includes(name))) {
    // One text runs 20 times a call, so that a call is long enough to time.
    const repeats = batch === 1 ? 20 : 1;
    const call = async (analyzer) => {
      const started = performance.now();
      for (let r = 0; r < repeats; r++) await fn(analyzer);
      return (performance.now() - started) / repeats;
    };
    // Warm-up: at least 20 calls each and half a second, so that the engine's optimising compile of both builds'
    // hot code (in the background, a while after the first calls) is done before the timing starts.
    const warm = performance.now() + 500;
    for (let calls = 0; calls < 20 || performance.now() < warm; calls++) for (const analyzer of [first, second]) await call(analyzer);
    const [a, b, ratios] = [[], [], []];
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      const bFirst = a.length % 2 === 1;
      const y = bFirst ? await call(second) : undefined;
      const x = await call(first);
      const z = bFirst ? y : await call(second);
      a.push(x);
      b.push(z);
      ratios.push(z / x);
    }
    ratios.sort((p, q) => p - q);
    const row = { name, aMin: Math.min(...a), bMin: Math.min(...b), median: ratios[ratios.length >> 1], pairs: a.length };
    onRow(row);
    rows.push(row);
  }
  return rows;
}

// How many tokens each analyzer's tokenizer makes of the first 1, 16 and 64 texts (they differ between models).
export async function tokenCounts(analyzers, items) {
  const texts = items.map((item) => item.text);
  const count = async (analyzer, n) => (await analyzer.analyzeBatch(texts.slice(0, n))).reduce((sum, r) => sum + r.tokens.length, 0);
  const lines = [];
  for (const n of [1, 16, 64]) lines.push(`tokens in ${n} text(s): A ${await count(analyzers[0], n)}, B ${await count(analyzers[1], n)}`);
  return lines.join("\n");
}

// One row of the printed table.
export function formatRow({ name, aMin, bMin, median, pairs }) {
  return `${name.padEnd(8)}${aMin.toFixed(3).padStart(11)}${bMin.toFixed(3).padStart(11)}${median.toFixed(3).padStart(15)}  ${pairs}`;
}

export const HEADER = `${"".padEnd(8)}${"A min ms".padStart(11)}${"B min ms".padStart(11)}${"B ÷ A median".padStart(15)}  pairs`;
