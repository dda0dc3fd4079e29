#!/usr/bin/env python3
"""A linear baseline on the same splits: how hard each split is, apart from any LSTM.

    scripts/baseline.py [--corpus rt]

TF-IDF of word unigrams and bigrams (sublinear term frequencies) and a logistic regression trained on the
corpus's training split, its C chosen on the validation split; prints validation and test accuracy for every C
tried. Reads the test split, for the model card's comparison only. Needs scripts/data.py's output and
scikit-learn (scripts/requirements.txt).
"""

import argparse
import csv
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

DATA = Path(__file__).resolve().parent.parent / "data"


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row["text"] for row in rows], [int(row["label"]) for row in rows]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="rt", choices=["rt", "imdb"])
    args = parser.parse_args()
    train, valid, test = (read(DATA / args.corpus / f"{split}.tsv") for split in ("train", "valid", "test"))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    features = vectorizer.fit_transform(train[0])
    best = None
    for c in (1, 3, 10):
        model = LogisticRegression(C=c, max_iter=2000).fit(features, train[1])
        accuracy = [(model.predict(vectorizer.transform(texts)) == labels).mean() for texts, labels in (valid, test)]
        print(f"C {c:>2}: valid {accuracy[0]:.4f}  test {accuracy[1]:.4f}")
        best = max(best or (accuracy[0], c, accuracy[1]), (accuracy[0], c, accuracy[1]))
    print(f"chosen on validation: C {best[1]}, test {best[2]:.4f}")


if __name__ == "__main__":
    main()
