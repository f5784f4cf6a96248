"""Labelled-session helpers for tuning and evaluating the risk model (jddc_labeled format). Dev tooling."""

from __future__ import annotations

import json
from pathlib import Path

from assist_app.nlp.types import Prediction
from assist_app.review.pipeline import Session, classifier_items, parse_line


def load_sessions(path: Path) -> tuple[list[Session], list[int]]:
    sessions, gold = [], []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        s = parse_line(line)
        s.id = i
        sessions.append(s)
        gold.append(int(json.loads(line).get("needs_attention", 0)))
    return sessions, gold


def one_hot(intent: str, emotion: str) -> Prediction:
    return Prediction(intent, 1.0, emotion, 1.0, {intent: 1.0}, {emotion: 1.0})


def gold_predictions(path: Path) -> list[list[Prediction]]:
    """The human labels as one-hot Predictions, per session (customer turns only)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append([one_hot(t["intent"], t["emotion"]) for t in json.loads(line)["turns"]
                        if t["role"] == "customer"])
    return out


def predict_sessions(sessions: list[Session], clf=None) -> list[list[Prediction]]:
    """Classify every customer turn with the runtime classifier, exactly as assist-review does."""
    if clf is None:
        from assist_app.nlp.classifier import load_classifier

        clf = load_classifier()
    items, spans = [], []
    for s in sessions:
        its = classifier_items(s)
        spans.append((len(items), len(items) + len(its)))
        items.extend(its)
    preds = clf.predict_batch(items)
    return [preds[a:b] for a, b in spans]
