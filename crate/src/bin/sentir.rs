//! `sentir`, the command-line tool: analyse text, or measure a model's accuracy on a labelled TSV file.
//!
//! ```text
//! sentir analyze [--model DIR] [TEXT]          one JSON object (TEXT, or all of stdin)
//! sentir analyze [--model DIR] --jsonl         one JSON object per line of stdin
//! sentir eval    [--model DIR] FILE.tsv        accuracy; the last line is one JSON object
//! ```
//!
//! Without `--model`, the default model of this checkout (`models/default`) is used. `--backend cpu-scalar` (or
//! `cpu-simd`, or `gpu`) runs a given backend instead of the best one this build has (`auto`).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The CLI reads files and stdin, which wasm32 has not; the library's JS API is the wasm entry point.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::io::{BufRead, Read, Write};
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::{Parser, Subcommand};
    use sentir::{Analyzer, BackendKind};

    #[derive(Parser)]
    #[command(name = "sentir", version, about = "Per-token sentiment analysis with a small LSTM")]
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
            #[arg(long)]
            jsonl: bool,
            /// The text to analyse; without it, all of stdin is one text.
            text: Option<String>,
        },
        /// Measure accuracy on a TSV file whose header names a `text` and a `label` column (1 = positive).
        Eval {
            #[command(flatten)]
            model: ModelArg,
            /// Tab-separated, no quoting; rows whose label is not 0 or 1 are skipped. Exits with failure if any row
            /// could not be analysed, or none was scored. With a `group` column, accuracy
            /// is also reported per group.
            file: PathBuf,
        },
    }

    #[derive(clap::Args)]
    struct ModelArg {
        /// A model folder (config.json, model.safetensors, tokenizer.json); default: models/default.
        #[arg(long, value_name = "DIR")]
        model: Option<PathBuf>,
        /// Which backend runs the model: auto (the best this build has), cpu-simd, cpu-scalar or gpu.
        #[arg(long, value_name = "NAME", default_value = "auto")]
        backend: String,
    }

    impl ModelArg {
        fn load(&self) -> Result<Analyzer, String> {
            let dir = self
                .model
                .clone()
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models/default"));
            let mut analyzer =
                Analyzer::from_dir(&dir).map_err(|e| format!("cannot load the model in {}: {e}", dir.display()))?;
            if self.backend != "auto" {
                let kind = BackendKind::from_name(&self.backend).ok_or_else(|| {
                    format!("unknown backend {:?}; use auto, cpu-simd, cpu-scalar or gpu", self.backend)
                })?;
                analyzer.set_backend(kind).map_err(|e| e.to_string())?;
            }
            Ok(analyzer)
        }
    }

    pub(super) fn main() -> ExitCode {
        let result = match Cli::parse().command {
            Command::Analyze { model, jsonl, text } => model.load().and_then(|a| analyze(&a, jsonl, text)),
            Command::Eval { model, file } => model.load().and_then(|a| eval(&a, &file)),
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
        // One output line per input line, so a failed line prints an error object and the rest go on.
        let mut failed = 0usize;
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| format!("cannot read stdin: {e}"))?;
            match analyzer.analyze(&line) {
                Ok(analysis) => print(&mut out, &analysis)?,
                Err(error) => {
                    failed += 1;
                    print(&mut out, &serde_json::json!({ "error": error.to_string() }))?;
                }
            }
        }
        Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    }

    fn eval(analyzer: &Analyzer, file: &PathBuf) -> Result<ExitCode, String> {
        let data = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let mut lines = data.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| format!("{}: the header row has no `{name}` column (it has {header:?})", file.display()))
        };
        let (text_col, label_col) = (column("text")?, column("label")?);
        let group_col = column("group").ok();

        let config = analyzer.config();
        let positive = config.positive_label.as_str();
        let negative = config.labels.iter().find(|l| *l != positive).map(String::as_str).unwrap_or("negative");
        // (examples, correct) for gold label 0 and 1.
        let mut counts = [(0usize, 0usize); 2];
        // The same, per value of the optional `group` column.
        let mut groups: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        let mut errors = 0usize;
        for (row, line) in lines.enumerate() {
            let fields: Vec<&str> = line.split('\t').collect();
            let gold = match fields.get(label_col).map(|l| l.trim()) {
                Some("0") => 0,
                Some("1") => 1,
                _ => continue,
            };
            let Some(text) = fields.get(text_col) else {
                continue;
            };
            match analyzer.analyze(text) {
                Ok(analysis) => {
                    let predicted = usize::from(analysis.label == positive);
                    let right = usize::from(predicted == gold);
                    counts[gold].0 += 1;
                    counts[gold].1 += right;
                    if let Some(group) = group_col.and_then(|col| fields.get(col)) {
                        let entry = groups.entry(group.trim()).or_default();
                        entry.0 += 1;
                        entry.1 += right;
                    }
                }
                Err(error) => {
                    errors += 1;
                    eprintln!("sentir: row {} skipped: {error}", row + 2);
                }
            }
        }
        let n = counts[0].0 + counts[1].0;
        // No examples means no accuracy: null, not 0.
        let ratio = |correct: usize, n: usize| (n > 0).then(|| correct as f64 / n as f64);
        let per_label = |(n, correct): (usize, usize)| serde_json::json!({ "n": n, "accuracy": ratio(correct, n) });
        let mut report = serde_json::json!({
            "n": n,
            "accuracy": ratio(counts[0].1 + counts[1].1, n),
            "per_label": { negative: per_label(counts[0]), positive: per_label(counts[1]) },
            "errors": errors,
            "model": config.name,
            "backend": analyzer.backend().kind().name(),
        });
        if group_col.is_some() {
            let per_group: serde_json::Map<_, _> =
                groups.into_iter().map(|(group, counts)| (group.to_owned(), per_label(counts))).collect();
            report["per_group"] = per_group.into();
        }
        println!("{report}");
        // A score over fewer rows than the file has must not pass for the whole file's.
        if n == 0 || errors > 0 {
            return Err(format!("{errors} rows failed and {n} were scored; see the messages above"));
        }
        Ok(ExitCode::SUCCESS)
    }

    /// Writes `value` as one line of JSON.
    fn print(out: &mut impl Write, value: &impl serde::Serialize) -> Result<(), String> {
        serde_json::to_writer(&mut *out, value).map_err(|e| format!("cannot write JSON to stdout: {e}"))?;
        writeln!(out).map_err(|e| format!("cannot write to stdout: {e}"))
    }
}
