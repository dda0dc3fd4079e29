// The page's many-texts view (web/many.js, web/many-worker.js) in Debian's headless Chromium, driven by Playwright.
//
//   node tests/page/many.test.mjs        (scripts/test-page builds the CLI and runs it)
//
// A CSV of 3,001 posts (the behavioural suite's sentences, with dates over 20 days, a brand column, emoji, a
// quoted field with a comma and a line break, and one row cut short, without text) is opened as a person would: the
// columns are guessed, the analysis runs in the worker and the aggregates, the chart over time, the groups, the
// words and the table follow. Then: the aggregates the page exports equal what `sentir analyze --summary` prints
// for the same file; a click on a word lists its posts; sorting; a click on a post colours it token by token; the
// posts' CSV export has every row; a 60,000-post file can be cancelled while the page stays responsive, and what
// was analysed before the cancel exports; pasted
// lines work; a file that is not text says so. Screenshots go to target/artifacts/.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { launchOptions, serve } from "../browser.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ARTIFACTS = join(ROOT, "target", "artifacts");
const CLI = process.env.SENTIR_CLI ?? join(ROOT, "target", "debug", "sentir");
const WAIT = { timeout: 120_000 };
const pageErrors = [];

// A CSV of `count` posts from the behavioural suite, and one row cut short, without text.
function postsCsv(count) {
  const suite = readFileSync(join(ROOT, "tests/behaviour/suite.tsv"), "utf8").trim().split("\n").slice(1)
    .map((line) => line.split("\t"));
  const quote = (value) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const lines = ["id,date,brand,text"];
  for (let k = 0; k < count; k++) {
    const [, domain, text] = suite[k % suite.length];
    const day = String(1 + (k % 20)).padStart(2, "0");
    const hour = String(k % 24).padStart(2, "0");
    let post = k % 7 === 0 ? `${text} 😀` : text;
    if (k === 5) post = "Fast delivery, lovely packaging,\nand it works. Great!";
    lines.push([k, `2026-03-${day}T${hour}:00:00Z`, domain, quote(post)].join(","));
  }
  lines.push(`${count},2026-03-01`); // a row cut short: no brand, no text
  return `${lines.join("\n")}\n`;
}

async function openMany(context, origin) {
  const page = await context.newPage();
  page.on("console", (message) => message.type() === "error" && console.error(`  [page] ${message.text()}`));
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`${origin}/?view=many`);
  await page.waitForFunction(() => document.getElementById("progress").hidden, null, WAIT);
  return page;
}

const finished = (page) => page.waitForFunction(
  () => ["done", "cancelled", "failed"].includes(document.getElementById("view-many").dataset.state), null, WAIT);

async function download(page, format) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(`[data-export=${format}]`)]);
  return readFileSync(await file.path(), "utf8");
}

