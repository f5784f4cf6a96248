"""`assist-classify`: JSON lines in, one JSON line out per input, in order.

Input line: {"id": any, "text": "…", "previous": ["older turn", …, "latest turn before this one"]}
(`id` and `previous` optional); a line that is not JSON is classified as plain text. Blank lines are skipped.
Output line: {"id": …, "intent": …, "intent_confidence": 0.93, "emotion": …, "emotion_confidence": 0.88}
A bad line gets {"id": …, "error": "…"} on its line; the run goes on.
"""

from __future__ import annotations

import argparse
import json
import select
import sys
from dataclasses import dataclass

from assist_app.nlp.types import ClassifierUnavailable

MAX_PENDING = 256


@dataclass
class Parsed:
    id: object
    text: str | None = None
    previous: list[str] | None = None
    error: str | None = None


def parse_line(line: str) -> Parsed:
    s = line.strip()
    try:
        obj = json.loads(s)
    except ValueError:
        return Parsed(None, s, [])  # not JSON: plain text
    if isinstance(obj, str):
        return Parsed(None, obj, [])
    if not isinstance(obj, dict):
        return Parsed(None, error="expected a JSON object with a \"text\" field")
    pid = obj.get("id")
    text = obj.get("text")
    if not isinstance(text, str):
        return Parsed(pid, error="\"text\" must be a string")
    prev = obj.get("previous", [])
    if prev is None:
        prev = []
    if isinstance(prev, str):
        prev = [prev]
    if not isinstance(prev, list) or not all(isinstance(p, str) for p in prev):
        return Parsed(pid, error="\"previous\" must be a list of strings, oldest first")
    return Parsed(pid, text, prev)


def _stdin_idle() -> bool:
    """True when no more input is waiting: flush what we have so an interactive user sees answers."""
    try:
        return not select.select([sys.stdin], [], [], 0)[0]
    except (OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="assist-classify", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", default=None, help="directory with student.json/.onnx and tokenizer.json")
    ap.add_argument("--accurate", action="store_true", help="use the 12-layer teacher model (slower)")
    ap.add_argument("--probs", action="store_true", help="also print the calibrated probabilities of every label")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)

    from assist_app.nlp.classifier import load_classifier

    try:
        clf = load_classifier(args.model_dir, "teacher" if args.accurate else "student", threads=args.threads)
    except ClassifierUnavailable as e:
        print(f"assist-classify: classifier unavailable: {e}", file=sys.stderr)
        return 2

    out = sys.stdout
    pending: list[Parsed] = []

    def flush() -> None:
        good = [p for p in pending if p.error is None]
        preds = iter(clf.predict_batch([(p.text, p.previous) for p in good]) if good else [])
        for p in pending:
            if p.error is not None:
                rec = {"id": p.id, "error": p.error}
            else:
                r = next(preds)
                rec = {"id": p.id, "intent": r.intent, "intent_confidence": round(r.intent_confidence, 4),
                       "emotion": r.emotion, "emotion_confidence": round(r.emotion_confidence, 4)}
                if args.probs:
                    rec["intent_probs"] = {k: round(v, 4) for k, v in r.intent_probs.items()}
                    rec["emotion_probs"] = {k: round(v, 4) for k, v in r.emotion_probs.items()}
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        out.flush()
        pending.clear()

    for raw in sys.stdin:
        if not raw.strip():
            continue
        pending.append(parse_line(raw))
        if len(pending) >= MAX_PENDING or _stdin_idle():
            flush()
    flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
