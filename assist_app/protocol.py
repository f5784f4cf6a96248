"""The wire protocol between chat sources, the gateway and the desktop clients (agents, team leads).

JSON text frames over WebSocket, one event per frame, versioned with ``"v": 1``. Every event is a frozen
dataclass here; `encode()` turns one into a frame and `decode()` validates a frame back into one (raising
`ProtocolError` with a machine-readable ``code``). docs/PROTOCOL.md has a JSON example of every event.

Sequence numbers: events the gateway sends for a subscription (`STREAM_TYPES`) carry ``seq``, a number
that grows by one per event of that subscriber (an agent id or a team-lead id), survives reconnects and
gateway restarts, and is what `subscribe(last_seq)` resumes from. Control events the gateway sends
(welcome, ack, error, heartbeat, pong) repeat the subscriber's latest ``seq`` but never advance it.
Events sent *to* the gateway have ``seq`` null and may carry a request ``id`` echoed back as ``ref`` in
the `ack` or `error` that answers them.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

from assist_app.domain import CustomerContext

PROTOCOL_VERSION = 1
# Largest frame a client may send (checked by the gateway, which answers `error` code "too_large").
MAX_FRAME_BYTES = 64 * 1024
# Longest chat text accepted in message / reply.send / whisper.
MAX_TEXT_CHARS = 4000

ROLES = ("agent", "lead", "source")              # who a token belongs to
MESSAGE_ROLES = ("customer", "agent", "bot", "system")

# error codes (Error.code)
E_BAD_JSON = "bad_json"            # not JSON, or not a JSON object
E_BAD_UTF8 = "bad_utf8"            # frame bytes are not UTF-8
E_TOO_LARGE = "too_large"          # frame above MAX_FRAME_BYTES
E_BAD_VERSION = "bad_version"      # "v" missing or not 1
E_UNKNOWN_TYPE = "unknown_type"    # "type" not an event of this protocol
E_INVALID = "invalid"              # a field missing or of the wrong type/value
E_AUTH = "auth_failed"             # unknown token (fatal: do not retry with the same token)
E_FORBIDDEN = "forbidden"          # your role may not send this / not your conversation
E_STATE = "wrong_state"            # e.g. subscribe before hello, reply to a closed conversation
E_NOT_FOUND = "not_found"          # unknown conversation / agent
E_REPLAY_GAP = "replay_gap"        # last_seq older than the replay log: a snapshot follows
E_SLOW = "slow_consumer"           # your queue overflowed; reconnect and resume
E_SHUTDOWN = "shutting_down"       # gateway stopping; reconnect later
E_INTERNAL = "internal"
FATAL_CODES = frozenset({E_AUTH, E_BAD_VERSION})


class ProtocolError(ValueError):
    """A frame that is not a valid event. ``code`` is one of the E_* codes, ``ref`` the request id if known."""

    def __init__(self, code: str, message: str, ref: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event. ``seq``: set by the gateway on what it sends; ``id``: optional request id."""

    type: ClassVar[str] = ""
    # roles allowed to send this event to the gateway; empty = gateway-only event
    senders: ClassVar[frozenset[str]] = frozenset()
    seq: int | None = None
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": self.type}
        for f in fields(self):
            d[f.name] = _to_json(getattr(self, f.name))
        return d


# ---------------------------------------------------------------- session / control

@dataclass(frozen=True, kw_only=True)
class Hello(Event):
    """First frame of every connection: authenticate with a token from the gateway config."""

    type: ClassVar[str] = "hello"
    senders: ClassVar[frozenset[str]] = frozenset(ROLES)
    token: str
    client: str = ""                 # free text, e.g. "assist-sidebar/0.1"


@dataclass(frozen=True, kw_only=True)
class Welcome(Event):
    """Answer to hello: who you are. ``agents``: for a lead, the agent ids of the team."""

    type: ClassVar[str] = "welcome"
    role: str
    principal_id: str
    name: str = ""
    team: str = ""
    agents: list[str] = field(default_factory=list)
    heartbeat_s: float = 10.0
    max_frame_bytes: int = MAX_FRAME_BYTES
    server_time: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, kw_only=True)
