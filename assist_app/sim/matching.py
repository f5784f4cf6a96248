"""Which demo-store orders fit a script ("a logistics script needs a shipped order"), and the slot values.

Pure: works on domain objects and a reference time, never touches the store itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from assist_app.domain import CustomerProfile, Order, OrderItem, Product, yuan
from assist_app.store.catalog import BRAND, GROUPS

D = timedelta(days=1)
_DONE = ("signed", "completed")


def _since(t: datetime | None, now: datetime) -> timedelta:
    return now - t if t is not None else timedelta.max


def _last_event_age(o: Order, now: datetime) -> timedelta:
    return now - o.logistics[-1].time if o.logistics else timedelta(0)


def _returnable(o: Order, products: dict[str, Product]) -> bool:
    return any(products[i.sku].no_reason_return_days > 0 for i in o.items if i.sku in products)


def _dropped(o: Order, products: dict[str, Product]) -> bool:
    return any(i.sku in products and i.unit_price_fen > products[i.sku].price_fen for i in o.items)


# profile id -> predicate(order, now, products)
ORDER_PROFILES: dict[str, Callable[[Order, datetime, dict[str, Product]], bool]] = {
    "any": lambda o, now, p: o.state not in ("unpaid", "cancelled"),
    "unpaid": lambda o, now, p: o.state == "unpaid",
    "paid": lambda o, now, p: o.state == "paid",
    "paid_late": lambda o, now, p: o.state == "paid" and _since(o.paid_at, now) > timedelta(hours=36),
    "shipped": lambda o, now, p: o.state == "shipped" and bool(o.logistics) and o.eta is not None,
    "stalled": lambda o, now, p: (o.state == "shipped" and bool(o.logistics) and o.eta is not None
                                  and _last_event_age(o, now) > timedelta(hours=30)),
    "signed": lambda o, now, p: o.state in _DONE and _since(o.signed_at, now) <= 45 * D,
    "signed_open": lambda o, now, p: (o.state in _DONE and _since(o.signed_at, now) < 6 * D
                                      and _returnable(o, p)),
    "signed_closed": lambda o, now, p: o.state == "completed" and 15 * D <= _since(o.signed_at, now) <= 120 * D,
    "refunding": lambda o, now, p: o.state == "refunding" and o.paid_fen > 0,
    "returned": lambda o, now, p: o.state == "returned",
    "price_drop": lambda o, now, p: (o.state in ("paid", "shipped", "signed", "completed")
                                     and _since(o.paid_at, now) <= 14 * D and _dropped(o, p)),
    "big": lambda o, now, p: o.state in ("paid", "shipped", "signed") and o.paid_fen >= 100000,
    # listed above the 满699 gift threshold but paid below it after coupons: "where is my gift?"
    "near_gift": lambda o, now, p: (o.state in _DONE and _since(o.signed_at, now) < 6 * D
                                    and o.total_fen >= 69900 > o.paid_fen),
}


def focus_item(o: Order, group: str, profile: str, products: dict[str, Product]) -> OrderItem | None:
    """The line the script talks about: in the group if one is required, the price-dropped one for 价保."""
    cats = GROUPS.get(group, ())
    for it in o.items:
        if cats and it.category not in cats:
            continue
        if profile == "price_drop" and not (it.sku in products and it.unit_price_fen > products[it.sku].price_fen):
            continue
        if profile == "signed_open" and it.sku in products and products[it.sku].no_reason_return_days == 0:
            continue
        return it
    return None


def customer_fits(c: CustomerProfile, requirement: str) -> bool:
    if not requirement:
        return True
    if requirement == "jd":
        return c.nick.startswith("jd_")
    if requirement == "tb":
        return not c.nick.startswith("jd_")
    return requirement in c.tags


def short_name(name: str) -> str:
    """What a customer types for a product: '拓路者 PRO 硬壳冲锋衣 GORE-TEX 登山款' -> '硬壳冲锋衣'."""
    words = name.replace(BRAND, "").split()
    for w in words:
        if any("\u4e00" <= ch <= "\u9fff" for ch in w) and len(w) >= 2:
            return w
    return words[0] if words else name


def _date(t: datetime | None) -> str:
    return f"{t.month}月{t.day}日" if t is not None else ""


def _money(fen: int) -> str:
    s = yuan(fen)
    return s[:-3] if s.endswith(".00") else s


def slot_values(customer: CustomerProfile, order: Order | None, item: OrderItem | None,
                product: Product | None, products: dict[str, Product]) -> dict[str, str]:
    """Placeholder values from real data. A slot without data is absent, so filling it fails loudly."""
    v = {"nick": customer.nick, "name": customer.name, "phone": customer.phone,
         "member_level": customer.member_level, "points": str(customer.points)}
    if order is not None:
        it = item or order.items[0]
        # an unpaid order's "amount" is what the customer is asked to pay
        v.update(order_id=order.order_id, paid=_money(order.paid_fen or order.total_fen), paid_date=_date(order.paid_at or order.created_at),
                 signed_date=_date(order.signed_at), item=short_name(it.name), spec=it.spec,
                 category=it.category, qty=str(it.quantity), carrier=order.carrier, tracking_no=order.tracking_no,
                 last_event=order.logistics[-1].detail if order.logistics else "", eta=_date(order.eta))
        if it.sku in products:
            v["now_price"] = _money(products[it.sku].price_fen)
        if product is None and it.sku in products:
            product = products[it.sku]
    if product is not None:
        v.update(product=short_name(product.name), product_price=_money(product.price_fen))
    return {k: s for k, s in v.items() if s}
