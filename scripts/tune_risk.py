#!/usr/bin/env python3
"""Fit the escalation-risk weights on the jddc TRAIN split only and write assist_app/core/risk_model.json.

Usage: tune_risk.py [--preds-pickle models/train/work/oof_train.pkl | --labels model|gold] [--target-recall 0.9]
  --preds-pickle  out-of-fold labels from models/train/oof.py (how the shipped model was fitted): each train
                  chat labelled by a classifier that never saw it, so the labels are as noisy as on new chats
  --labels model  classify every customer turn with the runtime classifier (it has seen these chats: its labels
                  are near perfect here, so the weights over-trust them; kept for comparison)
  --labels gold   use the human labels (only for developing the signals before a model exists)
Weights: logistic regression with balanced classes, refitted without any signal whose weight comes out negative
(except calm endings / length). The warn threshold is picked on 5-fold cross-validated train scores (never on dev) as the highest score that
keeps train recall >= --target-recall; critical is where cross-validated precision reaches 0.8.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assist_app.core import risk as rk  # noqa: E402
from assist_app.review import pipeline as pl  # noqa: E402
from assist_app.review.dataset import gold_predictions, load_sessions, predict_sessions  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "jddc_labeled"


def features(sessions, preds):
    X = [rk.design_row(pl.signals(s, p)) for s, p in zip(sessions, preds, strict=True)]
    return np.array(X, dtype=float)


# Signals that may lower the risk; every other one can only raise it (a negative weight on "threatens a bad
# review" would be an artefact of correlated signals, and would make the reasons unreadable).
MAY_LOWER = {"ends_calm", "turns_log"}


def fit_monotone(X, y, C):
    """Logistic regression (balanced classes) refitted without any signal whose weight comes out negative."""
    cols = list(range(X.shape[1]))
    while True:
        m = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(X[:, cols], y)
        bad = [(wt, c) for c, wt in zip(cols, m.coef_[0], strict=True) if wt < 0 and rk.FEATURES[c] not in MAY_LOWER]
        if not bad:
            return m, cols
        cols.remove(min(bad)[1])


def weights_of(m, cols) -> dict[str, float]:
    """Per-signal weights of a fit_monotone model (0 for the signals it dropped)."""
    w = dict.fromkeys(rk.FEATURES, 0.0)
    for c, x in zip(cols, m.coef_[0], strict=True):
        w[rk.FEATURES[c]] = float(x)
    return w


def load_train_preds(path):
    """Per-chat predictions for train from a pickle (models/train/oof.py's), checked against train.jsonl's ids."""
    import pickle

    with open(path, "rb") as f:
        blob = pickle.load(f)
    ids = [json.loads(x)["session"] for x in (DATA / "train.jsonl").read_text(encoding="utf-8").splitlines()
           if x.strip()]
    if blob.get("sessions", ids) != ids:
        raise SystemExit(f"{path}: labels are for another version of train.jsonl; rerun oof.py")
    return blob["train"], blob.get("folds", [])


def cv_scores(X, y, C):
    """5-fold cross-validated 0-100 risk scores of every chat (each scored by weights fitted without it)."""
    cv = np.zeros(len(y))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        m, cols = fit_monotone(X[tr], y[tr], C)
        cv[te] = m.decision_function(X[te][:, cols])
    return np.round(100 / (1 + np.exp(-cv))).astype(int)


def warn_threshold(score, y, target_recall):
    """The highest threshold whose recall reaches target_recall."""
    for t in range(100, 0, -1):
        if ((score >= t) & (y == 1)).sum() / y.sum() >= target_recall:
            return t
    return 1


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", choices=("model", "gold"), default="model")
    ap.add_argument("--target-recall", type=float, default=0.9)
    ap.add_argument("--C", type=float, default=0.5)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--preds-pickle", help="per-chat predictions {'train': [[Prediction, ...], ...]} for the train "
                                          "split, e.g. out-of-fold labels from models/train/oof.py")
    a = ap.parse_args()
    sessions, gold = load_sessions(DATA / "train.jsonl")
    clf_id = ""
    folds: list = []
    if a.preds_pickle:
        preds, folds = load_train_preds(a.preds_pickle)
        clf_id = (f"out-of-fold: {len(folds)} folds, models/train/oof.py" if folds else Path(a.preds_pickle).name)
    else:
        if a.labels == "gold":
            preds = gold_predictions(DATA / "train.jsonl")
        else:
            from assist_app.nlp.classifier import load_classifier

            clf = load_classifier()
            clf_id = f"{clf.name} sha256={str(clf.meta.get('onnx_sha256', ''))[:16]}"
            preds = predict_sessions(sessions, clf)
    X, y = features(sessions, preds), np.array(gold)
    cv_score = cv_scores(X, y, a.C)
    warn = warn_threshold(cv_score, y, a.target_recall)
    crit = 99
    for t in range(warn, 100):
        sel = cv_score >= t
        if sel.sum() and (y[sel] == 1).mean() >= 0.8:
            crit = t
            break
    crit = max(crit, warn + 10)
    clf, cols = fit_monotone(X, y, a.C)
    w = {k: round(x, 4) for k, x in weights_of(clf, cols).items()}
    old = json.loads(rk.MODEL_PATH.read_text(encoding="utf-8")) if rk.MODEL_PATH.exists() else {}
    model = {
        "_doc": "Escalation-risk model fitted by scripts/tune_risk.py on jddc train only. weights: log-odds per "
                "signal unit; warn/critical: score thresholds (0-100); extra: hand-set live-only signals.",
        "labels": ("out-of-fold" if folds else "pickle") if a.preds_pickle else a.labels, "classifier": clf_id, "C": a.C, "target_recall_train_cv": a.target_recall,
        "weights": w, "bias": round(float(clf.intercept_[0]), 4), "warn": warn, "critical": crit,
        "extra": old.get("extra", {"vip": 0.6, "big_order": 0.4, "wait_after_min": 3.0, "wait_per_min": 0.15}),
        "reason_min": old.get("reason_min", 0.4),
    }
    p = (cv_score >= warn)
    tp = int((p & (y == 1)).sum())
    print(f"train cv: warn>={warn} recall={tp / y.sum():.3f} precision={tp / max(1, p.sum()):.3f} "
          f"critical>={crit}")
    for k, v in sorted(w.items(), key=lambda kv: -abs(kv[1])):
        print(f"  {k:15s} {v:+.3f}")
    print(f"  bias {model['bias']:+.3f}")
    if not a.dry_run:
        rk.MODEL_PATH.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        rk.load_model.cache_clear()
        print(f"wrote {rk.MODEL_PATH}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
