"""The stream client on its own terms: state signal, offline outbox, de-dup, fatal vs retryable."""

from __future__ import annotations

import asyncio
import socket

import pytest

from assist_app import protocol as p
from assist_app.config import demo_config
from assist_app.gateway.server import Gateway
from assist_app.stream.client import FatalStreamError, StreamClient
from assist_app.stream.testing import Recorder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_starts_before_the_gateway_reports_retry_and_flushes_outbox_when_it_comes_up():
    port = _free_port()
    cfg = demo_config(port=port, stats_interval_s=0)
    async with Recorder(f"ws://127.0.0.1:{port}", "demo-source", subscribe=False, backoff_initial_s=0.05,
                        backoff_max_s=0.2) as src, \
            Recorder(f"ws://127.0.0.1:{port}", "demo-a1", backoff_initial_s=0.05, backoff_max_s=0.2) as a1:
        # nothing listens yet: the client keeps retrying and says when
        await a1.wait_for(lambda x: len([s for s in x.states if s.status == "reconnecting"]) >= 3, 5)
        retrying = [s for s in a1.states if s.status == "reconnecting"]
        assert any((s.retry_in_s or 0) > 0 for s in retrying) and retrying[-1].error
        # requests made while offline wait in the outbox
        pending = asyncio.ensure_future(src.client.send(p.ConversationOpened(
            conversation_id="c1", customer_id="C1", nick="tb_x", agent_id="a1")))
        await asyncio.sleep(0.1)
        assert not pending.done() and src.client.pending == 1
        g = Gateway(cfg)
        await g.start()
        try:
            ack = await asyncio.wait_for(pending, 10)
            assert ack.conversation_id == "c1"
            await a1.wait_for(lambda x: "c1" in x.conversation_ids(), 10)
            assert a1.states[-1].status == "connected"
        finally:
            await g.stop()


async def test_messages_are_deduplicated_by_id_across_snapshot_and_stream():
    g = Gateway(demo_config(stats_interval_s=0))
    await g.start()
    try:
        async with Recorder(g.url, "demo-source", subscribe=False) as src:
            await src.client.send(p.ConversationOpened(conversation_id="c1", customer_id="C1", nick="n",
                                                       agent_id="a1"))
            await src.client.send(p.Message(conversation_id="c1", message_id="m1", role="customer", text="在吗"))
            async with Recorder(g.url, "demo-a1") as a1:
                await a1.connected()
                snap = a1.of(p.Snapshot)[0]
                assert [m.message_id for m in snap.conversations[0].messages] == ["m1"]
                # the same message id again (a source retry the gateway also drops) never reaches on_event
                a1.client._on_frame(p.Message(conversation_id="c1", message_id="m1", role="customer", text="在吗",
                                              seq=(a1.client.last_seq or 0) + 1))
                assert a1.message_ids() == []
                # an already-processed seq is dropped too
                before = len(a1.events)
                a1.client._on_frame(p.ConversationClosed(conversation_id="c1", seq=a1.client.last_seq))
                assert len(a1.events) == before
    finally:
        await g.stop()


async def test_refused_requests_raise_and_unknown_token_is_fatal():
    g = Gateway(demo_config(stats_interval_s=0))
    await g.start()
    try:
        async with Recorder(g.url, "demo-a1") as a1:
            await a1.connected()
            with pytest.raises(Exception) as ei:
                await a1.client.send(p.ReplySend(conversation_id="nope", message_id="x", text="hi"), timeout=5)
            assert getattr(ei.value, "code", "") == p.E_NOT_FOUND
            assert a1.client.pending == 0
        states = []
        c = StreamClient(g.url, "wrong", on_state=states.append)
        with pytest.raises(FatalStreamError):
            await asyncio.wait_for(c.run(), 10)
        assert states[-1].status == "offline" and states[-1].fatal
    finally:
        await g.stop()


async def test_bad_url_is_fatal():
    c = StreamClient("http://not-a-websocket-url", "t")
    with pytest.raises(FatalStreamError):
        await asyncio.wait_for(c.run(), 10)


async def test_stop_ends_run_and_reports_offline():
    g = Gateway(demo_config(stats_interval_s=0))
    await g.start()
    try:
        rec = Recorder(g.url, "demo-a2")
        await rec.__aenter__()
        await rec.connected()
        rec.client.stop()
        await asyncio.wait_for(rec.task, 5)
        assert rec.states[-1].status == "offline" and not rec.states[-1].fatal
    finally:
        await g.stop()


async def test_gateway_heartbeats_carry_the_current_seq():
    import websockets

    g = Gateway(demo_config(stats_interval_s=0, heartbeat_s=0.2))
    await g.start()
    try:
        async with websockets.connect(g.url) as ws:
            await ws.send(p.encode(p.Hello(token="demo-a1")))
            await ws.send(p.encode(p.Subscribe(last_seq=None)))
            seen = []
            while not any(isinstance(e, p.Heartbeat) for e in seen):
                seen.append(p.decode(await asyncio.wait_for(ws.recv(), 5)))
            assert [type(e).__name__ for e in seen[:3]] == ["Welcome", "Ack", "Snapshot"]
            assert seen[-1].seq == 0
    finally:
        await g.stop()


async def test_a_silent_gateway_is_detected_by_the_heartbeat_watchdog():
    """A server that welcomes and then says nothing (a hung gateway): the client drops it and reconnects."""
    import websockets

    connections = []

    async def hung(ws):
        connections.append(ws)
        await ws.recv()  # hello
        await ws.send(p.encode(p.Welcome(role="agent", principal_id="a1", heartbeat_s=0.1)))
        await ws.wait_closed()   # and never a heartbeat

    async with websockets.serve(hung, "127.0.0.1", 0, ping_interval=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with Recorder(f"ws://127.0.0.1:{port}", "t", backoff_initial_s=0.05, backoff_max_s=0.1) as rec:
            await rec.wait_for(lambda x: len(connections) >= 2, 10)
            assert any("heartbeat" in s.error for s in rec.states if s.status == "reconnecting")


async def test_fire_and_forget_requests_report_refusals():
    g = Gateway(demo_config(stats_interval_s=0))
    await g.start()
    refused: list[tuple[str, str]] = []
    try:
        rec = Recorder(g.url, "demo-source", subscribe=False,
                       on_refused=lambda ev, exc: refused.append((ev.type, getattr(exc, "code", ""))))
        async with rec:
            await rec.client.send(p.Message(conversation_id="nope", message_id="m", role="customer", text="x"),
                                  wait_ack=False)
            await rec.wait_for(lambda x: bool(refused))
        assert refused == [("message", p.E_NOT_FOUND)]
    finally:
        await g.stop()
