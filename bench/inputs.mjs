// The benchmark's inputs, made with sentir's own tokenizer (a release wasm package, web/pkg by default, in node):
// real test-split text cut to exact token counts, with the ids the model peers need.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const LENGTHS = [8, 32, 128, 512];
const BATCH = 256;
const CHECK = 64;
const IMDB_ACCURACY = 500;

function readTsv(path) {
  const [header, ...lines] = readFileSync(path, "utf8").trimEnd().split("\n");
  const columns = header.split("\t");
  return lines.map((line) => {
    const fields = line.split("\t");
    return { text: fields[columns.indexOf("text")], label: Number(fields[columns.indexOf("label")]) };
  });
}

export async function prepareInputs(root, model, pkg = join(root, "web/pkg")) {
  const { default: init, Analyzer } = await import(pathToFileURL(join(pkg, "sentir.js")));
  await init({ module_or_path: readFileSync(join(pkg, "sentir_bg.wasm")) });
  const file = (name) => readFileSync(join(model, name));
  const analyzer = await Analyzer.create({ config: file("config.json"), weights: file("model.safetensors"),
    tokenizer: file("tokenizer.json") });
  const rt = readTsv(join(root, "data/rt/test.tsv"));
  const imdb = readTsv(join(root, "data/imdb/test.tsv"));

  // The text of the first `count` tokens of the next RT test snippets (joined by spaces), checked to tokenize
  // back to exactly those tokens.
  let next = 0;
  async function cut(count) {
    for (let tries = 0; tries < 100; tries++) {
      let text = "";
      let tokens = [];
      while (tokens.length < count) {
        text += (text ? " " : "") + rt[next++ % rt.length].text;
        tokens = (await analyzer.analyze(text)).tokens;
      }
      text = text.slice(0, tokens[count - 1].end);
      const again = (await analyzer.analyze(text)).tokens.map((t) => t.id);
      if (again.length === count && again.every((id, i) => id === tokens[i].id)) return { text, ids: again };
    }
    throw new Error(`no text of exactly ${count} tokens found`);
  }
  const lengths = {};
  for (const count of LENGTHS) lengths[count] = [await cut(count)];
  const batch32 = [];
  while (batch32.length < BATCH) batch32.push(await cut(32));

  // Varied real texts with sentir's answer, for the model peers' parity check.
  const check = [];
  for (const { text } of [...rt.slice(0, CHECK / 2), ...imdb.slice(0, CHECK / 2)]) {
    const result = await analyzer.analyze(text);
    if (result.tokens.length > 0) check.push({ text, ids: result.tokens.map((t) => t.id), positive: result.probabilities.positive });
  }
  analyzer.free();
  return { lengths, batch32, check, accuracy: { "rt test": rt, "imdb test (first 500)": imdb.slice(0, IMDB_ACCURACY) } };
}
