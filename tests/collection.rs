//! `sentir::collection`: a collection's briefs agree with single analyses, its aggregates add up, a bad text is counted
//! and costs only itself, groups are counted apart, and collections made separately merge into the collection
//! made at once. With sentir-en-posts-distilled, the default model; natively, in node and in headless Chromium (the page's path).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use sentir::collection::{HISTOGRAM_BINS, STRONGEST_WORDS};
use sentir::{Collection, Error};
use sentir_tests::posts_distilled;

const POSTS: [&str; 8] = [
    "@united lost my bags again, worst airline ever",
    "the new update is great, love the dark mode 😍",
    "Parliament meets again in January.",
    "not bad at all for $20",
    "ugh, delayed AGAIN 😡😡",
    "thanks for the quick reply!",
    "https://example.com/a new blog post",
    "the soup was cold and the waiter was rude",
];

#[test]
fn briefs_agree_with_single_analyses() {
    let analyzer = posts_distilled::analyzer();
    let mut collection = Collection::new(&analyzer);
    let briefs = collection.add_batch(&analyzer, &POSTS, None, None).expect("the batch runs");
    assert_eq!(briefs.len(), POSTS.len());
    for (text, brief) in POSTS.iter().zip(briefs) {
        let brief = brief.expect("every post analyses");
        let analysis = analyzer.analyze(text).expect("analyses");
        assert_eq!(brief.label, analysis.label, "{text}");
        let p = |label: &str| analysis.probabilities.get(label).expect("a label");
        for ((label, expected), (_, got)) in analysis.probabilities.0.iter().zip(&brief.probabilities.0) {
            assert!((expected - got).abs() < 1e-6, "{text}: p({label}) {got} against {expected}");
        }
        assert!((brief.score - (p("positive") - p("negative"))).abs() < 1e-6, "{text}");
        // The strongest words are the analysis's words with the largest absolute scores, strongest first.
        assert!(brief.words.len() <= STRONGEST_WORDS);
        assert!(brief.words.windows(2).all(|w| w[0].score.abs() >= w[1].score.abs()), "{text}");
        let strongest = analysis.words.iter().map(|w| w.score.abs()).fold(0.0, f32::max);
        assert_eq!(brief.words.first().map(|w| w.score.abs()), Some(strongest), "{text}");
        for word in &brief.words {
            assert_eq!(&text[word.start..word.end], word.text);
        }
    }
}

#[test]
fn aggregates_add_up() {
    let analyzer = posts_distilled::analyzer();
    let mut collection = Collection::new(&analyzer);
    let briefs: Vec<_> = collection
        .add_batch(&analyzer, &POSTS, None, None)
        .expect("the batch runs")
        .into_iter()
        .map(|b| b.expect("analyses"))
        .collect();
    let summary = collection.summary();
    assert_eq!(summary.all.texts, POSTS.len() as u64);
    assert_eq!(summary.failed, 0);
    for (label, count) in &summary.all.counts.0 {
        assert_eq!(*count, briefs.iter().filter(|b| &b.label == label).count() as u64, "{label}");
    }
    let shares: f64 = summary.all.shares.0.iter().map(|(_, s)| s).sum();
    assert!((shares - 1.0).abs() < 1e-9);
    assert_eq!(summary.histogram.counts.len(), HISTOGRAM_BINS);
    assert_eq!(summary.histogram.counts.iter().sum::<u64>(), POSTS.len() as u64);
    let mean = briefs.iter().map(|b| f64::from(b.score)).sum::<f64>() / briefs.len() as f64;
    assert!((summary.all.mean_score - mean).abs() < 1e-6);
    // "worst" moves towards negative wherever it is; "the" occurs in three posts.
    let negative: Vec<&str> = summary.words.negative.iter().map(|w| w.word.as_str()).collect();
    assert!(negative.contains(&"worst"), "{negative:?}");
    let all = summary.words.positive.iter().chain(&summary.words.negative);
    assert!(all.clone().all(|w| (w.mean * w.count as f64 - w.total).abs() < 1e-9));
    assert!(all.clone().all(|w| w.word.chars().any(|c| !c.is_ascii_punctuation())), "punctuation is no word");
    assert!(summary.words.positive.windows(2).all(|w| w[0].total >= w[1].total));
    assert!(summary.words.negative.windows(2).all(|w| w[0].total <= w[1].total));
    assert!(!summary.words.dropped);
}

