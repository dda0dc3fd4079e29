// The many-texts view: a file of posts (or pasted lines) in, the opinion of all of them out. The page only reads
// the file's first bytes, to find its format and columns; the worker (many-worker.js) reads it whole, as a
// stream, analyses it in batches and keeps the posts, and this view draws what it reports while it runs and asks
// it for the rows of the table that show.

import { Chart, histogram, overTime } from "./charts.js";
import Papa from "./vendor/papaparse.js";
import { paint, renderTokens, shareRows, signed, span, tokenDetails, tone } from "./tokens.js";

const $ = (id) => document.getElementById(id);
const SNIFF_BYTES = 64 * 1024;
const ROW_HEIGHT = 32; // px; style.css's .table-row has this height
const GROUPS_SHOWN = 30;
// Column names that say which column holds what, in order of preference.
const GUESSES = {
  text: ["text", "tweet", "content", "body", "message", "review", "comment", "post", "sentence", "title"],
  time: ["time", "date", "created_at", "timestamp", "datetime", "published", "published_at", "tweet_created"],
};

// How many of the first records a column's values are read from to guess that it holds times.
const TIME_SAMPLE = 20;

// The first `count` records after the header of a file's first bytes, each an array in the order of `fields`.
function firstRecords(head, format, fields, count) {
  if (format === "csv" || format === "tsv") {
    const { data } = Papa.parse(head, { preview: count + 1, delimiter: format === "tsv" ? "\t" : "," });
    return data.slice(1);
  }
  if (format !== "jsonl") return [];
  return head.split(/\r?\n/).filter((line) => line.trim() !== "").slice(0, count).flatMap((line) => {
    try {
      const record = JSON.parse(line);
      return record && typeof record === "object" ? [fields.map((f) => record[f])] : [];
    } catch {
      return []; // the last line of the first bytes may be cut short
    }
  });
}

// Whether a value reads as a time in a form the crate's collection/time.rs takes: an ISO 8601 date or date-time, or a
// Unix time of 10 digits (seconds) or 13 (milliseconds), between 2001 and 2100 so that an id is no time.
function looksLikeTime(value) {
  if (/^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}.*)?$/.test(value)) return true;
  if (!/^\d{10}$|^\d{13}$/.test(value)) return false;
  const seconds = Number(value.length === 13 ? value.slice(0, 10) : value);
  return seconds >= 978_307_200 && seconds < 4_102_444_800;
}

// `teach` (teach.js) draws the label buttons on each post and the panel's buttons follow the view's state.
export function startMany(page, teach) {
  const view = new ManyView(page, teach);
  page.on("ready", () => view.ready());
  page.on("many-suggested", (data) => view.showSuggested(data));
  page.on("teach-using", (data) => data.reanalysing && view.again());
  page.on("many-progress", (data) => view.progress(data));
  page.on("many-rows", (data) => view.showRows(data));
  page.on("many-post", (data) => view.showPost(data));
  page.on("many-export", (data) => download(data.blob, data.name));
}

class ManyView {
  constructor(page, teach) {
    this.page = page;
    this.teach = teach;
    this.source = null; // the File, or the pasted text
    this.fields = [];
    this.query = { sort: { key: "row", descending: false },
      filter: { label: "", min: null, max: null, word: "", suggested: false } };
    this.nextId = 0;
    this.rowsAsked = -1;
    this.total = 0;
    this.histogram = new Chart($("many-histogram"), histogram);
    this.overTime = new Chart($("many-over-time"), overTime);
    this.listen();
  }

  ready() {
    for (const label of this.page.model.labels) $("many-filter-label").append(new Option(label, label));
    $("many-filter-label").append(new Option("could not be analysed", "error"));
  }

