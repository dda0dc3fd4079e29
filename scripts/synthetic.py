"""Short labelled sentences made from the AFINN lexicon, to teach what the movie data rarely shows: negation
("not good", "don't like", "wasn't bad") and contrast ("X, but Y"), on the things people review besides films.

Every sentiment word, and the sign it carries, comes from AFINN-165; the lists below only say which of its words
are adjectives and verbs, so that the templates stay grammatical. Subjects that occur anywhere in
tests/behaviour/behaviour.tsv or tests/behaviour/suite.tsv are left out, so that the behavioural tests keep
measuring sentences about things the model never saw in a template.
"""

import random
import re

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
