// Writes one benchmark run as peers.json, peers.md (tables, ratios against sentir first) and peers.svg (chart).
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const LENGTHS = ["8", "32", "128", "512"];
const BATCHES = ["1", "64", "256"];

const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
// 0: the peer's time was below the page's 5 µs timer.
const ratio = (x) => (x === 0 ? "—" : `${x >= 100 ? x.toFixed(0) : x.toPrecision(2)}×`);
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
const si = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));

function markdown(run) {
  const ok = run.results.filter((r) => !r.error);
  const base = ok[0]; // sentir on its default backend
  const lines = [
    `Run ${run.date.slice(0, 10)} on ${run.machine}, ${run.browser}, one thread, commit ${run.commit}: \`${run.command}\`.`,
    `Every peer ran ${run.rounds ?? 1} time(s), the peers in the opposite order each round; each number is the peer's best round.`,
    "",
    "Relative to sentir in the same run: time ratios are the peer's time over sentir's (above 1: sentir is faster);",
    "throughput ratios are sentir's tokens/s over the peer's (above 1: sentir does more per second).",
    "",
    `| peer | backend | latency ratio ${LENGTHS.map((n) => `${n} tok`).join(" | ")} | throughput ratio ${BATCHES.map((b) => `batch ${b}`).join(" | ")} | cold load ratio | download ratio |`,
    `|---|---|${"---:|".repeat(LENGTHS.length + BATCHES.length + 2)}`,
  ];
  for (const r of ok) {
    lines.push(`| ${r.name} | ${r.backend} | ${LENGTHS.map((n) => ratio(r.latency[n].p50_ms / base.latency[n].p50_ms)).join(" | ")} | ${BATCHES.map((b) => ratio(base.throughput[b].tokens_per_s / r.throughput[b].tokens_per_s)).join(" | ")} | ${ratio(r.cold_load_ms / base.cold_load_ms)} | ${ratio(r.download_gzip_bytes / base.download_gzip_bytes)} |`);
  }
  lines.push("", "Absolute numbers from the same run (latency: one text; p50 / p95 in ms. Throughput: texts of 32 tokens, tokens/s):", "",
    `| peer | ${LENGTHS.map((n) => `${n} tok`).join(" | ")} | ${BATCHES.map((b) => `batch ${b}`).join(" | ")} | cold load | download (gzip) | accuracy | same answers as sentir |`,
    `|---|${"---:|".repeat(LENGTHS.length + BATCHES.length + 2)}---|---|`);
  for (const r of ok) {
    const accuracy = r.accuracy
      ? Object.entries(r.accuracy).map(([split, a]) => `${split} ${a.accuracy.toFixed(3)}`).join(", ")
      : "same weights as sentir";
    const parity = r.parity
      ? `${r.parity.labels_agree}/${r.parity.texts} labels, max Δp ${r.parity.max_abs_diff.toExponential(1)}`
      : "—";
    lines.push(`| ${r.name} | ${LENGTHS.map((n) => `${ms(r.latency[n].p50_ms)} / ${ms(r.latency[n].p95_ms)}`).join(" | ")} | ${BATCHES.map((b) => si(r.throughput[b].tokens_per_s)).join(" | ")} | ${ms(r.cold_load_ms)} ms | ${kb(r.download_gzip_bytes)} | ${accuracy} | ${parity} |`);
  }
  const failed = run.results.filter((r) => r.error);
  if (failed.length) {
    lines.push("", "Did not run here:", "");
    for (const r of failed) lines.push(`- ${r.name}: ${r.error.split("\n")[0]}`);
  }
  lines.push("", "Lexicon peers read words, not token ids; a score of 0 counts as positive. Model peers get token ids made by",
    "sentir's tokenizer and return the positive probability after every step; sentir's times include tokenizing and",
    "computing every token's score. —: a time below the page's 5 µs timer.");
  return `${lines.join("\n")}\n`;
}

// Two bar panels on log scales: throughput at batch 64 and latency for one 32-token text.
function svg(run) {
  const ok = run.results.filter((r) => !r.error);
  const panels = [
    { title: "throughput, 64 texts of 32 tokens (tokens/s, log scale; longer is better)", value: (r) => r.throughput["64"].tokens_per_s, label: si },
    { title: "latency, one 32-token text (p50 ms, log scale; shorter is better)", value: (r) => r.latency["32"].p50_ms, label: (x) => `${ms(x)} ms` },
  ];
  const row = 22;
  const left = 150;
  const width = 720;
  const barWidth = width - left - 90;
  const panelHeight = 40 + ok.length * row;
  const parts = [];
  panels.forEach((panel, p) => {
    const top = p * (panelHeight + 10);
    const values = ok.map(panel.value);
    const lo = Math.log10(Math.min(...values)) - 0.5;
    const hi = Math.log10(Math.max(...values)) + 0.1;
    parts.push(`<text x="10" y="${top + 20}" font-weight="bold">${panel.title}</text>`);
    ok.forEach((r, i) => {
      const y = top + 32 + i * row;
      const w = Math.max(2, ((Math.log10(values[i]) - lo) / (hi - lo)) * barWidth);
      const fill = r.peer === "sentir" ? "#d55e00" : "#0072b2";
      parts.push(`<text x="${left - 6}" y="${y + 14}" text-anchor="end">${r.name}</text>`,
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${row - 6}" fill="${fill}"/>`,
        `<text x="${left + w + 6}" y="${y + 14}">${panel.label(values[i])}</text>`);
    });
  });
  const height = panels.length * (panelHeight + 10) + 20;
  parts.push(`<text x="10" y="${height - 6}" font-size="11" fill="#555">${run.browser}, ${run.machine}, ${run.date.slice(0, 10)}, ${run.command}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="white"/>
${parts.join("\n")}
</svg>
`;
}

export function writeReports(run, folder) {
  writeFileSync(join(folder, "peers.json"), `${JSON.stringify(run, null, 1)}\n`);
  writeFileSync(join(folder, "peers.md"), markdown(run));
  writeFileSync(join(folder, "peers.svg"), svg(run));
  console.log(markdown(run));
}
