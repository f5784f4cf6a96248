"""Alert policy for the team lead. Pure: the caller passes the time and acts on the decisions.

Rules (issue 6):
- a conversation whose risk level rises to ``warn`` or ``critical`` raises an alert with its reasons;
- never more than one alert (hence notification) per conversation per level, for the whole day: a chat
  that calms down and flares up again does not notify again at a level it already notified;
- jumping straight to ``critical`` raises only the critical alert (warn counts as spent);
- acknowledging clears every active alert of the conversation; closing the chat clears them too;
- no storms: desktop notifications and sounds go through global token buckets; an alert over budget is
  still in the feed, just silent (the feed is the record, the notification is only a nudge).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

LEVELS: tuple[str, ...] = ("info", "warn", "critical")
LEVEL_RANK = {lv: i for i, lv in enumerate(LEVELS)}
ALERT_LEVELS = ("warn", "critical")


def level_rank(level: str) -> int:
    try:
        return LEVEL_RANK[level]
    except KeyError:
        raise ValueError(f"unknown risk level {level!r}; expected one of {LEVELS}") from None


@dataclass(frozen=True)
class Alert:
    conversation_id: str
    level: str  # warn | critical
    score: float
    reasons: tuple[str, ...]
    agent_id: str
    customer: str  # nick, display only
    raised_at: float
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None

    @property
    def alert_id(self) -> str:
        return f"{self.conversation_id}:{self.level}"


@dataclass(frozen=True)
class AlertDecision:
    alert: Alert
    notify: bool  # show a desktop notification / toast now
    sound: bool  # play a sound now


class RateLimiter:
    """Token bucket: ``burst`` events at once, then one every ``interval_s`` seconds."""

    def __init__(self, interval_s: float, burst: int = 1) -> None:
        if interval_s < 0 or burst < 1:
            raise ValueError("interval_s must be >= 0 and burst >= 1")
        self.interval_s = interval_s
        self.burst = burst
        self._tokens = float(burst)
        self._last: float | None = None

    def allow(self, now: float) -> bool:
        if self._last is not None and self.interval_s > 0:
            self._tokens = min(self.burst, self._tokens + max(0.0, now - self._last) / self.interval_s)
        elif self.interval_s == 0:
            self._tokens = float(self.burst)
        self._last = now if self._last is None else max(self._last, now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


@dataclass(frozen=True)
class AlertConfig:
    sound_levels: frozenset[str] = frozenset({"critical"})
    sound_interval_s: float = 15.0  # at most one sound per 15 s after the first...
    sound_burst: int = 1  # ...and never two at once
    notify_interval_s: float = 5.0
    notify_burst: int = 3


class AlertPolicy:
    def __init__(self, config: AlertConfig | None = None) -> None:
        self.config = config or AlertConfig()
        self._spent: dict[str, int] = {}  # conversation -> highest level rank already alerted
        self._active: dict[str, Alert] = {}  # conversation -> its current unacknowledged alert
        self._history: list[Alert] = []  # every alert raised today, latest state, in order
        self._sound = RateLimiter(self.config.sound_interval_s, self.config.sound_burst)
        self._notify = RateLimiter(self.config.notify_interval_s, self.config.notify_burst)
        self.suppressed_notifications = 0
        self.suppressed_sounds = 0

    def observe(self, conversation_id: str, level: str, score: float, reasons: tuple[str, ...] | list[str],
                now: float, agent_id: str = "", customer: str = "") -> AlertDecision | None:
        """Feed the latest risk of a conversation; returns a decision only when a new alert is raised."""
        rank = level_rank(level)
        active = self._active.get(conversation_id)
        if active is not None and level_rank(active.level) == rank:
            # same level still active: keep its reasons current, no new alert
            self._replace(replace(active, score=score, reasons=tuple(reasons), agent_id=agent_id or active.agent_id))
            return None
        if rank < LEVEL_RANK["warn"] or rank <= self._spent.get(conversation_id, 0):
            return None
        self._spent[conversation_id] = rank
        alert = Alert(conversation_id, level, score, tuple(reasons), agent_id, customer, now)
        self._active[conversation_id] = alert  # a critical alert supersedes an active warn one
        self._history.append(alert)
        notify = self._notify.allow(now)
        sound = level in self.config.sound_levels and self._sound.allow(now)
        self.suppressed_notifications += not notify
        self.suppressed_sounds += level in self.config.sound_levels and not sound
        return AlertDecision(alert, notify, sound)

    def _replace(self, alert: Alert) -> None:
        self._active[alert.conversation_id] = alert
        for i in range(len(self._history) - 1, -1, -1):
            if self._history[i].alert_id == alert.alert_id:
                self._history[i] = alert
                break

    def acknowledge(self, conversation_id: str, now: float, by: str = "") -> Alert | None:
        """Clear the conversation's active alert; returns it (acknowledged) or None if there was none."""
        active = self._active.pop(conversation_id, None)
        if active is None:
            return None
        acked = replace(active, acknowledged_at=now, acknowledged_by=by or None)
        self._active.pop(conversation_id, None)
        for i in range(len(self._history) - 1, -1, -1):
            if self._history[i].alert_id == acked.alert_id:
                self._history[i] = acked
                break
        return acked

    def close(self, conversation_id: str) -> Alert | None:
        """The chat ended: its alert leaves the feed (still in history)."""
        return self._active.pop(conversation_id, None)

    def reassign(self, conversation_id: str, agent_id: str) -> None:
        active = self._active.get(conversation_id)
        if active is not None:
            self._replace(replace(active, agent_id=agent_id))

    def active(self) -> list[Alert]:
        """Unacknowledged alerts, critical first, newest first within a level."""
        return sorted(self._active.values(), key=lambda a: (-level_rank(a.level), -a.raised_at))

    def active_for(self, conversation_id: str) -> Alert | None:
        return self._active.get(conversation_id)

    def history(self) -> list[Alert]:
        return list(self._history)

    def alerted(self, conversation_id: str) -> str | None:
        """Highest level this conversation ever alerted at today (flagged chats), or None."""
        rank = self._spent.get(conversation_id)
        return LEVELS[rank] if rank else None
