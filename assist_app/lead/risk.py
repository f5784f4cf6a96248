"""Adapter from the lead's conversation record to H3's risk engine (assist_app.core.risk). No model of its own.

The lead only needs the risk (not replies, prices or tickets), so it calls the engine's `extract` + `score`
directly instead of the full `assist(...)`: same score, same reasons, a fraction of the work for 500 chats.
"""

from __future__ import annotations

from assist_app.core import risk as core
from assist_app.core.types import Risk

# Live-only signals the engine accepts from the caller; the same definitions H3 uses when it has a context.
VIP_TAGS = ("88VIP", "PLUS", "SVIP")
VIP_LEVELS = ("金卡", "钻石", "黑卡")
BIG_ORDER_FEN = 100_000  # 1,000 元


def customer_turns(conv) -> list[core.CustomerTurn]:
    """Customer turns with labels, oldest first; `agent_before` = an agent spoke since the previous one."""
    out: list[core.CustomerTurn] = []
    prev_idx = -1
    for idx, pred in conv.predictions:
        agent_before = any(t.role == "agent" for t in conv.turns[prev_idx + 1: idx])
        out.append(core.CustomerTurn(conv.turns[idx].text, pred, agent_before or prev_idx < 0))
        prev_idx = idx
    return out


def live_signals(conv, now: float) -> dict[str, float]:
    live: dict[str, float] = {"wait_min": conv.wait_s(now) / 60.0}
    ctx = conv.context
    if ctx is not None:
        cust = ctx.customer
        live["vip"] = float(any(t in VIP_TAGS for t in cust.tags) or cust.member_level in VIP_LEVELS)
        live["big_order"] = float(any(o.paid_fen >= BIG_ORDER_FEN for o in ctx.orders[:3]))
    return live


def core_risk(conv, now: float, lang: str = "zh") -> Risk:
    turns = customer_turns(conv)
    if not turns:
        return Risk(0, "info", [])
    return core.score(core.extract(turns), live_signals(conv, now), lang=lang)