class Subscribe(Event):
    """Start (``last_seq`` null: snapshot first) or resume (``last_seq`` = last seq processed) the stream."""

    type: ClassVar[str] = "subscribe"
    senders: ClassVar[frozenset[str]] = frozenset({"agent", "lead"})
    last_seq: int | None = None


@dataclass(frozen=True, kw_only=True)
class Ack(Event):
    """Success answer to a request; ``ref`` = the request's id. Extra result fields depend on the request."""

    type: ClassVar[str] = "ack"
    ref: str | None = None
    of: str = ""                     # type of the request acknowledged
    message_id: str | None = None    # reply.send / message
    ticket_id: str | None = None     # ticket.create
    conversation_id: str | None = None
    head_seq: int | None = None      # subscribe: newest seq of the subscription
    resumed: bool | None = None      # subscribe: true = missed events replayed, false = snapshot sent
    duplicate: bool = False          # the event was already accepted before (safe retry)


@dataclass(frozen=True, kw_only=True)
class Error(Event):
    """Failure answer or notice. ``fatal`` = do not retry as is (bad token, wrong protocol version)."""

    type: ClassVar[str] = "error"
    code: str
    message: str = ""
    ref: str | None = None
    fatal: bool = False


@dataclass(frozen=True, kw_only=True)
class Heartbeat(Event):
    """Sent by the gateway every ``heartbeat_s``; silence for 3 intervals means the link is dead."""

    type: ClassVar[str] = "heartbeat"
    server_time: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, kw_only=True)
class Ping(Event):
    """Application-level ping from any client; answered by `pong` with the same ``ts``."""

    type: ClassVar[str] = "ping"
    senders: ClassVar[frozenset[str]] = frozenset(ROLES)
    ts: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Pong(Event):
    type: ClassVar[str] = "pong"
    ts: float = 0.0


# ---------------------------------------------------------------- conversations (source → gateway → clients)

@dataclass(frozen=True, kw_only=True)
class ConversationOpened(Event):
    """A customer started a chat. Published by a source; fanned out to the agent and the team's leads."""

    type: ClassVar[str] = "conversation.opened"
    senders: ClassVar[frozenset[str]] = frozenset({"source"})
    conversation_id: str
    customer_id: str
    nick: str
    channel: str = "taobao"          # taobao / tmall / jd / web
    shop: str = ""
    agent_id: str                    # assigned agent
    team: str = ""                   # filled by the gateway from its config
    opened_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, kw_only=True)
class Message(Event):
    """One chat line. Sources publish customer/bot/system lines; agent lines come from reply.send."""

    type: ClassVar[str] = "message"
    senders: ClassVar[frozenset[str]] = frozenset({"source"})
    conversation_id: str
    message_id: str                  # unique; clients de-duplicate on it
    role: str                        # one of MESSAGE_ROLES
    text: str
    ts: datetime = field(default_factory=utcnow)
    agent_id: str = ""               # for role "agent": who wrote it (an agent or a lead)


@dataclass(frozen=True, kw_only=True)
class ConversationAssigned(Event):
    """Owner change (lead take-over or reassign). The new owner also gets ``conversation`` (history)."""

    type: ClassVar[str] = "conversation.assigned"
    senders: ClassVar[frozenset[str]] = frozenset({"source"})
    conversation_id: str
    agent_id: str                    # new owner (an agent id, or a lead id after take-over)
    previous_agent_id: str = ""
    by: str = ""                     # lead id, or "" for the source / system
    reason: str = ""                 # takeover / reassign / transfer
    conversation: ConversationSnapshot | None = None


