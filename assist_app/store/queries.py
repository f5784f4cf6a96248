"""`Store`: the SQLite-backed store and every query it runs.

One connection guarded by a lock, opened with `check_same_thread=False`, so the gateway can call it from
worker threads (`asyncio.to_thread`). SQL stays portable (`?` placeholders are the only SQLite-ism a DB-API
driver swap has to touch; upserts use `ON CONFLICT ... DO NOTHING`, which PostgreSQL also speaks).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from assist_app.domain import (
    CustomerContext,
    CustomerProfile,
    KnowledgeEntry,
    LogisticsEvent,
    Order,
    OrderItem,
    Product,
    Promotion,
)
from assist_app.store.schema import SCHEMA_VERSION, ddl

SHOP_TZ = timezone(timedelta(hours=8))
# A customer's context carries their newest orders only: enough for any chat, bounded for the wire.
CONTEXT_ORDER_LIMIT = 20
# A demo store reopened later than this after it was generated is moved to the current time.
REANCHOR_AFTER = timedelta(minutes=1)


class StoreError(Exception):
    """The store file cannot be used (corrupt, unreadable, wrong schema). The message names the path."""


def _j(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def _dt(v: datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def _pdt(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=SHOP_TZ)


class Store:
    """The embedded default store. `Store(path)` opens or creates it; a missing file is created."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._ticket_seq = 0
        if self.path != ":memory:":
            p = Path(self.path)
            if p.is_dir():
                raise StoreError(f"{self.path}: is a directory, not a store file")
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"{self.path}: cannot create the store's folder ({e})") from e
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: cannot open the store ({e})") from e
        try:
            self._init_schema()
        except sqlite3.Error as e:
            self._conn.close()
            raise StoreError(f"{self.path}: not a readable store database ({e})") from e

    # ------------------------------------------------------------------ lifecycle

    def _init_schema(self) -> None:
        with self._lock:
            # Reading first makes a corrupt or non-SQLite file fail here, before anything is written.
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if self.path != ":memory:":
                # WAL + NORMAL: a message write costs ~0.05 ms instead of ~16 ms of fsync per commit,
                # still crash-safe for the database (the gateway's replay log is the durable record).
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            with self._conn:
                for stmt in ddl():
                    self._conn.execute(stmt)
                row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if row is None:
                    self._conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                elif row[0] != str(SCHEMA_VERSION):
                    raise StoreError(
                        f"{self.path}: store schema version {row[0]} is not the supported {SCHEMA_VERSION}")

    @classmethod
    def demo(cls, path: str | Path, seed: int = 7, now: datetime | None = None) -> Store:
        """Open `path` and fill it with deterministic demo data if it holds no customers yet.

        `now` anchors every timestamp (orders signed 3 days ago, promotions running now ...); default: the
        current time. An already-filled store keeps its data, shifted in time to the new `now`.
        """
        from assist_app.store.generator import generate

        store = cls(path)
        now = _aware(now) if now is not None else datetime.now(SHOP_TZ)
        if store.count("customers") == 0:
            store.load(generate(seed=seed, now=now))
            store.set_meta("demo_seed", str(seed))
            store.set_meta("demo_now", now.isoformat())
        else:
            anchor = store.meta("demo_now")
            if anchor and abs(now - datetime.fromisoformat(anchor)) > REANCHOR_AFTER:
                store._reanchor(now - datetime.fromisoformat(anchor))
                store.set_meta("demo_now", now.isoformat())
        return store

    # (table, key columns, datetime columns) of the generated shop data that moves with the demo clock;
    # conversations, messages and tickets are real records and never move.
    _DEMO_TIMES = (
        ("customers", ("customer_id",), ("since",)),
        ("orders", ("order_id",), ("created_at", "paid_at", "shipped_at", "signed_at", "eta")),
        ("logistics_events", ("order_id", "seq"), ("time",)),
        ("promotions", ("promo_id",), ("starts_at", "ends_at")),
    )

    def _reanchor(self, delta: timedelta) -> None:
        """Shift every generated timestamp by `delta`, so a demo store reopened days later still has parcels
        in transit, open return windows and running promotions (ids and states stay as they were)."""
        with self._lock:
            try:
                with self._conn:
                    for table, keys, cols in self._DEMO_TIMES:
                        rows = self._conn.execute(f"SELECT {', '.join(keys + cols)} FROM {table}").fetchall()
                        sets = ", ".join(f"{c} = ?" for c in cols)
                        where = " AND ".join(f"{k} = ?" for k in keys)
                        self._conn.executemany(
                            f"UPDATE {table} SET {sets} WHERE {where}",
                            [tuple(_dt(_pdt(v) + delta) if v else None for v in r[len(keys):]) + r[:len(keys)]
                             for r in rows])
            except sqlite3.DatabaseError as e:
                raise StoreError(f"{self.path}: moving the demo data to the current time failed ({e})") from e

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as e:  # corrupt pages, a closed store, a locked file ...
                raise StoreError(f"{self.path}: query failed ({e})") from e

    def _write(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._lock:
            try:
                with self._conn:
                    self._conn.executemany(sql, rows)
            except sqlite3.Error as e:
                raise StoreError(f"{self.path}: write failed ({e})") from e

    def count(self, table: str) -> int:
        from assist_app.store.schema import TABLES

        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        return int(self._all(f"SELECT count(*) FROM {table}")[0][0])

    def meta(self, key: str) -> str | None:
        rows = self._all("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self._write("DELETE FROM meta WHERE key = ?", [(key,)])
        self._write("INSERT INTO meta (key, value) VALUES (?, ?)", [(key, value)])

    # ------------------------------------------------------------------ bulk load (generator, imports)

    def load(self, data: Any) -> None:
        """Insert a generated data set (`generator.DemoData`) in one transaction."""
        with self._lock:
            try:
                with self._conn:
                    self._insert_all(data)
            except sqlite3.DatabaseError as e:
                raise StoreError(f"{self.path}: loading data failed ({e})") from e

    def _insert_all(self, data: Any) -> None:
        c = self._conn
        c.executemany(
            "INSERT INTO customers (customer_id, nick, member_level, tags, points, repurchase_count, phone,"
            " name, address, since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(p.customer_id, p.nick, p.member_level, _j(list(p.tags)), p.points, p.repurchase_count, p.phone,
              p.name, p.address, _dt(p.since)) for p in data.customers])
        c.executemany(
            "INSERT INTO products (sku, name, category, price_fen, specs, size_chart, no_reason_return_days,"
            " warranty_days, price_protect_days, needs_installation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(p.sku, p.name, p.category, p.price_fen, _j(p.specs), _j(p.size_chart), p.no_reason_return_days,
              p.warranty_days, p.price_protect_days, int(p.needs_installation)) for p in data.products])
        c.executemany(
            "INSERT INTO orders (order_id, customer_id, state, total_fen, paid_fen, coupon_used, created_at,"
            " paid_at, shipped_at, signed_at, carrier, tracking_no, eta, address)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(o.order_id, o.customer_id, o.state, o.total_fen, o.paid_fen, o.coupon_used, _dt(o.created_at),
              _dt(o.paid_at), _dt(o.shipped_at), _dt(o.signed_at), o.carrier, o.tracking_no, _dt(o.eta),
              o.address) for o in data.orders])
        c.executemany(
            "INSERT INTO order_items (order_id, line_no, sku, name, category, spec, quantity, unit_price_fen,"
            " paid_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(o.order_id, i, it.sku, it.name, it.category, it.spec, it.quantity, it.unit_price_fen, it.paid_fen)
             for o in data.orders for i, it in enumerate(o.items)])
        c.executemany(
            "INSERT INTO logistics_events (order_id, seq, time, status, detail) VALUES (?, ?, ?, ?, ?)",
            [(o.order_id, i, _dt(ev.time), ev.status, ev.detail)
             for o in data.orders for i, ev in enumerate(o.logistics)])
        c.executemany(
            "INSERT INTO promotions (promo_id, kind, title, threshold_tiers, rate, categories, member_levels,"
            " gift, exclusive_group, stackable, starts_at, ends_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(p.promo_id, p.kind, p.title, _j([list(t) for t in p.threshold_tiers]), p.rate,
              _j(list(p.categories)), _j(list(p.member_levels)), p.gift, p.exclusive_group, int(p.stackable),
              _dt(p.starts_at), _dt(p.ends_at)) for p in data.promotions])
        c.executemany(
            "INSERT INTO knowledge (kb_id, title, question, answer, tags) VALUES (?, ?, ?, ?, ?)",
            [(k.kb_id, k.title, k.question, k.answer, _j(list(k.tags))) for k in data.knowledge])

    # ------------------------------------------------------------------ customers

    _CUSTOMER_COLS = ("customer_id, nick, member_level, tags, points, repurchase_count, phone, name, address,"
                      " since")

    @staticmethod
    def _customer(r: tuple) -> CustomerProfile:
        return CustomerProfile(customer_id=r[0], nick=r[1], member_level=r[2], tags=tuple(json.loads(r[3])),
                               points=r[4], repurchase_count=r[5], phone=r[6], name=r[7], address=r[8],
                               since=_pdt(r[9]))

    def customer(self, customer_id: str) -> CustomerProfile | None:
        rows = self._all(f"SELECT {self._CUSTOMER_COLS} FROM customers WHERE customer_id = ?", (customer_id,))
        return self._customer(rows[0]) if rows else None

    def customers(self) -> list[CustomerProfile]:
        rows = self._all(f"SELECT {self._CUSTOMER_COLS} FROM customers ORDER BY customer_id")
        return [self._customer(r) for r in rows]

    # ------------------------------------------------------------------ products

    _PRODUCT_COLS = ("sku, name, category, price_fen, specs, size_chart, no_reason_return_days, warranty_days,"
                     " price_protect_days, needs_installation")

    @staticmethod
    def _product(r: tuple) -> Product:
        return Product(sku=r[0], name=r[1], category=r[2], price_fen=r[3], specs=json.loads(r[4]),
                       size_chart=json.loads(r[5]), no_reason_return_days=r[6], warranty_days=r[7],
                       price_protect_days=r[8], needs_installation=bool(r[9]))

    def products(self) -> list[Product]:
        return [self._product(r) for r in self._all(f"SELECT {self._PRODUCT_COLS} FROM products ORDER BY sku")]

    def product(self, sku: str) -> Product | None:
        rows = self._all(f"SELECT {self._PRODUCT_COLS} FROM products WHERE sku = ?", (sku,))
        return self._product(rows[0]) if rows else None

    # ------------------------------------------------------------------ orders

    _ORDER_COLS = ("order_id, customer_id, state, total_fen, paid_fen, coupon_used, created_at, paid_at,"
                   " shipped_at, signed_at, carrier, tracking_no, eta, address")

    def _orders(self, where: str, params: Sequence[Any], limit: int | None = None) -> list[Order]:
        sql = f"SELECT {self._ORDER_COLS} FROM orders WHERE {where} ORDER BY created_at DESC, order_id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            rows = self._all(sql, params)
            if not rows:
                return []
            ids = [r[0] for r in rows]
            marks = ", ".join("?" * len(ids))
            items: dict[str, list[OrderItem]] = {i: [] for i in ids}
            for r in self._all(
                    "SELECT order_id, sku, name, category, spec, quantity, unit_price_fen, paid_fen"
                    f" FROM order_items WHERE order_id IN ({marks}) ORDER BY order_id, line_no", ids):
                items[r[0]].append(OrderItem(sku=r[1], name=r[2], category=r[3], spec=r[4], quantity=r[5],
                                             unit_price_fen=r[6], paid_fen=r[7]))
            events: dict[str, list[LogisticsEvent]] = {i: [] for i in ids}
            for r in self._all(
                    "SELECT order_id, time, status, detail FROM logistics_events"
                    f" WHERE order_id IN ({marks}) ORDER BY order_id, seq", ids):
                events[r[0]].append(LogisticsEvent(time=_pdt(r[1]), status=r[2], detail=r[3]))  # type: ignore[arg-type]
        return [Order(order_id=r[0], customer_id=r[1], state=r[2], items=items[r[0]], total_fen=r[3],
                      paid_fen=r[4], coupon_used=r[5], created_at=_pdt(r[6]), paid_at=_pdt(r[7]),
                      shipped_at=_pdt(r[8]), signed_at=_pdt(r[9]), carrier=r[10], tracking_no=r[11],
                      eta=_pdt(r[12]), logistics=events[r[0]], address=r[13]) for r in rows]

    def orders_of(self, customer_id: str, limit: int | None = None) -> list[Order]:
        """The customer's orders, newest first, with items and logistics events."""
        return self._orders("customer_id = ?", (customer_id,), limit)

    def order(self, order_id: str) -> Order | None:
        found = self._orders("order_id = ?", (order_id,))
        return found[0] if found else None

    def all_orders(self) -> list[Order]:
        """Every order (newest first); for tests, benchmarks and the simulator's order matching."""
        return self._orders("1 = 1", ())

    # ------------------------------------------------------------------ promotions, knowledge

    _PROMO_COLS = ("promo_id, kind, title, threshold_tiers, rate, categories, member_levels, gift,"
                   " exclusive_group, stackable, starts_at, ends_at")

    @staticmethod
    def _promotion(r: tuple) -> Promotion:
        return Promotion(promo_id=r[0], kind=r[1], title=r[2],
                         threshold_tiers=[tuple(t) for t in json.loads(r[3])],  # type: ignore[misc]
                         rate=r[4], categories=tuple(json.loads(r[5])), member_levels=tuple(json.loads(r[6])),
                         gift=r[7], exclusive_group=r[8], stackable=bool(r[9]), starts_at=_pdt(r[10]),
                         ends_at=_pdt(r[11]))

    def promotions(self) -> list[Promotion]:
        """All promotions, expired and future ones included."""
        return [self._promotion(r) for r in self._all(f"SELECT {self._PROMO_COLS} FROM promotions ORDER BY promo_id")]

    def active_promotions(self, at: datetime) -> list[Promotion]:
        """Promotions whose validity window contains `at` (start inclusive, end exclusive)."""
        at = _aware(at)
        return [p for p in self.promotions()
                if (p.starts_at is None or p.starts_at <= at) and (p.ends_at is None or at < p.ends_at)]

    def knowledge(self) -> list[KnowledgeEntry]:
        rows = self._all("SELECT kb_id, title, question, answer, tags FROM knowledge ORDER BY kb_id")
        return [KnowledgeEntry(kb_id=r[0], title=r[1], question=r[2], answer=r[3], tags=tuple(json.loads(r[4])))
                for r in rows]

    def templates(self, lang: str | None = None) -> list[dict[str, str]]:
        """Merchant reply templates kept in the store (optional; the engine's defaults live in resources/)."""
        sql, params = "SELECT template_id, intent, lang, text FROM reply_templates", ()
        if lang is not None:
            sql, params = sql + " WHERE lang = ?", (lang,)
        rows = self._all(sql + " ORDER BY template_id", params)
        return [{"template_id": r[0], "intent": r[1], "lang": r[2], "text": r[3]} for r in rows]

    # ------------------------------------------------------------------ context

    def customer_context(self, customer_id: str, at: datetime) -> CustomerContext:
        """Everything the assist engine needs for one conversation: profile, newest orders (at most
        CONTEXT_ORDER_LIMIT), promotions active at `at`, products (ordered ones first, then the catalogue), KB.

        An unknown customer (a real platform's new buyer) gets a bare profile with no orders, but still the
        active promotions, the catalogue and the knowledge base, so product questions can be answered.
        """
        profile = self.customer(customer_id) or CustomerProfile(customer_id=customer_id, nick=customer_id)
        orders = self.orders_of(customer_id, limit=CONTEXT_ORDER_LIMIT)
        # The products of the orders first, then the rest of the (small) catalogue, so a pre-sale question
        # about any product can be answered from its specs; the store cannot know what will be asked.
        catalogue = {p.sku: p for p in self.products()}
        ordered = list(dict.fromkeys(it.sku for o in orders for it in o.items if it.sku in catalogue))
        products = [catalogue[s] for s in ordered] + [p for s, p in catalogue.items() if s not in set(ordered)]
        return CustomerContext(customer=profile, orders=orders, promotions=self.active_promotions(at),
                               products=products, knowledge=self.knowledge())

    # ------------------------------------------------------------------ conversations, messages, tickets

    def record_conversation(self, conversation_id: str, customer_id: str, agent_id: str, channel: str,
                            shop: str, opened_at: datetime | None) -> None:
        """Remember a conversation; recording the same id again updates the assignment (reassign)."""
        with self._lock:
            exists = self._all("SELECT 1 FROM conversations WHERE conversation_id = ?", (conversation_id,))
            if exists:
                self._write("UPDATE conversations SET customer_id = ?, agent_id = ?, channel = ?, shop = ?"
                            " WHERE conversation_id = ?",
                            [(customer_id, agent_id, channel, shop, conversation_id)])
            else:
                self._write("INSERT INTO conversations (conversation_id, customer_id, agent_id, channel, shop,"
                            " opened_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                            [(conversation_id, customer_id, agent_id, channel, shop, _dt(opened_at))])

    def close_conversation(self, conversation_id: str, closed_at: datetime | None) -> None:
        self._write("UPDATE conversations SET closed_at = ? WHERE conversation_id = ?",
                    [(_dt(closed_at), conversation_id)])

    def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        rows = self._all("SELECT conversation_id, customer_id, agent_id, channel, shop, opened_at, closed_at"
                         " FROM conversations WHERE conversation_id = ?", (conversation_id,))
        if not rows:
            return None
        r = rows[0]
        return {"conversation_id": r[0], "customer_id": r[1], "agent_id": r[2], "channel": r[3], "shop": r[4],
                "opened_at": _pdt(r[5]), "closed_at": _pdt(r[6])}

    def record_message(self, conversation_id: str, message_id: str, role: str, text: str,
                       ts: datetime | None) -> bool:
        """Store a message once: a repeated message_id (a resent frame) is ignored. True if it was new."""
        with self._lock:
            before = self._conn.total_changes
            self._write("INSERT INTO messages (message_id, conversation_id, role, text, ts) VALUES (?, ?, ?, ?, ?)"
                        " ON CONFLICT (message_id) DO NOTHING",
                        [(message_id, conversation_id, role, text, _dt(ts))])
            return self._conn.total_changes > before

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        rows = self._all("SELECT message_id, role, text, ts FROM messages WHERE conversation_id = ?"
                         " ORDER BY ts, message_id", (conversation_id,))
        return [{"message_id": r[0], "role": r[1], "text": r[2], "ts": _pdt(r[3])} for r in rows]

    def save_ticket(self, ticket: dict[str, Any]) -> str:
        """Store a ticket (工单) and return its id; a ticket with an existing `ticket_id` replaces it."""
        with self._lock:
            tid = str(ticket.get("ticket_id") or "")
            if not tid:
                n = self.count("tickets") + 1
                while True:
                    tid = f"GD{n:06d}"
                    if not self._all("SELECT 1 FROM tickets WHERE ticket_id = ?", (tid,)):
                        break
                    n += 1
            created = ticket.get("created_at") or datetime.now(SHOP_TZ).isoformat()
            if isinstance(created, datetime):
                created = created.isoformat()
            payload = {**ticket, "ticket_id": tid, "created_at": created}
            self._write("DELETE FROM tickets WHERE ticket_id = ?", [(tid,)])
            self._write("INSERT INTO tickets (ticket_id, conversation_id, kind, created_at, payload)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [(tid, str(ticket.get("conversation_id", "")), str(ticket.get("kind", "")), created,
                          json.dumps(payload, ensure_ascii=False, default=str))])
            return tid

    def tickets(self) -> list[dict[str, Any]]:
        rows = self._all("SELECT payload FROM tickets ORDER BY created_at, ticket_id")
        return [json.loads(r[0]) for r in rows]
