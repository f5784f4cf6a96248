"""Adapter from the lead's conversation record to H3's risk engine (assist_app.core). No model of its own.

The lead only needs the risk (not replies, prices or tickets), so it calls the engine's pieces that
`assist(...)` itself uses — `risk.extract` over `ConversationState.risk_turns()`, `engine.live_signals`
(VIP, big order, wait) and `risk.score` — giving the same score and reasons as the agent's banner for a
fraction of the work across 500 chats.
"""

from __future__ import annotations

from datetime import UTC, datetime

from assist_app.core import engine
from assist_app.core import risk as core
from assist_app.core.templates import load_policy
from assist_app.core.types import Risk


def core_risk(conv, now: float, lang: str = "zh") -> Risk:
    turns = conv.state.risk_turns()  # unlabelled turns (classifier unavailable) still count for text cues
    if not turns:
        return Risk(0, "info", [])
    at = datetime.fromtimestamp(now, UTC)
    if conv.context is not None:
        focus = conv.state.orders_in_focus(conv.context.orders)
        live = engine.live_signals(conv.state, conv.context, focus, at, load_policy())
    else:
        live = {"wait_min": conv.state.wait_s(at) / 60.0}
    return core.score(core.extract(turns), live, lang=lang)