  listen() {
    const root = $("view-many");
    $("many-file").addEventListener("change", () => $("many-file").files[0] && this.open($("many-file").files[0]));
    root.addEventListener("dragover", (event) => {
      event.preventDefault();
      root.classList.add("dropping");
    });
    root.addEventListener("dragleave", () => root.classList.remove("dropping"));
    root.addEventListener("drop", (event) => {
      event.preventDefault();
      root.classList.remove("dropping");
      const file = event.dataTransfer.files[0];
      if (file) this.open(file);
    });
    $("many-paste-go").addEventListener("click", () => {
      const text = $("many-paste").value;
      if (text.trim() === "") return this.problem("Paste some posts first, one per line.");
      this.source = text;
      this.start("text", { text: "text", group: "", time: "" });
    });
    $("many-format").addEventListener("change", () => this.sniff($("many-format").value));
    $("many-setup").addEventListener("submit", (event) => {
      event.preventDefault();
      this.start($("many-format").value, { text: $("many-column-text").value, group: $("many-column-group").value,
        time: $("many-column-time").value });
    });
    $("many-cancel").addEventListener("click", () => this.page.worker.postMessage({ type: "many-cancel" }));

    // The table: sorting by a header, filtering, scrolling (only the rows in sight are asked for and drawn).
    for (const header of document.querySelectorAll("#many-table [data-sort]")) {
      header.addEventListener("click", () => {
        const { sort } = this.query;
        sort.descending = sort.key === header.dataset.sort ? !sort.descending : header.dataset.sort !== "row";
        sort.key = header.dataset.sort;
        this.refilter();
      });
    }
    const number = (input) => (input.value === "" || Number.isNaN(input.valueAsNumber) ? null : input.valueAsNumber);
    const filter = () => {
      Object.assign(this.query.filter, { label: $("many-filter-label").value, min: number($("many-filter-min")),
        max: number($("many-filter-max")), word: $("many-filter-word").value.trim(),
        suggested: $("many-filter-suggested").checked });
      this.refilter();
    };
    this.filter = filter;
    for (const id of ["many-filter-label", "many-filter-min", "many-filter-max", "many-filter-word", "many-filter-suggested"]) {
      $(id).addEventListener("input", filter);
    }
    $("many-filter-clear").addEventListener("click", () => {
      for (const id of ["many-filter-label", "many-filter-min", "many-filter-max", "many-filter-word"]) $(id).value = "";
      $("many-filter-suggested").checked = false;
      filter();
    });
    $("many-viewport").addEventListener("scroll", () => this.askRows());
    new ResizeObserver(() => this.askRows()).observe($("many-viewport"));
    $("many-rows").addEventListener("click", (event) => {
      const row = event.target.closest("[data-index]");
      if (row) this.page.worker.postMessage({ type: "many-post", id: this.nextId++, index: Number(row.dataset.index) });
    });
    $("many-rows").addEventListener("keydown", (event) => {
      const row = event.target.closest("[data-index]");
      if (row && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        row.click();
      }
    });
    for (const list of [$("many-words-neg"), $("many-words-pos")]) {
      list.addEventListener("click", (event) => {
        const word = event.target.closest("[data-word]")?.dataset.word;
        if (word === undefined) return;
        $("many-filter-word").value = word;
        filter();
        $("many-posts-title").scrollIntoView({ behavior: "smooth" });
      });
    }
    for (const button of document.querySelectorAll("[data-export]")) {
      button.addEventListener("click", () => {
        this.page.worker.postMessage({ type: "many-export", id: this.nextId++, format: button.dataset.export });
      });
    }
    tokenDetails($("many-post-tokens"), $("many-post-detail"));
  }

  problem(message) {
    $("many-problem").textContent = message;
    $("many-problem").hidden = message === "";
  }

  // A file was picked or dropped: find its format and columns from its first bytes.
  async open(file) {
    this.problem("");
    this.source = file;
    const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
    const text = textOf(head, file.size > SNIFF_BYTES);
    if (text === null) {
      $("many-setup").hidden = true;
      return this.problem(`${file.name} is not a text file (it holds bytes that are not UTF-8 text): pick a CSV, ` +
        "TSV, JSON lines or plain text file.");
    }
    this.head = text;
    $("many-file-info").textContent = `${file.name}: ${(file.size / 1e6).toFixed(1)} MB`;
    const format = formatOf(file.name, text);
    $("many-format").value = format;
    this.sniff(format);
    $("many-setup").hidden = false;
  }

