"""The Python package against the CLI, its bad-input rows, and a Dask cluster of two worker processes.

    SENTIR_CLI=target/debug/sentir python -m unittest discover -s python/tests -v

(scripts/test installs the wheel into a fresh virtual environment with python/requirements-test.txt and runs this.)
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

import sentir

ROOT = Path(__file__).resolve().parents[2]
CLI = os.environ.get("SENTIR_CLI", str(ROOT / "target" / "debug" / "sentir"))
TOLERANCE = 1e-6


def posts(count):
    """`count` texts made from the behavioural suite's posts (some repeated with an ending), ASCII and not."""
    with open(ROOT / "tests" / "behaviour" / "suite.tsv", encoding="utf-8") as file:
        base = [row["text"] for row in csv.DictReader(file, delimiter="\t")]
    endings = ["", " 😀", " Not great.", " Café crème, très bon!", " 👎👎", " lol"]
    return [base[i % len(base)] + endings[(i // len(base)) % len(endings)] for i in range(count)]


def cli_lines(args, stdin):
    run = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in run.stdout.splitlines()]


class AgainstTheCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.analyzer = sentir.Analyzer.load(backend="cpu")
        cls.texts = posts(600)

    def test_the_default_model_is_the_checkouts(self):
        config = json.loads((ROOT / "models" / "default" / "config.json").read_text())
        self.assertEqual(self.analyzer.model_name, config["name"])
        self.assertEqual(self.analyzer.labels, config["labels"])

    def test_analyze_equals_the_cli(self):
        expected = cli_lines(["analyze", "--backend", "cpu-simd", "--jsonl"], "\n".join(self.texts[:200]) + "\n")
        for text, want in zip(self.texts, expected):
            got = self.analyzer.analyze(text)
            self.assertEqual(got["label"], want["label"], text)
            for label, p in want["probabilities"].items():
                self.assertAlmostEqual(got["probabilities"][label], p, delta=TOLERANCE)
            self.assertEqual([t["id"] for t in got["tokens"]], [t["id"] for t in want["tokens"]])
            for token, cli_token in zip(got["tokens"], want["tokens"]):
                # Python string indices here, UTF-8 bytes in the CLI: the same span of the text.
                self.assertEqual(text[token["start"]:token["end"]], token["text"])
                self.assertEqual(text.encode()[cli_token["start"]:cli_token["end"]].decode(), token["text"])
                self.assertAlmostEqual(token["score"], cli_token["score"], delta=TOLERANCE)

    def test_analyze_many_equals_analyze_on_every_thread_count(self):
        one_by_one = [self.analyzer.analyze(text) for text in self.texts[:150]]
        for threads in (1, 2, 3):
            self.assertEqual(self.analyzer.analyze_many(self.texts[:150], batch_size=16, threads=threads), one_by_one)

    def test_analyze_columns_equals_the_cli_collection(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as file:
            file.write("\n".join(self.texts) + "\n")
        try:
            expected = cli_lines(["analyze", "--backend", "cpu-simd", "--input", file.name], "")
        finally:
            os.unlink(file.name)
        columns = self.analyzer.analyze_columns(self.texts, batch_size=64)
        self.assertEqual(sorted(columns), sorted(["label", "score", "error"] + [f"p_{l}" for l in self.analyzer.labels]))
        self.assertEqual(list(columns["label"]), [row["label"] for row in expected])
        self.assertEqual(columns["score"].dtype, np.float32)
        np.testing.assert_allclose(columns["score"], [row["score"] for row in expected], atol=TOLERANCE)
        for label in self.analyzer.labels:
            np.testing.assert_allclose(columns[f"p_{label}"], [row["probabilities"][label] for row in expected], atol=TOLERANCE)
        self.assertTrue(all(error is None for error in columns["error"]))


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.analyzer = sentir.Analyzer.load(backend="cpu")

    def test_a_bad_row_is_an_error_of_its_own(self):
        huge = "good " * 200_000  # 1 MB
        texts = ["good", None, 3, b"caf\xc3\xa9 ok", b"\xff\xfe", huge, "bad", "\ud800 lone surrogate", float("nan")]
        columns = self.analyzer.analyze_columns(texts)
        errors = list(columns["error"])
        self.assertEqual([e is None for e in errors], [True, False, False, True, False, False, True, False, False])
        self.assertIn("None", errors[1])
        self.assertIn("int", errors[2])
        self.assertIn("not UTF-8", errors[4])
        self.assertIn("split it into shorter parts", errors[5])
        self.assertIn("surrogates", errors[7])
        self.assertTrue(np.isnan(columns["score"][1]))
        many = self.analyzer.analyze_many(texts)
        self.assertEqual([("error" in row) for row in many], [e is not None for e in errors])
        self.assertEqual(many[3]["label"], self.analyzer.analyze("café ok")["label"])

    def test_one_bad_text_raises_a_typed_error_that_says_what_to_do(self):
        with self.assertRaises(TypeError):
            self.analyzer.analyze(None)
        with self.assertRaisesRegex(sentir.TextError, "split it into shorter parts"):
            self.analyzer.analyze("good " * 200_000)
        with self.assertRaisesRegex(ValueError, "pass a list of texts"):
            self.analyzer.analyze_columns("one text")
        with self.assertRaisesRegex(ValueError, "at least 1"):
            self.analyzer.analyze_many(["a"], batch_size=0)

    def test_a_bad_model_folder_is_a_model_error(self):
        with self.assertRaisesRegex(sentir.ModelError, "could not read"):
            sentir.Analyzer.load("/nonexistent")
        with self.assertRaisesRegex(ValueError, "unknown backend"):
            sentir.Analyzer.load(backend="tpu")
        self.assertTrue(issubclass(sentir.TextError, sentir.SentirError))

    def test_the_backend_names_are_every_front_ends(self):
        # tests/backends.tsv: the same cases as the CLI's and the JS API's tests.
        lines = (ROOT / "tests" / "backends.tsv").read_text(encoding="utf-8").splitlines()
        rows = [line.split("\t") for line in lines if not line.startswith("#")][1:]
        self.assertGreaterEqual(len(rows), 9)
        for name, gives in rows:
            with self.subTest(name=name):
                if gives == "error":
                    with self.assertRaisesRegex(ValueError, "use auto, cpu, cpu-simd, cpu-scalar or gpu"):
                        sentir.Analyzer.load(backend=name)
                else:
                    self.assertIn(sentir.Analyzer.load(backend=name).backend, gives.split("|"))

    def test_probing_the_gpu_without_a_display_prints_nothing(self):
        # Mesa's device-select layer made libwayland print "XDG_RUNTIME_DIR is invalid" once per probe.
        env = {k: v for k, v in os.environ.items()
               if k not in ("XDG_RUNTIME_DIR", "WAYLAND_DISPLAY", "DISPLAY", "NODEVICE_SELECT")}
        probe = "import sentir; sentir.Analyzer.load(backend='auto').analyze('fine')"
        run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
        self.assertEqual(run.stderr, "")

    def test_adapt_learns_swapped_labels_and_its_adapter_loads_from_a_folder(self):
        texts = posts(150)
        swap = {"positive": "negative", "negative": "positive", "neutral": "neutral"}
        labels = [swap[self.analyzer.analyze(text)["label"]] for text in texts]
        adapted, report = self.analyzer.adapt(texts, labels, seed=1)
        self.assertTrue(report["kept"], report)
        self.assertGreater(report["adapted"]["accuracy"], report["current"]["accuracy"])
        self.assertEqual(sum(count["posts"] for count in report["counts"]), 150)
        agree = sum(adapted.analyze(text)["label"] == label for text, label in zip(texts, labels))
        self.assertGreater(agree, 130)
        self.assertIsNone(self.analyzer.adapter_files())
        files = adapted.adapter_files()
        self.assertIsNotNone(files)
        with tempfile.TemporaryDirectory() as folder:
            for name in ("config.json", "model.safetensors", "tokenizer.json"):
                (Path(folder) / name).write_bytes((ROOT / "models" / "default" / name).read_bytes())
            (Path(folder) / "adapter.json").write_bytes(files[0])
            (Path(folder) / "adapter.safetensors").write_bytes(files[1])
            loaded = sentir.Analyzer.load(folder, backend="cpu")
            self.assertEqual(loaded.analyze(texts[0]), adapted.analyze(texts[0]))

    def test_adapt_refuses_labels_it_cannot_fit_on(self):
        texts = posts(12)
        with self.assertRaisesRegex(sentir.AdaptError, "happy"):
            self.analyzer.adapt(texts, ["happy"] * 12)
        with self.assertRaisesRegex(sentir.AdaptError, "at least 5"):
            self.analyzer.adapt(texts, ["positive"] * 9 + ["negative"] * 3)
        self.assertTrue(issubclass(sentir.AdaptError, sentir.SentirError))

    def test_any_model_folder_loads(self):
        analyzer = sentir.Analyzer.load(ROOT / "models" / "tiny-gru")
        self.assertEqual(analyzer.model_name, "tiny-gru")
        expected = cli_lines(["analyze", "--model", str(ROOT / "models" / "tiny-gru"), "--jsonl"], "good movie\n")[0]
        got = analyzer.analyze("good movie")
        for label, p in expected["probabilities"].items():
            self.assertAlmostEqual(got["probabilities"][label], p, delta=TOLERANCE)


def score_partition(frame):
    """What each Dask task runs: the analyzer this worker process loaded once, on one partition's texts."""
    columns = sentir.load_cached(None, "cpu").analyze_columns(frame["text"], threads=1)
    return frame.assign(label=columns["label"], score=columns["score"])


class OnADaskCluster(unittest.TestCase):
    def test_two_worker_processes_score_like_the_cli(self):
        import dask.dataframe as dd
        import pandas as pd
        from dask.distributed import Client, LocalCluster

        texts = posts(3000)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as file:
            file.write("\n".join(texts) + "\n")
        try:
            expected = cli_lines(["analyze", "--backend", "cpu-simd", "--input", file.name], "")
        finally:
            os.unlink(file.name)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            frame = dd.from_pandas(pd.DataFrame({"text": texts}), npartitions=12)
            meta = frame._meta.assign(label=pd.Series(dtype=object), score=pd.Series(dtype="float32"))
            scored = frame.map_partitions(score_partition, meta=meta).compute()
            # The model loaded once in each worker process, not once per partition.
            loads = client.run(lambda: sentir.load_cached.cache_info().misses)
        self.assertEqual(len(loads), 2)
        self.assertEqual(sorted(loads.values()), [1, 1])
        self.assertEqual(list(scored["label"]), [row["label"] for row in expected])
        np.testing.assert_allclose(scored["score"], [row["score"] for row in expected], atol=TOLERANCE)


if __name__ == "__main__":
    unittest.main()
