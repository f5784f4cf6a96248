"""The one place the UI calls the assist engine (assist_app.core), so an engine API change touches one file.

Runs on worker threads only (see session.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from assist_app.nlp.types import Prediction
from assist_app.ui.viewmodel import ChatLine

log = logging.getLogger(__name__)


class EngineAdapter:
    def __init__(self) -> None:
        from assist_app import core

        self._core = core

    def new_state(self, conversation_id: str, customer_id: str) -> Any:
        return self._core.ConversationState(conversation_id=conversation_id, customer_id=customer_id)

    def add_turn(self, state: Any, line: ChatLine, prediction: Prediction | None) -> None:
        turn = self._core.Turn(role=line.role, text=line.text, ts=line.ts, message_id=line.message_id)
        if line.role == "customer":
            state.add_customer(turn, prediction)
        elif line.role == "agent":
            state.add_agent(turn)

    def has_customer_turn(self, state: Any) -> bool:
        return bool(getattr(state, "customer_turns", None) or getattr(state, "turns", None))

    def assist(self, state: Any, context, now: datetime, lang: str) -> Any:
        if context is None:
            return None
        return self._core.assist(state, context, now, lang=lang)
