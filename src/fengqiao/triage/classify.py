"""Category suggestion (分类建议), learned from the platform's own past events.

A multinomial naive Bayes over character unigrams and bigrams (text.py) of title + description,
written here with NumPy — no model is fetched from anywhere. Naive Bayes is famously
over-confident (a character counts once alone and twice in bigrams, as if independent), so a
text's log-likelihood is averaged over its features and counted as `EFFECTIVE_FEATURES`
independent observations, and the posterior is softened by a temperature (≥ 1) fitted on a tenth
of the data held out during training. Calibrated that way on the platform's own wording; on new
wording it is still over-confident (bench/README.md), so the operator confirms.

- `train()` reads events with a settled category (not refused or merged, not waiting in triage
  for a category), stores a new `ClassifierModel` row, and makes it this process's model.
  Run by `fengqiao train_classifier` and nightly by the Huey task in tasks.py.
- `suggest_categories(text)` uses the newest row, cached in memory per process; every
  `FENGQIAO_TRIAGE_MODEL_CHECK_SECONDS` (default 10) one cheap query asks whether a newer version
  exists (and refreshes the active categories). No model → no suggestions.
"""

from __future__ import annotations

import io
import math
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Q

from fengqiao.events.models import Category, Event, Status
from fengqiao.lib import clock
from fengqiao.triage.models import ClassifierModel, TriageItem
from fengqiao.triage.text import event_text, ngrams

ALPHA = 0.1  # additive smoothing
MIN_DF = 2  # a feature must appear in at least two events
MAX_FEATURES = 200_000
MIN_EVENTS = 10  # fewer settled events than this: no model
KEEP_VERSIONS = 3
EFFECTIVE_FEATURES = 5.0
TEMPERATURES = np.exp(np.linspace(0.0, math.log(50.0), 60))


# ----------------------------------------------------------------------------- the model


@dataclass
class Model:
    version: int | None
    category_ids: np.ndarray  # (C,) int64
    log_prior: np.ndarray  # (C,) float64
    log_lik: np.ndarray  # (C, V) float32
    df: np.ndarray  # (V,) int32: in how many training events each feature appears
    n_docs: int
    temperature: float
    vocabulary: dict[str, int]
    categories: dict[int, Category] = field(default_factory=dict)  # active ones only
    _idf: list[float] | None = field(default=None, repr=False)
    _idf_unseen: float = field(default=1.0, repr=False)

    def scores(self, features: Iterable[str]) -> np.ndarray | None:
        idx = [self.vocabulary[f] for f in features if f in self.vocabulary]
        if not idx:
            return None
        return _score(self.log_prior, self.log_lik, idx)

    def posterior(self, features: Iterable[str]) -> np.ndarray | None:
        s = self.scores(features)
        if s is None:
            return None
        return _softmax(s / self.temperature)

    def idf(self, feature: str) -> float:
        """Inverse document frequency (for the duplicate search); unseen features count as rare."""
        if self._idf is None:
            self._idf = (np.log((self.n_docs + 1) / (self.df.astype(np.float64) + 1)) + 1.0).tolist()
            self._idf_unseen = math.log(self.n_docs + 1) + 1.0
        i = self.vocabulary.get(feature)
        return self._idf_unseen if i is None else self._idf[i]

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        np.savez(
            buf, category_ids=self.category_ids, log_prior=self.log_prior, log_lik=self.log_lik,
            df=self.df, n_docs=np.array([self.n_docs]), temperature=np.array([self.temperature]),
            vocabulary=np.frombuffer("\n".join(vocab).encode(), dtype=np.uint8),
        )
        return zlib.compress(buf.getvalue(), 6)

    @classmethod
    def from_bytes(cls, data: bytes, *, version: int | None) -> Model:
        arrays = np.load(io.BytesIO(zlib.decompress(bytes(data))))
        words = arrays["vocabulary"].tobytes().decode().split("\n") if arrays["vocabulary"].size else []
        return cls(
            version=version, category_ids=arrays["category_ids"], log_prior=arrays["log_prior"],
            log_lik=arrays["log_lik"], df=arrays["df"], n_docs=int(arrays["n_docs"][0]),
            temperature=float(arrays["temperature"][0]),
            vocabulary={w: i for i, w in enumerate(words)},
        )


