"""The whole engine over every scripted demo conversation, cast onto real demo-store customers and orders.

Labels are the scripts' gold labels (the classifier has its own tests); what is checked here is the engine:
escalating scripts raise the banner, calm ones do not, and no reply ever shows an unfilled slot or a guess.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from assist_app.core import ConversationState, Turn, assist
from assist_app.nlp.types import Prediction
from assist_app.sim import Simulator, load_scripts
from assist_app.store import Store

TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    store = Store.demo(tmp_path_factory.mktemp("demo") / "demo.db", now=NOW)
    scripts = load_scripts()
    events = Simulator(store, scripts=scripts, seed=7, now=NOW).plan(len(scripts))
    convs: dict[str, list] = defaultdict(list)
    for e in events:
        if e.kind == "message":
            convs[e.conversation_id].append(e)
    out = []
    for _cid, evs in convs.items():
        first = evs[0]
        ctx = store.customer_context(first.customer_id, NOW)
        st = ConversationState(first.conversation_id, first.customer_id)
        assists = []
        for e in evs:
            t = Turn(e.role, e.text, NOW + timedelta(seconds=e.at_s - evs[-1].at_s), e.message_id)
            if e.role == "customer":
                st.add_customer(t, Prediction(e.intent, 0.9, e.emotion, 0.9, {e.intent: 0.9}, {e.emotion: 0.9}))
                assists.append(assist(st, ctx, NOW))
            else:
                st.add_agent(t)
        out.append((first, ctx, assists))
    store.close()
    return out


def test_every_script_ran(runs):
    assert len(runs) >= 60


def test_escalating_scripts_raise_the_banner_calm_ones_do_not(runs):
    tp = sum(1 for e, _, a in runs if e.needs_attention and a[-1].risk.needs_attention)
    fp = sum(1 for e, _, a in runs if not e.needs_attention and a[-1].risk.needs_attention)
    pos = sum(1 for e, _, _ in runs if e.needs_attention)
    assert pos >= 5
    assert tp / pos >= 0.85, [(e.script_id, a[-1].risk) for e, _, a in runs if e.needs_attention]
    assert fp <= max(2, 0.15 * (len(runs) - pos)), [(e.script_id, a[-1].risk) for e, _, a in runs
                                                    if not e.needs_attention and a[-1].risk.needs_attention]
    for e, _, a in runs:
        if a[-1].risk.needs_attention:
            assert a[-1].risk.reasons, e.script_id


def test_replies_never_guess(runs):
    for e, ctx, assists in runs:
        order_ids = {o.order_id for o in ctx.orders}
        for a in assists:
            assert 1 <= len(a.replies) <= 3, e.script_id
            for r in a.replies:
                assert "{" not in r.text and "None" not in r.text, (e.script_id, r)
                for num in re.findall(r"\d{12,20}", r.text):  # any order number shown is the customer's own
                    assert num in order_ids or any(num == o.tracking_no[-len(num):] for o in ctx.orders), r.text
            assert set(a.orders_in_focus) <= order_ids


def test_script_order_is_in_focus(runs):
    hits = total = 0
    for e, _, assists in runs:
        if e.order_id:
            total += 1
            hits += e.order_id in assists[-1].orders_in_focus
    assert total and hits / total >= 0.8
