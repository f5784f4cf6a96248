"""Gateway over real loopback sockets: auth, scoping (agent / lead / source), agent and lead actions,
store integration (context, messages, tickets), graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import pytest
import websockets

from assist_app import protocol as p
from assist_app.config import demo_config
from assist_app.gateway.server import Gateway, state_path_for
from assist_app.stream.client import FatalStreamError, RequestError
from assist_app.stream.testing import Recorder


@pytest.fixture
async def gw():
    g = Gateway(demo_config(stats_interval_s=0, heartbeat_s=0.5))
    await g.start()
    yield g
    await g.stop()


def opened(cid: str, agent: str, customer: str = "C0001") -> p.ConversationOpened:
    return p.ConversationOpened(conversation_id=cid, customer_id=customer, nick=f"tb_{cid}", agent_id=agent,
                                channel="tmall", shop="拓路者户外旗舰店")


def msg(cid: str, n: int, text: str = "在吗") -> p.Message:
    return p.Message(conversation_id=cid, message_id=f"{cid}-m{n}", role="customer", text=text)


async def test_agents_and_leads_see_exactly_their_scope(gw):
    async with contextlib.AsyncExitStack() as stack:
        r = {who: await stack.enter_async_context(Recorder(gw.url, f"demo-{who}"))
             for who in ("a1", "a2", "a4", "lead-outdoor", "lead-home3c")}
        src = await stack.enter_async_context(Recorder(gw.url, "demo-source", subscribe=False))
        for rec in r.values():
            await rec.connected()
        await src.connected()
        plan = {"c1": "a1", "c2": "a2", "c3": "a4"}
        for cid, agent in plan.items():
            await src.client.send(opened(cid, agent))
            for n in range(3):
                await src.client.send(msg(cid, n))
        await r["lead-outdoor"].wait_for(lambda x: len(x.message_ids()) == 6)
        await r["lead-home3c"].wait_for(lambda x: len(x.message_ids()) == 3)
        for who in ("a1", "a2", "a4"):
            await r[who].wait_for(lambda x: len(x.message_ids()) == 3)
        await asyncio.sleep(0.1)  # anything misrouted would have arrived by now
        assert r["a1"].conversation_ids() == {"c1"}
        assert r["a2"].conversation_ids() == {"c2"}
        assert r["a4"].conversation_ids() == {"c3"}
        assert r["lead-outdoor"].conversation_ids() == {"c1", "c2"}
        assert r["lead-home3c"].conversation_ids() == {"c3"}
        assert r["lead-outdoor"].of(p.ConversationOpened)[0].team == "outdoor"
        # a source only publishes: it never receives conversation events
        assert not [e for e in src.events if p.is_stream_event(e)]
        # per-subscription seq: consecutive from 1 for each subscriber
        for rec in r.values():
            seqs = [e.seq for e in rec.events if p.is_stream_event(e) and not isinstance(e, p.Snapshot)]
            assert seqs == list(range(1, len(seqs) + 1))

        # a late joiner's snapshot holds only its own conversations, with their messages
        async with Recorder(gw.url, "demo-a2") as late:
            await late.connected()
            snap = late.of(p.Snapshot)[0]
            assert [c.opened.conversation_id for c in snap.conversations] == ["c2"]
            assert [m.message_id for m in snap.conversations[0].messages] == ["c2-m0", "c2-m1", "c2-m2"]
            assert snap.seq == 4


async def test_agent_cannot_touch_other_conversations_or_lead_and_source_actions(gw):
    async with Recorder(gw.url, "demo-source", subscribe=False) as src, \
            Recorder(gw.url, "demo-a1") as a1, Recorder(gw.url, "demo-a2") as a2:
        await a1.connected()
        await a2.connected()
        await src.client.send(opened("c1", "a1"))
        await a1.wait_for(lambda x: "c1" in x.conversation_ids())
        with pytest.raises(RequestError) as ei:
            await a2.client.send(p.ReplySend(conversation_id="c1", message_id="x1", text="hi"))
        assert ei.value.code == p.E_NOT_FOUND
        for ev in (p.LeadTakeover(conversation_id="c1"), p.LeadWhisper(conversation_id="c1", text="x"),
                   msg("c1", 9), opened("c9", "a2")):
            with pytest.raises(RequestError) as ei:
                await a2.client.send(ev)
            assert ei.value.code == p.E_FORBIDDEN
        with pytest.raises(RequestError) as ei:
            await src.client.send(p.ReplySend(conversation_id="c1", message_id="x2", text="hi"))
        assert ei.value.code == p.E_FORBIDDEN
        assert "c1" not in a2.conversation_ids()
        assert a2.message_ids() == []


async def test_source_cannot_subscribe_and_unknown_agent_is_refused(gw):
    async with Recorder(gw.url, "demo-source", subscribe=False) as src:
        await src.connected()
        with pytest.raises(RequestError) as ei:
            await src.client.send(opened("c5", "nobody"))
        assert ei.value.code == p.E_NOT_FOUND
        with pytest.raises(RequestError) as ei:
            await src.client.send(msg("never-opened", 1))
        assert ei.value.code == p.E_NOT_FOUND
    # a source that sends subscribe by hand is refused
    async with websockets.connect(gw.url) as ws:
        await ws.send(p.encode(p.Hello(token="demo-source")))
        assert isinstance(p.decode(await ws.recv()), p.Welcome)
        await ws.send(p.encode(p.Subscribe(last_seq=None, id="s1")))
        err = p.decode(await ws.recv())
        assert isinstance(err, p.Error) and err.code == p.E_FORBIDDEN and err.ref == "s1"


async def test_bad_token_is_fatal_and_reported_offline(gw):
    rec = Recorder(gw.url, "not-a-token")
    with pytest.raises(FatalStreamError) as ei:
        await asyncio.wait_for(rec.client.run(), 10)
    assert ei.value.code == p.E_AUTH
    assert rec.states[-1].status == "offline" and rec.states[-1].fatal
    assert gw.counters.errors_by_code.get(p.E_AUTH) == 1


async def test_lead_takeover_reassign_whisper_and_alert_ack(gw):
    async with Recorder(gw.url, "demo-source", subscribe=False) as src, \
            Recorder(gw.url, "demo-a1") as a1, Recorder(gw.url, "demo-a2") as a2, \
            Recorder(gw.url, "demo-lead-outdoor") as lead, Recorder(gw.url, "demo-lead-home3c") as other:
        for r in (a1, a2, lead, other):
            await r.connected()
        await src.client.send(opened("c1", "a1"))
        await src.client.send(msg("c1", 1, "质量太差了 我要投诉"))
        await a1.wait_for(lambda x: x.message_ids() == ["c1-m1"])

        # whisper reaches the agent (and the leads), never the customer side
        await lead.client.send(p.LeadWhisper(conversation_id="c1", text="先道歉"))
        await a1.wait_for(lambda x: len(x.of(p.Whisper)) == 1)
        w = a1.of(p.Whisper)[0]
        assert (w.from_lead, w.text) == ("lead-outdoor", "先道歉")

        # a lead of another team cannot act on it and never saw it
        with pytest.raises(RequestError) as ei:
            await other.client.send(p.LeadTakeover(conversation_id="c1"))
        assert ei.value.code == p.E_NOT_FOUND
        assert "c1" not in other.conversation_ids()

        # reassign to a2: a2 gets the history, a1 is told it is gone
        await lead.client.send(p.LeadReassign(conversation_id="c1", to_agent_id="a2"))
        await a2.wait_for(lambda x: len(x.of(p.ConversationAssigned)) == 1)
        got = a2.of(p.ConversationAssigned)[0]
        assert got.agent_id == "a2" and got.previous_agent_id == "a1" and got.by == "lead-outdoor"
        assert got.conversation is not None
        assert [m.message_id for m in got.conversation.messages] == ["c1-m1"]
        await a1.wait_for(lambda x: len(x.of(p.ConversationAssigned)) == 1)
        assert a1.of(p.ConversationAssigned)[0].conversation is None

        await src.client.send(msg("c1", 2))
        await a2.wait_for(lambda x: "c1-m2" in x.message_ids())
        # the lead takes over from a2
        ack = await lead.client.send(p.LeadTakeover(conversation_id="c1"))
        assert ack is not None and ack.of == "lead.takeover"
        await a2.wait_for(lambda x: any(e.reason == "takeover" for e in x.of(p.ConversationAssigned)))
        await lead.client.send(p.ReplySend(conversation_id="c1", message_id="lead-r1", text="您好，我是组长"))
        await src.client.send(msg("c1", 3))
        await lead.wait_for(lambda x: "c1-m3" in x.message_ids())
        await asyncio.sleep(0.1)
        assert "c1-m2" not in a1.message_ids() and "c1-m3" not in a2.message_ids()
        reply = [e for e in lead.of(p.Message) if e.message_id == "lead-r1"][0]
        assert reply.role == "agent" and reply.agent_id == "lead-outdoor"

        # reassign to an agent of another team is refused
        with pytest.raises(RequestError) as ei:
            await lead.client.send(p.LeadReassign(conversation_id="c1", to_agent_id="a4"))
        assert ei.value.code == p.E_NOT_FOUND

        await lead.client.send(p.AlertAck(conversation_id="c1", level="critical"))
        await lead.wait_for(lambda x: len(x.of(p.AlertAcked)) == 1)
        assert lead.of(p.AlertAcked)[0].by == "lead-outdoor"


async def test_replies_tickets_and_context_go_through_the_store(tmp_path):
    from assist_app.store import Store

    db = tmp_path / "shop.sqlite"
    store = Store.demo(db, seed=7)
    customer = store.customers()[3]
    g = Gateway(demo_config(stats_interval_s=0), store=store, state_path=state_path_for(db))
    await g.start()
    try:
        async with Recorder(g.url, "demo-source", subscribe=False) as src, Recorder(g.url, "demo-a1") as a1:
            await a1.connected()
            await src.client.send(opened("c1", "a1", customer.customer_id))
            await a1.wait_for(lambda x: len(x.of(p.Context)) == 1)
            ctx = a1.of(p.Context)[0].context
            assert ctx.customer.customer_id == customer.customer_id
            assert [o.order_id for o in ctx.orders] == [o.order_id for o in store.orders_of(customer.customer_id)]

            await src.client.send(msg("c1", 1, "我的快递到哪了"))
            ack = await a1.client.send(p.ReplySend(conversation_id="c1", message_id="a1-r1", text="亲，帮您查一下"))
            assert ack is not None and ack.message_id == "a1-r1"
            # a retry of the same reply (e.g. after a reconnect) is recognised, not sent twice
            again = await a1.client.send(p.ReplySend(conversation_id="c1", message_id="a1-r1", text="亲，帮您查一下"))
            assert again is not None and again.duplicate
            await a1.wait_for(lambda x: "a1-r1" in x.message_ids())
            assert a1.message_ids().count("a1-r1") == 1

            tack = await a1.client.send(p.TicketCreate(conversation_id="c1", ticket={
                "kind": "logistics", "title": "催件", "order_id": ctx.orders[0].order_id if ctx.orders else ""}))
            assert tack is not None and tack.ticket_id
            # the same request re-sent (same id, as the client's outbox does after a reconnect): one ticket
            retry = await a1.client.send(p.TicketCreate(conversation_id="c1", ticket={"kind": "logistics"},
                                                        id=tack.ref))
            assert retry is not None and retry.duplicate and retry.ticket_id == tack.ticket_id

            # context on request
            await a1.client.send(p.ContextRequest(conversation_id="c1"))
            await a1.wait_for(lambda x: len(x.of(p.Context)) == 2)
            await src.client.send(p.ConversationClosed(conversation_id="c1", closed_at=datetime.now(UTC)))
            await a1.wait_for(lambda x: len(x.of(p.ConversationClosed)) == 1)
            with pytest.raises(RequestError) as ei:
                await a1.client.send(p.ReplySend(conversation_id="c1", message_id="a1-r2", text="还在吗"))
            assert ei.value.code == p.E_STATE
    finally:
        await g.stop()
    # the business record landed in the store (written on the store's worker thread)
    rows = store.messages("c1")
    assert [r["message_id"] for r in rows] == ["c1-m1", "a1-r1"]
    assert store.conversation("c1") is not None
    tickets = store.tickets()
    assert len(tickets) == 1 and tickets[0]["conversation_id"] == "c1" and tickets[0]["created_by"] == "a1"
    store.close()


async def test_graceful_shutdown_tells_clients_and_they_keep_retrying():
    g = Gateway(demo_config(stats_interval_s=0))
    await g.start()
    async with Recorder(g.url, "demo-a1", backoff_initial_s=0.05, backoff_max_s=0.2) as a1:
        await a1.connected()
        await g.stop()
        await a1.wait_for(lambda x: x.client.state.status == "reconnecting", 5)
        assert any(isinstance(e, p.Error) and e.code == p.E_SHUTDOWN for e in a1.events)
        assert g.counters.connections_open == 0


async def test_heartbeats_arrive(gw):
    async with Recorder(gw.url, "demo-a1") as a1:
        await a1.connected()
        await asyncio.sleep(1.2)
        assert a1.client.connected
        assert gw.counters.events_out >= 4  # welcome, ack, snapshot + heartbeats


async def test_retries_after_close_are_recognised_new_messages_refused(gw):
    async with Recorder(gw.url, "demo-source", subscribe=False) as src:
        await src.client.send(opened("c1", "a1"))
        await src.client.send(msg("c1", 1))
        await src.client.send(p.ConversationClosed(conversation_id="c1"))
        # the same message and the same close again (a source retrying after a reconnect)
        again = await src.client.send(msg("c1", 1))
        assert again is not None and again.duplicate
        assert (await src.client.send(p.ConversationClosed(conversation_id="c1"))).duplicate
        assert (await src.client.send(opened("c1", "a1"))).duplicate
        with pytest.raises(RequestError) as ei:
            await src.client.send(msg("c1", 2))
        assert ei.value.code == p.E_STATE


def test_snapshot_json_matches_the_dataclass_encoding():
    """The gateway builds snapshots from cached JSON pieces; they must decode to the same thing."""
    from assist_app.domain import CustomerContext, CustomerProfile
    from assist_app.gateway.book import Book

    book = Book(recent_messages=2)
    conv = book.open(opened("c1", "a1"))
    for i in range(3):
        book.add_message(msg("c1", i, f"第{i}条"))
    conv.set_context(CustomerContext(customer=CustomerProfile(customer_id="C1", nick="tb_小鹿", tags=("88VIP",))))
    import json

    built = p.from_dict({"v": 1, "type": "snapshot", "conversations": [json.loads(conv.snapshot_json())]})
    assert built.conversations == [conv.snapshot()]
    assert [m.message_id for m in built.conversations[0].messages] == ["c1-m1", "c1-m2"]
