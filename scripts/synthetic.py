"""Short labelled sentences made from the AFINN lexicon, to teach what the movie data rarely shows: negation
("not good", "don't like", "wasn't bad") and contrast ("X, but Y"), on the things people review besides films.

Every sentiment word, and the sign it carries, comes from AFINN-165; the lists below only say which of its words
are adjectives and verbs, so that the templates stay grammatical. Subjects that occur anywhere in
tests/behaviour/behaviour.tsv or tests/behaviour/suite.tsv are left out, so that the behavioural tests keep
measuring sentences about things the model never saw in a template; the idiom templates may not share a phrase
with them either, and a fifth of those templates is kept for validation only.
"""

import functools
import random
import re
import sys

from evaluate import ROOT

ADJECTIVES = """
    good great nice fine excellent amazing awesome wonderful fantastic perfect lovely beautiful brilliant
    delicious comfortable friendly helpful happy pleasant impressive enjoyable fun funny interesting superb
    outstanding fabulous glad satisfied reliable fresh clean easy smart cool charming elegant
    bad terrible awful horrible poor boring disappointing ugly rude dirty broken useless annoying stupid
    dull lame worse weak pathetic disgusting frustrating unhappy painful dreadful nasty sad confusing noisy
""".split()
VERBS = "like love enjoy recommend appreciate trust adore hate dislike regret".split()
SUBJECTS = """
    movie film story ending acting plot show book album song game app update laptop tablet keyboard screen
    camera printer speaker car bike jacket dress shirt bag chair bed sofa blender kettle coffee tea pizza
    burger soup salad dessert steak breakfast dinner staff waiter manager seller shop store restaurant cafe
    bar room flight driver price quality design sound picture course teacher doctor website watch lamp
    mattress sandwich noodles sushi wine beer hostel apartment taxi bus train concert museum gym hairdresser
    plumber software router monitor mouse
""".split()
BE = [("is", "isn't"), ("was", "wasn't")]
ADVERBS = ["", "", "", "really ", "very ", "so ", "pretty ", "quite ", "truly "]
ENDS = [".", ".", "!", "", "..."]
DO_NOT = ["don't", "do not", "didn't", "did not", "won't", "would not", "never", "can't"]


def subjects():
    """SUBJECTS less every word of the behavioural tests."""
    behaviour = "\n".join((ROOT / "tests" / "behaviour" / name).read_text(encoding="utf-8").lower()
                          for name in ("behaviour.tsv", "suite.tsv"))
    return sorted(set(SUBJECTS) - set(re.findall(r"\w+", behaviour)))


def lexicon_words(afinn):
    """{word: sign} for the template words, checked against `afinn` (a word missing from it is a bug here)."""
    missing = [w for w in ADJECTIVES + VERBS if w not in afinn]
    if missing:
        raise SystemExit(f"scripts/synthetic.py: not in AFINN-165: {missing}")
    return {w: 1 if afinn[w] > 0 else -1 for w in ADJECTIVES + VERBS}


def clause(rng, signs, nouns):
    """(text, label) of one clause: a subject described or a verb of liking, negated half of the time."""
    negated = rng.random() < 0.5
    subject = f"the {rng.choice(nouns)}"
    if rng.random() < 0.7:
        word = rng.choice(ADJECTIVES)
        be, be_not = rng.choice(BE)
        verb = rng.choice([be_not, f"{be} not", f"{be} never"]) if negated else be
        text = f"{subject} {verb} {rng.choice(ADVERBS)}{word}"
    else:
        word = rng.choice(VERBS)
        verb = f"{rng.choice(DO_NOT)} {word}" if negated else rng.choice(["", "really "]) + word
        text = f"i {verb} {subject}"
    sign = -signs[word] if negated else signs[word]
    return text, int(sign > 0)


def sentences(count, seed, afinn):
    """`count` (text, label) pairs, signs from `afinn` ({word: score}): single clauses, and two clauses of opposite
    labels joined by a contrast word (the label is the second clause's)."""
    rng, signs, nouns, out = random.Random(seed), lexicon_words(afinn), subjects(), []
    while len(out) < count:
        text, label = clause(rng, signs, nouns)
        if rng.random() < 0.3:
            second, second_label = clause(rng, signs, nouns)
            if second_label == label:
                continue
            text, label = f"{text}, {rng.choice(['but', 'but', 'however', 'yet', 'though'])} {second}", second_label
        text = text[0].upper() + text[1:] + rng.choice(ENDS)
        out.append((text, label))
    return out


