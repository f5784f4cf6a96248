"""The customer simulator: script coverage of the taxonomy, real order data in every placeholder, pacing."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime

import pytest

from assist_app.nlp.labels import EMOTIONS, INTENTS
from assist_app.sim import ScriptError, SimEvent, Simulator, load_scripts
from assist_app.sim.matching import ORDER_PROFILES
from assist_app.sim.scripts import DEFAULT_SCRIPTS
from assist_app.store import SHOP_TZ, Store

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHOP_TZ)
SAFETY = ("冒烟", "着火", "爆炸", "鼓包", "焦味", "触电")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store.demo(tmp_path_factory.mktemp("sim") / "demo.db", seed=7, now=NOW)
    yield s
    s.close()


@pytest.fixture(scope="module")
def scripts():
    return load_scripts()


@pytest.fixture(scope="module")
def sim(store, scripts):
    return Simulator(store, scripts, seed=7, agents=("a1", "a2", "a3"))


@pytest.fixture(scope="module")
def full_plan(sim, scripts):
    return sim.plan(len(scripts))


def _conversations(events: list[SimEvent]) -> dict[str, list[SimEvent]]:
    out: dict[str, list[SimEvent]] = defaultdict(list)
    for e in events:
        out[e.conversation_id].append(e)
    return out


# ---------------------------------------------------------------- the scripts themselves

def test_scripts_cover_every_intent_and_emotion(scripts):
    assert len(scripts) >= 60
    turns = [t for s in scripts for t in s.customer_turns]
    assert {t.intent for t in turns} == set(INTENTS)
    assert {t.emotion for t in turns} == set(EMOTIONS)
    assert all(3 <= len(s.customer_turns) <= 10 for s in scripts)
    assert all(t.text.strip() for s in scripts for t in s.turns)
    assert any(t.role == "agent" for s in scripts for t in s.turns)


def test_escalating_conversations_are_flagged(scripts):
    flagged = [s for s in scripts if s.needs_attention]
    assert 8 <= len(flagged) < len(scripts) // 2
    text = {s.script_id: " ".join(t.text for t in s.customer_turns) for s in scripts}
    intents = {s.script_id: [t.intent for t in s.customer_turns] for s in scripts}
    emotions = {s.script_id: [t.emotion for t in s.customer_turns] for s in scripts}
    # the kinds of escalation the brief asks for, each present and flagged
    assert any("12315" in text[s.script_id] for s in flagged)
    assert any("差评" in text[s.script_id] for s in flagged)
    assert any("escalate_request" in intents[s.script_id] for s in flagged)
    assert any(any(w in text[s.script_id] for w in SAFETY) for s in flagged)
    assert any(emotions[s.script_id].count("angry") >= 3 for s in flagged)  # a repeated unresolved problem
    # a safety hazard is always flagged; any other flagged script shows more than worry
    hazard = {s.script_id for s in scripts if any(w in text[s.script_id] for w in SAFETY)}
    assert all(s.needs_attention for s in scripts if s.script_id in hazard)
    assert all(set(emotions[s.script_id]) & {"angry", "disappointed"} for s in flagged if s.script_id not in hazard)
    # TAXONOMY.md: an angry customer alone makes a conversation need attention
    assert all(s.needs_attention for s in scripts if "angry" in emotions[s.script_id])


def test_scripts_file_is_valid_json_with_known_ids():
    doc = json.loads(DEFAULT_SCRIPTS.read_text(encoding="utf-8"))
    for conv in doc["conversations"]:
        for t in conv["turns"]:
            if t["role"] == "customer":
                assert t["intent"] in INTENTS and t["emotion"] in EMOTIONS, (conv["id"], t)
        if "order" in conv:
            assert conv["order"]["profile"] in ORDER_PROFILES


@pytest.mark.parametrize("mutate, message", [
    (lambda c: c["turns"][0].update(intent="chitchat"), "unknown intent"),
    (lambda c: c["turns"][0].update(emotion="sad"), "unknown intent"),
    (lambda c: c["turns"][0].update(text="订单{orderid}"), "unknown placeholders"),
    (lambda c: c.update(needs_attention=2), "needs_attention"),
    (lambda c: c.update(order={"profile": "teleported"}), "unknown order profile"),
    (lambda c: c.update(turns=c["turns"][:2]), "customer turns"),
])
def test_invalid_scripts_are_rejected_with_their_name(tmp_path, mutate, message):
    doc = json.loads(DEFAULT_SCRIPTS.read_text(encoding="utf-8"))
    conv = doc["conversations"][0]
    mutate(conv)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScriptError, match=message) as err:
        load_scripts(path)
    assert str(path) in str(err.value) and conv["id"] in str(err.value)


def test_unreadable_scripts_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"conversations": [', encoding="utf-8")
    with pytest.raises(ScriptError, match="broken.json"):
        load_scripts(path)
    with pytest.raises(ScriptError, match="missing.json"):
        load_scripts(tmp_path / "missing.json")


# ---------------------------------------------------------------- casting onto real data

def test_every_script_can_be_cast_on_the_demo_store(sim, scripts):
    assert all(sim.castable(s.script_id) >= 1 for s in scripts)


def test_full_plan_plays_every_script_once(full_plan, scripts):
    convs = _conversations(full_plan)
    assert len(convs) == len(scripts)
    assert sorted(evs[0].script_id for evs in convs.values()) == sorted(s.script_id for s in scripts)
    gold = [(e.intent, e.emotion) for e in full_plan if e.kind == "message" and e.role == "customer"]
    assert {i for i, _ in gold} == set(INTENTS) and {e for _, e in gold} == set(EMOTIONS)


def test_placeholders_are_filled_with_the_customers_real_orders(full_plan, store, scripts, sim):
    by_id = {s.script_id: s for s in scripts}
    texts = [e.text for e in full_plan if e.kind == "message"]
    assert texts and not any(re.search(r"\{\w+\}", t) for t in texts)
    for cid, evs in _conversations(full_plan).items():
        first = evs[0]
        script = by_id[first.script_id]
        customer = store.customer(first.customer_id)
        assert customer is not None and customer.nick == first.nick
        body = " ".join(e.text for e in evs if e.kind == "message")
        if not script.order_profile:
            assert first.order_id == ""
            continue
        order = store.order(first.order_id)
        assert order is not None and order.customer_id == customer.customer_id, cid
        assert ORDER_PROFILES[script.order_profile](order, NOW, sim.products), (cid, script.script_id)
        used = {m for t in script.customer_turns for m in re.findall(r"\{(\w+)\}", t.text)}
        if "order_id" in used:
            assert order.order_id in body
        if "tracking_no" in used:
            assert order.tracking_no and order.tracking_no in body
        if "carrier" in used:
            assert order.carrier and order.carrier in body
        if "last_event" in used:
            assert order.logistics[-1].detail in body
        if "spec" in used:
            assert any(it.spec in body for it in order.items)
        if "item" in used:
            assert any(any(w in body for w in it.name.split()[1:]) for it in order.items)
        if "phone" in used:
            assert customer.phone in body
        if "signed_date" in used:
            assert f"{order.signed_at.month}月{order.signed_at.day}日" in body


def test_agent_turns_are_filled_too(store, scripts):
    events = Simulator(store, scripts, seed=7, auto_agent=True).plan(len(scripts))
    agent = [e.text for e in events if e.kind == "message" and e.role == "agent"]
    assert len(agent) > 150 and not any(re.search(r"\{\w+\}", t) for t in agent)


def test_order_profiles_mean_what_the_scripts_say(full_plan, store):
    for evs in _conversations(full_plan).values():
        sid, oid = evs[0].script_id, evs[0].order_id
        if not oid:
            continue
        o = store.order(oid)
        if sid.startswith(("logistics_", "escalate_supervisor")):
            assert o.state == "shipped" and o.tracking_no
        if sid.startswith("refund_progress_"):
            assert o.state == "refunding"
        if sid in ("ship_when", "change_address", "cancel_before_ship"):
            assert o.state == "paid"
        if sid == "return_7day_size":
            assert (NOW - o.signed_at).days < 7
        if sid == "return_window_closed":
            assert (NOW - o.signed_at).days > 7
        if sid.startswith("install_"):
            assert any(it.category in ("扫地机器人", "净水器", "热水器") for it in o.items)


# ---------------------------------------------------------------- the timeline

def test_plan_is_deterministic(store, scripts):
    a = Simulator(store, scripts, seed=7).plan(30)
    b = Simulator(store, scripts, seed=7).plan(30)
    assert a == b
    c = Simulator(store, scripts, seed=8).plan(30)
    assert [e.text for e in c] != [e.text for e in a]


def test_now_defaults_to_the_demo_anchor(store, scripts):
    assert Simulator(store, scripts).now == NOW


def test_events_are_ordered_and_well_formed(full_plan):
    assert [e.at_s for e in full_plan] == sorted(e.at_s for e in full_plan)
    ids = [e.message_id for e in full_plan if e.kind == "message"]
    assert len(ids) == len(set(ids))
    for evs in _conversations(full_plan).values():
        assert evs[0].kind == "open" and evs[-1].kind == "close"
        assert all(e.kind == "message" for e in evs[1:-1])
        assert len({(e.customer_id, e.agent_id, e.channel, e.shop) for e in evs}) == 1
        assert evs[0].channel in ("taobao", "tmall", "jd")
        assert evs[0].channel == "jd" if evs[0].nick.startswith("jd_") else evs[0].channel != "jd"


def test_customers_type_at_a_human_pace_and_conversations_overlap(full_plan):
    for evs in _conversations(full_plan).values():
        times = [e.at_s for e in evs if e.kind == "message" and e.role == "customer"]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert all(5.0 <= g <= 40.0 for g in gaps), gaps
    spans = [(evs[0].at_s, evs[-1].at_s) for evs in _conversations(full_plan).values()]
    peak = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
    assert peak >= 3


def test_agents_share_the_load_and_agent_turns_follow_auto_agent(store, scripts):
    quiet = Simulator(store, scripts, seed=3, agents=("a1", "a2")).plan(12)
    assert {e.agent_id for e in quiet} == {"a1", "a2"}
    assert all(e.role == "customer" for e in quiet if e.kind == "message")
    talky = Simulator(store, scripts, seed=3, agents=("a1", "a2"), auto_agent=True).plan(12)
    roles = [e.role for e in talky if e.kind == "message"]
    assert "agent" in roles and roles.count("customer") == sum(
        1 for e in quiet if e.kind == "message")


def test_script_ids_choose_the_conversations(sim):
    events = sim.plan(3, script_ids=["safety_smoke", "complaint_12315", "presale_jacket_size"])
    assert [e.script_id for e in events if e.kind == "open"] == ["safety_smoke", "complaint_12315",
                                                                  "presale_jacket_size"]
    with pytest.raises(ValueError, match="nope"):
        sim.plan(1, script_ids=["nope"])
