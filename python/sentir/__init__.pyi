from os import PathLike
from typing import Any, Dict, Iterable, List, Literal, Optional, TypedDict, Union

import numpy as np

__version__: str

Backend = Literal["auto", "cpu", "cpu-simd", "cpu-scalar", "gpu"]

class Token(TypedDict):
    id: int
    piece: str
    text: str
    start: int  # Python string index: text[start:end]
    end: int
    score: float  # how much this token moved log p(positive) - log p(negative)
    probability: float  # p(positive) once the text up to this token has been read

class Word(TypedDict):
    text: str
    start: int
    end: int
    score: float
    first_token: int
    token_count: int

class Analysis(TypedDict, total=False):
    label: str
    probabilities: Dict[str, float]
    tokens: List[Token]
    words: List[Word]
    backend: str
    fallback: str  # only when the chosen backend failed and the CPU completed the call

class ErrorRow(TypedDict):
    error: str

class SentirError(Exception): ...
class ModelError(SentirError): ...
class TextError(SentirError): ...

class Analyzer:
    @staticmethod
    def load(path: Optional[Union[str, PathLike[str]]] = None, backend: Backend = "auto") -> Analyzer: ...
    @property
    def labels(self) -> List[str]: ...
    @property
    def model_name(self) -> str: ...
    @property
    def positive_label(self) -> str: ...
    @property
    def negative_label(self) -> str: ...
    @property
    def backend(self) -> str: ...
    @property
    def backend_reason(self) -> str: ...
    def analyze(self, text: str) -> Analysis: ...
    def analyze_many(
        self, texts: Iterable[Any], batch_size: int = 256, threads: Optional[int] = None
    ) -> List[Union[Analysis, ErrorRow]]: ...
    def analyze_columns(
        self, texts: Iterable[Any], batch_size: int = 256, threads: Optional[int] = None
    ) -> Dict[str, np.ndarray]: ...

def load_cached(path: Optional[Union[str, PathLike[str]]] = None, backend: Backend = "auto") -> Analyzer: ...
