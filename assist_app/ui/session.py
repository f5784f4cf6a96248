"""The agent's live state: protocol events in, analysed ConversationViews out. Qt-free (asyncio only).

Every customer message is classified and run through the assist engine on a worker thread
(`loop.run_in_executor`); the UI thread only folds events into views and paints. Messages of one
conversation are analysed in order; when several are pending, all are classified in one batch and the
engine's suggestions are computed once, for the newest.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assist_app import protocol as P
from assist_app.nlp.types import ClassifierUnavailable, Prediction
from assist_app.ui.engine import EngineAdapter
from assist_app.ui.viewmodel import ChatLine, ConversationView

log = logging.getLogger(__name__)
PREVIOUS_TURNS = 4          # earlier turns given to the classifier as context
MAX_LINES = 300             # per conversation kept for display; older lines are dropped (memory stays flat)
MAX_SEEN = 20_000           # message ids remembered for de-duplication


@dataclass(frozen=True)
class Update:
    """What changed: a conversation id (or "" for the whole list) and the customer messages now analysed."""

    conversation_id: str
    analysed: tuple[str, ...] = ()
    removed: bool = False


class AgentSession:
    def __init__(self, executor: Executor, engine: EngineAdapter | None = None,
                 load_classifier: Callable[[], Any] | None = None, lang: str = "zh",
                 agent_id: str = "", clock: Callable[[], datetime] | None = None):
        self.executor = executor
        self.engine = engine or EngineAdapter()
        self._load_classifier = load_classifier
        self.classifier: Any = None
        self.classifier_error = ""
        self.lang = lang
        self.agent_id = agent_id
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.conversations: dict[str, ConversationView] = {}
        self._states: dict[str, Any] = {}
        self._pending: dict[str, list[tuple[ChatLine, list[str]]]] = {}
        self._stale: set[str] = set()
        self._workers: dict[str, asyncio.Task] = {}
        self._seen_ids: OrderedDict[str, None] = OrderedDict()
        # message id -> perf_counter when it arrived; the controller pops it once the suggestions are painted
        self.received_at: dict[str, float] = {}
        self.listeners: list[Callable[[Update], None]] = []
        self.errors: list[str] = []

    # ------------------------------------------------------------------ setup
    async def load(self) -> bool:
        """Load the classifier off the UI thread; on failure keep streaming and remember why."""
        if self._load_classifier is None:
            self.classifier_error = "no classifier configured"
            return False
        loop = asyncio.get_running_loop()
        try:
            self.classifier = await loop.run_in_executor(self.executor, self._load_classifier)
            self.classifier_error = ""
            return True
        except (ClassifierUnavailable, OSError) as exc:
            self.classifier, self.classifier_error = None, str(exc)
            log.warning("classifier unavailable: %s", exc)
            return False

    def _notify(self, update: Update) -> None:
        for fn in list(self.listeners):
            try:
                fn(update)
            except Exception:  # noqa: BLE001 - one broken listener must not stop the stream
                log.exception("session listener failed")

    # ------------------------------------------------------------------ events (called on the loop thread)
    def handle_event(self, ev: P.Event) -> None:
        if isinstance(ev, P.Welcome):
            self.agent_id = ev.principal_id
        elif isinstance(ev, P.Snapshot):
            self._apply_snapshot(ev)
        elif isinstance(ev, P.ConversationOpened):
            self._open(ev)
            self._notify(Update(ev.conversation_id))
        elif isinstance(ev, P.Context):
            conv = self.conversations.get(ev.conversation_id)
            if conv is not None:
                conv.context = ev.context
                self._reanalyse(conv.conversation_id)
                self._notify(Update(ev.conversation_id))
        elif isinstance(ev, P.Message):
            self._message(ev)
        elif isinstance(ev, P.ConversationClosed):
            self._remove(ev.conversation_id)
        elif isinstance(ev, P.ConversationAssigned):
            if self.agent_id and ev.agent_id != self.agent_id:
                self._remove(ev.conversation_id)   # taken over / moved to a colleague
            elif ev.conversation is not None:
                self._load_snapshot(ev.conversation)
                self._notify(Update(ev.conversation_id))
        elif isinstance(ev, P.Whisper):
            conv = self.conversations.get(ev.conversation_id)
            if conv is not None:
                conv.lines.append(ChatLine(f"whisper-{ev.seq}", "lead", ev.text, ev.ts))
                self._notify(Update(ev.conversation_id))
        elif isinstance(ev, P.Error):
            self.errors.append(f"{ev.code}: {ev.message}")

    def _open(self, ev: P.ConversationOpened) -> ConversationView:
        conv = self.conversations.get(ev.conversation_id)
        if conv is None:
            conv = ConversationView(ev.conversation_id)
            self.conversations[ev.conversation_id] = conv
            self._states[ev.conversation_id] = self.engine.new_state(ev.conversation_id, ev.customer_id)
        conv.customer_id, conv.nick, conv.channel, conv.shop = ev.customer_id, ev.nick, ev.channel, ev.shop
        conv.agent_id, conv.opened_at = ev.agent_id, ev.opened_at
        return conv

    def _load_snapshot(self, snap: P.ConversationSnapshot) -> None:
        conv = self._open(snap.opened)
        if snap.context is not None:
            conv.context = snap.context
        for m in snap.messages:
            self._message(m, notify=False)

    def _apply_snapshot(self, ev: P.Snapshot) -> None:
        """The gateway's authoritative list: drop what is gone, keep analysed state for what stays."""
        keep = {c.opened.conversation_id for c in ev.conversations}
        for cid in list(self.conversations):
            if cid not in keep:
                self._remove(cid, notify=False)
        for snap in ev.conversations:
            self._load_snapshot(snap)
        self._notify(Update(""))

    def _message(self, ev: P.Message, notify: bool = True) -> None:
        if ev.message_id in self._seen_ids:
            return  # replay after a reconnect / snapshot overlap
        conv = self.conversations.get(ev.conversation_id)
        if conv is None:
            return
        self._seen_ids[ev.message_id] = None
        if len(self._seen_ids) > MAX_SEEN:
            self._seen_ids.popitem(last=False)
        line = ChatLine(ev.message_id, ev.role, ev.text, ev.ts)
        prev: list[str] = []
        for ln in reversed(conv.lines):
            if len(prev) == PREVIOUS_TURNS:
                break
            if ln.role in ("customer", "agent"):
                prev.insert(0, ln.text)
        conv.lines.append(line)
        if len(conv.lines) > MAX_LINES:
            del conv.lines[: len(conv.lines) - MAX_LINES]
        if ev.role == "customer":
            self.received_at[ev.message_id] = time.perf_counter()
            if conv.waiting_since is None:
                conv.waiting_since = ev.ts
            self._pending.setdefault(conv.conversation_id, []).append((line, prev))
            self._kick(conv.conversation_id)
        elif ev.role == "agent":
            conv.waiting_since = None
            self._pending.setdefault(conv.conversation_id, []).append((line, prev))
            self._kick(conv.conversation_id)
            return  # the analysis (a few ms away) notifies once, with the suggestions: one repaint, not two
        if notify:
            self._notify(Update(conv.conversation_id))

    def _remove(self, cid: str, notify: bool = True) -> None:
        if self.conversations.pop(cid, None) is None:
            return
        self._states.pop(cid, None)
        for ln, _prev in self._pending.pop(cid, []):
            self.received_at.pop(ln.message_id, None)
        self._stale.discard(cid)
        task = self._workers.pop(cid, None)
        if task is not None:
            task.cancel()
        if notify:
            self._notify(Update(cid, removed=True))

    # ------------------------------------------------------------------ analysis
    def _kick(self, cid: str) -> None:
        task = self._workers.get(cid)
        if task is None or task.done():
            self._workers[cid] = asyncio.get_running_loop().create_task(self._drain(cid))

    async def _drain(self, cid: str) -> None:
        loop = asyncio.get_running_loop()
        while self._pending.get(cid) or cid in self._stale:
            batch, self._pending[cid] = self._pending.get(cid, []), []
            self._stale.discard(cid)
            conv = self.conversations.get(cid)
            state = self._states.get(cid)
            if conv is None or state is None:
                return
            try:
                preds, assist = await loop.run_in_executor(self.executor, self._analyse, state, conv.context,
                                                           batch, self.lang)
            except Exception as exc:  # noqa: BLE001 - keep streaming; show what we have
                log.exception("analysis failed for %s", cid)
                self.errors.append(f"analysis: {exc}")
                continue
            if cid not in self.conversations:
                return
            lines = [ln for ln, _prev in batch]
            analysed = tuple(ln.message_id for ln in lines if ln.role == "customer")
            customer_preds = [p for ln, p in zip(lines, preds, strict=True) if ln.role == "customer" and p]
            if customer_preds:
                conv.prediction = customer_preds[-1]
                conv.emotion_history.extend(p.emotion for p in customer_preds)
                del conv.emotion_history[:-30]
            if assist is not None:
                conv.assist = assist
            if analysed:
                conv.analysed_message_id = analysed[-1]
            self._notify(Update(cid, analysed))

    def _analyse(self, state: Any, context, batch: list[tuple[ChatLine, list[str]]],
                 lang: str) -> tuple[list[Prediction | None], Any]:
        """Worker thread: classify the batch, fold it into the engine state, compute one Assist.

        Only one drain per conversation runs at a time, so `state` is never touched by two threads at once.
        """
        preds: list[Prediction | None] = [None] * len(batch)
        if self.classifier is not None:
            idx = [i for i, (ln, _prev) in enumerate(batch) if ln.role == "customer"]
            if idx:
                out = self.classifier.predict_batch([(batch[i][0].text, batch[i][1]) for i in idx])
                for i, p in zip(idx, out, strict=True):
                    preds[i] = p
        for (ln, _prev), p in zip(batch, preds, strict=True):
            self.engine.add_turn(state, ln, p)
        if self.classifier is None or not self.engine.has_customer_turn(state):
            return preds, None
        return preds, self.engine.assist(state, context, self.clock(), lang)

    def _reanalyse(self, cid: str) -> None:
        """New context or language: recompute suggestions (no re-classification) through the same queue."""
        if cid in self.conversations and self.classifier is not None:
            self._stale.add(cid)
            self._kick(cid)

    def set_language(self, lang: str) -> None:
        self.lang = lang
        for cid in list(self.conversations):
            self._reanalyse(cid)

    async def idle(self) -> None:
        """Wait until every queued message is analysed (tests, screenshots)."""
        while any(not t.done() for t in self._workers.values()):
            await asyncio.gather(*[t for t in self._workers.values() if not t.done()], return_exceptions=True)
