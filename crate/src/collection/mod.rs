//! Many texts at once: a collection of posts, analysed batch by batch, with what to keep of each text and what to
//! say of all of them. The one path that the CLI (`sentir analyze --input`), the page's many-texts view and the
//! Python package share; natively [`in_parts`] spreads a collection's batches over threads, as both do.
//!
//! Of each text a [`Brief`] is kept: its label, probabilities, score and strongest words, not every token's
//! numbers. Over all of them a [`Collection`] keeps running aggregates, from which [`Collection::summary`] makes a
//! [`Summary`] at any time (while a long file is still being read, too):
//!
//! - the count and share of each label, and the failed texts (a bad row is counted, never fatal);
//! - a histogram of the texts' scores, `p(positive) − p(negative)`, from −1 to 1;
//! - the words that move sentiment across the collection: each word's count, mean and total move (the sum of its
//!   per-token scores over every text, lower-cased; words of ASCII punctuation only are left out), the top
//!   [`TOP_WORDS`] each way by total move;
//! - the same counts and shares per group, when the texts come with one (a brand, a source; an empty group is
//!   none: the text counts in the whole only, as an empty time counts as undated);
//! - the same over time, when the texts come with a date or time (ISO 8601 or Unix, see [`time`]): per hour,
//!   day or week (Monday to Sunday, UTC) as the span suits ([`MAX_HOURS_SPAN`], [`MAX_DAYS`]), every period
//!   from the first to the last listed, empty ones too.
//!
//! Memory stays bounded however many texts go through: a brief holds at most [`STRONGEST_WORDS`] words, the word
//! table at most [`MAX_WORDS`] words (when it fills, the rarest words are dropped, and `words.dropped` says so:
//! the counts of rare words are then lower bounds), and at most [`MAX_GROUPS`] groups are told apart (the rest
//! are counted under [`OTHER_GROUP`]), and at most [`MAX_HOURS`] hours (texts of further hours count as
//! undated). Collections made on several threads [`merge`](Collection::merge) into one.

#[cfg(not(target_arch = "wasm32"))]
mod threads;
pub mod time;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::analyzer::{Analyzer, PerLabel, Probabilities, Scored};
use crate::backend::ready;
use crate::error::Result;

#[cfg(not(target_arch = "wasm32"))]
pub use threads::{in_parts, threads};

/// Words kept in each text's [`Brief`].
pub const STRONGEST_WORDS: usize = 3;
/// Bins of [`Summary::histogram`], over scores from −1 to 1.
pub const HISTOGRAM_BINS: usize = 20;
/// Words the word table holds before it drops the rarest.
pub const MAX_WORDS: usize = 100_000;
/// Words listed each way in [`Summary::words`].
pub const TOP_WORDS: usize = 20;
/// Groups told apart; texts of further groups are counted under [`OTHER_GROUP`].
pub const MAX_GROUPS: usize = 1_000;
/// Hours told apart over time.
pub const MAX_HOURS: usize = 100_000;
/// The longest span over time counted per hour (three days); longer ones go per day up to [`MAX_DAYS`], then per
/// week.
pub const MAX_HOURS_SPAN: i64 = 72;
/// The longest span over time counted per day (about six months).
pub const MAX_DAYS: i64 = 183;
/// The group of texts past the first [`MAX_GROUPS`] groups.
pub const OTHER_GROUP: &str = "(other groups)";

/// What is kept of one text of a collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Brief {
    /// The most probable label.
    pub label: String,
    /// Each label's probability, in the model's label order.
    pub probabilities: Probabilities,
    /// `p(positive) − p(negative)`, from −1 to 1.
    pub score: f32,
    /// The words that moved the text most (largest absolute score first), at most [`STRONGEST_WORDS`].
    pub words: Vec<BriefWord>,
}

/// One of a [`Brief`]'s strongest words; offsets are bytes of the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BriefWord {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub score: f32,
}

