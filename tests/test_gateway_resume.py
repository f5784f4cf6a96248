"""Resume by seq, replay gap → snapshot, dropped connections, and a slow client next to a fast one
(in-process gateway, real sockets)."""

from __future__ import annotations

import asyncio
import dataclasses
import socket

import pytest
import websockets

from assist_app import protocol as p
from assist_app.config import demo_config
from assist_app.gateway.server import Gateway
from assist_app.stream.testing import Recorder


def opened(cid: str, agent: str = "a1") -> p.ConversationOpened:
    return p.ConversationOpened(conversation_id=cid, customer_id="C0001", nick="tb_x", agent_id=agent)


def msg(cid: str, n: int, text: str = "我的快递怎么还没到") -> p.Message:
    return p.Message(conversation_id=cid, message_id=f"{cid}-m{n:04d}", role="customer", text=text)


async def _gateway(**cfg) -> Gateway:
    g = Gateway(dataclasses.replace(demo_config(stats_interval_s=0), **cfg))
    await g.start()
    return g


class Raw:
    """A bare protocol client on one socket, to see exactly what the gateway sends."""

    def __init__(self, ws):
        self.ws = ws

    @classmethod
    async def open(cls, url: str, token: str, last_seq: int | None | str = "skip", **kw) -> Raw:
        ws = await websockets.connect(url, max_size=None, **kw)
        r = cls(ws)
        await ws.send(p.encode(p.Hello(token=token)))
        assert isinstance(await r.recv(), p.Welcome)
        if last_seq != "skip":
            await ws.send(p.encode(p.Subscribe(last_seq=last_seq, id="sub")))
        return r

    async def recv(self, timeout: float = 5.0) -> p.Event:
        while True:
            ev = p.decode(await asyncio.wait_for(self.ws.recv(), timeout), max_bytes=None)
            if not isinstance(ev, p.Heartbeat):
                return ev

    async def recv_n(self, n: int) -> list[p.Event]:
        return [await self.recv() for _ in range(n)]

    async def quiet(self, for_s: float = 0.2) -> bool:
        try:
            await self.recv(for_s)
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        await self.ws.close()


async def _publish(src: Raw, events: list[p.Event]) -> None:
    for i, ev in enumerate(events):
        await src.ws.send(p.encode(dataclasses.replace(ev, id=f"q{i}")))
    for _ in events:
        ack = await src.recv()
        assert isinstance(ack, p.Ack), ack


async def test_resume_replays_exactly_the_missed_events():
    g = await _gateway()
    try:
        src = await Raw.open(g.url, "demo-source")
        agent = await Raw.open(g.url, "demo-a1", last_seq=None)
        ack, snap = await agent.recv_n(2)
        assert isinstance(ack, p.Ack) and ack.resumed is False and isinstance(snap, p.Snapshot) and snap.seq == 0
        await _publish(src, [opened("c1")] + [msg("c1", i) for i in range(5)])
        first = await agent.recv_n(6)
        assert [e.seq for e in first] == [1, 2, 3, 4, 5, 6]
        await agent.close()

        await _publish(src, [msg("c1", i) for i in range(5, 15)])
        again = await Raw.open(g.url, "demo-a1", last_seq=6)
        ack = await again.recv()
        assert isinstance(ack, p.Ack) and ack.resumed is True and ack.head_seq == 16
        missed = await again.recv_n(10)
        assert [e.seq for e in missed] == list(range(7, 17))
        assert [e.message_id for e in missed] == [f"c1-m{i:04d}" for i in range(5, 15)]
        assert await again.quiet()  # nothing more, nothing twice
        # live events continue the same sequence
        await _publish(src, [msg("c1", 99)])
        live = await again.recv()
        assert live.seq == 17 and live.message_id == "c1-m0099"
        assert g.counters.replayed == 10
        await again.close()
        await src.close()
    finally:
        await g.stop()


async def test_replay_gap_too_old_gets_error_and_snapshot_of_open_conversations():
    g = await _gateway(replay_size=10)
    try:
        src = await Raw.open(g.url, "demo-source")
        await _publish(src, [opened("c1"), opened("c2")] + [msg("c1", i) for i in range(30)]
                       + [p.ConversationClosed(conversation_id="c2")])
        head = 33
        r = await Raw.open(g.url, "demo-a1", last_seq=2)
        ack, err, snap = await r.recv_n(3)
        assert isinstance(ack, p.Ack) and ack.resumed is False and ack.head_seq == head
        assert isinstance(err, p.Error) and err.code == p.E_REPLAY_GAP and err.ref == "sub"
        assert isinstance(snap, p.Snapshot) and snap.reason == "replay_gap" and snap.seq == head
        assert [c.opened.conversation_id for c in snap.conversations] == ["c1"]       # c2 is closed
        assert len(snap.conversations[0].messages) == 30
        await r.close()

        # within the log: a normal resume
        r = await Raw.open(g.url, "demo-a1", last_seq=head - 3)
        ack, *rest = await r.recv_n(4)
        assert ack.resumed is True and [e.seq for e in rest] == [head - 2, head - 1, head]
        await r.close()

        # a client ahead of the gateway (its log was lost) also gets a snapshot
        r = await Raw.open(g.url, "demo-a1", last_seq=head + 50)
        ack, err, snap = await r.recv_n(3)
        assert err.code == p.E_REPLAY_GAP and isinstance(snap, p.Snapshot)
        await r.close()

        # the stream client adopts the snapshot's seq and goes on from there
        async with Recorder(g.url, "demo-a1", last_seq=1) as rec:
            await rec.wait_for(lambda x: any(isinstance(e, p.Snapshot) for e in x.events))
            assert rec.client.last_seq == head
            assert any(isinstance(e, p.Error) and e.code == p.E_REPLAY_GAP for e in rec.events)
            await _publish(src, [msg("c1", 500)])
            await rec.wait_for(lambda x: "c1-m0500" in x.message_ids())
            assert rec.client.last_seq == head + 1
        await src.close()
    finally:
        await g.stop()


