// The many-texts view's half in the inference worker: reads a file of posts as a stream, analyses them in batches
// into a `Collection` (crate/src/collection), keeps per post only its record and its brief (label, probabilities,
// score, strongest words), and answers the page's questions: the progress and aggregates, a window of the table
// of posts sorted and filtered, one post analysed in full, and exports.
//
// Messages in:  { type: "many-start", source: File | string, format: "csv" | "tsv" | "jsonl" | "text",
//                 columns: { text, group, time } }        a new job (the previous one's posts are dropped)
//               { type: "many-cancel" }
//               { type: "many-rows", id, offset, count, sort: { key: "row" | "score" | "label", descending },
//                 filter: { label, min, max, word, suggested } }     (suggested: only the posts many-suggest chose)
//               { type: "many-post", id, index }
//               { type: "many-export", id, format: "csv" | "jsonl" | "json" }
//               { type: "many-suggest", id, labelled (texts already labelled), count }
// Messages out: { type: "many-progress", state: "running" | "done" | "cancelled" | "failed", posts, bad,
//                 expected (posts in the whole source, estimated while running), wasmHeap (bytes), seconds,
//                 summary, message }
//               (bad: records with no text, not counted in summary.failed; summary only every SUMMARY_EVERY_MS)
//               { type: "many-rows", id, total (rows that pass the filter), posts, rows: [{ index, row, text, label, score, probabilities, words,
//                 error }] }
//               { type: "many-post", id, index, text, result }    or { ..., error }
//               { type: "many-export", id, blob, name }
//               { type: "many-suggested", id, count }
// `reanalyseMany` analyses the posts again when the analyzer changes (an adapter applied or taken off): the page
// then hears "many-progress" from the start, state "running", as for a new job.
import Papa from "./vendor/papaparse.js";

// How often the page gets the aggregates while a job runs: often enough to watch, rarely enough to cost little.
const SUMMARY_EVERY_MS = 250;
const BAD_RECORD = "not analysed";

// The job whose posts the page shows; null before the first.
let job = null;

// Handles one of the messages above (`data`) with the loaded `analyzer`; `memory` is its wasm build's memory.
export function handleMany({ analyzer, memory }, data) {
  switch (data.type) {
    case "many-start":
      job?.cancel();
      job = new Job(analyzer, memory, data);
      job.run();
      break;
    case "many-cancel":
      if (!job?.again) job?.cancel(); // the posts are in memory only: a cancelled second pass would drop some
      break;
    case "many-rows":
      postMessage({ type: "many-rows", id: data.id, ...(job?.rows(data) ?? { total: 0, posts: 0, rows: [] }) });
      break;
    case "many-post":
      job?.post(analyzer, data);
      break;
    case "many-export":
      if (job) postMessage({ type: "many-export", id: data.id, ...job.export(data.format) });
      break;
    case "many-suggest":
      postMessage({ type: "many-suggested", id: data.id, count: job?.suggest(new Set(data.labelled), data.count) ?? 0 });
      break;
    default:
      console.warn(`worker.js: unknown message type ${JSON.stringify(data.type)}`);
  }
}

// Analyses the posts of the job the page shows again with `analyzer`, once the job has read its source (a job still
// reading stops where it is: the page offers no adapter while one reads). Returns whether there is a job.
export function reanalyseMany(analyzer) {
  if (job === null) return false;
  const again = job;
  again.cancel();
  again.running = again.running.then(() => job === again && again.track(() => again.reanalyse(analyzer)));
  return true;
}

class Job {
  constructor(analyzer, memory, { source, format, columns }) {
    this.memory = memory;
    this.labels = analyzer.labels;
    this.format = format;
    this.columns = columns;
    this.source = source;
    this.empty(analyzer);
    this.fields = null; // a CSV's columns, for the export
    this.batchSize = analyzer.backend === "gpu" ? 512 : 128;
    // For the time left: bytes and characters read, and the records parsed from how many characters.
    this.bytes = 0;
    this.chars = 0;
    this.parsed = { records: 0, chars: 0 };
    this.totalBytes = typeof source === "string" ? new Blob([source]).size : source.size;
    this.state = "running";
    this.cancelled = false;
    this.again = false; // analysing the posts again (reanalyse)
    this.known = null; // how many posts the source holds, once known
    this.suggested = []; // the posts to label that suggest chose, by index
  }

  // No posts yet, and a new collection of `analyzer`'s for them: a job's start, and a second pass's.
  empty(analyzer) {
    this.collection = analyzer.collection();
    // Per post, in input order: its row (line or record number), its record (the CSV row's fields by column,
    // the JSON object, or the line), its text, and its brief or { error }.
    this.records = [];
    this.rowNumbers = [];
    this.texts = [];
    this.briefs = [];
    this.bad = 0; // records with no text to analyse
    this.view = { key: null, posts: 0, order: null }; // the table's order, computed for `posts` posts
  }