# Everyday idioms whose sign the words alone get wrong: negated negatives that praise ("nothing to dislike") and
# negated or faint praise that complains ("nothing to get excited about"); and plain facts, good or bad, without
# sentiment words, so that "never" and "no" do not always mean praise ("was never delivered", "had no record").
# Written from general English usage, each a template over the subjects above: `{x}` is "the <subject>", `{n}` the
# bare subject, `{d}` a span of time. None may share four words in a row with a behavioural test (`check_templates`).
PRAISE = """
    no regrets at all about {x}|{x} has been nothing but a pleasure|{x} has yet to let me down
    hard to find anything to dislike about {x}|nothing to dislike about {x}|not a thing wrong with {x}
    {x} is not half bad|{x} wasn't half bad|{x} gave me no trouble at all|not once has {x} given me trouble
    {x} hasn't given me a moment's trouble|i can't think of a single downside to {x}
    there's no downside to {x} that i can see|i don't have a bad word for {x}|{x} isn't perfect, but it's close
    you won't be disappointed with {x}|you won't regret picking {x}|never once regretted getting {x}
    don't hesitate to get {x}|don't sleep on {x}|{x} is no slouch|{x} is nothing to sneeze at
    nobody does it better than {x}|no one beats {x}|nothing beats {x}|nothing comes close to {x}
    {x} is second to none|i didn't expect to like {x} this much|i didn't think {x} could be this good
    {x} didn't let me down|{x} isn't overrated, it's the real deal|{x} isn't overpriced for what you get
    {x} is not as bad as people say|i don't begrudge a penny spent on {x}|i don't know how i lived without {x}
    i can't imagine life without {x}|i can't get enough of {x}|{x} never gets old|{x} doesn't miss
    no notes on {x}, it's spot on|{x} leaves nothing to be desired|i was never once bored by {x}
    {x} went off without a hiccup|nothing went wrong with {x}, start to finish
    {x} worked without a hitch|i won't hear a word against {x}|i wouldn't trade {x} for anything
    no need to look further than {x}|{x} hasn't put a foot wrong|there's no catch with {x}, it just works
    i had no reason to doubt {x}|it's not often a {n} surprises me like this|i wouldn't hesitate to get {x} again
""".strip().replace("\n", "|").split("|")
COMPLAINT = """
    {x} is nothing to get excited about|{x} was nothing out of the ordinary|i wouldn't bother with {x}
    don't bother with {x}|{x} is not all it's cracked up to be|{x} isn't all that|{x} didn't live up to the hype
    {x} doesn't hold a candle to the old one|i expected more from {x}|{x} leaves a lot to be desired
    {x} is not my cup of tea|{x} is not for me|i've had better than {x}|{x} is fine, i guess|{x} is okay at best
    not exactly impressed by {x}|{x} isn't exactly great|{x} wasn't exactly a bargain|{x} is hardly a bargain
    i can hardly recommend {x}|i can't say i'd recommend {x}|i wouldn't wish {x} on anyone
    no way would i pay for {x} twice|{x} lost me as a customer|{x} is not fit for purpose
    {x} doesn't match its description|{x} does not do what it promises|{x} is no match for the competition
    {x} has nothing going for it|there's nothing to like about {x}|i couldn't wait to be done with {x}
    i couldn't get {x} to work|{x} never did what it was supposed to|{x} was never any good
    {x} isn't what it used to be|{x} is not a patch on the old one|i'd think twice before getting {x}
    i'd give {x} a miss|{x} doesn't come close to the reviews|{x} is more trouble than it's worth
    {x} was hardly worth waiting for|not the {n} it claims to be|{x} is anything but reliable|{x} is far from perfect
    {x} left me cold|i didn't get the appeal of {x}|{x} did nothing for me|i've given up on {x}
    i won't be going near {x} again|{x} is not something i'd pay for|no amount of tweaking could save {x}
""".strip().replace("\n", "|").split("|")
NEGATIVE_FACTS = """
    {x} was never delivered|{x} never showed up|still waiting for a refund on {x}|still waiting on {x} after {d}
    no one answered when i called about {x}|nobody got back to me about {x}|no reply from the seller after {d}
    {x} quit on me after {d}|{x} needs charging again by lunchtime|{x} came out of the box in bits
    {x} came with a part missing|{x} arrived {d} late|we sat for an hour before {x} came
    {x} was cancelled at the last minute|i got billed double for {x}|the refund for {x} never came
    {x} cracked within {d}|reception had no record of {x}|{x} is still not fixed after {d}
    i had to send {x} back twice|half of {x} was missing|{x} shuts itself off twice an hour
    {x} keeps freezing|the order for {x} was lost|{x} was sent to the wrong address
    {x} leaked all over the floor|nobody has replied to my emails about {x}|there was no one to help with {x}
    no sign of {x} after {d}|{x} overheats after ten minutes
""".strip().replace("\n", "|").split("|")
POSITIVE_FACTS = """
    {x} arrived a day early|{x} was repaired while i waited|the refund for {x} came the next day
    {x} is like new after {d} of use|{x} has run every day for three years|{x} was set up in five minutes
    they replaced {x} the same day|they swapped {x} for a new one on the spot
    {x} came back from repair in two days|one charge keeps {x} going for a week|{x} was ready before we sat down
    someone picked up on the first ring when i called about {x}|support sorted out {x} in one email
    {x} cost half the price of the last one|{x} still works after ten years|{x} turned up the morning after i ordered it
    {x} was refunded in full by friday|{x} paid for itself in a month|{x} was served before our drinks were poured
    the owner gave us {x} on the house|{x} was delivered the same afternoon|the mechanic had {x} ready by lunch
    they upgraded {x} for free|{x} came with spare parts thrown in|{x} has never needed a repair
    {x} was back up and running by the afternoon|the whole family uses {x} every day
    i've bought {x} three times now|i've told all my friends about {x}|{x} sold out {d} after it opened
""".strip().replace("\n", "|").split("|")
DURATIONS = ["two days", "a week", "ten days", "three weeks", "a month", "two months"]

