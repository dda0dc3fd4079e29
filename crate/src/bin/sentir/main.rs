//! `sentir`, the command-line tool: analyse text, measure a model's accuracy on a labelled TSV file, or adapt it to
//! one.
//!
//! ```text
//! sentir analyze [--model DIR] [TEXT]          one JSON object (TEXT, or all of stdin)
//! sentir analyze [--model DIR] --jsonl         one JSON object per line of stdin
//! sentir analyze [--model DIR] --input FILE... [--format F] [--column C] [--group G] [--time T] [--summary]
//!                                              a collection of posts: one brief per post, or the aggregates
//! sentir eval    [--model DIR] FILE.tsv        accuracy; the last line is one JSON object
//! sentir adapt   [--model DIR] --out DIR2 FILE.tsv
//!                                              a new head fitted on FILE's labels; DIR2 a model folder; the report
//! ```
//!
//! `eval` reads a TSV file with a header row naming a `text` and a `label` column; a label is `0`, `1` or `2`
//! (negative, positive, neutral), `negative`, `neutral` or `positive`, or one of the model's labels by name, and
//! rows with any other label are skipped. A file of negative and positive rows only is scored two-way (`"mode":
//! "two-way"`), as it always was: a row is predicted positive when p(positive) > p(negative), so a three-label
//! model is measured on the same terms as a two-label one. A file with a neutral row is scored three-way (the
//! most probable of all labels), with precision, recall (`accuracy`) and F1 per label, the macro F1 and the
//! confusion counts (gold label → predicted label); a two-label model cannot be scored on it. Optional `group`,
//! `capability` and `domain` columns add accuracy per value under `per_group`, keyed `VALUE`,
//! `capability:VALUE` and `domain:VALUE`.
//!
//! `analyze --input` reads posts from CSV or TSV files with a header row (`--column` names the text's column,
//! default `text`), JSON lines (`--column` names the field) or plain text, one post per line (the format follows
//! the file's extension, or `--format`; `-` is stdin). It analyses them in batches on every core (on the GPU, one
//! thread, with `--backend gpu`, or when `auto` finds a hardware GPU, as the page does) and prints, in input order,
//! one JSON line per post: its line, label, probabilities, score (`p(positive) − p(negative)`) and strongest words, or the error that kept the row from
//! being analysed. With `--summary` it prints instead one JSON object of aggregates (counts and shares per label, a
//! histogram of scores, the words that move sentiment most, the same per `--group` column, and per hour, day or
//! week with a `--time` column): see
//! `sentir::collection`. A bad row is counted, never fatal. `--group` and `--time` name columns, so an input read as
//! plain text (which has none) with either is a usage error. An empty group or time, or in JSON lines a `null`, is
//! no group (the post counts in the whole only) or no time (it counts as undated).
//!
//! `--jsonl` and `--input` read line by line in every format: a UTF-8 byte order mark at the start is skipped, a line
//! that is not UTF-8 is an error row, and a line (a CSV or TSV record) is read up to 1 MiB, or up to the longest text
//! the model accepts (its `max_length` × `sentir::MAX_BYTES_PER_TOKEN` bytes) where that is more: a longer one is an
//! error row, read past without being held, and reading goes on at the next line.
//!
//! `adapt` reads the same TSV files as `eval` and fits a new head on their rows (see `sentir::adapt`): it prints
//! the report as one JSON object (labels per class, the cross-validated accuracy and macro-F1 with the model's own
//! head and with the new one, their 95% intervals, the gain, the strength chosen, whether the new head is kept and
//! why) and writes DIR2, a new folder with the model's files and, when the new head is kept, `adapter.json` and
//! `adapter.safetensors`. Loading DIR2 applies the adapter.
//!
//! Exit status: `analyze --jsonl`, `analyze --input` and `eval` go through every row (a row that fails prints its
//! error in its place; `eval` names it on stderr) and exit with status 1 when any row failed, after a line on
//! stderr, `N of M … could not be analysed`; `eval` fails too when it scored no row. Otherwise they exit with 0. An
//! input that cannot be read at all (a missing file or column, a file that is not text) or a model that does not
//! load ends the run with status 1 at once; a usage error exits with 2.
//!
//! Without `--model`, the default model of this checkout (`models/default`) is used. `--backend cpu-scalar` (or
//! `cpu-simd`, or `gpu`) runs a given backend instead of the best one this build has (`auto`).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    // Mesa's device-select Vulkan layer, which every Mesa driver installs, asks Wayland and X for the default GPU
    // when an instance is made, and on a machine without a display libwayland prints "error: XDG_RUNTIME_DIR is
    // invalid or not set in the environment." for each probe: noise a user reads as a failure. sentir picks its
    // own adapter, so it turns the layer off, unless the user asked it for a device (MESA_VK_DEVICE_SELECT).
    if std::env::var_os("NODEVICE_SELECT").is_none() && std::env::var_os("MESA_VK_DEVICE_SELECT").is_none() {
        // The workspace's one `unsafe`: setting a variable races with threads reading the environment, and there
        // are none yet. SAFETY: the first thing main does, before any thread is spawned.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("NODEVICE_SELECT", "1")
        };
    }
    cli::main()
}

