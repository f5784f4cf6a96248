"""The embedded demo backend: demo store + gateway + customer simulator, in a background thread with its
own asyncio loop, so a Qt UI thread (or a test) is never stalled by it.

    handle = start_demo_backend(speed=5)
    StreamClient(handle.url, handle.tokens["a1"], ...)
    handle.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist_app.config import GatewayConfig, demo_config

log = logging.getLogger("assist.demo")


@dataclass
class DemoHandle:
    url: str
    # id -> token: agents a1..a5, leads lead-outdoor / lead-home3c, source "sim"; plus aliases "lead", "source"
    tokens: dict[str, str]
    agent_ids: list[str]
    lead_ids: list[str]
    db_path: Path
    config: GatewayConfig
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _stop: Callable[[], Any] | None = field(default=None, repr=False)
    _tmp: Any = field(default=None, repr=False)
    published: list[Any] = field(default_factory=list, repr=False)   # SimEvents handed to the gateway so far
    gateway: Any = field(default=None, repr=False)                   # the Gateway (counters, for tests)

    @property
    def lead_token(self) -> str:
        """Token of the first team lead (team "outdoor")."""
        return self.tokens[self.lead_ids[0]]

    @property
    def source_token(self) -> str:
        return self.tokens["sim"]

    def run_coro(self, coro: Any, timeout: float | None = 10.0) -> Any:
        """Run a coroutine on the backend's loop (e.g. to inspect the gateway from a test)."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop simulator and gateway gracefully and join the thread. Safe to call twice."""
        if self._loop is not None and self._stop is not None and self._loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def start_demo_backend(db_path: Path | None = None, speed: float = 1.0, port: int = 0, seed: int = 7,
                       *, conversations: int = 40, rounds: int | None = None, auto_agent: bool = False,
                       host: str = "127.0.0.1", max_gap_s: float | None = None,
                       simulate: bool = True, timeout: float = 60.0) -> DemoHandle:
    """Start store (filled with the 拓路者 demo shop), gateway and simulator; return once the gateway
    listens. ``speed``: simulator speed-up; ``conversations``: per simulator round; ``rounds``: None =
    keep playing new rounds until stopped; ``db_path`` None = a temporary file removed on stop()."""
    tmp = None
    if db_path is None:
        tmp = tempfile.TemporaryDirectory(prefix="assist-demo-")
        db_path = Path(tmp.name) / "demo.sqlite"
    db_path = Path(db_path)
    cfg = demo_config(port=port, host=host, stats_interval_s=0)
    tokens = cfg.tokens()
    # role aliases (contract: "role/id -> token"): the first team lead and the simulator source
    tokens.update(lead=tokens[cfg.leads()[0].id], source=tokens["sim"])
    handle = DemoHandle(url="", tokens=tokens, agent_ids=[a.id for a in cfg.agents()],
                        lead_ids=[ld.id for ld in cfg.leads()], db_path=db_path, config=cfg, _tmp=tmp)
    ready = threading.Event()
    failure: list[BaseException] = []

    def main() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        handle._loop = loop
        try:
            loop.run_until_complete(_serve(handle, cfg, db_path, speed, seed, conversations, rounds, auto_agent,
                                           max_gap_s, simulate, ready, failure))
        except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
            failure.append(exc)
            ready.set()
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    t = threading.Thread(target=main, name="assist-demo-backend", daemon=True)
    handle._thread = t
    t.start()
    if not ready.wait(timeout):
        raise RuntimeError("demo backend did not start in time")
    if failure:
        if tmp is not None:
            tmp.cleanup()
        raise RuntimeError(f"demo backend failed to start: {failure[0]!r}") from failure[0]
    return handle


async def _serve(handle: DemoHandle, cfg: GatewayConfig, db_path: Path, speed: float, seed: int,
                 conversations: int, rounds: int | None, auto_agent: bool, max_gap_s: float | None,
                 simulate: bool, ready: threading.Event, failure: list[BaseException]) -> None:
    from assist_app.gateway.server import Gateway, state_path_for
    from assist_app.sim import Simulator
    from assist_app.sim.runner import SimRunner
    from assist_app.store import Store

    store = await asyncio.to_thread(Store.demo, db_path, seed)
    gw = Gateway(cfg, store=store, state_path=state_path_for(db_path))
    await gw.start()
    handle.url = gw.url
    runner: SimRunner | None = None
    run_task: asyncio.Task[None] | None = None
    if simulate:
        sim_agents = tuple(a.id for a in cfg.agents())
        # ids unique per start, so a reused db file (whose gateway log remembers old ids) shows new chats
        run_id = f"{int(time.time()) % 1_000_000:06d}"

        def plan(rnd: int) -> list[Any]:
            sim = Simulator(store, seed=seed + rnd, agents=sim_agents, auto_agent=auto_agent,
                            id_prefix=f"demo{run_id}r{rnd}")
            return sim.plan(conversations)

        runner = SimRunner(gw.url, cfg.tokens()["sim"], plan, speed=speed, rounds=rounds,
                           on_published=handle.published.append, max_gap_s=max_gap_s)
        run_task = asyncio.create_task(runner.run())
    stopped = asyncio.Event()

    async def stop() -> None:
        if runner is not None:
            runner.stop()
        if run_task is not None:
            run_task.cancel()
            await asyncio.gather(run_task, return_exceptions=True)
        await gw.stop()
        await asyncio.to_thread(store.close)
        stopped.set()

    handle._stop = stop
    handle.gateway = gw
    ready.set()
    await stopped.wait()
