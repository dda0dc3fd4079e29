// "Teach it your posts": the user's labels and adapters. The labels (a label per text, from the buttons on the
// posts or a CSV) and the adapters applied (each one's two files and its report) are kept in this browser's
// IndexedDB, per model, and never leave the page; the fit and the switch of heads run in the worker
// (teach-worker.js). The many-texts view shows the panel and a label picker on each post; the one-text view
// says when an adapter is in use and can switch it off.

import { del, get, set } from "./vendor/idb-keyval.js";
import Papa from "./vendor/papaparse.js";
import { download } from "./many.js";
import { span, tone } from "./tokens.js";

const $ = (id) => document.getElementById(id);
const SUGGESTIONS = 20;
// Undo goes back through this many applied adapters.
const KEPT_ADAPTERS = 10;
const percent = (x) => `${(100 * x).toFixed(1)}%`;

export function startTeach(page) {
  const teach = new Teach(page);
  page.on("ready", () => teach.ready());
  for (const type of ["teach-adapted", "teach-using"]) page.on(type, (data) => teach.answered(data));
  return teach;
}

class Teach {
  constructor(page) {
    this.page = page;
    this.labels = new Map(); // text -> label, in the order labelled
    this.adapters = []; // applied, the last one on top: { json, weights, report, fitted (ISO date) }
    this.active = false; // whether the top adapter is in use
    this.pending = null; // the last fit's adapter, until applied
    this.replies = new Map(); // message id -> resolve
    this.nextId = 0;
    this.pickers = new Set(); // the label pickers drawn, to show a label given elsewhere
    this.listen();
  }

  // The model is loaded: its labels and adapters from IndexedDB, and the adapter in use when the page was left.
  async ready() {
    const model = this.page.model.model;
    this.keys = { labels: `labels/${model}`, adapters: `adapters/${model}` };
    try {
      this.labels = new Map(await get(this.keys.labels) ?? []);
      const stored = await get(this.keys.adapters);
      this.adapters = stored?.adapters ?? [];
      this.active = Boolean(stored?.active) && this.adapters.length > 0;
    } catch (error) {
      this.problem(`Your labels could not be read from this browser's storage (${error.message}): new labels ` +
        "will not be kept after a reload.");
    }
    if (this.active) {
      try {
        await this.use(this.top());
      } catch (error) {
        this.active = false;
        this.problem(`The adapter in use before could not be applied: ${error.message}`);
      }
    }
    this.render();
  }

  listen() {
    $("teach-suggest").addEventListener("click", () => {
      const labelled = [...this.labels.keys()];
      this.page.worker.postMessage({ type: "many-suggest", id: this.nextId++, labelled, count: SUGGESTIONS });
    });
    $("teach-adapt").addEventListener("click", () => this.adapt());
    $("teach-apply").addEventListener("click", () => this.act(async () => {
      await this.use(this.pending);
      this.adapters = [...this.adapters, this.pending].slice(-KEPT_ADAPTERS);
      this.active = true;
      this.pending = null;
      await this.save();
    }));
    $("teach-undo").addEventListener("click", () => this.act(async () => {
      const before = this.adapters.at(-2) ?? null; // Undo acts only while the top adapter is in use
      await this.use(before);
      this.adapters = this.adapters.slice(0, -1);
      this.active = before !== null;
      await this.save();
    }));
    $("adapter-on").addEventListener("change", () => {
      const on = $("adapter-on").checked; // before `act` draws the head in use, which is still the other
      this.act(async () => {
        await this.use(on ? this.top() : null);
        this.active = on;
        await this.save();
      });
    });
    $("teach-labels-export").addEventListener("click", () => {
      const rows = [["text", "label"], ...this.labels];
      download(new Blob([Papa.unparse(rows, { newline: "\r\n" }) + "\r\n"], { type: "text/csv" }), "sentir-labels.csv");
    });
    $("teach-labels-import").addEventListener("change", async (event) => {
      const file = event.target.files[0];
      event.target.value = "";
      if (file) await this.act(() => this.importLabels(file));
    });
    $("teach-labels-clear").addEventListener("click", () => this.act(async () => {
      if (!confirm(`Forget your ${this.labels.size} labels? Export them first to keep them.`)) return;
      this.labels.clear();
      await del(this.keys.labels);
      this.refreshPickers();
    }));
    $("teach-adapter-export").addEventListener("click", () => {
      const adapter = this.top();
      download(new Blob([adapter.json], { type: "application/json" }), "adapter.json");
      download(new Blob([adapter.weights], { type: "application/octet-stream" }), "adapter.safetensors");
    });
    $("teach-adapter-import").addEventListener("change", async (event) => {
      const files = [...event.target.files];
      event.target.value = "";
      if (files.length > 0) await this.act(() => this.importAdapter(files));
    });
  }

