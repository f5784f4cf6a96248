#!/usr/bin/env python3
"""Precision/recall of `needs_attention` over risk thresholds on jddc train (tuning) and dev (report).

Usage: risk_curve.py [--labels model|gold] [--train-preds models/train/work/oof_train.pkl] [--step 5]
Scores come from the same code path as `assist-review` (classifier -> signals -> risk model). The row marked
`<- warn` is the configured warn threshold (chosen on train by scripts/tune_risk.py). With --train-preds, train
is scored with those (out-of-fold) labels, the ones the weights were fitted on; dev always uses --labels.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "scripts"))

from tune_risk import DATA, load_train_preds  # noqa: E402

from assist_app.core import risk as rk  # noqa: E402
from assist_app.review import pipeline as pl  # noqa: E402
from assist_app.review.dataset import gold_predictions, load_sessions, predict_sessions  # noqa: E402


def scores(split: str, labels: str, clf=None, pickled=None) -> tuple[list[int], list[int]]:
    path = DATA / f"{split}.jsonl"
    sessions, gold = load_sessions(path)
    if pickled is not None and split in pickled:
        preds = pickled[split]
    else:
        preds = gold_predictions(path) if labels == "gold" else predict_sessions(sessions, clf)
    return [pl.assess(s, p).risk.score for s, p in zip(sessions, preds, strict=True)], gold


def pr(sc: list[int], gold: list[int], t: int) -> tuple[int, int, float, float]:
    flagged = [s >= t for s in sc]
    tp = sum(f and g for f, g in zip(flagged, gold, strict=True))
    n = sum(flagged)
    return n, tp, tp / max(1, sum(gold)), tp / max(1, n)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", choices=("model", "gold"), default="model")
    ap.add_argument("--step", type=int, default=5)
    ap.add_argument("--train-preds", help="per-chat predictions for train {'train': [...]}, e.g. models/train/oof.py's")
    a = ap.parse_args()
    clf = pickled = None
    if a.train_preds:
        pickled = {"train": load_train_preds(a.train_preds)[0]}
    if a.labels == "model":
        from assist_app.nlp.classifier import load_classifier

        clf = load_classifier()
    m = rk.load_model()
    res = {split: scores(split, a.labels, clf, pickled) for split in ("train", "dev")}
    print(f"labels={a.labels}{' (train: ' + a.train_preds + ')' if a.train_preds else ''} warn>={m.warn} "
          f"critical>={m.critical}")
    print(f"{'thr':>4} | {'train flagged/tp':>16} {'recall':>6} {'prec':>6} | {'dev flagged/tp':>14} {'recall':>6} {'prec':>6}")
    ths = sorted(set(range(a.step, 100, a.step)) | {m.warn, m.critical})
    for t in ths:
        row = [f"{t:>4} |"]
        for split in ("train", "dev"):
            n, tp, r, p = pr(*res[split], t)
            row.append(f"{f'{n}/{tp}':>16} {r:6.3f} {p:6.3f} |" if split == "train" else f"{f'{n}/{tp}':>14} {r:6.3f} {p:6.3f}")
        mark = "  <- warn" if t == m.warn else "  <- critical" if t == m.critical else ""
        print(" ".join(row) + mark)
    for split in ("train", "dev"):
        n, tp, r, p = pr(*res[split], m.warn)
        print(f"{split}: gold={sum(res[split][1])} at warn>={m.warn}: flagged={n} recall={r:.3f} precision={p:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
