//! The recipe against the `tokenizers` crate, on every character it takes and many generated texts.

use super::*;
use crate::tokenize::tests::{WORDS_TOKENIZER, xorshift};
use crate::tokenize::{Encoding, Tokenizer};

/// The recipe's encoding of `text`, which must take it, and the `tokenizers` crate's.
fn both(tokenizer: &Tokenizer, text: &str) -> (Encoding, Encoding) {
    let recipe = tokenizer.recipe.as_ref().expect("the tokenizer is a recipe");
    assert!(recipe.encode(text).is_some(), "the recipe takes {text:?}");
    (tokenizer.encode(text).expect("encodes"), tokenizer.encode_with_tokenizers(text).expect("encodes"))
}

#[test]
fn the_recipe_encodes_as_tokenizers_does() {
    let tokenizer = Tokenizer::from_bytes(WORDS_TOKENIZER).expect("loads");
    let texts = [
        "Don't, DON'T, can't, won't've, n't, xn't, n'tx, don'ts, isn't_ it's 'S 's 'sm 're 'ree 'll 'd 'm '",
        "I'm o'neill, rock'n'roll -- we'll see; you'd've _under_score_ 3.14 1,000 x2",
        "  tabs\tand\nnewlines\x0b\x0c\r  \x1c\x00 end ",
        "a supercalifragilisticexpialidociousnessabcdefghijklmnopqrstuvwxyz word zzzzqqqq",
        "~!@#$%^&*()_+`{}|\\:\";'<>,./ 1234567890",
        "see https://example.com/a?b=c and www.test.org -- great, http:// https://é wwww.x xhttp://a’b",
        "Not good. NOT BAD at all! The qwertyuiop of it, unbelievably.",
        "",
        "   ",
    ];
    for text in texts {
        let (fast, full) = both(&tokenizer, text);
        assert_eq!(fast, full, "{text:?}");
    }
    // Texts made of the pieces where the pre-tokenizer's rules meet, from a fixed seed; the last parts are
    // characters the recipe leaves to `tokenizers`.
    let parts = [
        "n",
        "N",
        "'",
        "t",
        "T",
        "'s",
        "'re",
        "'ve",
        "'ll",
        "'d",
        "'m",
        "n't",
        "do",
        "ca",
        "wo",
        " ",
        "  ",
        "\t",
        "\n",
        "_",
        "-",
        ".",
        "!",
        "?",
        "0",
        "42",
        "good",
        "bad",
        "not",
        "ing",
        "un",
        "movie",
        "zq",
        "x",
        "é",
        "É",
        "ñ",
        "ÿ",
        "’",
        "“",
        "”",
        "–",
        "—",
        "…",
        "\u{96}",
        "×",
        "½",
        "€",
        "http://",
        "www.",
        "https://x.co/a",
        "ß",
        "µ",
        "\u{a0}",
        "日",
        "👍",
    ];
    let others = ["ß", "µ", "\u{a0}", "日", "👍"];
    let recipe = tokenizer.recipe.as_ref().expect("the tokenizer is a recipe");
    let mut next = xorshift(0x2545_f491);
    let texts = (0..20_000).map(|_| (0..1 + next(24)).map(|_| parts[next(parts.len())]).collect::<String>());
    let compared = compare_with_tokenizers(&tokenizer, recipe, texts, &others);
    assert!(compared > 5_000, "{compared}");
}

#[test]
fn every_character_the_recipe_takes_beyond_ascii_encodes_as_tokenizers_does() {
    let tokenizer = Tokenizer::from_bytes(WORDS_TOKENIZER).expect("loads");
    let recipe = tokenizer.recipe.as_ref().expect("the tokenizer is a recipe");
    let mut taken = 0;
    for ch in (0x80..0x3000).filter_map(char::from_u32) {
        let text = format!("x{ch}y {ch} don{ch}t don't{ch} {ch}{ch}A{ch}");
        if recipe.encode(&text).is_some() {
            let (fast, full) = both(&tokenizer, &text);
            assert_eq!(fast, full, "{ch:?} (U+{:04X})", u32::from(ch));
            taken += 1;
        }
    }
    // C1 controls 31, Latin-1 symbols 28, × ÷, accented letters 53, U+2010–U+2027, € ™.
    assert_eq!(taken, 31 + 28 + 2 + 53 + 24 + 2, "characters taken beyond ASCII");
}

