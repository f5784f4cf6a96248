"""Loading and validating the simulator's scripted conversations (resources/demo/conversations.json)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from assist_app.nlp.labels import EMOTIONS, INTENTS

DEFAULT_SCRIPTS = Path(__file__).resolve().parents[2] / "resources" / "demo" / "conversations.json"

# Every placeholder a script may use, and what it needs from the matched customer/order/product.
ORDER_SLOTS = frozenset({"order_id", "paid", "paid_date", "signed_date", "item", "spec", "category", "qty",
                         "carrier", "tracking_no", "last_event", "eta", "now_price"})
CUSTOMER_SLOTS = frozenset({"nick", "name", "phone", "member_level", "points"})
PRODUCT_SLOTS = frozenset({"product", "product_price"})
SLOTS = ORDER_SLOTS | CUSTOMER_SLOTS | PRODUCT_SLOTS
PLACEHOLDER = re.compile(r"\{(\w+)\}")
CUSTOMER_REQUIREMENTS = ("88VIP", "PLUS", "jd", "tb")


class ScriptError(ValueError):
    """The scripts file is unreadable or a script is invalid; the message names the file and the script."""


@dataclass(frozen=True)
class ScriptTurn:
    role: str            # customer | agent
    text: str            # may hold {placeholders}
    intent: str = ""     # gold label, customer turns only
    emotion: str = ""


@dataclass(frozen=True)
class Script:
    script_id: str
    title: str
    needs_attention: int
    turns: tuple[ScriptTurn, ...]
    order_profile: str = ""   # which order the customer must have (sim.matching.ORDER_PROFILES); "" = none
    order_group: str = ""     # product group the order's focus item must belong to
    product_group: str = ""   # catalogue group {product} is drawn from
    customer: str = ""        # required tag/platform: 88VIP | PLUS | jd | tb

    @property
    def customer_turns(self) -> tuple[ScriptTurn, ...]:
        return tuple(t for t in self.turns if t.role == "customer")

    def placeholders(self) -> set[str]:
        return {m for t in self.turns for m in PLACEHOLDER.findall(t.text)}


def _script(raw: dict, where: str) -> Script:
    from assist_app.sim.matching import GROUPS, ORDER_PROFILES

    sid = raw.get("id")
    if not isinstance(sid, str) or not sid:
        raise ScriptError(f"{where}: a conversation has no id")
    where = f"{where}: conversation {sid!r}"
    na = raw.get("needs_attention")
    if na not in (0, 1):
        raise ScriptError(f"{where}: needs_attention must be 0 or 1")
    turns = []
    for i, t in enumerate(raw.get("turns") or []):
        role, text = t.get("role"), t.get("text")
        if role not in ("customer", "agent") or not isinstance(text, str) or not text.strip():
            raise ScriptError(f"{where}: turn {i} needs role customer|agent and a text")
        intent, emotion = t.get("intent", ""), t.get("emotion", "")
        if role == "customer" and (intent not in INTENTS or emotion not in EMOTIONS):
            raise ScriptError(f"{where}: turn {i} has unknown intent {intent!r} or emotion {emotion!r}")
        turns.append(ScriptTurn(role=role, text=text, intent=intent if role == "customer" else "",
                                emotion=emotion if role == "customer" else ""))
    order = raw.get("order") or {}
    s = Script(script_id=sid, title=str(raw.get("title", "")), needs_attention=na, turns=tuple(turns),
               order_profile=order.get("profile", ""), order_group=order.get("group", ""),
               product_group=raw.get("product_group", ""), customer=raw.get("customer", ""))
    n = len(s.customer_turns)
    if not 3 <= n <= 10:
        raise ScriptError(f"{where}: has {n} customer turns, expected 3-10")
    if s.order_profile and s.order_profile not in ORDER_PROFILES:
        raise ScriptError(f"{where}: unknown order profile {s.order_profile!r}")
    for g in (s.order_group, s.product_group):
        if g and g not in GROUPS:
            raise ScriptError(f"{where}: unknown product group {g!r}")
    if s.customer and s.customer not in CUSTOMER_REQUIREMENTS:
        raise ScriptError(f"{where}: unknown customer requirement {s.customer!r}")
    used = s.placeholders()
    if used - SLOTS:
        raise ScriptError(f"{where}: unknown placeholders {sorted(used - SLOTS)}")
    if used & ORDER_SLOTS and not s.order_profile:
        raise ScriptError(f"{where}: uses order placeholders but declares no order profile")
    if used & PRODUCT_SLOTS and not (s.product_group or s.order_profile):
        raise ScriptError(f"{where}: uses {{product}} but declares no product_group or order")
    return s


def load_scripts(path: str | Path | None = None) -> list[Script]:
    """Read and validate the scripts file (default: resources/demo/conversations.json)."""
    p = Path(path) if path is not None else DEFAULT_SCRIPTS
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ScriptError(f"{p}: cannot read the simulator scripts ({e})") from e
    raw = doc.get("conversations") if isinstance(doc, dict) else None
    if not isinstance(raw, list) or not raw:
        raise ScriptError(f"{p}: no 'conversations' list")
    scripts = [_script(r, str(p)) for r in raw]
    ids = [s.script_id for s in scripts]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ScriptError(f"{p}: duplicate conversation ids {sorted(dup)}")
    return scripts