# Words that do not make a shared three-word phrase worth reviewing on their own.
FUNCTION_WORDS = set("""
    a an the this that these those my our your his her its their i me we us you he she it they them to of in on at
    for with by from and or but so as is was are were be been am it's i'm i've i'd there's do did does have has had
""".split())


def words(text):
    """Lowercased words, apostrophes kept inside them ("couldn't", "i'd")."""
    return re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", text.lower().replace("\u2019", "'"))


def ngrams(text, n):
    """The word `n`-grams of `text`; a placeholder such as `{x}` breaks it, so that no n-gram spans one."""
    out = set()
    for part in re.split(r"\{\w+\}", text):
        tokens = words(part)
        out.update(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


@functools.cache
def check_templates():
    """Refuses any template sharing four words in a row with a sentence of the behavioural tests, which would then
    measure a template the model was taught; prints, once, those sharing three words that are not all function
    words, to be read by eye. Returns the templates: {list name: [(template, label)]}."""
    suite = []
    for name in ("behaviour.tsv", "suite.tsv"):
        lines = (ROOT / "tests" / "behaviour" / name).read_text(encoding="utf-8").splitlines()
        column = lines[0].split("\t").index("text")
        suite += [line.split("\t")[column] for line in lines[1:] if line.strip()]
    lists = {"PRAISE": (PRAISE, 1), "COMPLAINT": (COMPLAINT, 0), "NEGATIVE_FACTS": (NEGATIVE_FACTS, 0),
             "POSITIVE_FACTS": (POSITIVE_FACTS, 1)}
    templates = {name: [(t.strip(), label) for t in items] for name, (items, label) in lists.items()}
    warnings = []
    suite = [(sentence, ngrams(sentence, 4), ngrams(sentence, 3)) for sentence in suite]
    for template in (t for items in templates.values() for t, _ in items):
        fours, threes = ngrams(template, 4), ngrams(template, 3)
        for sentence, sentence_fours, sentence_threes in suite:
            if fours & sentence_fours:
                raise SystemExit(f"scripts/synthetic.py: template {template!r} shares four words with the behavioural "
                                 f"test {sentence!r}")
            shared = [g for g in threes & sentence_threes if not set(g) <= FUNCTION_WORDS]
            if shared:
                warnings.append(f"  {template!r} ~ {sentence!r}: {', '.join(' '.join(g) for g in sorted(shared))}")
    if warnings:
        print("scripts/synthetic.py: templates sharing three words with a behavioural test (not refused):",
              *warnings, sep="\n", file=sys.stderr, flush=True)
    return templates


def idioms(count, seed, split="train"):
    """`count` (text, label) pairs from the PRAISE and POSITIVE_FACTS (label 1) and COMPLAINT and NEGATIVE_FACTS
    (label 0) templates, each template equally likely. Every fifth template of each list is held out: only
    `split="valid"` uses them, so that validation measures idioms the model was not taught rather than recall."""
    if split not in ("train", "valid"):
        raise ValueError(f"split must be 'train' or 'valid', not {split!r}")
    rng, nouns, out = random.Random(seed), subjects(), []
    templates = [t for items in check_templates().values() for i, t in enumerate(items)
                 if (i % 5 == 4) == (split == "valid")]
    while len(out) < count:
        template, label = rng.choice(templates)
        noun = rng.choice(nouns)
        text = template.format(x=rng.choice(["the ", "this ", "my ", "our "]) + noun, n=noun, d=rng.choice(DURATIONS))
        text = text[0].upper() + text[1:] + rng.choice(ENDS)
        out.append((text, label))
    return out