#[test]
fn the_recipe_leaves_brackets_and_unicode_to_tokenizers() {
    let tokenizer = Tokenizer::from_bytes(WORDS_TOKENIZER).expect("loads");
    let recipe = tokenizer.recipe.as_ref().expect("the tokenizer is a recipe");
    // The shipped file has added tokens (`[UNK]`, `[url]`), matched before the normalizers.
    for text in ["[UNK] and [url] and [URL]", "a [ b", "straße", "日本", "see https://日本.jp"] {
        assert_eq!(recipe.encode(text), None, "{text:?}");
    }
    // Another pre-tokenizer: not the recipe.
    let mut value: serde_json::Value = serde_json::from_slice(WORDS_TOKENIZER).expect("JSON");
    value["pre_tokenizer"] = serde_json::json!({ "type": "Whitespace" });
    let other = Tokenizer::from_bytes(value.to_string().as_bytes()).expect("loads");
    assert!(other.recipe.is_none());
}

const POSTS: &[u8] = include_bytes!("../../../../models/sentir-en-posts/tokenizer.json");

/// The posts model's tokenizer and its emoticons, in its pattern's order.
fn posts() -> (Tokenizer, Vec<String>) {
    let tokenizer = Tokenizer::from_bytes(POSTS).expect("loads");
    let Some(Recipe { pipeline: Pipeline::Posts(emoticons), .. }) = &tokenizer.recipe else {
        unreachable!("the posts tokenizer is the posts recipe: {:?}", tokenizer.recipe.as_ref().map(|r| &r.pipeline))
    };
    let list = emoticons.list.iter().map(|emoticon| emoticon.text.to_string()).collect();
    (tokenizer, list)
}

