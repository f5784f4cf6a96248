"""Protocol events → LeadMonitor calls, classifying customer messages on the way.

Runs on one worker thread (the lead UI's single-thread executor): `handle(event, now)` mutates the monitor
and returns the `Update` the UI should paint. No Qt; the classifier is injected (None = unavailable, the
board still streams and ranks by what the engine can see without labels).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from assist_app import protocol as p
from assist_app.lead.board import LeadMonitor, Update
from assist_app.nlp.types import Prediction

log = logging.getLogger(__name__)

N_PREVIOUS = 2  # turns of context the classifier uses (assist_app.nlp.encoding)


@dataclass(frozen=True)
class Identity:
    lead_id: str = ""
    team: str = ""
    agents: tuple[str, ...] = ()


def merge(updates: list[Update]) -> Update:
    """Fold several updates into one; a row repainted twice keeps its latest version."""
    rows: dict[str, object] = {}
    removed: list[str] = []
    raised, cleared = [], []
    alerts = None
    for u in updates:
        if u.alerts is not None:
            alerts = u.alerts
        for r in u.rows:
            rows[r.conversation_id] = r
        for cid in u.removed:
            rows.pop(cid, None)
            removed.append(cid)
        raised.extend(u.raised)
        cleared.extend(u.cleared)
    return Update(tuple(rows.values()), tuple(removed), tuple(raised), tuple(cleared), alerts)  # type: ignore[arg-type]


class LeadIngest:
    def __init__(self, monitor: LeadMonitor, classifier=None) -> None:
        self.monitor = monitor
        self.classifier = classifier
        self.identity = Identity()
        self.classify_errors = 0

    def _classify(self, items: list[tuple[str, list[str]]]) -> list[Prediction | None]:
        if self.classifier is None or not items:
            return [None] * len(items)
        try:
            return list(self.classifier.predict_batch(items))
        except Exception:  # noqa: BLE001 - a broken model must not stop the board streaming
            self.classify_errors += 1
            log.exception("classifier failed on %d message(s)", len(items))
            return [None] * len(items)

    def _previous(self, conversation_id: str) -> list[str]:
        return [t.text for t in self.monitor.transcript(conversation_id)[-N_PREVIOUS:]]

    def handle(self, ev: p.Event, now: float) -> Update:
        m = self.monitor
        if isinstance(ev, p.Welcome):
            self.identity = Identity(ev.principal_id, ev.team, tuple(ev.agents))
            if ev.agents:
                # the lead's own id too: a chat they took over stays on their board
                m.team_agents = frozenset((*ev.agents, ev.principal_id))
            return Update()
        if isinstance(ev, p.Snapshot):
            return self._snapshot(ev, now)
        if isinstance(ev, p.ConversationOpened):
            return self._opened(ev)
        if isinstance(ev, p.Message):
            pred = None
            if ev.role == "customer":
                pred = self._classify([(ev.text, self._previous(ev.conversation_id))])[0]
            return m.message(ev.conversation_id, ev.message_id, ev.role, ev.text, ev.ts.timestamp(), pred)
        if isinstance(ev, p.ConversationAssigned):
            if ev.conversation is not None and m.row(ev.conversation_id) is None:
                self._conversation(ev.conversation, now)
            u = m.assigned(ev.conversation_id, ev.agent_id, now)
            if ev.reason == "takeover" or (ev.by and ev.agent_id == ev.by):
                u = merge([u, m.taken_over(ev.conversation_id, ev.by or ev.agent_id)])
            return u
        if isinstance(ev, p.ConversationClosed):
            return m.closed(ev.conversation_id, ev.closed_at.timestamp())
        if isinstance(ev, p.Context):
            return m.context(ev.conversation_id, ev.context, now)
        if isinstance(ev, p.AlertAcked):
            return m.acknowledge(ev.conversation_id, ev.ts.timestamp(), by=ev.by)
        return Update()

    def _opened(self, ev: p.ConversationOpened) -> Update:
        return self.monitor.opened(ev.conversation_id, ev.agent_id, ev.opened_at.timestamp(), ev.customer_id,
                                   ev.nick, ev.channel, ev.shop)

    def _conversation(self, snap: p.ConversationSnapshot, now: float) -> Update:
        m = self.monitor
        ups = [self._opened(snap.opened)]
        cid = snap.opened.conversation_id
        msgs = list(snap.messages)
        # classify the history in one batch; previous turns come from the history itself
        texts = [msg.text for msg in msgs]
        items = [(msg.text, texts[max(0, i - N_PREVIOUS):i]) for i, msg in enumerate(msgs) if msg.role == "customer"]
        preds = iter(self._classify(items))
        for msg in msgs:
            pred = next(preds) if msg.role == "customer" else None
            ups.append(m.message(cid, msg.message_id, msg.role, msg.text, msg.ts.timestamp(), pred))
        if snap.context is not None:
            ups.append(m.context(cid, snap.context, now))
        return merge(ups)

    def _snapshot(self, ev: p.Snapshot, now: float) -> Update:
        m = self.monitor
        keep = {c.opened.conversation_id for c in ev.conversations}
        # chats we showed that are not in the snapshot ended while we were away
        ups = [m.closed(cid, now) for cid in [r.conversation_id for r in m.rows(now)] if cid not in keep]
        ups.extend(self._conversation(c, now) for c in ev.conversations)
        return merge(ups)
