"""Eligibility, retention, tickets, KB retrieval and conversation state, on the real SQLite demo store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from assist_app.core import ConversationState, Turn
from assist_app.core import kb as kbm
from assist_app.core import retention as rt
from assist_app.core import tickets as tk
from assist_app.core.eligibility import order_eligibility, price_difference
from assist_app.core.state import order_ids_in
from assist_app.core.templates import Policy, load_policy
from assist_app.nlp.types import Prediction
from assist_app.store import Store

TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)


def pred(intent: str, emotion: str = "neutral", conf: float = 0.9) -> Prediction:
    return Prediction(intent, conf, emotion, 0.9, {intent: conf}, {emotion: 0.9})


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store.demo(tmp_path_factory.mktemp("demo") / "demo.db", now=NOW)
    yield s
    s.close()


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def orders_where(store, cond):
    return [o for o in store.all_orders() if cond(o)]


# ---------------------------------------------------------------- eligibility
def test_no_reason_return_open_then_closed_from_signed_date(store, policy):
    o = orders_where(store, lambda o: o.state == "signed" and o.items[0].category not in policy.no_reason_exceptions
                     and store.product(o.items[0].sku).no_reason_return_days == 7)[0]
    prods = store.products()
    e = next(x for x in order_eligibility(o, prods, policy, NOW) if x.kind == "no_reason_return")
    assert e.deadline == o.signed_at + timedelta(days=7)
    assert e.eligible is (NOW <= e.deadline)
    assert "签收后7天" in e.rule
    late = o.signed_at + timedelta(days=7, seconds=1)
    e2 = next(x for x in order_eligibility(o, prods, policy, late) if x.kind == "no_reason_return")
    assert not e2.eligible and e2.deadline == e.deadline


def test_category_exception_and_product_rule(store, policy):
    prods = store.products()
    underwear = next(p for p in prods if p.category == "贴身衣物")
    watch = next(p for p in prods if p.category == "运动手表")
    base = orders_where(store, lambda o: o.state == "signed")[0]
    item = replace(base.items[0], sku=underwear.sku, name=underwear.name, category=underwear.category)
    e = order_eligibility(replace(base, items=[item]), prods, policy, NOW)
    nr = next(x for x in e if x.kind == "no_reason_return")
    assert not nr.eligible and "品类例外" in nr.rule and "贴身衣物" in nr.rule
    item = replace(base.items[0], sku=watch.sku, name=watch.name, category=watch.category)
    nr = next(x for x in order_eligibility(replace(base, items=[item]), prods, policy, NOW) if x.kind == "no_reason_return")
    assert not nr.eligible and nr.rule.startswith("商品规则")


def test_unsigned_order_can_refuse_and_closed_order_cannot(store, policy):
    shipped = orders_where(store, lambda o: o.state == "shipped" and store.product(o.items[0].sku).no_reason_return_days
                           and o.items[0].category not in policy.no_reason_exceptions)[0]
    nr = next(x for x in order_eligibility(shipped, store.products(), policy, NOW) if x.kind == "no_reason_return")
    assert nr.eligible and nr.deadline is None and "未签收" in nr.rule
    cancelled = orders_where(store, lambda o: o.state == "cancelled")[0]
    nr = next(x for x in order_eligibility(cancelled, store.products(), policy, NOW) if x.kind == "no_reason_return")
    assert not nr.eligible


def test_exchange_and_warranty_windows(store, policy):
    prods = {p.sku: p for p in store.products()}
    o = orders_where(store, lambda o: o.state in ("signed", "completed") and prods[o.items[0].sku].warranty_days > 0
                     and o.items[0].category not in policy.no_reason_exceptions)[0]
    el = order_eligibility(o, prods.values(), policy, NOW)
    ex = next(x for x in el if x.kind == "exchange")
    wa = next(x for x in el if x.kind == "warranty")
    assert ex.deadline == o.signed_at + timedelta(days=policy.exchange_days)
    assert wa.deadline == o.signed_at + timedelta(days=prods[o.items[0].sku].warranty_days)
    assert wa.eligible is (NOW <= wa.deadline) and "保修" in wa.rule


def test_price_protection_window_and_amount(store, policy):
    """A jacket bought before its list-price cut: the difference is refundable within 15 days of payment."""
    prods = {p.sku: p for p in store.products()}
    promos = store.active_promotions(NOW)
    o = orders_where(store, lambda o: o.paid_at and o.state in ("paid", "shipped", "signed")
                     and NOW - o.paid_at < timedelta(days=10)
                     and any(price_difference(i, prods.get(i.sku), promos, None, NOW) > 0 for i in o.items))[0]
    pp = [x for x in order_eligibility(o, prods.values(), policy, NOW, promos) if x.kind == "price_protection"]
    hit = next(x for x in pp if x.amount_fen > 0)
    item = next(i for i in o.items if i.sku == hit.sku)
    assert hit.eligible and hit.deadline == o.paid_at + timedelta(days=prods[item.sku].price_protect_days)
    assert 0 < hit.amount_fen <= item.paid_fen and "可补差价" in hit.detail
    after = next(x for x in order_eligibility(o, prods.values(), policy, hit.deadline + timedelta(seconds=1), promos)
                 if x.kind == "price_protection" and x.sku == hit.sku)
    assert not after.eligible and after.amount_fen == 0 and after.detail == "价保已过期"


# ---------------------------------------------------------------- retention
@pytest.mark.parametrize("order_value", [0, 3000, 9900, 35000, 59900, 129900, 999900])
def test_retention_never_exceeds_limits(store, policy, order_value):
    for cust in store.customers()[:30]:
        o = rt.offer("bargain", "能便宜点吗", order_value, cust, policy)
        assert o is not None
        cap = policy.max_coupon_ratio + (policy.vip_bonus_ratio if rt.is_vip(cust, policy) else 0.0)
        assert o.value_fen <= policy.max_coupon_fen
        assert o.value_fen <= order_value * cap
        if o.kind == "coupon":
            assert o.value_fen >= policy.min_coupon_fen and o.value_fen % policy.coupon_step_fen == 0


def test_retention_kinds(policy):
    assert rt.offer("bargain", "便宜点", 59900, None, policy).kind == "coupon"
    assert rt.offer("bargain", "便宜点", 2000, None, policy).kind == "free_shipping"
    no_ship = replace(policy, free_shipping=False)
    assert rt.offer("bargain", "便宜点", 2000, None, no_ship).kind == "gift"
    assert rt.offer("return_refund", "衣服开线了质量太差要退", 59900, None, policy) is None  # a defect, not price
    assert rt.offer("return_refund", "别家便宜50，我要退了重拍", 59900, None, policy).kind == "coupon"
    assert rt.offer("logistics", "到哪了", 59900, None, policy) is None
    tight = replace(policy, max_coupon_fen=1000)
    assert rt.offer("cancel_order", "太贵了不要了", 999900, None, tight).value_fen == 1000


# ---------------------------------------------------------------- tickets
def test_ticket_drafts_prefilled(store):
    prods = {p.sku: p for p in store.products()}
    o = orders_where(store, lambda o: o.state == "signed" and prods[o.items[0].sku].needs_installation)[0]
    ctx = store.customer_context(o.customer_id, NOW)
    t = tk.draft("cv1", "install_repair", ["扫地机器人到了，什么时候上门安装？"], "neutral", o, ctx)
    assert t.kind == "installation" and t.order_id == o.order_id and t.sku == o.items[0].sku
    assert t.fields["item"] == o.items[0].name and t.missing == []
    d = t.to_dict()
    assert d["kind"] == "installation" and d["customer_id"] == ctx.customer.customer_id
    assert ctx.customer.phone not in str(d) and ctx.customer.address not in str(d)  # private data stays in the store
    r = tk.draft("cv1", "quality_issue", ["收到就是坏的"], "angry", None, ctx)
    assert r.kind == "repair" and r.missing == ["order_id", "photo"]
    c = tk.draft("cv1", "complaint", ["什么态度，我要投诉"], "angry", o, ctx)
    assert c.kind == "complaint" and c.priority == "high"
    assert tk.draft("cv1", "logistics", ["到哪了"], "neutral", o, ctx) is None
    assert tk.draft("cv1", "return_refund", ["我要退货"], "neutral", o, ctx).kind == "return"


# ---------------------------------------------------------------- KB
def test_kb_names_the_entry(store):
    kb, prods = store.knowledge(), store.products()
    a = kbm.answer("可以开增值税专用发票吗", kb, prods, "invoice")
    assert a is not None and a.entry_id == "KB12" and "专用发票" in a.answer
    a = kbm.answer("衣服不喜欢收到了能退吗", kb, prods, "return_refund")
    assert a is not None and a.entry_id == "KB01"
    a = kbm.answer("这个空气炸锅功率多大", kb, prods, "product_info")
    assert a is not None and a.entry_id.startswith("product:TL-AF") and "1500W" in a.answer
    assert kbm.answer("哈哈哈哈", kb, prods, "other") is None


# ---------------------------------------------------------------- state
def test_state_topic_wait_repeats_and_orders():
    s = ConversationState("c", "u")
    t0 = NOW
    s.add_customer(Turn("customer", "我的快递怎么还没到", t0), pred("logistics", "anxious"))
    assert s.open_topic == "logistics" and s.wait_s(t0 + timedelta(seconds=90)) == 90
    s.add_customer(Turn("customer", "订单号 281524003166", t0 + timedelta(seconds=30)), pred("provide_info"))
    assert s.wait_s(t0 + timedelta(seconds=90)) == 90   # counts from the first unanswered message
    s.add_agent(Turn("agent", "稍等帮您查", t0 + timedelta(seconds=100)))
    assert s.wait_s(t0 + timedelta(seconds=200)) == 0
    s.add_customer(Turn("customer", "好的", t0 + timedelta(seconds=120)), pred("ack"))
    assert s.open_topic == "logistics"                   # an 好的 does not erase the topic
    s.add_agent(Turn("agent", "在路上了", t0 + timedelta(seconds=130)))
    s.add_customer(Turn("customer", "到底什么时候到？？", t0 + timedelta(seconds=200)), pred("logistics", "angry"))
    assert s.repeats() == 1
    assert s.mentioned_orders == ["281524003166"]
    assert s.trend[-1] > s.trend[1]                      # anger raises the smoothed trend
    uncertain = pred("return_refund", conf=0.3)
    s.add_customer(Turn("customer", "嗯那个", t0 + timedelta(seconds=210)), uncertain)
    assert s.open_topic == "logistics"                   # an uncertain label does not steal the topic


def test_order_ids_from_card_and_text():
    assert order_ids_in("[订单编号:281524003166，订单金额:399]") == ["281524003166"]
    assert order_ids_in("单号是 2060820895358449241 麻烦看下") == ["2060820895358449241"]
    assert order_ids_in("电话 1380013") == []


def test_orders_in_focus_by_topic(store):
    cust = next(c for c in store.customers()
                if {"paid", "signed"} <= {o.state for o in store.orders_of(c.customer_id)})
    ctx = store.customer_context(cust.customer_id, NOW)
    s = ConversationState("c", cust.customer_id)
    s.add_customer(Turn("customer", "怎么还不发货", NOW), pred("shipping_urge"))
    assert s.orders_in_focus(ctx.orders)[0].state == "paid"
    s.add_customer(Turn("customer", "收到的想退货", NOW), pred("return_refund"))
    assert s.orders_in_focus(ctx.orders)[0].state in ("signed", "completed", "shipped")
    other = next(o for o in ctx.orders if o.state != s.orders_in_focus(ctx.orders)[0].state)
    s.add_customer(Turn("customer", f"是这个单 {other.order_id}", NOW), pred("provide_info"))
    assert s.orders_in_focus(ctx.orders)[0].order_id == other.order_id
