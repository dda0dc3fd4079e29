// tests/outputs/check.py's JS outputs: the npm package in node (run here, in tests/npm, where it is installed),
// `analyzeBatch` over the suite's texts and a collection's summary of the posts, as JSON.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { load } from "sentir";

const [out, model] = process.argv.slice(2);
const analyzer = await load({ model, backend: "cpu" });
const texts = JSON.parse(await readFile(join(out, "suite.json"), "utf8"));
const results = await analyzer.analyzeBatch(texts);
await writeFile(join(out, "js-batch"), results.map((result) => JSON.stringify(result)).join("\n") + "\n");
const { texts: posts, groups, times } = JSON.parse(await readFile(join(out, "posts.json"), "utf8"));
const collection = analyzer.collection();
const briefs = await collection.add(posts, groups, times);
await writeFile(join(out, "js-collection"), JSON.stringify({ briefs, summary: collection.summary() }) + "\n");
