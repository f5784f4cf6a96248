"""Plays the simulator's planned events into the gateway, through the same source interface (a source
token and `StreamClient(subscribe=False)`) that a real Taobao/JD platform adapter would use.

Timing: event ``at_s`` / ``speed`` seconds after the start (speed 10 = ten times faster than life).
Publishing waits for nothing but the clock: acks are collected in the background and the client's
outbox re-sends anything unacknowledged after a gateway restart (the gateway drops the duplicates).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from assist_app import protocol as p
from assist_app.sim.planner import SimEvent
from assist_app.stream.client import ConnectionState, StreamClient

log = logging.getLogger("assist.sim")

Plan = Sequence[SimEvent] | Callable[[int], Sequence[SimEvent]]


def to_protocol(ev: SimEvent, now: datetime | None = None) -> p.Event:
    """One planned event as the protocol event a chat source publishes."""
    ts = now or datetime.now(UTC)
    if ev.kind == "open":
        return p.ConversationOpened(conversation_id=ev.conversation_id, customer_id=ev.customer_id, nick=ev.nick,
                                    channel=ev.channel, shop=ev.shop, agent_id=ev.agent_id, opened_at=ts)
    if ev.kind == "message":
        return p.Message(conversation_id=ev.conversation_id, message_id=ev.message_id, role=ev.role or "customer",
                         text=ev.text, ts=ts)
    if ev.kind == "close":
        return p.ConversationClosed(conversation_id=ev.conversation_id, closed_at=ts, reason="customer_left")
    raise ValueError(f"unknown simulator event kind {ev.kind!r}")


class SimRunner:
    """``SimRunner(url, source_token, plan, speed=1.0, rounds=1)``; ``await run()``; ``stop()``.

    ``plan``: the events, or ``f(round) -> events`` to keep the demo going for ``rounds`` rounds
    (None = until stopped); each round must use fresh conversation ids.
    ``on_published(event)`` is called after each event is handed to the client (for tests and the demo).
    """

    def __init__(self, url: str, token: str, plan: Plan, speed: float = 1.0, rounds: int | None = 1,
                 on_published: Callable[[SimEvent], None] | None = None,
                 on_state: Callable[[ConnectionState], None] | None = None, max_gap_s: float | None = None):
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self.plan = plan
        self.speed = speed
        self.rounds = rounds
        self.max_gap_s = max_gap_s
        self.on_published = on_published or (lambda ev: None)
        self.client = StreamClient(url, token, subscribe=False, client_name="assist-sim", on_state=on_state,
                                   on_refused=self._refused)
        self.published = 0
        self.refused = 0   # events the gateway refused (logged)
        self._client_task: asyncio.Task[None] | None = None

    def _events(self, rnd: int) -> Sequence[SimEvent]:
        return self.plan(rnd) if callable(self.plan) else self.plan

    async def run(self) -> None:
        self._client_task = asyncio.create_task(self.client.run())
        try:
            rnd = 0
            while self.rounds is None or rnd < self.rounds:
                await self._play(self._events(rnd))
                rnd += 1
            await self.drain()
        finally:
            self.client.stop()
            await asyncio.gather(self._client_task, return_exceptions=True)

    async def _play(self, events: Sequence[SimEvent]) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        offset = 0.0   # time skipped by max_gap_s (long silences shortened for demos)
        prev_at = 0.0
        for ev in events:
            if self.max_gap_s is not None and ev.at_s - prev_at > self.max_gap_s * self.speed:
                offset += ev.at_s - prev_at - self.max_gap_s * self.speed
            prev_at = ev.at_s
            delay = start + (ev.at_s - offset) / self.speed - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.client.send(to_protocol(ev), wait_ack=False)
            self.published += 1
            self.on_published(ev)

    def _refused(self, ev: p.Event, exc: BaseException) -> None:
        self.refused += 1
        log.warning("sim.refused type=%s error=%s", ev.type, exc)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until the gateway acknowledged everything published (or the timeout)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.client.pending and loop.time() < deadline:
            await asyncio.sleep(0.05)

    def stop(self) -> None:
        self.client.stop()
