"""Sidebar under load: N concurrent conversations, one customer message per second each, for M minutes of
simulated time (the clock is accelerated by --speed), through the real gateway + stream client + classifier +
engine + Qt widgets (offscreen unless a DISPLAY is set).

Prints: p50/p99/max time from message received (stream client hands it to the session) to its suggestions
painted (the sidebar repainted with that message's analysis, synchronously, so pixels are in the backing
store), UI-thread stall max (a 5 ms QTimer's lateness), RSS at start / end and its trend.
Goals (issue 5): p99 <= 50 ms, no stall > 50 ms, RSS <= 300 MB and flat.

    .venv/bin/python benchmarks/sidebar.py                      # 10 chats x 1 msg/s x 10 min, speed 5
    .venv/bin/python benchmarks/sidebar.py --minutes 1 --speed 1   # a one-minute smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assist_app.ui import runtime  # noqa: E402

TEXTS = [
    "在吗？", "我的冲锋衣什么时候发货啊", "快递到哪了，三天了还没动", "这个登山鞋42码偏大吗",
    "有没有优惠券可以用", "买贵了，能补差价吗", "衣服开胶了，质量太差了吧", "我要退货，怎么操作",
    "退款什么时候到账", "你们再不处理我就投诉了！！", "好的谢谢", "能开发票吗，要专票",
    "空气炸锅怎么用，说明书看不懂", "可以改一下收货地址吗", "帮我取消订单吧", "88VIP有什么优惠",
    "什么破服务，找你们领导来", "嗯嗯", "耳机左边没声音", "今天能发吗，着急用",
]


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, round(q / 100 * (len(xs) - 1))))
    return xs[k]


class Publisher:
    """A chat source on its own thread + loop: opens N conversations for the agent, then one customer
    message per conversation per simulated second (staggered), through the gateway's source interface."""

    def __init__(self, url: str, token: str, agent_id: str, customers: list[tuple[str, str]], n: int,
                 minutes: float, speed: float):
        self.url, self.token, self.agent_id = url, token, agent_id
        self.customers, self.n, self.minutes, self.speed = customers, n, minutes, speed
        self.sent = 0
        self.errors: list[str] = []

    def run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception as exc:  # noqa: BLE001
            self.errors.append(repr(exc))

    async def _main(self) -> None:
        import websockets

        from assist_app import protocol as P

        async with websockets.connect(self.url, max_size=1 << 20) as ws:
            await ws.send(P.encode(P.Hello(token=self.token, client="bench-source")))

            async def drain() -> None:
                async for frame in ws:
                    ev = P.decode(frame)
                    if isinstance(ev, P.Error):
                        self.errors.append(f"{ev.code}: {ev.message}")

            reader = asyncio.create_task(drain())
            run_id = f"{int(time.time())}"
            convs = [f"bench-{run_id}-{i}" for i in range(self.n)]
            for i, cid in enumerate(convs):
                cust, nick = self.customers[i % len(self.customers)]
                await ws.send(P.encode(P.ConversationOpened(conversation_id=cid, customer_id=cust, nick=nick,
                                                            agent_id=self.agent_id, shop="拓路者官方旗舰店")))
            tick = 1.0 / self.speed           # one simulated second
            total_ticks = int(self.minutes * 60)
            t0 = time.perf_counter()
            k = 0
            for s in range(total_ticks):
                for i, cid in enumerate(convs):
                    target = t0 + (s + i / self.n) * tick   # staggered within the second
                    delay = target - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    text = TEXTS[(k * 7 + i) % len(TEXTS)]
                    k += 1
                    await ws.send(P.encode(P.Message(conversation_id=cid, message_id=f"{cid}-m{s}",
                                                     role="customer", text=text)))
                    self.sent += 1
            await asyncio.sleep(0.5)
            for cid in convs:
                await ws.send(P.encode(P.ConversationClosed(conversation_id=cid)))
            await asyncio.sleep(0.2)
            reader.cancel()


class StallWatchdog:
    """A thread that samples the UI thread's Python stack whenever the 5 ms probe is more than 30 ms late, so
    a stall can be attributed (our code vs. waiting for the GIL vs. Qt). It only reads, every 2 ms."""

    def __init__(self, last: list[float], late_ms: float = 30.0):
        import collections
        import threading

        self.last, self.late = last, late_ms / 1000
        self.main = threading.main_thread().ident
        self.stacks: collections.Counter[str] = collections.Counter()
        self.other: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, name="stall-watchdog", daemon=True)
        self._t.start()

    def _run(self) -> None:
        import traceback

        seen = 0.0
        while not self._stop.wait(0.002):
            beat = self.last[0]
            if time.perf_counter() - beat > self.late and beat != seen:
                seen = beat   # one sample per stall
                frames = sys._current_frames()
                f = frames.get(self.main)
                self.stacks[" <- ".join(f"{Path(x.filename).name}:{x.lineno} {x.name}" for x in
                                         reversed(traceback.extract_stack(f)[-6:])) if f else "?"] += 1
                for tid, fr in frames.items():   # what the other Python threads were running meanwhile
                    if tid not in (self.main, self._t.ident) and fr is not None:
                        top = traceback.extract_stack(fr)[-1]
                        self.other[f"{Path(top.filename).name}:{top.lineno} {top.name}"] += 1

    def stop(self) -> None:
        self._stop.set()
        self._t.join()

    def report(self) -> None:
        print(f"  stalls > {self.late * 1000:.0f} ms, UI thread stack when sampled:")
        for st, n in self.stacks.most_common(8):
            print(f"    {n:4d}  {st}")
        print("  other threads at those moments:")
        for st, n in self.other.most_common(8):
            print(f"    {n:4d}  {st}")