#[test]
fn a_bad_text_is_counted_and_costs_only_itself() {
    let analyzer = posts_distilled::analyzer();
    let mut collection = Collection::new(&analyzer);
    let huge = "word ".repeat(100_000);
    let texts = ["good", huge.as_str(), "bad"];
    let briefs = collection.add_batch(&analyzer, &texts, None, None).expect("the batch runs");
    assert!(briefs[0].is_ok() && briefs[2].is_ok());
    assert!(matches!(briefs[1], Err(Error::TooLong { .. })), "{:?}", briefs[1]);
    collection.count_failed();
    let summary = collection.summary();
    assert_eq!((summary.all.texts, summary.failed, collection.texts()), (2, 2, 4));
}

#[test]
fn groups_are_counted_apart_and_collections_merge() {
    let analyzer = posts_distilled::analyzer();
    let groups = ["air", "app", "news", "deals", "air", "app", "news", "food"];
    let mut whole = Collection::new(&analyzer);
    whole.add_batch(&analyzer, &POSTS, Some(&groups), None).expect("the batch runs");
    let (mut first, mut second) = (Collection::new(&analyzer), Collection::new(&analyzer));
    first.add_batch(&analyzer, &POSTS[..3], Some(&groups[..3]), None).expect("runs");
    second.add_batch(&analyzer, &POSTS[3..], Some(&groups[3..]), None).expect("runs");
    first.merge(second);

    let (whole, merged) = (whole.summary(), first.summary());
    assert_eq!(merged.all.counts, whole.all.counts);
    assert_eq!(merged.histogram, whole.histogram);
    let names = |s: &sentir::Summary| s.groups.iter().map(|g| (g.group.clone(), g.counts.texts)).collect::<Vec<_>>();
    assert_eq!(names(&merged), names(&whole));
    // Most texts first, then by name.
    assert_eq!(
        names(&whole),
        [("air", 2), ("app", 2), ("news", 2), ("deals", 1), ("food", 1)].map(|(g, n)| (g.to_owned(), n))
    );
    for (a, b) in merged.words.negative.iter().zip(&whole.words.negative) {
        assert_eq!((&a.word, a.count), (&b.word, b.count));
        assert!((a.total - b.total).abs() < 1e-9);
    }
}

#[test]
fn an_empty_group_is_none_and_the_text_counts_in_the_whole_only() {
    let analyzer = posts_distilled::analyzer();
    let mut collection = Collection::new(&analyzer);
    collection.add_batch(&analyzer, &["great", "awful", "fine"], Some(&["a", "", "a"]), None).expect("runs");
    let summary = collection.summary();
    assert_eq!(summary.all.texts, 3);
    let groups: Vec<_> = summary.groups.iter().map(|g| (g.group.as_str(), g.counts.texts)).collect();
    assert_eq!(groups, [("a", 2)]);
}

#[test]
fn times_give_counts_per_hour_day_or_week_as_the_span_suits() {
    let analyzer = posts_distilled::analyzer();
    let posts = ["great", "awful", "fine", "meh", "love it"];
    let summary = |times: [&str; 5]| {
        let mut collection = Collection::new(&analyzer);
        collection.add_batch(&analyzer, &posts, None, Some(&times)).expect("the batch runs");
        collection.summary().periods
    };
    // Within a few hours: per hour, every hour listed, empty ones too.
    let hours =
        summary(["2024-03-05T10:15:00Z", "2024-03-05T10:45:00Z", "2024-03-05T13:00:00+01:00", "", "1709640000"]);
    assert_eq!(hours.unit, "hour");
    assert_eq!(hours.undated, 1);
    let listed: Vec<(&str, u64)> = hours.periods.iter().map(|p| (p.start.as_str(), p.counts.texts)).collect();
    assert_eq!(listed, [("2024-03-05T10:00Z", 2), ("2024-03-05T11:00Z", 0), ("2024-03-05T12:00Z", 2)]);
    // Over a month: per day. Over a year: per week, Monday first (2024-03-04 was a Monday).
    let days = summary(["2024-03-05", "2024-03-05T23:59:59Z", "2024-04-01", "2024-04-02", "2024-03-20"]);
    assert_eq!((days.unit, days.periods.len(), days.periods[0].start.as_str()), ("day", 29, "2024-03-05"));
    assert_eq!(days.periods[0].counts.texts, 2);
    let weeks = summary(["2024-03-05", "2024-03-10T23:00:00Z", "2024-03-11", "2025-01-01", "not a date"]);
    assert_eq!((weeks.unit, weeks.periods[0].start.as_str(), weeks.periods[0].counts.texts), ("week", "2024-03-04", 2));
    assert_eq!((weeks.periods[1].start.as_str(), weeks.periods[1].counts.texts), ("2024-03-11", 1));
    assert_eq!(weeks.periods.iter().map(|p| p.counts.texts).sum::<u64>() + weeks.undated, 5);
}
