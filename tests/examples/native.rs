//! The SIMD kernel natively on one thread, at every width this machine runs, side by side in one run: the forward
//! pass an analysis makes (every prefix's logits, and the states) over posts in batches, posts per second, and each
//! width's rate over the 4-lane one's. `bench/native.py` runs it pinned to one core, beside ONNX Runtime on the
//! same token ids (`--ids`), and writes `bench/results/native.md`.
//!
//!     cargo run --release -p sentir-tests --example native -- [--model models/default] [--posts FILE]
//!         [--batch 256] [--rounds 5] [--ids OUT.json]
//!
//! `--posts`: a TSV whose first column is the text, a header line first (default: the tweets' test split, from
//! `scripts/data.py`). The best of `--rounds` passes over every post counts: the machine is shared and noisy. The
//! last line of the output is JSON, for the script.

use std::time::Instant;

use sentir::Analyzer;
use sentir::recurrent::simd::{self, Packed, Width};

struct Args {
    model: String,
    posts: String,
    batch: usize,
    rounds: usize,
    ids: Option<String>,
}

fn args() -> Args {
    let mut args = Args {
        model: "models/default".to_owned(),
        posts: "data/tweets/test.tsv".to_owned(),
        batch: 256,
        rounds: 5,
        ids: None,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let value = given.next().unwrap_or_else(|| panic!("{flag} takes a value"));
        match flag.as_str() {
            "--model" => args.model = value,
            "--posts" => args.posts = value,
            "--batch" => args.batch = value.parse().expect("--batch takes a number"),
            "--rounds" => args.rounds = value.parse().expect("--rounds takes a number"),
            "--ids" => args.ids = Some(value),
            other => panic!("unknown flag {other}: --model, --posts, --batch, --rounds or --ids"),
        }
    }
    args
}

/// The model folder `dir` (`Analyzer::from_bytes`, which builds for wasm too, where this example is only checked).
fn load(dir: &str) -> Analyzer {
    let read = |name: &str| std::fs::read(format!("{dir}/{name}")).unwrap_or_else(|e| panic!("{dir}/{name}: {e}"));
    let config = read("config.json");
    let value: serde_json::Value = serde_json::from_slice(&config).expect("config.json is JSON");
    let file = |key: &str| value[key].as_str().unwrap_or_else(|| panic!("config.json names no {key}")).to_owned();
    let (weights, tokenizer) = (read(&file("weights")), read(&file("tokenizer")));
    Analyzer::from_bytes(&config, &weights, &tokenizer).unwrap_or_else(|e| panic!("{dir}: {e}"))
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|z| (z - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

fn argmax(values: &[f32]) -> Option<usize> {
    (0..values.len()).max_by(|&a, &b| values[a].total_cmp(&values[b]))
}

fn main() {
    let args = args();
    let analyzer = load(&args.model);
    let text = std::fs::read_to_string(&args.posts)
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/data.py builds the splits)", args.posts));
    let ids: Vec<Vec<u32>> = text
        .lines()
        .skip(1)
        .map(|line| line.split('\t').next().unwrap_or_default())
        .map(|post| analyzer.tokenizer().encode(post).expect("the post tokenizes").ids)
        .filter(|ids| !ids.is_empty())
        .collect();
    let tokens: usize = ids.iter().map(Vec::len).sum();
    if let Some(path) = &args.ids {
        std::fs::write(path, serde_json::to_string(&ids).expect("ids as JSON")).expect("writes the ids");
    }
    let batches: Vec<Vec<&[u32]>> = ids.chunks(args.batch).map(|b| b.iter().map(Vec::as_slice).collect()).collect();
    let model = analyzer.model();
    println!("{} posts, {tokens} tokens, batches of {}, model {}", ids.len(), args.batch, args.model);
    println!("| kernel | posts/s | tokens/s | ÷ 4 lanes |");
    println!("|---|---:|---:|---:|");
    // Each round times every width once, so that a change in the machine's load falls on all of them alike.
    let kernels: Vec<(Width, Packed)> =
        Width::available().into_iter().map(|w| (w, Packed::with_width(model, w))).collect();
    let pass = |packed: &Packed| {
        let started = Instant::now();
        let mut sink = 0.0;
        for batch in &batches {
            let traces = simd::forward_batch(model, packed, batch).expect("the kernel runs");
            sink += traces.iter().map(|trace| trace.logits_at(trace.steps)[0]).sum::<f32>();
        }
        assert!(sink.is_finite(), "the logits are finite");
        started.elapsed().as_secs_f64()
    };
    let mut best = vec![f64::INFINITY; kernels.len()];
    for round in 0..=args.rounds {
        for ((_, packed), best) in kernels.iter().zip(&mut best) {
            let seconds = pass(packed);
            // Round 0 fills the vocabulary tables.
            if round > 0 {
                *best = best.min(seconds);
            }
        }
    }
    // Outputs unchanged: every width's label (the most probable after the last token) is the 4-lane path's, and
    // its probabilities close.
    let last = |packed: &Packed| -> Vec<Vec<f32>> {
        let traces =
            batches.iter().flat_map(|batch| simd::forward_batch(model, packed, batch).expect("the kernel runs"));
        traces.map(|trace| softmax(trace.logits_at(trace.steps))).collect()
    };
    let four = last(&kernels[0].1);
    for (width, packed) in &kernels[1..] {
        let (mut labels, mut largest) = (0, 0.0f32);
        for (a, b) in four.iter().zip(last(packed)) {
            labels += usize::from(argmax(a) != argmax(&b));
            largest = a.iter().zip(&b).map(|(a, b)| (a - b).abs()).fold(largest, f32::max);
        }
        println!("{} lanes against 4: {labels} labels differ, probabilities at most {largest:e} apart", width.lanes());
    }
    let rates: Vec<(Width, f64)> = kernels.iter().zip(&best).map(|((w, _), s)| (*w, ids.len() as f64 / s)).collect();
    for (width, rate) in &rates {
        println!(
            "| {}, {} lanes | {rate:.0} | {:.0} | {:.2}x |",
            width.instructions(),
            width.lanes(),
            rate / ids.len() as f64 * tokens as f64,
            rate / rates[0].1
        );
    }
    let json: Vec<String> = rates
        .iter()
        .map(|(width, rate)| {
            format!(
                "{{\"kernel\": \"{}\", \"lanes\": {}, \"posts_per_s\": {rate:.1}}}",
                width.instructions(),
                width.lanes()
            )
        })
        .collect();
    println!("{{\"posts\": {}, \"tokens\": {tokens}, \"rates\": [{}]}}", ids.len(), json.join(", "));
}
