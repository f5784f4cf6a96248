"""Conversation state: what happened so far in one chat, kept incrementally as messages arrive.

Per-message intents/emotions, a smoothed negative-emotion trend, the open topic (the last business intent: an
"好的" does not erase it), the customer's wait since their first unanswered message, repeats of the same
unresolved ask, and the order numbers the customer typed. Pure: the caller supplies labels and timestamps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from assist_app.core import text as tx
from assist_app.core.risk import CustomerTurn
from assist_app.core.types import Turn
from assist_app.domain import Order
from assist_app.nlp.labels import EMOTION_WEIGHT
from assist_app.nlp.types import Prediction

# Intents that carry no business topic of their own.
NON_TOPIC = frozenset({"greeting", "thanks_bye", "ack", "provide_info", "other"})
TREND_ALPHA = 0.5       # weight of the newest message in the smoothed trend
# Which order a topic is most likely about when the customer names none (order states, most relevant first).
TOPIC_ORDER_STATES: dict[str, tuple[str, ...]] = {
    "shipping_urge": ("paid",),
    "logistics": ("shipped", "paid", "signed"),
    "order_change": ("paid", "unpaid"),
    "cancel_order": ("unpaid", "paid", "shipped"),
    "payment": ("unpaid",),
    "return_refund": ("signed", "completed", "shipped"),
    "refund_progress": ("refunding", "returned", "cancelled"),
    "quality_issue": ("signed", "completed"),
    "install_repair": ("signed", "completed"),
    "invoice": ("completed", "signed", "shipped", "paid"),
    "price_promo": ("paid", "shipped", "signed"),
    "complaint": ("shipped", "signed", "paid", "refunding"),
}
_UNKNOWN = Prediction("other", 0.0, "neutral", 0.0)
_CARD = re.compile(r"订单(?:编号|号)[:：]\s*([A-Za-z0-9]{6,24})")


@dataclass
class ConversationState:
    conversation_id: str = ""
    customer_id: str = ""
    turns: list[Turn] = field(default_factory=list)
    customer_turns: list[tuple[Turn, Prediction | None]] = field(default_factory=list)
    trend: list[float] = field(default_factory=list)       # smoothed negative score per customer message
    mentioned_orders: list[str] = field(default_factory=list)  # newest last
    pinned_order: str = ""                                   # an order card opened by the agent / platform
    _agent_since_customer: bool = True
    _last_agent_ts: datetime | None = None
    _first_unanswered_ts: datetime | None = None

    # ------------------------------------------------------------------ updates
    def add_customer(self, turn: Turn, pred: Prediction | None) -> None:
        self.turns.append(turn)
        self.customer_turns.append((turn, pred))
        score = _negative(pred)
        prev = self.trend[-1] if self.trend else score
        self.trend.append(round(TREND_ALPHA * score + (1 - TREND_ALPHA) * prev, 3))
        for oid in order_ids_in(turn.text):
            if oid in self.mentioned_orders:
                self.mentioned_orders.remove(oid)
            self.mentioned_orders.append(oid)
        if self._first_unanswered_ts is None:
            self._first_unanswered_ts = turn.ts
        self._agent_since_customer = False

    def add_agent(self, turn: Turn) -> None:
        self.turns.append(turn)
        self._agent_since_customer = True
        self._last_agent_ts = turn.ts
        self._first_unanswered_ts = None

    def pin_order(self, order_id: str) -> None:
        """The agent (or the platform's order card) put this order in focus."""
        self.pinned_order = order_id

    # ------------------------------------------------------------------ views
    @property
    def predictions(self) -> list[Prediction | None]:
        return [p for _, p in self.customer_turns]

    @property
    def last(self) -> Prediction | None:
        return self.customer_turns[-1][1] if self.customer_turns else None

    @property
    def last_text(self) -> str:
        return self.customer_turns[-1][0].text if self.customer_turns else ""

    @property
    def intents(self) -> list[str]:
        return [p.intent if p else "other" for p in self.predictions]

    @property
    def emotions(self) -> list[str]:
        return [p.emotion if p else "neutral" for p in self.predictions]

    @property
    def open_topic(self) -> str:
        """The last business intent the classifier was confident about ("" when none yet)."""
        for _, p in reversed(self.customer_turns):
            if p is not None and p.intent not in NON_TOPIC and not p.uncertain:
                return p.intent
        for _, p in reversed(self.customer_turns):  # fall back to an uncertain one rather than nothing
            if p is not None and p.intent not in NON_TOPIC:
                return p.intent
        return ""

    @property
    def closed_topic(self) -> bool:
        """The customer said thanks/bye after the last business ask."""
        for _, p in reversed(self.customer_turns):
            if p is None:
                continue
            if p.intent == "thanks_bye":
                return True
            if p.intent not in NON_TOPIC:
                return False
        return False

    def repeats(self) -> int:
        """How many times the open topic was asked again after an agent answered (0 = asked once)."""
        topic = self.open_topic
        if not topic:
            return 0
        n, agent_between, seen = 0, False, False
        for t in self.turns:
            if t.role == "agent":
                agent_between = True
                continue
            p = next((q for tt, q in self.customer_turns if tt is t), None)
            if p is not None and p.intent == topic:
                if seen and agent_between:
                    n += 1
                seen, agent_between = True, False
            elif p is not None and p.intent == "thanks_bye":
                n, seen = 0, False
        return n

    def wait_s(self, now: datetime) -> float:
        """Seconds the customer has waited since their first message the agent has not answered (0 if answered)."""
        if self._agent_since_customer or self._first_unanswered_ts is None:
            return 0.0
        return max(0.0, (now - self._first_unanswered_ts).total_seconds())

    def risk_turns(self) -> list[CustomerTurn]:
        """Customer turns as the risk model reads them (an unclassified turn still counts for its text cues)."""
        out: list[CustomerTurn] = []
        agent_before = True
        cust = {id(t): p for t, p in self.customer_turns}
        for t in self.turns:
            if t.role != "customer":
                agent_before = True
                continue
            out.append(CustomerTurn(t.text, cust.get(id(t)) or _UNKNOWN, agent_before))
            agent_before = False
        return out

    def orders_in_focus(self, orders: list[Order]) -> list[Order]:
        """Orders the chat is about: typed/pinned numbers first, else the order whose items the customer names
        and whose state fits the topics of the chat (latest topic first), else the newest order."""
        by_id = {o.order_id: o for o in orders}
        picked: list[Order] = []
        for oid in [self.pinned_order, *reversed(self.mentioned_orders)]:
            if oid and oid in by_id and by_id[oid] not in picked:
                picked.append(by_id[oid])
        if picked:
            return picked
        if not orders:
            return []
        said = " ".join(t.text for t, _ in self.customer_turns)
        topics: list[str] = []
        for _, p in reversed(self.customer_turns):
            if p is not None and p.intent in TOPIC_ORDER_STATES and p.intent not in topics:
                topics.append(p.intent)
        amounts = set(re.findall(r"(?<![\d.])(\d{2,6})(?:\.\d{1,2})?(?![\d])", said))
        best, best_score = orders[0], 0.0
        for rank, o in enumerate(orders):  # newest first: ties keep the newest
            score = 0.0
            for it in o.items:
                if it.category and it.category in said:
                    score += 6
                score += 3 * sum(1 for w in _name_words(it.name) if w in said)
            if str(o.paid_fen // 100) in amounts:  # "这单549块的"
                score += 8
            for ti, topic in enumerate(topics[:3]):  # every recent topic votes, the latest loudest
                states = TOPIC_ORDER_STATES[topic]
                if o.state in states:
                    score += (4 - ti) * (1.0 - 0.2 * states.index(o.state))
            if o.state in ("cancelled", "returned") and "refund_progress" not in topics:
                score -= 5  # a closed order is rarely what a new question is about
            score -= 0.01 * rank
            if score > best_score:
                best, best_score = o, score
        return [best]


def _name_words(name: str) -> list[str]:
    """Distinctive words of a product name ("拓路者 男款三合一冲锋衣 可拆卸抓绒内胆" → 男款三合一冲锋衣, 可拆卸抓绒内胆)."""
    return [w for w in name.split() if len(w) >= 2 and w != "拓路者"]


def order_ids_in(text: str) -> list[str]:
    """Order numbers in a message: an order card ("订单编号:…") or a bare 8-20 digit number."""
    ids = _CARD.findall(text)
    ids += [x for x in tx.order_numbers(text) if x not in ids]
    return ids


def _negative(p: Prediction | None) -> float:
    """0..1 negativity of one message: probability-weighted by EMOTION_WEIGHT (angry counts most)."""
    if p is None:
        return 0.0
    if p.emotion_probs:
        return min(1.0, sum(p.emotion_probs.get(e, 0.0) * w for e, w in EMOTION_WEIGHT.items()) / 3.0 * 1.5)
    return EMOTION_WEIGHT.get(p.emotion, 0.0) / 3.0
