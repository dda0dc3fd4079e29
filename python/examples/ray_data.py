# The python/README.md Ray Data recipe on a local Ray (pip install "ray[data]" pandas), parquet in and out
# under /tmp/ray:  python python/examples/ray_data.py
import os
os.makedirs("/tmp/ray", exist_ok=True)
import pandas as pd, ray, sentir

class Score:
    def __init__(self):
        self.analyzer = sentir.Analyzer.load()

    def __call__(self, batch):                      # batch_format="numpy": a dict of numpy arrays
        columns = self.analyzer.analyze_columns(batch["text"], threads=1)
        return {**batch, "label": columns["label"], "score": columns["score"]}

ray.init(num_cpus=2, include_dashboard=False)
texts = ["I loved it", "terrible service", "not bad at all", "meh", "Best. Film. Ever!", "never again"] * 50
pd.DataFrame({"id": range(len(texts)), "text": texts}).to_parquet("/tmp/ray/posts.parquet")
ray.data.read_parquet("/tmp/ray/posts.parquet").map_batches(
    Score, batch_format="numpy", batch_size=64, compute=ray.data.ActorPoolStrategy(size=1)).write_parquet("/tmp/ray/scored/")
out = pd.read_parquet("/tmp/ray/scored/").sort_values("id")
expected = sentir.Analyzer.load().analyze_columns(list(out["text"]))
assert list(out["label"]) == list(expected["label"])
print(out.head(6)); print("ray recipe OK", len(out))
