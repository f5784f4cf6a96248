"""The team board: every live conversation of the lead's team, its risk, the alerts and the day's statistics.

`LeadMonitor` is the one object the lead UI feeds with stream events (already decoded and classified) and
asks for what to paint. Pure and single-threaded by design: the UI keeps it on one worker thread and
hands immutable snapshots (`ConversationRow`, `Alert`, `StatsSnapshot`) to the Qt thread.
The risk score is H3's engine (assist_app.core), reached through `assist_app.lead.risk`; no second model here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from assist_app.core.state import ConversationState
from assist_app.core.types import Risk, Turn
from assist_app.domain import CustomerContext
from assist_app.lead.alerts import LEVEL_RANK, Alert, AlertConfig, AlertDecision, AlertPolicy, level_rank
from assist_app.lead.stats import DayStats, StatsSnapshot
from assist_app.lead.surge import SurgeConfig
from assist_app.nlp.types import Prediction

TREND_LEN = 12  # emotion trend points kept per conversation (customer messages)


@dataclass
class LiveConversation:
    """Mutable per-conversation record owned by the monitor (never handed to the UI thread).

    The chat itself lives in H3's `ConversationState` (turns, labels, smoothed trend, wait), the very state
    the agent's sidebar scores, so the lead sees the same risk the agent's banner shows."""

    conversation_id: str
    agent_id: str
    customer_id: str = ""
    nick: str = ""
    channel: str = ""
    shop: str = ""
    opened_at: float = 0.0
    state: ConversationState = field(default_factory=ConversationState)
    message_ids: set[str] = field(default_factory=set)
    waiting_since: float | None = None  # first unanswered customer message (epoch seconds)
    context: CustomerContext | None = None
    risk: Risk = field(default_factory=lambda: Risk(0, "info", []))
    last_ts: float = 0.0
    taken_over_by: str = ""

    def wait_s(self, now: float) -> float:
        return max(0.0, now - self.waiting_since) if self.waiting_since is not None else 0.0

    transcript: list[Turn] = field(default_factory=list)  # every line incl. bot/system (the state has only
    # customer and agent turns: a bot line is not an answer)


RiskFn = Callable[[LiveConversation, float, str], Risk]


@dataclass(frozen=True)
class ConversationRow:
    """What the lead window paints for one live conversation (immutable snapshot)."""

    conversation_id: str
    agent_id: str
    customer_id: str
    nick: str
    channel: str
    shop: str
    opened_at: float
    waiting_since: float | None
    last_text: str
    last_role: str
    messages: int
    intent: str | None
    intent_confidence: float
    uncertain: bool
    emotion: str | None
    emotion_trend: tuple[float, ...]  # negative-emotion score per customer message, oldest first
    risk_score: int
    risk_level: str
    risk_reasons: tuple[str, ...]
    alert_level: str | None  # level of the active (unacknowledged) alert, if any
    taken_over_by: str = ""

    def wait_s(self, now: float) -> float:
        return max(0.0, now - self.waiting_since) if self.waiting_since is not None else 0.0


@dataclass(frozen=True)
class Update:
    """What changed after one event: rows to repaint, rows gone, alerts raised/cleared."""

    rows: tuple[ConversationRow, ...] = ()
    removed: tuple[str, ...] = ()
    raised: tuple[AlertDecision, ...] = ()
    cleared: tuple[Alert, ...] = ()
    alerts: tuple[Alert, ...] | None = None  # the whole active feed, when it changed wholesale (language)

    def __bool__(self) -> bool:
        return bool(self.rows or self.removed or self.raised or self.cleared or self.alerts is not None)


def rank_key(row: ConversationRow, now: float) -> tuple:
    """Riskiest first; ties: higher level, active alert, longer wait, then id (stable order)."""
    return (-row.risk_score, -LEVEL_RANK.get(row.risk_level, 0), row.alert_level is None, -row.wait_s(now),
            row.conversation_id)


def rank(rows: Iterable[ConversationRow], now: float, agent: str | None = None,
         min_level: str | None = None) -> list[ConversationRow]:
    """Filter by agent and minimum level, then sort by risk."""
    floor = level_rank(min_level) if min_level else 0
    out = [r for r in rows if (agent is None or r.agent_id == agent) and LEVEL_RANK.get(r.risk_level, 0) >= floor]
    out.sort(key=lambda r: rank_key(r, now))
    return out


class LeadMonitor:
    def __init__(self, risk_fn: RiskFn | None = None, day_start: float = 0.0, lang: str = "zh",
                 alerts: AlertConfig | None = None, surge: SurgeConfig | None = None,
                 team_agents: Iterable[str] | None = None) -> None:
        if risk_fn is None:
            from assist_app.lead.risk import core_risk

            risk_fn = core_risk
        self._risk_fn = risk_fn
        self.lang = lang
        self.alerts = AlertPolicy(alerts)
        self.stats = DayStats(day_start, surge)
        self._surge_cfg = surge
        self._convs: dict[str, LiveConversation] = {}
        # Defence in depth: the gateway already scopes a lead to their team; if we know the team, we drop
        # anything else instead of showing it.
        self.team_agents = frozenset(team_agents) if team_agents else None
        self.dropped_foreign = 0

    # ---- events -------------------------------------------------------------------------------------------
    def _allowed(self, agent_id: str) -> bool:
        if self.team_agents is None or not agent_id or agent_id in self.team_agents:
            return True
        self.dropped_foreign += 1
        return False

    def opened(self, conversation_id: str, agent_id: str, ts: float, customer_id: str = "", nick: str = "",
               channel: str = "", shop: str = "") -> Update:
        if not self._allowed(agent_id):
            return Update()
        c = self._convs.get(conversation_id)
        if c is None:
            c = self._convs[conversation_id] = LiveConversation(conversation_id, agent_id, opened_at=ts, last_ts=ts)
        c.agent_id = agent_id or c.agent_id
        c.customer_id = customer_id or c.customer_id
        c.nick = nick or c.nick
        c.channel = channel or c.channel
        c.shop = shop or c.shop
        self.stats.opened(conversation_id, c.agent_id, ts)
        return Update(rows=(self._row(c),))

    def context(self, conversation_id: str, ctx: CustomerContext, now: float) -> Update:
        c = self._convs.get(conversation_id)
        if c is None:
            return Update()
        c.context = ctx
        if not c.nick and ctx.customer is not None:
            c.nick = getattr(ctx.customer, "nick", "") or c.nick
        return self._rescore(c, now)

    def message(self, conversation_id: str, message_id: str, role: str, text: str, ts: float,
                prediction: Prediction | None = None, agent_id: str = "") -> Update:
        """A message of any role. Customer messages carry their classifier label (None if unavailable)."""
        c = self._convs.get(conversation_id)
        if c is None:
            # message before/without conversation.opened (e.g. joined mid-stream): open it implicitly
            if not self._allowed(agent_id):
                return Update()
            self.opened(conversation_id, agent_id, ts)
            c = self._convs[conversation_id]
        if message_id and message_id in c.message_ids:
            return Update()  # de-dup (replay after reconnect)
        if message_id:
            c.message_ids.add(message_id)
        turn = Turn(role, text, datetime.fromtimestamp(ts, UTC), message_id)
        c.last_ts = max(c.last_ts, ts)
        c.transcript.append(turn)
        if role == "customer":
            c.state.add_customer(turn, prediction)
            if c.waiting_since is None:
                c.waiting_since = ts
            self.stats.customer_message(conversation_id, ts, prediction.intent if prediction else None,
                                        prediction.emotion if prediction else None)
            return self._rescore(c, ts)
        if role == "agent":
            c.state.add_agent(turn)
            c.waiting_since = None
            self.stats.agent_message(conversation_id, ts)
            return self._rescore(c, ts)
        return Update(rows=(self._row(c),))

    def assigned(self, conversation_id: str, agent_id: str, ts: float) -> Update:
        c = self._convs.get(conversation_id)
        if c is None:
            return Update()
        if not self._allowed(agent_id):
            # moved to another team: it leaves this board
            return self.closed(conversation_id, ts)
        c.agent_id = agent_id
        self.stats.assigned(conversation_id, agent_id, ts)
        self.alerts.reassign(conversation_id, agent_id)
        return Update(rows=(self._row(c),))

    def taken_over(self, conversation_id: str, lead_id: str) -> Update:
        c = self._convs.get(conversation_id)
        if c is None:
            return Update()
        c.taken_over_by = lead_id
        return Update(rows=(self._row(c),))

    def closed(self, conversation_id: str, ts: float) -> Update:
        c = self._convs.pop(conversation_id, None)
        if c is None:
            return Update()
        self.stats.closed(conversation_id, ts)
        gone = self.alerts.close(conversation_id)
        return Update(removed=(conversation_id,), cleared=(gone,) if gone else ())

    def acknowledge(self, conversation_id: str, now: float, by: str = "") -> Update:
        acked = self.alerts.acknowledge(conversation_id, now, by)
        if acked is None:
            return Update()
        c = self._convs.get(conversation_id)
        return Update(rows=(self._row(c),) if c else (), cleared=(acked,))

    def tick(self, now: float) -> Update:
        """Re-score chats whose customer is waiting (wait time feeds the risk) — call every few seconds."""
        rows: list[ConversationRow] = []
        raised: list[AlertDecision] = []
        for c in list(self._convs.values()):
            if c.waiting_since is None:
                continue
            u = self._rescore(c, now)
            rows.extend(u.rows)
            raised.extend(u.raised)
        return Update(rows=tuple(rows), raised=tuple(raised))

    def set_language(self, lang: str, now: float) -> Update:
        """Reasons are localised by the engine: re-score every chat (alerts are not re-raised)."""
        self.lang = lang
        rows = [self._rescore(c, now).rows[0] for c in list(self._convs.values())]
        return Update(rows=tuple(rows), alerts=tuple(self.alerts.active()))

    # ---- scoring --------------------------------------------------------------------------------------------
    def _rescore(self, c: LiveConversation, now: float) -> Update:
        if c.state.customer_turns:
            c.risk = self._risk_fn(c, now, self.lang)
        decision = self.alerts.observe(c.conversation_id, c.risk.level, c.risk.score, c.risk.reasons, now,
                                       agent_id=c.agent_id, customer=c.nick or c.customer_id)
        if decision is not None:
            self.stats.flagged(c.conversation_id, decision.alert.level)
        return Update(rows=(self._row(c),), raised=(decision,) if decision else ())

    # ---- views ------------------------------------------------------------------------------------------------
    def _row(self, c: LiveConversation) -> ConversationRow:
        last = c.transcript[-1] if c.transcript else None
        pred = c.state.last
        trend = tuple(c.state.trend[-TREND_LEN:])
        active = self.alerts.active_for(c.conversation_id)
        return ConversationRow(
            c.conversation_id, c.agent_id, c.customer_id, c.nick, c.channel, c.shop, c.opened_at, c.waiting_since,
            last.text if last else "", last.role if last else "", len(c.transcript),
            pred.intent if pred else None, pred.intent_confidence if pred else 0.0,
            pred.uncertain if pred else True, pred.emotion if pred else None, trend,
            int(c.risk.score), c.risk.level, tuple(c.risk.reasons), active.level if active else None,
            c.taken_over_by,
        )

    def row(self, conversation_id: str) -> ConversationRow | None:
        c = self._convs.get(conversation_id)
        return self._row(c) if c else None

    def rows(self, now: float, agent: str | None = None, min_level: str | None = None) -> list[ConversationRow]:
        return rank((self._row(c) for c in self._convs.values()), now, agent, min_level)

    def transcript(self, conversation_id: str) -> list[Turn]:
        c = self._convs.get(conversation_id)
        return list(c.transcript) if c else []

    def agents(self) -> list[str]:
        return sorted({c.agent_id for c in self._convs.values() if c.agent_id})

    def snapshot_stats(self, now: float) -> StatsSnapshot:
        return self.stats.snapshot(now)

    def roll_day(self, day_start: float) -> None:
        """Midnight: the day's statistics start again; chats still open carry over as open (and flagged if
        their alert is still unacknowledged). The alert policy keeps its per-level memory for those chats."""
        if day_start <= self.stats.day_start:
            return
        self.stats = DayStats(day_start, self._surge_cfg)
        for c in self._convs.values():
            self.stats.opened(c.conversation_id, c.agent_id, max(c.opened_at, day_start))
            active = self.alerts.active_for(c.conversation_id)
            if active is not None:
                self.stats.flagged(c.conversation_id, active.level)

    def __len__(self) -> int:
        return len(self._convs)