def _score(log_prior: np.ndarray, log_lik: np.ndarray, idx: list[int]) -> np.ndarray:
    return log_prior + log_lik[:, idx].sum(axis=1, dtype=np.float64) * (EFFECTIVE_FEATURES / len(idx))


def _softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# -------------------------------------------------------------------------------- training


@dataclass
class TrainingReport:
    version: int | None
    events: int
    categories: int
    features: int
    temperature: float
    seconds: float
    holdout_top1: float | None

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def fit(docs: Sequence[tuple[str, int]]) -> Model | None:
    """Fit on (text, category_id) pairs. None when there is too little to learn from."""
    labels = sorted({c for _t, c in docs})
    if len(docs) < MIN_EVENTS or len(labels) < 2:
        return None
    label_index = {c: i for i, c in enumerate(labels)}
    feats = [ngrams(t) for t, _c in docs]
    y = np.array([label_index[c] for _t, c in docs], dtype=np.int64)

    df_counter: Counter[str] = Counter()
    for f in feats:
        df_counter.update(set(f))
    kept = [w for w, n in df_counter.most_common(MAX_FEATURES) if n >= MIN_DF]
    vocabulary = {w: i for i, w in enumerate(kept)}
    n_classes, n_features = len(labels), len(vocabulary)
    if n_features == 0:
        return None
    df = np.array([df_counter[w] for w in kept], dtype=np.int32)

    # Hold out every tenth event to fit the temperature, then count everything.
    rows = [[vocabulary[w] for w in f if w in vocabulary] for f in feats]
    holdout = np.arange(len(docs)) % 10 == 9
    counts_train = _count(rows, y, ~holdout, n_classes, n_features)
    counts_hold = _count(rows, y, holdout, n_classes, n_features)

    temperature = 1.0
    if sum(1 for r, h in zip(rows, holdout, strict=True) if h and r) >= 5 and len(np.unique(y[~holdout])) >= 2:
        part = _estimate(counts_train, np.bincount(y[~holdout], minlength=n_classes))
        kept_rows = [(r, t) for r, h, t in zip(rows, holdout, y, strict=True) if h and r]
        scores = np.stack([_score(part.log_prior, part.log_lik, r) for r, _t in kept_rows])
        truth = np.array([t for _r, t in kept_rows], dtype=np.int64)
        best = math.inf
        for t in TEMPERATURES:
            p = _softmax(scores / t)
            nll = -np.log(np.clip(p[np.arange(len(truth)), truth], 1e-12, 1.0)).mean()
            if nll < best:
                best, temperature = nll, float(t)

    whole = _estimate(counts_train + counts_hold, np.bincount(y, minlength=n_classes))
    return Model(
        version=None, category_ids=np.array(labels, dtype=np.int64), log_prior=whole.log_prior,
        log_lik=whole.log_lik, df=df, n_docs=len(docs), temperature=temperature, vocabulary=vocabulary,
    )


@dataclass
class _Estimate:
    log_prior: np.ndarray
    log_lik: np.ndarray


def _count(rows: list[list[int]], y: np.ndarray, mask: np.ndarray, n_classes: int, n_features: int) -> np.ndarray:
    counts = np.zeros(n_classes * n_features, dtype=np.float64)
    chunk: list[int] = []
    for r, label, use in zip(rows, y, mask, strict=True):
        if use and r:
            base = int(label) * n_features
            chunk.extend(base + i for i in r)
            if len(chunk) > 2_000_000:
                counts += np.bincount(chunk, minlength=counts.size)
                chunk = []
    if chunk:
        counts += np.bincount(chunk, minlength=counts.size)
    return counts.reshape(n_classes, n_features)


def _estimate(counts: np.ndarray, class_docs: np.ndarray) -> _Estimate:
    smoothed = counts + ALPHA
    log_lik = (np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))).astype(np.float32)
    prior = (class_docs + 1.0) / (class_docs.sum() + len(class_docs))
    return _Estimate(log_prior=np.log(prior), log_lik=log_lik)


