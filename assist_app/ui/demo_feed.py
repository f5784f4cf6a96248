"""The sidebar's embedded demo: H1's demo backend (store + gateway) with the simulated customers routed to
the one agent this sidebar signs in as, so the agent sees several live chats at once.

The simulator runs on its own thread and asyncio loop (never the Qt UI thread) and publishes through the
gateway's source interface like a real platform adapter.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from pathlib import Path
from typing import Any

from assist_app.demo import DemoHandle, start_demo_backend


class AgentDemoFeed(threading.Thread):
    def __init__(self, handle: DemoHandle, agent_id: str, speed: float, seed: int = 7, conversations: int = 40,
                 auto_agent: bool = False, max_gap_s: float | None = None):
        super().__init__(daemon=True, name="assist-demo-feed")
        self.handle, self.agent_id, self.speed, self.seed = handle, agent_id, speed, seed
        self.conversations, self.auto_agent, self.max_gap_s = conversations, auto_agent, max_gap_s
        self.published: list[Any] = []
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: Any = None
        self._task: asyncio.Task | None = None
        self._started = threading.Event()

    def run(self) -> None:
        from assist_app.sim import Simulator
        from assist_app.sim.runner import SimRunner
        from assist_app.store import Store

        loop = asyncio.new_event_loop()
        self._loop = loop
        store = None
        try:
            store = Store(self.handle.db_path)
            run_id = f"{int(time.time() * 1000) % 100_000_000:08d}"

            def plan(rnd: int):
                sim = Simulator(store, seed=self.seed + rnd, agents=(self.agent_id,), auto_agent=self.auto_agent,
                                id_prefix=f"ui{run_id}r{rnd}")
                return sim.plan(self.conversations)

            self._runner = SimRunner(self.handle.url, self.handle.source_token, plan, speed=self.speed,
                                     rounds=None, on_published=self.published.append, max_gap_s=self.max_gap_s)
            self._task = loop.create_task(self._runner.run())
            self._started.set()
            loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # noqa: BLE001 - reported through .error
            self.error = exc
        finally:
            self._started.set()
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            if store is not None:
                store.close()

    def stop(self, timeout: float = 5.0) -> None:
        self._started.wait(timeout)
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            # cancel the play loop itself (it may be sleeping until the next scripted event)
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)
        self.join(timeout)


class AgentDemo:
    """`AgentDemo.start(agent, speed)`: backend + feed; `.url`, `.token`, `.stop()`."""

    def __init__(self, handle: DemoHandle, feed: AgentDemoFeed | None, agent_id: str):
        self.handle, self.feed, self.agent_id = handle, feed, agent_id

    @property
    def url(self) -> str:
        return self.handle.url

    @property
    def token(self) -> str:
        return self.handle.tokens[self.agent_id]

    @classmethod
    def start(cls, agent_id: str | None = None, speed: float = 1.0, db_path: Path | None = None,
              simulate: bool = True, seed: int = 7) -> AgentDemo:
        handle = start_demo_backend(db_path=db_path, speed=speed, seed=seed, simulate=False)
        agent = agent_id or handle.agent_ids[0]
        if agent not in handle.agent_ids:
            handle.stop()
            raise ValueError(f"unknown demo agent {agent!r}; choose one of {handle.agent_ids}")
        feed = None
        if simulate:
            feed = AgentDemoFeed(handle, agent, speed, seed=seed)
            feed.start()
        return cls(handle, feed, agent)

    def stop(self) -> None:
        if self.feed is not None:
            self.feed.stop()
        self.handle.stop()
