// The API as a TypeScript user sees it: this file must type-check under `strict`, and every
// `@ts-expect-error` below must be an error, which an `any` anywhere in the types would silence.
import {
  load,
  simdSupported,
  type Adaptation,
  type Analysis,
  type Analyzer,
  type AnalyzeManyOptions,
  type BackendName,
  type Brief,
  type Summary,
  type Progress,
  type Token,
  type Word,
} from "sentir";

async function main(): Promise<void> {
  const analyzer: Analyzer = await load({ backend: "auto", build: simdSupported() ? "simd128" : "scalar" });
  const result: Analysis = await analyzer.analyze("not good, but wonderful");
  const first: Token = result.tokens[0];
  const word: Word = result.words[0];
  const score: number = first.score + word.score;
  const backend: BackendName = result.backend;
  const positive: number | undefined = result.probabilities["positive"];
  const fallback: string | undefined = result.fallback;
  const many: Analysis[] = await analyzer.analyzeBatch(["a", "b"]);
  const session = analyzer.session();
  const again: Analysis = await session.analyze("not good at all");
  const reused: number = session.reusedTokens;
  await load({ model: { config: "{}", weights: new Uint8Array(), tokenizer: new ArrayBuffer(0) } });
  await load({ model: new URL("https://example.com/models/mine/") });

  const controller = new AbortController();
  const options: AnalyzeManyOptions = {
    batchSize: 64,
    signal: controller.signal,
    onProgress: ({ done, total }: Progress) => console.log(done, total ?? "?"),
  };
  for await (const analysis of analyzer.analyzeMany(["a", "b"], options)) {
    const label: string = analysis.label;
    console.log(label);
  }
  async function* lines(): AsyncGenerator<string> {
    yield "one post";
  }
  const stream: AsyncGenerator<Analysis, void, undefined> = analyzer.analyzeMany(lines());
  await stream.next();
  analyzer.analyzeMany(new Set(["a"]));

  const { analyzer: adapted, report, adapter: files }: Adaptation = await analyzer.adapt(["a"], ["positive"], { seed: 1 });
  const kept: boolean = report.kept && report.adapted.accuracy_interval[0] > report.current.accuracy;
  console.log(kept, report.verdict, report.counts[0]?.posts, report.skipped.duplicate);
  if (files) adapted.withAdapter(files).free();
  adapted.free();

  const collection = analyzer.collection();
  for (const result of await collection.add(["a post", "another"], ["brand a", "brand b"])) {
    if ("error" in result) console.log(result.error);
    else console.log((result satisfies Brief).score, result.words[0]?.text);
  }
  await collection.add(["dated"], null, ["2024-03-05T14:30:00Z"]);
  const summary: Summary = collection.summary();
  const unit: "hour" | "day" | "week" = summary.periods.unit;
  console.log(unit, summary.periods.periods[0]?.start);
  console.log(summary.shares["neutral"], summary.words.positive[0]?.total, summary.groups[0]?.group, collection.texts);
  collection.free();
  // @ts-expect-error labels are strings
  void analyzer.adapt(["a"], [1]);
  // @ts-expect-error there is no such adapt option
  void analyzer.adapt(["a"], ["positive"], { rounds: 2 });
  // @ts-expect-error groups are strings
  await collection.add(["a"], [1]);

  // @ts-expect-error analyzeMany takes strings
  analyzer.analyzeMany([1, 2]);
  // @ts-expect-error batchSize is a number
  analyzer.analyzeMany(["a"], { batchSize: "64" });
  // @ts-expect-error there is no such option
  analyzer.analyzeMany(["a"], { batch: 64 });
  // @ts-expect-error progress has no such field
  analyzer.analyzeMany(["a"], { onProgress: (progress) => progress.percent });
  // @ts-expect-error analyze takes a string
  await analyzer.analyze(42);
  // @ts-expect-error tokens have no such field
  console.log(first.sentiment);
  // @ts-expect-error there is no such backend
  await load({ backend: "tpu" });
  // @ts-expect-error there is no such build
  await load({ build: "avx512" });
  // @ts-expect-error the backend is read-only
  analyzer.backend = "gpu";
  const adapter: string | undefined = analyzer.gpuAdapter;
  // @ts-expect-error the adapter may be missing
  const named: string = analyzer.gpuAdapter;
  // @ts-expect-error a score is a number
  const text: string = first.score;

  console.log(score, backend, positive, fallback, many.length, again.label, reused, text, adapter, named);
  session.free();
  analyzer.free();
}

void main();
