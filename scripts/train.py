#!/usr/bin/env python3
"""Train sentir's tokenizer and LSTM on the splits made by scripts/data.py, and save a checkpoint.

    scripts/data.py --glove
    scripts/train.py --name sentir-en-lstm                   # writes data/runs/<name>/{tokenizer.json, model.pt, log.json}
    scripts/export.py --name sentir-en-lstm                  # writes models/<name>/ and its golden vectors

Dependencies: scripts/requirements.txt. Seeded; runs on the CPU (or a GPU when torch sees one). The defaults are
the two-label movie model's settings (models/sentir-en-lstm); the shipped model's command, with its flags, is in
models/sentir-en-posts-distilled/MODEL_CARD.md.

`--teacher models/teacher/logits-v1.npz` distils (scripts/teacher.py made the file): the transfer set
(scripts/transfer.py) joins every epoch, and every training text the teacher labelled learns its distribution
(`distill_loss`: KL at `--temperature`, or MSE on logits, on the whole text; cross-entropy on every prefix).
`--cues P` changes the @mentions, URLs, RT, hashtag signs and names of a share P of the texts (`with_cues`), the
target unchanged; `--balance` weighs three-label examples by class.

The model is what format v1 describes (crate/src/recurrent/mod.rs): embedding (initialised from GloVe 6B 50d where a
vocabulary entry is a GloVe word), a forward LSTM, and a linear head applied at every step. Per-token scores are
read from prefix predictions, so besides the loss on the whole text there are three auxiliary losses:
- on every prefix, weighted by how far into the text it is (`--prefix-weight`; 0 turns it off);
- on words of the AFINN lexicon (`--lexicon-weight`): a word's score, the change in log-odds across its tokens,
  should have the lexicon's sign, flipped when a negation word is among the three words before it (VADER's rule).
  Words negated from further back in their sentence get no target. A hinge (`--lexicon-margin`) stops pushing
  once the score is that large; 0 makes it logistic, which never stops. The check in scripts/evaluate.py uses the
  other lexicon, VADER (with `--labels 3`, VADER's emoticons become targets too, below). `--persist N` adds the same target on the change up to N tokens after the word;
- against zigzags (`--zigzag`): the part of a token's score that the next token takes back. Without it, the
  lexicon loss taught scores that spike on the word and are undone by the next token (the `reversion` printed
  per epoch: 0.43 for the model shipped before, 0.05 with it).
`--synthetic N` adds N short sentences made from the lexicon (scripts/synthetic.py) to every epoch, for negation
and contrast; `--idioms N` adds N made from everyday negation idioms ("nothing to dislike", "not fit for
purpose"), which the lexicon sentences cannot teach because their words' own signs point the wrong way, and from
plain good and bad facts ("was never delivered"), so that "never" and "no" are not always praise; their
validation set is made from templates that training never sees.

With `--labels 3` the head has three rows, negative, neutral, positive, and the tokenizer is the one
for posts (scripts/posts.py: emoji, emoticons, @mentions, URLs, elongations); the CrowdFlower tweets join the
training data (`--tweet-repeat`), and `--emoji N` sentences whose sentiment only emoji or emoticons carry, made
once and seen every epoch, come from the tweets' neutral texts (the emoji's polarity from the lexicons, scripts/posts.py), which are
also lexicon-loss targets. The movie corpora and the lexicon sentences say nothing about neutrality, so their
loss is over negative against positive only; the tweets' is over all three labels. Per-token scores are the
change in the positive-versus-negative log-odds, as in the runtime. `--labels 2` is the two-class recipe of the
models before (IMDB and RT, the tokenizer of `make_tokenizer` here).
"""

import argparse
import hashlib
import json
import math
import random
import re
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from evaluate import CODES, NEGATIONS, SENTENCE_END, read_afinn
from synthetic import idioms, sentences as synthetic_sentences
from teacher import class_weights, read_logits
from transfer import TRANSFER
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, trainers

import posts

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

# Normalisation for informal text: URLs become one placeholder, accents go, case folds.
# Pre-tokenization keeps contractions as GloVe spells them ("do" + "n't", "it" + "'s"), each emoji (and each
# other symbol) alone, and words whole, so the WordPiece model splits only rare words.
WORDS = r"\[url\]|\w+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|\w+|\S"


def make_tokenizer(texts, vocab_size):
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=40))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(posts.URL), " [url] "),
        normalizers.NFD(),
        normalizers.StripAccents(),
        normalizers.Lowercase(),
        normalizers.NFC(),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex(WORDS), behavior="removed", invert=True)
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=3, special_tokens=["[UNK]", "[url]"],
                                        show_progress=False)
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


CLAUSE_END = {",", ";", ":", "but", "however", "though", "although", "yet"}


