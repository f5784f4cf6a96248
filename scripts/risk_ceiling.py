#!/usr/bin/env python3
"""How good must the classifier's emotion labels be for the risk model to reach recall 0.85 at precision 0.5?

Usage: risk_ceiling.py --train-preds models/train/work/oof_train.pkl [--seeds 3]

For a share f of customer messages (random, per seed) the predicted emotion is replaced by the human one, in
train (out-of-fold labels from models/train/oof.py) and dev (the shipped classifier) alike; intents stay predicted.
The risk model is then fitted and thresholded exactly as scripts/tune_risk.py does (train only, warn where 5-fold
CV recall reaches 0.85) and scored on dev. f=0 is the shipped setting, f=1 is human emotion labels. The angry F1
column says what message-level anger detection each row stands for.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from tune_risk import DATA, cv_scores, fit_monotone, load_train_preds, warn_threshold, weights_of  # noqa: E402

from assist_app.core import risk as rk  # noqa: E402
from assist_app.nlp.labels import EMOTIONS  # noqa: E402
from assist_app.review import pipeline as pl  # noqa: E402
from assist_app.review.dataset import gold_predictions, load_sessions, predict_sessions  # noqa: E402


def mix(preds, gold, share: float, seed: int):
    """Predicted labels with the human emotion swapped in for `share` of the messages."""
    rng = random.Random(seed)
    return [[dataclasses.replace(p, emotion=g.emotion, emotion_confidence=1.0, emotion_probs=dict(g.emotion_probs))
             if rng.random() < share else p for p, g in zip(ps, gs, strict=True)]
            for ps, gs in zip(preds, gold, strict=True)]


def signals(sessions, preds) -> list[rk.Signals]:
    return [pl.signals(s, p) for s, p in zip(sessions, preds, strict=True)]


def emotion_f1(preds, gold) -> tuple[float, float]:
    y = [g.emotion for gs in gold for g in gs]
    p = [x.emotion for xs in preds for x in xs]
    return (f1_score(y, p, labels=list(EMOTIONS), average="macro", zero_division=0),
            f1_score([e == "angry" for e in y], [e == "angry" for e in p], zero_division=0))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train-preds", required=True, help="out-of-fold labels from models/train/oof.py")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--C", type=float, default=0.5)
    ap.add_argument("--target-recall", type=float, default=0.85)
    a = ap.parse_args()
    tr_s, tr_y = load_sessions(DATA / "train.jsonl")
    dv_s, dv_y = load_sessions(DATA / "dev.jsonl")
    tr_y, dv_y = np.array(tr_y), np.array(dv_y)
    tr_p, _ = load_train_preds(a.train_preds)
    dv_p = predict_sessions(dv_s)
    tr_g, dv_g = gold_predictions(DATA / "train.jsonl"), gold_predictions(DATA / "dev.jsonl")
    print(f"{'human share':>11} | {'dev emotion F1':>14} {'angry F1':>8} | {'train CV P@R.85':>15} | "
          f"{'dev recall':>10} {'precision':>9} {'flagged':>7}")
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        rows = []
        for seed in range(a.seeds if 0 < share < 1 else 1):
            mt, md = mix(tr_p, tr_g, share, seed), mix(dv_p, dv_g, share, 100 + seed)
            st = signals(tr_s, mt)
            xt = np.array([rk.design_row(x) for x in st])
            cv = cv_scores(xt, tr_y, a.C)
            warn = warn_threshold(cv, tr_y, a.target_recall)
            m, cols = fit_monotone(xt, tr_y, a.C)
            model = rk.RiskModel(weights=weights_of(m, cols), bias=float(m.intercept_[0]), warn=warn, critical=100, extra={},
                                 reason_min=1.0)
            # dev is scored like assist-review: threats floor at warn, hazards at critical
            dv = np.array([rk.score(x, model=model).score for x in signals(dv_s, md)])
            flag_tr, flag_dv = cv >= warn, dv >= warn
            rows.append((*emotion_f1(md, dv_g), (flag_tr & (tr_y == 1)).sum() / max(1, flag_tr.sum()),
                         (flag_dv & (dv_y == 1)).sum() / dv_y.sum(),
                         (flag_dv & (dv_y == 1)).sum() / max(1, flag_dv.sum()), flag_dv.sum()))
        e, ang, ptr, rdv, pdv, n = np.mean(rows, axis=0)
        print(f"{share:>11.2f} | {e:>14.3f} {ang:>8.3f} | {ptr:>15.3f} | {rdv:>10.3f} {pdv:>9.3f} {n:>7.1f}")
    print(f"(mean over {a.seeds} seeds for the mixed rows; dev has {dv_y.sum()} needs_attention chats of {len(dv_y)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
