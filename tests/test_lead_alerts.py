"""Alert policy: one alert per conversation per level, acknowledge clears, no notification/sound storms."""

from __future__ import annotations

import pytest

from assist_app.lead.alerts import AlertConfig, AlertPolicy, RateLimiter


def test_rising_levels_raise_one_alert_each_and_never_repeat():
    p = AlertPolicy()
    assert p.observe("c1", "info", 10, [], now=0) is None
    d = p.observe("c1", "warn", 45, ["客户着急"], now=1, agent_id="a1", customer="小李")
    assert d is not None and d.alert.level == "warn" and d.alert.reasons == ("客户着急",) and d.notify
    assert not d.sound  # warn is silent by default
    assert p.observe("c1", "warn", 50, ["客户着急", "重复催问"], now=2) is None  # same level: no new alert
    assert p.active()[0].reasons == ("客户着急", "重复催问")  # but the feed shows the current reasons
    d2 = p.observe("c1", "critical", 85, ["威胁差评"], now=3)
    assert d2 is not None and d2.alert.level == "critical" and d2.sound
    assert [a.level for a in p.active()] == ["critical"]  # critical supersedes the active warn
    # calms down and flares up again: no second notification at any level
    assert p.observe("c1", "info", 5, [], now=4) is None
    assert p.observe("c1", "warn", 40, ["x"], now=5) is None
    assert p.observe("c1", "critical", 90, ["y"], now=6) is None
    assert [a.level for a in p.history()] == ["warn", "critical"]
    assert p.alerted("c1") == "critical"


def test_jump_straight_to_critical_spends_warn_too():
    p = AlertPolicy()
    d = p.observe("c2", "critical", 95, ["要求找主管"], now=0)
    assert d is not None and d.alert.level == "critical"
    assert p.observe("c2", "warn", 50, [], now=1) is None
    assert len(p.history()) == 1


def test_acknowledge_clears_and_does_not_rearm():
    p = AlertPolicy()
    p.observe("c1", "critical", 90, ["生气"], now=0, agent_id="a1")
    p.observe("c2", "warn", 40, ["着急"], now=1, agent_id="a2")
    acked = p.acknowledge("c1", now=5, by="lead1")
    assert acked is not None and acked.acknowledged_at == 5 and acked.acknowledged_by == "lead1"
    assert [a.conversation_id for a in p.active()] == ["c2"]
    assert p.acknowledge("c1", now=6) is None  # nothing left to clear
    assert p.observe("c1", "critical", 99, ["更生气"], now=7) is None  # still spent
    assert p.history()[0].acknowledged_at == 5
    # a warn-acked chat can still escalate to critical (a new, higher level)
    p.acknowledge("c2", now=8)
    d = p.observe("c2", "critical", 80, ["投诉"], now=9)
    assert d is not None and [a.conversation_id for a in p.active()] == ["c2"]


def test_close_and_reassign_update_the_feed():
    p = AlertPolicy()
    p.observe("c1", "warn", 40, ["着急"], now=0, agent_id="a1")
    p.reassign("c1", "a9")
    assert p.active()[0].agent_id == "a9"
    assert p.close("c1") is not None
    assert p.active() == []


def test_sound_is_rate_limited_globally():
    p = AlertPolicy(AlertConfig(sound_interval_s=15, sound_burst=1, notify_interval_s=5, notify_burst=3))
    decisions = [p.observe(f"c{i}", "critical", 90, ["r"], now=i * 0.1) for i in range(20)]
    assert all(d is not None for d in decisions)  # every chat gets its alert in the feed
    assert sum(d.sound for d in decisions) == 1  # a storm of 20 criticals in 2 s: one sound
    assert sum(d.notify for d in decisions) == 3  # burst of 3 notifications then silent
    assert p.suppressed_sounds == 19 and p.suppressed_notifications == 17
    later = p.observe("late", "critical", 90, ["r"], now=30)
    assert later is not None and later.sound and later.notify


def test_rate_limiter_refills():
    rl = RateLimiter(10, burst=2)
    assert [rl.allow(0), rl.allow(0), rl.allow(0)] == [True, True, False]
    assert rl.allow(5) is False
    assert rl.allow(10.1) is True
    with pytest.raises(ValueError):
        RateLimiter(-1)


def test_unknown_level_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown risk level"):
        AlertPolicy().observe("c", "severe", 1, [], now=0)
