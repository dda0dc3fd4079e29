"""The shapes of sentir's results, as typing.TypedDict: what `Analyzer.analyze` and `analyze_many` return (the JS
API's objects, with offsets as Python string indices) and `Analyzer.adapt`'s report, for annotations and type
checkers."""

from typing import Dict, List, Literal, TypedDict

# The backend names every front end takes (the CLI's --backend, the JS API's backend option).
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


class LabelCount(TypedDict):
    label: str
    posts: int


class Skipped(TypedDict):
    empty: int  # empty or only white space
    duplicate: int  # the same text as an earlier post (the first is kept)
    failed: int  # could not be analysed (too long, for one)


class Score(TypedDict):
    accuracy: float
    accuracy_interval: List[float]  # 95%, bootstrap over the posts: [low, high]
    macro_f1: float
    macro_f1_interval: List[float]


class AdaptReport(TypedDict):
    """What `Analyzer.adapt` found (sentir::adapt::Report)."""

    counts: List[LabelCount]
    skipped: Skipped
    folds: int
    current: Score  # the model's own head on the labelled posts
    adapted: Score  # the new head, by nested cross-validation
    gain: float  # accuracy, adapted minus current
    gain_interval: List[float]
    strength: float  # the pull towards the model's own head
    kept: bool  # whether the new head is kept (the gain's interval lies above zero)
    verdict: str
