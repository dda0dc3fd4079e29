//! `sentir adapt`: a new head fitted on a labelled TSV (`eval`'s `text` and `label` columns), written with the
//! model as a new model folder that `analyze` and `eval` take; the report is printed as one JSON object. See
//! `sentir::adapt`.

use std::path::Path;
use std::process::ExitCode;

use sentir::adapt::{ADAPTER_JSON, ADAPTER_WEIGHTS};
use sentir::{AdaptOptions, Analyzer};

use crate::eval::{Gold, labelled_rows};

/// Adapts `analyzer` (loaded from `model_dir`) to the rows of `file` and writes `out`: the model's files, and the
/// adapter when its head is kept (without it, `out` is the model as it was, and stderr says why).
pub(crate) fn adapt(
    analyzer: &Analyzer,
    model_dir: &Path,
    out: &Path,
    file: &Path,
    options: &AdaptOptions,
) -> Result<ExitCode, String> {
    if out.exists() && !is_empty_dir(out) {
        return Err(format!("{} exists and is not empty; give a new folder to --out", out.display()));
    }
    let data = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let (rows, _) = labelled_rows(analyzer, file, &data)?;
    let labels = &analyzer.config().labels;
    let (texts, names): (Vec<&str>, Vec<&str>) = rows
        .iter()
        .filter_map(|row| match row.gold {
            Gold::Label(k) => Some((row.text, labels[k].as_str())),
            Gold::MissingNeutral => None,
        })
        .unzip();
    let adaptation = analyzer.adapt(&texts, &names, options).map_err(|e| format!("{}: {e}", file.display()))?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let config = analyzer.config();
    for name in ["config.json", &config.weights, &config.tokenizer] {
        std::fs::copy(model_dir.join(name), out.join(name))
            .map_err(|e| format!("cannot copy {} into {}: {e}", model_dir.join(name).display(), out.display()))?;
    }
    let adapter = match &adaptation.adapter {
        Some(adapter) => Some(adapter.to_bytes().map_err(|e| e.to_string())?),
        // The model's own head is kept: where that was an earlier adapter's, it stays.
        None if model_dir.join(ADAPTER_JSON).exists() => {
            let read = |name| std::fs::read(model_dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"));
            Some((read(ADAPTER_JSON)?, read(ADAPTER_WEIGHTS)?))
        }
        None => None,
    };
    if let Some((json, weights)) = adapter {
        for (name, bytes) in [(ADAPTER_JSON, json), (ADAPTER_WEIGHTS, weights)] {
            std::fs::write(out.join(name), bytes)
                .map_err(|e| format!("cannot write {}: {e}", out.join(name).display()))?;
        }
    }
    let report = serde_json::to_string(&adaptation.report).map_err(|e| e.to_string())?;
    println!("{report}");
    eprintln!("sentir: {}; {} written", adaptation.report.verdict, out.display());
    Ok(ExitCode::SUCCESS)
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}