  cancel() {
    this.cancelled = true;
  }

  run() {
    this.running = this.track(async () => {
      const chunks = textChunks(this.source, (bytes, chars) => {
        this.bytes += bytes;
        this.chars += chars;
      });
      if (this.format === "csv" || this.format === "tsv") {
        await this.readTable(chunks);
      } else {
        await this.readLines(chunks);
      }
    });
  }

  // Runs `work` (a pass over the posts) and reports how it ended.
  async track(work) {
    this.started = performance.now();
    this.lastSummary = 0;
    this.state = "running";
    this.cancelled = false;
    try {
      await work();
      this.state = this.cancelled ? "cancelled" : "done";
      this.progress(true);
    } catch (error) {
      this.state = "failed";
      this.progress(true, error.message);
    }
  }

  // The posts read so far, analysed again into a new collection of `analyzer`'s: same rows, same order (so the
  // suggested posts stay the same posts).
  async reanalyse(analyzer) {
    const records = this.records.map((record, k) => ({ row: this.rowNumbers[k], record }));
    this.empty(analyzer);
    this.known = records.length;
    this.again = true;
    try {
      await this.add(records);
    } finally {
      this.again = false;
    }
  }

  // CSV or TSV through Papa Parse, fed the decoded text as a stream (its own File reader would cut UTF-8
  // characters at its chunks' edges) a chunk at a time: the next is read once the records of the last have been
  // analysed, so that only one chunk of the file is held at once.
  readTable(chunks) {
    return new Promise((resolve, reject) => {
      let rows = 0;
      const stream = nodeStream(chunks);
      Papa.parse(stream, {
        header: true,
        delimiter: this.format === "tsv" ? "\t" : ",",
        skipEmptyLines: "greedy",
        chunk: (results, parser) => {
          parser.pause();
          this.fields ??= results.meta.fields;
          this.parsed = { records: rows + results.data.length, chars: results.meta.cursor };
          const records = results.data.map((record) => ({ row: ++rows, record }));
          this.add(records).then(() => {
            if (this.cancelled) {
              parser.abort();
              resolve();
            } else {
              parser.resume();
              stream.more();
            }
          }, (error) => {
            parser.abort();
            reject(error);
          });
        },
        complete: resolve,
        error: reject,
      });
    });
  }

