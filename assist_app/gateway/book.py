"""The gateway's in-memory view of the open conversations: who owns each one, its team, its recent
messages and latest customer context. Enough to route events and to build snapshots; nothing else."""

from __future__ import annotations

import dataclasses
import json
from collections import deque
from dataclasses import dataclass, field

from assist_app import protocol as p
from assist_app.domain import CustomerContext


@dataclass
class Conv:
    opened: p.ConversationOpened              # agent_id kept equal to the current owner
    team: str
    messages: deque[p.Message] = field(default_factory=deque)
    context: CustomerContext | None = None
    message_ids: set[str] = field(default_factory=set)   # every id accepted while open (de-dup)
    # encoded forms, made once, so a snapshot of hundreds of conversations is string joins, not encoding
    context_json: str | None = None
    message_frames: deque[str] = field(default_factory=deque)

    def set_context(self, ctx: CustomerContext, encoded: str | None = None) -> None:
        self.context = ctx
        self.context_json = encoded if encoded is not None else json.dumps(ctx.to_dict(), ensure_ascii=False,
                                                                          separators=(",", ":"))

    def snapshot_json(self) -> str:
        """This conversation as the JSON of a ConversationSnapshot (same as snapshot().to_dict())."""
        return (f'{{"opened":{p.encode(self.opened)},"messages":[{",".join(self.message_frames)}],'
                f'"context":{self.context_json or "null"}}}')

    @property
    def owner(self) -> str:
        return self.opened.agent_id

    def snapshot(self) -> p.ConversationSnapshot:
        return p.ConversationSnapshot(opened=self.opened, messages=list(self.messages), context=self.context)


class Book:
    def __init__(self, recent_messages: int = 100):
        self.recent = recent_messages
        self.convs: dict[str, Conv] = {}

    def get(self, conversation_id: str) -> Conv | None:
        return self.convs.get(conversation_id)

    def open(self, ev: p.ConversationOpened) -> Conv:
        c = Conv(opened=dataclasses.replace(ev, seq=None, id=None), team=ev.team,
                 messages=deque(maxlen=self.recent), message_frames=deque(maxlen=self.recent))
        self.convs[ev.conversation_id] = c
        return c

    def add_message(self, ev: p.Message, frame: str | None = None) -> None:
        """``frame``: ``protocol.encode`` of the message without seq/id, if the caller has it already."""
        c = self.convs.get(ev.conversation_id)
        if c is not None:
            m = dataclasses.replace(ev, seq=None, id=None)
            c.messages.append(m)
            c.message_frames.append(frame if frame is not None else p.encode(m))

    def assign(self, conversation_id: str, owner: str) -> Conv | None:
        c = self.convs.get(conversation_id)
        if c is not None:
            c.opened = dataclasses.replace(c.opened, agent_id=owner)
        return c

    def close(self, conversation_id: str) -> Conv | None:
        return self.convs.pop(conversation_id, None)

    def visible_to(self, role: str, pid: str, team: str) -> list[Conv]:
        if role == "lead":
            return [c for c in self.convs.values() if c.team == team]
        return [c for c in self.convs.values() if c.owner == pid]

    # ---- persistence helpers
    def restore(self, opened_frame: str, team: str, context_json: str | None, message_frames: list[str]) -> None:
        ev = p.decode(opened_frame, max_bytes=None)
        assert isinstance(ev, p.ConversationOpened)
        c = self.open(ev)
        c.team = team
        if context_json:
            c.set_context(CustomerContext.from_dict(json.loads(context_json)), context_json)
        for f in message_frames:
            m = p.decode(f, max_bytes=None)
            if isinstance(m, p.Message):
                c.messages.append(m)
                c.message_frames.append(f)
                c.message_ids.add(m.message_id)