/// Running aggregates over the texts of a collection (see the module docs).
#[derive(Debug, Clone)]
pub struct Collection {
    labels: Vec<String>,
    positive: usize,
    negative: usize,
    counts: Counts,
    failed: u64,
    histogram: [u64; HISTOGRAM_BINS],
    words: HashMap<String, WordTally>,
    words_dropped: bool,
    /// Groups in order of first appearance.
    groups: Vec<(String, Counts)>,
    group_index: HashMap<String, usize>,
    /// Counts per hour since 1970-01-01T00Z.
    hours: BTreeMap<i64, Counts>,
    /// Texts with a time field that is no time (or past [`MAX_HOURS`] hours).
    undated: u64,
}

/// Texts per label and the sum of their scores.
#[derive(Debug, Clone, Default)]
struct Counts {
    per_label: Vec<u64>,
    score_sum: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct WordTally {
    count: u64,
    total: f64,
}

impl Counts {
    fn new(labels: usize) -> Counts {
        Counts { per_label: vec![0; labels], score_sum: 0.0 }
    }

    fn texts(&self) -> u64 {
        self.per_label.iter().sum()
    }

    fn count(&mut self, label: usize, score: f32) {
        self.per_label[label] += 1;
        self.score_sum += f64::from(score);
    }

    fn add(&mut self, other: &Counts) {
        for (mine, theirs) in self.per_label.iter_mut().zip(&other.per_label) {
            *mine += theirs;
        }
        self.score_sum += other.score_sum;
    }

    fn summary(&self, labels: &[String]) -> LabelCounts {
        let texts = self.texts();
        let share = |n: u64| if texts == 0 { 0.0 } else { n as f64 / texts as f64 };
        LabelCounts {
            texts,
            counts: PerLabel(labels.iter().cloned().zip(self.per_label.iter().copied()).collect()),
            shares: PerLabel(labels.iter().cloned().zip(self.per_label.iter().map(|&n| share(n))).collect()),
            mean_score: if texts == 0 { 0.0 } else { self.score_sum / texts as f64 },
        }
    }
}

/// A post of a many-text input: its text, its group (none: counted in the whole only) and its time (read as the
/// [`time`] module says; none: undated).
#[derive(Debug, Clone, Copy, Default)]
pub struct Post<'a> {
    pub text: &'a str,
    pub group: Option<&'a str>,
    pub time: Option<&'a str>,
}

impl Collection {
    /// An empty collection for texts that `analyzer` analyses.
    pub fn new(analyzer: &Analyzer) -> Collection {
        let labels = analyzer.config().labels.clone();
        Collection {
            counts: Counts::new(labels.len()),
            positive: analyzer.positive_index(),
            negative: analyzer.negative_index(),
            labels,
            failed: 0,
            histogram: [0; HISTOGRAM_BINS],
            words: HashMap::new(),
            words_dropped: false,
            groups: Vec::new(),
            group_index: HashMap::new(),
            hours: BTreeMap::new(),
            undated: 0,
        }
    }

    /// Analyses `texts` in one batch (on whichever backend `analyzer` chooses for it) and adds them to the
    /// aggregates, each under its group in `groups` and at its time in `times` (each as many as `texts`, if given;
    /// an empty group is none; a time is read as the [`time`] module says, an empty one is undated). Returns each text's brief, or
    /// the error that text met (counted as failed); an error of the whole call (the backend's) adds nothing.
    pub fn add_batch<S: AsRef<str>>(
        &mut self,
        analyzer: &Analyzer,
        texts: &[S],
        groups: Option<&[S]>,
        times: Option<&[S]>,
    ) -> Result<Vec<Result<Brief>>> {
        ready("Collection::add_batch_async", self.add_batch_async(analyzer, texts, groups, times))
    }

