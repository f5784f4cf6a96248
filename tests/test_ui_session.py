"""AgentSession without Qt: protocol events folded into views, analysis on an executor, de-dup, snapshots."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from assist_app import protocol as P
from assist_app.domain import CustomerContext, CustomerProfile
from assist_app.nlp.classifier import load_classifier
from assist_app.ui.engine import KEEP_TURNS, MAX_TURNS, EngineAdapter
from assist_app.ui.session import AgentSession

NOW = datetime(2025, 11, 11, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def pool():
    with ThreadPoolExecutor(2) as ex:
        yield ex


def opened(cid: str, agent: str = "a1") -> P.ConversationOpened:
    return P.ConversationOpened(conversation_id=cid, customer_id=f"u-{cid}", nick=f"顾客{cid}", agent_id=agent,
                                opened_at=NOW)


def msg(cid: str, mid: str, text: str, role: str = "customer", dt: int = 0) -> P.Message:
    return P.Message(conversation_id=cid, message_id=mid, role=role, text=text, ts=NOW + timedelta(seconds=dt))


def context(cid: str) -> P.Context:
    return P.Context(conversation_id=cid, context=CustomerContext(CustomerProfile(f"u-{cid}", f"顾客{cid}")))


async def test_customer_message_is_classified_and_analysed_off_the_loop(pool):
    s = AgentSession(pool, EngineAdapter(), load_classifier, clock=lambda: NOW + timedelta(seconds=30))
    assert await s.load()
    updates = []
    s.listeners.append(updates.append)
    s.handle_event(opened("c1"))
    s.handle_event(context("c1"))
    s.handle_event(msg("c1", "m1", "我的快递怎么三天了还没到"))
    await s.idle()
    conv = s.conversations["c1"]
    expected = load_classifier().predict("我的快递怎么三天了还没到", [])
    assert conv.prediction.intent == expected.intent and conv.prediction.emotion == expected.emotion
    assert conv.assist is not None and conv.assist.replies
    assert conv.analysed_message_id == "m1"
    assert any(u.analysed == ("m1",) for u in updates)
    assert conv.wait_seconds(NOW + timedelta(seconds=30)) == 30
    # the agent answers: the customer no longer waits
    s.handle_event(msg("c1", "r1", "亲，我帮您查一下", role="agent", dt=10))
    await s.idle()
    assert conv.waiting_since is None


async def test_duplicates_snapshot_and_reassignment(pool):
    s = AgentSession(pool, EngineAdapter(), None, agent_id="a1")
    await s.load()
    assert s.classifier is None and "no classifier" in s.classifier_error
    s.handle_event(opened("c1"))
    s.handle_event(opened("c2"))
    s.handle_event(msg("c1", "m1", "在吗"))
    s.handle_event(msg("c1", "m1", "在吗"))                    # replayed after a reconnect
    await s.idle()
    assert [ln.message_id for ln in s.conversations["c1"].lines] == ["m1"]
    # a snapshot (replay gap too old) is authoritative: c2 is gone, c3 appears with its history, m1 not doubled
    snap = P.Snapshot(conversations=[
        P.ConversationSnapshot(opened=opened("c1"), messages=[msg("c1", "m1", "在吗"), msg("c1", "m2", "人呢")]),
        P.ConversationSnapshot(opened=opened("c3"), messages=[msg("c3", "x1", "你好")]),
    ], reason="replay_gap")
    s.handle_event(snap)
    await s.idle()
    assert sorted(s.conversations) == ["c1", "c3"]
    assert [ln.message_id for ln in s.conversations["c1"].lines] == ["m1", "m2"]
    # a lead takes c3 over: it leaves this agent's list
    s.handle_event(P.ConversationAssigned(conversation_id="c3", agent_id="lead-outdoor", previous_agent_id="a1"))
    assert "c3" not in s.conversations
    s.handle_event(P.ConversationClosed(conversation_id="c1"))
    assert s.conversations == {}


async def test_long_chats_keep_bounded_state(pool):
    s = AgentSession(pool, EngineAdapter(), load_classifier)
    await s.load()
    s.handle_event(opened("c1"))
    s.handle_event(context("c1"))
    for i in range(MAX_TURNS + 30):
        s.handle_event(msg("c1", f"m{i}", f"第{i}次问：到哪了", dt=i))
    await s.idle()
    state = s._states["c1"]
    assert KEEP_TURNS <= len(state.history) <= MAX_TURNS
    assert len(state.core.turns) == len(state.history)
    assert s.conversations["c1"].analysed_message_id == f"m{MAX_TURNS + 29}"
