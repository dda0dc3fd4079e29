// sentir's API. The classes come from Rust through wasm-bindgen; these types say exactly what they take and
// return (tests/npm checks them with tsc, and checks the results' shape at run time).

/** The implementations of the forward pass. */
export type BackendName = "cpu-simd" | "cpu-scalar" | "gpu";

/** The two WebAssembly builds: with WebAssembly SIMD (simd128) and without. */
export type Build = "simd128" | "scalar";

/** One token of the text. Offsets are UTF-16 code units: `text.slice(start, end)` is the token. */
export interface Token {
  /** Vocabulary id. */
  id: number;
  /** The vocabulary's spelling, for example `##ful`. */
  piece: string;
  /** The text the token covers. */
  text: string;
  start: number;
  end: number;
  /**
   * How far reading this token moved the positive-versus-negative log-odds, `z_positive − z_negative` (for a
   * two-label model, the positive log-odds): above 0 towards `Analyzer.positiveLabel`, below towards
   * `Analyzer.negativeLabel`. A neutral label moves no score.
   */
  score: number;
  /** The positive probability (over all labels) once the text up to and including this token has been read. */
  probability: number;
}

/** One word: the consecutive tokens of one pre-tokenizer split. */
export interface Word {
  text: string;
  start: number;
  end: number;
  /** The sum of its tokens' scores. */
  score: number;
  /** Index of its first token in `Analysis.tokens`. */
  first_token: number;
  /** How many tokens it spans. */
  token_count: number;
}

/** The result for one text. */
export interface Analysis {
  /**
   * The most probable label, one of `Analyzer.labels`: `"negative"`, `"neutral"` or `"positive"` for the default
   * model; a two-class model has no `"neutral"`.
   */
  label: string;
  /**
   * Each label's probability for the whole text, keyed by label; they sum to 1. A three-class model (the default)
   * has `{ negative, neutral, positive }`, a two-class one `{ negative, positive }`.
   */
  probabilities: Record<string, number>;
  tokens: Token[];
  words: Word[];
  /** The backend that ran the model. */
  backend: BackendName;
  /** Set when the chosen backend failed and `backend` completed the call instead: what went wrong. */
  fallback?: string;
}

/** A model folder's three files, as bytes (or, for the two JSON files, text), and an adapter's if it holds one. */
export interface ModelFiles {
  config: Uint8Array | ArrayBuffer | string;
  weights: Uint8Array | ArrayBuffer;
  tokenizer: Uint8Array | ArrayBuffer | string;
  /** Applied as `withAdapter` applies it; node's `load` reads it from a folder that holds `adapter.json`. */
  adapter?: AdapterFiles;
}

export interface LoadOptions {
  /**
   * The model: by default the one in the package. Otherwise a model folder's base URL (its `config.json` and the
   * files it names are fetched from there), in node also a folder's path or `file:` URL, or the files themselves.
   */
  model?: string | URL | ModelFiles;
  /**
   * `"auto"` (the default: the CPU kernel, plus a hardware GPU through WebGPU for large calls where there is one),
   * `"cpu"` (the best CPU kernel of the build), or a backend by name: the names the CLI and the Python package take,
   * with the same meanings. `"gpu"` runs every call on WebGPU if an adapter opens, and otherwise loads on the CPU
   * with `backendReason` saying why.
   */
  backend?: "auto" | "cpu" | BackendName;
  /** Forces a WebAssembly build; by default the loader picks `simd128` where the engine runs WebAssembly SIMD. */
  build?: Build;
}

/** How far `analyzeMany` has got, after each batch. */
export interface Progress {
  /** Texts analysed so far. */
  done: number;
  /** How many texts there are: only when the input has a `length` (an array) or a `size` (a `Set`). */
  total?: number;
}

/** Options of `analyzeMany`. `undefined` or `null` means the default. */
export interface AnalyzeManyOptions {
  /** Called after each batch. */
  onProgress?: (progress: Progress) => void;
  /**
   * Stops the iteration: once it is aborted, nothing more is yielded and the generator throws the signal's
   * `reason` (an `AbortError` `DOMException` by default), checked before each batch and each result.
   */
  signal?: AbortSignal;
  /** Texts per `analyzeBatch` call: a whole number, 1 or more (default 256). */
  batchSize?: number;
}

