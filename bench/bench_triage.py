"""Benchmark: cross-channel duplicates and category suggestions (triage, 分流).

    DATABASE_URL=sqlite:///var/bench-triage.db .venv/bin/python bench/bench_triage.py [--fill 200000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fq_triage_bench .venv/bin/python bench/bench_triage.py

The database is dropped and re-created (its name must contain "bench"; --keep reuses it), gets the
demo's county, places and people, and `bench_seed` fills it to --fill events (the background a
twin search runs against). Then:

(a) Duplicates. --matters matters are each reported through one to three channels — a 12345
    ticket, a grid worker's note, a 110 call — written differently (channel wording, synonyms,
    dropped and reordered clauses, the caller's own name sometimes), with points 0–300 m apart,
    registered within two days, the same caller's phone on the 12345 and 110 reports half the
    time. --distinct other events come from the same generator, 40 % of them "lookalikes": the same
    category in the same village within three days, by other people. All are registered through
    `event_register` at their (frozen) times over 60 days. The classifier is trained first (its
    document frequencies weight the text), as the nightly task would have. Every bench event then
    runs `find_twins` (threshold 0, limit 50, to see the whole curve); a pair counts once.
    Precision and recall per threshold; the time and queries of one `find_twins` for 100 events
    registered now: as intake calls it (limit 5, the deployed threshold: candidates that cannot
    reach it are not compared) and with threshold 0, limit 50 (every candidate compared).

(b) Categories. --texts titles and descriptions from the demo's own generator
    (`fengqiao.demo.stories._content`, its category and village weights), split 80/20 at random;
    the suggester is fitted on the 80 % and scored on the 20 %: top-1 and top-3 accuracy, mean
    confidence of the top suggestion, and the same on the 20 % rewritten as 12345/110 wording. The
    demo writes each category from two to four templates, so a random split tests little; the
    "unseen wording" row trains without the last template of every category that has several and
    tests on exactly those texts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import fresh_database, machine_line, migrate, percentile, setup_django  # noqa: E402

SYNONYMS = [
    ("反映", "说"), ("发生争执", "吵了起来"), ("拖欠", "欠"), ("工资", "工钱"), ("损坏", "坏了"),
    ("夜间", "晚上"), ("存在", "有"), ("隐患", "危险"), ("多次", "好几次"), ("要求", "希望"),
    ("村民", "乡亲们"), ("严重", "厉害"), ("不便", "不方便"), ("附近", "旁边"), ("影响", "耽误"),
    ("发现", "看到"), ("堆积", "堆满"), ("未", "没"), ("无法", "没法"), ("邻居", "隔壁"),
    ("频繁", "经常"), ("双方", "两家"), ("务工", "打工"), ("讨要", "去要"), ("情绪激动", "很激动"),
]
HOTLINE_OPEN = ("市民来电反映:", "来电人反映,", "群众来电称:", "市民致电12345反映:")
HOTLINE_CLOSE = ("请相关部门尽快处理。", "希望尽快解决。", "要求给予答复。", "")
GRID_OPEN = ("网格员走访发现,", "网格员巡查时了解到,", "入户走访中群众反映,", "")
POLICE_OPEN = ("报警人称:", "110接警:报警人称,", "群众报警称", "")
POLICE_CLOSE = ("非警务警情,移交属地处理。", "请属地核实处置。", "")


def rewrite(text: str, rng: random.Random, strength: float) -> str:
    """Another channel's wording of the same facts: synonyms, dropped and reordered clauses."""
    for a, b in SYNONYMS:
        if a in text and rng.random() < strength:
            text = text.replace(a, b)
    clauses = [c for c in text.replace("。", ",").split(",") if c]
    if len(clauses) > 2 and rng.random() < strength:
        clauses.pop(rng.randrange(1, len(clauses)))
    if len(clauses) > 2 and rng.random() < strength / 2:
        i = rng.randrange(1, len(clauses) - 1)
        clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
    return ",".join(clauses) + "。"


def channel_versions(title: str, description: str, rng: random.Random) -> dict[str, tuple[str, str]]:
    return {
        "hotline_12345": (f"关于{title}的诉求" if rng.random() < 0.5 else title,
                          rng.choice(HOTLINE_OPEN) + rewrite(description, rng, 0.4) + rng.choice(HOTLINE_CLOSE)),
        "grid": (rewrite(title, rng, 0.3).rstrip("。"), rng.choice(GRID_OPEN) + rewrite(description, rng, 0.5)),
        "police_110": ("报警称" + rewrite(title, rng, 0.5).rstrip("。"),
                       rng.choice(POLICE_OPEN) + rewrite(description, rng, 0.8) + rng.choice(POLICE_CLOSE)),
    }