    /// Each row's brief, or why it has none: a row that failed before it reached the model (`Err`: read from a file
    /// that holds no text there, say) is counted as failed with its message; the posts go through
    /// [`Collection::add_batch`] together, where a bad text costs only itself. With `dated`, every post is added
    /// with its time (an undated one counts as undated). An error of the whole call (the backend's) adds nothing.
    pub fn add_rows(
        &mut self,
        analyzer: &Analyzer,
        rows: &[std::result::Result<Post<'_>, &str>],
        dated: bool,
    ) -> Result<Vec<std::result::Result<Brief, String>>> {
        let mut briefs: Vec<std::result::Result<Brief, String>> = Vec::with_capacity(rows.len());
        for row in rows {
            briefs.push(Err(match row {
                Ok(_) => "no result".to_owned(),
                Err(message) => {
                    self.count_failed();
                    (*message).to_owned()
                }
            }));
        }
        let posts: Vec<(usize, &Post)> =
            rows.iter().enumerate().filter_map(|(index, row)| Some((index, row.as_ref().ok()?))).collect();
        if posts.is_empty() {
            return Ok(briefs);
        }
        let texts: Vec<&str> = posts.iter().map(|(_, post)| post.text).collect();
        let groups: Vec<&str> = posts.iter().map(|(_, post)| post.group.unwrap_or_default()).collect();
        let times: Option<Vec<&str>> =
            dated.then(|| posts.iter().map(|(_, post)| post.time.unwrap_or_default()).collect());
        let results = self.add_batch(analyzer, &texts, Some(&groups), times.as_deref())?;
        for ((index, _), brief) in posts.iter().zip(results) {
            briefs[*index] = brief.map_err(|e| e.to_string());
        }
        Ok(briefs)
    }

    /// [`Collection::add_batch`], awaiting the GPU where it runs.
    pub async fn add_batch_async<S: AsRef<str>>(
        &mut self,
        analyzer: &Analyzer,
        texts: &[S],
        groups: Option<&[S]>,
        times: Option<&[S]>,
    ) -> Result<Vec<Result<Brief>>> {
        let scored = analyzer.score_each_async(texts).await?;
        Ok(self.add_each(texts, groups, times, scored))
    }

    /// Adds each text's analysis (from [`Analyzer::score_each_async`]) and returns its brief, or counts its error:
    /// the step of [`Collection::add_batch_async`] after the model, apart so that a caller that shares the
    /// collection (the JS API) holds it only while nothing is awaited.
    pub(crate) fn add_each<S: AsRef<str>>(
        &mut self,
        texts: &[S],
        groups: Option<&[S]>,
        times: Option<&[S]>,
        scored: Vec<Result<Scored>>,
    ) -> Vec<Result<Brief>> {
        scored
            .into_iter()
            .enumerate()
            .map(|(index, scored)| {
                let group = groups.and_then(|groups| groups.get(index)).map(AsRef::as_ref);
                let time = times.and_then(|times| times.get(index)).map(AsRef::as_ref);
                match scored {
                    Ok(scored) => Ok(self.add(texts[index].as_ref(), &scored, group, time)),
                    Err(error) => {
                        self.failed += 1;
                        Err(error)
                    }
                }
            })
            .collect()
    }

    /// Adds the analysis of `text` and returns its brief.
    fn add(&mut self, text: &str, scored: &Scored, group: Option<&str>, time: Option<&str>) -> Brief {
        let p = &scored.probabilities;
        let score = p[self.positive] - p[self.negative];
        self.counts.count(scored.best, score);
        let bin = ((score + 1.0) / 2.0 * HISTOGRAM_BINS as f32).floor();
        self.histogram[(bin.max(0.0) as usize).min(HISTOGRAM_BINS - 1)] += 1;
        if let Some(group) = group.filter(|group| !group.is_empty()) {
            self.group(group).count(scored.best, score);
        }
        if let Some(time) = time {
            let hour = time::parse(time).map(|seconds| seconds.div_euclid(3_600));
            match hour.filter(|hour| self.hours.len() < MAX_HOURS || self.hours.contains_key(hour)) {
                Some(hour) => {
                    self.hours.entry(hour).or_insert_with(|| Counts::new(self.labels.len())).count(scored.best, score)
                }
                None => self.undated += 1,
            }
        }

        let mut strongest: Vec<BriefWord> = Vec::new();
        for word in &scored.words {
            let Some(spelling) = text.get(word.start..word.end).filter(|w| counts_as_word(w)) else { continue };
            let tally = self.words.entry(spelling.to_lowercase()).or_default();
            tally.count += 1;
            tally.total += f64::from(word.score);
            strongest.push(BriefWord {
                text: spelling.to_owned(),
                start: word.start,
                end: word.end,
                score: word.score,
            });
        }
        strongest.sort_by(|a, b| b.score.abs().total_cmp(&a.score.abs()));
        strongest.truncate(STRONGEST_WORDS);
        if self.words.len() > MAX_WORDS {
            self.drop_rare_words();
        }
        let probabilities = PerLabel(self.labels.iter().cloned().zip(p.iter().copied()).collect());
        Brief { label: self.labels[scored.best].clone(), probabilities, score, words: strongest }
    }

    /// The counts of `group`, made on its first text; past [`MAX_GROUPS`] groups, those of [`OTHER_GROUP`].
    fn group(&mut self, group: &str) -> &mut Counts {
        let name =
            if self.group_index.contains_key(group) || self.groups.len() < MAX_GROUPS { group } else { OTHER_GROUP };
        let index = match self.group_index.get(name) {
            Some(&index) => index,
            None => {
                self.groups.push((name.to_owned(), Counts::new(self.labels.len())));
                self.group_index.insert(name.to_owned(), self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        &mut self.groups[index].1
    }

    /// Drops the rarest words until the table is three quarters full.
    fn drop_rare_words(&mut self) {
        let mut at_most = 1;
        while self.words.len() > MAX_WORDS * 3 / 4 {
            self.words.retain(|_, tally| tally.count > at_most);
            at_most += 1;
        }
        self.words_dropped = true;
    }

    /// Adds `other`'s texts (analysed with the same model) to this collection's.
    pub fn merge(&mut self, other: Collection) {
        self.counts.add(&other.counts);
        self.failed += other.failed;
        for (mine, theirs) in self.histogram.iter_mut().zip(other.histogram) {
            *mine += theirs;
        }
        for (word, theirs) in other.words {
            let tally = self.words.entry(word).or_default();
            tally.count += theirs.count;
            tally.total += theirs.total;
        }
        self.words_dropped |= other.words_dropped;
        if self.words.len() > MAX_WORDS {
            self.drop_rare_words();
        }
        for (group, counts) in other.groups {
            self.group(&group).add(&counts);
        }
        self.undated += other.undated;
        for (hour, counts) in other.hours {
            if self.hours.len() < MAX_HOURS || self.hours.contains_key(&hour) {
                self.hours.entry(hour).or_insert_with(|| Counts::new(self.labels.len())).add(&counts);
            } else {
                self.undated += counts.texts();
            }
        }
    }

    /// Counts a text that failed before it reached [`Collection::add_batch`] (a row of a file that could not be
    /// read, say).
    pub fn count_failed(&mut self) {
        self.failed += 1;
    }

    /// Texts added so far, analysed or failed.
    pub fn texts(&self) -> u64 {
        self.counts.texts() + self.failed
    }

    /// The aggregates so far.
    pub fn summary(&self) -> Summary {
        let top = |positive: bool| {
            let mut words: Vec<WordSummary> = self
                .words
                .iter()
                .filter(|(_, tally)| if positive { tally.total > 0.0 } else { tally.total < 0.0 })
                .map(|(word, tally)| WordSummary {
                    word: word.clone(),
                    count: tally.count,
                    mean: tally.total / tally.count as f64,
                    total: tally.total,
                })
                .collect();
            // By total move, strongest first; ties by word, so that the order does not depend on the hash map's.
            words.sort_by(|a, b| b.total.abs().total_cmp(&a.total.abs()).then_with(|| a.word.cmp(&b.word)));
            words.truncate(TOP_WORDS);
            words
        };
        let mut groups: Vec<GroupSummary> = self
            .groups
            .iter()
            .map(|(group, counts)| GroupSummary { group: group.clone(), counts: counts.summary(&self.labels) })
            .collect();
        groups.sort_by(|a, b| b.counts.texts.cmp(&a.counts.texts).then_with(|| a.group.cmp(&b.group)));
        Summary {
            labels: self.labels.clone(),
            failed: self.failed,
            all: self.counts.summary(&self.labels),
            histogram: Histogram { from: -1.0, to: 1.0, counts: self.histogram.to_vec() },
            words: Words {
                positive: top(true),
                negative: top(false),
                distinct: self.words.len(),
                dropped: self.words_dropped,
            },
            groups,
            periods: self.periods(),
        }
    }

    /// The counts per hour, gathered into periods of the unit that fits the span.
    fn periods(&self) -> Periods {
        let (Some(&first), Some(&last)) = (self.hours.keys().next(), self.hours.keys().next_back()) else {
            return Periods { unit: "day", undated: self.undated, periods: Vec::new() };
        };
        // Each unit's start of the period an hour is in, in hours; 1970-01-01 was a Thursday, so a week (Monday
        // to Sunday) starts 3 days before a multiple of 7 days since it.
        let (unit, start): (&'static str, fn(i64) -> i64) = if last - first < MAX_HOURS_SPAN {
            ("hour", |hour| hour)
        } else if last.div_euclid(24) - first.div_euclid(24) < MAX_DAYS {
            ("day", |hour| hour.div_euclid(24) * 24)
        } else {
            ("week", |hour| ((hour.div_euclid(24) + 3).div_euclid(7) * 7 - 3) * 24)
        };
        let step = match unit {
            "hour" => 1,
            "day" => 24,
            _ => 24 * 7,
        };
        let mut periods: BTreeMap<i64, Counts> = BTreeMap::new();
        // Empty periods are listed too, unless a stray time far from the rest would make that a long list.
        if (last - first) / step <= 10_000 {
            let mut period = start(first);
            while period <= last {
                periods.insert(period, Counts::new(self.labels.len()));
                period += step;
            }
        }
        for (&hour, counts) in &self.hours {
            periods.entry(start(hour)).or_insert_with(|| Counts::new(self.labels.len())).add(counts);
        }
        let periods = periods
            .into_iter()
            .map(|(hour, counts)| {
                let (year, month, day) = time::civil_from_days(hour.div_euclid(24));
                let start = if unit == "hour" {
                    format!("{year:04}-{month:02}-{day:02}T{:02}:00Z", hour.rem_euclid(24))
                } else {
                    format!("{year:04}-{month:02}-{day:02}")
                };
                Period { start, counts: counts.summary(&self.labels) }
            })
            .collect();
        Periods { unit, undated: self.undated, periods }
    }
}

/// Whether a word's spelling goes into the word table: anything but ASCII punctuation (emoji count).
fn counts_as_word(spelling: &str) -> bool {
    spelling.chars().any(|c| !c.is_ascii_punctuation() && !c.is_whitespace())
}

/// The aggregates of a [`Collection`], as the CLI's `--summary` prints them (JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The model's labels, in its order.
    pub labels: Vec<String>,
    /// Texts that could not be analysed.
    pub failed: u64,
    /// Every analysed text: `texts`, `counts` and `shares` per label, `mean_score`.
    #[serde(flatten)]
    pub all: LabelCounts,
    pub histogram: Histogram,
    pub words: Words,
    /// Per group, most texts first.
    pub groups: Vec<GroupSummary>,
    /// Over time, when the texts came with times.
    pub periods: Periods,
}

/// A collection's counts over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Periods {
    /// `"hour"`, `"day"` or `"week"` (Monday to Sunday, UTC).
    pub unit: &'static str,
    /// Texts whose time field held no time.
    pub undated: u64,
    /// Every period from the first text's to the last's, empty ones too (not past 10,000), oldest first.
    pub periods: Vec<Period>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    /// The period's first day, `2024-03-04`, or hour, `2024-03-05T14:00Z` (UTC).
    pub start: String,
    #[serde(flatten)]
    pub counts: LabelCounts,
}

/// Texts per label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelCounts {
    /// Texts analysed.
    pub texts: u64,
    pub counts: PerLabel<u64>,
    /// Each label's count over `texts` (0 when there are none).
    pub shares: PerLabel<f64>,
    /// The mean of the texts' scores, `p(positive) − p(negative)`.
    pub mean_score: f64,
}

/// Scores from `from` to `to` in equal bins; a score of exactly `to` is in the last bin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub from: f64,
    pub to: f64,
    pub counts: Vec<u64>,
}

/// The words that move sentiment most across the collection, by total move each way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Words {
    pub positive: Vec<WordSummary>,
    pub negative: Vec<WordSummary>,
    /// Words in the table.
    pub distinct: usize,
    /// Whether rare words were dropped to keep the table within [`MAX_WORDS`].
    pub dropped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WordSummary {
    /// Lower-cased.
    pub word: String,
    /// Occurrences.
    pub count: u64,
    /// Mean move per occurrence.
    pub mean: f64,
    /// The sum of its moves.
    pub total: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    pub group: String,
    #[serde(flatten)]
    pub counts: LabelCounts,
}