#[test]
fn the_posts_tokenizer_is_the_posts_recipe_and_a_changed_one_is_not() {
    let (_, emoticons) = posts();
    assert!(emoticons.len() > 200 && emoticons.iter().any(|e| e == ":)") && emoticons.iter().any(|e| e == "xd"));
    let value: serde_json::Value = serde_json::from_slice(POSTS).expect("JSON");
    let recipe = |value: &serde_json::Value| {
        let tokenizer = Tokenizer::from_bytes(value.to_string().as_bytes()).expect("loads");
        tokenizer.recipe.map(|recipe| matches!(recipe.pipeline, Pipeline::Posts(_)))
    };
    assert_eq!(recipe(&value), Some(true));
    let pattern = value["pre_tokenizer"]["pattern"]["Regex"].as_str().expect("a pattern").to_owned();
    // Each a change to the pre-tokenizer's pattern that `emoticon_pattern` would not make: `(from, to)`.
    let patterns = [
        (r"|:\-\(|:\-\)|:\-\*|", r"|:\-\(|:\-\)|:\-\-\)|:\-\*|"), // one added, out of order
        (r"|:\-\(|:\-\)|:\-\*|", r"|:\-\)|:\-\(|:\-\*|"),         // two swapped
        (r"(?<!\w)xd(?!\w)", r"(?<!\w)xd"),                       // a lookahead left out
        (r"(?<!\w)xd(?!\w)", r"xd(?!\w)"),                        // a lookbehind left out
        (r"|:\)|", r"|:\)(?!\w)|"),                               // a lookahead added
        (r"|:\)|", r"|\:\)|"),                                    // escaped differently
        (r"(?<!\d)(?:", "(?:"),                                   // the digit rule left out
        (r"\[url\]|\[user\]|", r"\[url\]|"),                      // a placeholder left out
        (r"|\p{Regional_Indicator}{2}", ""),                      // flags left out
        (r"'(?:s|re|ve|ll|d|m)\b", r"'(?:s|re|ve|ll|d)\b"),       // a contraction left out
        (r"|\w+|\S", r"|\w+|\S|\s"),                              // a rule added
    ];
    for (from, to) in patterns {
        assert_eq!(pattern.matches(from).count(), 1, "{from}");
        let mut changed = value.clone();
        changed["pre_tokenizer"]["pattern"]["Regex"] = pattern.replacen(from, to, 1).into();
        assert_ne!(recipe(&changed), Some(true), "{from} -> {to}");
    }
    // Each normalizer left out in turn, or changed.
    let normalizers = value["normalizer"]["normalizers"].as_array().expect("a sequence").clone();
    assert_eq!(normalizers.len(), 3 + 4 + 29);
    for left_out in 0..normalizers.len() {
        let mut changed = value.clone();
        changed["normalizer"]["normalizers"].as_array_mut().expect("a sequence").remove(left_out);
        assert_eq!(recipe(&changed), None, "normalizer {left_out} left out");
    }
    let edits: [(&str, serde_json::Value); 5] = [
        ("/normalizer/normalizers/1/content", " [mention] ".into()),
        ("/normalizer/normalizers/1/pattern/Regex", r"@\w+".into()),
        ("/normalizer/normalizers/7/pattern/Regex", "(?<=aa)a".into()),
        ("/pre_tokenizer/behavior", "Isolated".into()),
        ("/pre_tokenizer/invert", false.into()),
    ];
    for (pointer, to) in edits {
        let mut changed = value.clone();
        *changed.pointer_mut(pointer).expect(pointer) = to;
        assert_eq!(recipe(&changed), None, "{pointer}");
    }
    let mut changed = value.clone();
    changed["normalizer"]["normalizers"].as_array_mut().expect("a sequence").swap(5, 6);
    assert_eq!(recipe(&changed), None, "Lowercase and StripAccents swapped");
    let mut changed = value.clone();
    changed["model"]["continuing_subword_prefix"] = "@@".into();
    assert_eq!(recipe(&changed), None, "another continuation prefix");
    // A pattern that `emoticon_pattern` makes from another list (a retrained tokenizer's) is the recipe, with
    // that list.
    let mut shorter = value.clone();
    shorter["pre_tokenizer"]["pattern"]["Regex"] =
        pattern.replacen(r"|:\-\(|:\-\)|", r"|:\-\(|", 1).replacen(r"|(?<!\w)xd(?!\w)|", "|", 1).into();
    assert_eq!(recipe(&shorter), Some(true));
    // And encodes as `tokenizers` does, without them.
    let shorter = Tokenizer::from_bytes(shorter.to_string().as_bytes()).expect("loads");
    for text in [":-) xd :) xD:-(", "a:-)b"] {
        let (fast, full) = both(&shorter, text);
        assert_eq!(fast, full, "{text:?}");
    }
}

/// Texts made of `parts` from a fixed seed, one in `1 / rare` of the parts drawn from `others`.
/// Each text with a character of `others` is refused by the recipe; every other is encoded by the recipe as
/// `tokenizers` encodes it. Returns how many were compared, for the caller to check the recipe took enough.
fn compare_with_tokenizers(
    tokenizer: &Tokenizer,
    recipe: &Recipe,
    texts: impl IntoIterator<Item = String>,
    others: &[&str],
) -> usize {
    let mut compared = 0;
    for text in texts {
        if others.iter().any(|other| text.contains(other)) {
            assert_eq!(recipe.encode(&text), None, "{text:?}");
        } else {
            let (fast, full) = both(tokenizer, &text);
            assert_eq!(fast, full, "{text:?}");
            compared += 1;
        }
    }
    compared
}