def village_point(index: int) -> tuple[float, float]:
    """A stand-in centre for village number `index`: a grid about 3 km apart over Xianyou."""
    row, col = divmod(index, 20)
    return 25.20 + row * 0.027, 118.40 + col * 0.030


def place_villages(villages) -> None:
    """Give the bench's villages their stand-in centres (the twin search looks up the villages
    near a point by their coordinates)."""
    from fengqiao.regions.models import Region

    for i, v in enumerate(villages):
        v.latitude, v.longitude = village_point(i)
    Region.objects.bulk_update(villages, ["latitude", "longitude"], batch_size=500)


def jitter(lat: float, lng: float, metres: float, rng: random.Random) -> tuple[float, float]:
    r = metres * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    return lat + r * math.cos(a) / 111_320, lng + r * math.sin(a) / (111_320 * math.cos(math.radians(lat)))


# ---------------------------------------------------------------------------- (a) duplicates


def build_duplicate_set(*, matters: int, distinct: int, seed: int, stderr) -> tuple[list[int], set[tuple[int, int]]]:
    from django.utils import timezone

    from fengqiao.demo import names, places, stories, texts
    from fengqiao.events import actions
    from fengqiao.events.models import Category
    from fengqiao.lib import clock

    rng = random.Random(seed)
    county = places.load_county()
    villages = county.villages
    index_of = {v.id: i for i, v in enumerate(villages)}
    place_villages(villages)
    weights = stories._village_weights(random.Random(seed), county)
    categories = {c.code: c for c in Category.objects.all()}
    operator = None
    start = timezone.now() - dt.timedelta(days=60)

    def facts(category: str, village) -> dict:
        title_t, desc_t = rng.choice(texts.CONTENT[category]["items"])
        group = f"{rng.randint(1, 12)}组"
        values = {"p": names.person_name(rng), "q": names.person_name(rng), "v": village.display_name,
                  "g": group, "n": str(rng.randint(2, 9)), "amt": f"{rng.randrange(3, 120) * 1000:,}",
                  "road": rng.choice(texts.ROADS)}
        return {"title": texts.fill(title_t, rng, values)[:200], "description": texts.fill(desc_t, rng, values),
                "p": values["p"]}

    plans: list[dict] = []  # what to register, with its ground-truth matter id
    anchors = []
    for m in range(matters):
        village = rng.choices(villages, weights=weights)[0]
        category = stories._category(rng, 6)
        f = facts(category, village)
        lat, lng = jitter(*village_point(index_of[village.id]), 1000, rng)
        at = start + dt.timedelta(days=rng.random() * 55)
        anchors.append((village, category, at))
        versions = channel_versions(f["title"], f["description"], rng)
        k = rng.choices([1, 2, 3], weights=[0.3, 0.4, 0.3])[0]
        caller = names.mobile(rng)
        for source in rng.sample(list(versions), k):
            t, d = versions[source]
            if source == "grid":
                phone = caller if rng.random() < 0.3 else ""
            else:
                phone = caller if rng.random() < 0.5 else names.mobile(rng)
            plans.append({"matter": m, "title": t, "description": d, "category": category, "village": village,
                          "point": jitter(lat, lng, 300, rng), "at": at + dt.timedelta(hours=rng.random() * 48),
                          "source": source, "phone": phone, "name": f["p"] if rng.random() < 0.7 else names.person_name(rng)})
    for i in range(distinct):
        if anchors and rng.random() < 0.4:  # a lookalike: same category, same village, days apart
            village, category, at = rng.choice(anchors)
            at = at + dt.timedelta(days=rng.uniform(-3, 3))
        else:
            village = rng.choices(villages, weights=weights)[0]
            category = stories._category(rng, 6)
            at = start + dt.timedelta(days=rng.random() * 55)
        f = facts(category, village)
        source = rng.choice(["hotline_12345", "grid", "police_110", "citizen", "walk_in"])
        t, d = channel_versions(f["title"], f["description"], rng)[source] if source in {
            "hotline_12345", "grid", "police_110"} else (f["title"], f["description"])
        plans.append({"matter": -1 - i, "title": t, "description": d, "category": category, "village": village,
                      "point": jitter(*village_point(index_of[village.id]), 1000, rng), "at": at,
                      "source": source, "phone": names.mobile(rng), "name": f["p"]})
    plans.sort(key=lambda p: p["at"])

    ids: list[int] = []
    matter_of: dict[int, int] = {}
    started = time.perf_counter()
    for n, p in enumerate(plans):
        with clock.frozen(p["at"]):
            e = actions.event_register(
                actor=operator, title=p["title"], description=p["description"],
                category=categories[p["category"]], source=p["source"], region=p["village"],
                latitude=p["point"][0], longitude=p["point"][1], auto_dispatch=False,
                parties=[actions.PartyInput(name=p["name"], phone=p["phone"], is_reporter=True)],
            )
        ids.append(e.pk)
        matter_of[e.pk] = p["matter"]
        if n % 500 == 499:
            print(f"  registered {n + 1}/{len(plans)} ({time.perf_counter() - started:.0f} s)", file=stderr)
    truth = set()
    by_matter: dict[int, list[int]] = {}
    for pk, m in matter_of.items():
        if m >= 0:
            by_matter.setdefault(m, []).append(pk)
    for group in by_matter.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                truth.add((min(a, b), max(a, b)))
    return ids, truth


