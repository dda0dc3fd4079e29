"""sentir: sentiment of posts, reviews and comments, with what every token did to it.

    import sentir
    analyzer = sentir.Analyzer.load()            # the default model, inside the package
    analyzer.analyze("not bad at all")["label"]  # 'positive'
    analyzer.analyze_columns(frame["text"])      # numpy columns for a dataframe, on every core

On a cluster engine, call `load_cached()` inside the function each task runs: each worker process loads the model
once and keeps it (README.md, "In Python": Dask, Ray Data, PySpark).
"""

import os
from functools import lru_cache
from os import PathLike
from typing import Optional, Union

# Mesa's device-select Vulkan layer asks Wayland and X for the default GPU whenever the GPU is probed, and on a
# machine without a display libwayland prints "error: XDG_RUNTIME_DIR is invalid or not set in the environment.":
# noise a user reads as a failure. sentir picks its own adapter, so the layer is turned off before the native module
# loads, unless the user asked it for a device (the CLI does the same in its main).
if "NODEVICE_SELECT" not in os.environ and "MESA_VK_DEVICE_SELECT" not in os.environ:
    os.environ["NODEVICE_SELECT"] = "1"

from ._sentir import AdaptError, Analyzer, ModelError, SentirError, TextError, __version__
from ._types import AdaptReport, Analysis, Backend, ErrorRow, LabelCount, Score, Skipped, Token, Word

__all__ = [
    "AdaptError", "AdaptReport", "Analysis", "Analyzer", "Backend", "ErrorRow", "LabelCount", "ModelError", "Score",
    "SentirError", "Skipped", "TextError", "Token", "Word", "__version__", "load_cached",
]


def load_cached(path: "Optional[Union[str, PathLike[str]]]" = None, backend: Backend = "auto") -> Analyzer:
    """`Analyzer.load(path, backend)`, once per process: later calls with the same arguments return the same
    analyzer. What a function shipped to a cluster's workers calls, so that the model loads once per worker
    process, not once per task, batch or row."""
    return _load_once(None if path is None else os.fspath(path), backend)


@lru_cache(maxsize=None)
def _load_once(path: Optional[str], backend: Backend) -> Analyzer:
    return Analyzer.load(path, backend)


# As when load_cached was the lru_cache itself: `load_cached.cache_info().misses` counts the loads of this process.
load_cached.cache_info = _load_once.cache_info  # type: ignore[attr-defined]
load_cached.cache_clear = _load_once.cache_clear  # type: ignore[attr-defined]