  // JSON lines or plain text, a record per non-empty line.
  async readLines(chunks) {
    let rest = "";
    let line = 0;
    const json = this.format === "jsonl";
    const parse = (text) => {
      if (!json) return text;
      try {
        return JSON.parse(text);
      } catch (error) {
        return { [BAD_RECORD]: `not JSON: ${error.message}` };
      }
    };
    const records = [];
    const take = (lines) => {
      for (const text of lines) {
        line++;
        if (text.trim() !== "") {
          records.push({ row: line, record: parse(text.replace(/\r$/, "")) });
          this.parsed.records++;
        }
      }
    };
    for await (const chunk of chunks) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop();
      take(lines);
      this.parsed.chars = this.chars - rest.length;
      if (records.length >= this.batchSize) await this.add(records.splice(0));
      if (this.cancelled) return;
    }
    take([rest]);
    await this.add(records);
  }

  // Analyses `records` ([{ row, record }]) batch by batch into the collection, and keeps each post.
  async add(records) {
    const { text, group, time } = this.columns;
    const json = this.format === "jsonl";
    const field = (record, name) => {
      const value = typeof record === "string" ? (name === text ? record : undefined) : record?.[name];
      return value === undefined || value === null ? undefined : json && typeof value !== "string" ? String(value) : value;
    };
    for (let at = 0; at < records.length && !this.cancelled; at += this.batchSize) {
      // A post without a group (a JSON null, a missing field) gets an empty one, which the collection counts in
      // the whole only, as the CLI does; one without a time, an empty one, which it counts as undated.
      const batch = { texts: [], groups: [], times: [], keep: [] };
      for (const { row, record } of records.slice(at, at + this.batchSize)) {
        const value = typeof record === "string" ? record : record?.[text];
        const index = this.records.length;
        this.records.push(record);
        this.rowNumbers.push(row);
        if (typeof value !== "string") {
          this.texts.push("");
          this.briefs.push({ error: whyNoText(record, text) });
          this.bad++;
          continue;
        }
        this.texts.push(value);
        this.briefs.push(null);
        batch.keep.push(index);
        batch.texts.push(value);
        batch.groups.push(field(record, group) ?? "");
        batch.times.push(field(record, time) ?? "");
      }
      if (batch.texts.length > 0) {
        const briefs = await this.collection.add(batch.texts, group ? batch.groups : null, time ? batch.times : null);
        briefs.forEach((brief, k) => {
          this.briefs[batch.keep[k]] = brief;
        });
      }
      this.progress(false);
      // Let the page's messages in (a cancel, a table window) between batches: the analysis resolves on the
      // microtask queue, which messages never reach.
      await nextTask();
    }
  }

  progress(final, message) {
    const now = performance.now();
    const withSummary = final || now - this.lastSummary >= SUMMARY_EVERY_MS;
    if (withSummary) this.lastSummary = now;
    postMessage({
      type: "many-progress", state: this.state, posts: this.records.length,
      bad: this.bad, expected: this.expected(), wasmHeap: this.memory.buffer.byteLength,
      seconds: (now - this.started) / 1e3, summary: withSummary ? this.collection.summary() : undefined, message,
    });
  }

  // How many posts the whole source holds, judged from the records parsed so far and the share of the source
  // they came from.
  expected() {
    const posts = this.records.length;
    if (this.known !== null) return this.known;
    if (this.state !== "running" || this.parsed.chars === 0) return posts;
    const bytesParsed = this.parsed.chars * (this.bytes / this.chars);
    return Math.max(posts, Math.round(this.parsed.records * this.totalBytes / bytesParsed));
  }

  // The posts in the order and under the filter asked, computed again only when those or the posts change.
  order({ sort, filter }) {
    const key = JSON.stringify([sort, filter]);
    const posts = this.records.length;
    const natural = sort.key === "row" && !sort.descending;
    const unfiltered = !filter.label && filter.min === null && filter.max === null && !filter.word && !filter.suggested;
    if (natural && unfiltered) return null;
    if (this.view.key === key && this.view.posts === posts) return this.view.order;
    const word = filter.word ? wordPattern(filter.word) : null;
    const kept = [];
    for (const k of filter.suggested ? this.suggested.filter((k) => k < posts) : this.records.keys()) {
      const brief = this.briefs[k];
      if (filter.label === "error" ? !brief?.error : filter.label && brief?.label !== filter.label) continue;
      if (filter.min !== null && !(brief?.score >= filter.min)) continue;
      if (filter.max !== null && !(brief?.score <= filter.max)) continue;
      if (word && !word.test(this.texts[k])) continue;
      kept.push(k);
    }
    const labelRank = (k) => (this.briefs[k]?.label ? this.labels.indexOf(this.briefs[k].label) : this.labels.length);
    const by = {
      row: (a, b) => a - b,
      score: (a, b) => (this.briefs[a]?.score ?? -2) - (this.briefs[b]?.score ?? -2) || a - b,
      label: (a, b) => labelRank(a) - labelRank(b) || a - b,
    }[sort.key];
    kept.sort(sort.descending ? (a, b) => by(b, a) : by);
    this.view = { key, posts, order: kept };
    return kept;
  }

  rows({ offset, count, sort, filter }) {
    const order = this.order({ sort, filter });
    const total = order ? order.length : this.records.length;
    const rows = [];
    for (let k = offset; k < Math.min(total, offset + count); k++) {
      const index = order ? order[k] : k;
      rows.push({ index, row: this.rowNumbers[index], text: this.texts[index] || describe(this.records[index]),
        ...(this.briefs[index] ?? { error: "not analysed" }) });
    }
    return { total, posts: this.records.length, rows };
  }

  // Chooses up to `count` posts to label: the ones the model is least sure of (the smallest gap between its two
  // most probable labels), one from each of `count` stretches of the posts so that they spread over the whole
  // collection (and its time span); none of the texts in the Set `labelled`, no text twice. Returns how many.
  suggest(labelled, count) {
    const posts = this.records.length;
    const seen = new Set(labelled);
    this.suggested = [];
    for (let part = 0; part < count; part++) {
      let best = -1;
      let bestGap = Infinity;
      for (let k = Math.floor(part * posts / count); k < Math.floor((part + 1) * posts / count); k++) {
        const brief = this.briefs[k];
        if (!brief || brief.error || seen.has(this.texts[k])) continue;
        const [first, second] = Object.values(brief.probabilities).sort((a, b) => b - a);
        if (first - second < bestGap) {
          best = k;
          bestGap = first - second;
        }
      }
      if (best >= 0) {
        this.suggested.push(best);
        seen.add(this.texts[best]);
      }
    }
    this.view.key = null;
    return this.suggested.length;
  }

  async post(analyzer, { id, index }) {
    const text = this.texts[index];
    try {
      if (typeof text !== "string" || this.briefs[index]?.error) throw new Error(this.briefs[index]?.error ?? "no such post");
      postMessage({ type: "many-post", id, index, text, result: await analyzer.analyze(text) });
    } catch (error) {
      postMessage({ type: "many-post", id, index, text, error: error.message });
    }
  }

  // The posts as CSV or JSON lines (their input columns, then label, probabilities and score, or the error), or
  // the aggregates as JSON.
  export(format) {
    const base = (typeof this.source === "string" ? "pasted" : this.source.name.replace(/\.[^.]*$/, "")) || "posts";
    if (format === "json") {
      const summary = { ...this.collection.summary(), posts: this.records.length, bad: this.bad };
      return { blob: new Blob([JSON.stringify(summary, null, 1)], { type: "application/json" }), name: `${base}.summary.json` };
    }
    const parts = [];
    const probabilityColumns = this.labels.map((label) => `p_${label}`);
    const inputColumns = this.fields ?? (this.format === "jsonl" ? null : [this.columns.text]);
    if (format === "csv") {
      const header = ["row", ...(inputColumns ?? [this.columns.text]), "label", ...probabilityColumns, "score", "error"];
      parts.push(Papa.unparse([header]) + "\r\n");
    }
    const CHUNK = 5_000;
    for (let at = 0; at < this.records.length; at += CHUNK) {
      const lines = [];
      for (let k = at; k < Math.min(this.records.length, at + CHUNK); k++) {
        const record = this.records[k];
        const brief = this.briefs[k] ?? { error: "not analysed (cancelled)" };
        if (format === "csv") {
          const input = inputColumns ? inputColumns.map((name) => (typeof record === "string" ? record : record?.[name]))
            : [this.texts[k]];
          const numbers = brief.error ? [...this.labels.map(() => ""), ""] :
            [...this.labels.map((label) => brief.probabilities[label]), brief.score];
          lines.push([this.rowNumbers[k], ...input.map(cell), brief.label ?? "", ...numbers, brief.error ?? ""]);
        } else {
          const input = typeof record === "string" ? { [this.columns.text]: record } :
            record && typeof record === "object" && !Array.isArray(record) ? record : { value: record };
          const out = brief.error ? { error: brief.error } :
            { label: brief.label, probabilities: brief.probabilities, score: brief.score };
          lines.push(JSON.stringify({ row: this.rowNumbers[k], ...input, ...out }));
        }
      }
      parts.push(format === "csv" ? Papa.unparse(lines, { newline: "\r\n" }) + "\r\n" : lines.join("\n") + "\n");
    }
    const type = format === "csv" ? "text/csv" : "application/x-ndjson";
    return { blob: new Blob(parts, { type }), name: `${base}.sentiment.${format}` };
  }
}