def lexicon_targets(text, encoding, lexicon):
    """(first token, last token, sign) for each lexicon word in an encoded text, negation applied."""
    spans, offsets = {}, encoding.offsets  # each property read converts the whole list: read it once
    for index, word in enumerate(encoding.word_ids):
        if word is not None:
            first, _ = spans.get(word, (index, index))
            spans[word] = (first, index)
    targets, recent, negated_in_clause, last_end = [], [], False, 0
    for first, last in spans.values():
        start, end = offsets[first][0], offsets[last][1]
        word = text[start:end].lower()
        if SENTENCE_END.search(text[last_end:start]) or SENTENCE_END.fullmatch(word) or word in CLAUSE_END:
            recent, negated_in_clause = [], False
        last_end = end
        score = lexicon.get(word)
        if score:
            negated = any(w in NEGATIONS for w in recent[-3:])
            if negated or not negated_in_clause:
                targets.append((first, last, -1 if negated == (score > 0) else 1))
        recent.append(word)
        negated_in_clause |= word in NEGATIONS
    return targets


def read_tsv(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    text, label = header.index("text"), header.index("label")
    return [(fields[text], int(fields[label])) for fields in (line.split("\t") for line in lines[1:])]


# The head's rows for each number of labels.
LABELS = {2: ["negative", "positive"], 3: ["negative", "neutral", "positive"]}


def head_rows(labels):
    """{TSV code: head row} for a head with `labels` rows."""
    return {CODES[name]: row for row, name in enumerate(LABELS[labels])}


class Net(nn.Module):
    def __init__(self, vocab, embedding, hidden, layers, labels=2, cell="lstm"):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding)
        # Named `lstm` whatever the cell, so that every checkpoint's tensors keep their names.
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](embedding, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, labels)
        # Rows of the positive and the negative label: per-token scores measure their log-odds.
        self.positive, self.negative = len(LABELS[labels]) - 1, 0

    def forward(self, ids, lengths, dropout=0.0):
        """Logits after every step: [batch, time, labels]. Dropout (training only) on the embeddings."""
        embedded = nn.functional.dropout(self.embedding(ids), dropout, self.training)
        packed = nn.utils.rnn.pack_padded_sequence(embedded, lengths.cpu(), batch_first=True,
                                                   enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
        return self.head(out)


def batches(examples, tokens_per_batch, rng):
    """Length-bucketed batches of about `tokens_per_batch` padded tokens, in random order."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    out, current, longest = [], [], 0
    for i in order:
        longest = max(longest, len(examples[i][0]))
        if current and longest * (len(current) + 1) > tokens_per_batch:
            out.append(current)
            current, longest = [], len(examples[i][0])
        current.append(i)
    if current:
        out.append(current)
    rng.shuffle(out)
    return out


def tensors(examples, batch, device):
    """ids, lengths, labels (head rows; -1 where an example has no gold label) and whether each example's loss is
    over all labels (else negative against positive only)."""
    lengths = torch.tensor([len(examples[i][0]) for i in batch])
    ids = torch.zeros(len(batch), int(lengths.max()), dtype=torch.long)
    for row, i in enumerate(batch):
        ids[row, : len(examples[i][0])] = torch.tensor(examples[i][0])
    labels = torch.tensor([examples[i][1] for i in batch])
    every_label = torch.tensor([examples[i][3] for i in batch])
    return ids.to(device), lengths.to(device), labels.to(device), every_label.to(device)


def teacher_tensors(examples, batch, device):
    """[batch, labels] teacher logits (zeros where there are none) and which examples have them."""
    known = [examples[i][4] is not None for i in batch]
    none = np.zeros(len(LABELS[3]), np.float32)
    logits = torch.tensor(np.array([examples[i][4] if k else none for i, k in zip(batch, known)]))
    return logits.to(device), torch.tensor(known, device=device)


def lexicon_tensor(examples, batch, device):
    """[n, 4] rows of (row in batch, first token, last token, sign) for the batch's lexicon targets."""
    rows = [(row, first, last, sign) for row, i in enumerate(batch) for first, last, sign in examples[i][2]]
    return torch.tensor(rows, dtype=torch.long, device=device).reshape(-1, 4)


def prefix_odds(logits, empty, positive, negative):
    """[batch, time + 1]: the positive-versus-negative log-odds after s tokens (column 0: the empty prefix)."""
    odds = logits[..., positive] - logits[..., negative]
    return torch.cat([(empty[positive] - empty[negative]).expand(odds.shape[0], 1), odds], dim=1)


def lexicon_loss(odds, targets, lengths, persist, margin):
    """Pushes each target word's effect to its sign: the change in log-odds across the word, and with `persist` > 0
    also the change from before the word to `persist` tokens after it (or the end of the text), so that the model
    cannot meet the target with a spike that the next tokens take back.

    With `margin` 0 the loss is logistic, which never stops pushing: the word's score grows until the loss on the
    whole text pushes back, and the cheapest way to satisfy both is a spike that the next token takes back. With
    `margin` > 0 it is a hinge: no push once the score has the right sign and at least that size."""
    if len(targets) == 0:
        return odds.new_zeros(())
    rows, first, last, sign = targets.unbind(1)

    def push(change):
        signed = sign.float() * change
        return (nn.functional.relu(margin - signed) if margin > 0 else nn.functional.softplus(-signed)).mean()

    loss = push(odds[rows, last + 1] - odds[rows, first])
    if persist > 0:
        end = torch.minimum(last + 1 + persist, lengths[rows])
        loss = loss + push(odds[rows, end] - odds[rows, first])
    return loss


def zigzag_loss(odds, lengths):
    """How much of each token's score the next token takes back, per pair of neighbouring tokens: for scores
    a, b it is (|a| + |b| - |a + b|) / 2, that is min(|a|, |b|) when their signs differ and 0 when they agree."""
    delta = odds.diff(dim=1)
    a, b = delta[:, :-1], delta[:, 1:]
    pairs = (torch.arange(a.shape[1], device=a.device)[None, :] < lengths[:, None] - 1).float()
    taken_back = (a.abs() + b.abs() - (a + b).abs()) / 2
    return (taken_back * pairs).sum() / pairs.sum().clamp(min=1)


def loss_fn(logits, lengths, labels, every_label, prefix_weight, positive, negative, weights=None):
    """Cross-entropy of the whole text, plus `prefix_weight` times that of every prefix. Examples without
    `every_label` (two-class corpora) are scored on negative against positive only: the other logits are masked.
    Examples without a gold label (label -1: the transfer set) are left out; `weights` ([labels]), when given,
    weighs the examples scored over every label by their label."""
    if logits.shape[-1] > 2:
        polar = torch.full_like(logits[0, 0], float("-inf"))
        polar[[negative, positive]] = 0
        logits = logits + torch.where(every_label[:, None, None], torch.zeros_like(polar), polar)
    gold = labels >= 0
    if not gold.any():
        return logits.new_zeros(())
    labels = labels.clamp(min=0)
    scale = gold.float()
    if weights is not None:
        scale = scale * torch.where(every_label, weights[labels], torch.ones_like(scale))
    steps = torch.arange(logits.shape[1], device=logits.device)[None, :]
    final = logits[torch.arange(len(labels)), lengths - 1]
    loss = (nn.functional.cross_entropy(final, labels, reduction="none") * scale).sum() / scale.sum()
    if prefix_weight > 0:
        # Every prefix should predict the label too, more so the further into the text it is.
        mask = (steps < lengths[:, None]).float()
        weight = mask * (steps + 1).float() / lengths[:, None].float() * scale[:, None]
        per_step = nn.functional.cross_entropy(logits.transpose(1, 2), labels[:, None].expand(-1, logits.shape[1]),
                                               reduction="none")
        loss = loss + prefix_weight * (per_step * weight).sum() / weight.sum()
    return loss


def distill_loss(logits, lengths, teacher, known, kind, temperature, prefix_weight):
    """How far the student's logits are from the teacher's, over the examples the teacher labelled: on the whole
    text, KL divergence of the temperature-softened distributions (times T^2, Hinton et al. 2015) or the mean squared
    difference of the logits (Tang et al. 2019); plus `prefix_weight` times the cross-entropy of every prefix against
    the teacher's distribution, weighted by how far into the text it is, as for gold labels."""
    if not known.any():
        return logits.new_zeros(())
    logits, lengths, teacher = logits[known], lengths[known], teacher[known]
    final = logits[torch.arange(len(lengths)), lengths - 1]
    if kind == "mse":
        loss = ((final - teacher) ** 2).mean()
    else:
        loss = nn.functional.kl_div(nn.functional.log_softmax(final / temperature, -1),
                                    nn.functional.log_softmax(teacher / temperature, -1), log_target=True,
                                    reduction="batchmean") * temperature ** 2
    if prefix_weight > 0:
        steps = torch.arange(logits.shape[1], device=logits.device)[None, :]
        weight = (steps < lengths[:, None]).float() * (steps + 1).float() / lengths[:, None].float()
        per_step = -(nn.functional.softmax(teacher, -1)[:, None, :] * nn.functional.log_softmax(logits, -1)).sum(-1)
        loss = loss + prefix_weight * (per_step * weight).sum() / weight.sum()
    return loss


@torch.no_grad()
def validate(net, examples, device, jump=1.5):
    """(accuracy, reversion) in one pass. Reversion: how much of a token's jump in log-odds the next token takes
    back, on average over tokens that moved the log-odds by at least `jump` and are not last (0 when scores
    persist, 1 when every jump is undone at once; 0 when no token jumps that far)."""
    net.eval()
    correct, taken_back = 0, []
    for batch in batches(examples, 32768, random.Random(0)):
        ids, lengths, labels, every_label = tensors(examples, batch, device)
        logits = net(ids, lengths)
        final = logits[torch.arange(len(batch)), lengths - 1]
        # Two-class examples: positive against negative, as `sentir eval` scores a 0/1 file.
        polar = torch.where(final[:, net.positive] > final[:, net.negative], net.positive, net.negative)
        correct += int((torch.where(every_label, final.argmax(-1), polar) == labels).sum())
        delta = prefix_odds(logits, net.head.bias, net.positive, net.negative).diff(dim=1)  # [batch, time]: each token's score
        big = (delta[:, :-1].abs() >= jump) & (torch.arange(delta.shape[1] - 1, device=device) < lengths[:, None] - 1)
        back = (-delta[:, 1:] * delta[:, :-1].sign()).clamp(min=0) / delta[:, :-1].abs().clamp(min=jump)
        taken_back.append(back[big])
    net.train()
    taken_back = torch.cat(taken_back) if taken_back else torch.zeros(0)
    return correct / max(1, len(examples)), float(taken_back.mean()) if len(taken_back) else 0.0


def pretrain(net, examples, epochs, lr, batch_tokens, dropout, device, seed):
    """Trains the embedding and the LSTM as a language model on `examples`' token ids (their labels unused): each
    step predicts the next token, through an adaptive softmax over the vocabulary sorted by frequency (Dai and Le
    2015, "Semi-supervised sequence learning"). The softmax is thrown away afterwards; the classifier starts from
    the embedding and LSTM it leaves. Returns the per-epoch mean loss (nats per token)."""
    vocab = net.embedding.num_embeddings
    counts = torch.bincount(torch.tensor([i for ids, *_ in examples for i in ids]), minlength=vocab)
    rank = torch.empty(vocab, dtype=torch.long)
    rank[counts.argsort(descending=True)] = torch.arange(vocab)
    rank = rank.to(device)
    cutoffs = [c for c in (2000, 8000) if c < vocab - 1]
    softmax = nn.AdaptiveLogSoftmaxWithLoss(net.rnn.hidden_size, vocab, cutoffs, div_value=4.0).to(device)
    parameters = [*net.embedding.parameters(), *net.rnn.parameters(), *softmax.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=lr)
    rng = random.Random(seed)
    total = epochs * len(batches(examples, batch_tokens, random.Random(0)))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=total)
    losses = []
    for epoch in range(epochs):
        started, epoch_losses = time.time(), []
        for batch in batches(examples, batch_tokens, rng):
            ids, lengths, _, _ = tensors(examples, batch, device)
            embedded = nn.functional.dropout(net.embedding(ids), dropout, True)
            packed = nn.utils.rnn.pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, _ = net.rnn(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
            # The state after token t predicts token t + 1.
            steps = torch.arange(ids.shape[1] - 1, device=device)[None, :] < (lengths[:, None] - 1)
            loss = softmax(out[:, :-1][steps], rank[ids[:, 1:][steps]]).loss
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(parameters, 1.0)
            optimizer.step()
            schedule.step()
            epoch_losses.append(loss.item())
        losses.append(float(np.mean(epoch_losses)))
        print(json.dumps({"pretrain epoch": epoch + 1, "loss": losses[-1], "seconds": time.time() - started}), flush=True)
    return losses


def teacher_polarity(teacher):
    """description -> p(positive) - p(negative) as the teacher reads it (None where it has not read it), for the
    emoji that the Emoji Sentiment Ranking does not rate."""
    def read(description):
        logits = teacher.get(posts.text_key(description))
        if logits is None:
            return None
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return float(p[2] - p[0])
    return read


# What the transfer set's masks are encoded as (see `encode` in main).
MASK = "\ue000"

# Names of brands, products, places and people, for `with_cues`: a name carries no sentiment. One or more words
# each, separated by "|"; names() leaves out those the behavioural tests use.
NAMES = """
    Amazon|Samsung|Google|Microsoft|Sony|Nike|Adidas|Ikea|Tesla|Toyota|Honda|Ford|Uber|Airbnb|Walmart|Target|Costco
    Starbucks|McDonald's|Subway|Domino's|Nintendo|PlayStation|Xbox|Dell|Lenovo|Canon|Nikon|Bose|Philips|Panasonic
    Verizon|Vodafone|Comcast|Ryanair|Emirates|Qantas|Hilton|Marriott|Expedia|Booking.com|Etsy|eBay|Shopify|Slack
    Dropbox|WhatsApp|Instagram|TikTok|Snapchat|Reddit|YouTube|Twitch|Hulu|Disney|Pixar|Marvel|Kindle|Fitbit|Garmin
    GoPro|Dyson|Lego|Zara|Uniqlo|Sephora|Aldi|Lidl|Tesco|Paris|London|Tokyo|Berlin|Chicago|Toronto|Madrid|Lisbon
    Sarah|John|Priya|Carlos|Mei|Ahmed|Olivia|Liam|Kenji|Fatima
    Asus|Acer|Huawei|Xiaomi|OnePlus|Motorola|Nokia|Logitech|Razer|Corsair|Sonos|Roku|Peloton|Kia|Hyundai|Volvo|Audi
    Peugeot|Renault|Skoda|Subaru|Mazda|Lufthansa|KLM|Qatar Airways|easyJet|Wizz Air|JetBlue|Southwest|Delta|Amtrak
    Greyhound|Trainline|Deliveroo|DoorDash|Grubhub|Instacart|Ocado|Sainsbury's|Waitrose|Asda|Kroger|Safeway
    Trader Joe's|Whole Foods|Chipotle|Nando's|Pret|Greggs|Wendy's|Taco Bell|KFC|Burger King|Five Guys|Shake Shack
    Netflix|Spotify|Deezer|Tidal|Pandora|Paramount|Peacock|Crunchyroll|Steam|Epic Games|Ubisoft|EA|Valve|Mojang
    Figma|Notion|Trello|Asana|Zoom|Teams|Skype|Signal|Telegram|Discord|Pinterest|LinkedIn|Tumblr|Mastodon|Bluesky
    Revolut|Monzo|Barclays|HSBC|Santander|Chase|PayPal|Venmo|Klarna|Allianz|AXA|Prudential|BT|Sky|O2|EE
    Virgin Media|T-Mobile|AT&T|Orange|Canva|Adobe|Photoshop|Lightroom|GarageBand|Kobo|Audible|Goodreads
    iPhone 15|Pixel 8|Galaxy Tab|MacBook Air|ThinkPad|Switch OLED|Model 3|Corolla|Kindle Paperwhite|AirPods
    Rome|Milan|Naples|Vienna|Prague|Budapest|Krakow|Athens|Dublin|Edinburgh|Glasgow|Manchester|Leeds|Bristol
    Cardiff|Amsterdam|Brussels|Copenhagen|Oslo|Stockholm|Helsinki|Reykjavik|Seville|Valencia|Porto|Marseille|Lyon
    Munich|Hamburg|Zurich|Geneva|Istanbul|Cairo|Nairobi|Lagos|Mumbai|Delhi|Bangalore|Bangkok|Hanoi|Seoul|Osaka
    Kyoto|Sydney|Melbourne|Auckland|Vancouver|Montreal|Boston|Seattle|Denver|Austin|Miami|Atlanta|Phoenix|Dallas
    Lima|Bogota|Santiago|Mexico City|Buenos Aires|Sao Paulo|Cape Town
    Emma|Noah|Ava|Lucas|Sofia|Mateo|Chloe|Arjun|Ananya|Wei|Yuki|Hiroshi|Aisha|Omar|Leila|Yusuf|Ingrid|Lars|Sven
    Giulia|Marco|Pierre|Camille|Hannah|Jonas|Tomasz|Katarzyna|Olga|Dmitri|Nia|Kwame|Chidi|Zanele|Diego|Lucia
    Maria|Jose|Kevin|Jessica|Michael|Ashley|Chris|Jordan|Taylor|Morgan|Riley|Sam|Alex|Jamie|Mr Patel|Mrs Okafor
    Dr Nguyen|Coach Rivera|Tom Hanks|Greta Gerwig|Taylor Swift|Bad Bunny|Lewis Hamilton|Serena Williams
""".replace("\n", "|").split("|")
NAMES = [name.strip() for name in NAMES if name.strip()]
# Syllables of made-up names, for `pseudo_name`: a name the model has never seen must carry nothing either.
SYLLABLES = "ka ri mo lu ven tor sa bel do nix qua zen ar lo fi pel gra mun sto vi dra kel ora tiz".split()
def names():
    """NAMES less those in the behavioural tests, so that the invariance pairs' brands stay unseen."""
    tests = "\n".join((ROOT / "tests" / "behaviour" / name).read_text(encoding="utf-8").lower()
                      for name in ("suite.tsv", "invariance.tsv"))
    return [n for n in NAMES if n.strip().lower() not in tests]


def pseudo_name(rng):
    """A made-up name of two or three syllables, capitalised ("Venlumo")."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()


def with_cues(text, rng, names, lexicon):
    """The text with its cues changed at random, for `--cues`: stripped of them or not, then one added (an @mention
    before or after it, a URL, a leading "RT @x:", a hashtag sign on one of its words, a name from `names` or a
    made-up one in place of the word after "the", "my", "our", "this", "at" or "from", or of both words, where that
    word is plain letters and not in `lexicon`, so that a name never takes a sentiment word's place). None of them
    may move the label, and the student learns the teacher's logits of the text as it was: that they carry
    nothing."""
    text = posts.strip_cues(text) if rng.random() < 0.5 else text
    handle = "@" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz_0123456789") for _ in range(rng.randint(3, 12)))
    kind = rng.randrange(6)
    if kind == 0:
        return f"{handle} {text}"
    if kind == 1:
        return f"{text} https://t.co/{''.join(rng.choice('abcdefghijkLMNOPQ0123456789') for _ in range(10))}"
    if kind == 2:
        return f"RT {handle}: {text}"
    if kind == 3:
        words = text.split(" ")
        plain = [i for i, w in enumerate(words) if w.isalpha()]
        if plain:
            i = rng.choice(plain)
            words[i] = "#" + words[i]
        return " ".join(words)
    if kind == 4:
        words = text.split(" ")
        before = ("the", "my", "our", "this", "at", "from")
        after = [i + 1 for i, w in enumerate(words[:-1]) if w.lower() in before and words[i + 1].isalpha()
                 and words[i + 1].lower() not in before and words[i + 1].lower() not in lexicon]
        if after:
            i = rng.choice(after)
            name = pseudo_name(rng) if rng.random() < 0.3 else rng.choice(names)
            # "the app keeps crashing" -> "the Zoom keeps crashing" or "Zoom keeps crashing".
            if words[i - 1].lower() not in ("at", "from") and rng.random() < 0.5:
                i -= 1
                del words[i + 1]
            words[i] = name
            return " ".join(words)
    return f"{text} {handle}"


def glove_init(net, tokenizer, path, descriptions=None):
    """Rows of pieces that are GloVe words get their vectors; with `descriptions` ({piece: English text}), an emoji
    gets the mean vector of its description's words. Returns how many rows were set."""
    vectors = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            word, *values = line.rstrip().split(" ")
            vectors[word] = values
    found = 0
    with torch.no_grad():
        for piece, index in tokenizer.get_vocab().items():
            words = [piece] if piece in vectors else re.findall(r"[a-z]+", (descriptions or {}).get(piece, "").lower())
            rows = [[float(v) for v in vectors[w]] for w in words if w in vectors]
            if rows:
                net.embedding.weight[index] = torch.tensor(rows).mean(0)
                found += 1
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="sentir-en-lstm")
    parser.add_argument("--vocab", type=int, default=8000)
    parser.add_argument("--embedding", type=int, default=50)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--cell", choices=("lstm", "gru"), default="lstm",
                        help="the recurrent cell; a GRU is PyTorch's nn.GRU (the reset gate after the product)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--prefix-weight", type=float, default=0.5)
    parser.add_argument("--max-tokens", type=int, default=400, help="train on the last N tokens of longer texts")
    parser.add_argument("--rt-repeat", type=int, default=3, help="RT snippets per epoch, relative to IMDB once")
    parser.add_argument("--lexicon-weight", type=float, default=0.5)
    parser.add_argument("--persist", type=int, default=0,
                        help="the lexicon target also spans N tokens after the word, not only the word")
    parser.add_argument("--lexicon-margin", type=float, default=1.0,
                        help="0: logistic lexicon loss; above 0: a hinge that stops at this score")
    parser.add_argument("--zigzag", type=float, default=0.5,
                        help="weight of the penalty on scores that the next token takes back")
    parser.add_argument("--synthetic", type=int, default=15000,
                        help="short sentences made from the lexicon (scripts/synthetic.py) added to each epoch")
    parser.add_argument("--idioms", type=int, default=0,
                        help="sentences from everyday negation idioms and plain facts (scripts/synthetic.py) added "
                             "to each epoch; 2000 more, from templates held out of training, are a validation set")
    parser.add_argument("--dropout", type=float, default=0.3, help="on the embeddings, while training")
    parser.add_argument("--batch-tokens", type=int, default=16384)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpora", default="rt,imdb,tweets",
                        help="which training corpora to use (for quick experiments)")
    parser.add_argument("--labels", type=int, choices=(2, 3), default=2,
                        help="3: negative, neutral, positive, the post tokenizer and the tweets; 2: the movie recipe")
    parser.add_argument("--tweet-repeat", type=int, default=2, help="tweets per epoch, relative to IMDB once")
    parser.add_argument("--pretrain", type=int, default=0,
                        help="epochs of language-model pretraining on the training texts before the classifier")
    parser.add_argument("--emoji", type=int, default=12000,
                        help="sentences whose sentiment only emoji or emoticons carry, added to each epoch")
    parser.add_argument("--teacher",
                        help="a teacher's logits file (scripts/teacher.py label): the transfer set joins training, "
                             "and every training text the teacher labelled learns its logits too")
    parser.add_argument("--distill", choices=("kl", "mse"), default="kl",
                        help="kl: KL divergence at --temperature; mse: squared difference of the logits")
    parser.add_argument("--temperature", type=float, default=2.0)
    parser.add_argument("--distill-weight", type=float, default=1.0)
    parser.add_argument("--transfer-repeat", type=int, default=1, help="the transfer set per epoch")
    parser.add_argument("--cues", type=float, default=0.0,
                        help="share of the tweets' repeats and of the other texts whose @mentions, URLs, RT and "
                             "hashtag signs are changed at random (with_cues)")
    parser.add_argument("--balance", action="store_true",
                        help="weigh the three-label examples by the inverse square root of their label's share")
    args = parser.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    run = DATA / "runs" / args.name
    run.mkdir(parents=True, exist_ok=True)
    started = time.time()

    corpora = args.corpora.split(",") if args.labels == 3 else [c for c in args.corpora.split(",") if c != "tweets"]
    splits = {f"{corpus}/{split}": read_tsv(DATA / corpus / f"{split}.tsv")
              for corpus in corpora for split in ("train", "valid")}
    train_texts = [t for key, rows in splits.items() if key.endswith("train") for t, _ in rows]
    tokenizer = (posts.make_tokenizer if args.labels == 3 else make_tokenizer)(train_texts, args.vocab)
    tokenizer.save(str(run / "tokenizer.json"))
    vocab = tokenizer.get_vocab_size(with_added_tokens=True)

    teacher = {}
    if args.teacher:
        if args.labels != 3:
            raise SystemExit("--teacher needs --labels 3: the teacher's head is negative, neutral, positive")
        teacher, meta = read_logits(Path(args.teacher))
        if not TRANSFER.exists():
            raise SystemExit(f"{TRANSFER.relative_to(ROOT)} is missing: make it with scripts/transfer.py (the flags "
                             "in the model card), then train again")
        if hashlib.sha256(TRANSFER.read_bytes()).hexdigest() != meta.get("transfer_sha256"):
            print(f"warning: {TRANSFER.relative_to(ROOT)} is not the transfer set {args.teacher} was labelled from: "
                  "texts without a logit learn from their gold labels alone", flush=True)
        transfer = [line.split("\t")[0] for line in TRANSFER.read_text(encoding="utf-8").splitlines()[1:]]
        splits["transfer"] = [(t, None) for t in transfer if posts.text_key(t) in teacher]
        print(f"teacher {meta['teacher']}: {len(teacher)} logits; {len(splits['transfer'])} of {len(transfer)} "
              f"transfer texts have them", flush=True)

    afinn = {word: score for word, score in read_afinn().items() if " " not in word}  # single words only
    lexicon = dict(afinn)
    if args.labels == 3:
        # Emoji and emoticons are lexicon words too. A word is looked up by the text of its tokens' spans as
        # `tokenizers` gives them, which leave out the skin tones and selectors the normalizer removed: the
        # lexicon's spellings without them are the ones that match.
        polar = posts.polarities(afinn, teacher_polarity(teacher) if teacher else None)
        lexicon.update({token: 5 * p for token, p in polar.items()})
        carriers = [t for t, label in splits["tweets/train"] if label == CODES["neutral"]]
        splits["emoji"] = posts.emoji_sentences(args.emoji, args.seed, polar, carriers)
        print(f"emoji and emoticons with a polarity: {len(polar)}", flush=True)
    rows_of = {**head_rows(args.labels), None: -1}
    cue_rng, cue_names = random.Random(args.seed + 7), names()

    def encode(rows, cap, every_label, cues=0.0):
        """(ids, head row, lexicon targets, loss over every label, teacher logits or None), keeping the last `cap`
        tokens; a share `cues` of the texts with their cues changed (with_cues)."""
        # The transfer set's masks: `[UNK]` is no added token of this tokenizer (it would read `[ un ##k ]`), and a
        # private-use character is a pre-token of its own that no vocabulary holds, so it encodes as the unknown id.
        texts = [(with_cues(t, cue_rng, cue_names, lexicon) if cue_rng.random() < cues else t).replace("[UNK]", MASK)
                 for t, _ in rows]
        encoded = tokenizer.encode_batch(texts, add_special_tokens=False)
        out = []
        for e, text, (original, label) in zip(encoded, texts, rows):
            cut = max(0, len(e.ids) - cap)
            targets = [(f - cut, l - cut, s) for f, l, s in lexicon_targets(text, e, lexicon) if f >= cut]
            soft = teacher.get(posts.text_key(original))
            out.append((e.ids[cut:] or [0], rows_of[label], targets, every_label, soft))
        return out

    splits["synthetic"] = synthetic_sentences(args.synthetic, args.seed, afinn)
    if args.idioms:
        splits["idioms"] = idioms(args.idioms, args.seed, split="train")
        splits["idioms/valid"] = idioms(2000, args.seed + 1000, split="valid")
    data = {key: encode(rows, 100_000 if key.endswith("valid") else args.max_tokens,
                        key.startswith(("tweets", "emoji", "transfer")), 0.0 if key.endswith("valid") else args.cues)
            for key, rows in splits.items()}
    print(f"tokenized in {time.time() - started:.0f} s; vocabulary {vocab}", flush=True)

    net = Net(vocab, args.embedding, args.hidden, args.layers, args.labels, args.cell).to(device)
    glove = DATA / "glove" / "glove.6B.50d.txt"
    if args.embedding == 50 and glove.exists():
        descriptions = posts.read_emoji() if args.labels == 3 else None
        print(f"GloVe: {glove_init(net, tokenizer, glove, descriptions)} of {vocab} pieces initialised", flush=True)
    log = {"args": vars(args), "epochs": []}
    if args.pretrain:
        unlabelled = [data[f"{corpus}/train"] for corpus in corpora]
        log["pretrain"] = pretrain(net, [e for rows in unlabelled for e in rows], args.pretrain, args.lr,
                                   args.batch_tokens, args.dropout, device, args.seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=args.lr)
    train = (data["imdb/train"] if "imdb" in corpora else []) + (data["rt/train"] * args.rt_repeat if "rt" in corpora else [])
    if "tweets" in corpora:
        # Each repeat encoded anew: a share --cues of its tweets with their cues changed (with_cues).
        train += data["tweets/train"] + [e for _ in range(args.tweet_repeat - 1)
                                         for e in encode(splits["tweets/train"], args.max_tokens, True, args.cues)]
    train += data["synthetic"] + data.get("emoji", []) + data.get("idioms", [])
    train += data.get("transfer", []) * args.transfer_repeat
    weights = None
    if args.balance:
        if args.labels != 3:
            raise SystemExit("--balance weighs the three-label examples: it needs --labels 3")
        weights = class_weights([e[1] for e in train if e[3] and e[1] >= 0]).to(device)
        print(f"class weights (three-label examples): {weights.tolist()}", flush=True)
    rng = random.Random(args.seed)
    total_steps = args.epochs * len(batches(train, args.batch_tokens, random.Random(0)))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=total_steps)
    for epoch in range(args.epochs):
        epoch_started, losses = time.time(), []
        for batch in batches(train, args.batch_tokens, rng):
            ids, lengths, labels, every_label = tensors(train, batch, device)
            logits = net(ids, lengths, args.dropout)
            loss = loss_fn(logits, lengths, labels, every_label, args.prefix_weight, net.positive, net.negative,
                           weights)
            if teacher:
                soft, known = teacher_tensors(train, batch, device)
                loss = loss + args.distill_weight * distill_loss(logits, lengths, soft, known, args.distill,
                                                                 args.temperature, args.prefix_weight)
            # [batch, time + 1]; the logits before any token are the head's bias (the hidden state starts at zero).
            odds = prefix_odds(logits, net.head.bias, net.positive, net.negative)
            if args.lexicon_weight > 0:
                targets = lexicon_tensor(train, batch, device)
                loss = loss + args.lexicon_weight * lexicon_loss(odds, targets, lengths, args.persist,
                                                                 args.lexicon_margin)
            if args.zigzag > 0:
                loss = loss + args.zigzag * zigzag_loss(odds, lengths)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
        scores = {}
        for key in (key for key in data if key.endswith("valid")):
            scores[key], scores[f"reversion {key}"] = validate(net, data[key], device)
        entry = {"epoch": epoch + 1, "loss": float(np.mean(losses)), **scores, "seconds": time.time() - epoch_started}
        log["epochs"].append(entry)
        print(json.dumps(entry), flush=True)
        # Checkpoint and log after every epoch, so a run cut short can still be exported.
        torch.save(net.state_dict(), run / "model.pt")
        log.update(seconds=time.time() - started, device=device)
        (run / "log.json").write_text(json.dumps(log, indent=1) + "\n")
    print(f"trained in {log['seconds']:.0f} s on {device}; checkpoint in {run.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