/**
 * A loaded model. `free()` releases its memory; a `Session` made from it keeps it alive until freed too.
 *
 * Every method that returns a promise reports every error by rejecting it: an argument of the wrong kind (a text
 * that is not a string, for example) or an unknown option with a `TypeError` that names it and says what it must
 * be, anything else with an `Error` that says what went wrong.
 */
export interface Analyzer {
  /** Analyses one text; rejects with an `Error` that says what went wrong (too long a text, for example). */
  analyze(text: string): Promise<Analysis>;
  /** Analyses several texts in one pass of the model; one result per text, in order. */
  analyzeBatch(texts: string[]): Promise<Analysis[]>;
  /**
   * Analyses a collection of any size: an array, an iterable or an async iterable of strings (read as it goes,
   * so a generator reading a file is never held whole), `batchSize` texts at a time through `analyzeBatch`.
   * Yields each text's analysis (what `analyze` gives) in input order. A wrong argument or option rejects the
   * first `next()` with a `TypeError`; a text that is not a string ends the iteration with a `TypeError` naming
   * its index, and a text the model cannot analyse (too long, for example) with an `Error` whose message names its
   * index and says what `analyze` said (`"Analyzer.analyzeMany(texts): texts[7]: the text has …"`, that error as
   * its `cause`), in each case after the texts before it have been yielded. Stopping the loop early closes the
   * input's iterator.
   */
  analyzeMany(
    texts: Iterable<string> | AsyncIterable<string>,
    options?: AnalyzeManyOptions,
  ): AsyncGenerator<Analysis, void, undefined>;
  /**
   * A session for a text that is being edited: its `analyze` gives what `Analyzer.analyze` gives, but continues
   * from the previous call's text over the tokens both begin with.
   */
  session(): Session;
  /** An empty collection of posts, for aggregates over many texts: see `Collection`. */
  collection(): Collection;
  /**
   * Fits a new head on `texts` labelled `labels` (each one of `labels`; two labels at least, each on 5 texts or
   * more), kept only when its cross-validated accuracy clears the model's own by more than the noise. Resolves to
   * the analyzer to use (adapted when the new head is kept, else this model; `free()` it when done), the report,
   * and the adapter's files to store (`null` when the new head is not kept). Rejects with an `Error` that says
   * what to label for labels it cannot fit on.
   */
  adapt(texts: string[], labels: string[], options?: AdaptOptions): Promise<Adaptation>;
  /**
   * This model with an adapter's head, from the files `adapt` gave (a new analyzer; `free()` it when done).
   * Throws an `Error` naming both models when the adapter was fitted on another model.
   */
  withAdapter(files: AdapterFiles): Analyzer;
  /** The backend that runs the model. */
  readonly backend: BackendName;
  /** Why that backend was chosen. */
  readonly backendReason: string;
  /** The GPU adapter the analyzer holds (its description, device type and API), or `undefined` without one. */
  readonly gpuAdapter: string | undefined;
  /** The model's name, from its `config.json`. */
  readonly modelName: string;
  /** The model's labels, in the order of `probabilities`: `["negative", "positive"]`, or with a neutral one. */
  readonly labels: string[];
  /** The label a token's positive `score` pushes towards, and whose probability `Token.probability` is. */
  readonly positiveLabel: string;
  /** The label a token's negative `score` pushes towards. */
  readonly negativeLabel: string;
  free(): void;
}

/** `Analyzer.adapt`'s options. */
export interface AdaptOptions {
  /** Cross-validation folds, outer and inner: 5. */
  folds?: number;
  /** Seeds the folds and the bootstrap: 0. The same labels and seed give the same head and report. */
  seed?: number;
}

/** An adapter's two files, `adapter.json` and `adapter.safetensors`. */
export interface AdapterFiles {
  json: Uint8Array | ArrayBuffer | string;
  weights: Uint8Array | ArrayBuffer;
}

/** Accuracy and macro-F1 (over the labels given), each with its 95% bootstrap interval `[low, high]`. */
export interface AdaptScore {
  accuracy: number;
  accuracy_interval: [number, number];
  macro_f1: number;
  macro_f1_interval: [number, number];
}

