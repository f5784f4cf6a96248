"""Suggested replies: rank the merchant's templates for the current topic and fill their slots with real data.

A slot is filled only from the data we have (order, logistics, eligibility, promotions, KB). When a slot listed
in the template's `ask` is missing, the reply becomes the question for it (e.g. the order number); when any other
slot is missing the template is skipped — never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from assist_app.core.templates import ReplySet, ReplyTemplate
from assist_app.core.types import SuggestedReply

SLOT = re.compile(r"\{([a-z_]+)\}")
CUE_BONUS = 0.5
KB_STRONG_BONUS = 0.3


@dataclass(frozen=True)
class Situation:
    """What the `when` conditions of templates are checked against."""

    topic: str
    emotion: str = "neutral"
    order_state: str = ""
    flags: Mapping[str, object] = None  # type: ignore[assignment]  # no_reason/exchange/warranty/price_protect/installation
    text: str = ""        # the customer's latest message (for the templates' cues)


def matches(t: ReplyTemplate, s: Situation) -> bool:
    if s.topic not in t.intents and "*" not in t.intents:
        return False
    w = t.when
    no_order = not s.order_state
    if "order_states" in w and s.order_state not in w["order_states"]:
        if not (no_order and "order_id" in t.ask):  # no order yet: the template will ask for its number
            return False
    if "emotions" in w and s.emotion not in w["emotions"]:
        return False
    flags = s.flags or {}
    for key in ("no_reason", "exchange", "warranty", "price_protect", "installation"):
        if key in w and flags.get(key) != w[key] and not (no_order and "order_id" in t.ask):
            return False
    return True


def fill(t: ReplyTemplate, slots: Mapping[str, str | None], questions: Mapping[str, str]) -> SuggestedReply | None:
    """The filled reply, the question for a missing askable slot, or None when data is missing."""
    needed = SLOT.findall(t.text)
    missing = [n for n in needed if not slots.get(n)]
    for n in missing:
        if n in t.ask or (n == "order_id" and "order_id" in t.ask):
            q = questions.get(n)
            return SuggestedReply(t.id, q, asks_for=n, score=t.priority - 0.5) if q else None
    # a template that asks for X is also pointless when the data hanging off X is missing
    if missing:
        if "order_id" in t.ask and not slots.get("order_id"):
            q = questions.get("order_id")
            return SuggestedReply(t.id, q, asks_for="order_id", score=t.priority - 0.5) if q else None
        return None
    text = SLOT.sub(lambda m: str(slots[m.group(1)]), t.text)
    return SuggestedReply(t.id, text, score=t.priority, source=str(slots.get("_source_" + t.id, "") or ""))


def rank(replies: ReplySet, situation: Situation, slots: Mapping[str, str | None], k: int = 3) -> list[SuggestedReply]:
    out: list[SuggestedReply] = []
    for t in replies.templates:
        if not matches(t, situation):
            continue
        r = fill(t, slots, replies.slot_questions)
        if r is None:
            continue
        bonus = 0.3 if situation.topic in t.intents else 0.0   # specific to the topic beats generic
        # one topic covers several asks ("能补差价吗" vs "店铺券和满减能一起用吗"): the customer's words decide
        if t.cues and any(c in situation.text for c in t.cues):
            bonus += CUE_BONUS
        if "{kb_answer}" in t.text and slots.get("_kb_strong"):
            bonus += KB_STRONG_BONUS   # the knowledge base answers this very question
        out.append(SuggestedReply(r.template_id, r.text, r.asks_for, round(r.score + bonus, 3), r.source))
    out.sort(key=lambda r: (-r.score, r.template_id))
    seen: set[str] = set()
    top: list[SuggestedReply] = []
    asked: set[str] = set()
    for r in out:
        if r.text in seen or (r.asks_for and r.asks_for in asked):
            continue
        seen.add(r.text)
        if r.asks_for:
            asked.add(r.asks_for)
        top.append(r)
        if len(top) == k:
            break
    return top