  // The columns of the file's first bytes read as `format`, in the column pickers, with guesses picked.
  sniff(format) {
    const lines = this.head.split(/\r?\n/).filter((line) => line.trim() !== "");
    let fields = [];
    if (format === "csv" || format === "tsv") {
      fields = Papa.parse(this.head, { preview: 1, delimiter: format === "tsv" ? "\t" : "," }).data[0] ?? [];
    } else if (format === "jsonl") {
      try {
        const first = JSON.parse(lines[0] ?? "");
        fields = first && typeof first === "object" && !Array.isArray(first) ? Object.keys(first) : [];
      } catch {
        fields = [];
      }
      if (fields.length === 0) this.problem("The first line is not a JSON object: is this file JSON lines?");
    }
    this.fields = fields;
    for (const label of document.querySelectorAll("#many-setup .column")) label.hidden = format === "text";
    // By name first; else, for the time, the first column whose first values all read as times.
    const fill = (select, optional, guesses, byValues = () => undefined) => {
      select.replaceChildren(...(optional ? [new Option("(none)", "")] : []), ...fields.map((f) => new Option(f, f)));
      const lower = fields.map((f) => f.trim().toLowerCase());
      const guess = guesses.map((g) => lower.indexOf(g)).find((k) => k >= 0) ?? byValues();
      if (guess !== undefined) select.value = fields[guess];
    };
    const rows = firstRecords(this.head, format, fields, TIME_SAMPLE);
    const timeByValues = () => {
      const k = fields.findIndex((_, k) => {
        const values = rows.map((row) => String(row[k] ?? "").trim()).filter((value) => value !== "");
        return values.length > 0 && values.every(looksLikeTime);
      });
      return k >= 0 ? k : undefined;
    };
    fill($("many-column-text"), false, GUESSES.text);
    fill($("many-column-time"), true, GUESSES.time, timeByValues);
    fill($("many-column-group"), true, []);
    $("many-go").disabled = format !== "text" && fields.length === 0;
  }

  start(format, columns) {
    if (this.page.model === null) return this.problem("The model is still loading: try again in a moment.");
    this.problem("");
    this.total = 0;
    this.rowsAsked = -1;
    this.format = format;
    $("many-rows").replaceChildren();
    $("many-post").hidden = true;
    $("many-results").hidden = true;
    $("many-run").hidden = false;
    $("many-cancel").disabled = false;
    $("view-many").dataset.state = "running";
    $("many-suggested-filter").hidden = true;
    $("many-filter-suggested").checked = false;
    this.query.filter.suggested = false;
    this.teach.render();
    this.page.worker.postMessage({ type: "many-start", source: this.source, format, columns });
  }

  // The posts are being analysed again, with another head: what shows of them follows as they are.
  again() {
    $("many-post").hidden = true;
    $("many-run").hidden = false;
    $("many-cancel").disabled = true;
    $("view-many").dataset.state = "running";
    this.teach.render();
  }

  // The posts suggested to label (teach.js asks for them) are what the table shows.
  showSuggested({ count }) {
    $("many-suggested-filter").hidden = count === 0;
    $("many-suggested-count").textContent = String(count);
    $("many-filter-suggested").checked = count > 0;
    this.filter();
    $("many-posts-title").scrollIntoView({ behavior: "smooth" });
  }

  progress(data) {
    const { state, posts, bad, expected, seconds, summary, message } = data;
    const fraction = expected > 0 ? posts / expected : 1;
    $("many-progress").value = state === "done" ? 1 : fraction;
    $("view-many").dataset.wasmHeap = data.wasmHeap; // for bench/many.mjs
    const rate = seconds > 0 ? posts / seconds : 0;
    const left = fraction > 0 && state === "running" ? seconds * (1 - fraction) / fraction : 0;
    const parts = [`${posts.toLocaleString("en")} posts`, `${Math.round(rate).toLocaleString("en")} posts/s`];
    if (state === "running") parts.push(left > 0.5 ? `about ${duration(left)} left` : "finishing");
    if (state === "done") parts.push(`done in ${duration(seconds)}`);
    if (state === "cancelled") parts.push("cancelled: what was read so far is below");
    if (state === "failed") parts.push(`stopped: ${message}`);
    $("many-progress-text").textContent = parts.join(" · ");
    $("many-progress-text").className = state === "failed" ? "error" : "";
    if (state !== "running") {
      $("many-cancel").disabled = true;
      $("view-many").dataset.state = state;
      this.teach.render();
    }
    if (summary) this.summarise(summary, bad);
    // The table follows as often as the aggregates do (a filtered table is worked out again over every post).
    if (summary && posts !== this.total) {
      this.total = posts;
      this.askRows();
    }
  }

