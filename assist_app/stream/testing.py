"""Helpers for tests and benchmarks that talk to a real gateway over loopback (no mocks).

`Recorder`: a StreamClient that records every event and connection state and can wait for a condition.
`GatewayThread`: a Gateway on its own event loop in a background thread (for sync code: hypothesis,
pytest-qt).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any

from assist_app import protocol as p
from assist_app.config import GatewayConfig
from assist_app.stream.client import ConnectionState, StreamClient


class Recorder:
    def __init__(self, url: str, token: str, **kw: Any):
        self.events: list[p.Event] = []
        self.states: list[ConnectionState] = []
        self.client = StreamClient(url, token, self.events.append, self.states.append, **kw)
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Recorder:
        self.task = asyncio.create_task(self.client.run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        self.client.stop()
        if self.task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.gather(self.task, return_exceptions=True), 5)

    async def wait_for(self, pred: Callable[[Recorder], bool], timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not pred(self):
            if loop.time() > deadline:
                raise TimeoutError(f"condition not met; got {[e.type for e in self.events][-20:]}")
            await asyncio.sleep(0.01)

    async def connected(self, timeout: float = 10.0) -> Recorder:
        await self.wait_for(lambda r: r.client.connected and any(isinstance(e, p.Snapshot) for e in r.events)
                            if r.client.subscribe else r.client.connected, timeout)
        return self

    def of(self, cls: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, cls)]

    def message_ids(self) -> list[str]:
        return [e.message_id for e in self.events if isinstance(e, p.Message)]

    def conversation_ids(self) -> set[str]:
        out: set[str] = set()
        for e in self.events:
            cid = getattr(e, "conversation_id", None)
            if cid:
                out.add(cid)
            if isinstance(e, p.Snapshot):
                out |= {c.opened.conversation_id for c in e.conversations}
        return out


class GatewayThread:
    """``with GatewayThread(cfg) as gt: gt.url`` — a real gateway served from a background thread."""

    def __init__(self, config: GatewayConfig, **gateway_kw: Any):
        self.config = config
        self.gateway_kw = gateway_kw
        self.loop = asyncio.new_event_loop()
        self.gateway: Any = None
        self._thread = threading.Thread(target=self.loop.run_forever, name="gateway-thread", daemon=True)

    def __enter__(self) -> GatewayThread:
        from assist_app.gateway.server import Gateway

        self._thread.start()

        async def start() -> Any:
            gw = Gateway(self.config, **self.gateway_kw)
            await gw.start()
            return gw

        self.gateway = self.call(start())
        return self

    @property
    def url(self) -> str:
        return self.gateway.url

    def call(self, coro: Any, timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.call(self.gateway.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


def many_agents_config(n_agents: int, team_size: int = 20, **settings: Any) -> GatewayConfig:
    """Agents ag0000.. in teams of ``team_size`` with one lead each (lead-t00 ..) and one source "src";
    token = "tok-<id>". For load tests and benchmarks."""
    from assist_app.config import Principal

    principals: list[Principal] = []
    for i in range(n_agents):
        team = f"t{i // team_size:02d}"
        principals.append(Principal("agent", f"ag{i:04d}", f"tok-ag{i:04d}", team=team))
    for t in range((n_agents + team_size - 1) // team_size):
        principals.append(Principal("lead", f"lead-t{t:02d}", f"tok-lead-t{t:02d}", team=f"t{t:02d}"))
    principals.append(Principal("source", "src", "tok-src"))
    settings.setdefault("stats_interval_s", 0)
    return GatewayConfig(principals=tuple(principals), **settings)
