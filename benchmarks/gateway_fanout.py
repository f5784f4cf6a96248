"""Gateway fan-out benchmark: N agent clients (default 1,000) on one gateway process, one chat source.

Prints delivered messages/s and p50/p99 delivery latency (source send → agent receive), for a paced run
(``--rate`` messages/s) and a saturation run (as fast as the gateway acknowledges, with ``--window``
unacknowledged messages in flight). The gateway runs in its own process with the durable SQLite replay
log (as in production); the clients and the source share this process.

    .venv/bin/python benchmarks/gateway_fanout.py                 # 1,000 clients
    .venv/bin/python benchmarks/gateway_fanout.py --clients 200 --seconds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assist_app import protocol as p  # noqa: E402
from assist_app.config import Principal  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _toml(n: int, team_size: int) -> str:
    lines = ["[gateway]", "stats_interval_s = 0.0", "queue_size = 5000", "heartbeat_s = 30.0"]
    ps = [Principal("agent", f"ag{i:04d}", f"tok-ag{i:04d}", team=f"t{i // team_size:02d}") for i in range(n)]
    ps += [Principal("lead", f"lead-t{t:02d}", f"tok-lead-t{t:02d}", team=f"t{t:02d}")
           for t in range((n + team_size - 1) // team_size)]
    ps.append(Principal("source", "src", "tok-src"))
    for pr in ps:
        section = {"agent": "agents", "lead": "leads", "source": "sources"}[pr.role]
        lines += [f"[[{section}]]", f'id = "{pr.id}"', f'token = "{pr.token}"']
        if pr.team:
            lines.append(f'team = "{pr.team}"')
    return "\n".join(lines) + "\n"


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.received = 0
        self.last_rx = 0.0
        self.contexts = 0

    def reset(self) -> None:
        self.latencies.clear()
        self.received = 0
        self.last_rx = 0.0


async def _agent(url: str, token: str, stats: Stats, ready: asyncio.Event, counter: list[int], n: int) -> None:
    async with websockets.connect(url, max_size=None, open_timeout=60, ping_interval=None) as ws:
        await ws.send(p.encode(p.Hello(token=token)))
        await ws.recv()
        await ws.send(p.encode(p.Subscribe(last_seq=None)))
        await ws.recv()   # ack
        await ws.recv()   # snapshot
        counter[0] += 1
        if counter[0] == n:
            ready.set()
        async for raw in ws:
            now = time.time()
            d = json.loads(raw)
            if d.get("type") == "context":
                stats.contexts += 1
            elif d.get("type") == "message":
                # the text starts with the source's send time
                stats.latencies.append(now - float(d["text"].split("|", 1)[0]))
                stats.received += 1
                stats.last_rx = time.perf_counter()


async def _source(url: str, n_clients: int, rate: float | None, seconds: float, count: int | None,
                  window: int, tag: str) -> tuple[int, float]:
    """Publish messages round-robin over the clients' conversations; returns (sent, elapsed)."""
    async with websockets.connect(url, max_size=None, ping_interval=None) as ws:
        await ws.send(p.encode(p.Hello(token="tok-src")))
        await ws.recv()
        inflight = asyncio.Semaphore(window)
        acked = 0
        done = asyncio.Event()
        total = [0]

        async def reader() -> None:
            nonlocal acked
            async for raw in ws:
                if '"ack"' in raw or '"error"' in raw:
                    acked += 1
                    inflight.release()
                    if acked >= total[0] and done.is_set():
                        return

        rd = asyncio.create_task(reader())
        t0 = time.perf_counter()
        i = 0
        while True:
            if count is not None and i >= count:
                break
            if count is None and time.perf_counter() - t0 >= seconds:
                break
            if rate is not None:
                wait = t0 + i / rate - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
            await inflight.acquire()
            cid = f"c{i % n_clients:04d}"
            total[0] += 1
            await ws.send(p.encode(p.Message(conversation_id=cid, message_id=f"{tag}-{i}", role="customer",
                                             text=f"{time.time()}|请问我的快递到哪里了")))
            i += 1
        done.set()
        await asyncio.wait_for(rd, 60)
        return i, t0


def _report(name: str, sent: int, stats: Stats, elapsed: float) -> None:
    lat = sorted(stats.latencies)
    if not lat:
        print(f"{name}: nothing received")
        return
    q = statistics.quantiles(lat, n=100)
    print(f"{name}: sent {sent} msgs, delivered {stats.received} in {elapsed:.2f} s -> "
          f"{stats.received / elapsed:,.0f} msgs/s delivered; latency p50 {q[49] * 1000:.1f} ms, "
          f"p99 {q[98] * 1000:.1f} ms, max {lat[-1] * 1000:.1f} ms")


async def main_async(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gw-bench-"))
    cfg = tmp / "tokens.toml"
    cfg.write_text(_toml(args.clients, args.team_size), encoding="utf-8")
    port = _free_port()
    url = f"ws://127.0.0.1:{port}"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "assist_app.gateway", "--config", str(cfg), "--db", str(tmp / "bench.sqlite"),
        "--port", str(port), "--log-level", "WARNING", stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=str(ROOT))
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    assert b"listening" in line, line
    stats = Stats()
    ready = asyncio.Event()
    counter = [0]
    t = time.perf_counter()
    agents = []
    for i in range(args.clients):
        agents.append(asyncio.create_task(_agent(url, f"tok-ag{i:04d}", stats, ready, counter, args.clients)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(ready.wait(), 120)
    print(f"{args.clients} clients connected and subscribed in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    # open one conversation per client
    async with websockets.connect(url, ping_interval=None) as ws:
        await ws.send(p.encode(p.Hello(token="tok-src")))
        await ws.recv()
        for i in range(args.clients):
            await ws.send(p.encode(p.ConversationOpened(conversation_id=f"c{i:04d}", customer_id=f"C{i}",
                                                        nick=f"tb_{i}", agent_id=f"ag{i:04d}")))
        for _ in range(args.clients):
            await ws.recv()
    # let the customer-context events of the openings (one store lookup each) go out first
    deadline = time.perf_counter() + 60
    while stats.contexts < args.clients and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    print(f"{stats.contexts} conversations opened with customer context in {time.perf_counter() - t:.1f} s")
    await asyncio.sleep(0.5)

    stats.reset()
    sent, t0 = await _source(url, args.clients, args.rate, args.seconds, None, args.window, "paced")
    await asyncio.sleep(0.5)
    _report(f"paced {args.rate:g} msg/s", sent, stats, stats.last_rx - t0)

    stats.reset()
    sent, t0 = await _source(url, args.clients, None, 0, args.burst, args.window, "burst")
    deadline = time.perf_counter() + 30
    while stats.received < sent and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    _report(f"saturation ({args.window} in flight)", sent, stats, stats.last_rx - t0)

    for a in agents:
        a.cancel()
    await asyncio.gather(*agents, return_exceptions=True)
    proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(proc.wait(), 30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--team-size", type=int, default=20)
    ap.add_argument("--rate", type=float, default=500.0, help="paced run: messages per second")
    ap.add_argument("--seconds", type=float, default=5.0, help="paced run length")
    ap.add_argument("--burst", type=int, default=5000, help="saturation run: messages")
    ap.add_argument("--window", type=int, default=200, help="unacknowledged messages in flight")
    args = ap.parse_args()
    print(f"gateway fan-out: {args.clients} agent clients, {os.cpu_count()} CPUs, python {sys.version.split()[0]}, "
          f"websockets {websockets.__version__}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
