"""The one place the UI calls the assist engine (assist_app.core), so an engine API change touches one file.

Runs on worker threads only (see session.py). Each conversation's engine state is bounded: past
`MAX_TURNS` turns it is rebuilt from the newest `KEEP_TURNS` (with their stored labels), so a marathon chat
neither grows memory nor makes every analysis slower than the last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assist_app import core
from assist_app.nlp.types import Prediction
from assist_app.ui.viewmodel import ChatLine

MAX_TURNS = 120
KEEP_TURNS = 80


@dataclass
class EngineState:
    conversation_id: str
    customer_id: str
    core: Any = None
    history: list[tuple[ChatLine, Prediction | None]] = field(default_factory=list)


class EngineAdapter:
    def new_state(self, conversation_id: str, customer_id: str) -> EngineState:
        st = EngineState(conversation_id, customer_id)
        st.core = core.ConversationState(conversation_id=conversation_id, customer_id=customer_id)
        return st

    @staticmethod
    def _feed(cs: Any, line: ChatLine, prediction: Prediction | None) -> None:
        turn = core.Turn(role=line.role, text=line.text, ts=line.ts, message_id=line.message_id)
        if line.role == "customer":
            cs.add_customer(turn, prediction)
        elif line.role == "agent":
            cs.add_agent(turn)

    def add_turn(self, state: EngineState, line: ChatLine, prediction: Prediction | None) -> None:
        if line.role not in ("customer", "agent"):
            return
        state.history.append((line, prediction))
        self._feed(state.core, line, prediction)
        if len(state.history) > MAX_TURNS:
            state.history = state.history[-KEEP_TURNS:]
            fresh = core.ConversationState(conversation_id=state.conversation_id, customer_id=state.customer_id)
            for ln, p in state.history:
                self._feed(fresh, ln, p)
            state.core = fresh

    def has_customer_turn(self, state: EngineState) -> bool:
        return bool(state.core.customer_turns)

    def assist(self, state: EngineState, context, now: datetime, lang: str) -> Any:
        if context is None:
            return None
        return core.assist(state.core, context, now, lang=lang)