@dataclass(frozen=True, kw_only=True)
class ConversationClosed(Event):
    type: ClassVar[str] = "conversation.closed"
    senders: ClassVar[frozenset[str]] = frozenset({"source"})
    conversation_id: str
    closed_at: datetime = field(default_factory=utcnow)
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Context(Event):
    """Everything the store knows about the conversation's customer (profile, orders, promotions, KB)."""

    type: ClassVar[str] = "context"
    conversation_id: str
    context: CustomerContext


@dataclass(frozen=True, kw_only=True)
class ContextRequest(Event):
    """Ask for a fresh `context` of one of your conversations (e.g. after an order changed)."""

    type: ClassVar[str] = "context.request"
    senders: ClassVar[frozenset[str]] = frozenset({"agent", "lead"})
    conversation_id: str


@dataclass(frozen=True, kw_only=True)
class ConversationSnapshot:
    """One open conversation as carried by `snapshot` and by `conversation.assigned` to a new owner."""

    opened: ConversationOpened
    messages: list[Message] = field(default_factory=list)   # oldest first, the most recent ones
    context: CustomerContext | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"opened": self.opened.to_dict(), "messages": [m.to_dict() for m in self.messages],
                "context": self.context.to_dict() if self.context is not None else None}


@dataclass(frozen=True, kw_only=True)
class Snapshot(Event):
    """All open conversations of the subscription, sent on a fresh subscribe or when the replay gap is
    too old. The client replaces its state with it; ``seq`` is the subscription's head."""

    type: ClassVar[str] = "snapshot"
    conversations: list[ConversationSnapshot] = field(default_factory=list)
    reason: str = "fresh"            # fresh / replay_gap


# ---------------------------------------------------------------- agent actions

@dataclass(frozen=True, kw_only=True)
class ReplySend(Event):
    """Agent (or a lead who took over) sends a reply. ``message_id`` is chosen by the client so a retry
    after a reconnect is recognised and not sent twice."""

    type: ClassVar[str] = "reply.send"
    senders: ClassVar[frozenset[str]] = frozenset({"agent", "lead"})
    conversation_id: str
    message_id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class TicketCreate(Event):
    """File a ticket (refund, return, complaint, logistics …). Answered by ack with ``ticket_id``."""

    type: ClassVar[str] = "ticket.create"
    senders: ClassVar[frozenset[str]] = frozenset({"agent", "lead"})
    conversation_id: str
    ticket: dict[str, Any]           # free form: kind, title, summary, order_id, priority …


# ---------------------------------------------------------------- team lead (issue 6)

@dataclass(frozen=True, kw_only=True)
class LeadTakeover(Event):
    """The lead takes the conversation over: the agent gets conversation.assigned (agent_id = lead)."""

    type: ClassVar[str] = "lead.takeover"
    senders: ClassVar[frozenset[str]] = frozenset({"lead"})
    conversation_id: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class LeadReassign(Event):
    type: ClassVar[str] = "lead.reassign"
    senders: ClassVar[frozenset[str]] = frozenset({"lead"})
    conversation_id: str
    to_agent_id: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class LeadWhisper(Event):
    """A private hint from the lead to the conversation's agent (never shown to the customer)."""

    type: ClassVar[str] = "lead.whisper"
    senders: ClassVar[frozenset[str]] = frozenset({"lead"})
    conversation_id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Whisper(Event):
    """A lead's whisper as delivered to the agent (and echoed to the team's leads)."""

    type: ClassVar[str] = "whisper"
    conversation_id: str
    from_lead: str
    text: str
    ts: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, kw_only=True)
class AlertAck(Event):
    """A lead acknowledged an alert; echoed to the team's leads as `alert.acked` so they stay in sync."""

    type: ClassVar[str] = "alert.ack"
    senders: ClassVar[frozenset[str]] = frozenset({"lead"})
    conversation_id: str
    level: str                       # warn / critical


@dataclass(frozen=True, kw_only=True)
class AlertAcked(Event):
    type: ClassVar[str] = "alert.acked"
    conversation_id: str
    level: str
    by: str
    ts: datetime = field(default_factory=utcnow)