  summarise(summary, bad) {
    const { model } = this.page;
    $("many-results").hidden = false;
    $("many-shares").replaceChildren(...shareRows(model, summary.shares, summary.counts));
    const why = [bad > 0 && `${bad.toLocaleString("en")} without text`,
      summary.failed > 0 && `${summary.failed.toLocaleString("en")} refused by the model`].filter(Boolean);
    $("many-failed").textContent = `${summary.texts.toLocaleString("en")} posts analysed` + (why.length === 0 ? "." :
      `; ${why.join(" and ")}: pick "could not be analysed" under Label to list them.`);
    this.histogram.draw(summary);

    const dated = summary.periods.periods.length > 0;
    $("many-time-section").hidden = !dated;
    if (dated) {
      const { unit, undated, periods } = summary.periods;
      $("many-time-hint").textContent = `Share of each label per ${unit} (UTC), and posts per ${unit} (bars, right ` +
        `axis); ${periods.length} ${unit}s` + (undated > 0 ? `; ${undated.toLocaleString("en")} posts had no time` : "") + ".";
      this.overTime.draw({ summary, model });
    }

    $("many-groups-section").hidden = summary.groups.length === 0;
    $("many-groups").replaceChildren(...summary.groups.slice(0, GROUPS_SHOWN).map((group) => groupRow(model, group)));
    if (summary.groups.length > GROUPS_SHOWN) {
      const more = document.createElement("tr");
      more.append(Object.assign(document.createElement("td"), {
        colSpan: 4, className: "hint",
        textContent: `and ${summary.groups.length - GROUPS_SHOWN} more groups (in the aggregates' export)`,
      }));
      $("many-groups").append(more);
    }
    $("many-words-neg").replaceChildren(...summary.words.negative.map(wordItem));
    $("many-words-pos").replaceChildren(...summary.words.positive.map(wordItem));
  }

  refilter() {
    this.rowsAsked = -1;
    $("many-viewport").scrollTop = 0;
    for (const header of document.querySelectorAll("#many-table [data-sort]")) {
      const { key, descending } = this.query.sort;
      header.setAttribute("aria-sort", header.dataset.sort === key ? (descending ? "descending" : "ascending") : "none");
    }
    this.askRows(true);
  }

  // Asks the worker for the rows in sight (and a screenful either side), unless it was just asked for them.
  askRows(force = false) {
    const viewport = $("many-viewport");
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - 20);
    const count = Math.ceil(viewport.clientHeight / ROW_HEIGHT) + 40;
    const key = `${first}:${count}:${this.total}`;
    if (!force && key === this.rowsAsked) return;
    this.rowsAsked = key;
    this.rowsId = this.nextId++;
    this.rowsOffset = first;
    this.page.worker.postMessage({ type: "many-rows", id: this.rowsId, offset: first, count, ...this.query });
  }

  showRows({ id, total, posts, rows }) {
    if (id !== this.rowsId) return;
    const { model } = this.page;
    $("many-spacer").style.height = `${total * ROW_HEIGHT}px`;
    const { filter } = this.query;
    const filtered = filter.label || filter.min !== null || filter.max !== null || filter.word || filter.suggested;
    $("many-count").textContent = filtered ? `${total.toLocaleString("en")} of ${posts.toLocaleString("en")} posts` :
      `${posts.toLocaleString("en")} posts`;
    $("many-table").setAttribute("aria-rowcount", String(total));
    const offset = this.rowsOffset;
    $("many-rows").style.transform = `translateY(${offset * ROW_HEIGHT}px)`;
    $("many-rows").replaceChildren(...rows.map((row, k) => tableRow(model, row, offset + k, this.teach)));
  }

  showPost({ text, result, error }) {
    const { model } = this.page;
    $("many-post").hidden = false;
    if (error) {
      $("many-post-verdict").textContent = `This post could not be analysed: ${error}`;
      $("many-post-verdict").className = "error";
      $("many-post-tokens").textContent = text ?? "";
      $("many-post-label").replaceChildren();
      return;
    }
    $("many-post-verdict").textContent = `${result.label} · ${(100 * result.probabilities[result.label]).toFixed(1)}%`;
    $("many-post-verdict").className = tone(model, result.label);
    $("many-post-label").replaceChildren("Your label: ", this.teach.picker(text));
    renderTokens($("many-post-tokens"), text, result, model);
    $("many-post-detail").textContent = "Hover over a word, or focus one and use the arrow keys, to see its score.";
    $("many-post").scrollIntoView({ block: "nearest" });
  }
}

