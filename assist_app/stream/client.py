"""The resilient client of the gateway, for agent sidebars, lead windows and chat sources alike.

- ``async for ws in websockets.connect(...)`` is the reconnect loop; our own backoff generator reports
  "reconnecting in N s" through ``on_state`` before each wait.
- Resume: after every (re)connect it subscribes with the last seq it processed, so the gateway replays
  exactly what was missed (or says the gap is too old and sends a snapshot, which resets the seq).
- De-duplication: stream events at or below the last seq are dropped, and so are messages whose id was
  already delivered (a snapshot followed by the same message, a reply echoed after a retry).
- Requests (`send`) wait in an outbox until acknowledged and are re-sent in order after a reconnect; the
  gateway recognises the retry by its ids (message_id, conversation_id), so nothing is lost or doubled.
- Fatal errors (unknown token, wrong protocol version, HTTP 4xx on the handshake) end `run()` with
  `FatalStreamError`; everything else is retried.
- Heartbeats: silence for 3 gateway heartbeat intervals means a dead link: the connection is dropped and
  re-made.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI

from assist_app import protocol as p

log = logging.getLogger("assist.stream")

CONNECTED, RECONNECTING, OFFLINE = "connected", "reconnecting", "offline"


@dataclass(frozen=True)
class ConnectionState:
    """What the UI shows: connected / reconnecting (in ``retry_in_s`` seconds) / offline (stopped or fatal)."""

    status: str                       # connected | reconnecting | offline
    retry_in_s: float | None = None   # reconnecting: seconds until the next attempt
    error: str = ""                   # the last problem, human readable
    attempt: int = 0                  # consecutive failed attempts
    fatal: bool = False               # offline because of a fatal error (bad token …)


class FatalStreamError(Exception):
    """Retrying cannot help (bad token, protocol version, 4xx handshake)."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


class _Resync(Exception):
    """Internal: the stream has a hole; reconnect and resume from the last seq."""


class RequestError(Exception):
    """The gateway refused a request (the `error` event answering it)."""

    def __init__(self, error: p.Error):
        super().__init__(f"{error.code}: {error.message}")
        self.error = error
        self.code = error.code


