"""Live statistics of the day for the team lead. Pure: events and times come in as arguments.

Definitions (shown in the UI tooltips too):
- top intents (问答统计): customer messages of the day per intent, most frequent first, with surges;
- emotion distribution: customer messages of the day per emotion;
- first-response time: from a conversation's first customer message to the first agent message after it,
  credited to the agent assigned when that reply was sent (bot/system messages do not count);
- handled: conversations closed today; open: conversations live now;
- flagged share: conversations seen today that ever raised a warn or critical alert, over all of them.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from assist_app.lead.surge import IntentRates, Surge, SurgeConfig
from assist_app.nlp.labels import EMOTIONS


@dataclass(frozen=True)
class IntentCount:
    intent: str
    count: int
    share: float  # of all classified customer messages today
    surge: Surge | None = None


@dataclass(frozen=True)
class AgentStats:
    agent_id: str
    open: int
    handled: int
    first_responses: int  # conversations with a measured first response
    frt_mean_s: float | None
    frt_median_s: float | None
    awaiting_first_response: int  # open chats whose customer has not had a first reply yet


@dataclass(frozen=True)
class StatsSnapshot:
    at: float
    top_intents: tuple[IntentCount, ...]
    surges: tuple[Surge, ...]
    emotions: dict[str, int]
    agents: tuple[AgentStats, ...]
    total: int  # conversations seen today
    open: int
    handled: int
    flagged: int
    critical: int
    classified_messages: int

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.total if self.total else 0.0


@dataclass
class _Conv:
    agent_id: str
    opened_at: float
    closed_at: float | None = None
    first_customer_ts: float | None = None
    first_response_s: float | None = None
    flagged: str | None = None  # highest alert level reached


@dataclass
class _Agent:
    frt: list[float] = field(default_factory=list)
    handled: int = 0


class DayStats:
    def __init__(self, day_start: float, surge: SurgeConfig | None = None) -> None:
        self.day_start = day_start
        self._convs: dict[str, _Conv] = {}
        self._agents: dict[str, _Agent] = {}
        self._intents: Counter[str] = Counter()
        self._emotions: Counter[str] = Counter({e: 0 for e in EMOTIONS})
        self._rates = IntentRates(surge, start=None)

    def _conv(self, conversation_id: str, agent_id: str = "", ts: float = 0.0) -> _Conv:
        c = self._convs.get(conversation_id)
        if c is None:
            c = self._convs[conversation_id] = _Conv(agent_id, ts)
        if agent_id:
            self._agents.setdefault(agent_id, _Agent())
        return c

    def opened(self, conversation_id: str, agent_id: str, ts: float) -> None:
        c = self._conv(conversation_id, agent_id, ts)
        c.agent_id = agent_id or c.agent_id
        c.closed_at = None

    def assigned(self, conversation_id: str, agent_id: str, ts: float) -> None:
        self._conv(conversation_id, agent_id, ts).agent_id = agent_id

    def closed(self, conversation_id: str, ts: float) -> None:
        c = self._conv(conversation_id, ts=ts)
        if c.closed_at is None:
            c.closed_at = ts
            if c.agent_id:
                self._agents.setdefault(c.agent_id, _Agent()).handled += 1

    def customer_message(self, conversation_id: str, ts: float, intent: str | None = None,
                         emotion: str | None = None) -> None:
        c = self._conv(conversation_id, ts=ts)
        if c.first_customer_ts is None:
            c.first_customer_ts = ts
        if intent:
            self._intents[intent] += 1
            self._rates.add(intent, ts)
        if emotion:
            self._emotions[emotion] += 1

    def agent_message(self, conversation_id: str, ts: float) -> None:
        c = self._conv(conversation_id, ts=ts)
        if c.first_customer_ts is not None and c.first_response_s is None and ts >= c.first_customer_ts:
            c.first_response_s = ts - c.first_customer_ts
            if c.agent_id:
                self._agents.setdefault(c.agent_id, _Agent()).frt.append(c.first_response_s)

    def flagged(self, conversation_id: str, level: str) -> None:
        c = self._conv(conversation_id)
        if c.flagged != "critical":
            c.flagged = level

    def snapshot(self, now: float, top_n: int = 10) -> StatsSnapshot:
        surges = self._rates.surges(now)
        by_intent = {s.intent: s for s in surges}
        total_msgs = sum(self._intents.values())
        top = tuple(
            IntentCount(i, n, n / total_msgs if total_msgs else 0.0, by_intent.get(i))
            for i, n in sorted(self._intents.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
        )
        agents = []
        for aid in sorted(self._agents):
            a = self._agents[aid]
            mine = [c for c in self._convs.values() if c.agent_id == aid and c.closed_at is None]
            agents.append(AgentStats(
                aid, len(mine), a.handled, len(a.frt),
                statistics.fmean(a.frt) if a.frt else None,
                statistics.median(a.frt) if a.frt else None,
                sum(1 for c in mine if c.first_customer_ts is not None and c.first_response_s is None),
            ))
        convs = self._convs.values()
        return StatsSnapshot(
            at=now, top_intents=top, surges=tuple(surges), emotions=dict(self._emotions),
            agents=tuple(agents), total=len(self._convs),
            open=sum(1 for c in convs if c.closed_at is None),
            handled=sum(1 for c in convs if c.closed_at is not None),
            flagged=sum(1 for c in convs if c.flagged), critical=sum(1 for c in convs if c.flagged == "critical"),
            classified_messages=total_msgs,
        )
