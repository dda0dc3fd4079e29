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


# Everyday idioms whose sign the words alone get wrong: negated negatives that praise ("no complaints", "couldn't
# be happier") and negated or faint praise that complains ("not worth it", "never again"). Written from general
# English usage, each a template over the subjects above; `{x}` is "the <subject>", `{n}` the bare subject.
PRAISE = """
    no complaints about {x}|zero complaints about {x} so far|not a single complaint about {x}
    nothing to complain about with {x}|i have no complaints about {x}|never had a problem with {x}
    never had a single issue with {x}|haven't had one problem with {x}|not one issue with {x} in a year
    no issues whatsoever with {x}|no problems at all with {x}|couldn't be happier with {x}
    could not be more pleased with {x}|couldn't be more satisfied with {x}|can't recommend {x} enough
    cannot recommend {x} enough|couldn't recommend {x} more|i've never had a better {n}|never seen a better {n}
    i have never used a better {n}|never had a {n} this good|{x} isn't bad at all|{x} was not bad at all
    not bad at all, {x}|not a bad {n} at all|honestly {x} wasn't bad|i wasn't disappointed by {x}
    {x} did not disappoint|{x} never disappoints|{x} never fails to impress|{x} doesn't disappoint
    no regrets buying {x}|not a single regret about {x}|zero regrets about {x}|nothing bad to say about {x}
    can't fault {x}|hard to fault {x}|i couldn't find anything wrong with {x}|nothing wrong with {x} at all
    couldn't ask for a better {n}|{x} couldn't have been better|it doesn't get better than {x}
    can't say a bad word about {x}|never a dull moment with {x}|no way i'm giving up {x}
    not one thing i'd change about {x}|wouldn't change a thing about {x}|nothing i'd change about {x}
    there's nothing {x} can't handle|i don't regret getting {x}|never been happier with a {n}
""".strip().replace("\n", "|").split("|")
COMPLAINT = """
    {x} is not worth the money|{x} wasn't worth it|not worth the hype, {x}|{x} is not worth the price
    never again, {x}|never again will i buy {x}|won't be buying {x} again|i won't be back for {x}
    don't waste your money on {x}|don't waste your time with {x}|{x} doesn't work|{x} didn't even work
    {x} never works|{x} has never once worked|{x} no longer works|{x} stopped working after a week
    not impressed with {x}|i wasn't impressed by {x}|not a fan of {x}|nothing special about {x}
    nothing about {x} works|none of {x} worked|i wouldn't recommend {x} to anyone|would not recommend {x}
    can't recommend {x}|i cannot recommend {x}|{x} could have been much better|{x} could've been better
    {x} is not what i expected|{x} was not as good as i hoped|{x} is not as advertised
    {x} wasn't good at all|{x} was no good|didn't love {x}|i didn't enjoy {x} at all|didn't like {x} one bit
    {x} is hardly worth it|{x} barely works|i've never had a worse {n}|never seen a worse {n}
    {x} is not even close to good|{x} isn't even close to worth it|not once did {x} work properly
    {x} never lives up to the hype|nobody should have to put up with {x}|i don't think i'll ever use {x} again
    not the best {n}, not even close|{x}? no thanks|i'd never buy {x} again|no one should pay for {x}
""".strip().replace("\n", "|").split("|")


def idioms(count, seed):
    """`count` (text, label) pairs from the PRAISE (label 1) and COMPLAINT (label 0) templates, half each."""
    rng, nouns, out = random.Random(seed), subjects(), []
    templates = [(t.strip(), 1) for t in PRAISE] + [(t.strip(), 0) for t in COMPLAINT]
    while len(out) < count:
        template, label = rng.choice(templates)
        noun = rng.choice(nouns)
        text = template.format(x=rng.choice(["the ", "this ", "my ", "our "]) + noun, n=noun)
        text = text[0].upper() + text[1:] + rng.choice(ENDS)
        out.append((text, label))
    return out
