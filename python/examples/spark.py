# The python/README.md PySpark recipe on a local Spark (pip install pyspark pyarrow pandas, Java 17), parquet
# in and out under /tmp/spark:  PYSPARK_PYTHON=$(which python) python python/examples/spark.py
import os
os.makedirs("/tmp/spark", exist_ok=True)
import pandas as pd, pyarrow as pa, sentir
from pyspark.sql import SparkSession
from pyspark.sql.types import FloatType, StringType, StructField, StructType

spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
pd.DataFrame({"id": range(6), "text": ["I loved it", "terrible service", "not bad at all", "meh", "Best. Film. Ever!", "never again"]}).to_parquet("/tmp/spark/posts.parquet")
posts = spark.read.parquet("/tmp/spark/posts.parquet")

def score(batches):
    analyzer = sentir.load_cached()
    for batch in batches:
        columns = analyzer.analyze_columns(batch.column("text").to_pylist(), threads=1)
        yield batch.append_column("label", pa.array(columns["label"], pa.string())) \
                   .append_column("score", pa.array(columns["score"], pa.float32()))

schema = StructType(posts.schema.fields + [StructField("label", StringType()), StructField("score", FloatType())])
posts.mapInArrow(score, schema).write.mode("overwrite").parquet("/tmp/spark/scored/")
out = spark.read.parquet("/tmp/spark/scored/").orderBy("id").toPandas()
print(out)
expected = sentir.Analyzer.load().analyze_columns(list(out["text"]))
assert list(out["label"]) == list(expected["label"]), (list(out["label"]), list(expected["label"]))
print("spark recipe OK")
