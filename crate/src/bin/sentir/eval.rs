//! `sentir eval`: a labelled TSV scored by the model: accuracy, per-label precision, recall and F1, the confusion
//! counts, per-group accuracy, as one JSON report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sentir::Analyzer;

use crate::cli::rows_status;

/// A row's gold label: one of the model's labels, or neutral where the model has no neutral label.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Gold {
    Label(usize),
    MissingNeutral,
}

/// One labelled row of an `eval` (or `adapt`) file.
pub(crate) struct Row<'a> {
    /// 1-based, counting the header, as an editor shows it.
    pub(crate) line: usize,
    pub(crate) text: &'a str,
    pub(crate) gold: Gold,
    /// The keys of `per_group` this row counts towards.
    groups: Vec<String>,
}

/// The model's labels in the roles `eval` reads: `0`/`negative`, `1`/`positive`, `2`/`neutral`.
struct Roles<'a> {
    labels: &'a [String],
    negative: usize,
    positive: usize,
    /// The label named `neutral`, else the one label of three that is neither positive nor negative.
    neutral: Option<usize>,
}

impl Roles<'_> {
    fn of(analyzer: &Analyzer) -> Roles<'_> {
        let labels = analyzer.config().labels.as_slice();
        let (negative, positive) = (analyzer.negative_index(), analyzer.positive_index());
        let other = (labels.len() == 3).then(|| (0..3).find(|&k| k != negative && k != positive)).flatten();
        let neutral = labels.iter().position(|label| label == "neutral").or(other);
        Roles { labels, negative, positive, neutral }
    }

    /// The gold label a `label` cell names, or `None` for a cell that names none (the row is skipped).
    fn gold(&self, cell: &str) -> Option<Gold> {
        let neutral = self.neutral.map_or(Gold::MissingNeutral, Gold::Label);
        if let Some(k) = self.labels.iter().position(|label| label == cell) {
            return Some(Gold::Label(k));
        }
        match cell {
            "0" | "negative" => Some(Gold::Label(self.negative)),
            "1" | "positive" => Some(Gold::Label(self.positive)),
            "2" | "neutral" => Some(neutral),
            _ => None,
        }
    }

    fn is_two_way(&self, gold: Gold) -> bool {
        gold == Gold::Label(self.negative) || gold == Gold::Label(self.positive)
    }
}

/// The labelled rows of `data`, the TSV `file` (a `text` and a `label` column; `group`, `capability` and `domain`
/// optional) as `eval` and `adapt` read it: rows whose label names none of the model's roles are skipped, and a
/// neutral row for a model without a neutral label is an error. Also: whether the file has group columns.
pub(crate) fn labelled_rows<'a>(
    analyzer: &Analyzer,
    file: &Path,
    data: &'a str,
) -> Result<(Vec<Row<'a>>, bool), String> {
    let mut lines = data.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| format!("{}: the header row has no `{name}` column (it has {header:?})", file.display()))
    };
    let (text_col, label_col) = (column("text")?, column("label")?);
    // `group` values are keys as they are; `capability` and `domain` values are prefixed with the column.
    let group_cols: Vec<(usize, Option<&str>)> =
        [("group", None), ("capability", Some("capability")), ("domain", Some("domain"))]
            .into_iter()
            .filter_map(|(name, prefix)| column(name).ok().map(|col| (col, prefix)))
            .collect();

    let config = analyzer.config();
    let roles = Roles::of(analyzer);
    let mut rows = Vec::new();
    for (index, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(gold), Some(text)) = (fields.get(label_col).and_then(|l| roles.gold(l.trim())), fields.get(text_col))
        else {
            continue;
        };
        let groups = group_cols
            .iter()
            .filter_map(|&(col, prefix)| {
                let value = fields.get(col)?.trim();
                match prefix {
                    None => Some(value.to_owned()),
                    Some(prefix) => (!value.is_empty()).then(|| format!("{prefix}:{value}")),
                }
            })
            .collect();
        rows.push(Row { line: index + 2, text, gold, groups });
    }
    if let Some(row) = rows.iter().find(|row| row.gold == Gold::MissingNeutral) {
        return Err(format!(
            "{}: row {} is labelled neutral, but the model {} has no neutral label (its labels are {:?}); \
             use rows labelled 0/1 (negative/positive) only, or a model with a neutral label",
            file.display(),
            row.line,
            config.name,
            config.labels
        ));
    }
    Ok((rows, !group_cols.is_empty()))
}

