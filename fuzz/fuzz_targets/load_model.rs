//! Model loading on arbitrary files: `Analyzer::from_bytes` must return a model or a typed error, never panic.
//!
//! The input is the three files one after the other, `config.json`, `model.safetensors` and `tokenizer.json`,
//! each but the last preceded by its length as a little-endian `u32` (`fuzz/seeds.sh` writes the tiny model in
//! this form as the seed), so that the fuzzer mutates inside each file as well as across them.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The next `u32`-length-prefixed part of `data`, or the rest when the prefix is missing or too long.
fn part<'a>(data: &mut &'a [u8]) -> &'a [u8] {
    let Some((prefix, rest)) = data.split_first_chunk::<4>() else {
        return std::mem::take(data);
    };
    let len = (u32::from_le_bytes(*prefix) as usize).min(rest.len());
    let (part, rest) = rest.split_at(len);
    *data = rest;
    part
}

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let config = part(&mut data);
    let weights = part(&mut data);
    let tokenizer = data;
    if let Ok(analyzer) = sentir::Analyzer::from_bytes(config, weights, tokenizer) {
        // A model that loads must analyse too (or refuse the text with a typed error).
        let _ = analyzer.analyze("not good, but wonderful 👍🏽");
    }
});