async function aFileOfPosts(browser, origin) {
  console.log("a CSV of 3,001 posts: columns guessed, aggregates, time, groups, words, table, exports");
  const csv = join(ARTIFACTS, "many-posts.csv");
  writeFileSync(csv, postsCsv(3000));
  const page = await openMany(await browser.newContext({ serviceWorkers: "block", acceptDownloads: true }), origin);
  await page.setInputFiles("#many-file", csv);
  await page.waitForSelector("#many-setup:not([hidden])");
  assert.equal(await page.inputValue("#many-format"), "csv");
  assert.equal(await page.inputValue("#many-column-text"), "text", "the text column is guessed");
  assert.equal(await page.inputValue("#many-column-time"), "date", "the date column is guessed");
  await page.selectOption("#many-column-group", "brand");
  await page.click("#many-go");
  await finished(page);
  assert.equal(await page.locator("#view-many").getAttribute("data-state"), "done",
    await page.textContent("#many-progress-text"));
  console.log(`  ${await page.textContent("#many-progress-text")}`);
  assert.match(await page.textContent("#many-count"), /^3,001 posts$/);
  assert.match(await page.textContent("#many-failed"), /^3,000 posts analysed; 1 without text: /);
  assert.equal(await page.locator("#many-shares li").count(), 3, "a share per label");
  assert.equal(await page.locator("#many-histogram canvas").count(), 1, "the histogram is drawn");
  assert.ok(await page.locator("#many-time-section").isVisible(), "dated posts give the chart over time");
  assert.match(await page.textContent("#many-time-hint"), /per day \(UTC\).*20 days/);
  assert.equal(await page.locator("#many-groups tr").count(), 7, "the suite's seven domains are the groups");

  // The aggregates are the CLI's for the same file (the wasm and the native kernel may round a near tie apart).
  const page_ = JSON.parse(await download(page, "json"));
  // The CLI exits 1 when a row failed, as one does here.
  const run = spawnSync(CLI, ["analyze", "--input", csv, "--group", "brand", "--time", "date", "--summary"],
    { encoding: "utf8" });
  assert.ok(run.status === 1 && run.stdout !== "", `${CLI}: ${run.error?.message ?? run.stderr}`);
  const cli = JSON.parse(run.stdout);
  assert.equal(page_.texts, cli.texts);
  assert.equal(page_.failed + page_.bad, cli.failed, "the row without text fails in both");
  assert.equal(page_.failed + page_.bad, 1);
  for (const label of cli.labels) {
    assert.ok(Math.abs(page_.counts[label] - cli.counts[label]) <= 3, `${label}: page ${page_.counts[label]}, CLI ${cli.counts[label]}`);
  }
  assert.deepEqual(page_.groups.map((g) => [g.group, g.texts]), cli.groups.map((g) => [g.group, g.texts]));
  assert.deepEqual(page_.periods.periods.map((p) => [p.start, p.texts]), cli.periods.periods.map((p) => [p.start, p.texts]));
  const words = (summary) => summary.words.negative.slice(0, 10).map((w) => w.word).sort();
  assert.deepEqual(words(page_), words(cli), "the ten words that move most towards negative");
  console.log(`  page and CLI agree: ${JSON.stringify(page_.counts)} vs ${JSON.stringify(cli.counts)}`);

  // A click on a word lists the posts that hold it.
  const word = await page.locator("#many-words-neg [data-word]").first().getAttribute("data-word");
  await page.locator("#many-words-neg [data-word]").first().click();
  await page.waitForFunction((w) => document.getElementById("many-count").textContent.includes(" of ")
    && document.querySelectorAll("#many-rows .table-row").length > 0, word, WAIT);
  const texts = await page.$$eval("#many-rows .table-row .text", (cells) => cells.map((cell) => cell.textContent));
  for (const text of texts) assert.ok(text.toLowerCase().includes(word), `"${text}" holds "${word}"`);
  console.log(`  "${word}": ${await page.textContent("#many-count")}`);
  await page.click("#many-filter-clear");

  // Sorting by score, most negative first after a second click.
  await page.click("#many-table [data-sort=score]");
  await page.waitForFunction(() => document.querySelector("#many-table [data-sort=score]").getAttribute("aria-sort") === "descending");
  await page.waitForTimeout(300);
  const scores = await page.$$eval("#many-rows .table-row .score", (cells) => cells.map((cell) => Number(cell.textContent.replace("−", "-"))));
  assert.ok(scores.length > 10 && scores.every((s, k) => k === 0 || scores[k - 1] >= s), `scores descend: ${scores.slice(0, 5)}`);

  // A click on a post shows it token by token.
  await page.locator("#many-rows .table-row").first().click();
  await page.waitForSelector("#many-post:not([hidden]) .token", WAIT);
  const post = await page.textContent("#many-rows .table-row .text");
  assert.equal(await page.textContent("#many-post-tokens"), post, "the post's tokens cover its text");
  await page.screenshot({ path: join(ARTIFACTS, "many.png"), fullPage: true });

  // The posts' export: the input columns, then label, probabilities, score; every row, the failed one too.
  const exported = await download(page, "csv");
  const header = exported.slice(0, exported.indexOf("\r\n"));
  assert.equal(header, "row,id,date,brand,text,label,p_negative,p_neutral,p_positive,score,error");
  const jsonl = (await download(page, "jsonl")).trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(jsonl.length, 3001);
  assert.equal(jsonl[5].text, "Fast delivery, lovely packaging,\nand it works. Great!", "a quoted field, whole");
  assert.equal(jsonl[3000].error, 'no "text" field');
  await page.close();
}