pub(crate) fn eval(analyzer: &Analyzer, file: &PathBuf) -> Result<ExitCode, String> {
    let data = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let (rows, grouped) = labelled_rows(analyzer, file, &data)?;
    let (config, roles) = (analyzer.config(), Roles::of(analyzer));
    // A file of negative and positive rows only is scored as it always was, positive against negative, so that
    // its numbers stay comparable across two- and three-label models; one with a neutral row is scored over
    // every label.
    let two_way = rows.iter().all(|row| roles.is_two_way(row.gold));

    let k = config.labels.len();
    // confusion[gold][predicted]
    let mut confusion = vec![vec![0usize; k]; k];
    // (examples, correct) per key of `per_group`.
    let mut groups: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut errors = 0usize;
    for row in &rows {
        let Gold::Label(gold) = row.gold else { continue };
        let analysis = match analyzer.analyze(row.text) {
            Ok(analysis) => analysis,
            Err(error) => {
                errors += 1;
                eprintln!("sentir: row {} skipped: {error}", row.line);
                continue;
            }
        };
        let p = |k: usize| analysis.probabilities.0[k].1;
        let predicted = if two_way {
            // The argmax of the two, ties to the earlier label as the analysis's own label does.
            let (pos, neg) = (roles.positive, roles.negative);
            if p(pos) > p(neg) || (p(pos) == p(neg) && pos < neg) { pos } else { neg }
        } else {
            // The most probable label, ties to the earlier, as the analysis's own label.
            (0..k).fold(0, |best, label| if p(label) > p(best) { label } else { best })
        };
        confusion[gold][predicted] += 1;
        for group in &row.groups {
            let entry = groups.entry(group.as_str()).or_default();
            entry.0 += 1;
            entry.1 += usize::from(predicted == gold);
        }
    }

    let n: usize = confusion.iter().flatten().sum();
    let correct: usize = (0..k).map(|k| confusion[k][k]).sum();
    // No examples means no accuracy: null, not 0.
    let ratio = |correct: usize, n: usize| (n > 0).then(|| correct as f64 / n as f64);
    let accuracy = |(n, correct): (usize, usize)| serde_json::json!({ "n": n, "accuracy": ratio(correct, n) });
    let gold_n = |k: usize| confusion[k].iter().sum::<usize>();
    let mut report = serde_json::json!({
        "mode": if two_way { "two-way" } else { "three-way" },
        "n": n,
        "accuracy": ratio(correct, n),
        "errors": errors,
        "model": config.name,
        "backend": analyzer.backend().kind().name(),
    });
    if two_way {
        let per_label = |k: usize| (config.labels[k].clone(), accuracy((gold_n(k), confusion[k][k])));
        report["per_label"] = serde_json::Map::from_iter([per_label(roles.negative), per_label(roles.positive)]).into();
    } else {
        // Recall is the label's accuracy; F1 is `2 tp / (2 tp + fp + fn)`, null for a label that was neither
        // a row's gold label nor predicted; the macro F1 is the mean over the others (scikit-learn's).
        let mut f1s = Vec::new();
        let mut per_label = serde_json::Map::new();
        for (k, label) in config.labels.iter().enumerate() {
            let (tp, gold, predicted) =
                (confusion[k][k], gold_n(k), (0..config.labels.len()).map(|g| confusion[g][k]).sum());
            let f1 = ratio(2 * tp, gold + predicted);
            f1s.extend(f1);
            let metrics = serde_json::json!({
                "n": gold,
                "accuracy": ratio(tp, gold),
                "precision": ratio(tp, predicted),
                "f1": f1,
            });
            per_label.insert(label.clone(), metrics);
        }
        report["per_label"] = per_label.into();
        report["macro_f1"] = (!f1s.is_empty()).then(|| f1s.iter().sum::<f64>() / f1s.len() as f64).into();
        let row = |g: usize| -> serde_json::Map<_, _> {
            config.labels.iter().zip(&confusion[g]).map(|(label, &count)| (label.clone(), count.into())).collect()
        };
        report["confusion"] = config
            .labels
            .iter()
            .enumerate()
            .map(|(g, label)| (label.clone(), row(g).into()))
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
    if grouped {
        let per_group: serde_json::Map<_, _> =
            groups.into_iter().map(|(group, counts)| (group.to_owned(), accuracy(counts))).collect();
        report["per_group"] = per_group.into();
    }
    println!("{report}");
    // A score over fewer rows than the file has must not pass for the whole file's.
    if errors > 0 {
        return Ok(rows_status(errors as u64, (errors + n) as u64, "rows", "see the messages above"));
    }
    if n == 0 {
        return Err(format!(
            "{}: no row was scored: no `label` is 0, 1, 2 or one of the model's labels",
            file.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}