function tableRow(model, row, position, teach) {
  const element = document.createElement("div");
  element.className = "table-row";
  element.setAttribute("role", "row");
  element.setAttribute("aria-rowindex", String(position + 2));
  element.dataset.index = row.index;
  element.tabIndex = 0;
  const cell = (className, text) => {
    const c = span(`cell ${className}`, text);
    c.setAttribute("role", "cell");
    return c;
  };
  const score = cell("score", row.error ? "" : signed(row.score));
  if (!row.error) paint(score, row.score);
  const label = cell(`label ${row.error ? "error" : tone(model, row.label)}`, row.error ? "error" : row.label);
  const words = row.error ? row.error : row.words.map((w) => `${w.text} ${signed(w.score, 1)}`).join(", ");
  const text = cell("text", row.text);
  text.title = row.text;
  const yours = cell("yours");
  if (!row.error) yours.append(teach.picker(row.text));
  element.append(cell("row", String(row.row)), label, score, text, cell("words", words), yours);
  return element;
}

function groupRow(model, group) {
  const row = document.createElement("tr");
  const bar = span("shares");
  bar.setAttribute("aria-label", model.labels.map((l) => `${l} ${(100 * group.shares[l]).toFixed(0)}%`).join(", "));
  for (const label of model.labels) {
    const part = span(`share ${tone(model, label)}`);
    part.style.setProperty("--p", group.shares[label].toFixed(4));
    part.title = `${label}: ${(100 * group.shares[label]).toFixed(1)}% (${group.counts[label]})`;
    bar.append(part);
  }
  const cells = [group.group, group.texts.toLocaleString("en"), bar, signed(group.mean_score)];
  for (const value of cells) {
    const td = document.createElement("td");
    td.append(value);
    row.append(td);
  }
  return row;
}

function wordItem({ word, count, mean, total }) {
  const item = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.word = word;
  button.append(span("word-text", word), span("word-numbers",
    `${signed(total, 1)} in ${count.toLocaleString("en")} posts (mean ${signed(mean)})`));
  paint(button.firstChild, mean);
  item.append(button);
  return item;
}

// `bytes` as text, or null if they are not UTF-8 text (a NUL byte, or a sequence no UTF-8 encoder writes);
// `cut`: they are the start of a longer file, so a character cut at the end is not an error.
function textOf(bytes, cut) {
  if (bytes.includes(0)) return null;
  let end = bytes.length;
  if (cut) {
    // Back off to the start of the last character, which may continue past these bytes.
    let k = end - 1;
    while (k > 0 && end - k < 4 && (bytes[k] & 0xc0) === 0x80) k--;
    end = k;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end));
  } catch {
    return null;
  }
}

// The format of a file named `name` that starts with `text`: from its extension, else from its first line.
function formatOf(name, text) {
  const extension = name.toLowerCase().split(".").pop();
  const known = { csv: "csv", tsv: "tsv", tab: "tsv", jsonl: "jsonl", ndjson: "jsonl", json: "jsonl", txt: "text" };
  if (extension in known) return known[extension];
  const first = text.split(/\r?\n/).find((line) => line.trim() !== "") ?? "";
  if (first.trimStart().startsWith("{")) return "jsonl";
  return first.includes("\t") ? "tsv" : first.includes(",") ? "csv" : "text";
}

function duration(seconds) {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - 60 * minutes)} s`;
}

export function download(blob, name) {
  const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