fn generated<'a>(parts: &'a [&'a str], others: &'a [&'a str], rare: usize) -> impl Iterator<Item = String> + 'a {
    let mut next = xorshift(0x2545_f491);
    std::iter::repeat_with(move || {
        let count = 1 + next(24);
        (0..count)
            .map(|_| if next(rare) == 0 { others[next(others.len())] } else { parts[next(parts.len())] })
            .collect()
    })
}

#[test]
fn the_posts_recipe_encodes_as_tokenizers_does() {
    let (tokenizer, emoticons) = posts();
    let recipe = tokenizer.recipe.as_ref().expect("the posts recipe");
    let texts = [
        ":) great :( xD :Dgreat 10:30 :3 x:3 a:3 1:3 :3a <3 <33 </3 <3333333333 lol<3 ;) ;-) :-))))))))",
        ":)))))))))))) :-)))))))))) :(((( :-(((((( 8-) 8) 8-D B-) :-þ",
        "soooooo goooood!!!!!! ....  AAAAH whyyyy??? ?!?!?!! ....... .. zzzzz xddddd :DDDD <3333",
        "I can't, won't, don't; it's they're we've you'll he'd I'm xDD XD Xd xd! (xd) x-d xp XP",
        "#hashtag #BlackLivesMatter #1 ##x #:) #xd",
        "@united @ @@bob a@b x@y.com .@bob (@bob) @bob's @bob_1:) @josé @AAAAH @bobhttp://x @1",
        "see https://t.co/abc?x=1 and http://x, www.example.com https:// http:// www. wwww.x xhttp://a",
        "[url] [user] [URL] [USER] [ :[ ]: [: [url]:) [[user]] [u :-[ >:[",
        "^_^ ^^ -_- >_< o_o O_O t_t T_T o_0 \\o/ d: D: s: o: xo:) 0:) 0:-) o:-) 3:) 3:-)",
        "café CAFÉ naïve ÀÀÀÀH ééééé “quoted” — dash … ellipsis ©®™ 50€",
        "",
        "   ",
    ];
    for text in texts.iter().filter(|text| !text.contains('þ')) {
        let (fast, full) = both(&tokenizer, text);
        assert_eq!(fast, full, "{text:?}");
    }
    // Every emoticon it can take, alone and in contexts: after a digit, between letters, doubled, cased.
    let mut taken = 0;
    for emoticon in &emoticons {
        if !takes(emoticon, recipe.pictographs()) {
            assert_eq!(recipe.encode(emoticon), None, "{emoticon:?}");
            continue;
        }
        let upper = emoticon.to_uppercase();
        let contexts = [
            emoticon.clone(),
            format!("a{emoticon}b"),
            format!("1{emoticon}1"),
            format!("x {emoticon} y"),
            format!("{emoticon}{emoticon}{emoticon}"),
            format!("{emoticon}x{emoticon}_"),
            format!("_{emoticon}. {upper}!"),
            format!("don{emoticon}'t it{emoticon}'s"),
            format!("@bob{emoticon} http://x{emoticon} {emoticon}www.x"),
        ];
        for text in &contexts {
            let (fast, full) = both(&tokenizer, text);
            assert_eq!(fast, full, "{text:?}");
        }
        taken += 1;
    }
    assert!(taken > 200, "{taken}");
    // Texts of the pieces where the rules meet, the file's emoticons among them; the others are characters
    // the recipe leaves to `tokenizers`.
    let mut parts = vec![
        ":",
        ";",
        "=",
        "-",
        ")",
        "(",
        "d",
        "D",
        "p",
        "P",
        "x",
        "X",
        "o",
        "O",
        "3",
        "<",
        ">",
        "/",
        "\\",
        "^",
        "_",
        "'",
        "[",
        "]",
        "{",
        "}",
        "|",
        "*",
        "#",
        "!",
        "!!!",
        "?",
        "??",
        ".",
        "...",
        "0",
        "1",
        "10",
        " ",
        "  ",
        " ",
        "\n",
        "\t",
        "so",
        "ooo",
        "oooo",
        "a",
        "AAAA",
        "h",
        "s",
        "t",
        "n",
        "n't",
        "'s",
        "'re",
        "'m",
        "don",
        "ca",
        "wo",
        "good",
        "bad",
        "not",
        "lol",
        "haha",
        "url",
        "user",
        "@",
        "@",
        "@bob",
        "@United",
        "http://",
        "https://t.co/x",
        "www.",
        "www.x.com",
        "http",
        "[url]",
        "[user]",
        "é",
        "É",
        "’",
        "—",
        "…",
        "©",
    ];
    let taken: Vec<String> = emoticons
        .iter()
        .filter(|emoticon| takes(emoticon, recipe.pictographs()))
        .flat_map(|emoticon| [emoticon.clone(), emoticon.to_uppercase()])
        .collect();
    parts.extend(taken.iter().map(String::as_str));
    let others = ["þ", "日", "\u{a0}", "🅰", "Ⓜ", "\u{20e3}"];
    let compared = compare_with_tokenizers(&tokenizer, recipe, generated(&parts, &others, 60).take(20_000), &others);
    assert!(compared > 14_000, "the recipe took {compared} of 20,000");
    // With emoji among the pieces: flags, skin tones, variation selectors and joiners anywhere, so that many texts
    // have them where the recipe does not vouch for them; it must encode every text it takes as `tokenizers` does.
    parts.extend([
        "♥", "❤", "👍", "👍", "🔥", "🙄", "🤦", "😂", "😂😂", "👨", "👩", "💻", "🏳", "🌈", "🏽", "🏻", "\u{fe0f}",
        "\u{fe0f}", "\u{200d}", "\u{200d}", "🇫", "🇷", "🇺🇸", "©", "™", "‼", "☺", "☹", "🅰", "Ⓜ",
    ]);
    let (mut taken, mut emoji) = (0, 0);
    for text in generated(&parts, &others, 60).take(6_000) {
        if recipe.encode(&text).is_some() {
            let (fast, full) = both(&tokenizer, &text);
            assert_eq!(fast, full, "{text:?}");
            taken += 1;
            emoji += usize::from(!text.chars().all(|ch| normalize_char(ch).is_some()));
        }
    }
    assert!(taken > 3_500 && emoji > 1_200, "the recipe took {taken} of 6,000, {emoji} with emoji");
}

#[test]
fn every_pictograph_the_posts_recipe_takes_encodes_as_tokenizers_does() {
    let (tokenizer, _) = posts();
    let recipe = tokenizer.recipe.as_ref().expect("the posts recipe");
    let emoji = recipe.pictographs().expect("the posts recipe reads emoji");
    let (mut taken, mut refused) = (0, 0);
    for ch in emoji.ranges.iter().flat_map(|&(start, end)| start..=end) {
        let text = format!("{ch} x{ch}y @bob{ch} {ch}\u{fe0f}{ch}\u{200d}{ch} {ch}🏽!! :){ch}:( don't{ch} 🇫🇷{ch}");
        match recipe.encode(&text) {
            Some(_) => {
                let (fast, full) = both(&tokenizer, &text);
                assert_eq!(fast, full, "{ch:?} (U+{:04X})", u32::from(ch));
                taken += 1;
            }
            None => {
                assert!(ch.is_alphanumeric() || !is_caseless(ch), "{ch:?} (U+{:04X}) refused", u32::from(ch));
                refused += 1;
            }
        }
    }
    assert!(taken > 3_000 && refused < 100, "{taken} taken, {refused} refused");
    // Sequences: a family, a flag, a rainbow flag, a skin tone, a keycap (U+20E3: left to `tokenizers`).
    for text in ["👨\u{200d}👩\u{200d}👧 ok", "🇫🇷🇫 go", "🏳\u{fe0f}\u{200d}🌈!", "👍🏽👍🏻 yes", "🏽 alone", "❤\u{fe0f}@bob"]
    {
        let (fast, full) = both(&tokenizer, text);
        assert_eq!(fast, full, "{text:?}");
    }
    for text in ["1\u{fe0f}\u{20e3}", "a\u{200d}b", "x\u{fe0f}", "@bob\u{fe0f}", "👍\u{200d}", "👍\u{200d}x"] {
        assert_eq!(recipe.encode(text), None, "{text:?}");
    }
}