class StreamClient:
    """``StreamClient(url, token, on_event, on_state)``; ``await run()`` until ``stop()``.

    ``on_event(event)`` gets stream events (snapshot, conversation.*, message, context, whisper,
    alert.acked), `welcome` after each (re)connect, and `error` events that answer no request. It runs on
    the client's event loop, so keep it short (Qt: emit a signal).
    ``subscribe``: False for a chat source, which only publishes.
    """

    def __init__(self, url: str, token: str, on_event: Callable[[p.Event], None] | None = None,
                 on_state: Callable[[ConnectionState], None] | None = None, *, subscribe: bool = True,
                 client_name: str = "assist_app", last_seq: int | None = None,
                 backoff_initial_s: float = 0.3, backoff_max_s: float = 10.0,
                 max_outbox: int = 10_000, max_frame_bytes: int = 64 << 20,
                 on_refused: Callable[[p.Event, BaseException], None] | None = None):
        self.url = url
        self.token = token
        self.on_event = on_event or (lambda ev: None)
        self.on_state = on_state or (lambda st: None)
        self.subscribe = subscribe
        self.client_name = client_name
        self.last_seq: int | None = last_seq
        self.welcome: p.Welcome | None = None
        self.state = ConnectionState(RECONNECTING, 0.0)
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.max_outbox = max_outbox
        self.max_frame_bytes = max_frame_bytes
        # called when a request sent with wait_ack=False is refused (nobody awaits its future)
        self.on_refused = on_refused
        self.reconnects = 0
        self._outbox: OrderedDict[str, tuple[p.Event, asyncio.Future[p.Ack]]] = OrderedDict()
        self._sendq: asyncio.Queue[p.Event] | None = None
        self._ready = False
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._ws: ClientConnection | None = None
        self._stop = asyncio.Event()
        self._run_task: asyncio.Task[Any] | None = None
        self._attempt = 0
        self._last_error = ""
        self._drop_reason = ""   # why we dropped the link ourselves (shown instead of "connection closed")
        self._last_rx = 0.0

    # ------------------------------------------------------------------ public

    @property
    def connected(self) -> bool:
        return self.state.status == CONNECTED

    async def run(self) -> None:
        """Connect, authenticate, subscribe and stream until `stop()`. Raises FatalStreamError."""
        self._run_task = asyncio.current_task()
        try:
            await self._loop()
        except asyncio.CancelledError:
            if not self._stop.is_set():
                raise
        except FatalStreamError as exc:
            self._set_state(ConnectionState(OFFLINE, None, str(exc), self._attempt, fatal=True))
            self._fail_outbox(exc)
            raise
        finally:
            self._ready = False
            if self.state.status != OFFLINE:
                self._set_state(ConnectionState(OFFLINE, None, self._last_error, self._attempt))

    def stop(self) -> None:
        """Stop streaming (safe to call from the client's loop; run() returns soon after)."""
        self._stop.set()
        if self._ws is not None:
            asyncio.ensure_future(self._ws.close(1000, "client stop"))
        if self._run_task is not None and not self._run_task.done():
            self._run_task.cancel()

    async def send(self, ev: p.Event, *, wait_ack: bool = True, timeout: float | None = None) -> p.Ack | None:
        """Send a request (reply.send, ticket.create, lead.*, or a source's events). It is queued while
        offline and re-sent after a reconnect until the gateway acknowledges it. Returns the Ack (or None
        with ``wait_ack=False``); raises RequestError if the gateway refuses it."""
        if isinstance(ev, (p.Hello, p.Subscribe)):
            raise ValueError("hello/subscribe are sent by the client itself")
        if ev.id is None:
            ev = dataclasses.replace(ev, id=uuid.uuid4().hex[:16])
        assert ev.id is not None
        if isinstance(ev, p.Ping):
            self._enqueue(ev)
            return None
        if len(self._outbox) >= self.max_outbox:
            raise RequestError(p.Error(code="outbox_full", message=f"{self.max_outbox} requests not yet acked"))
        fut: asyncio.Future[p.Ack] = asyncio.get_running_loop().create_future()
        self._outbox[ev.id] = (ev, fut)
        if self._ready:
            self._enqueue(ev)
        if not wait_ack:
            fut.add_done_callback(lambda f, ev=ev: self._unawaited_done(ev, f))
            return None
        return await asyncio.wait_for(asyncio.shield(fut), timeout)

    publish = send  # a chat source publishes conversation.opened / message / conversation.closed

    @property
    def pending(self) -> int:
        """Requests sent or queued but not yet acknowledged."""
        return len(self._outbox)

    # ------------------------------------------------------------------ loop

    def _delays(self) -> Generator[float]:
        delay = self.backoff_initial_s
        first = True
        while True:
            d = random.uniform(0, self.backoff_initial_s) if first else delay
            if not first:
                delay = min(delay * 2, self.backoff_max_s)
            first = False
            self._attempt += 1
            self._set_state(ConnectionState(RECONNECTING, round(d, 2), self._last_error, self._attempt))
            yield d

    def _process_exception(self, exc: Exception) -> Exception | None:
        self._last_error = f"{type(exc).__name__}: {exc}"[:200]
        if isinstance(exc, InvalidURI):
            return FatalStreamError(f"bad gateway URL {self.url!r}")
        if isinstance(exc, InvalidStatus) and 400 <= exc.response.status_code < 500:
            return FatalStreamError(f"gateway refused the handshake: HTTP {exc.response.status_code}")
        return None  # connection refused, timeouts, 5xx: retry

    async def _loop(self) -> None:
        try:
            connector = websockets.connect(
                self.url, open_timeout=5, ping_interval=20, ping_timeout=20, close_timeout=2,
                max_size=self.max_frame_bytes, max_queue=256, reconnect_delays=self._delays,
                process_exception=self._process_exception, logger=logging.getLogger("assist.stream.ws"))
        except InvalidURI as exc:
            raise FatalStreamError(f"bad gateway URL {self.url!r}: {exc}") from None
        # close the reconnect generator ourselves (also on cancel), so its connection is shut cleanly
        # instead of by the garbage collector at loop shutdown
        async with contextlib.aclosing(connector.__aiter__()) as connections:
            async for ws in connections:
                if self._stop.is_set():
                    await ws.close(1000, "client stop")
                    return
                started = time.monotonic()
                try:
                    await self._session(ws)
                except FatalStreamError:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(ws.close(1000, "fatal"), 2)
                    raise
                except ConnectionClosed as exc:
                    self._last_error = self._drop_reason or \
                        f"connection closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
                except _Resync as exc:
                    self._last_error = str(exc)
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(ws.close(1000, "resync"), 2)
                finally:
                    self._ready = False
                    self._ws = None
                if self._stop.is_set():
                    return
                self.reconnects += 1
                self._set_state(ConnectionState(RECONNECTING, 0.0, self._last_error, self._attempt))
                if time.monotonic() - started < 1.0:
                    # the gateway accepts and drops us at once: do not spin
                    await asyncio.sleep(min(self.backoff_max_s, self.backoff_initial_s * 2))

    async def _session(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._drop_reason = ""
        self._sendq = asyncio.Queue()
        self._last_rx = time.monotonic()
        sender = asyncio.create_task(self._sender(ws, self._sendq))
        watchdog = asyncio.create_task(self._watchdog(ws))
        try:
            await ws.send(p.encode(p.Hello(token=self.token, client=self.client_name)))
            async for raw in ws:
                self._last_rx = time.monotonic()
                try:
                    ev = p.decode(raw, max_bytes=None)
                except p.ProtocolError as exc:
                    log.warning("stream.bad_frame code=%s detail=%s", exc.code, exc.message[:120])
                    continue
                self._on_frame(ev)
        finally:
            sender.cancel()
            watchdog.cancel()
            await asyncio.gather(sender, watchdog, return_exceptions=True)

    async def _sender(self, ws: ClientConnection, q: asyncio.Queue[p.Event]) -> None:
        while True:
            ev = await q.get()
            await ws.send(p.encode(ev))

    async def _watchdog(self, ws: ClientConnection) -> None:
        while True:
            hb = self.welcome.heartbeat_s if self.welcome else 10.0
            await asyncio.sleep(min(hb / 2, 1.0))
            if time.monotonic() - self._last_rx > 3 * hb:
                self._drop_reason = f"no heartbeat for {3 * hb:g} s"
                log.warning("stream.heartbeat_timeout url=%s", self.url)
                ws.transport.abort()   # dead link: do not wait for a close handshake
                return

    def _enqueue(self, ev: p.Event) -> None:
        if self._sendq is not None:
            self._sendq.put_nowait(ev)

    # ------------------------------------------------------------------ events

    def _on_frame(self, ev: p.Event) -> None:
        if isinstance(ev, p.Welcome):
            self.welcome = ev
            self._attempt = 0
            # order matters and nothing here awaits: subscribe, then the outbox, then live sends
            if self.subscribe and ev.role in ("agent", "lead"):
                self._enqueue(p.Subscribe(last_seq=self.last_seq, id="sub-" + uuid.uuid4().hex[:8]))
            for queued, _ in self._outbox.values():
                self._enqueue(queued)
            self._ready = True
            self._set_state(ConnectionState(CONNECTED))
            self._deliver(ev)
            return
        if isinstance(ev, p.Ack):
            entry = self._outbox.pop(ev.ref, None) if ev.ref else None
            if entry is not None and not entry[1].done():
                entry[1].set_result(ev)
            return
        if isinstance(ev, p.Error):
            entry = self._outbox.pop(ev.ref, None) if ev.ref else None
            if entry is not None:
                if not entry[1].done():
                    entry[1].set_exception(RequestError(ev))
                return
            if ev.fatal:
                raise FatalStreamError(f"{ev.code}: {ev.message}", ev.code)
            self._last_error = f"{ev.code}: {ev.message}"
            self._deliver(ev)
            return
        if isinstance(ev, (p.Heartbeat, p.Pong)):
            return
        if not p.is_stream_event(ev):
            return
        if isinstance(ev, p.Snapshot):
            self.last_seq = ev.seq
            for c in ev.conversations:
                self._remember(m.message_id for m in c.messages)
            self._deliver(ev)
            return
        if ev.seq is not None:
            if self.last_seq is not None and ev.seq <= self.last_seq:
                return  # already processed (replayed twice)
            if self.last_seq is not None and ev.seq != self.last_seq + 1:
                # events went missing on this connection: drop it and resume from what we have
                log.warning("stream.seq_gap have=%s got=%s; resuming", self.last_seq, ev.seq)
                raise _Resync(f"seq gap {self.last_seq} -> {ev.seq}")
            self.last_seq = ev.seq
        if isinstance(ev, p.Message):
            if ev.message_id in self._seen:
                return
            self._remember((ev.message_id,))
        elif isinstance(ev, p.ConversationAssigned) and ev.conversation is not None:
            self._remember(m.message_id for m in ev.conversation.messages)
        self._deliver(ev)

    def _remember(self, ids: Any) -> None:
        for mid in ids:
            self._seen[mid] = None
            self._seen.move_to_end(mid)
        while len(self._seen) > 50_000:
            self._seen.popitem(last=False)

    def _deliver(self, ev: p.Event) -> None:
        try:
            self.on_event(ev)
        except Exception:  # a UI bug must not kill the stream
            log.exception("stream.on_event failed for %s", ev.type)

    def _set_state(self, st: ConnectionState) -> None:
        if st == self.state:
            return
        self.state = st
        try:
            self.on_state(st)
        except Exception:
            log.exception("stream.on_state failed")

    def _unawaited_done(self, ev: p.Event, fut: asyncio.Future[p.Ack]) -> None:
        if fut.cancelled():
            return
        exc = fut.exception()
        if exc is None:
            return
        log.warning("stream.request_refused type=%s error=%s", ev.type, exc)
        if self.on_refused is not None:
            try:
                self.on_refused(ev, exc)
            except Exception:
                log.exception("stream.on_refused failed")

    def _fail_outbox(self, exc: Exception) -> None:
        for _, fut in self._outbox.values():
            if not fut.done():
                fut.set_exception(exc)
                fut.add_done_callback(_consume)
        self._outbox.clear()


def _consume(fut: asyncio.Future[Any]) -> None:
    with contextlib.suppress(asyncio.CancelledError, Exception):
        fut.exception()
