"""The demo-data generator: deterministic, big enough, and believable enough for the engine's rules."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from assist_app.domain import ORDER_STATES, PROMOTION_KINDS
from assist_app.store import SHOP_TZ
from assist_app.store.catalog import GROUPS, PRICE_DROPS
from assist_app.store.generator import generate

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHOP_TZ)
D = timedelta(days=1)


@pytest.fixture(scope="module")
def data():
    return generate(seed=7, now=NOW)


def test_same_seed_and_now_give_identical_data(data):
    assert generate(seed=7, now=NOW) == data


def test_other_seed_or_now_changes_the_data(data):
    assert generate(seed=8, now=NOW).orders != data.orders
    later = generate(seed=7, now=NOW + D)
    assert [c.nick for c in later.customers] == [c.nick for c in data.customers]
    assert later.orders != data.orders


def test_counts(data):
    assert len(data.customers) >= 200
    assert len(data.orders) >= 1000
    assert len(data.knowledge) >= 20
    active = [p for p in data.promotions if (p.starts_at is None or p.starts_at <= NOW)
              and (p.ends_at is None or NOW < p.ends_at)]
    assert len(active) >= 10
    assert {p.kind for p in active} == set(PROMOTION_KINDS)
    assert any(p.ends_at and p.ends_at < NOW for p in data.promotions)  # some expired
    states = Counter(o.state for o in data.orders)
    assert set(states) == set(ORDER_STATES)
    assert all(states[s] >= 5 for s in ORDER_STATES), states


def test_every_customer_has_orders_and_unique_ids(data):
    assert len({c.customer_id for c in data.customers}) == len(data.customers)
    assert len({c.nick for c in data.customers}) == len(data.customers)
    assert len({o.order_id for o in data.orders}) == len(data.orders)
    buyers = {o.customer_id for o in data.orders}
    assert buyers == {c.customer_id for c in data.customers}
    assert any("88VIP" in c.tags for c in data.customers) and any("PLUS" in c.tags for c in data.customers)
    assert any(c.nick.startswith("tb_") for c in data.customers) and any(c.nick.startswith("jd_")
                                                                       for c in data.customers)
    assert all(len(c.phone) == 11 and c.phone.startswith("1") and c.name and "号" in c.address
               for c in data.customers)


def test_money_adds_up(data):
    for o in data.orders:
        assert o.total_fen == sum(i.unit_price_fen * i.quantity for i in o.items)
        if o.state == "unpaid" or o.paid_at is None:
            assert o.paid_fen == 0
            continue
        assert 0 < o.paid_fen <= o.total_fen
        assert sum(i.paid_fen for i in o.items) == o.paid_fen
        assert (o.paid_fen < o.total_fen) == bool(o.coupon_used)


def test_timelines_are_consistent_and_in_the_past(data):
    for o in data.orders:
        stamps = [t for t in (o.created_at, o.paid_at, o.shipped_at, o.signed_at) if t is not None]
        assert stamps == sorted(stamps) and stamps[-1] <= NOW
        times = [e.time for e in o.logistics]
        assert times == sorted(times) and all(t <= NOW for t in times)
        if o.state == "shipped":
            assert o.signed_at is None and o.tracking_no and o.eta and o.logistics
            assert o.logistics[0].status == "已揽收" and o.logistics[-1].status != "已签收"
        if o.state in ("signed", "completed"):
            assert o.signed_at and o.logistics[-1].status == "已签收"
        if o.state == "paid":
            assert o.shipped_at is None and not o.tracking_no and not o.logistics


def test_scenarios_the_engine_needs_exist(data):
    done = [o for o in data.orders if o.state in ("signed", "completed")]
    assert sum(1 for o in done if NOW - o.signed_at <= 3 * D) >= 10     # 7-day return open
    assert sum(1 for o in done if 15 * D <= NOW - o.signed_at <= 60 * D) >= 10  # closed
    assert any("转运中心】已发出" in e.detail for o in data.orders if o.state == "shipped" for e in o.logistics)
    stalled = [o for o in data.orders if o.state == "shipped" and NOW - o.logistics[-1].time > 30 * timedelta(hours=1)]
    assert stalled
    late = [o for o in data.orders if o.state == "paid" and NOW - o.paid_at > 48 * timedelta(hours=1)]
    assert late  # 催发货 material
    current = {p.sku: p.price_fen for p in data.products}
    dropped = [o for o in data.orders for i in o.items if i.sku in PRICE_DROPS and i.unit_price_fen > current[i.sku]
               and o.paid_at and NOW - o.paid_at <= 15 * D]
    assert dropped  # 价保 material
    installs = [o for o in done for i in o.items if i.category in GROUPS["install"]]
    assert installs


def test_catalogue_rules(data):
    cats = {p.category for p in data.products}
    assert {"冲锋衣", "抓绒衣", "登山鞋", "速干裤", "帐篷", "睡袋", "背包", "空气炸锅", "电饭煲", "扫地机器人",
            "耳机", "充电宝"} <= cats
    assert any(p.no_reason_return_days == 0 for p in data.products)  # category exceptions
    assert all(p.needs_installation == (p.category in GROUPS["install"]) for p in data.products)
    assert all(p.warranty_days > 0 for p in data.products if p.category in GROUPS["appliance"] + GROUPS["3c"])
    assert all(p.size_chart for p in data.products if p.category in ("冲锋衣", "登山鞋", "速干裤"))
    titles = {k.title for k in data.knowledge}
    assert {"七天无理由退货", "价格保护（价保）", "家电保修", "发货时间", "上门安装", "发票"} <= titles
