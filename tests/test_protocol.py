"""Wire protocol: round trips, validation errors, and the examples in docs/PROTOCOL.md."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assist_app import protocol as p
from assist_app.domain import CustomerContext, CustomerProfile, Order, OrderItem

DOC = Path(__file__).resolve().parents[1] / "docs" / "PROTOCOL.md"


def _doc_examples() -> dict[str, dict]:
    text = DOC.read_text(encoding="utf-8")
    out = {}
    for title, body in re.findall(r"### `([a-z.]+)`.*?```json\n(.*?)\n```", text, re.S):
        out[title] = json.loads(body)
    return out


def test_every_event_type_has_a_doc_example_that_decodes():
    examples = _doc_examples()
    assert set(examples) == set(p.EVENT_TYPES)
    for etype, obj in examples.items():
        ev = p.decode(json.dumps(obj, ensure_ascii=False), max_bytes=None)
        assert ev.type == etype
        # and encodes back to the same JSON
        assert json.loads(p.encode(ev)) == obj


def test_round_trip_keeps_nested_context_and_snapshot():
    ctx = CustomerContext(
        customer=CustomerProfile(customer_id="C1", nick="tb_小鹿", tags=("88VIP",)),
        orders=[Order(order_id="O1", customer_id="C1", state="shipped", total_fen=100, paid_fen=90,
                      items=[OrderItem(sku="S", name="冲锋衣", category="冲锋衣", spec="黑 L", quantity=1,
                                       unit_price_fen=100, paid_fen=90)])])
    opened = p.ConversationOpened(conversation_id="c1", customer_id="C1", nick="tb_小鹿", agent_id="a1")
    msg = p.Message(conversation_id="c1", message_id="m1", role="customer", text="在吗", seq=3)
    ev = p.ConversationAssigned(conversation_id="c1", agent_id="a2", seq=9,
                                conversation=p.ConversationSnapshot(opened=opened, messages=[msg], context=ctx))
    back = p.decode(p.encode(ev))
    assert back == ev
    assert isinstance(back, p.ConversationAssigned)
    assert back.conversation is not None and back.conversation.context is not None
    assert back.conversation.context.orders[0].items[0].name == "冲锋衣"
    assert back.conversation.context.customer.tags == ("88VIP",)
    assert "冲锋衣" in p.encode(ev)  # Chinese kept readable on the wire


def test_bytes_and_text_frames_decode_alike():
    m = p.Message(conversation_id="c", message_id="m", role="agent", text="好的", ts=datetime(2026, 1, 1, tzinfo=UTC))
    assert p.decode(p.encode(m)) == p.decode(p.encode(m).encode("utf-8")) == m


@pytest.mark.parametrize("frame, code", [
    ("{", p.E_BAD_JSON),
    ("[1, 2]", p.E_BAD_JSON),
    ('"hello"', p.E_BAD_JSON),
    (b"\xff\xfe{}", p.E_BAD_UTF8),
    ('{"type": "hello", "token": "x"}', p.E_BAD_VERSION),
    ('{"v": 2, "type": "hello", "token": "x"}', p.E_BAD_VERSION),
    ('{"v": true, "type": "hello", "token": "x"}', p.E_BAD_VERSION),
    ('{"v": 1, "type": "hullo"}', p.E_UNKNOWN_TYPE),
    ('{"v": 1, "type": 5}', p.E_UNKNOWN_TYPE),
    ('{"v": 1, "type": "hello"}', p.E_INVALID),
    ('{"v": 1, "type": "hello", "token": 5}', p.E_INVALID),
    ('{"v": 1, "type": "hello", "token": ""}', p.E_INVALID),
    ('{"v": 1, "type": "subscribe", "last_seq": "7"}', p.E_INVALID),
    ('{"v": 1, "type": "subscribe", "last_seq": 1.5}', p.E_INVALID),
    ('{"v": 1, "type": "message", "conversation_id": "c", "message_id": "m", "role": "robot", "text": "x"}',
     p.E_INVALID),
    ('{"v": 1, "type": "message", "conversation_id": "c", "message_id": "m", "role": "customer", "text": "x",'
     ' "ts": "yesterday"}', p.E_INVALID),
    ('{"v": 1, "type": "ticket.create", "conversation_id": "c", "ticket": []}', p.E_INVALID),
    ('{"v": 1, "type": "context", "conversation_id": "c", "context": {"orders": []}}', p.E_INVALID),
])
def test_bad_frames_raise_protocol_error_with_code(frame, code):
    with pytest.raises(p.ProtocolError) as ei:
        p.decode(frame)
    assert ei.value.code == code


def test_oversized_frame_and_text_limits():
    big = json.dumps({"v": 1, "type": "ping", "pad": "x" * (p.MAX_FRAME_BYTES + 10)})
    with pytest.raises(p.ProtocolError) as ei:
        p.decode(big.encode())
    assert ei.value.code == p.E_TOO_LARGE
    long_text = p.ReplySend(conversation_id="c", message_id="m", text="长" * (p.MAX_TEXT_CHARS + 1))
    with pytest.raises(p.ProtocolError) as ei:
        p.decode(p.encode(long_text), max_bytes=None)
    assert ei.value.code == p.E_INVALID


def test_request_id_is_reported_on_errors():
    with pytest.raises(p.ProtocolError) as ei:
        p.decode('{"v": 1, "type": "reply.send", "id": "r42", "conversation_id": "c"}')
    assert ei.value.ref == "r42"


def test_naive_timestamps_are_read_as_utc_and_unknown_fields_ignored():
    ev = p.decode('{"v": 1, "type": "heartbeat", "server_time": "2026-01-01T08:00:00", "future": 1}')
    assert isinstance(ev, p.Heartbeat) and ev.server_time.tzinfo is not None


def test_senders_and_stream_types_are_consistent():
    for etype, cls in p.EVENT_TYPES.items():
        assert cls.type == etype
        if etype in p.STREAM_TYPES:
            # the gateway originates or forwards these; clients never send them except sources
            assert cls.senders <= {"source"}
    assert p.Hello.senders == frozenset(p.ROLES)
    assert p.LeadTakeover.senders == {"lead"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(etype=st.sampled_from(sorted(p.EVENT_TYPES) + ["nope"]),
       body=st.dictionaries(st.sampled_from(["conversation_id", "message_id", "text", "role", "token", "ticket",
                                             "last_seq", "context", "agent_id", "conversations", "seq", "id",
                                             "ts", "conversation", "opened", "messages"]), json_values))
def test_decode_never_raises_anything_but_protocol_error(etype, body):
    frame = json.dumps({"v": 1, "type": etype, **body})
    try:
        ev = p.decode(frame)
    except p.ProtocolError as exc:
        assert exc.code in {p.E_BAD_JSON, p.E_INVALID, p.E_UNKNOWN_TYPE, p.E_TOO_LARGE}
    else:
        assert ev.type == etype
        p.encode(ev)  # whatever validated can be sent back