async def test_stream_client_loses_nothing_across_dropped_connections():
    g = await _gateway()
    try:
        async with Recorder(g.url, "demo-source", subscribe=False, backoff_initial_s=0.05) as src, \
                Recorder(g.url, "demo-a1", backoff_initial_s=0.05, backoff_max_s=0.2) as a1:
            await a1.connected()
            await src.client.send(opened("c1"))
            expected = [f"c1-m{i:04d}" for i in range(300)]
            for i in range(300):
                await src.client.send(msg("c1", i), wait_ack=False)
                if i in (60, 150, 220):
                    # cut the agent's link (no close handshake) and, once, the source's
                    await _cut(a1)
                    if i == 150:
                        await _cut(src)
                if i % 10 == 0:
                    await asyncio.sleep(0.005)
            await a1.wait_for(lambda x: len(x.message_ids()) >= 300, 20)
            await asyncio.sleep(0.1)
            assert a1.message_ids() == expected
            assert a1.client.reconnects >= 3
            seqs = [e.seq for e in a1.events if p.is_stream_event(e) and not isinstance(e, p.Snapshot)]
            assert seqs == list(range(1, 302))
            assert any(s.status == "reconnecting" for s in a1.states)
            assert a1.states[-1].status == "connected"
    finally:
        await g.stop()


async def _cut(rec: Recorder) -> None:
    await rec.wait_for(lambda x: x.client.connected and x.client._ws is not None)
    rec.client._ws.transport.abort()


def _tiny_socket(port: int) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    return s


async def test_slow_client_does_not_stall_a_fast_one_and_resumes_losslessly():
    g = await _gateway(queue_size=120)
    try:
        src = await Raw.open(g.url, "demo-source")
        # the slow one subscribes to a1's stream and then never reads (tiny receive buffer)
        slow = await Raw.open(g.url, "demo-a1", last_seq=None, sock=_tiny_socket(g.port), max_queue=1,
                              compression=None, close_timeout=0.5)  # no deflate: the frames' bytes really hit the socket
        await slow.recv_n(2)
        async with Recorder(g.url, "demo-a1") as fast, Recorder(g.url, "demo-lead-outdoor") as lead:
            await fast.connected()
            await lead.connected()
            n = 800
            # 12 KB frames: ~10 MB in all, more than the kernel buffers (4 MB) plus the queue can hide
            text = "物" * p.MAX_TEXT_CHARS
            await _publish(src, [opened("c1")])
            for start in range(0, n, 20):
                await _publish(src, [msg("c1", i, text) for i in range(start, start + 20)])
                # the fast clients keep pace batch by batch while the slow one has stopped reading
                await fast.wait_for(lambda x, k=start + 20: len(x.message_ids()) >= k, 10)
                await lead.wait_for(lambda x, k=start + 20: len(x.message_ids()) >= k, 10)
            await fast.wait_for(lambda x: len(x.message_ids()) == n, 20)
            await lead.wait_for(lambda x: len(x.message_ids()) == n, 20)
            assert g.counters.slow_disconnects >= 1
            # the slow client was cut, not the others
            assert fast.client.reconnects == 0 and lead.client.reconnects == 0
        await slow.ws.close()
        # the slow agent comes back and resumes from the last seq it processed (the snapshot's 0)
        async with Recorder(g.url, "demo-a1", last_seq=0) as back:
            await back.wait_for(lambda x: len(x.message_ids()) == n, 20)
            assert back.message_ids() == [f"c1-m{i:04d}" for i in range(n)]
        await src.close()
    finally:
        await g.stop()


@pytest.mark.parametrize("count", [3])
async def test_two_connections_of_one_agent_get_the_same_stream(count):
    g = await _gateway()
    try:
        src = await Raw.open(g.url, "demo-source")
        a = await Raw.open(g.url, "demo-a1", last_seq=None)
        b = await Raw.open(g.url, "demo-a1", last_seq=None)
        await a.recv_n(2)
        await b.recv_n(2)
        await _publish(src, [opened("c1")] + [msg("c1", i) for i in range(count)])
        ea, eb = await a.recv_n(count + 1), await b.recv_n(count + 1)
        assert [(e.type, e.seq) for e in ea] == [(e.type, e.seq) for e in eb]
        for r in (a, b, src):
            await r.close()
    finally:
        await g.stop()
