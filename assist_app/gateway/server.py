"""The gateway: a websockets server that authenticates agents, team leads and chat sources, routes each
conversation's events to exactly the subscriptions allowed to see them, numbers them per subscription,
logs them for resume, and persists the business record through the Store.

Concurrency model (why it is safe without locks): everything that touches routing state runs on the
event-loop thread and never awaits in the middle. An incoming event is validated, applied to the `Book`
and given its seqs at once; a flush step (same thread, batched per loop turn) writes the batch to the
`StreamLog` and only then hands the frames to the per-client queues, so a client never holds a seq the
log does not. `subscribe` flushes first, so the head seq, the snapshot and the replay are one consistent
cut. Slow things run elsewhere: socket writes in one writer task per client (a stuck client only fills
its own bounded queue and is then disconnected to resume later), Store calls on one worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from assist_app import protocol as p
from assist_app.config import GatewayConfig, Principal
from assist_app.gateway.book import Book, Conv
from assist_app.gateway.log import ConvRow, LogEntry, MemoryStreamLog, MsgRow, SqliteStreamLog, StreamLog
from assist_app.gateway.logs import emit
from assist_app.privacy import mask_text

INFO, WARN, ERR = logging.INFO, logging.WARNING, logging.ERROR


class GatewayError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Counters:
    connections_total: int = 0
    connections_open: int = 0
    frames_in: int = 0
    events_in: int = 0
    events_out: int = 0
    errors: int = 0
    slow_disconnects: int = 0
    replayed: int = 0
    snapshots: int = 0
    store_errors: int = 0
    errors_by_code: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Session:
    _ids = itertools.count(1)

    def __init__(self, ws: ServerConnection):
        self.id = next(self._ids)
        self.ws = ws
        self.principal: Principal | None = None
        self.subscribed = False
        self.closing = False
        self.out: deque[str] = deque()
        self.wake = asyncio.Event()
        self.peer = _peer(ws)

    @property
    def sub(self) -> str | None:
        p_ = self.principal
        return p_.id if p_ is not None and p_.role in ("agent", "lead") else None


@dataclass
class _Pending:
    entries: list[LogEntry] = field(default_factory=list)
    convs: list[ConvRow] = field(default_factory=list)
    msgs: list[MsgRow] = field(default_factory=list)
    acks: list[tuple[Session, p.Event]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.entries or self.convs or self.msgs or self.acks)


def state_path_for(db_path: str | Path) -> Path:
    """The replay-log sidecar of a store file: ``shop.sqlite`` → ``shop.sqlite.gateway``."""
    return Path(str(db_path) + ".gateway")


class Gateway:
    """``Gateway(config, store=None, log=None)``; ``await start()``; ``url``; ``await stop()``.

    ``store``: an `assist_app.store.Store` (or None: no persistence of the business record, no context).
    ``log``: the StreamLog (default: in memory; pass `SqliteStreamLog` or use ``state_path`` to survive
    restarts).
    """

    def __init__(self, config: GatewayConfig, store: Any = None, log: StreamLog | None = None,
                 state_path: str | Path | None = None, now: Callable[[], datetime] | None = None):
        self.cfg = config
        self.store = store
        if log is None:
            log = (SqliteStreamLog(state_path, config.replay_size, config.snapshot_messages) if state_path
                   else MemoryStreamLog(config.replay_size, config.snapshot_messages))
        self.log = log
        self.now = now or (lambda: datetime.now(UTC))
        self.counters = Counters()
        self.book = Book(config.snapshot_messages)
        # recently closed conversations (id -> (owner, team)); older ones are looked up in the log
        self._closed_convs: OrderedDict[str, tuple[str, str]] = OrderedDict()
        # message ids of the open conversations (fast de-dup); older ones are looked up in the log
        self._seen_msgs: set[str] = set()
        self._tickets_by_ref: dict[tuple[str, str], asyncio.Future[str]] = {}
        self.heads: dict[str, int] = {}       # delivered (= committed) seq per subscription
        self._assigned: dict[str, int] = {}   # handed out, maybe not yet committed
        self._subs: dict[str, set[Session]] = {}
        self._sessions: set[Session] = set()
        self._pending = _Pending()
        self._flush_wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._bg: set[asyncio.Task[Any]] = set()
        self._store_q: asyncio.Queue[Callable[[], Any]] | None = None
        # two store threads: the write-behind of messages must never delay a context lookup or a ticket
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gateway-store")
        self._writer_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gateway-store-write")
        self._server: Server | None = None
        self._stopping = False
        self._stopped: asyncio.Event | None = None
        self.port: int = config.port
        self._load()

    # ------------------------------------------------------------------ lifecycle

    def _load(self) -> None:
        st = self.log.load()
        self.heads.update(st.heads)
        self._assigned.update(st.heads)
        for row in st.conversations:
            self.book.restore(row.opened, row.team, row.context, st.messages.get(row.conversation_id, []))
        for c in self.book.convs.values():
            self._seen_msgs.update(m.message_id for m in c.messages)
        for cid, owner, team in reversed(self.log.closed_conversations()):
            self._closed_convs[cid] = (owner, team)
        if st.heads or st.conversations:
            emit(INFO, "gateway.restored", subscriptions=len(st.heads), open_conversations=len(st.conversations))

    @property
    def url(self) -> str:
        host = self.cfg.host if self.cfg.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        return f"ws://{host}:{self.port}"

    async def start(self) -> None:
        self._flush_wake = asyncio.Event()
        self._stopped = asyncio.Event()
        self._store_q = asyncio.Queue()
        self._server = await serve(
            self._handle, self.cfg.host, self.cfg.port,
            max_size=self.cfg.transport_max_bytes, max_queue=64,
            ping_interval=20, ping_timeout=20, close_timeout=2,
            # keep the library quiet on handshake noise; we log what matters ourselves
            logger=logging.getLogger("assist.gateway.ws"),
        )
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]
        self._tasks = [asyncio.create_task(self._flusher(), name="gateway-flush"),
                       asyncio.create_task(self._heartbeats(), name="gateway-heartbeat"),
                       asyncio.create_task(self._store_worker(), name="gateway-store")]
        if self.cfg.stats_interval_s > 0:
            self._tasks.append(asyncio.create_task(self._stats(), name="gateway-stats"))
        emit(INFO, "gateway.started", url=self.url, principals=len(self.cfg.principals))

    async def serve_forever(self) -> None:
        assert self._stopped is not None, "call start() first"
        await self._stopped.wait()

    async def stop(self, grace_s: float = 2.0) -> None:
        """Graceful: stop accepting, tell every client, flush the log, drain queues and the store."""
        if self._stopping:
            return
        self._stopping = True
        if self._server is not None:
            self._server.close(close_connections=False)
        self._flush_now()
        for s in list(self._sessions):
            self._control(s, p.Error(code=p.E_SHUTDOWN, message="gateway shutting down; reconnect later"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        while any(s.out for s in self._sessions) and loop.time() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.gather(*(self._close(s, 1001, "gateway shutting down") for s in list(self._sessions)),
                             return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), grace_s)
        if self._store_q is not None:
            # the business record must not be cut short: give the store time to catch up
            try:
                await asyncio.wait_for(self._store_q.join(), max(grace_s, 15.0))
            except TimeoutError:
                emit(ERR, "store.unflushed", pending=self._store_q.qsize())
        for t in self._tasks + list(self._bg):
            t.cancel()
        await asyncio.gather(*self._tasks, *self._bg, return_exceptions=True)
        self._flush_now()
        self.log.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._writer_executor.shutdown(wait=False, cancel_futures=True)
        emit(INFO, "gateway.stopped", **_flat(self.counters.as_dict()))
        if self._stopped is not None:
            self._stopped.set()

    # ------------------------------------------------------------------ connections

    async def _handle(self, ws: ServerConnection) -> None:
        s = Session(ws)
        self._sessions.add(s)
        self.counters.connections_total += 1
        self.counters.connections_open += 1
        emit(INFO, "conn.open", session=s.id, peer=s.peer)
        writer = asyncio.create_task(self._writer(s))
        watchdog = asyncio.create_task(self._hello_watchdog(s))
        try:
            if self._stopping:
                self._control(s, p.Error(code=p.E_SHUTDOWN, message="gateway shutting down"))
                return
            while not s.closing:
                raw = await ws.recv(decode=False)
                self._on_frame(s, raw)
        except ConnectionClosed as exc:
            emit(INFO, "conn.closed", session=s.id, code=exc.rcvd.code if exc.rcvd else None,
                 reason=(exc.rcvd.reason if exc.rcvd else "")[:60])
            if exc.rcvd is not None and exc.rcvd.code in (1007, 1009):
                self._count_error("transport_" + str(exc.rcvd.code))
        finally:
            self._drop(s)
            watchdog.cancel()
            # let queued frames (e.g. a fatal error) go out before the socket is torn down
            if not s.out or ws.state is not State.OPEN:
                writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(writer, 2.0)
            self.counters.connections_open -= 1
            self._sessions.discard(s)

    def _drop(self, s: Session) -> None:
        s.closing = True
        s.wake.set()
        if s.sub is not None:
            subs = self._subs.get(s.sub)
            if subs is not None:
                subs.discard(s)

    async def _hello_watchdog(self, s: Session) -> None:
        await asyncio.sleep(self.cfg.hello_timeout_s)
        if s.principal is None and not s.closing:
            self._error(s, p.E_STATE, f"no hello within {self.cfg.hello_timeout_s:g} s")
            await self._close(s, 1008, "hello timeout")

    async def _writer(self, s: Session) -> None:
        try:
            while True:
                while s.out:
                    frame = s.out.popleft()
                    await s.ws.send(frame)
                    self.counters.events_out += 1
                if s.closing:
                    return
                s.wake.clear()
                await s.wake.wait()
        except ConnectionClosed:
            pass

    async def _close(self, s: Session, code: int, reason: str) -> None:
        self._drop(s)
        s.wake.set()
        try:
            await asyncio.wait_for(s.ws.close(code, reason), 3.0)
        except (TimeoutError, Exception):  # noqa: BLE001 - the peer is gone or stuck: cut it
            s.ws.transport.abort()

    def _push(self, s: Session, frame: str, live: bool = True) -> None:
        if s.closing:
            return
        if live and len(s.out) >= self.cfg.queue_size:
            # The client cannot keep up: cut it rather than grow memory or stall others. It reconnects
            # and resumes from its last seq, so it loses nothing.
            self.counters.slow_disconnects += 1
            self._count_error(p.E_SLOW)
            emit(WARN, "conn.slow_consumer", session=s.id, who=_who(s), queued=len(s.out))
            s.out.clear()
            s.out.append(p.encode(p.Error(code=p.E_SLOW, message="client too slow; resume by seq",
                                          seq=self.heads.get(s.sub or "", None))))
            self._drop(s)  # nothing after the error may reach it, or it would skip the dropped seqs
            self._spawn(self._close(s, 1013, "slow consumer"))
            return
        s.out.append(frame)
        s.wake.set()

    def _control(self, s: Session, ev: p.Event) -> None:
        """Send a non-stream event carrying the subscription's current seq."""
        sub = s.sub
        seq = self.heads.get(sub, 0) if sub is not None else None
        self._push(s, p.encode(dataclasses.replace(ev, seq=seq)))

    def _error(self, s: Session, code: str, message: str, ref: str | None = None, fatal: bool = False,
               frame: bytes | str | None = None) -> None:
        self._count_error(code)
        extra = {}
        if frame is not None:
            b = frame if isinstance(frame, (bytes, bytearray)) else frame.encode("utf-8", "replace")
            extra["frame"] = mask_text(bytes(b[:80]).decode("utf-8", "replace"))
            extra["frame_bytes"] = len(b)
        emit(WARN, "client.error", session=s.id, who=_who(s), code=code, detail=message[:120], **extra)
        self._control(s, p.Error(code=code, message=message, ref=ref, fatal=fatal or code in p.FATAL_CODES))

    def _count_error(self, code: str) -> None:
        self.counters.errors += 1
        self.counters.errors_by_code[code] = self.counters.errors_by_code.get(code, 0) + 1

    def _spawn(self, coro: Any) -> None:
        t = asyncio.create_task(coro)
        self._bg.add(t)
        t.add_done_callback(self._bg.discard)

    # ------------------------------------------------------------------ frames

    def _on_frame(self, s: Session, raw: bytes) -> None:
        self.counters.frames_in += 1
        try:
            ev = p.decode(raw, max_bytes=self.cfg.max_frame_bytes)
        except p.ProtocolError as exc:
            self._error(s, exc.code, exc.message, exc.ref, frame=raw)
            return
        self.counters.events_in += 1
        try:
            self._dispatch(s, ev)
        except GatewayError as exc:
            self._error(s, exc.code, exc.message, ev.id)
        except Exception as exc:  # noqa: BLE001 - one bad request must never take the gateway down
            logging.getLogger("assist.gateway").exception("internal error handling %s", ev.type)
            self._error(s, p.E_INTERNAL, f"internal error: {type(exc).__name__}", ev.id)

    def _dispatch(self, s: Session, ev: p.Event) -> None:
        if s.principal is None:
            if isinstance(ev, p.Ping):   # liveness checks need no identity
                self._on_ping(s, ev)
                return
            if not isinstance(ev, p.Hello):
                raise GatewayError(p.E_STATE, "send hello with your token first")
            self._on_hello(s, ev)
            return
        if isinstance(ev, p.Hello):
            raise GatewayError(p.E_STATE, "already authenticated")
        role = s.principal.role
        if role not in ev.senders:
            raise GatewayError(p.E_FORBIDDEN, f"a {role} may not send {ev.type}")
        handler = self._handlers.get(type(ev))
        if handler is None:  # pragma: no cover - senders and handlers are kept in step
            raise GatewayError(p.E_UNKNOWN_TYPE, f"{ev.type} is not handled")
        handler(self, s, ev)

    def _on_hello(self, s: Session, ev: p.Hello) -> None:
        pr = self.cfg.principal(ev.token)
        if pr is None:
            self._error(s, p.E_AUTH, "unknown token", ev.id, fatal=True)
            self._spawn(self._close(s, 1008, "auth failed"))
            return
        s.principal = pr
        emit(INFO, "conn.auth", session=s.id, role=pr.role, who=pr.id, client=ev.client[:40])
        agents = [a.id for a in self.cfg.agents(pr.team)] if pr.role == "lead" else []
        self._control(s, p.Welcome(role=pr.role, principal_id=pr.id, name=pr.name, team=pr.team, agents=agents,
                                   heartbeat_s=self.cfg.heartbeat_s, max_frame_bytes=self.cfg.max_frame_bytes,
                                   server_time=self.now(), id=ev.id))

    def _ack(self, s: Session, ev: p.Event, **kw: Any) -> p.Ack:
        return p.Ack(ref=ev.id, of=ev.type, **kw)

    def _ack_now(self, s: Session, ev: p.Event, **kw: Any) -> None:
        self._control(s, self._ack(s, ev, **kw))

    def _ack_after_commit(self, s: Session, ev: p.Event, **kw: Any) -> None:
        self._pending.acks.append((s, self._ack(s, ev, **kw)))
        self._wake()

    # ---- subscribe

    def _on_subscribe(self, s: Session, ev: p.Subscribe) -> None:
        if s.subscribed:
            raise GatewayError(p.E_STATE, "already subscribed on this connection")
        sub = s.sub
        assert sub is not None and s.principal is not None
        self._flush_now()           # head, replay and snapshot must be one consistent cut
        head = self.heads.get(sub, 0)
        last = ev.last_seq
        frames: list[str] | None = None
        reason = "fresh"
        if last is not None:
            if last > head:
                reason = "replay_gap"   # the client is ahead of us: our log was lost
            else:
                frames = self.log.read(sub, last, head)
                if frames is None:
                    reason = "replay_gap"
        self._control(s, p.Ack(ref=ev.id, of=ev.type, head_seq=head, resumed=frames is not None))
        if frames is not None:
            for f in frames:
                self._push(s, f, live=False)
            self.counters.replayed += len(frames)
            emit(INFO, "sub.resume", session=s.id, who=sub, last_seq=last, head=head, replayed=len(frames))
        else:
            if reason == "replay_gap":
                self._error(s, p.E_REPLAY_GAP,
                            f"last_seq {last} is outside the replay log ({self.log.first_seq(sub)}..{head}); "
                            "sending a snapshot", ev.id)
            pr = s.principal
            convs = self.book.visible_to(pr.role, pr.id, pr.team)
            # built from cached JSON pieces: a lead's snapshot of hundreds of chats must not stall the loop
            frame = (f'{{"v":{p.PROTOCOL_VERSION},"type":"snapshot","seq":{head},"id":null,'
                     f'"conversations":[{",".join(c.snapshot_json() for c in convs)}],"reason":"{reason}"}}')
            self._push(s, frame, live=False)
            self.counters.snapshots += 1
            emit(INFO, "sub.snapshot", session=s.id, who=sub, reason=reason, head=head, conversations=len(convs))
        s.subscribed = True
        self._subs.setdefault(sub, set()).add(s)

    # ---- publishing (source events and agent/lead actions)

    def _audience(self, conv: Conv) -> list[str]:
        subs = [conv.owner]
        subs += [ld.id for ld in self.cfg.leads(conv.team) if ld.id != conv.owner]
        return subs

    def _publish(self, subs: list[str], ev: p.Event) -> None:
        # encode once, stamp each subscriber's seq into the text ("seq" precedes every payload field)
        frame = p.encode(dataclasses.replace(ev, id=None, seq=None))
        head, marker, tail = frame.partition('"seq":null')
        assert marker, "encoded events start with v, type, seq"
        for sub in subs:
            seq = self._assigned.get(sub, 0) + 1
            self._assigned[sub] = seq
            self._pending.entries.append(LogEntry(sub, seq, f'{head}"seq":{seq}{tail}'))
        self._wake()

    def _persist_conv(self, c: Conv, is_open: bool = True) -> None:
        ctx = c.context_json if c.context is not None else None
        self._pending.convs.append(ConvRow(c.opened.conversation_id, p.encode(c.opened), c.owner, c.team,
                                           is_open, ctx))

    def _wake(self) -> None:
        if self._flush_wake is not None:
            self._flush_wake.set()

    async def _flusher(self) -> None:
        assert self._flush_wake is not None
        while True:
            await self._flush_wake.wait()
            self._flush_wake.clear()
            await asyncio.sleep(0)      # one loop turn: let a burst join the same transaction
            try:
                self._flush_now()
            except Exception:  # noqa: BLE001 - the flusher must outlive any bug in one delivery
                logging.getLogger("assist.gateway").exception("flush failed")
                self._count_error(p.E_INTERNAL)

    def _flush_now(self) -> None:
        batch, self._pending = self._pending, _Pending()
        if not batch:
            return
        try:
            self.log.commit(batch.entries, batch.convs, batch.msgs)
        except Exception as exc:  # noqa: BLE001 - disk full / locked: refuse, keep serving
            logging.getLogger("assist.gateway").exception("replay log commit failed")
            self._assigned = dict(self.heads)
            for s, ack in batch.acks:
                self._error(s, p.E_INTERNAL, f"could not persist: {type(exc).__name__}; retry", ack.ref)
            return
        for e in batch.entries:
            self.heads[e.sub] = e.seq
            for s in tuple(self._subs.get(e.sub, ())):
                self._push(s, e.frame)
        for s, ack in batch.acks:
            self._control(s, ack)

    # ---- source events

    def _on_opened(self, s: Session, ev: p.ConversationOpened) -> None:
        if self.book.get(ev.conversation_id) is not None or self._closed(ev.conversation_id) is not None:
            self._ack_now(s, ev, conversation_id=ev.conversation_id, duplicate=True)
            return
        agent = self.cfg.by_id(ev.agent_id)
        if agent is None or agent.role not in ("agent", "lead"):
            raise GatewayError(p.E_NOT_FOUND, f"unknown agent {ev.agent_id!r}")
        conv = self.book.open(dataclasses.replace(ev, team=agent.team))
        self._persist_conv(conv)
        self._publish(self._audience(conv), conv.opened)
        self._ack_after_commit(s, ev, conversation_id=ev.conversation_id)
        o = conv.opened
        self._store_call("record_conversation", o.conversation_id, o.customer_id, o.agent_id, o.channel,
                         o.shop, o.opened_at)
        if self.store is not None:
            self._spawn(self._send_context(o.conversation_id, o.customer_id, None))
        emit(INFO, "conv.opened", conversation=o.conversation_id, agent=o.agent_id, team=conv.team)

    def _on_message(self, s: Session, ev: p.Message) -> None:
        if self._known_message(ev.message_id):
            self._ack_now(s, ev, message_id=ev.message_id, duplicate=True)
            return
        conv = self._open_conv(ev.conversation_id)
        self._add_message(conv, ev)
        self._ack_after_commit(s, ev, message_id=ev.message_id)

    def _add_message(self, conv: Conv, ev: p.Message) -> None:
        msg = dataclasses.replace(ev, seq=None, id=None)
        frame = p.encode(msg)
        self._seen_msgs.add(msg.message_id)
        conv.message_ids.add(msg.message_id)
        self.book.add_message(msg, frame)
        self._pending.msgs.append(MsgRow(msg.message_id, msg.conversation_id, frame))
        self._publish(self._audience(conv), msg)
        self._store_call("record_message", msg.conversation_id, msg.message_id, msg.role, msg.text, msg.ts)

    def _on_assigned(self, s: Session, ev: p.ConversationAssigned) -> None:
        conv = self._open_conv(ev.conversation_id)
        target = self.cfg.by_id(ev.agent_id)
        if target is None or target.role != "agent":
            raise GatewayError(p.E_NOT_FOUND, f"unknown agent {ev.agent_id!r}")
        if target.id == conv.owner:
            self._ack_now(s, ev, conversation_id=conv.opened.conversation_id, duplicate=True)
            return
        self._reassign(conv, target, by="", reason=ev.reason or "transfer")
        self._ack_after_commit(s, ev, conversation_id=ev.conversation_id)

    def _reassign(self, conv: Conv, target: Principal, by: str, reason: str) -> None:
        prev, old_team = conv.owner, conv.team
        cid = conv.opened.conversation_id
        old_audience = self._audience(conv)
        self.book.assign(cid, target.id)
        conv.team = target.team
        conv.opened = dataclasses.replace(conv.opened, team=target.team)
        new_audience = self._audience(conv)
        plain = p.ConversationAssigned(conversation_id=cid, agent_id=target.id, previous_agent_id=prev, by=by,
                                       reason=reason)
        full = dataclasses.replace(plain, conversation=conv.snapshot())
        # whoever newly gains sight of the conversation gets its history; the others just the change
        gaining = [x for x in new_audience if x not in old_audience or (x == target.id and target.role == "agent")]
        self._publish(gaining, full)
        self._publish([x for x in dict.fromkeys(old_audience + new_audience) if x not in gaining], plain)
        self._persist_conv(conv)
        o = conv.opened
        self._store_call("record_conversation", cid, o.customer_id, target.id, o.channel, o.shop, o.opened_at)
        emit(INFO, "conv.assigned", conversation=cid, previous=prev, owner=target.id, by=by, reason=reason,
             team=conv.team, old_team=old_team)

    def _on_closed(self, s: Session, ev: p.ConversationClosed) -> None:
        if self.book.get(ev.conversation_id) is None and self._closed(ev.conversation_id) is not None:
            self._ack_now(s, ev, conversation_id=ev.conversation_id, duplicate=True)
            return
        conv = self._open_conv(ev.conversation_id)
        self._publish(self._audience(conv), ev)
        self.book.close(ev.conversation_id)
        self._seen_msgs.difference_update(conv.message_ids)   # the log remembers them from now on
        self._remember_closed(ev.conversation_id, conv.owner, conv.team)
        self._persist_conv(conv, is_open=False)
        self._ack_after_commit(s, ev, conversation_id=ev.conversation_id)
        self._store_call("close_conversation", ev.conversation_id, ev.closed_at)
        emit(INFO, "conv.closed", conversation=ev.conversation_id)

    def _closed(self, cid: str) -> tuple[str, str] | None:
        hit = self._closed_convs.get(cid)
        return hit if hit is not None else self.log.closed_conversation(cid)

    def _remember_closed(self, cid: str, owner: str, team: str) -> None:
        self._closed_convs[cid] = (owner, team)
        while len(self._closed_convs) > 20_000:
            self._closed_convs.popitem(last=False)

    def _known_message(self, mid: str) -> bool:
        return mid in self._seen_msgs or self.log.has_message(mid)

    def _open_conv(self, cid: str) -> Conv:
        conv = self.book.get(cid)
        if conv is None:
            if self._closed(cid) is not None:
                raise GatewayError(p.E_STATE, f"conversation {cid} is closed")
            raise GatewayError(p.E_NOT_FOUND, f"unknown conversation {cid}")
        return conv

    # ---- agent / lead actions

    def _visible_conv(self, s: Session, cid: str, allow_closed: bool = False) -> tuple[str, str, Conv | None]:
        """(owner, team, conv-or-None-if-closed) of a conversation this principal may act on."""
        assert s.principal is not None
        conv = self.book.get(cid)
        if conv is not None:
            owner, team = conv.owner, conv.team
        elif allow_closed and (closed := self._closed(cid)) is not None:
            owner, team = closed
        else:
            self._open_conv(cid)  # raises the right error
            raise AssertionError  # pragma: no cover
        pr = s.principal
        if not ((pr.role == "agent" and owner == pr.id) or (pr.role == "lead" and team == pr.team)):
            # same answer as for an unknown id: do not reveal other teams' conversations
            raise GatewayError(p.E_NOT_FOUND, f"unknown conversation {cid}")
        return owner, team, conv

    def _on_reply(self, s: Session, ev: p.ReplySend) -> None:
        _, _, conv = self._visible_conv(s, ev.conversation_id)
        assert conv is not None and s.principal is not None
        if self._known_message(ev.message_id):
            self._ack_now(s, ev, message_id=ev.message_id, duplicate=True)
            return
        msg = p.Message(conversation_id=ev.conversation_id, message_id=ev.message_id, role="agent", text=ev.text,
                        ts=self.now(), agent_id=s.principal.id)
        self._add_message(conv, msg)
        self._ack_after_commit(s, ev, message_id=ev.message_id)

    def _on_ticket(self, s: Session, ev: p.TicketCreate) -> None:
        owner, team, conv = self._visible_conv(s, ev.conversation_id, allow_closed=True)
        assert s.principal is not None
        ticket = dict(ev.ticket)
        ticket.update(conversation_id=ev.conversation_id, created_by=s.principal.id,
                      created_at=self.now().isoformat(), team=team)
        if conv is not None:
            ticket.setdefault("customer_id", conv.opened.customer_id)
        # a client re-sends an unacknowledged ticket.create with the same request id after a reconnect
        key = (s.principal.id, ev.id) if ev.id else None
        if key is not None and key in self._tickets_by_ref:
            self._spawn(self._ack_ticket_retry(s, ev, self._tickets_by_ref[key]))
            return
        fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tickets_by_ref[key] = fut
            while len(self._tickets_by_ref) > 10_000:
                self._tickets_by_ref.pop(next(iter(self._tickets_by_ref)))
        self._spawn(self._save_ticket(s, ev, ticket, fut, key))

    async def _ack_ticket_retry(self, s: Session, ev: p.TicketCreate, fut: asyncio.Future[str]) -> None:
        try:
            tid = await asyncio.shield(fut)
        except Exception as exc:  # noqa: BLE001 - the first attempt failed: report it again
            self._error(s, p.E_INTERNAL, f"ticket not saved: {type(exc).__name__}", ev.id)
            return
        self._ack_now(s, ev, ticket_id=tid, conversation_id=ev.conversation_id, duplicate=True)

    async def _save_ticket(self, s: Session, ev: p.TicketCreate, ticket: dict[str, Any],
                           fut: asyncio.Future[str], key: tuple[str, str] | None) -> None:
        try:
            if self.store is not None:
                tid = str(await self._in_store(self.store.save_ticket, ticket))
            else:
                tid = "T" + uuid.uuid4().hex[:10]
        except Exception as exc:  # noqa: BLE001 - report to the client, keep serving
            self.counters.store_errors += 1
            emit(ERR, "store.error", op="save_ticket", error=repr(exc)[:200])
            self._error(s, p.E_INTERNAL, f"ticket not saved: {type(exc).__name__}", ev.id)
            if key is not None:
                self._tickets_by_ref.pop(key, None)   # a retry may try again
            fut.set_exception(exc)
            fut.exception()  # retrieved: no "never retrieved" warning
            return
        fut.set_result(tid)
        emit(INFO, "ticket.created", ticket=tid, conversation=ev.conversation_id, by=ticket["created_by"])
        self._ack_now(s, ev, ticket_id=tid, conversation_id=ev.conversation_id)

    def _on_context_request(self, s: Session, ev: p.ContextRequest) -> None:
        _, _, conv = self._visible_conv(s, ev.conversation_id)
        assert conv is not None and s.sub is not None
        if self.store is None:
            raise GatewayError(p.E_NOT_FOUND, "this gateway has no store: no customer context")
        self._ack_now(s, ev, conversation_id=ev.conversation_id)
        self._spawn(self._send_context(ev.conversation_id, conv.opened.customer_id, [s.sub]))

    async def _send_context(self, cid: str, customer_id: str, subs: list[str] | None) -> None:
        try:
            ctx = await self._in_store(self.store.customer_context, customer_id, self.now())
        except Exception as exc:  # noqa: BLE001 - unknown customer / store trouble: log, keep streaming
            self.counters.store_errors += 1
            emit(ERR, "store.error", op="customer_context", conversation=cid, error=repr(exc)[:200])
            return
        conv = self.book.get(cid)
        if conv is None or ctx is None:
            return
        conv.set_context(ctx)
        self._persist_conv(conv)
        self._publish(subs or self._audience(conv), p.Context(conversation_id=cid, context=ctx))

    def _on_takeover(self, s: Session, ev: p.LeadTakeover) -> None:
        owner, _, conv = self._visible_conv(s, ev.conversation_id)
        assert conv is not None and s.principal is not None
        if owner == s.principal.id:
            self._ack_now(s, ev, conversation_id=ev.conversation_id, duplicate=True)
            return
        self._reassign(conv, s.principal, by=s.principal.id, reason="takeover")
        self._ack_after_commit(s, ev, conversation_id=ev.conversation_id)

    def _on_reassign(self, s: Session, ev: p.LeadReassign) -> None:
        owner, team, conv = self._visible_conv(s, ev.conversation_id)
        assert conv is not None and s.principal is not None
        target = self.cfg.by_id(ev.to_agent_id)
        if target is None or target.role != "agent" or target.team != team:
            raise GatewayError(p.E_NOT_FOUND, f"no agent {ev.to_agent_id!r} in team {team}")
        if target.id == owner:
            self._ack_now(s, ev, conversation_id=ev.conversation_id, duplicate=True)
            return
        self._reassign(conv, target, by=s.principal.id, reason="reassign")
        self._ack_after_commit(s, ev, conversation_id=ev.conversation_id)

    def _on_whisper(self, s: Session, ev: p.LeadWhisper) -> None:
        _, _, conv = self._visible_conv(s, ev.conversation_id)
        assert conv is not None and s.principal is not None
        self._publish(self._audience(conv), p.Whisper(conversation_id=ev.conversation_id,
                                                      from_lead=s.principal.id, text=ev.text, ts=self.now()))
        self._ack_after_commit(s, ev, conversation_id=ev.conversation_id)
        emit(INFO, "lead.whisper", conversation=ev.conversation_id, lead=s.principal.id)

    def _on_alert_ack(self, s: Session, ev: p.AlertAck) -> None:
        _, team, _ = self._visible_conv(s, ev.conversation_id, allow_closed=True)
        assert s.principal is not None
        self._publish([ld.id for ld in self.cfg.leads(team)],
                      p.AlertAcked(conversation_id=ev.conversation_id, level=ev.level, by=s.principal.id,
                                   ts=self.now()))
        self._ack_after_commit(s, ev, conversation_id=ev.conversation_id)

    def _on_ping(self, s: Session, ev: p.Ping) -> None:
        self._control(s, p.Pong(ts=ev.ts, id=ev.id))

    def _on_subscribe_guard(self, s: Session, ev: p.Subscribe) -> None:
        self._on_subscribe(s, ev)

    _handlers: dict[type, Callable[..., None]] = {
        p.Subscribe: _on_subscribe_guard,
        p.ConversationOpened: _on_opened,
        p.Message: _on_message,
        p.ConversationAssigned: _on_assigned,
        p.ConversationClosed: _on_closed,
        p.ReplySend: _on_reply,
        p.TicketCreate: _on_ticket,
        p.ContextRequest: _on_context_request,
        p.LeadTakeover: _on_takeover,
        p.LeadReassign: _on_reassign,
        p.LeadWhisper: _on_whisper,
        p.AlertAck: _on_alert_ack,
        p.Ping: _on_ping,
    }

    # ------------------------------------------------------------------ store, heartbeats, stats

    async def _in_store(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _store_call(self, method: str, *args: Any) -> None:
        if self.store is None or self._store_q is None:
            return
        fn = getattr(self.store, method)
        self._store_q.put_nowait(lambda: fn(*args))

    async def _store_worker(self) -> None:
        assert self._store_q is not None
        q = self._store_q
        while True:
            batch = [await q.get()]
            while not q.empty() and len(batch) < 500:
                batch.append(q.get_nowait())

            def run(ops: list[Callable[[], Any]] = batch) -> int:
                failed = 0
                for op in ops:
                    try:
                        op()
                    except Exception as exc:  # noqa: BLE001 - one bad row must not block the rest
                        failed += 1
                        emit(ERR, "store.error", op="write", error=repr(exc)[:200])
                return failed

            try:
                self.counters.store_errors += await asyncio.get_running_loop().run_in_executor(
                    self._writer_executor, run)
            finally:
                for _ in batch:
                    q.task_done()

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.cfg.heartbeat_s)
            now = self.now()
            for s in list(self._sessions):
                if s.principal is not None and not s.closing:
                    self._control(s, p.Heartbeat(server_time=now))

    async def _stats(self) -> None:
        while True:
            await asyncio.sleep(self.cfg.stats_interval_s)
            emit(INFO, "gateway.stats", **_flat(self.counters.as_dict()))


def _flat(d: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in d.items() if not isinstance(v, dict)}
    for k, v in (d.get("errors_by_code") or {}).items():
        out[f"errors.{k}"] = v
    return out


def _who(s: Session) -> str:
    return f"{s.principal.role}:{s.principal.id}" if s.principal else "anonymous"


def _peer(ws: ServerConnection) -> str:
    try:
        addr = ws.remote_address
        return f"{addr[0]}:{addr[1]}" if addr else "?"
    except Exception:  # noqa: BLE001
        return "?"