def evaluate_duplicates(ids: list[int], truth: set[tuple[int, int]], thresholds: list[float]) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fengqiao.events.models import Event
    from fengqiao.triage.duplicates import THRESHOLD, find_twins

    best: dict[tuple[int, int], float] = {}
    times = []
    queries = []
    for n, pk in enumerate(ids):
        event = Event.objects.get(pk=pk)
        started = time.perf_counter()
        if n % 10 == 0:
            with CaptureQueriesContext(connection) as ctx:
                found = find_twins(event=event, limit=50, threshold=0.0)
            queries.append(len(ctx.captured_queries))
        else:
            found = find_twins(event=event, limit=50, threshold=0.0)
        times.append(time.perf_counter() - started)
        for other, s in found:
            key = (min(pk, other.pk), max(pk, other.pk))
            best[key] = max(best.get(key, 0.0), s)
    rows = []
    for t in sorted({*thresholds, THRESHOLD}):
        predicted = {k for k, s in best.items() if s >= t}
        tp = len(predicted & truth)
        rows.append({"threshold": t, "predicted": len(predicted), "tp": tp,
                     "precision": tp / len(predicted) if predicted else 1.0,
                     "recall": tp / len(truth) if truth else 1.0, "deployed": t == THRESHOLD})
    return {"rows": rows, "pairs": len(truth), "events": len(ids), "median_ms": statistics.median(times) * 1000,
            "p95_ms": percentile(times, 95) * 1000, "queries": statistics.median(queries) if queries else 0}