/** What `Analyzer.adapt` found: what `sentir adapt` prints. */
export interface AdaptReport {
  /** Labelled posts used, per label given, in the model's label order. */
  counts: { label: string; posts: number }[];
  /** Posts left out: empty, a repeat of an earlier text, or failed to analyse. */
  skipped: { empty: number; duplicate: number; failed: number };
  folds: number;
  /** The model's own head on the labelled posts. */
  current: AdaptScore;
  /** The new head on posts it was not fitted on (nested cross-validation). */
  adapted: AdaptScore;
  /** Accuracy, adapted minus current, and its 95% interval. */
  gain: number;
  gain_interval: [number, number];
  /** The pull towards the model's own head that cross-validation chose. */
  strength: number;
  /** Whether the new head is kept: the gain's interval lies above zero. */
  kept: boolean;
  /** The decision, said plainly. */
  verdict: string;
}

/** What `Analyzer.adapt` resolves to. */
export interface Adaptation {
  analyzer: Analyzer;
  report: AdaptReport;
  adapter: { json: Uint8Array; weights: Uint8Array } | null;
}

/** See `Analyzer.session()`. */
export interface Session {
  analyze(text: string): Promise<Analysis>;
  /** How many tokens the last `analyze` took from the call before instead of running the model over them. */
  readonly reusedTokens: number;
  free(): void;
}

/** One of a post's strongest words in a `Brief`; offsets are UTF-16 code units of the post. */
export interface BriefWord {
  text: string;
  start: number;
  end: number;
  score: number;
}

/** What `Collection.add` keeps of a post: not every token, only what a table of many posts shows. */
export interface Brief {
  label: string;
  probabilities: Record<string, number>;
  /** `probabilities[positiveLabel] − probabilities[negativeLabel]`, from −1 to 1. */
  score: number;
  /** Its strongest words (at most three), largest absolute score first. */
  words: BriefWord[];
}

/** Per label: how many posts, and their share. */
export interface LabelCounts {
  texts: number;
  counts: Record<string, number>;
  shares: Record<string, number>;
  mean_score: number;
}

/** A word's moves across a collection: how often, the mean move and their sum. */
export interface WordSummary {
  /** Lower-cased. */
  word: string;
  count: number;
  mean: number;
  total: number;
}

/** A collection's aggregates, what `sentir analyze --summary` prints. */
export interface Summary extends LabelCounts {
  labels: string[];
  /** Posts that could not be analysed. */
  failed: number;
  /** Scores from `from` to `to` in 20 equal bins. */
  histogram: { from: number; to: number; counts: number[] };
  /** The top 20 words each way by total move; `dropped` when rare words left a full table (100,000 words). */
  words: { positive: WordSummary[]; negative: WordSummary[]; distinct: number; dropped: boolean };
  /** The same counts per group, most posts first (1,000 groups at most; the rest are `"(other groups)"`). */
  groups: Array<LabelCounts & { group: string }>;
  /**
   * The same counts over time, for posts added with times: per hour over up to three days, per day over up to
   * about six months, else per week (Monday to Sunday, UTC); every period from the first to the last, empty ones
   * too. `start` is `"2024-03-05T14:00Z"` for an hour, the first day (`"2024-03-04"`) otherwise; `undated` counts
   * posts whose time was not one.
   */
  periods: { unit: "hour" | "day" | "week"; undated: number; periods: Array<LabelCounts & { start: string }> };
}

/**
 * Many posts, analysed batch by batch into running aggregates (memory stays bounded however many). Free it with
 * `free()`; it keeps its analyzer's model alive until then.
 */
export interface Collection {
  /**
   * Analyses `texts` in one batch, each counted under `groups[i]` and at `times[i]` when given (one per text; a
   * time is an ISO 8601 date or date-time, or Unix seconds or milliseconds, as a string; an empty group is none,
   * an empty time undated), and resolves to
   * one result per text, in order: its `Brief`, or `{ error }` for a post that could not be analysed (counted as
   * failed; the others go on). Rejects with a `TypeError` for arguments of the wrong kind.
   */
  add(texts: string[], groups?: string[] | null, times?: string[] | null): Promise<Array<Brief | { error: string }>>;
  /** The aggregates so far. */
  summary(): Summary;
  /** Posts added so far, analysed or failed. */
  readonly texts: number;
  free(): void;
}

/**
 * Loads the WebAssembly build this engine supports and a model (by default the one in the package). Options of the
 * wrong kind, or an unknown one, reject with a `TypeError` that names it, as `Analyzer.create`'s do.
 */
export function load(options?: LoadOptions): Promise<Analyzer>;

/** Whether this engine runs WebAssembly SIMD (then the `simd128` build is used). */
export function simdSupported(): boolean;
