"""The lead board over H3's real risk engine: escalation → exactly one critical alert, ranking, filters, stats."""

from __future__ import annotations

import pytest

from assist_app.lead.board import LeadMonitor, rank
from assist_app.nlp.labels import EMOTIONS
from assist_app.nlp.types import Prediction


def P(intent: str, emotion: str, conf: float = 0.9) -> Prediction:
    ep = dict.fromkeys(EMOTIONS, (1 - conf) / 4)
    ep[emotion] = conf
    return Prediction(intent, conf, emotion, conf, {intent: conf}, ep)


ESCALATION = [
    ("customer", "你好，我的订单什么时候发货", P("shipping_urge", "neutral")),
    ("agent", "亲，正在为您安排", None),
    ("customer", "都三天了还没发货？", P("shipping_urge", "anxious")),
    ("customer", "人呢？？", P("shipping_urge", "angry")),
    ("customer", "什么破店，再不发货我就给差评投诉你们！", P("complaint", "angry")),
    ("customer", "我要找你们领导", P("escalate_request", "angry")),
    ("customer", "？？？", P("complaint", "angry")),
]

CALM = [
    ("customer", "这件冲锋衣有XL吗", P("stock", "neutral")),
    ("agent", "有的亲", None),
    ("customer", "好的谢谢", P("thanks_bye", "positive")),
]


def play(m: LeadMonitor, cid: str, script, t0: float = 0.0, step: float = 20.0):
    updates = []
    t = t0
    for i, (role, text, pred) in enumerate(script):
        t += step
        updates.append(m.message(cid, f"{cid}-m{i}", role, text, t, pred))
    return updates, t


def test_escalating_chat_raises_exactly_one_critical_alert_with_reasons():
    m = LeadMonitor()
    m.opened("c1", "a1", 0, "u1", "tb_小李")
    updates, t = play(m, "c1", ESCALATION)
    raised = [d for u in updates for d in u.raised]
    criticals = [d for d in raised if d.alert.level == "critical"]
    assert len(criticals) == 1
    alert = criticals[0].alert
    assert alert.conversation_id == "c1" and alert.agent_id == "a1" and alert.customer == "tb_小李"
    assert alert.reasons and all(isinstance(r, str) and r for r in alert.reasons)
    # the reasons point at what the customer said (wording is the engine's)
    assert any(frag in r for r in alert.reasons for frag in ("人呢", "发货", "差评", "投诉", "领导"))
    assert criticals[0].notify and criticals[0].sound
    assert [d.alert.level for d in raised].count("warn") <= 1
    # more angry messages later: still only one critical
    more, _ = play(m, "c1", ESCALATION[3:], t0=t)
    assert not [d for u in more for d in u.raised]
    row = m.row("c1")
    assert row.risk_level == "critical" and row.alert_level == "critical" and row.risk_reasons


def test_acknowledge_clears_the_alert_and_the_row_badge():
    m = LeadMonitor()
    m.opened("c1", "a1", 0)
    _, t = play(m, "c1", ESCALATION)
    assert [a.conversation_id for a in m.alerts.active()] == ["c1"]
    u = m.acknowledge("c1", now=t + 1, by="lead1")
    assert u.cleared and u.cleared[0].acknowledged_by == "lead1"
    assert m.alerts.active() == [] and m.row("c1").alert_level is None
    assert m.row("c1").risk_level == "critical"  # the risk itself stays visible in the ranking
    assert not m.acknowledge("c1", now=t + 2)


def test_calm_chat_raises_nothing_and_ranks_below_the_angry_one():
    m = LeadMonitor()
    m.opened("calm", "a1", 0, nick="平静")
    m.opened("hot", "a2", 0, nick="生气")
    u_calm, _ = play(m, "calm", CALM)
    _, t = play(m, "hot", ESCALATION)
    assert not [d for u in u_calm for d in u.raised]
    rows = m.rows(t)
    assert [r.conversation_id for r in rows] == ["hot", "calm"]
    assert [r.conversation_id for r in m.rows(t, agent="a1")] == ["calm"]
    assert [r.conversation_id for r in m.rows(t, min_level="warn")] == ["hot"]
    assert rank(rows, t, min_level="critical")[0].conversation_id == "hot"
    assert m.agents() == ["a1", "a2"]
    calm = m.row("calm")
    assert calm.intent == "thanks_bye" and calm.emotion == "positive" and len(calm.emotion_trend) == 2


def test_duplicates_are_ignored_and_close_clears_alert():
    m = LeadMonitor()
    m.opened("c1", "a1", 0)
    play(m, "c1", ESCALATION)
    n = m.row("c1").messages
    assert not m.message("c1", "c1-m3", "customer", "人呢？？", 500, P("shipping_urge", "angry"))
    assert m.row("c1").messages == n
    u = m.closed("c1", 600)
    assert u.removed == ("c1",) and u.cleared and m.alerts.active() == [] and m.row("c1") is None
    s = m.snapshot_stats(600)
    assert s.handled == 1 and s.open == 0 and s.flagged == 1 and s.critical == 1 and s.flagged_share == 1.0