async def bench(args) -> int:
    import psutil
    from PySide6.QtCore import QTimer

    from assist_app.demo import start_demo_backend
    from assist_app.store import Store
    from assist_app.ui.agent import start_agent

    proc = psutil.Process(os.getpid())
    loop = asyncio.get_running_loop()
    tmp = Path(tempfile.mkdtemp(prefix="sidebar-bench-"))
    demo = await loop.run_in_executor(None, lambda: start_demo_backend(db_path=tmp / "demo.db", simulate=False))
    agent = demo.agent_ids[-1]
    app = await start_agent(demo.url, demo.tokens[agent], with_chat=True, demo=demo, agent_id=agent)
    app.window.resize(420, 1000)
    app.chat.resize(540, 1000)
    app.window.show()
    app.chat.show()
    if app.session.classifier_error:
        print(f"classifier unavailable: {app.session.classifier_error}")
    latencies: list[float] = []
    # how long the UI thread spends in our two paint entry points (list + detail, and the detail alone)
    handler_ms: dict[str, list[float]] = {"flush": [], "switch or update detail": [], "  sidebar detail": [],
                                          "  chat transcript": []}

    def timed(fn, name: str):
        def wrapper(*a):
            t = time.perf_counter()
            try:
                return fn(*a)
            finally:
                handler_ms[name].append((time.perf_counter() - t) * 1000)
        return wrapper

    app.controller.flush = timed(app.controller.flush, "flush")
    app.controller._show_current = timed(app.controller._show_current, "switch or update detail")
    app.window.show_detail = timed(app.window.show_detail, "  sidebar detail")
    app.chat.show_conversation = timed(app.chat.show_conversation, "  chat transcript")
    app.controller.painted.connect(lambda _ids, lat: latencies.extend(lat))
    # chat switch (click) → the new chat's detail painted
    switch_t0 = [0.0]
    switch_ms: list[float] = []

    def on_frame() -> None:
        if switch_t0[0]:
            switch_ms.append((time.perf_counter() - switch_t0[0]) * 1000)
            switch_t0[0] = 0.0

    app.window.frame_painted.connect(on_frame)
    # UI-thread stall probe
    # constant memory (a list of 120k floats would itself show up as RSS creep): count, max, count over 50 ms
    stalls = {"n": 0, "max": 0.0, "over50": 0}
    last = [time.perf_counter()]
    probe = QTimer()
    probe.setInterval(5)

    def on_probe() -> None:
        now = time.perf_counter()
        late = (now - last[0]) * 1000 - 5
        stalls["n"] += 1
        stalls["max"] = max(stalls["max"], late)
        stalls["over50"] += late > 50
        last[0] = now

    probe.timeout.connect(on_probe)
    watchdog = StallWatchdog(last) if args.why else None
    # attribute stalls: how long the cyclic GC held the interpreter
    import gc

    gc_pauses: list[float] = []
    gc_t0 = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_t0[0] = time.perf_counter()
        else:
            gc_pauses.append((time.perf_counter() - gc_t0[0]) * 1000)

    gc.callbacks.append(on_gc)
    await asyncio.sleep(1.0)
    if args.trace_memory:
        import tracemalloc

        tracemalloc.start(8)
        snap0 = tracemalloc.take_snapshot()
    rss_start = proc.memory_info().rss / 2**20
    def load_customers() -> list[tuple[str, str]]:
        store = Store(demo.db_path)
        try:   # customers with orders, so the sidebar has order panels and prices to paint
            return [(c.customer_id, c.nick) for c in store.customers() if store.orders_of(c.customer_id)]
        finally:
            store.close()

    customers = (await loop.run_in_executor(None, load_customers))[:args.chats]
    spec = json.dumps({"url": demo.url, "token": demo.source_token, "agent": agent, "customers": customers,
                       "n": args.chats, "minutes": args.minutes, "speed": args.speed})
    # the chat source is another system: run it in its own process so its work does not share our GIL
    pub = await asyncio.create_subprocess_exec(sys.executable, __file__, "--publisher", spec,
                                               stdout=asyncio.subprocess.PIPE)
    last[0] = time.perf_counter()
    probe.start()
    rss_trace = []
    t_start = time.perf_counter()
    rotate = 10.0 / args.speed
    next_rotate = t_start + rotate
    sel = 0
    while pub.returncode is None:
        await asyncio.sleep(0.05)
        now = time.perf_counter()
        if now >= next_rotate:   # the agent moves to another chat every 10 simulated seconds
            ids = app.window.list.model_.ids()
            if ids:
                sel = (sel + 1) % len(ids)
                switch_t0[0] = time.perf_counter() if len(ids) > 1 else 0.0   # one row: no switch to time
                app.window.list.select_row(sel)
            next_rotate = now + rotate
            rss_trace.append(proc.memory_info().rss / 2**20)
    pub_out = json.loads((await pub.stdout.read()).decode() or "{}")
    await asyncio.sleep(1.0)
    probe.stop()
    if watchdog is not None:
        watchdog.stop()
    rss_end = proc.memory_info().rss / 2**20
    if args.trace_memory:
        top = tracemalloc.take_snapshot().compare_to(snap0, "filename")[:12]
        print("  python allocations grown during the run (tracemalloc, by file):")
        for st in top:
            print(f"    {st.size_diff / 1024:8.0f} KiB  {st.traceback[0].filename.split('site-packages/')[-1]}")
    wall = time.perf_counter() - t_start
    await app.close()
    demo.stop()
    lat = latencies
    print(f"sidebar benchmark: {args.chats} chats x 1 msg/s x {args.minutes:g} min simulated "
          f"(speed x{args.speed:g}: {args.chats * args.speed:g} msg/s real, {wall:.1f} s wall)")
    print(f"  messages sent {pub_out.get('sent')}, analysed+painted {len(lat)}"
          + (f", publisher errors {pub_out['errors'][:3]}" if pub_out.get("errors") else ""))
    if lat:
        print(f"  received -> suggestions painted: p50 {statistics.median(lat):.1f} ms, "
              f"p99 {percentile(lat, 99):.1f} ms, max {max(lat):.1f} ms")
    print(f"  UI-thread stall: max {stalls['max']:.1f} ms, >50 ms: {stalls['over50']} of {stalls['n']} probes")
    if switch_ms:
        print(f"  chat switch -> painted: n {len(switch_ms)}, p50 {statistics.median(switch_ms):.1f} ms, "
              f"p99 {percentile(switch_ms, 99):.1f} ms, max {max(switch_ms):.1f} ms")
    for name, xs in handler_ms.items():
        if xs:
            print(f"  UI handler {name}: n {len(xs)}, p50 {statistics.median(xs):.1f} ms, "
                  f"p99 {percentile(xs, 99):.1f} ms, max {max(xs):.1f} ms")
    print(f"  GC pauses (all threads): {len(gc_pauses)}, max {max(gc_pauses, default=0):.1f} ms, "
          f">20 ms: {sum(p > 20 for p in gc_pauses)}")
    print(f"  RSS: start {rss_start:.0f} MB, end {rss_end:.0f} MB, max {max(rss_trace + [rss_end]):.0f} MB")
    if len(rss_trace) >= 4:
        q = len(rss_trace) // 4
        quarters = [statistics.mean(rss_trace[i * q:(i + 1) * q]) for i in range(4)]
        print("  RSS by quarter of the run: " + " / ".join(f"{m:.0f}" for m in quarters) + " MB")
    if watchdog is not None:
        watchdog.report()
    if len(lat) >= 4:
        q = len(lat) // 4
        print("  p99 by quarter of the run: " + " / ".join(
            f"{percentile(lat[i * q:(i + 1) * q], 99):.0f}" for i in range(4)) + " ms")
    return 0


def publisher_main(spec: str) -> int:
    a = json.loads(spec)
    pub = Publisher(a["url"], a["token"], a["agent"], [tuple(c) for c in a["customers"]], a["n"], a["minutes"],
                    a["speed"])
    pub.run()
    print(json.dumps({"sent": pub.sent, "errors": pub.errors}))
    return 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--publisher":
        return publisher_main(sys.argv[2])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chats", type=int, default=10)
    ap.add_argument("--minutes", type=float, default=10.0, help="simulated minutes")
    ap.add_argument("--speed", type=float, default=5.0,
                    help="clock acceleration (5: the 10 simulated minutes take 2; messages arrive 5x as fast)")
    ap.add_argument("--why", action="store_true",
                    help="name what the UI thread was doing (its Python stack) whenever it stalls > 30 ms")
    ap.add_argument("--trace-memory", action="store_true", help="also list where Python memory grew")
    args = ap.parse_args()
    return runtime.run(lambda: bench(args))


if __name__ == "__main__":
    sys.exit(main())
