"""挽单 (retention): an offer for bargaining, cancelling or price-driven returns, never above the merchant's limits.

Limits come from policy.toml [retention]: max_coupon_fen, max_coupon_ratio of the order value (plus
vip_bonus_ratio for VIP customers, still capped by max_coupon_fen), free_shipping, gifts.
"""

from __future__ import annotations

import re

from assist_app.core.templates import Policy
from assist_app.core.types import RetentionOffer
from assist_app.domain import CustomerProfile, yuan

RETAIN_INTENTS = frozenset({"bargain", "cancel_order", "return_refund"})
# A return/cancel is worth a retention offer only when it is about money, not a broken item.
PRICE_DRIVEN = re.compile(r"(贵|便宜|降价|差价|别家|其他家|划算|价格|优惠|不值|太高|打折|活动价|凑单|等不了|太慢|不想要了|算了)")
DEFECT = re.compile(r"(坏|破|质量|漏|故障|不能用|用不了|开胶|瑕疵|发错|少发|假货|冒烟|异味)")


def is_vip(customer: CustomerProfile | None, policy: Policy) -> bool:
    return customer is not None and (customer.member_level in policy.vip_levels
                                     or any(t in policy.vip_tags for t in customer.tags))


def coupon_limit(order_value_fen: int, vip: bool, policy: Policy) -> int:
    """The largest coupon allowed for this order (fen), before rounding to the step."""
    ratio = policy.max_coupon_ratio + (policy.vip_bonus_ratio if vip else 0.0)
    return max(0, min(policy.max_coupon_fen, int(order_value_fen * ratio)))


def offer(intent: str, text: str, order_value_fen: int, customer: CustomerProfile | None, policy: Policy,
          lang: str = "zh") -> RetentionOffer | None:
    """An offer for this ask, or None when retention does not apply (e.g. a defect return)."""
    if intent not in RETAIN_INTENTS:
        return None
    if intent == "return_refund" and (DEFECT.search(text) or not PRICE_DRIVEN.search(text)):
        return None
    vip = is_vip(customer, policy)
    limit = coupon_limit(order_value_fen, vip, policy)
    value = limit - limit % policy.coupon_step_fen
    rule = (f"店铺上限：单笔≤¥{yuan(policy.max_coupon_fen)}，且≤订单金额的"
            f"{(policy.max_coupon_ratio + (policy.vip_bonus_ratio if vip else 0)) * 100:.0f}%")
    if value >= policy.min_coupon_fen:
        txt = (f"¥{yuan(value)}无门槛优惠券（本单可用）" if lang == "zh"
               else f"a ¥{yuan(value)} coupon for this order")
        return RetentionOffer("coupon", value, txt, rule)
    if policy.free_shipping:
        return RetentionOffer("free_shipping", 0, "本单包邮" if lang == "zh" else "free shipping on this order",
                              "店铺允许包邮")
    if policy.gifts:
        g = policy.gifts[0]
        return RetentionOffer("gift", 0, f"赠送{g}" if lang == "zh" else f"a free gift ({g})", "店铺赠品清单")
    return RetentionOffer("none", 0, "", rule)
