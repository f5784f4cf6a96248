"""Deterministic demo data for the 拓路者 shop: the same seed and the same `now` give identical data.

Pure: builds domain objects, writes nothing (`Store.demo` loads them). Every timeline is relative to `now`, so a
fresh demo always has orders signed a few days ago (7-day return still open), orders signed weeks ago (closed),
parcels in transit (some stalled), orders waiting to ship, unpaid ones, refunds under way and finished returns.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from assist_app.domain import (
    CustomerProfile,
    KnowledgeEntry,
    LogisticsEvent,
    Order,
    OrderItem,
    Product,
    Promotion,
)
from assist_app.store import catalog

N_CUSTOMERS = 220
N_ORDERS = 1100

H = timedelta(hours=1)
D = timedelta(days=1)


@dataclass(frozen=True)
class DemoData:
    customers: list[CustomerProfile]
    products: list[Product]
    orders: list[Order]
    promotions: list[Promotion]
    knowledge: list[KnowledgeEntry]


# --------------------------------------------------------------------------- people and places

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌宇浩凯婷雪琳晨欣怡子涵梓轩一诺思远佳"
_NICK_A = ("爱爬山的", "快乐的", "山野", "周末去", "不会游泳的", "会飞的", "一只", "努力的", "佛系", "迷路的",
           "追风的", "吃不胖的", "早睡早起的", "小小", "北漂", "南方的", "热爱生活的", "想去西藏的", "打工人",
           "温柔的", "暴躁的", "元气", "慢慢来的", "")
_NICK_B = ("小鹿", "大熊", "阿狸", "猫咪", "橘子", "土豆", "柠檬", "西瓜", "小胖", "旅行者", "徒步者", "背包客",
           "小太阳", "蘑菇", "兔子", "海盐", "奶茶", "团子", "云朵", "松鼠", "老王", "阿杰", "露营人", "鱼丸")
# (province, city, districts, hub the parcels go through)
_PLACES = (
    ("浙江省", "杭州市", ("西湖区", "余杭区", "滨江区", "拱墅区"), "杭州"),
    ("浙江省", "宁波市", ("鄞州区", "海曙区"), "杭州"),
    ("上海市", "上海市", ("浦东新区", "徐汇区", "闵行区", "静安区"), "上海"),
    ("江苏省", "南京市", ("鼓楼区", "建邺区", "江宁区"), "南京"),
    ("江苏省", "苏州市", ("姑苏区", "工业园区", "吴中区"), "苏州"),
    ("北京市", "北京市", ("朝阳区", "海淀区", "丰台区", "昌平区"), "北京"),
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区", "龙岗区"), "深圳"),
    ("广东省", "广州市", ("天河区", "海珠区", "番禺区"), "广州"),
    ("四川省", "成都市", ("武侯区", "锦江区", "高新区"), "成都"),
    ("湖北省", "武汉市", ("洪山区", "江汉区", "武昌区"), "武汉"),
    ("陕西省", "西安市", ("雁塔区", "未央区"), "西安"),
    ("重庆市", "重庆市", ("渝北区", "南岸区", "九龙坡区"), "重庆"),
    ("湖南省", "长沙市", ("岳麓区", "雨花区"), "长沙"),
    ("山东省", "青岛市", ("崂山区", "市南区"), "济南"),
    ("福建省", "厦门市", ("思明区", "湖里区"), "厦门"),
    ("云南省", "昆明市", ("五华区", "盘龙区"), "昆明"),
    ("辽宁省", "沈阳市", ("和平区", "浑南区"), "沈阳"),
    ("新疆维吾尔自治区", "乌鲁木齐市", ("天山区", "沙依巴克区"), "乌鲁木齐"),
)
_ROADS = ("文三路", "人民路", "中山路", "解放路", "建设路", "学院路", "科技园路", "滨江大道", "长江路", "和平路",
          "新华街", "望京街", "天府大道", "光谷大道", "云栖路")
_COMMUNITIES = ("阳光花园", "金色家园", "翠苑", "绿城桂花园", "万科城", "保利香槟", "龙湖天街", "碧桂园", "世纪新城",
                "东方名苑", "锦绣华庭", "和谐家园")
_COURIERS = ("王师傅", "李师傅", "张师傅", "刘师傅", "陈师傅", "赵师傅", "周师傅")
_SIGNERS = ("本人签收", "家门口", "菜鸟驿站", "丰巢快递柜", "前台代收", "物业代收")


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _masked_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10)}****{rng.randrange(10**4):04d}"


def _nick(rng: random.Random, platform: str, taken: set[str]) -> str:
    while True:
        r = rng.random()
        if platform == "jd":
            nick = (f"jd_{rng.randrange(16**10):010x}" if r < 0.45 else
                    f"jd_{rng.choice(_NICK_A)}{rng.choice(_NICK_B)}{rng.randrange(100)}")
        elif r < 0.55:
            nick = f"tb_{rng.choice(_NICK_A)}{rng.choice(_NICK_B)}"
            if rng.random() < 0.4:
                nick += str(rng.randrange(1990, 2010))
        elif r < 0.8:
            nick = f"tb{rng.randrange(10**8, 10**10)}"
        else:
            nick = f"{rng.choice(_NICK_A)}{rng.choice(_NICK_B)}{rng.randrange(10, 999)}"
        if nick not in taken:
            taken.add(nick)
            return nick


@dataclass
class _Person:
    cid: str
    platform: str  # tb | jd
    nick: str
    name: str
    phone: str
    place: tuple
    address: str
    tags: tuple[str, ...]


def _people(rng: random.Random) -> list[_Person]:
    taken: set[str] = set()
    out = []
    for i in range(N_CUSTOMERS):
        platform = "jd" if rng.random() < 0.25 else "tb"
        place = rng.choice(_PLACES)
        district = rng.choice(place[2])
        address = (f"{place[0]}{place[1] if place[1] != place[0] else ''}{district}{rng.choice(_ROADS)}"
                   f"{rng.randrange(1, 999)}号{rng.choice(_COMMUNITIES)}{rng.randrange(1, 30)}幢"
                   f"{rng.randrange(1, 33)}0{rng.randrange(1, 5)}室")
        tag_roll = rng.random()
        tags: tuple[str, ...] = ()
        if platform == "tb" and tag_roll < 0.3:
            tags = ("88VIP",)
        elif platform == "jd" and tag_roll < 0.35:
            tags = ("PLUS",)
        name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
        out.append(_Person(cid=f"C{i + 1:04d}", platform=platform, nick=_nick(rng, platform, taken), name=name,
                           phone=_phone(rng), place=place, address=address, tags=tags))
    return out


# --------------------------------------------------------------------------- orders

# How often each category is bought (apparel-heavy shop with a side line of appliances and 3C).
_CATEGORY_WEIGHT = {
    "冲锋衣": 14, "抓绒衣": 8, "羽绒服": 7, "速干裤": 9, "速干衣": 8, "贴身衣物": 5, "登山鞋": 10, "帐篷": 4,
    "睡袋": 4, "背包": 5, "登山杖": 3, "定制商品": 1, "空气炸锅": 4, "电饭煲": 3, "扫地机器人": 2, "净水器": 1,
    "热水器": 1, "挂烫机": 2, "耳机": 4, "充电宝": 4, "运动手表": 1, "头灯": 2, "对讲机": 1,
}
_CARRIERS_TB = ("中通快递", "圆通速递", "韵达快递", "申通快递")
_BIG = ("扫地机器人", "净水器", "热水器", "帐篷")


def _tracking(rng: random.Random, carrier: str) -> str:
    if carrier == "顺丰速运":
        return f"SF{rng.randrange(10**12, 10**13)}"
    if carrier == "京东物流":
        return f"JDVA{rng.randrange(10**10, 10**11)}"
    if carrier == "圆通速递":
        return f"YT{rng.randrange(10**12, 10**13)}"
    if carrier == "中通快递":
        return f"7{rng.randrange(10**13, 10**14)}"
    if carrier == "韵达快递":
        return f"43{rng.randrange(10**12, 10**13)}"
    return f"77{rng.randrange(10**12, 10**13)}"


def _spec(rng: random.Random, p: Product) -> str:
    parts = []
    colors = p.specs.get("颜色")
    if colors:
        parts.append(rng.choice(colors.split("/")))
    if p.size_chart:
        keys = list(p.size_chart)
        # middle sizes are bought most
        parts.append(keys[min(len(keys) - 1, max(0, int(rng.triangular(0, len(keys), len(keys) / 2))))])
    if not parts:
        parts.append("标准版")
    return " ".join(parts)


def _age_days(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.07:
        return rng.uniform(0, 1.2)
    if r < 0.4:
        return rng.uniform(0, 8)
    if r < 0.62:
        return rng.uniform(8, 30)
    return rng.uniform(30, 180)


def _track(rng: random.Random, carrier: str, place: tuple, district: str, shipped: datetime,
           arrive: datetime, stalled: bool) -> list[LogisticsEvent]:
    """The full planned track from pick-up to signature; the caller cuts it at `now`."""
    city, hub = place[1], place[3]
    total = (arrive - shipped).total_seconds()
    short = carrier.replace("快递", "").replace("速运", "").replace("速递", "")
    steps: list[tuple[float, str, str]] = [
        (0.0, "已揽收", f"【杭州市】{short}杭州余杭区仓储营业部 已揽收，揽收员：{rng.choice(_COURIERS)}"),
        (0.08, "运输中", "【杭州市】快件已到达【杭州转运中心】"),
    ]
    if hub != "杭州":
        steps += [
            (0.14, "运输中", f"【杭州转运中心】已发出，下一站【{hub}转运中心】"),
            (0.55 if not stalled else 0.2, "运输中", f"【{hub}转运中心】已到达"),
            (0.62 if not stalled else 0.9, "运输中", f"【{hub}转运中心】已发出，下一站【{city}{district}营业部】"),
        ]
    else:
        steps.append((0.3, "运输中", f"【杭州转运中心】已发出，下一站【{city}{district}营业部】"))
    steps += [
        (0.8 if not stalled else 0.93, "运输中", f"【{city}{district}营业部】已到达"),
        # out for delivery a couple of hours before the signature (both in daytime, see _daytime)
        (1.0 - rng.uniform(0.5, min(3.0, total / 3600 * 0.15)) * 3600 / total, "派送中",
         f"【{city}{district}营业部】派件中，快递员：{rng.choice(_COURIERS)}，电话：{_masked_phone(rng)}，请保持电话畅通"),
        (1.0, "已签收", f"【{city}】已签收，签收人：{rng.choice(_SIGNERS)}。感谢使用{carrier}，期待再次为您服务"),
    ]
    return [LogisticsEvent(time=shipped + timedelta(seconds=int(f * total)), status=s, detail=d)
            for f, s, d in steps]


def _daytime(rng: random.Random, t: datetime) -> datetime:
    """Couriers deliver between 9:00 and 21:00: a night-time arrival moves to the next morning."""
    if 9 <= t.hour < 21:
        return t
    day = t if t.hour < 9 else t + D
    return day.replace(hour=9, minute=0, second=0) + timedelta(seconds=rng.randrange(3 * 3600))


def _discount(rng: random.Random, total: int, tags: tuple[str, ...]) -> tuple[int, str]:
    """The cut a past order got (a plausible coupon/满减 mix) and its description."""
    cut, used = 0, []
    if total >= 30000 and rng.random() < 0.35:
        c = 13000 if total >= 100000 else 6000 if total >= 50000 else 3000
        cut += c
        used.append(f"店铺满减减{c // 100}")
    if rng.random() < 0.45:
        for thr, c in ((100000, 12000), (50000, 5000), (20000, 2000)):
            if total - cut >= thr:
                cut += c
                used.append(f"店铺券满{thr // 100}减{c // 100}")
                break
    if tags and rng.random() < 0.6:
        c = round((total - cut) * 0.05)
        cut += c
        used.append(f"{tags[0]}会员价95折")
    return cut, " + ".join(used)


def _orders(rng: random.Random, people: list[_Person], products: list[Product], now: datetime) -> list[Order]:
    by_cat: dict[str, list[Product]] = {}
    for p in products:
        by_cat.setdefault(p.category, []).append(p)
    cats = list(_CATEGORY_WEIGHT)
    weights = [_CATEGORY_WEIGHT[c] for c in cats]
    # a few loyal customers buy a lot, most buy once or twice
    buyer_weight = [rng.paretovariate(1.6) for _ in people]
    buyers = list(people) + rng.choices(people, weights=buyer_weight, k=N_ORDERS - len(people))
    taken: set[str] = set()
    orders = []
    for person in buyers:
        while True:
            oid = (str(rng.randrange(2 * 10**11, 3 * 10**11)) if person.platform == "jd"
                   else str(rng.randrange(2 * 10**18, 4 * 10**18)))
            if oid not in taken:
                taken.add(oid)
                break
        created = (now - timedelta(days=_age_days(rng))).replace(microsecond=0)
        n_lines = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
        chosen: list[Product] = []
        for _ in range(n_lines):
            p = rng.choice(by_cat[rng.choices(cats, weights=weights)[0]])
            if p not in chosen:
                chosen.append(p)
        lines = []
        for p in chosen:
            unit = p.price_fen
            drop = catalog.PRICE_DROPS.get(p.sku)
            if drop and created < now - timedelta(days=drop[1]):
                unit = drop[0]
            qty = 2 if p.price_fen < 25000 and rng.random() < 0.15 else 1
            lines.append((p, _spec(rng, p), qty, unit))
        total = sum(q * u for _, _, q, u in lines)
        cut, coupon = _discount(rng, total, person.tags)
        paid_total = total - cut
        items, left = [], paid_total
        for i, (p, spec, qty, unit) in enumerate(lines):
            share = left if i == len(lines) - 1 else round(paid_total * qty * unit / total)
            left -= share
            items.append(OrderItem(sku=p.sku, name=p.name, category=p.category, spec=spec, quantity=qty,
                                   unit_price_fen=unit, paid_fen=share))
        orders.append(_timeline(rng, person, oid, items, total, paid_total, coupon, created, now))
    return orders


def _timeline(rng: random.Random, person: _Person, oid: str, items: list[OrderItem], total: int, paid_total: int,
              coupon: str, created: datetime, now: datetime) -> Order:
    """Walk created → paid → shipped → signed (→ return), stopping at `now`, and derive the state."""
    fate = rng.random()
    big = any(it.category in _BIG for it in items)
    carrier = ("京东物流" if person.platform == "jd" else
               "顺丰速运" if big or total >= 29900 or rng.random() < 0.15 else rng.choice(_CARRIERS_TB))
    district = next((d for d in person.place[2] if d in person.address), person.place[2][0])
    far = person.place[3] in ("乌鲁木齐", "昆明", "沈阳")
    stalled = rng.random() < 0.07
    paid_at = created + timedelta(seconds=int(rng.uniform(30, 2400)))
    late = rng.random() < 0.15  # the warehouse missed the 48-hour promise
    shipped_at = paid_at + timedelta(seconds=int(3600 * (rng.uniform(50, 96) if late else rng.uniform(2, 40))))
    transit_days = rng.uniform(3.5, 6) if far else rng.uniform(0.8, 3.2)
    if stalled:
        transit_days += rng.uniform(3, 5)
    signed_at = _daytime(rng, shipped_at + timedelta(seconds=int(transit_days * 86400)))
    eta = (shipped_at + timedelta(days=(5 if far else 3))).replace(hour=18, minute=0, second=0)
    track = _track(rng, carrier, person.place, district, shipped_at, signed_at, stalled)
    base = dict(order_id=oid, customer_id=person.cid, items=items, total_fen=total, coupon_used=coupon,
                created_at=created, address=person.address)

    def order(state: str, paid: int, paid_t=None, ship_t=None, sign_t=None, with_track=False) -> Order:
        events = [e for e in track if e.time <= now] if with_track else []
        shipped = ship_t is not None and ship_t <= now
        return Order(state=state, paid_fen=paid, paid_at=paid_t, shipped_at=ship_t if shipped else None,
                     signed_at=sign_t, carrier=carrier if shipped else "",
                     tracking_no=_tracking(rng, carrier) if shipped else "",
                     eta=eta if shipped and sign_t is None and state == "shipped" else None,
                     logistics=events, **base)

    if fate < 0.1:  # never paid: auto-closed after a day
        return order("cancelled" if now - created > D else "unpaid", 0)
    if now < paid_at:
        return order("unpaid", 0)
    if fate < 0.14:  # changed their mind before shipping: refund requested, then approved
        asked = paid_at + timedelta(seconds=int(3600 * rng.uniform(0.5, 20)))
        done = asked + timedelta(seconds=int(3600 * rng.uniform(4, 48)))
        if now < asked:
            return order("paid", paid_total, paid_at)
        return order("refunding" if now < done else "cancelled", paid_total, paid_at)
    if now < shipped_at:
        return order("paid", paid_total, paid_at)
    if now < signed_at:
        return order("shipped", paid_total, paid_at, shipped_at, with_track=True)
    if fate < 0.22:  # returned after signing (size, mind change, defect)
        asked = signed_at + timedelta(seconds=int(86400 * rng.uniform(0.3, 6)))
        done = asked + timedelta(seconds=int(86400 * rng.uniform(2, 8)))
        if asked <= now:
            state = "refunding" if now < done else "returned"
            return order(state, paid_total, paid_at, shipped_at, signed_at, with_track=True)
    confirmed = now - signed_at > timedelta(days=10) or (now - signed_at > D and rng.random() < 0.35)
    return order("completed" if confirmed else "signed", paid_total, paid_at, shipped_at, signed_at, True)


def _profiles(rng: random.Random, people: list[_Person], orders: list[Order]) -> list[CustomerProfile]:
    spent: dict[str, int] = {}
    done: dict[str, int] = {}
    first: dict[str, datetime] = {}
    for o in orders:
        if o.created_at and (o.customer_id not in first or o.created_at < first[o.customer_id]):
            first[o.customer_id] = o.created_at
        if o.state in ("signed", "completed", "shipped"):
            spent[o.customer_id] = spent.get(o.customer_id, 0) + o.paid_fen
        if o.state in ("signed", "completed"):
            done[o.customer_id] = done.get(o.customer_id, 0) + 1
    out = []
    for p in people:
        s = spent.get(p.cid, 0) + rng.randrange(0, 300) * 100  # purchases from before the data window
        level = ("钻石会员" if s >= 800000 else "金卡会员" if s >= 300000 else "银卡会员" if s >= 100000
                 else "普通会员")
        since = first[p.cid] - timedelta(days=rng.uniform(0, 900))
        out.append(CustomerProfile(
            customer_id=p.cid, nick=p.nick, member_level=level, tags=p.tags,
            points=max(0, s // 100 - rng.randrange(0, 500)), repurchase_count=max(0, done.get(p.cid, 0) - 1),
            phone=p.phone, name=p.name, address=p.address, since=since.replace(microsecond=0)))
    return out


def generate(seed: int = 7, now: datetime | None = None) -> DemoData:
    """Build the whole demo data set. `now` must be timezone-aware (naive is taken as shop time, UTC+8)."""
    from assist_app.store.queries import SHOP_TZ

    now = now or datetime.now(SHOP_TZ)
    if now.tzinfo is None:
        now = now.replace(tzinfo=SHOP_TZ)
    rng = random.Random(seed)
    products = list(catalog.PRODUCTS)
    people = _people(rng)
    orders = _orders(rng, people, products, now)
    orders.sort(key=lambda o: (o.created_at, o.order_id), reverse=True)
    customers = _profiles(rng, people, orders)
    return DemoData(customers=customers, products=products, orders=orders,
                    promotions=catalog.promotions(now), knowledge=list(catalog.KNOWLEDGE))
