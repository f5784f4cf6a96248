"""The gateway *process* is killed (SIGKILL) mid-stream and restarted: agents and leads end up with every
message exactly once, in order, with consecutive seqs; the replay log on disk holds no duplicates."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import websockets

from assist_app import protocol as p
from assist_app.config import example_toml
from assist_app.stream.testing import Recorder

N = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _start(cfg: Path, db: Path, port: int) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "assist_app.gateway", "--config", str(cfg), "--db", str(db), "--port", str(port),
        "--log-level", "WARNING", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    assert b"listening" in line, line
    return proc


def _stream_seqs(rec: Recorder) -> list[int]:
    return [e.seq for e in rec.events if p.is_stream_event(e) and not isinstance(e, p.Snapshot)]


async def test_kill_and_restart_mid_stream_loses_and_duplicates_nothing(tmp_path):
    cfg = tmp_path / "tokens.toml"
    cfg.write_text(example_toml(), encoding="utf-8")
    db = tmp_path / "shop.sqlite"
    port = _free_port()
    url = f"ws://127.0.0.1:{port}"
    proc = await _start(cfg, db, port)
    fast = {"backoff_initial_s": 0.05, "backoff_max_s": 0.3}
    try:
        async with Recorder(url, "demo-source", subscribe=False, **fast) as src, \
                Recorder(url, "demo-a1", **fast) as a1, Recorder(url, "demo-lead-outdoor", **fast) as lead:
            await a1.connected()
            await lead.connected()
            await src.client.send(p.ConversationOpened(conversation_id="c1", customer_id="C0001", nick="tb_x",
                                                       agent_id="a1"))
            expected = [f"c1-m{i:04d}" for i in range(N)]
            for i in range(N):
                await src.client.send(p.Message(conversation_id="c1", message_id=expected[i], role="customer",
                                                text=f"第{i}条 我的订单怎么还没发货"), wait_ack=False)
                await asyncio.sleep(0.002)
                if i == N // 3:
                    await a1.wait_for(lambda x: len(x.message_ids()) > 20)
                    proc.send_signal(signal.SIGKILL)     # no goodbye, no flush: a crash
                    await proc.wait()
                    await asyncio.sleep(0.3)             # clients notice and back off
                    proc = await _start(cfg, db, port)   # same port, same files
            await a1.wait_for(lambda x: len(x.message_ids()) >= N, 30)
            await lead.wait_for(lambda x: len(x.message_ids()) >= N, 30)
            await src.wait_for(lambda x: x.client.pending == 0, 30)
            await asyncio.sleep(0.2)
            assert a1.message_ids() == expected
            assert lead.message_ids() == expected
            for rec in (a1, lead):
                assert rec.client.reconnects >= 1
                assert _stream_seqs(rec) == list(range(1, len(_stream_seqs(rec)) + 1))

        # the restarted gateway's log replays each message exactly once
        async with websockets.connect(url, max_size=None) as ws:
            await ws.send(p.encode(p.Hello(token="demo-a1")))
            await ws.recv()
            await ws.send(p.encode(p.Subscribe(last_seq=0)))
            ack = p.decode(await ws.recv(), max_bytes=None)
            assert isinstance(ack, p.Ack) and ack.resumed
            replay: list[p.Event] = []
            while len(replay) < (ack.head_seq or 0):
                ev = p.decode(await asyncio.wait_for(ws.recv(), 10), max_bytes=None)
                if p.is_stream_event(ev):
                    replay.append(ev)
            ids = [e.message_id for e in replay if isinstance(e, p.Message)]
            assert ids == expected
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)     # graceful path: exits 0
            assert await asyncio.wait_for(proc.wait(), 15) == 0
