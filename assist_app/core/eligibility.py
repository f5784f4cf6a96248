"""After-sales eligibility of an order's items: 七天无理由退货, 换货, 保修, 价保 — each with its deadline and rule.

Return, exchange and warranty windows run from the signed date; price protection from the payment date.
Product rules (domain.Product) win over the shop policy; category exceptions come from policy.toml.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from assist_app.core.pricing import CartLine, best_price
from assist_app.core.templates import Policy
from assist_app.core.types import Eligibility
from assist_app.domain import CustomerProfile, Order, OrderItem, Product, Promotion, yuan

CLOSED_STATES = ("unpaid", "cancelled", "returned", "refunding")


def fmt_dt(dt: datetime | None, lang: str = "zh") -> str:
    if dt is None:
        return ""
    return f"{dt.month}月{dt.day}日 {dt:%H:%M}" if lang == "zh" else f"{dt:%b %d %H:%M}"


def no_reason_days(item: OrderItem, product: Product | None, policy: Policy) -> tuple[int, str]:
    """(days, rule) of the 7-day no-reason return for one item."""
    if item.category in policy.no_reason_exceptions:
        return 0, f"品类例外：{item.category}不支持七天无理由（商家规则）"
    if product is not None:
        if product.no_reason_return_days <= 0:
            return 0, f"商品规则：{product.name}不支持七天无理由"
        return product.no_reason_return_days, f"七天无理由：签收后{product.no_reason_return_days}天（商品规则）"
    return policy.no_reason_days, f"七天无理由：签收后{policy.no_reason_days}天（店铺规则）"


def item_eligibility(order: Order, item: OrderItem, product: Product | None, policy: Policy, now: datetime,
                     promotions: Sequence[Promotion] = (), customer: CustomerProfile | None = None
                     ) -> list[Eligibility]:
    out: list[Eligibility] = []
    oid, sku = order.order_id, item.sku
    signed = order.signed_at
    closed = order.state in CLOSED_STATES

    # 七天无理由退货
    days, rule = no_reason_days(item, product, policy)
    if closed:
        out.append(Eligibility("no_reason_return", oid, sku, False, None, f"订单状态：{order.state}，不适用"))
    elif days <= 0:
        out.append(Eligibility("no_reason_return", oid, sku, False, None, rule))
    elif signed is None:
        out.append(Eligibility("no_reason_return", oid, sku, True, None,
                               f"未签收：可拒收或退款；签收后{days}天内可无理由退货", detail="not_signed"))
    else:
        dl = signed + timedelta(days=days)
        out.append(Eligibility("no_reason_return", oid, sku, now <= dl, dl, rule,
                               detail="open" if now <= dl else "closed"))

    # 换货 (size/colour; quality exchanges use the same window)
    if not closed and signed is not None and days > 0:
        dl = signed + timedelta(days=policy.exchange_days)
        out.append(Eligibility("exchange", oid, sku, now <= dl, dl,
                               f"换货：签收后{policy.exchange_days}天（店铺规则）", detail="open" if now <= dl else "closed"))
    elif not closed and signed is not None:
        out.append(Eligibility("exchange", oid, sku, False, None, rule + "，仅质量问题可换"))

    # 保修
    wdays = product.warranty_days if product is not None else 0
    if wdays > 0 and order.state not in ("unpaid", "cancelled", "returned"):
        if signed is None:
            out.append(Eligibility("warranty", oid, sku, True, None, f"保修：签收后{wdays}天（商品规则）",
                                   detail="not_signed"))
        else:
            dl = signed + timedelta(days=wdays)
            out.append(Eligibility("warranty", oid, sku, now <= dl, dl, f"保修：签收后{wdays}天（商品规则）",
                                   detail="open" if now <= dl else "closed"))

    # 价保
    pdays = (product.price_protect_days if product is not None else 0) or policy.price_protect_days
    if order.paid_at is not None and order.state not in ("unpaid", "cancelled", "returned"):
        dl = order.paid_at + timedelta(days=pdays)
        amount = price_difference(item, product, promotions, customer, now)
        rule_pp = f"价保：付款后{pdays}天，按实付与现价差额（{policy.price_protect_note or '商品规则'}）"
        ok = now <= dl and amount > 0
        detail = (f"可补差价 ¥{yuan(amount)}" if ok else
                  "价保已过期" if now > dl else "现价不低于实付，无差价")
        out.append(Eligibility("price_protection", oid, sku, ok, dl, rule_pp, detail=detail,
                               amount_fen=amount if now <= dl else 0))
    return out


def price_difference(item: OrderItem, product: Product | None, promotions: Sequence[Promotion],
                     customer: CustomerProfile | None, now: datetime) -> int:
    """What the customer overpaid compared with today's best price (flash sales excluded), in fen."""
    if item.quantity <= 0:
        return 0
    unit_now = product.price_fen if product is not None else item.unit_price_fen
    # 限时秒杀 (non-stackable) and claimed shop coupons are not the item's price: they do not count for 价保.
    promos = [p for p in promotions if p.stackable and p.kind != "shop_coupon"]
    line = CartLine(item.sku, item.name, item.category, unit_now, item.quantity)
    today = best_price([line], promos, customer, now).pay_fen
    return max(0, item.paid_fen - today)


def order_eligibility(order: Order, products: Iterable[Product], policy: Policy, now: datetime,
                      promotions: Sequence[Promotion] = (), customer: CustomerProfile | None = None,
                      max_items: int = 3) -> list[Eligibility]:
    by_sku = {p.sku: p for p in products}
    out: list[Eligibility] = []
    for item in order.items[:max_items]:
        out.extend(item_eligibility(order, item, by_sku.get(item.sku), policy, now, promotions, customer))
    return out
