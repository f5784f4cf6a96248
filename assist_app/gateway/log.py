"""Durable gateway state behind one small interface: the per-subscription replay log and the open
conversations (routing + recent messages + message ids already accepted).

`SqliteStreamLog` keeps it in a sidecar SQLite file next to the store so a killed gateway restarts with
every seq it ever handed out; `MemoryStreamLog` is the same without a file. Another engine (Redis Streams
with explicit entry ids, PostgreSQL) is a new subclass: the gateway only calls the methods below, from its
event-loop thread, and expects `commit` to be durable when it returns (events are written before they are
delivered, so a client never holds a seq the gateway forgot).
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path


class StreamLogError(Exception):
    """The replay log file cannot be opened or read; the message names the file."""


@dataclass(frozen=True)
class LogEntry:
    sub: str          # subscriber id (agent or lead id)
    seq: int
    frame: str        # the encoded event, seq included, ready to send


@dataclass(frozen=True)
class ConvRow:
    conversation_id: str
    opened: str       # encoded conversation.opened (with the current owner)
    owner: str
    team: str
    is_open: bool
    context: str | None = None   # encoded CustomerContext JSON, latest


@dataclass(frozen=True)
class MsgRow:
    message_id: str
    conversation_id: str
    frame: str        # encoded message event without seq


@dataclass
class LoadedState:
    heads: dict[str, int] = field(default_factory=dict)
    firsts: dict[str, int] = field(default_factory=dict)
    conversations: list[ConvRow] = field(default_factory=list)      # open ones
    messages: dict[str, list[str]] = field(default_factory=dict)    # conversation -> recent frames, oldest first


class StreamLog(ABC):
    def __init__(self, replay_size: int = 5000, recent_messages: int = 100):
        self.replay_size = max(1, replay_size)
        self.recent_messages = recent_messages
        self._firsts: dict[str, int] = {}
        self._heads: dict[str, int] = {}

    @abstractmethod
    def load(self) -> LoadedState: ...

    @abstractmethod
    def commit(self, entries: list[LogEntry], convs: list[ConvRow], messages: list[MsgRow]) -> None: ...

    @abstractmethod
    def _read(self, sub: str, after: int, upto: int) -> list[str]: ...

    def read(self, sub: str, after: int, upto: int) -> list[str] | None:
        """Frames with after < seq <= upto, or None when some of them were already trimmed (gap too old)."""
        if upto <= after:
            return []
        first = self._firsts.get(sub, 1)
        if after + 1 < first:
            return None
        return self._read(sub, after, upto)

    def closed_conversations(self) -> list[tuple[str, str, str]]:
        """(conversation_id, owner, team) of the most recently closed conversations (a warm cache)."""
        return []

    @abstractmethod
    def closed_conversation(self, conversation_id: str) -> tuple[str, str] | None:
        """(owner, team) if this conversation was closed, else None."""

    @abstractmethod
    def has_message(self, message_id: str) -> bool:
        """Whether a message with this id was ever committed (recognises retries of old messages)."""

    def first_seq(self, sub: str) -> int:
        return self._firsts.get(sub, 1)

    def close(self) -> None:  # noqa: B027 - optional hook
        pass

    def _note(self, entries: list[LogEntry]) -> dict[str, int]:
        """Track heads; return per-sub new first seq when trimming is due."""
        trim: dict[str, int] = {}
        for e in entries:
            self._heads[e.sub] = e.seq
            self._firsts.setdefault(e.sub, e.seq)
        for sub in {e.sub for e in entries}:
            head, first = self._heads[sub], self._firsts[sub]
            # trim in chunks (10 % slack) so we do not delete on every commit
            if head - first + 1 > self.replay_size + max(1, self.replay_size // 10):
                trim[sub] = head - self.replay_size + 1
                self._firsts[sub] = trim[sub]
        return trim


class MemoryStreamLog(StreamLog):
    """Not durable across restarts; for tests and throwaway gateways."""

    def __init__(self, replay_size: int = 5000, recent_messages: int = 100):
        super().__init__(replay_size, recent_messages)
        self._log: dict[str, deque[tuple[int, str]]] = defaultdict(deque)
        self._closed: dict[str, tuple[str, str]] = {}
        self._msgs: set[str] = set()

    def load(self) -> LoadedState:
        return LoadedState()

    def closed_conversation(self, conversation_id: str) -> tuple[str, str] | None:
        return self._closed.get(conversation_id)

    def has_message(self, message_id: str) -> bool:
        return message_id in self._msgs

    def commit(self, entries: list[LogEntry], convs: list[ConvRow], messages: list[MsgRow]) -> None:
        for c in convs:
            if not c.is_open:
                self._closed[c.conversation_id] = (c.owner, c.team)
        self._msgs.update(m.message_id for m in messages)
        for e in entries:
            self._log[e.sub].append((e.seq, e.frame))
        for sub, first in self._note(entries).items():
            q = self._log[sub]
            while q and q[0][0] < first:
                q.popleft()

    def _read(self, sub: str, after: int, upto: int) -> list[str]:
        return [f for s, f in self._log.get(sub, ()) if after < s <= upto]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS gw_events (
    sub TEXT NOT NULL, seq INTEGER NOT NULL, frame TEXT NOT NULL, PRIMARY KEY (sub, seq));
CREATE TABLE IF NOT EXISTS gw_conversations (
    conversation_id TEXT PRIMARY KEY, opened TEXT NOT NULL, owner TEXT NOT NULL, team TEXT NOT NULL,
    is_open INTEGER NOT NULL, context TEXT);
CREATE TABLE IF NOT EXISTS gw_messages (
    message_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, frame TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS gw_messages_conv ON gw_messages (conversation_id);
"""