EVENT_TYPES: dict[str, type[Event]] = {
    c.type: c for c in (
        Hello, Welcome, Subscribe, Ack, Error, Heartbeat, Ping, Pong,
        ConversationOpened, Message, ConversationAssigned, ConversationClosed, Context, ContextRequest,
        Snapshot, ReplySend, TicketCreate, LeadTakeover, LeadReassign, LeadWhisper, Whisper,
        AlertAck, AlertAcked,
    )
}
# Events that advance a subscription's seq and are kept in the replay log.
STREAM_TYPES = frozenset({
    "conversation.opened", "message", "conversation.assigned", "conversation.closed", "context",
    "whisper", "alert.acked", "snapshot",
})


def is_stream_event(ev: Event) -> bool:
    return ev.type in STREAM_TYPES


# ---------------------------------------------------------------- encode / decode

def encode(ev: Event) -> str:
    """Event → JSON text frame (UTF-8, Chinese kept readable)."""
    return json.dumps(ev.to_dict(), ensure_ascii=False, separators=(",", ":"))


def decode(frame: str | bytes, max_bytes: int | None = MAX_FRAME_BYTES) -> Event:
    """Validate one frame into its Event. Raises ProtocolError (never anything else) on bad input."""
    if isinstance(frame, (bytes, bytearray, memoryview)):
        raw = bytes(frame)
        if max_bytes is not None and len(raw) > max_bytes:
            raise ProtocolError(E_TOO_LARGE, f"frame of {len(raw)} bytes exceeds {max_bytes}")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(E_BAD_UTF8, f"invalid UTF-8 at byte {exc.start}") from None
    elif isinstance(frame, str):
        text = frame
        if max_bytes is not None and len(text) * 4 > max_bytes and len(text.encode("utf-8", "replace")) > max_bytes:
            raise ProtocolError(E_TOO_LARGE, f"frame exceeds {max_bytes} bytes")
    else:
        raise ProtocolError(E_BAD_JSON, f"frame of type {type(frame).__name__}")
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(E_BAD_JSON, f"not JSON: {str(exc)[:80]}") from None
    return from_dict(obj)


def from_dict(obj: Any) -> Event:
    if not isinstance(obj, dict):
        raise ProtocolError(E_BAD_JSON, "frame is not a JSON object")
    ref = obj.get("id") if isinstance(obj.get("id"), str) else None
    v = obj.get("v")
    if v != PROTOCOL_VERSION or isinstance(v, bool):
        raise ProtocolError(E_BAD_VERSION, f"unsupported protocol version {v!r}; this is v{PROTOCOL_VERSION}", ref)
    etype = obj.get("type")
    cls = EVENT_TYPES.get(etype) if isinstance(etype, str) else None
    if cls is None:
        raise ProtocolError(E_UNKNOWN_TYPE, f"unknown event type {str(etype)[:60]!r}", ref)
    try:
        return _build(cls, obj)
    except ProtocolError as exc:
        exc.ref = exc.ref or ref
        raise


def _build(cls: type, obj: dict[str, Any], where: str = "") -> Any:
    hints = _hints(cls)
    kw: dict[str, Any] = {}
    for f in fields(cls):
        name = f"{where}{f.name}"
        if f.name not in obj or (obj[f.name] is None and not _optional(hints[f.name])):
            if f.default is MISSING and f.default_factory is MISSING:  # type: ignore[misc]
                raise ProtocolError(E_INVALID, f"missing field {name!r}")
            continue
        kw[f.name] = _coerce(hints[f.name], obj[f.name], name)
    try:
        inst = cls(**kw)
    except (TypeError, ValueError) as exc:
        raise ProtocolError(E_INVALID, str(exc)[:120]) from None
    _check(inst)
    return inst


