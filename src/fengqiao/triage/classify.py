"""Category suggestion (分类建议), learned from the platform's own past events.

A multinomial naive Bayes over character unigrams and bigrams (text.py) of title + description,
written here with NumPy — no model is fetched from anywhere. Naive Bayes is famously
over-confident (a character counts once alone and twice in bigrams, as if independent), so a
text's log-likelihood is averaged over its features and counted as `EFFECTIVE_FEATURES`
independent observations, and the posterior is softened by a temperature (≥ 1) fitted at training
time so that "confidence c" means "right about c of the time" on wording it has not seen: five
folds cut along groups of near-identical wording (`_folds`: texts filled from one template, or
copied from one another, are held out together — a random split of templated texts would teach it
to be sure of everything), each scored by a model counted on the other four, and the temperature
minimising their log loss kept with the model version (`Calibration`, in the payload and in
`ClassifierModel.temperature` / `metrics["calibration"]`). Then the model is counted on all.
Figures before and after: bench/README.md, "Triage".

- `train()` reads events with a settled category (not refused or merged, not waiting in triage
  for a category), stores a new `ClassifierModel` row, and makes it this process's model.
  Run by `fengqiao train_classifier` and nightly by the Huey task in tasks.py.
- `suggest_categories(text)` uses the newest row, cached in memory per process; every
  `FENGQIAO_TRIAGE_MODEL_CHECK_SECONDS` (default 10) one cheap query asks whether a newer version
  exists (and refreshes the active categories). No model → no suggestions.
"""

from __future__ import annotations

import io
import json
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
TEMPERATURES = np.exp(np.linspace(0.0, math.log(1000.0), 140))
HOLDOUTS = ("grouped", "random", "none")
FOLDS = 5  # calibration folds
CALIBRATION_SAMPLE = 20_000  # at most this many out-of-fold events are scored to fit the temperature
STOCK_SHARE = 0.2  # a bigram in at least this share of a category's events is its stock wording
STOCK_LIFT = 2.0  # … and at least this many times as common in it as in all events (not a name or a place)
SAME_WORDING = 0.6  # stock bigrams in common (Jaccard) for two wordings to be held out together
COMPARISONS = 3_000_000  # wording comparisons at most while grouping (about a second)
COMMON_GROUP = 0.6  # a wording shared by more of its category than this is spread over the folds


# ----------------------------------------------------------------------------- the model


