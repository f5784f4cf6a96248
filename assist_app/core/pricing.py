"""Best price: the cheapest legal combination of the active promotions for a cart, in integer fen.

Rules (the shop's, written down once here):
- Per-item rates first: 会员价 (member_price, only for the customer's level or tags) and 品类折扣
  (category_discount) multiply the lines of their categories (empty categories = whole shop), rounded to the
  fen after each rate (half up), in a fixed order (member price, then category discount).
- Then threshold cuts on the discounted subtotal of their categories: 满减 (threshold_discount: the best tier
  reached) and 店铺券 (shop_coupon). Both are evaluated on the same discounted subtotal and summed; the price
  never goes below 0.
- One promotion per type (one 满减, one 店铺券, one 品类折扣, one 会员价). Promotions sharing a non-empty
  `exclusive_group` exclude each other; a non-`stackable` one combines with nothing.
- 满赠 (gift) and 包邮 (free_shipping) do not change the price; they are reported when the paid subtotal of
  their categories reaches their threshold.
The search enumerates combinations one type at a time and prunes illegal partial combinations and branches
whose optimistic bound cannot beat the best found; tests prove it equal to brute force over all subsets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from assist_app.core.types import PriceQuote
from assist_app.domain import CustomerProfile, Product, Promotion, yuan

PRICE_KINDS = ("member_price", "category_discount", "threshold_discount", "shop_coupon")
RATE_KINDS = ("member_price", "category_discount")
CUT_KINDS = ("threshold_discount", "shop_coupon")


class Line(Protocol):
    """Anything with these fields: domain.OrderItem or CartLine."""

    category: str
    quantity: int
    unit_price_fen: int


@dataclass(frozen=True)
class CartLine:
    sku: str
    name: str
    category: str
    unit_price_fen: int
    quantity: int = 1

    @classmethod
    def of(cls, product: Product, quantity: int = 1) -> CartLine:
        return cls(product.sku, product.name, product.category, product.price_fen, quantity)


def is_active(p: Promotion, at: datetime) -> bool:
    return (p.starts_at is None or p.starts_at <= at) and (p.ends_at is None or at < p.ends_at)


def applies_to(p: Promotion, category: str) -> bool:
    return not p.categories or category in p.categories


def member_eligible(p: Promotion, customer: CustomerProfile | None) -> bool:
    if p.kind != "member_price":
        return True
    if not p.member_levels:
        return True
    if customer is None:
        return False
    return customer.member_level in p.member_levels or any(t in p.member_levels for t in customer.tags)


def candidates(items: Sequence[Line], promotions: Iterable[Promotion], customer: CustomerProfile | None,
               at: datetime | None) -> list[Promotion]:
    """Price promotions that could touch this cart for this customer now (sorted, deterministic)."""
    cats = {i.category for i in items}
    out = [p for p in promotions
           if p.kind in PRICE_KINDS and (at is None or is_active(p, at)) and member_eligible(p, customer)
           and (not p.categories or cats & set(p.categories))]
    return sorted(out, key=lambda p: (PRICE_KINDS.index(p.kind), p.promo_id))


def legal(combo: Sequence[Promotion]) -> bool:
    """One per type, exclusive groups respected, non-stackable alone."""
    if len(combo) > 1 and any(not p.stackable for p in combo):
        return False
    kinds = [p.kind for p in combo]
    if len(set(kinds)) != len(kinds):
        return False
    groups = [p.exclusive_group for p in combo if p.exclusive_group]
    return len(set(groups)) == len(groups)


def _rate_permille(rate: float) -> int:
    return int(round(rate * 1000))


def _apply_rate(amount: int, rate: float) -> int:
    return (amount * _rate_permille(rate) + 500) // 1000


def tier_cut(p: Promotion, base_fen: int) -> int:
    """The cut of the best tier reached by `base_fen` (0 when none), never more than the base."""
    best = 0
    for threshold, cut in p.threshold_tiers:
        if base_fen >= threshold and cut > best:
            best = cut
    return min(best, base_fen)


def evaluate(items: Sequence[Line], combo: Sequence[Promotion]) -> tuple[int, list[str]]:
    """Pay amount for a (legal) combination and the ids of the promotions that actually changed it."""
    subtotal, cuts, used = _parts(items, combo)
    return max(0, subtotal - cuts), used


def _parts(items: Sequence[Line], combo: Sequence[Promotion]) -> tuple[int, int, list[str]]:
    """(subtotal after rates, sum of cuts, ids of effective promotions)."""
    rates = sorted((p for p in combo if p.kind in RATE_KINDS), key=lambda p: (RATE_KINDS.index(p.kind), p.promo_id))
    used: set[str] = set()
    lines: list[tuple[str, int]] = []
    for it in items:
        amount = it.unit_price_fen * it.quantity
        for p in rates:
            if applies_to(p, it.category):
                new = _apply_rate(amount, p.rate)
                if new != amount:
                    used.add(p.promo_id)
                amount = new
        lines.append((it.category, amount))
    subtotal = sum(a for _, a in lines)
    cuts = 0
    for p in combo:
        if p.kind in CUT_KINDS:
            base = sum(a for c, a in lines if applies_to(p, c))
            c = tier_cut(p, base)
            if c:
                used.add(p.promo_id)
                cuts += c
    return subtotal, cuts, [p.promo_id for p in combo if p.promo_id in used]


def _bound(items: Sequence[Line], combo: list[Promotion], remaining: list[list[Promotion]]) -> int:
    """Optimistic lower bound of any completion of `combo` with at most one promo from each remaining type.

    More rates can only shrink the subtotal down to subtotal * best rate (minus half a fen of rounding per line
    and rate) and can only shrink the cuts already reached; each remaining cut type adds at most its biggest cut.
    """
    subtotal, cuts, _ = _parts(items, combo)
    best_rate, n_rates, max_cut = 1.0, 0, 0
    for group in remaining:
        rs = [p.rate for p in group if p.kind in RATE_KINDS]
        if rs:
            best_rate *= min(1.0, min(rs))
            n_rates += 1
        cs = [max((c for _, c in p.threshold_tiers), default=0) for p in group if p.kind in CUT_KINDS]
        if cs:
            max_cut += max(cs)
    return max(0, int(subtotal * best_rate) - n_rates * len(items) - cuts - max_cut - 1)


def search(items: Sequence[Line], cands: Sequence[Promotion]) -> tuple[int, list[str], list[Promotion]]:
    """Cheapest legal combination: (pay, ids of effective promotions, the chosen combination)."""
    by_kind = [[p for p in cands if p.kind == k] for k in PRICE_KINDS]
    by_kind = [g for g in by_kind if g]
    base_pay, _ = evaluate(items, [])
    best: list = [base_pay, [], []]

    def better(pay: int, used: list[str]) -> bool:
        return (pay, len(used), used) < (best[0], len(best[1]), best[1])

    def dfs(k: int, combo: list[Promotion]) -> None:
        if k == len(by_kind):
            pay, used = evaluate(items, combo)
            if better(pay, sorted(used)):
                best[:] = [pay, sorted(used), list(combo)]
            return
        if _bound(items, combo, by_kind[k:]) > best[0]:
            return  # nothing below can beat (or tie) the best
        dfs(k + 1, combo)
        for p in by_kind[k]:
            combo.append(p)
            if legal(combo):
                dfs(k + 1, combo)
            combo.pop()

    dfs(0, [])
    return best[0], best[1], best[2]


def best_price(items: Sequence[Line], promotions: Iterable[Promotion], customer: CustomerProfile | None,
               at: datetime | None, lang: str = "zh") -> PriceQuote:
    promos = list(promotions)
    cands = candidates(items, promos, customer, at)
    pay, used, _ = search(items, cands)
    list_fen = sum(i.unit_price_fen * i.quantity for i in items)
    by_id = {p.promo_id: p for p in cands}
    chosen = sorted((by_id[i] for i in used), key=lambda p: (PRICE_KINDS.index(p.kind), p.promo_id))
    gifts, free_ship = _extras(items, promos, at, pay, chosen)
    return PriceQuote(list_fen=list_fen, pay_fen=pay, promo_ids=[p.promo_id for p in chosen],
                      line=explain(list_fen, pay, chosen, gifts, free_ship, lang), gifts=gifts,
                      free_shipping=free_ship)


def _extras(items: Sequence[Line], promos: Sequence[Promotion], at: datetime | None, pay: int,
            chosen: Sequence[Promotion]) -> tuple[list[str], bool]:
    """Gifts and free shipping reached by the paid amount (prorated to their categories)."""
    list_fen = sum(i.unit_price_fen * i.quantity for i in items) or 1
    gifts, free_ship = [], False
    for p in promos:
        if p.kind not in ("gift", "free_shipping") or (at is not None and not is_active(p, at)):
            continue
        share = sum(i.unit_price_fen * i.quantity for i in items if applies_to(p, i.category))
        base = pay * share // list_fen
        threshold = p.threshold_tiers[0][0] if p.threshold_tiers else 0
        if share and base >= threshold:
            if p.kind == "gift":
                gifts.append(p.gift or p.title)
            else:
                free_ship = True
    return gifts, free_ship


def _promo_name(p: Promotion) -> str:
    return p.title or p.promo_id


def explain(list_fen: int, pay_fen: int, chosen: Sequence[Promotion], gifts: Sequence[str] = (),
            free_shipping: bool = False, lang: str = "zh") -> str:
    """One sendable line, e.g. "用店铺券满300减30 + 品类9折，实付 ¥459.00（原价 ¥540.00，省 ¥81.00）"."""
    if lang == "en":
        if chosen:
            s = f"With {' + '.join(_promo_name(p) for p in chosen)}, you pay ¥{yuan(pay_fen)} " \
                f"(list ¥{yuan(list_fen)}, save ¥{yuan(list_fen - pay_fen)})"
        else:
            s = f"No promotion applies right now; the price is ¥{yuan(pay_fen)}"
        if gifts:
            s += f", plus gift: {'、'.join(gifts)}"
        if free_shipping:
            s += ", free shipping"
        return s + "."
    if chosen:
        s = f"用{' + '.join(_promo_name(p) for p in chosen)}，实付 ¥{yuan(pay_fen)}" \
            f"（原价 ¥{yuan(list_fen)}，省 ¥{yuan(list_fen - pay_fen)}）"
    else:
        s = f"目前没有可用的优惠，实付 ¥{yuan(pay_fen)}"
    if gifts:
        s += f"，还送{'、'.join(gifts)}"
    if free_shipping:
        s += "，包邮"
    return s + "。"