/// The CLI reads files and stdin, which wasm32 has not; the library's JS API is the wasm entry point.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod adapt;
#[cfg(not(target_arch = "wasm32"))]
mod eval;
#[cfg(not(target_arch = "wasm32"))]
mod input;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::io::{Read, Write};
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::{CommandFactory, Parser, Subcommand};
    use sentir::{Analyzer, BackendChoice, BackendKind, Collection, Post};

    use crate::adapt::adapt;
    use crate::eval::eval;
    use crate::input::{self, Columns, Format};

    #[derive(Parser)]
    #[command(name = "sentir", version, about = "Per-token sentiment analysis with a small LSTM or GRU")]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Analyse TEXT (or stdin) and print the label, probabilities, and every token's and word's score.
        Analyze {
            #[command(flatten)]
            model: ModelArg,
            /// Read one text per line from stdin and print one JSON object per line.
            #[arg(long, conflicts_with = "input")]
            jsonl: bool,
            /// The text to analyse; without it, all of stdin is one text.
            #[arg(conflicts_with = "input")]
            text: Option<String>,
            #[command(flatten)]
            collection: CollectionArgs,
        },
        /// Measure accuracy on a TSV file whose header names a `text` and a `label` column (0 = negative,
        /// 1 = positive, 2 = neutral, or a label's name).
        Eval {
            #[command(flatten)]
            model: ModelArg,
            /// Tab-separated, no quoting; rows with another label are skipped. A file of 0/1 rows only is scored
            /// two-way (positive when p(positive) > p(negative)); one with a neutral row three-way (the most
            /// probable label; precision, recall, F1, macro F1 and confusion counts), which needs a model with a
            /// neutral label. Exits with failure if any row could not be analysed, or none was scored. With
            /// `group`, `capability` or `domain` columns, accuracy is also reported per value (`per_group`).
            file: PathBuf,
        },
        /// Fit a new head on a labelled TSV file (as eval reads it: `text` and `label` columns), kept only when
        /// its cross-validated accuracy clears the model's own by more than the noise; print the report as JSON and
        /// write a model folder with the adapter.
        Adapt {
            #[command(flatten)]
            model: ModelArg,
            /// The model folder to write: the model's files and, when the new head is kept, the adapter. Must be
            /// new or empty.
            #[arg(long, value_name = "DIR2")]
            out: PathBuf,
            /// Seeds the cross-validation's folds and the bootstrap.
            #[arg(long, value_name = "N", default_value_t = 0)]
            seed: u64,
            /// Cross-validation folds, outer and inner: 2 to 20, and no more than the rarest label has rows (fewer
            /// are used then; the report says how many).
            #[arg(long, value_name = "K", default_value_t = 5)]
            folds: usize,
            /// Tab-separated, as eval reads it; at least two labels, each on 5 rows or more.
            file: PathBuf,
        },
    }

    /// `analyze --input`: a collection of posts.
    #[derive(clap::Args)]
    struct CollectionArgs {
        /// Files of posts to analyse as one collection (`-` is stdin): CSV or TSV with a header row, JSON lines,
        /// or plain text with one post per line.
        #[arg(long, value_name = "FILE", num_args = 1..)]
        input: Vec<PathBuf>,
        /// The files' format; default: from each file's extension (.csv, .tsv, .jsonl, anything else text).
        #[arg(long, value_enum, requires = "input")]
        format: Option<Format>,
        /// The column (CSV, TSV) or field (JSON lines) that holds the text.
        #[arg(long, value_name = "NAME", default_value = "text", requires = "input")]
        column: String,
        /// A column or field whose values group the posts (a brand, a source): the summary counts each group. Not
        /// with plain text, which has no columns; an empty value (in JSON lines, `null`) is no group.
        #[arg(long, value_name = "NAME", requires = "input")]
        group: Option<String>,
        /// A column or field with each post's date or time (ISO 8601, or Unix seconds or milliseconds): the
        /// summary counts each hour, day or week. Not with plain text, which has no columns; in JSON lines, `null`
        /// is no time (counted as undated).
        #[arg(long, value_name = "NAME", requires = "input")]
        time: Option<String>,
        /// Print one JSON object of aggregates at the end instead of a line per post. With more distinct words than
        /// the word table holds (100,000), its counts can differ with `--threads`: each thread's collection drops its
        /// rarest words before the threads' collections are merged.
        #[arg(long, requires = "input")]
        summary: bool,
        /// Posts per batch of the model.
        #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65536), requires = "input")]
        batch_size: u32,
        /// Threads analysing batches side by side; default: every core (one when the GPU runs the model).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024), requires = "input")]
        threads: Option<u32>,
    }

    #[derive(clap::Args)]
    struct ModelArg {
        /// A model folder (config.json, model.safetensors, tokenizer.json); default: models/default.
        #[arg(long, value_name = "DIR")]
        model: Option<PathBuf>,
        /// Which backend runs the model: auto (the best CPU kernel this build has, and a hardware GPU for batches
        /// it pays for), cpu (the best CPU kernel), cpu-simd, cpu-scalar or gpu (the GPU if one opens, else the
        /// CPU kernel, saying why on stderr).
        #[arg(long, value_name = "NAME", default_value = "auto")]
        backend: BackendChoice,
    }

    impl ModelArg {
        fn dir(&self) -> PathBuf {
            self.model.clone().unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models/default"))
        }

        fn load(&self) -> Result<Analyzer, String> {
            let dir = self.dir();
            let mut analyzer =
                Analyzer::from_dir(&dir).map_err(|e| format!("cannot load the model in {}: {e}", dir.display()))?;
            // `auto` takes a GPU only for batches of several texts, which one text or JSONL read line by line never
            // makes: there the probe (a Vulkan instance, tens of milliseconds) is left out.
            if self.backend != BackendChoice::Auto {
                Self::choose(&mut analyzer, self.backend)?;
            }
            Ok(analyzer)
        }

        /// [`ModelArg::load`] for a collection: with `auto`, a hardware GPU takes the batches it pays for, as in the
        /// page (a software adapter such as lavapipe is refused: the CPU kernel is faster).
        fn load_for_collection(&self) -> Result<Analyzer, String> {
            let mut analyzer = self.load()?;
            if self.backend == BackendChoice::Auto {
                Self::choose(&mut analyzer, self.backend)?;
            }
            Ok(analyzer)
        }

        /// Applies `choice`; where the GPU was asked for and did not open, says on stderr what runs instead.
        fn choose(analyzer: &mut Analyzer, choice: BackendChoice) -> Result<(), String> {
            pollster::block_on(analyzer.choose_backend(choice)).map_err(|e| e.to_string())?;
            if choice == BackendChoice::Named(BackendKind::Gpu) && analyzer.backend().kind() != BackendKind::Gpu {
                eprintln!("sentir: {}", analyzer.backend().reason);
            }
            Ok(())
        }
    }

    impl CollectionArgs {
        /// Exits with a usage error where `--group` or `--time` names a column and an input is read as plain text,
        /// which has no columns (the option would be ignored for its posts).
        fn check_columns(&self) {
            let named = [("--group", &self.group), ("--time", &self.time)];
            let Some(option) = named.iter().find_map(|(option, column)| column.is_some().then_some(*option)) else {
                return;
            };
            let plain =
                self.input.iter().find(|path| self.format.unwrap_or_else(|| Format::of_path(path)) == Format::Text);
            if let Some(path) = plain {
                let why = if self.format.is_some() { "--format text" } else { "its extension" };
                let message = format!(
                    "{option} names a column, but {} is read as plain text ({why}), one post per line with no columns; \
                     give its format with --format csv, tsv or jsonl, or leave out {option}",
                    path.display()
                );
                Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message).exit();
            }
        }
    }

    /// The longest line `--jsonl` and `--input` read for `analyzer` (see `input::line_cap`).
    fn line_cap(analyzer: &Analyzer) -> usize {
        input::line_cap(analyzer.config().max_length.saturating_mul(sentir::MAX_BYTES_PER_TOKEN))
    }

    /// How a run over rows ends: with failure when any row failed, after saying on stderr how many (`see`: where).
    pub(crate) fn rows_status(failed: u64, total: u64, rows: &str, see: &str) -> ExitCode {
        if failed == 0 {
            return ExitCode::SUCCESS;
        }
        eprintln!("sentir: {failed} of {total} {rows} could not be analysed ({see})");
        ExitCode::FAILURE
    }

    pub(super) fn main() -> ExitCode {
        let cli = Cli::parse();
        if let Command::Analyze { collection, .. } = &cli.command {
            collection.check_columns();
        }
        let result = match cli.command {
            Command::Analyze { model, collection, .. } if !collection.input.is_empty() => {
                model.load_for_collection().and_then(|a| analyze_collection(&a, &collection))
            }
            Command::Analyze { model, jsonl, text, .. } => model.load().and_then(|a| analyze(&a, jsonl, text)),
            Command::Eval { model, file } => model.load().and_then(|a| eval(&a, &file)),
            Command::Adapt { model, out, seed, folds, file } => {
                let options = sentir::AdaptOptions { folds, seed };
                model.load().and_then(|a| adapt(&a, &model.dir(), &out, &file, &options))
            }
        };
        match result {
            Ok(code) => code,
            Err(message) => {
                eprintln!("sentir: {message}");
                ExitCode::FAILURE
            }
        }
    }

    fn analyze(analyzer: &Analyzer, jsonl: bool, text: Option<String>) -> Result<ExitCode, String> {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if !jsonl {
            let text = match text {
                Some(text) => text,
                None => {
                    let mut text = String::new();
                    std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read stdin: {e}"))?;
                    text
                }
            };
            let analysis = analyzer.analyze(&text).map_err(|e| e.to_string())?;
            print(&mut out, &analysis)?;
            return Ok(ExitCode::SUCCESS);
        }
        if text.is_some() {
            return Err("--jsonl reads its texts from stdin; pass no TEXT argument".to_owned());
        }
        // One output line per input line, so a failed line (not UTF-8, too long, or one the model refuses) prints an
        // error object and the rest go on.
        let (mut lines, mut failed) = (0u64, 0u64);
        for (_, line) in input::text_lines(std::io::stdin().lock(), "stdin", line_cap(analyzer))? {
            lines += 1;
            match line.and_then(|line| analyzer.analyze(&line).map_err(|e| e.to_string())) {
                Ok(analysis) => print(&mut out, &analysis)?,
                Err(error) => {
                    failed += 1;
                    print(&mut out, &serde_json::json!({ "error": error }))?;
                }
            }
        }
        out.flush().map_err(|e| format!("cannot write to stdout: {e}"))?;
        Ok(rows_status(failed, lines, "lines", "see their `error`"))
    }

    /// `analyze --input`: every post of every input, a batch at a time on each thread; each batch's briefs are
    /// printed, and its aggregates added to the summary's, in input order while the threads analyse the next ones
    /// (`sentir::collection::in_parts`), so memory holds a few batches per thread whatever the input's size.
    fn analyze_collection(analyzer: &Analyzer, args: &CollectionArgs) -> Result<ExitCode, String> {
        let threads = sentir::collection::threads(analyzer, args.threads.map(|n| n as usize));
        let columns = Columns { text: &args.column, group: args.group.as_deref(), time: args.time.as_deref() };
        let mut all = Collection::new(analyzer);
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let (mut unread, cap, dated) = (0u64, line_cap(analyzer), args.time.is_some());
        for path in &args.input {
            let name = path.display().to_string();
            let format = args.format.unwrap_or_else(|| Format::of_path(path));
            let reader: Box<dyn Read> = if name == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                Box::new(std::fs::File::open(path).map_err(|e| format!("cannot open {name}: {e}"))?)
            };
            let rows = input::rows(reader, &name, format, &columns, cap)?;
            // Each batch gathers its own aggregates, added to the whole in input order: the summary is the same
            // whichever thread analysed which batch.
            let analyze = |rows: &[input::Row]| {
                let mut part = Collection::new(analyzer);
                let posts: Vec<Result<Post, &str>> = rows.iter().map(input::Row::post).collect();
                let briefs = part.add_rows(analyzer, &posts, dated).map_err(|e| e.to_string());
                (part, briefs)
            };
            let batch = args.batch_size as usize;
            sentir::collection::in_parts(rows, threads, batch, analyze, |rows, (part, briefs)| {
                all.merge(part);
                for (row, brief) in rows.iter().zip(briefs?) {
                    unread += u64::from(brief.is_err());
                    if !args.summary {
                        print(&mut out, &brief_json(&name, row.line, brief))?;
                    }
                }
                Ok::<(), String>(())
            })?;
        }
        if args.summary {
            print(&mut out, &all.summary())?;
        }
        out.flush().map_err(|e| format!("cannot write to stdout: {e}"))?;
        let see = if args.summary { "counted as `failed`" } else { "see their `error`" };
        Ok(rows_status(unread, all.texts(), "posts", see))
    }

    /// One output line of `analyze --input`: a post's brief, or why it has none.
    #[derive(serde::Serialize)]
    struct BriefLine<'a> {
        input: &'a str,
        line: u64,
        #[serde(flatten)]
        brief: Option<sentir::Brief>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    }

    fn brief_json(input: &str, line: u64, brief: Result<sentir::Brief, String>) -> BriefLine<'_> {
        match brief {
            Ok(brief) => BriefLine { input, line, brief: Some(brief), error: None },
            Err(error) => BriefLine { input, line, brief: None, error: Some(error) },
        }
    }

    /// Writes `value` as one line of JSON.
    fn print(out: &mut impl Write, value: &impl serde::Serialize) -> Result<(), String> {
        serde_json::to_writer(&mut *out, value).map_err(|e| format!("cannot write JSON to stdout: {e}"))?;
        writeln!(out).map_err(|e| format!("cannot write to stdout: {e}"))
    }
}
