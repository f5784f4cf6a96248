"""Surge detection: a real jump is flagged with its increase; noise, single messages and rushes are not."""

from __future__ import annotations

import random

import pytest

from assist_app.lead.surge import IntentRates, SurgeConfig, poisson_sf

MIN = 60.0


def _steady(rates: IntentRates, intent: str, start: float, end: float, every_s: float) -> None:
    t = start
    while t < end:
        rates.add(intent, t)
        t += every_s


def test_poisson_sf_matches_direct_sum():
    import math

    for lam in (0.1, 1.0, 3.5, 20.0):
        for k in (0, 1, 2, 5, 12, 40):
            direct = 1 - sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(k))
            assert poisson_sf(k, lam) == pytest.approx(max(direct, 0.0), abs=1e-9)
    assert poisson_sf(3000, 1000.0) < 1e-100  # far tail, no overflow/underflow error
    assert 0.4 < poisson_sf(1000, 1000.0) < 0.6


def test_install_questions_quadruple_in_last_30_minutes():
    r = IntentRates(SurgeConfig())
    # 2 h of baseline: install_repair once per 10 min, logistics once per 2 min
    _steady(r, "install_repair", 0, 120 * MIN, 10 * MIN)
    _steady(r, "logistics", 0, 150 * MIN, 2 * MIN)
    # last 30 min: install_repair every 2.5 min = 12 in the window (baseline predicts 3 (+ prior))
    _steady(r, "install_repair", 120 * MIN, 150 * MIN, 2.5 * MIN)
    surges = r.surges(150 * MIN)
    assert [s.intent for s in surges] == ["install_repair"]
    s = surges[0]
    assert s.recent_count == 12
    # expected = (12 baseline + 1 prior) / 120 min * 30 min = 3.25 -> +269 %
    assert s.expected == pytest.approx(13 / 120 * 30)
    assert s.increase_pct == round((12 / 3.25 - 1) * 100) == 269
    assert s.p_value < 0.01


def test_single_message_of_a_new_intent_is_not_a_surge():
    r = IntentRates(SurgeConfig())
    _steady(r, "logistics", 0, 120 * MIN, 3 * MIN)
    r.add("invoice", 119 * MIN)
    r.add("invoice", 119.5 * MIN)
    assert r.surges(120 * MIN) == []
    # five of a never-seen intent in 30 min does count (min_count reached, big jump)
    for k in range(3):
        r.add("invoice", 118 * MIN + k)
    assert [s.intent for s in r.surges(120 * MIN)] == ["invoice"]


def test_no_surge_without_enough_history():
    r = IntentRates(SurgeConfig())
    _steady(r, "install_repair", 0, 30 * MIN, 1 * MIN)  # only the window itself, no baseline
    assert r.surges(30 * MIN) == []
    # same burst after an hour of quiet baseline with another intent → surge
    r2 = IntentRates(SurgeConfig())
    _steady(r2, "logistics", 0, 90 * MIN, 5 * MIN)
    _steady(r2, "install_repair", 60 * MIN, 90 * MIN, 1 * MIN)
    assert [s.intent for s in r2.surges(90 * MIN)] == ["install_repair"]


def test_traffic_rush_lifting_every_intent_is_not_a_surge_of_one():
    r = IntentRates(SurgeConfig())
    for intent in ("logistics", "return_refund", "price_promo"):
        _steady(r, intent, 0, 120 * MIN, 6 * MIN)
        _steady(r, intent, 120 * MIN, 150 * MIN, 1 * MIN)  # all six times faster: a rush
    assert r.surges(150 * MIN) == []


def test_random_steady_traffic_gives_no_false_surges():
    rng = random.Random(3)
    r = IntentRates(SurgeConfig())
    intents = ["logistics", "return_refund", "price_promo", "install_repair", "stock"]
    t = 0.0
    while t < 8 * 3600:
        t += rng.expovariate(1 / 20)  # one message every 20 s on average
        r.add(rng.choice(intents), t)
        if int(t) % 600 < 20:
            assert r.surges(t) == [], t


def test_old_events_are_trimmed_and_surge_fades():
    cfg = SurgeConfig(baseline_s=3600)
    r = IntentRates(cfg)
    _steady(r, "logistics", 0, 200 * MIN, 5 * MIN)
    _steady(r, "install_repair", 100 * MIN, 110 * MIN, 1 * MIN)
    assert [s.intent for s in r.surges(110 * MIN)] == ["install_repair"]
    assert r.surges(200 * MIN) == []  # the burst has left both the window and the baseline
    recent, base, span = r.counts(200 * MIN)
    assert "install_repair" not in recent and "install_repair" not in base
    assert span == pytest.approx(3600)


def test_invalid_config_is_rejected():
    with pytest.raises(ValueError):
        SurgeConfig(min_count=0)


def test_scaled_config_detects_the_same_surge_on_a_faster_clock():
    speed = 20.0
    r = IntentRates(SurgeConfig().scaled(speed))
    _steady(r, "install_repair", 0, 120 * MIN / speed, 10 * MIN / speed)
    _steady(r, "logistics", 0, 150 * MIN / speed, 2 * MIN / speed)
    _steady(r, "install_repair", 120 * MIN / speed, 150 * MIN / speed, 2.5 * MIN / speed)
    assert [s.intent for s in r.surges(150 * MIN / speed)] == ["install_repair"]
