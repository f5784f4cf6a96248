"""Typed values the assist core hands to the UI, the lead view and `assist-review` (all JSON-ready via to_dict)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from assist_app.domain import _json_ready


class _Dict:
    def to_dict(self) -> dict[str, Any]:
        return _json_ready(asdict(self))  # type: ignore[call-overload]


@dataclass(frozen=True)
class Turn(_Dict):
    role: str                      # "customer" | "agent"
    text: str
    ts: datetime | None = None
    message_id: str = ""


@dataclass(frozen=True)
class Risk(_Dict):
    score: int                     # 0-100
    level: str                     # info | warn | critical
    reasons: list[str] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return self.level != "info"


@dataclass(frozen=True)
class SuggestedReply(_Dict):
    template_id: str
    text: str                      # ready to send (or a question asking for the missing data)
    asks_for: str = ""             # the missing slot, e.g. "order_id"; "" when complete
    score: float = 0.0             # ranking score (higher first)
    source: str = ""               # kb entry id / promotion id the text came from


@dataclass(frozen=True)
class PriceQuote(_Dict):
    list_fen: int                  # sum of list prices
    pay_fen: int                   # what the customer pays with the chosen promotions
    promo_ids: list[str] = field(default_factory=list)
    line: str = ""                 # one sendable sentence
    gifts: list[str] = field(default_factory=list)
    free_shipping: bool = False

    @property
    def saved_fen(self) -> int:
        return self.list_fen - self.pay_fen


@dataclass(frozen=True)
class Eligibility(_Dict):
    kind: str                      # no_reason_return | exchange | warranty | price_protection
    order_id: str
    sku: str
    eligible: bool
    deadline: datetime | None      # last moment it applies (None when not applicable)
    rule: str                      # where the answer came from, e.g. "七天无理由：签收后7天（商品规则）"
    detail: str = ""               # e.g. the refundable price difference
    amount_fen: int = 0            # price protection: difference to refund


@dataclass(frozen=True)
class RetentionOffer(_Dict):
    kind: str                      # coupon | free_shipping | gift | none
    value_fen: int                 # coupon value (0 for shipping/gift)
    text: str                      # sendable line
    limit_rule: str                # the merchant limit it respects


@dataclass(frozen=True)
class TicketDraft(_Dict):
    kind: str                      # return | complaint | repair | installation
    conversation_id: str
    customer_id: str
    order_id: str
    sku: str
    title: str
    description: str
    priority: str = "normal"       # normal | high | urgent
    fields: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)   # what the agent still has to ask


@dataclass(frozen=True)
class KbAnswer(_Dict):
    entry_id: str                  # kb_id or "product:<sku>"
    title: str
    answer: str
    score: float
    coverage: float = 0.0          # share of the question's weight this entry matches (0-1, length-independent)


@dataclass(frozen=True)
class Assist(_Dict):
    intent: str
    intent_confidence: float
    uncertain: bool
    emotion: str
    emotion_trend: list[float]     # smoothed negative score per customer message, oldest first
    risk: Risk
    replies: list[SuggestedReply]
    open_topic: str
    wait_s: float
    orders_in_focus: list[str]
    best_price: PriceQuote | None = None
    eligibility: list[Eligibility] = field(default_factory=list)
    kb_answer: KbAnswer | None = None
    retention: RetentionOffer | None = None
    ticket: TicketDraft | None = None
