"""`Simulator.plan()`: scripted conversations cast onto real demo customers, laid out on a timeline.

Pure and deterministic: same store data, scripts, seed and `now` give the same events. It only plans;
sim/runner.py publishes the events through the gateway's source interface at the chosen speed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from assist_app.domain import CustomerProfile, Order, OrderItem, Product
from assist_app.sim import matching
from assist_app.sim.scripts import PLACEHOLDER, Script, load_scripts
from assist_app.store.catalog import GROUPS, SHOP
from assist_app.store.queries import SHOP_TZ, Store


@dataclass(frozen=True)
class SimEvent:
    at_s: float                # seconds from the start of the run, before any speed-up
    kind: str                  # open | message | close
    conversation_id: str
    customer_id: str
    nick: str
    channel: str               # taobao | tmall | jd
    shop: str
    agent_id: str
    role: str = ""             # message: customer | agent
    text: str = ""
    message_id: str = ""
    intent: str = ""           # gold labels of scripted customer turns (for tests and the demo's self-check)
    emotion: str = ""
    needs_attention: int = 0   # the script's conversation flag (on every event of it)
    script_id: str = ""
    order_id: str = ""         # the order the script is about ("" for pre-sale chats)

    def to_dict(self) -> dict:
        return asdict(self)


class FillError(ValueError):
    """A script placeholder has no value for the chosen customer (a script/profile mismatch)."""


def fill(text: str, values: dict[str, str]) -> str:
    def one(m) -> str:
        if m.group(1) not in values:
            raise FillError(f"no value for {{{m.group(1)}}}")
        return values[m.group(1)]

    return PLACEHOLDER.sub(one, text)


@dataclass(frozen=True)
class _Cast:
    customer: CustomerProfile
    order: Order | None
    item: OrderItem | None


class Simulator:
    """Plans demo traffic. `auto_agent=True` also plays the scripts' agent turns (a fully scripted demo)."""

    def __init__(self, store: Store, scripts: Sequence[Script] | None = None, seed: int = 7,
                 agents: Sequence[str] = ("a1", "a2", "a3"), now: datetime | None = None,
                 auto_agent: bool = False, id_prefix: str = "sim") -> None:
        if not agents:
            raise ValueError("Simulator needs at least one agent id")
        self.scripts = list(scripts) if scripts is not None else load_scripts()
        self.seed = seed
        self.agents = tuple(agents)
        self.auto_agent = auto_agent
        self.id_prefix = id_prefix
        if now is None:
            stamp = store.meta("demo_now")  # the generator's anchor keeps dates in scripts consistent
            now = datetime.fromisoformat(stamp) if stamp else datetime.now(SHOP_TZ)
        self.now = now if now.tzinfo is not None else now.replace(tzinfo=SHOP_TZ)
        self.products: dict[str, Product] = {p.sku: p for p in store.products()}
        self.customers: dict[str, CustomerProfile] = {c.customer_id: c for c in store.customers()}
        self._orders_by_customer: dict[str, list[Order]] = {}
        for o in store.all_orders():
            self._orders_by_customer.setdefault(o.customer_id, []).append(o)
        self._casts = {s.script_id: self._candidates(s) for s in self.scripts}

    # ------------------------------------------------------------------ casting

    def _candidates(self, s: Script) -> list[_Cast]:
        """Every (customer, order, focus item) that fits the script and fills all its placeholders."""
        out = []
        pred = matching.ORDER_PROFILES.get(s.order_profile) if s.order_profile else None
        for cid in sorted(self.customers):
            c = self.customers[cid]
            if not matching.customer_fits(c, s.customer):
                continue
            if pred is None:
                out.append(_Cast(c, None, None))
                continue
            for o in self._orders_by_customer.get(cid, []):
                if not pred(o, self.now, self.products):
                    continue
                it = matching.focus_item(o, s.order_group, s.order_profile, self.products)
                if it is not None:
                    out.append(_Cast(c, o, it))
        return out

    def castable(self, script_id: str) -> int:
        """How many customer/order pairs could play this script (0 = it cannot be planned on this store)."""
        return len(self._casts.get(script_id, []))

    def _product(self, rng: random.Random, s: Script) -> Product | None:
        if not s.product_group:
            return None
        cats = GROUPS[s.product_group]
        pool = [p for sku, p in sorted(self.products.items()) if p.category in cats]
        return rng.choice(pool) if pool else None

    # ------------------------------------------------------------------ planning

    def plan(self, n_conversations: int, script_ids: Sequence[str] | None = None) -> list[SimEvent]:
        """`n_conversations` conversations as timed events, sorted by time.

        Scripts are played in a seeded shuffled order, every script once before any repeats (so a plan of
        at least len(scripts) covers every intent and emotion); `script_ids` fixes the order instead.
        """
        rng = random.Random(self.seed)
        by_id = {s.script_id: s for s in self.scripts}
        playable = [s for s in self.scripts if self._casts[s.script_id]]
        if script_ids is not None:
            unknown = [i for i in script_ids if i not in by_id]
            if unknown:
                raise ValueError(f"unknown script ids {unknown}")
            order = [by_id[i] for i in script_ids if self._casts[i]]
        else:
            order = []
        events: list[SimEvent] = []
        used: set[str] = set()
        start = 0.5
        deck: list[Script] = []
        for i in range(n_conversations):
            if order:
                script = order[i % len(order)]
            else:
                if not playable:
                    break
                if not deck:
                    deck = list(playable)
                    rng.shuffle(deck)
                script = deck.pop()
            events += self._conversation(rng, i, script, start, used)
            start += rng.uniform(6.0, 30.0)
        events.sort(key=lambda e: (e.at_s, e.conversation_id, e.message_id))
        return events

    def _conversation(self, rng: random.Random, i: int, s: Script, t: float, used: set[str]) -> list[SimEvent]:
        casts = self._casts[s.script_id]
        fresh = [c for c in casts if c.customer.customer_id not in used] or casts
        cast = rng.choice(fresh)
        used.add(cast.customer.customer_id)
        product = self._product(rng, s)
        values = matching.slot_values(cast.customer, cast.order, cast.item, product, self.products)
        c = cast.customer
        channel = "jd" if c.nick.startswith("jd_") else ("tmall" if rng.random() < 0.5 else "taobao")
        cid = f"{self.id_prefix}-{self.seed}-{i + 1:04d}"
        base = dict(conversation_id=cid, customer_id=c.customer_id, nick=c.nick, channel=channel, shop=SHOP,
                    agent_id=self.agents[i % len(self.agents)], needs_attention=s.needs_attention,
                    script_id=s.script_id, order_id=cast.order.order_id if cast.order else "")
        out = [SimEvent(at_s=round(t, 3), kind="open", **base)]
        t += rng.uniform(1.0, 3.0)
        last_customer = None
        for j, turn in enumerate(s.turns):
            text = fill(turn.text, values)
            if turn.role == "agent":
                if not self.auto_agent:
                    continue
                # the agent reads, then types (about 4 characters a second)
                t += min(30.0, max(4.0, 3.0 + len(text) / 4 + rng.uniform(0, 6)))
            elif last_customer is not None:
                # customers type 5-40 s apart; a reply to the agent comes a little faster than a follow-up
                gap = 4.0 + len(text) * 0.5 + rng.uniform(0, 14)
                t = max(t + rng.uniform(3.0, 8.0), last_customer + min(40.0, max(5.0, gap)))
            out.append(SimEvent(at_s=round(t, 3), kind="message", role=turn.role, text=text,
                                message_id=f"{cid}-m{j:02d}", intent=turn.intent, emotion=turn.emotion, **base))
            if turn.role == "customer":
                last_customer = t
        out.append(SimEvent(at_s=round(t + rng.uniform(20.0, 60.0), 3), kind="close", **base))
        return out
