"""Typed business values shared by the store, the wire protocol, the assist core and the UI.

Pure data: no I/O, no Qt. Money is in integer fen (1 元 = 100 分) so price arithmetic is exact.
Timestamps are timezone-aware ISO-8601 strings on the wire and `datetime` here (UTC+8 for the demo shop).
Every class has `to_dict()` / `from_dict()` so the protocol can carry it as JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")

# Order states (ids; Chinese display names live in the UI/templates).
ORDER_STATES = (
    "unpaid",      # 待付款
    "paid",        # 已付款, waiting to ship (待发货)
    "shipped",     # 已发货, in transit
    "signed",      # 已签收
    "completed",   # 交易成功 (after the confirmation period)
    "refunding",   # 退款中
    "returned",    # 已退货退款
    "cancelled",   # 已取消
)

PROMOTION_KINDS = (
    "threshold_discount",  # 满减: tiers of (threshold, cut), e.g. 满300减30 / 满500减60
    "shop_coupon",         # 店铺券: one tier, claimed coupon
    "category_discount",   # 品类折扣: rate on items of listed categories, e.g. 0.9
    "member_price",        # 会员价: rate for member levels / tags
    "gift",                # 满赠: a gift above a threshold (no price effect)
    "free_shipping",       # 包邮 above a threshold
)


def _parse_dt(v: Any) -> datetime | None:
    if v is None or isinstance(v, datetime):
        return v
    return datetime.fromisoformat(v)


def _dt(v: datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


class _Serialisable:
    """asdict/from-dict helpers; datetimes become ISO strings, nested dataclasses recurse."""

    _nested: dict[str, type] = {}
    _nested_lists: dict[str, type] = {}
    _datetimes: tuple[str, ...] = ()
    _tuples: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)  # type: ignore[call-overload]
        return _json_ready(d)

    @classmethod
    def from_dict(cls: type[T], d: dict[str, Any]) -> T:
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        kw: dict[str, Any] = {}
        for k, v in d.items():
            if k not in known:
                continue  # forward compatible: ignore fields a newer peer added
            if k in cls._nested and v is not None:  # type: ignore[attr-defined]
                v = cls._nested[k].from_dict(v)  # type: ignore[attr-defined]
            elif k in cls._nested_lists:  # type: ignore[attr-defined]
                v = [cls._nested_lists[k].from_dict(x) for x in v or []]  # type: ignore[attr-defined]
            elif k in cls._datetimes:  # type: ignore[attr-defined]
                v = _parse_dt(v)
            elif k in cls._tuples:  # type: ignore[attr-defined]
                v = tuple(v or ())
            elif isinstance(v, list) and k.endswith("_tiers"):
                v = [tuple(x) for x in v]
            kw[k] = v
        return cls(**kw)


def _json_ready(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _json_ready(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_ready(x) for x in v]
    return v


@dataclass(frozen=True)
class CustomerProfile(_Serialisable):
    customer_id: str
    nick: str                        # platform nick, e.g. "tb_小鹿乱撞"
    member_level: str = "普通会员"    # e.g. 普通会员 / 银卡 / 金卡 / 钻石
    tags: tuple[str, ...] = ()       # e.g. ("88VIP",) or ("PLUS",)
    points: int = 0
    repurchase_count: int = 0        # paid orders with this shop before
    phone: str = ""                  # private: masked in logs
    name: str = ""                   # private
    address: str = ""                # private
    since: datetime | None = None

    _datetimes = ("since",)

    _tuples = ("tags",)


@dataclass(frozen=True)
class Product(_Serialisable):
    sku: str
    name: str
    category: str                    # e.g. 冲锋衣 / 登山鞋 / 空气炸锅 / 耳机
    price_fen: int                   # list price
    specs: dict[str, str] = field(default_factory=dict)      # 面料, 防水指数, 功率 …
    size_chart: dict[str, str] = field(default_factory=dict)  # "M" -> "身高165-170 体重55-65kg"
    no_reason_return_days: int = 7  # 0 = not eligible (e.g. 定制, 贴身衣物, 已激活3C)
    warranty_days: int = 0           # manufacturer warranty, 0 = none
    price_protect_days: int = 15     # 价保 window from payment
    needs_installation: bool = False


@dataclass(frozen=True)
class OrderItem(_Serialisable):
    sku: str
    name: str
    category: str
    spec: str                        # chosen spec, e.g. "黑色 XL"
    quantity: int
    unit_price_fen: int              # list price at purchase
    paid_fen: int                    # what the customer actually paid for this line


@dataclass(frozen=True)
class LogisticsEvent(_Serialisable):
    time: datetime
    status: str                      # e.g. 已揽收 / 运输中 / 派送中 / 已签收
    detail: str                      # e.g. "【杭州转运中心】已发出，下一站【上海】"

    _datetimes = ("time",)


@dataclass(frozen=True)
class Order(_Serialisable):
    order_id: str
    customer_id: str
    state: str                       # one of ORDER_STATES
    items: list[OrderItem]
    total_fen: int                   # sum of list prices
    paid_fen: int                    # amount actually paid
    coupon_used: str = ""            # e.g. "店铺券满300减30"
    created_at: datetime | None = None
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    signed_at: datetime | None = None
    carrier: str = ""                # e.g. 顺丰 / 中通
    tracking_no: str = ""
    eta: datetime | None = None
    logistics: list[LogisticsEvent] = field(default_factory=list)
    address: str = ""                # private

    _nested_lists = {"items": OrderItem, "logistics": LogisticsEvent}
    _datetimes = ("created_at", "paid_at", "shipped_at", "signed_at", "eta")


@dataclass(frozen=True)
class Promotion(_Serialisable):
    promo_id: str
    kind: str                        # one of PROMOTION_KINDS
    title: str                       # e.g. "店铺券满300减30"
    # 满减 / 店铺券 / 满赠 / 包邮: (threshold_fen, cut_fen) tiers, ascending; cut 0 for gift/shipping
    threshold_tiers: list[tuple[int, int]] = field(default_factory=list)
    rate: float = 1.0                # 品类折扣 / 会员价 multiplier, e.g. 0.9
    categories: tuple[str, ...] = ()  # empty = whole shop
    member_levels: tuple[str, ...] = ()  # member_price: eligible levels or tags (88VIP, PLUS, 金卡…)
    gift: str = ""
    exclusive_group: str = ""        # promotions sharing a non-empty group cannot be combined
    stackable: bool = True           # False: cannot combine with any other price promotion
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    _datetimes = ("starts_at", "ends_at")

    _tuples = ("categories", "member_levels",)


@dataclass(frozen=True)
class KnowledgeEntry(_Serialisable):
    kb_id: str
    title: str                       # e.g. 七天无理由退货
    question: str                    # typical phrasing
    answer: str                      # the text an agent can send
    tags: tuple[str, ...] = ()       # intent ids / categories it applies to

    _tuples = ("tags",)


@dataclass(frozen=True)
class CustomerContext(_Serialisable):
    """Everything the gateway knows about the customer of one conversation (the `context` event)."""

    customer: CustomerProfile
    orders: list[Order] = field(default_factory=list)          # newest first
    promotions: list[Promotion] = field(default_factory=list)  # active now
    products: list[Product] = field(default_factory=list)      # products of the orders + ones asked about
    knowledge: list[KnowledgeEntry] = field(default_factory=list)

    _nested = {"customer": CustomerProfile}
    _nested_lists = {"orders": Order, "promotions": Promotion, "products": Product,
                     "knowledge": KnowledgeEntry}


def yuan(fen: int) -> str:
    """Display money: 12990 -> '129.90'."""
    return f"{fen / 100:.2f}"