def _check(ev: Any) -> None:
    """Value rules beyond types."""
    if isinstance(ev, Message):
        if ev.role not in MESSAGE_ROLES:
            raise ProtocolError(E_INVALID, f"role must be one of {MESSAGE_ROLES}")
    for name in ("text",):
        t = getattr(ev, name, None)
        if isinstance(t, str) and len(t) > MAX_TEXT_CHARS:
            raise ProtocolError(E_INVALID, f"text longer than {MAX_TEXT_CHARS} characters")
    for name in ("conversation_id", "message_id", "customer_id", "token"):
        t = getattr(ev, name, None)
        if isinstance(t, str) and not (0 < len(t) <= 200):
            raise ProtocolError(E_INVALID, f"{name} must be 1..200 characters")
    if isinstance(ev, Welcome) and ev.role not in ROLES:
        raise ProtocolError(E_INVALID, f"role must be one of {ROLES}")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    h = _HINTS.get(cls)
    if h is None:
        h = _HINTS[cls] = typing.get_type_hints(cls)
    return h


def _optional(tp: Any) -> bool:
    return isinstance(tp, types.UnionType) and type(None) in tp.__args__


def _coerce(tp: Any, v: Any, name: str) -> Any:
    if _optional(tp):
        if v is None:
            return None
        tp = next(a for a in tp.__args__ if a is not type(None))
    origin = typing.get_origin(tp)
    if tp is str:
        if not isinstance(v, str):
            raise ProtocolError(E_INVALID, f"{name!r} must be a string")
        return v
    if tp is bool:
        if not isinstance(v, bool):
            raise ProtocolError(E_INVALID, f"{name!r} must be true/false")
        return v
    if tp is int:
        if not isinstance(v, int) or isinstance(v, bool) or not (-(2**63) <= v < 2**63):
            raise ProtocolError(E_INVALID, f"{name!r} must be an integer")
        return v
    if tp is float:
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v != v or v in (float("inf"), float("-inf")):
            raise ProtocolError(E_INVALID, f"{name!r} must be a number")
        return float(v)
    if tp is datetime:
        if not isinstance(v, str):
            raise ProtocolError(E_INVALID, f"{name!r} must be an ISO-8601 string")
        try:
            dt = datetime.fromisoformat(v)
        except ValueError:
            raise ProtocolError(E_INVALID, f"{name!r} is not an ISO-8601 time") from None
        return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    if origin is list:
        if not isinstance(v, list):
            raise ProtocolError(E_INVALID, f"{name!r} must be a list")
        (item_tp,) = typing.get_args(tp)
        return [_coerce(item_tp, x, f"{name}[{i}]") for i, x in enumerate(v)]
    if origin is dict or tp is dict:
        if not isinstance(v, dict):
            raise ProtocolError(E_INVALID, f"{name!r} must be an object")
        return v
    if tp is CustomerContext:
        if not isinstance(v, dict):
            raise ProtocolError(E_INVALID, f"{name!r} must be an object")
        try:
            return CustomerContext.from_dict(v)
        except Exception as exc:  # noqa: BLE001 - any malformed nested value is a protocol error
            raise ProtocolError(E_INVALID, f"{name!r} is not a customer context: {str(exc)[:80]}") from None
    if isinstance(tp, type) and issubclass(tp, Event):
        if not isinstance(v, dict) or v.get("type") != tp.type:
            raise ProtocolError(E_INVALID, f"{name!r} must be a {tp.type} event")
        return _build(tp, v, f"{name}.")
    if tp is ConversationSnapshot:
        if not isinstance(v, dict):
            raise ProtocolError(E_INVALID, f"{name!r} must be an object")
        return _build(tp, v, f"{name}.")
    if tp is Any:
        return v
    raise ProtocolError(E_INVALID, f"{name!r}: unsupported field type")  # pragma: no cover


def _to_json(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if hasattr(v, "to_dict"):
        return v.to_dict()
    if isinstance(v, list):
        return [_to_json(x) for x in v]
    return v


def with_seq(ev: Event, seq: int) -> Event:
    """The same event stamped with a subscription seq (events are frozen)."""
    import dataclasses

    return dataclasses.replace(ev, seq=seq)
