"""Wires the lead window to the stream and to the monitor's worker thread.

Threading: the monitor (assist_app.lead) lives on ONE dedicated worker thread — classification, the risk
engine and the alert policy all run there, in event order, never on the Qt UI thread. The UI thread only
folds the returned immutable `Update`s into widgets. Row repaints are coalesced (at most ~10 per second);
an update that raises an alert is painted at once (alert latency is the number that matters).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from assist_app import protocol as p
from assist_app.lead.board import LeadMonitor, Update
from assist_app.lead.ingest import LeadIngest, merge
from assist_app.lead.surge import SurgeConfig
from assist_app.nlp.types import ClassifierUnavailable
from assist_app.ui.lead import texts as tx
from assist_app.ui.lead.window import LeadWindow

log = logging.getLogger(__name__)
FLUSH_S = 0.1
STATS_EVERY_MS = 2000
TICK_EVERY_MS = 5000


def day_start(now: float) -> float:
    d = datetime.fromtimestamp(now).astimezone()
    return d.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def _freeze_heap() -> Update:
    """After the snapshot the board holds hundreds of long-lived chats; moving them out of the cyclic GC's
    reach keeps full collections (tens of ms holding the GIL, i.e. a frozen UI) from rescanning them."""
    gc.collect()
    gc.freeze()
    return Update()


def _tick(monitor: LeadMonitor, now: float) -> Update:
    u = monitor.tick(now)
    # what survived the last seconds is long-lived board state (turns, labels): keep it out of the full
    # collections too. Refcounting still frees it when a chat closes; only cyclic garbage would stay.
    gc.freeze()
    return u


class LeadController(QObject):
    # perf_counter latency (s) from message received to its alert painted — benchmarks and tests listen
    alert_latency = Signal(float)

    def __init__(self, window: LeadWindow, load_classifier: Callable[[], object] | None = None,
                 send: Callable[[p.Event], Awaitable[None]] | None = None, clock: Callable[[], float] = time.time,
                 monitor: LeadMonitor | None = None, time_scale: float = 1.0) -> None:
        super().__init__(window)
        self.window = window
        self.clock = clock
        # time_scale: the demo's speed-up (its messages carry wall-clock times, so "30 min" lasts 30/speed)
        self.monitor = monitor or LeadMonitor(day_start=day_start(clock()), lang=window.lang,
                                              surge=SurgeConfig().scaled(time_scale))
        self.time_scale = time_scale
        self.ingest = LeadIngest(self.monitor)
        self._load_classifier = load_classifier
        self.classifier_error = ""
        self._send = send
        # one thread: the monitor is single-threaded by design; FIFO keeps event order
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lead-monitor")
        self._pending: list[Update] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task] = set()
        self.lead_id = ""
        self.alert_latencies: list[float] = []
        self.events = 0
        self.errors: list[str] = []
        self._closed = False

        window.takeover_requested.connect(lambda cid: self._spawn(self.takeover(cid)))
        window.reassign_requested.connect(lambda cid, to: self._spawn(self.reassign(cid, to)))
        window.whisper_requested.connect(lambda cid, text: self._spawn(self.whisper(cid, text)))
        window.reply_requested.connect(lambda cid, text: self._spawn(self.reply(cid, text)))
        window.ack_requested.connect(lambda cid: self._spawn(self.acknowledge(cid)))
        window.conversation_selected.connect(lambda cid: self._spawn(self._transcript(cid)))
        window.language_changed.connect(lambda lang: self._submit(self.monitor.set_language, lang, self.clock()))
        self._stats_timer = QTimer(self)
        self._stats_timer.timeout.connect(self.refresh_stats)
        self._stats_timer.start(STATS_EVERY_MS)
        self._tick_timer = QTimer(self)
        self._tick_timer.timeout.connect(lambda: self._submit(_tick, self.monitor, self.clock()))
        self._tick_timer.start(TICK_EVERY_MS)

    # ---- setup ----------------------------------------------------------------------------------------
    async def load(self) -> bool:
        if self._load_classifier is None:
            self.classifier_error = "no classifier configured"
        else:
            try:
                clf = await asyncio.get_running_loop().run_in_executor(self.worker, self._load_classifier)
                self.ingest.classifier = clf
                return True
            except (ClassifierUnavailable, OSError) as exc:
                self.classifier_error = str(exc)
                log.warning("classifier unavailable: %s", exc)
        self.window.set_notice(tx.t("classifier_missing", self.window.lang))
        return False

    def close(self) -> None:
        self._closed = True  # results still in flight are dropped: the window may be gone
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        self._stats_timer.stop()
        self._tick_timer.stop()
        for t in list(self._tasks):
            t.cancel()
        self.worker.shutdown(wait=False, cancel_futures=True)

    # ---- stream in ------------------------------------------------------------------------------------
    def handle_event(self, ev: p.Event) -> None:
        """StreamClient callback (UI/loop thread): hand the event to the worker, paint the result later."""
        if self._closed:
            return
        self.events += 1
        if isinstance(ev, p.Welcome):
            self.lead_id = ev.principal_id
            self.window.set_identity(ev.principal_id, list(ev.agents))
        elif isinstance(ev, p.Error):
            self.errors.append(f"{ev.code}: {ev.message}")
            self.window.set_notice(tx.t("send_failed", self.window.lang, err=f"{ev.code} {ev.message}"))
            return
        elif isinstance(ev, p.Whisper):
            return  # our own whisper echoed back; the agent's sidebar is where it matters
        elif not isinstance(ev, (p.Snapshot, p.ConversationOpened, p.Message, p.ConversationAssigned,
                                 p.ConversationClosed, p.Context, p.AlertAcked)):
            return  # heartbeat, pong, ack …
        received = time.perf_counter()
        self._submit(self.ingest.handle, ev, self.clock(), received=received)
        if isinstance(ev, p.Snapshot):
            self._submit(_freeze_heap)

    def on_state(self, state) -> None:
        self.window.set_connection(state.status, float(getattr(state, "retry_in_s", 0.0) or 0.0))

    def _submit(self, fn, *args, received: float | None = None) -> None:
        if self._closed:
            return
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(self.worker, fn, *args)
        self._inflight += 1
        self._idle.clear()

        def done(f: asyncio.Future) -> None:
            self._inflight -= 1
            if self._closed or f.cancelled():
                pass
            elif f.exception() is not None:
                exc = f.exception()
                self.errors.append(repr(exc))
                log.error("lead monitor failed: %r", exc, exc_info=exc)
            else:
                u = f.result()
                if isinstance(u, Update) and u:
                    self._queue(u, received)
            if self._inflight == 0 and not self._pending:
                self._idle.set()

        fut.add_done_callback(done)

    def _queue(self, u: Update, received: float | None) -> None:
        self._pending.append(u)
        if u.raised:
            self.flush()  # alerts do not wait for the coalescing timer
            if received is not None:
                lat = time.perf_counter() - received
                self.alert_latencies.extend([lat] * len(u.raised))
                self.alert_latency.emit(lat)
            return
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(FLUSH_S, self.flush)

    def flush(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if not self._pending or self._closed:
            return
        u = merge(self._pending)
        self._pending.clear()
        self.window.apply_update(u)
        if self._inflight == 0:
            self._idle.set()

    async def idle(self) -> None:
        """Wait until every submitted event is processed and painted (tests, screenshots)."""
        while True:
            await self._idle.wait()
            await asyncio.sleep(0)
            if self._inflight == 0:
                self.flush()
                return

    def _stats(self, now: float):
        self.monitor.roll_day(day_start(now))  # no-op except the first refresh after midnight
        return self.monitor.snapshot_stats(now)

    def refresh_stats(self) -> None:
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(self.worker, self._stats, self.clock())
        fut.add_done_callback(
            lambda f: None if self._closed or f.cancelled() or f.exception() else self.window.set_stats(f.result()))

    async def stats_now(self):
        s = await asyncio.get_running_loop().run_in_executor(self.worker, self._stats, self.clock())
        self.window.set_stats(s)
        return s

    async def _transcript(self, cid: str) -> None:
        turns = await asyncio.get_running_loop().run_in_executor(self.worker, self.monitor.transcript, cid)
        if not self._closed:
            self.window.show_transcript(cid, turns)

    # ---- lead actions out -----------------------------------------------------------------------------
    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_event(self, ev: p.Event) -> bool:
        if self._send is None:
            self.window.set_notice(tx.t("send_failed", self.window.lang, err="offline"))
            return False
        try:
            await self._send(ev)
            return True
        except Exception as exc:  # noqa: BLE001 - report, keep the window alive
            log.warning("lead action failed: %s", exc)
            self.window.set_notice(tx.t("send_failed", self.window.lang, err=str(exc)))
            return False

    def _names(self, cid: str) -> tuple[str, str]:
        row = self.window.model.conversation(cid)
        if row is None:
            return cid, ""
        return row.nick or row.customer_id, self.window.agent_names.get(row.agent_id, row.agent_id)

    async def takeover(self, cid: str) -> bool:
        ok = await self._send_event(p.LeadTakeover(conversation_id=cid, id=uuid.uuid4().hex))
        if ok:
            customer, agent = self._names(cid)
            self.window.set_notice(tx.t("sent_takeover", self.window.lang, agent=agent, customer=customer))
            await self.acknowledge(cid)  # taking over is the strongest acknowledgement
        return ok

    async def reassign(self, cid: str, to_agent: str) -> bool:
        ok = await self._send_event(p.LeadReassign(conversation_id=cid, to_agent_id=to_agent, id=uuid.uuid4().hex))
        if ok:
            customer, _ = self._names(cid)
            self.window.set_notice(tx.t("sent_reassign", self.window.lang, customer=customer,
                                        agent=self.window.agent_names.get(to_agent, to_agent)))
        return ok

    async def whisper(self, cid: str, text: str) -> bool:
        ok = await self._send_event(p.LeadWhisper(conversation_id=cid, text=text, id=uuid.uuid4().hex))
        if ok:
            _, agent = self._names(cid)
            self.window.set_notice(tx.t("sent_whisper", self.window.lang, agent=agent))
        return ok

    async def reply(self, cid: str, text: str) -> bool:
        """Answer the customer of a chat the lead took over (the gateway accepts reply.send from its owner)."""
        ok = await self._send_event(p.ReplySend(conversation_id=cid, message_id=f"lead-{uuid.uuid4().hex}",
                                                text=text, id=uuid.uuid4().hex))
        if ok:
            self.window.set_notice(tx.t("sent_reply", self.window.lang))
        return ok

    async def acknowledge(self, cid: str) -> None:
        loop = asyncio.get_running_loop()
        u = await loop.run_in_executor(self.worker, self.monitor.acknowledge, cid, self.clock(), self.lead_id)
        if u:
            self._pending.append(u)
            self.flush()
            for a in u.cleared:
                # tell the other leads of the team (optional in the protocol; a failure is not fatal)
                if self._send is not None:
                    try:
                        await self._send(p.AlertAck(conversation_id=cid, level=a.level, id=uuid.uuid4().hex))
                    except Exception as exc:  # noqa: BLE001
                        log.info("alert.ack not sent: %s", exc)
