"""What the sidebar shows about each live conversation, and which one needs the agent most.

Pure Python (no Qt, no I/O) so the ordering rule is unit-testable; widgets only paint these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assist_app.domain import CustomerContext
from assist_app.nlp.labels import EMOTION_WEIGHT
from assist_app.nlp.types import Prediction

RISK_RANK = {"info": 0, "warn": 1, "critical": 2}


@dataclass
class ChatLine:
    message_id: str
    role: str          # customer | agent | bot | system
    text: str
    ts: datetime


@dataclass
class ConversationView:
    conversation_id: str
    customer_id: str = ""
    nick: str = ""
    channel: str = ""
    shop: str = ""
    agent_id: str = ""
    opened_at: datetime | None = None
    lines: list[ChatLine] = field(default_factory=list)
    context: CustomerContext | None = None
    prediction: Prediction | None = None     # of the latest analysed customer message
    assist: Any = None                       # assist_app.core Assist for the latest customer message
    waiting_since: datetime | None = None    # first unanswered customer message
    closed: bool = False
    analysed_message_id: str = ""            # the customer message `assist` belongs to
    emotion_history: list[str] = field(default_factory=list)

    @property
    def tags(self) -> tuple[str, ...]:
        return self.context.customer.tags if self.context else ()

    @property
    def last_line(self) -> ChatLine | None:
        return self.lines[-1] if self.lines else None

    @property
    def risk_level(self) -> str:
        risk = getattr(self.assist, "risk", None)
        return getattr(risk, "level", "info") if risk is not None else "info"

    @property
    def risk_score(self) -> float:
        risk = getattr(self.assist, "risk", None)
        return float(getattr(risk, "score", 0.0)) if risk is not None else 0.0

    @property
    def emotion(self) -> str:
        if self.prediction is not None:
            return self.prediction.emotion
        return getattr(self.assist, "emotion", "") or ""

    def wait_seconds(self, now: datetime) -> float:
        if self.waiting_since is None:
            return 0.0
        return max(0.0, (now - self.waiting_since).total_seconds())


def urgency(conv: ConversationView, now: datetime) -> float:
    """Higher = needs the agent sooner: risk first, then how long the customer has waited, then mood.

    A chat the agent has already answered keeps a third of its weight, so an answered angry chat still sits
    above a calm unanswered greeting only while its risk is high.
    """
    if conv.closed:
        return -1.0
    wait = min(conv.wait_seconds(now), 600.0)
    score = RISK_RANK.get(conv.risk_level, 0) * 100.0 + conv.risk_score
    score += wait / 600.0 * 60.0 + EMOTION_WEIGHT.get(conv.emotion, 0.0) * 10.0
    if conv.waiting_since is None:
        score /= 3.0
    return score


def order_conversations(convs: list[ConversationView], now: datetime) -> list[ConversationView]:
    """Most urgent first; ties keep the oldest-opened first so rows do not shuffle."""
    return sorted(convs, key=lambda c: (-urgency(c, now), c.opened_at or now, c.conversation_id))


def format_wait(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}:{s % 60:02d}"
    return f"{s // 3600}h{(s % 3600) // 60:02d}"


@dataclass(frozen=True)
class Deadline:
    kind: str              # no_reason_return | price_protection | warranty
    until: datetime
    expired: bool


def order_deadlines(order, products: dict, now: datetime) -> list[Deadline]:
    """Return / price-protection / warranty deadlines of one order from its items' product rules.

    The engine's `Assist.eligibility` is preferred when it covers the order; this is the fallback for orders
    the engine did not look at (so every order in the panel shows its windows).
    """
    from datetime import timedelta

    out: list[Deadline] = []
    prods = [products.get(it.sku) for it in order.items]
    prods = [p for p in prods if p is not None]
    if order.signed_at and prods and order.state in ("signed", "completed"):
        days = min(p.no_reason_return_days for p in prods)
        if days > 0:
            until = order.signed_at + timedelta(days=days)
            out.append(Deadline("no_reason_return", until, until < now))
    if order.paid_at and prods and order.state not in ("cancelled", "returned", "unpaid", "refunding"):
        days = min(p.price_protect_days for p in prods)
        if days > 0:
            until = order.paid_at + timedelta(days=days)
            out.append(Deadline("price_protection", until, until < now))
    if order.signed_at and prods and order.state in ("signed", "completed"):
        days = max(p.warranty_days for p in prods)
        if days > 0:
            until = order.signed_at + timedelta(days=days)
            out.append(Deadline("warranty", until, until < now))
    return out