class SqliteStreamLog(StreamLog):
    """Sidecar SQLite file (WAL). Recent frames of each subscription are also kept in memory so a resume
    after a short disconnect never touches the disk."""

    RING = 512

    def __init__(self, path: str | Path, replay_size: int = 5000, recent_messages: int = 100):
        super().__init__(replay_size, recent_messages)
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a committed transaction survives a killed process (not a power cut)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StreamLogError(f"replay log {self.path} is not usable ({exc}); move it away to start a fresh "
                                 "log (clients then get snapshots)") from None
        self._ring: dict[str, deque[tuple[int, str]]] = defaultdict(lambda: deque(maxlen=self.RING))

    def load(self) -> LoadedState:
        try:
            return self._load()
        except sqlite3.Error as exc:
            raise StreamLogError(f"replay log {self.path} cannot be read ({exc})") from None

    def _load(self) -> LoadedState:
        st = LoadedState()
        for sub, lo, hi in self._db.execute("SELECT sub, MIN(seq), MAX(seq) FROM gw_events GROUP BY sub"):
            st.heads[sub] = hi
            st.firsts[sub] = lo
        self._heads.update(st.heads)
        self._firsts.update(st.firsts)
        for row in self._db.execute(
                "SELECT conversation_id, opened, owner, team, is_open, context FROM gw_conversations "
                "WHERE is_open = 1 ORDER BY rowid"):
            st.conversations.append(ConvRow(row[0], row[1], row[2], row[3], bool(row[4]), row[5]))
        for c in st.conversations:
            rows = self._db.execute(
                "SELECT frame FROM gw_messages WHERE conversation_id = ? ORDER BY rowid DESC LIMIT ?",
                (c.conversation_id, self.recent_messages)).fetchall()
            st.messages[c.conversation_id] = [r[0] for r in reversed(rows)]
        return st

    def commit(self, entries: list[LogEntry], convs: list[ConvRow], messages: list[MsgRow]) -> None:
        trim = self._note(entries)
        db = self._db
        db.execute("BEGIN")
        try:
            db.executemany("INSERT OR REPLACE INTO gw_events (sub, seq, frame) VALUES (?, ?, ?)",
                           [(e.sub, e.seq, e.frame) for e in entries])
            if convs:
                db.executemany(
                    "INSERT OR REPLACE INTO gw_conversations "
                    "(conversation_id, opened, owner, team, is_open, context) VALUES (?, ?, ?, ?, ?, ?)",
                    [(c.conversation_id, c.opened, c.owner, c.team, int(c.is_open), c.context) for c in convs])
            if messages:
                db.executemany("INSERT OR IGNORE INTO gw_messages (message_id, conversation_id, frame) "
                               "VALUES (?, ?, ?)", [(m.message_id, m.conversation_id, m.frame) for m in messages])
            for sub, first in trim.items():
                db.execute("DELETE FROM gw_events WHERE sub = ? AND seq < ?", (sub, first))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        for e in entries:
            self._ring[e.sub].append((e.seq, e.frame))

    def closed_conversations(self, limit: int = 20_000) -> list[tuple[str, str, str]]:
        return [tuple(r) for r in self._db.execute(
            "SELECT conversation_id, owner, team FROM gw_conversations WHERE is_open = 0 "
            "ORDER BY rowid DESC LIMIT ?", (limit,))]

    def closed_conversation(self, conversation_id: str) -> tuple[str, str] | None:
        row = self._db.execute("SELECT owner, team FROM gw_conversations WHERE conversation_id = ? AND is_open = 0",
                               (conversation_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def has_message(self, message_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM gw_messages WHERE message_id = ?", (message_id,)).fetchone() \
            is not None

    def _read(self, sub: str, after: int, upto: int) -> list[str]:
        ring = self._ring.get(sub)
        if ring and ring[0][0] <= after + 1:
            return [f for s, f in ring if after < s <= upto]
        rows = self._db.execute("SELECT frame FROM gw_events WHERE sub = ? AND seq > ? AND seq <= ? ORDER BY seq",
                                (sub, after, upto)).fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        try:
            self._db.close()
        except sqlite3.Error:
            pass