def training_events(limit: int | None = None):
    """Events whose category a person settled: not refused or merged, not waiting in triage
    for a category. The newest first, at most `limit` (FENGQIAO_TRIAGE_TRAIN_LIMIT)."""
    limit = limit or getattr(settings, "FENGQIAO_TRIAGE_TRAIN_LIMIT", 200_000)
    waiting = list(
        TriageItem.objects.filter(closed_at__isnull=True, uncategorised=True).values_list("event_id", flat=True)
    )
    qs = Event.objects.exclude(status__in=[Status.REFUSED, Status.MERGED]).filter(
        category__active=True
    )
    if waiting:
        qs = qs.exclude(pk__in=waiting)
    return qs.order_by("-id").values_list("title", "description", "category_id")[:limit]


def train(*, limit: int | None = None) -> TrainingReport:
    """Train on the database, store a new version, and use it in this process."""
    started = time.perf_counter()
    docs = [(event_text(t, d), c) for t, d, c in training_events(limit).iterator(chunk_size=5000)]
    model = fit(docs)
    seconds = time.perf_counter() - started
    if model is None:
        return TrainingReport(None, len(docs), len({c for _t, c in docs}), 0, 1.0, seconds, None)
    row = ClassifierModel.objects.create(
        created_at=clock.now(), trained_on=len(docs), categories=len(model.category_ids),
        features=len(model.vocabulary), temperature=model.temperature,
        metrics={"seconds": round(seconds, 3)}, payload=model.to_bytes(),
    )
    old = list(ClassifierModel.objects.order_by("-id").values_list("id", flat=True)[KEEP_VERSIONS:])
    if old:
        ClassifierModel.objects.filter(pk__in=old).delete()
    model.version = row.pk
    model.categories = _active_categories(model)
    with _lock:
        _cache.model = model
        _cache.checked = time.monotonic()
    return TrainingReport(row.pk, len(docs), len(model.category_ids), len(model.vocabulary),
                          model.temperature, time.perf_counter() - started, None)


# ---------------------------------------------------------------------------- the cache


@dataclass
class _Cache:
    model: Model | None = None
    checked: float = -math.inf


_cache = _Cache()
_lock = threading.Lock()


def reset_cache() -> None:
    """Forget the loaded model (tests; a process that wants to re-read at once)."""
    with _lock:
        _cache.model = None
        _cache.checked = -math.inf


def _active_categories(model: Model) -> dict[int, Category]:
    ids = [int(i) for i in model.category_ids]
    return {c.pk: c for c in Category.objects.filter(Q(pk__in=ids) & Q(active=True))}


def current_model() -> Model | None:
    """The newest trained model, reloaded when a newer version appears."""
    interval = getattr(settings, "FENGQIAO_TRIAGE_MODEL_CHECK_SECONDS", 10)
    now = time.monotonic()
    if now - _cache.checked < interval:
        return _cache.model
    latest = ClassifierModel.objects.order_by("-id").values_list("id", flat=True).first()
    with _lock:
        model = _cache.model
        if latest is None:
            model = None
        elif model is None or model.version != latest:
            payload = ClassifierModel.objects.filter(pk=latest).values_list("payload", flat=True).first()
            model = Model.from_bytes(payload, version=latest) if payload is not None else None
        if model is not None:
            model.categories = _active_categories(model)
        _cache.model = model
        _cache.checked = now
        return model


# ------------------------------------------------------------------------------ suggesting


def suggest_categories(text: str, *, limit: int = 3) -> list[tuple[Category, float]]:
    """The likeliest categories for `text` with their confidence in [0, 1], best first.

    Empty when no model has been trained or the text shares nothing with what it learned."""
    if limit < 1:
        return []
    model = current_model()
    if model is None:
        return []
    p = model.posterior(ngrams(text))
    if p is None:
        return []
    out: list[tuple[Category, float]] = []
    for i in np.argsort(-p):
        category = model.categories.get(int(model.category_ids[i]))
        if category is None:  # retired since training
            continue
        out.append((category, round(float(p[i]), 4)))
        if len(out) >= limit:
            break
    return out


def suggestion_dicts(suggestions: Iterable[tuple[Category, float]]) -> list[dict]:
    return [{"code": c.code, "name": c.name, "confidence": conf} for c, conf in suggestions]