@dataclass
class Calibration:
    """How the confidence was calibrated: the fitted temperature and what it was fitted on."""

    temperature: float = 1.0
    method: str = "none"  # "grouped", "random", "none"; "unknown" for a model stored before this
    held_out: int = 0  # out-of-fold events scored to fit it
    groups: int = 0  # wording groups the folds were cut along ("grouped")
    top1: float | None = None  # how often the out-of-fold top suggestion was right
    confidence_raw: float | None = None  # their mean top confidence at temperature 1 …
    confidence: float | None = None  # … and at the fitted temperature
    log_loss_raw: float | None = None
    log_loss: float | None = None

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


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
    calibration: Calibration | None = None
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
            calibration=np.frombuffer(json.dumps(self.calibration.as_dict() if self.calibration else {}).encode(),
                                      dtype=np.uint8),
        )
        return zlib.compress(buf.getvalue(), 6)

    @classmethod
    def from_bytes(cls, data: bytes | memoryview, *, version: int | None) -> Model:
        arrays = np.load(io.BytesIO(zlib.decompress(bytes(data))))
        words = arrays["vocabulary"].tobytes().decode().split("\n") if arrays["vocabulary"].size else []
        temperature = float(arrays["temperature"][0])
        stored = json.loads(arrays["calibration"].tobytes().decode() or "{}") if "calibration" in arrays else {}
        calibration = Calibration(**stored) if stored else Calibration(temperature=temperature, method="unknown")
        return cls(
            version=version, category_ids=arrays["category_ids"], log_prior=arrays["log_prior"],
            log_lik=arrays["log_lik"], df=arrays["df"], n_docs=int(arrays["n_docs"][0]),
            temperature=temperature, vocabulary={w: i for i, w in enumerate(words)}, calibration=calibration,
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


def fit(docs: Sequence[tuple[str, int]], *, holdout: str = "grouped") -> Model | None:
    """Fit on (text, category_id) pairs. None when there is too little to learn from.

    The temperature is fitted on out-of-fold scores (`_calibrate`); `holdout` says how the folds
    are cut: "grouped" (the default: a category's near-identical wordings stay in one fold, so
    each fold is scored by a model that never saw its wording), "random" (stratified, what a
    random split gives — kept for the bench's comparison) or "none" (temperature 1)."""
    if holdout not in HOLDOUTS:
        raise ValueError(f"holdout must be one of {HOLDOUTS}")
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

    rows = [[vocabulary[w] for w in f if w in vocabulary] for f in feats]
    folds, groups = _folds(feats, y, n_classes, holdout)
    counts = _count(rows, y, np.ones(len(rows), dtype=bool), n_classes, n_features)
    calibration = _calibrate(rows, y, folds, counts, method=holdout, groups=groups)
    whole = _estimate(counts, np.bincount(y, minlength=n_classes))
    return Model(
        version=None, category_ids=np.array(labels, dtype=np.int64), log_prior=whole.log_prior,
        log_lik=whole.log_lik, df=df, n_docs=len(docs), temperature=calibration.temperature,
        vocabulary=vocabulary, calibration=calibration,
    )


def _folds(feats: list[list[str]], y: np.ndarray, n_classes: int, holdout: str) -> tuple[np.ndarray, int]:
    """A calibration fold (0 … FOLDS-1) for every event; -1: not held out ("none").

    "random": stratified, every category dealt evenly over the folds.

    "grouped": a text's *stock wording* is the set of its category's frequent bigrams (in
    ≥ STOCK_SHARE of the category's events and STOCK_LIFT times as common there as in all events —
    so not a name, a village or a number) that it contains. Texts whose stock wordings overlap by
    SAME_WORDING or more (Jaccard) form one group, whatever their category, and a whole group goes
    to one fold, dealt round-robin: texts filled from one template or copied from one another are
    held out together, and each fold is scored by a model that never saw its wording. Where one
    group holds more than COMMON_GROUP of a category (or all of it) that is the category's common
    wording, not one template among several: those events are spread over the folds instead, so
    no category is ever held out whole."""
    n = len(feats)
    if holdout == "none":
        return np.full(n, -1, dtype=np.int64), 0
    folds = np.zeros(n, dtype=np.int64)
    per_class = [np.flatnonzero(y == c) for c in range(n_classes)]
    if holdout == "random":
        for c, members in enumerate(per_class):
            folds[members] = (np.arange(len(members)) + c) % FOLDS
        return folds, 0

    bigram_sets = [{w for w in f if len(w) == 2} for f in feats]
    overall: Counter[str] = Counter()
    for b in bigram_sets:
        overall.update(b)
    wordings: dict[frozenset[str], list[int]] = {}
    for members in per_class:
        df: Counter[str] = Counter()
        for i in members:
            df.update(bigram_sets[i])
        stock = {w for w, k in df.items()
                 if k >= STOCK_SHARE * len(members) and k / len(members) >= STOCK_LIFT * overall[w] / n}
        for i in members:
            wordings.setdefault(frozenset(bigram_sets[i] & stock), []).append(int(i))
    # Near-identical wordings (a place or a name that happens to be frequent) join one group,
    # the most common first; once COMPARISONS are spent (a large, varied history: many wordings
    # of a few events each) the rest stay groups of their own.
    clusters: list[tuple[frozenset[str], list[int]]] = []
    budget = COMPARISONS
    for key in sorted(wordings, key=lambda k: (-len(wordings[k]), sorted(k))):
        candidates = clusters if key and budget > 0 else ()
        budget -= len(candidates)
        for head, joined in candidates:
            if len(key & head) >= SAME_WORDING * len(key | head):
                joined.extend(wordings[key])
                break
        else:
            clusters.append((key, list(wordings[key])))
    class_size = np.bincount(y, minlength=n_classes)
    dealt = 0
    spread: list[int] = []
    n_groups = 0
    for head, group in sorted(clusters, key=lambda hg: zlib.crc32("|".join(sorted(hg[0])).encode())):
        cells = Counter(int(y[i]) for i in group)
        common = {c for c, k in cells.items() if not head or k > COMMON_GROUP * class_size[c]}
        held = [i for i in group if int(y[i]) not in common]
        spread.extend(i for i in group if int(y[i]) in common)
        if held:
            folds[held] = dealt % FOLDS
            dealt += 1
            n_groups += 1
    spread.sort()
    by_class: Counter[int] = Counter()
    for pos in spread:
        label = int(y[pos])
        folds[pos] = (by_class[label] + label) % FOLDS
        by_class[label] += 1
    return folds, n_groups


def _calibrate(
    rows: list[list[int]], y: np.ndarray, folds: np.ndarray, total: np.ndarray, *, method: str, groups: int,
) -> Calibration:
    """Fit the temperature minimising the log loss of out-of-fold posteriors: each fold is scored
    by a model counted on the other folds (`total`, the counts of every event, less the fold's).
    Temperature 1 when there is too little to hold out."""
    n_classes, n_features = total.shape
    usable = np.array([bool(r) for r in rows]) & (folds >= 0)
    if usable.sum() < 5:
        return Calibration(method="none")
    step = max(1, math.ceil(usable.sum() / CALIBRATION_SAMPLE))
    scored = np.zeros(len(rows), dtype=bool)
    scored[np.flatnonzero(usable)[::step]] = True
    class_docs = np.bincount(y, minlength=n_classes)
    scores: list[np.ndarray] = []
    truth: list[int] = []
    for f in range(FOLDS):
        in_fold = folds == f
        targets = np.flatnonzero(in_fold & scored)
        rest = class_docs - np.bincount(y[in_fold], minlength=n_classes)
        if not len(targets) or (rest > 0).sum() < 2:
            continue
        part = _estimate(total - _count(rows, y, in_fold, n_classes, n_features), rest)
        for i in targets:
            scores.append(_score(part.log_prior, part.log_lik, rows[i]))
            truth.append(int(y[i]))
    if len(truth) < 5:
        return Calibration(method="none")
    s = np.stack(scores)
    t = np.array(truth, dtype=np.int64)
    picked = np.arange(len(t))

    def log_loss(temperature: float) -> float:
        p = _softmax(s / temperature)
        return float(-np.log(np.clip(p[picked, t], 1e-12, 1.0)).mean())

    losses = [log_loss(float(T)) for T in TEMPERATURES]
    best = int(np.argmin(losses))
    temperature = float(TEMPERATURES[best])
    return Calibration(
        temperature=temperature, method=method, held_out=len(t), groups=groups,
        top1=float((s.argmax(axis=1) == t).mean()),
        confidence_raw=float(_softmax(s).max(axis=1).mean()),
        confidence=float(_softmax(s / temperature).max(axis=1).mean()),
        log_loss_raw=losses[0], log_loss=losses[best],
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
        metrics={"seconds": round(seconds, 3), "calibration": model.calibration.as_dict() if model.calibration else {}},
        payload=model.to_bytes(),
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
                          model.temperature, time.perf_counter() - started,
                          model.calibration.top1 if model.calibration else None)


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
