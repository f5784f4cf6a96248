"""Best price: hand-checked examples and a property test against brute force over random carts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from assist_app.core.pricing import CartLine, best_price, candidates, evaluate, legal, search
from assist_app.domain import CustomerProfile, Promotion

TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
GOLD = CustomerProfile("c1", "tb_鹿", member_level="金卡", tags=("88VIP",))
PLAIN = CustomerProfile("c2", "tb_兔")

JACKET = CartLine("J1", "拓路者冲锋衣", "冲锋衣", 39900, 1)
SHOES = CartLine("S1", "拓路者登山鞋", "登山鞋", 29900, 1)
FRYER = CartLine("F1", "空气炸锅", "空气炸锅", 19900, 1)


def promo(pid, kind, title, **kw):
    return Promotion(promo_id=pid, kind=kind, title=title, **kw)


SHOP_PROMOS = [
    promo("P1", "threshold_discount", "满300减30/满500减60", threshold_tiers=[(30000, 3000), (50000, 6000)]),
    promo("P2", "shop_coupon", "店铺券满300减30", threshold_tiers=[(30000, 3000)]),
    promo("P3", "category_discount", "户外品类9折", rate=0.9, categories=("冲锋衣", "登山鞋")),
    promo("P4", "member_price", "88VIP 95折", rate=0.95, member_levels=("88VIP",)),
    promo("P5", "shop_coupon", "大额券满800减120", threshold_tiers=[(80000, 12000)], exclusive_group="big"),
    promo("P6", "threshold_discount", "限时直降满200减50", threshold_tiers=[(20000, 5000)], stackable=False),
    promo("P7", "gift", "满500送登山袜", threshold_tiers=[(50000, 0)], gift="登山袜"),
    promo("P8", "free_shipping", "满99包邮", threshold_tiers=[(9900, 0)]),
    promo("P9", "category_discount", "已结束的品类折扣", rate=0.5, ends_at=NOW - timedelta(days=1)),
]


def test_hand_checked_combination_and_line():
    q = best_price([JACKET, SHOES], SHOP_PROMOS, PLAIN, NOW)
    # 69800 → 9折 62820 → 满500减60 and 店铺券满300减30 → 62820-6000-3000 = 53820
    assert q.pay_fen == 53820
    assert q.promo_ids == ["P3", "P1", "P2"]
    assert q.line.startswith("用户外品类9折 + 满300减30/满500减60 + 店铺券满300减30，实付 ¥538.20")
    assert "还送登山袜" in q.line and "包邮" in q.line
    assert q.saved_fen == 69800 - 53820


def test_member_price_only_for_eligible_customer():
    plain = best_price([JACKET], SHOP_PROMOS, PLAIN, NOW)
    vip = best_price([JACKET], SHOP_PROMOS, GOLD, NOW)
    assert "P4" not in plain.promo_ids
    assert "P4" in vip.promo_ids and vip.pay_fen < plain.pay_fen


def test_expired_promotion_ignored_and_non_stackable_alone():
    ids = {p.promo_id for p in candidates([JACKET], SHOP_PROMOS, PLAIN, NOW)}
    assert "P9" not in ids
    assert not legal([SHOP_PROMOS[5], SHOP_PROMOS[1]])
    assert legal([SHOP_PROMOS[5]])
    # a cheap fryer: the non-stackable 满200减50 is not reached (19900 < 20000), nothing applies
    q = best_price([FRYER], SHOP_PROMOS, PLAIN, NOW)
    assert q.pay_fen == 19900 and q.promo_ids == [] and q.line.startswith("目前没有可用的优惠")


def test_one_per_type_and_exclusive_groups():
    a = promo("A", "shop_coupon", "券A", threshold_tiers=[(100, 50)], exclusive_group="g")
    b = promo("B", "shop_coupon", "券B", threshold_tiers=[(100, 40)])
    c = promo("C", "threshold_discount", "满减C", threshold_tiers=[(100, 30)], exclusive_group="g")
    assert not legal([a, b])           # two coupons of one type
    assert not legal([a, c])           # same exclusive group
    q = best_price([CartLine("x", "x", "帐篷", 1000, 1)], [a, b, c], PLAIN, NOW)
    assert q.pay_fen == 1000 - 40 - 30 and q.promo_ids == ["C", "B"]  # B+C (70) beats A alone (50)


def test_english_line():
    q = best_price([JACKET, SHOES], SHOP_PROMOS, PLAIN, NOW, lang="en")
    assert q.line.startswith("With ") and "you pay ¥538.20" in q.line


CATS = ("冲锋衣", "登山鞋", "空气炸锅", "耳机")


@st.composite
def promotions(draw):
    n = draw(st.integers(0, 7))
    out = []
    for i in range(n):
        kind = draw(st.sampled_from(("threshold_discount", "shop_coupon", "category_discount", "member_price")))
        cats = tuple(draw(st.lists(st.sampled_from(CATS), max_size=2, unique=True)))
        tiers = sorted(draw(st.lists(st.tuples(st.integers(0, 80000), st.integers(0, 20000)), min_size=1, max_size=3)))
        out.append(Promotion(
            promo_id=f"p{i}", kind=kind, title=f"促销{i}",
            threshold_tiers=tiers if kind in ("threshold_discount", "shop_coupon") else [],
            rate=draw(st.sampled_from((0.5, 0.8, 0.85, 0.9, 0.95, 0.98))),
            categories=cats,
            member_levels=draw(st.sampled_from(((), ("金卡",), ("88VIP",), ("钻石",)))),
            exclusive_group=draw(st.sampled_from(("", "", "a", "b"))),
            stackable=draw(st.booleans()) or draw(st.booleans()),
        ))
    return out


carts = st.lists(st.builds(CartLine, sku=st.just("s"), name=st.just("n"), category=st.sampled_from(CATS),
                           unit_price_fen=st.integers(1, 60000), quantity=st.integers(1, 4)), min_size=1, max_size=5)


def brute_force(items, cands):
    best = None
    for r in range(len(cands) + 1):
        for combo in combinations(cands, r):
            if legal(combo):
                pay, _ = evaluate(items, combo)
                best = pay if best is None else min(best, pay)
    return best


@settings(max_examples=300, deadline=None)
@given(carts, promotions(), st.sampled_from((GOLD, PLAIN)))
def test_search_equals_brute_force(items, promos, customer):
    cands = candidates(items, promos, customer, NOW)
    pay, used, combo = search(items, cands)
    assert pay == brute_force(items, cands)
    assert legal(combo)
    assert evaluate(items, combo)[0] == pay
    assert set(used) <= {p.promo_id for p in combo}
    q = best_price(items, promos, customer, NOW)
    assert q.pay_fen == pay and 0 <= q.pay_fen <= q.list_fen