def test_waiting_customer_is_rescored_by_tick():
    m = LeadMonitor()
    m.opened("c1", "a1", 0)
    m.message("c1", "m1", "customer", "我的快递到哪了", 10, P("logistics", "anxious"))
    m.message("c1", "m2", "customer", "怎么还没到？", 20, P("logistics", "disappointed"))
    before = m.row("c1").risk_score
    u = m.tick(20 + 14 * 60)  # 14 minutes without an answer
    after = u.rows[0].risk_score
    assert after > before
    assert any("等待" in r for r in u.rows[0].risk_reasons)
    m.message("c1", "m3", "agent", "亲，我马上帮您查", 20 + 15 * 60)
    assert m.row("c1").waiting_since is None
    assert not m.tick(20 + 30 * 60).rows  # nobody waiting → nothing to re-score


def test_stats_first_response_handled_open_and_emotions():
    m = LeadMonitor()
    m.opened("c1", "a1", 0)
    m.opened("c2", "a1", 0)
    m.opened("c3", "a2", 0)
    m.message("c1", "x1", "agent", "您好", 1)  # agent greets before the customer: not a response
    m.message("c1", "x2", "customer", "在吗", 10, P("greeting", "neutral"))
    m.message("c1", "x3", "bot", "自动回复", 11)  # bots do not count
    m.message("c1", "x4", "agent", "在的", 40)  # FRT 30 s
    m.message("c2", "y1", "customer", "发票怎么开", 5, P("invoice", "neutral"))
    m.message("c2", "y2", "agent", "亲可以的", 95)  # FRT 90 s
    m.message("c3", "z1", "customer", "人呢？？", 5, P("complaint", "angry"))
    m.closed("c2", 200)
    s = m.snapshot_stats(200)
    a1, a2 = s.agents
    assert a1.agent_id == "a1" and a1.first_responses == 2 and a1.frt_mean_s == pytest.approx(60.0)
    assert a1.handled == 1 and a1.open == 1 and a1.awaiting_first_response == 0
    assert a2.frt_mean_s is None and a2.awaiting_first_response == 1
    assert s.total == 3 and s.open == 2 and s.handled == 1
    assert s.emotions["angry"] == 1 and s.emotions["neutral"] == 2 and s.classified_messages == 3
    assert [ic.intent for ic in s.top_intents] == ["complaint", "greeting", "invoice"]


def test_reassign_moves_row_and_foreign_team_is_dropped():
    m = LeadMonitor(team_agents={"a1", "a2"})
    m.opened("c1", "a1", 0)
    assert not m.opened("other", "b7", 0)  # another team's chat never appears
    assert not m.message("other2", "o1", "customer", "hi", 1, P("greeting", "neutral"), agent_id="b7")
    assert len(m) == 1 and m.dropped_foreign == 2
    m.assigned("c1", "a2", 5)
    assert m.row("c1").agent_id == "a2"
    u = m.assigned("c1", "b7", 6)  # handed to another team: leaves the board
    assert u.removed == ("c1",) and len(m) == 0


def test_language_switch_relocalises_reasons_without_new_alerts():
    m = LeadMonitor()
    m.opened("c1", "a1", 0)
    _, t = play(m, "c1", ESCALATION)
    zh = m.row("c1").risk_reasons
    n_alerts = len(m.alerts.history())
    u = m.set_language("en", t)
    en = u.rows[0].risk_reasons
    assert en != zh and len(en) == len(zh) and all(r.split("：")[0].isascii() for r in en)
    assert not u.raised and len(m.alerts.history()) == n_alerts


def test_surge_shows_in_the_day_statistics():
    m = LeadMonitor()
    t = 0.0
    for i in range(36):  # 3 h of logistics questions, one every 5 min, plus a slow trickle of install ones
        t = i * 300.0
        m.message(f"l{i}", f"l{i}", "customer", "到哪了", t, P("logistics", "neutral"))
        if i % 6 == 0 and i < 30:
            m.message(f"i{i}", f"i{i}", "customer", "怎么安装", t + 1, P("install_repair", "neutral"))
    for k in range(8):  # then 8 install questions within 20 minutes
        m.message(f"s{k}", f"s{k}", "customer", "这个怎么安装啊", t + 60 + k * 150, P("install_repair", "anxious"))
    s = m.snapshot_stats(t + 60 + 8 * 150)
    assert [x.intent for x in s.surges] == ["install_repair"]
    top = {ic.intent: ic for ic in s.top_intents}
    assert top["install_repair"].surge is not None and top["install_repair"].surge.increase_pct >= 100
    assert top["logistics"].surge is None


def test_midnight_starts_new_day_statistics_keeping_open_chats():
    m = LeadMonitor(day_start=0.0)
    m.opened("c1", "a1", 10)
    m.opened("c2", "a2", 10)
    play(m, "c1", ESCALATION, t0=10)
    m.message("c2", "x", "customer", "发票怎么开", 20, P("invoice", "neutral"))
    m.closed("c2", 30)
    day2 = 86_400.0
    m.roll_day(day2)
    s = m.snapshot_stats(day2 + 5)
    assert s.total == 1 and s.open == 1 and s.handled == 0 and s.classified_messages == 0
    assert s.flagged == 1  # its critical alert is still open
    m.roll_day(day2)  # same day again: nothing reset
    m.message("c1", "late", "customer", "还有人吗", day2 + 10, P("complaint", "angry"))
    assert m.snapshot_stats(day2 + 11).classified_messages == 1
