"""Per-class precision/recall, top confusions and calibration of a shipped model on the dev split, through the
runtime exactly as `assist-classify` calls it. Prints Markdown tables for the model card.

    python models/train/report.py [--name student|teacher]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from data import jddc_examples  # noqa: E402

from assist_app.nlp.classifier import load_classifier  # noqa: E402
from assist_app.nlp.labels import EMOTIONS, INTENTS  # noqa: E402


def table(gold, pred, labels, title):
    print(f"\n| {title} | n | precision | recall | F1 |\n|---|---|---|---|---|")
    for c in sorted(labels, key=lambda c: -sum(g == c for g in gold)):
        n = sum(g == c for g in gold)
        if not n:
            continue
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        pp = sum(p == c for p in pred)
        pr, rc = tp / max(1, pp), tp / n
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        print(f"| {c} | {n} | {pr:.2f} | {rc:.2f} | {f1:.2f} |")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="student")
    a = ap.parse_args()
    clf = load_classifier(name=a.name, threads=2)
    dev = jddc_examples("dev")
    preds = clf.predict_batch([(e.text, e.previous) for e in dev])
    gi, pi = [e.intent for e in dev], [p.intent for p in preds]
    ge, pe = [e.emotion for e in dev], [p.emotion for p in preds]
    table(gi, pi, INTENTS, "intent")
    table(ge, pe, EMOTIONS, "emotion")
    conf = Counter((g, p) for g, p in zip(gi, pi, strict=True) if g != p)
    print("\n| gold intent → predicted | count |\n|---|---|")
    for (g, p), n in conf.most_common(12):
        print(f"| {g} → {p} | {n} |")
    # reliability: accuracy per confidence bin of the calibrated intent confidence
    conf_i = np.array([p.intent_confidence for p in preds])
    ok = np.array([g == p for g, p in zip(gi, pi, strict=True)])
    print("\n| intent confidence | share of messages | accuracy |\n|---|---|---|")
    for lo, hi in ((0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)):
        sel = (conf_i >= lo) & (conf_i < hi)
        if sel.any():
            print(f"| {lo:.1f}–{min(hi, 1):.1f} | {sel.mean():.2f} | {ok[sel].mean():.2f} |")
    by_src = Counter(e.source for e in dev)
    print("\n| dev source | messages | intent acc |\n|---|---|---|")
    for s in by_src:
        idx = [i for i, e in enumerate(dev) if e.source == s]
        print(f"| {s} | {len(idx)} | {np.mean([ok[i] for i in idx]):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