// Why a record has no text to analyse, for its row in the table.
function whyNoText(record, column) {
  if (record && typeof record === "object" && BAD_RECORD in record) return record[BAD_RECORD];
  if (record === null || typeof record !== "object") {
    return `not a JSON object: ${JSON.stringify(record)}`;
  }
  const value = record[column];
  if (value === undefined) return `no "${column}" field`;
  return `"${column}" is not text: ${JSON.stringify(value)}`;
}

const describe = (record) => (typeof record === "string" ? record : JSON.stringify(record));
const cell = (value) => (value === undefined || value === null ? "" : typeof value === "object" ? JSON.stringify(value) : value);

// Matches `word` as a whole word, whatever its case.
function wordPattern(word) {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, "iu");
}

// The text of `source` (a File or a string) in chunks, decoded as UTF-8 (a byte order mark dropped, a character
// split between two reads put back together); `counted(bytes, chars)` hears of each chunk read.
async function* textChunks(source, counted) {
  if (typeof source === "string") {
    counted(new Blob([source]).size, source.length);
    yield source;
    return;
  }
  const decoder = new TextDecoder();
  const reader = source.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    counted(value.length, text.length);
    yield text;
  }
  const last = decoder.decode();
  if (last) {
    counted(0, last.length);
    yield last;
  }
}

// `chunks` as the Node readable stream that Papa Parse streams from (it listens for "data", "end" and "error"),
// giving one chunk when it starts and one more at each call of `more()`.
function nodeStream(chunks) {
  const listeners = { data: [], end: [], error: [] };
  const emit = (name, value) => listeners[name].forEach((listener) => listener(value));
  const more = () => chunks.next().then(
    ({ done, value }) => (done ? emit("end") : emit("data", value)),
    (error) => emit("error", error),
  );
  return {
    readable: true,
    read() {},
    on(name, listener) {
      listeners[name].push(listener);
      if (name === "data") queueMicrotask(more);
    },
    removeListener(name, listener) {
      listeners[name] = listeners[name].filter((other) => other !== listener);
    },
    // Papa Parse pauses and resumes its parser, not the stream: `more()` is the stream's pace.
    pause() {},
    resume() {},
    more,
  };
}

// Resolves after the messages already waiting for this worker have been handled.
function nextTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    channel.port2.postMessage(null);
  });
}
