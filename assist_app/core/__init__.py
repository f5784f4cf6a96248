"""Assist engine: pure logic (no Qt, no sockets) from a conversation + classifier labels + customer context
to what the agent sees: risk, suggested replies, best price, eligibility, KB answer, retention offer, ticket."""

from assist_app.core.engine import assist
from assist_app.core.pricing import CartLine, best_price
from assist_app.core.state import ConversationState
from assist_app.core.types import (
    Assist,
    Eligibility,
    KbAnswer,
    PriceQuote,
    RetentionOffer,
    Risk,
    SuggestedReply,
    TicketDraft,
    Turn,
)

__all__ = ["Assist", "CartLine", "ConversationState", "Eligibility", "KbAnswer", "PriceQuote", "RetentionOffer",
           "Risk", "SuggestedReply", "TicketDraft", "Turn", "assist", "best_price"]