  // Runs `action` (a user's click) with the buttons held, and shows what it threw.
  async act(action) {
    this.problem("");
    this.busy = true;
    this.render();
    try {
      await action();
    } catch (error) {
      this.problem(error.message);
    } finally {
      this.busy = false;
      this.render();
    }
  }

  // Sends `message` to the worker and resolves to its answer.
  ask(message) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.page.worker.postMessage({ ...message, id });
    });
  }

  answered(data) {
    this.replies.get(data.id)?.(data);
    this.replies.delete(data.id);
  }

  top() {
    return this.adapters.at(-1) ?? null;
  }

  // Makes `adapter` (or the model's own head, for null) the head every text goes through.
  async use(adapter) {
    const files = adapter === null ? null : { json: adapter.json, weights: adapter.weights };
    const answer = await this.ask({ type: "teach-use", adapter: files });
    if (answer.error) throw new Error(answer.error);
  }

  save() {
    return set(this.keys.adapters, { adapters: this.adapters, active: this.active });
  }

  saveLabels() {
    return set(this.keys.labels, [...this.labels]);
  }

  async adapt() {
    this.pending = null;
    $("teach-report").replaceChildren(span("hint", `Fitting a head on your ${this.labels.size} labelled posts…`));
    await this.act(async () => {
      const answer = await this.ask({ type: "teach-adapt", texts: [...this.labels.keys()],
        labels: [...this.labels.values()] });
      if (answer.error) {
        $("teach-report").replaceChildren();
        throw new Error(answer.error);
      }
      this.showReport(answer.report);
      if (answer.adapter) this.pending = { ...answer.adapter, report: answer.report, fitted: new Date().toISOString() };
    });
  }

  showReport(report) {
    const table = document.createElement("table");
    table.className = "teach-report";
    const row = (cells, header = false) => {
      const tr = document.createElement("tr");
      cells.forEach((value, k) => tr.append(Object.assign(document.createElement(header || k === 0 ? "th" : "td"),
        { textContent: value, scope: header ? "col" : k === 0 ? "row" : "" })));
      return tr;
    };
    const interval = ([low, high]) => `${percent(low)} to ${percent(high)}`;
    const head = document.createElement("thead");
    head.append(row(["", "accuracy", "95% interval", "macro-F1"], true));
    const body = document.createElement("tbody");
    for (const [name, score] of [["the model's own head", report.current], ["adapted to your labels", report.adapted]]) {
      body.append(row([name, percent(score.accuracy), interval(score.accuracy_interval), score.macro_f1.toFixed(3)]));
    }
    table.append(head, body);
    const verdict = Object.assign(document.createElement("p"), {
      id: "teach-verdict", className: report.kept ? "kept" : "not-kept",
      textContent: `${report.verdict[0].toUpperCase()}${report.verdict.slice(1)}.`,
    });
    const { empty, duplicate, failed } = report.skipped;
    const skipped = [empty && `${empty} empty`, duplicate && `${duplicate} repeated`, failed && `${failed} failed`]
      .filter(Boolean);
    const posts = report.counts.reduce((sum, { posts }) => sum + posts, 0);
    const how = span("hint", `Cross-validated on your ${posts} labelled posts (${report.folds} folds: each post is ` +
      `read by a head fitted without it)` + (skipped.length ? `; left out: ${skipped.join(", ")}.` : "."));
    $("teach-report").replaceChildren(table, verdict, how);
  }

  async importLabels(file) {
    const { data, meta } = Papa.parse(await file.text(), { header: true, skipEmptyLines: "greedy" });
    if (!meta.fields?.includes("text") || !meta.fields.includes("label")) {
      throw new Error(`${file.name} has no "text" and "label" columns: a CSV or TSV like the one "export labels" ` +
        "writes");
    }
    const known = new Set(this.page.model.labels);
    let skipped = 0;
    for (const { text, label } of data) {
      if (typeof text !== "string" || text.trim() === "" || !known.has(label)) {
        skipped++;
        continue;
      }
      this.labels.delete(text);
      this.labels.set(text, label);
    }
    await this.saveLabels();
    this.refreshPickers();
    this.problem(skipped === 0 ? "" : `${skipped} rows of ${file.name} were left out: no text, or a label that is ` +
      `not one of ${[...known].join(", ")}.`);
  }

  async importAdapter(files) {
    const json = files.find((file) => file.name.endsWith(".json"));
    const weights = files.find((file) => file.name.endsWith(".safetensors"));
    if (!json || !weights) {
      throw new Error("Pick both of an adapter's files: adapter.json and adapter.safetensors.");
    }
    const adapter = { json: new Uint8Array(await json.arrayBuffer()), weights: new Uint8Array(await weights.arrayBuffer()) };
    let report;
    try {
      ({ report } = JSON.parse(new TextDecoder().decode(adapter.json)));
    } catch (error) {
      throw new Error(`${json.name} is not an adapter's JSON: ${error.message}`);
    }
    await this.use(adapter);
    this.adapters = [...this.adapters, { ...adapter, report, fitted: null }].slice(-KEPT_ADAPTERS);
    this.active = true;
    await this.save();
  }

  // The buttons that label the post `text`: one per label, pressed for the label it has; pressing it again takes
  // the label off.
  picker(text) {
    const group = span("label-picker");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Your label for this post");
    const { model } = this.page;
    for (const label of model.labels) {
      const button = Object.assign(document.createElement("button"), {
        type: "button", className: `pick ${tone(model, label)}`, textContent: label.slice(0, 3),
        title: `Label this post ${label}`,
      });
      button.dataset.label = label;
      button.setAttribute("aria-label", label);
      group.append(button);
    }
    group.text = text;
    this.pickers.add(group);
    this.showLabel(group);
    group.addEventListener("click", async (event) => {
      event.stopPropagation(); // not the row's click, which opens the post
      const label = event.target.closest("[data-label]")?.dataset.label;
      if (label === undefined) return;
      if (this.labels.get(text) === label) {
        this.labels.delete(text);
      } else {
        this.labels.delete(text);
        this.labels.set(text, label);
      }
      this.refreshPickers();
      await this.act(() => this.saveLabels());
    });
    group.addEventListener("keydown", (event) => event.stopPropagation());
    return group;
  }

  showLabel(group) {
    for (const button of group.children) {
      button.setAttribute("aria-pressed", String(this.labels.get(group.text) === button.dataset.label));
    }
  }

  refreshPickers() {
    for (const group of this.pickers) {
      if (group.isConnected) this.showLabel(group);
      else this.pickers.delete(group);
    }
    this.render();
  }

  problem(message) {
    $("teach-problem").textContent = message.charAt(0).toUpperCase() + message.slice(1);
    $("teach-problem").hidden = message === "";
  }

  // The counts, the head in use, and which buttons can act.
  render() {
    const { model } = this.page;
    if (model === null) return;
    const counts = model.labels.map((label) => `${label} ${[...this.labels.values()].filter((l) => l === label).length}`);
    $("teach-counts").textContent = `Your labels: ${counts.join(" · ")}.`;
    const reading = $("view-many").dataset.state === "running";
    const adapter = this.active ? this.top() : null;
    const what = adapter === null ? "the model's own head" : describe(adapter);
    $("teach-state").textContent = `In use: ${what}.`;
    $("adapter-state").hidden = this.adapters.length === 0;
    $("adapter-on").checked = this.active;
    $("adapter-on-text").textContent = this.top() === null ? "" : `Use the head adapted to your posts (${describe(this.top())})`;
    $("teach-adapt").disabled = this.busy || reading || this.labels.size === 0;
    $("teach-apply").disabled = this.busy || reading || this.pending === null;
    $("teach-undo").disabled = this.busy || reading || !this.active;
    $("adapter-on").disabled = this.busy || reading;
    $("teach-adapter-export").disabled = this.top() === null;
    $("teach-labels-export").disabled = this.labels.size === 0;
    $("teach-labels-clear").disabled = this.busy || this.labels.size === 0;
  }
}

// An adapter in a few words: what it was fitted on and what cross-validation measured.
function describe({ report, fitted }) {
  const posts = report.counts.reduce((sum, { posts }) => sum + posts, 0);
  const when = fitted ? ` on ${fitted.slice(0, 10)}` : "";
  return `an adapter fitted${when} on ${posts} labelled posts, accuracy ${percent(report.current.accuracy)} → ` +
    `${percent(report.adapted.accuracy)}`;
}