def time_intake_today(n: int, seed: int) -> dict:
    """`find_twins` and `suggest_categories` as intake calls them for events registered now,
    where the table's recent open events are densest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fengqiao.demo import names, places, stories, texts
    from fengqiao.events import actions
    from fengqiao.events.models import Category
    from fengqiao.triage.classify import suggest_categories
    from fengqiao.triage.duplicates import find_twins

    rng = random.Random(seed + 1)
    county = places.load_county()
    categories = {c.code: c for c in Category.objects.all()}
    twin_t, suggest_t, queries, pools = [], [], [], []
    intake_t, intake_queries = [], []
    for _i in range(n):
        index = rng.randrange(len(county.villages))
        village = county.villages[index]
        category = stories._category(rng, 6)
        title_t, desc_t = rng.choice(texts.CONTENT[category]["items"])
        values = {"p": names.person_name(rng), "q": names.person_name(rng), "v": village.display_name, "g": "3组"}
        title, description = texts.fill(title_t, rng, values)[:200], texts.fill(desc_t, rng, values)
        lat, lng = jitter(*village_point(index), 1000, rng)
        e = actions.event_register(
            actor=None, title=title, description=description, category=categories[category],
            source="hotline_12345", region=village, latitude=lat, longitude=lng, auto_dispatch=False,
            parties=[actions.PartyInput(name=values["p"], phone=names.mobile(rng), is_reporter=True)],
        )
        started = time.perf_counter()
        suggest_categories(f"{title}。{description}")
        suggest_t.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            find_twins(event=e)  # exactly as intake calls it: limit 5, the deployed threshold
            intake_t.append(time.perf_counter() - started)
        intake_queries.append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            found = find_twins(event=e, limit=50, threshold=0.0)
            twin_t.append(time.perf_counter() - started)
        queries.append(len(ctx.captured_queries))
        pools.append(len(found))
    return {"median_ms": statistics.median(twin_t) * 1000, "p95_ms": percentile(twin_t, 95) * 1000,
            "queries": statistics.median(queries), "scored": statistics.median(pools),
            "suggest_us": statistics.median(suggest_t) * 1e6, "n": n,
            "intake_median_ms": statistics.median(intake_t) * 1000, "intake_p95_ms": percentile(intake_t, 95) * 1000,
            "intake_queries": statistics.median(intake_queries)}


# ---------------------------------------------------------------------------- (b) categories


def evaluate_classifier(*, n: int, seed: int) -> dict:
    from django.utils import timezone

    from fengqiao.demo import places, stories
    from fengqiao.triage import classify
    from fengqiao.triage.text import event_text, ngrams

    rng = random.Random(seed)
    county = places.load_county()
    weights = stories._village_weights(random.Random(seed), county)
    as_of = timezone.now()
    codes: list[str] = []
    docs: list[tuple[str, str, str]] = []
    for _ in range(n):
        category = stories._category(rng, rng.randint(1, 12))
        village = rng.choices(county.villages, weights=weights)[0]
        c = stories._content(rng, {"category": category, "village": village,
                                   "source": stories._source(rng, category)}, as_of)
        docs.append((c["title"], c["description"], category))
    codes = sorted({d[2] for d in docs})
    label = {c: i for i, c in enumerate(codes)}
    rng.shuffle(docs)
    cut = int(len(docs) * 0.8)
    train, test = docs[:cut], docs[cut:]
    started = time.perf_counter()
    model = classify.fit([(event_text(t, d), label[c]) for t, d, c in train])
    train_s = time.perf_counter() - started
    assert model is not None

    def score(rows, model=model) -> dict:
        top1 = top3 = 0
        conf = []
        right = []
        t0 = time.perf_counter()
        for t, d, c in rows:
            p = model.posterior(ngrams(event_text(t, d)))
            if p is None:
                continue
            order = [int(model.category_ids[i]) for i in p.argsort()[::-1][:3]]
            top1 += order[0] == label[c]
            top3 += label[c] in order
            conf.append(float(p.max()))
            right.append(order[0] == label[c])
        per_call = (time.perf_counter() - t0) / len(rows)
        return {"top1": top1 / len(rows), "top3": top3 / len(rows),
                "confidence": statistics.mean(conf) if conf else 0.0, "us_per_text": per_call * 1e6,
                "reliability": reliability(conf, right, len(rows))}

    rewritten = []
    for t, d, c in test:
        source = rng.choice(["hotline_12345", "police_110"])
        nt, nd = channel_versions(t, d, rng)[source]
        rewritten.append((nt, nd, c))
    result = {"train": len(train), "test": len(test), "categories": len(codes), "features": len(model.vocabulary),
              "temperature": model.temperature, "train_s": train_s, "plain": score(test),
              "rewritten": score(rewritten), "calibration": model.calibration}
    result["plain_by"] = {}
    for holdout in ("none", "random"):
        other = classify.fit([(event_text(t, d), label[c]) for t, d, c in train], holdout=holdout)
        result["plain_by"][holdout] = score(test, other)
    result["plain_by"]["grouped"] = result["plain"]

    # Unseen wording: in each category with several templates, the last one is never trained on.
    import re

    from fengqiao.demo import texts

    patterns = {
        code: [re.compile(re.escape(t).replace(r"\{", "{").replace(r"\}", "}").replace("{p}", ".+?")
                          .replace("{q}", ".+?").replace("{v}", ".+?").replace("{g}", ".+?")
                          .replace("{n}", ".+?").replace("{amt}", ".+?").replace("{road}", ".+?") + "$")
               for t, _d in c["items"]]
        for code, c in texts.CONTENT.items()
    }

    def template_of(title: str, code: str) -> int:
        return next((i for i, p in enumerate(patterns[code]) if p.match(title)), -1)

    held = {code for code, c in texts.CONTENT.items() if len(c["items"]) >= 2}
    unseen_train = [d for d in docs if d[2] not in held or template_of(d[0], d[2]) != len(patterns[d[2]]) - 1]
    unseen_test = [d for d in docs if d[2] in held and template_of(d[0], d[2]) == len(patterns[d[2]]) - 1]
    result["unseen_by"] = {}
    for holdout in ("none", "random", "grouped"):
        model = classify.fit([(event_text(t, d), label[c]) for t, d, c in unseen_train], holdout=holdout)
        assert model is not None
        result["unseen_by"][holdout] = score(unseen_test, model) | {"temperature": model.temperature,
                                                                    "calibration": model.calibration}
    result["unseen"] = result["unseen_by"]["grouped"]
    result["unseen_n"] = (len(unseen_train), len(unseen_test), len(held))
    return result


BUCKETS = (0.0, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0001)


def reliability(conf: list[float], right: list[bool], n: int) -> dict:
    """Accuracy per confidence bucket, the expected calibration error, and what intake's default
    threshold (0.5) would auto-file: its share of all `n` texts and how often it is right."""
    buckets = []
    ece = 0.0
    for lo, hi in zip(BUCKETS, BUCKETS[1:], strict=False):
        inside = [(c, r) for c, r in zip(conf, right, strict=True) if lo <= c < hi]
        if inside:
            acc = sum(r for _c, r in inside) / len(inside)
            mean = sum(c for c, _r in inside) / len(inside)
            ece += len(inside) / max(1, len(conf)) * abs(acc - mean)
            buckets.append({"lo": lo, "hi": min(hi, 1.0), "share": len(inside) / n, "accuracy": acc, "confidence": mean})
        else:
            buckets.append({"lo": lo, "hi": min(hi, 1.0), "share": 0.0, "accuracy": None, "confidence": None})
    filed = [r for c, r in zip(conf, right, strict=True) if c >= 0.5]
    return {"buckets": buckets, "ece": ece, "filed_share": len(filed) / n,
            "filed_accuracy": sum(filed) / len(filed) if filed else None}


def print_calibration(cls: dict) -> None:
    names = {"none": "none (temperature 1)", "random": "random stratified folds (as before)",
             "grouped": "folds grouped by stock wording (now)"}
    print("\n| calibration | temperature (unseen / random-split model) | unseen: top-1 | mean top confidence "
          "| ECE | auto-filed at ≥ 0.5 | of which right | random split: auto-filed at ≥ 0.5 | of which right |")
    print("|---|---|---|---|---|---|---|---|---|")
    for key in ("none", "random", "grouped"):
        u, p = cls["unseen_by"][key], cls["plain_by"][key]
        ur, pr = u["reliability"], p["reliability"]
        fa = f"{ur['filed_accuracy']:.1%}" if ur["filed_accuracy"] is not None else "–"
        pa = f"{pr['filed_accuracy']:.1%}" if pr["filed_accuracy"] is not None else "–"
        print(f"| {names[key]} | {u['temperature']:.2f} | {u['top1']:.1%} | {u['confidence']:.2f} | {ur['ece']:.3f} "
              f"| {ur['filed_share']:.1%} | {fa} | {pr['filed_share']:.1%} | {pa} |")
    print("\nReliability on the unseen wording (share of the texts at their mean top confidence: "
          "how often the top suggestion is right):\n")
    head = " | ".join(f"{b['lo']:.2f}–{b['hi']:.2f}" for b in cls["unseen_by"]["none"]["reliability"]["buckets"])
    print(f"| calibration | {head} |")
    print("|---|" + "---|" * (len(BUCKETS) - 1))
    for key in ("none", "random", "grouped"):
        cells = []
        for b in cls["unseen_by"][key]["reliability"]["buckets"]:
            cells.append("–" if b["accuracy"] is None
                         else f"{b['share']:.1%} at {b['confidence']:.2f}: right {b['accuracy']:.0%}")
        print(f"| {names[key]} | " + " | ".join(cells) + " |")
    for key in ("random", "grouped"):
        c = cls["unseen_by"][key]["calibration"]
        print(f"\n{key}: fitted on {c.held_out:,} out-of-fold texts ({c.groups} wording groups), their top-1 "
              f"{c.top1:.1%}, mean top confidence {c.confidence_raw:.2f} → {c.confidence:.2f}, "
              f"log loss {c.log_loss_raw:.3f} → {c.log_loss:.3f}.")


def print_classifier(cls: dict) -> None:
    print(f"### (b) Category suggestions: {cls['train']:,} demo texts to train, {cls['test']:,} held out, "
          f"{cls['categories']} categories\n")
    print("| test set | top-1 | top-3 | mean top confidence | per text |")
    print("|---|---|---|---|---|")
    ut, us, uc = cls["unseen_n"]
    for name, key in (("held-out demo texts", "plain"), ("the same rewritten as 12345/110", "rewritten"),
                      (f"unseen wording: {us:,} texts of a template never trained on ({uc} categories; "
                       f"trained on {ut:,})", "unseen")):
        s = cls[key]
        print(f"| {name} | {s['top1']:.1%} | {s['top3']:.1%} | {s['confidence']:.2f} | {s['us_per_text']:.0f} µs |")
    print(f"\nTraining on {cls['train']:,} texts: {cls['train_s']:.2f} s ({cls['features']:,} features, "
          f"temperature {cls['temperature']:.2f}).")
    print_calibration(cls)


# ---------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fill", type=int, default=200_000, help="background events (bench_seed)")
    parser.add_argument("--matters", type=int, default=400)
    parser.add_argument("--distinct", type=int, default=1200)
    parser.add_argument("--texts", type=int, default=12_000, help="demo texts for the classifier")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    parser.add_argument("--classifier-only", action="store_true", help="only (b), the category suggestions")
    args = parser.parse_args()
    stderr = sys.stderr

    label = fresh_database(keep=args.keep)
    setup_django()
    if not args.keep:
        migrate()
    from django.db import connection

    from fengqiao.demo.bench_seed import ensure_demo_county, seed_bench_events
    from fengqiao.events.models import Event
    from fengqiao.triage import classify
    from fengqiao.triage.duplicates import THRESHOLD

    ensure_demo_county(seed=1, stdout=stderr)
    have = Event.objects.count()
    if have < args.fill:
        print(f"filling to {args.fill} events …", file=stderr)
        seed_bench_events(n=args.fill - have, progress=False, stdout=stderr)

    print("classifier (b) …", file=stderr)
    cls = evaluate_classifier(n=args.texts, seed=args.seed)
    if args.classifier_only:
        print(f"\n{machine_line()}; database {label} ({connection.vendor})")
        print_classifier(cls)
        return

    print("registering the duplicate set …", file=stderr)
    ids, truth = build_duplicate_set(matters=args.matters, distinct=args.distinct, seed=args.seed, stderr=stderr)
    started = time.perf_counter()
    report = classify.train()
    train_db_s = time.perf_counter() - started
    print("searching twins …", file=stderr)
    dup = evaluate_duplicates(ids, truth, [0.55, 0.60, 0.65, 0.70, 0.75, 0.80])
    print("timing intake today …", file=stderr)
    today = time_intake_today(100, args.seed)
    total = Event.objects.count()

    print(f"\n{machine_line()}; database {label} ({connection.vendor}), {total:,} events in the table\n")
    print(f"### (a) Duplicates: {dup['events']:,} bench events ({args.matters} matters reported 1–3 times, "
          f"{args.distinct} distinct, 40 % lookalikes), {dup['pairs']} true pairs\n")
    print("| threshold | flagged pairs | true | precision | recall |")
    print("|---|---|---|---|---|")
    for r in dup["rows"]:
        mark = " **(deployed)**" if r["deployed"] else ""
        print(f"| {r['threshold']:.2f}{mark} | {r['predicted']} | {r['tp']} | {r['precision']:.1%} | {r['recall']:.1%} |")
    print(f"\n`find_twins` per bench event (60 to 5 days ago) on {total:,} events: median {dup['median_ms']:.1f} ms, "
          f"p95 {dup['p95_ms']:.1f} ms, {dup['queries']:.0f} queries. At intake today (where the recent open "
          f"events are densest), {today['n']} new events with points: median {today['median_ms']:.1f} ms, "
          f"p95 {today['p95_ms']:.1f} ms, {today['queries']:.0f} queries, {today['scored']:.0f} scored pairs returned "
          f"(threshold 0, limit 50); as intake calls it (threshold {THRESHOLD}, limit 5, called first): "
          f"median {today['intake_median_ms']:.1f} ms, p95 {today['intake_p95_ms']:.1f} ms, "
          f"{today['intake_queries']:.0f} queries; "
          f"`suggest_categories` median {today['suggest_us']:.0f} µs. "
          f"Classifier trained from the database ({report.events:,} events, {report.features:,} features): "
          f"{train_db_s:.1f} s.\n")
    print_classifier(cls)


if __name__ == "__main__":
    main()