async function cancelAndPaste(browser, origin) {
  console.log("60,000 posts: cancelled midway, the page responsive throughout; pasted lines; not a text file");
  const big = join(ARTIFACTS, "many-posts-60k.csv");
  writeFileSync(big, postsCsv(60_000));
  const page = await openMany(await browser.newContext({ serviceWorkers: "block", acceptDownloads: true }), origin);
  await page.setInputFiles("#many-file", big);
  await page.click("#many-go");
  await page.waitForFunction(() => Number(document.getElementById("many-count").textContent.replace(/\D/g, "")) >= 2000,
    null, WAIT);
  const started = Date.now();
  await page.evaluate(() => document.title);
  const answer = Date.now() - started;
  assert.ok(answer < 1000, `the page answered in ${answer} ms while the worker analysed`);
  await page.click("#many-cancel");
  await finished(page);
  assert.equal(await page.locator("#view-many").getAttribute("data-state"), "cancelled");
  const count = Number((await page.textContent("#many-count")).replace(/\D/g, ""));
  assert.ok(count > 0 && count < 60_001, `cancelled after ${count} posts`);
  const kept = (await download(page, "jsonl")).trim().split("\n");
  assert.equal(kept.length, count, "what was analysed before the cancel is kept, and exports");
  console.log(`  ${await page.textContent("#many-progress-text")} (the page answered in ${answer} ms)`);

  await page.fill("#many-paste", "I love it\n\nworst service ever\nThe council meets on Tuesday.");
  await page.click("#many-paste-go");
  await page.waitForFunction(() => document.getElementById("view-many").dataset.state === "done", null, WAIT);
  assert.match(await page.textContent("#many-count"), /^3 posts$/);
  assert.deepEqual(await page.$$eval("#many-rows .label", (cells) => cells.map((cell) => cell.textContent)),
    ["positive", "negative", "neutral"]);

  // A time column the names do not give away is guessed from its values; an id column of numbers is not a time.
  const posted = join(ARTIFACTS, "posted.csv");
  writeFileSync(posted, "id,posted,body\n1,2026-03-01 09:15:00,great\n2,2026-03-02 18:40:00,awful\n");
  await page.setInputFiles("#many-file", posted);
  await page.waitForSelector("#many-setup:not([hidden])");
  assert.equal(await page.inputValue("#many-column-time"), "posted", "the time column is guessed from its values");
  assert.equal(await page.inputValue("#many-column-text"), "body");
  const unix = join(ARTIFACTS, "unix.jsonl");
  writeFileSync(unix, '{"tweet_id": 1234567890123456789, "at": 1772356500, "message": "great"}\n');
  await page.setInputFiles("#many-file", unix);
  await page.waitForSelector("#many-setup:not([hidden])");
  assert.equal(await page.inputValue("#many-column-time"), "at", "a Unix time in seconds is a time");

  const binary = join(ARTIFACTS, "not-text.csv");
  writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  await page.setInputFiles("#many-file", binary);
  await page.waitForSelector("#many-problem:not([hidden])");
  assert.match(await page.textContent("#many-problem"), /not a text file/);
  await page.close();
}

mkdirSync(ARTIFACTS, { recursive: true });
const server = await serve(join(ROOT, "web"));
const browser = await chromium.launch(launchOptions());
try {
  await aFileOfPosts(browser, server.origin);
  await cancelAndPaste(browser, server.origin);
} finally {
  await browser.close();
  server.close();
}
assert.deepEqual(pageErrors, [], "the page threw");
console.log("many-texts view OK");
