"""The store's tables, in one place.

Plain portable SQL (TEXT/INTEGER/REAL, explicit primary keys, no AUTOINCREMENT, no SQLite-only types) so the
same DDL runs on PostgreSQL. Timestamps are ISO-8601 TEXT with their UTC offset; lists and dicts are JSON TEXT;
money is INTEGER fen. Bump SCHEMA_VERSION when a table changes shape.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

TABLES: dict[str, str] = {
    "meta": """
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    "customers": """
        CREATE TABLE IF NOT EXISTS customers (
            customer_id      TEXT PRIMARY KEY,
            nick             TEXT NOT NULL,
            member_level     TEXT NOT NULL,
            tags             TEXT NOT NULL,   -- JSON list, e.g. ["88VIP"]
            points           INTEGER NOT NULL,
            repurchase_count INTEGER NOT NULL,
            phone            TEXT NOT NULL,   -- private
            name             TEXT NOT NULL,   -- private
            address          TEXT NOT NULL,   -- private
            since            TEXT
        )""",
    "products": """
        CREATE TABLE IF NOT EXISTS products (
            sku                   TEXT PRIMARY KEY,
            name                  TEXT NOT NULL,
            category              TEXT NOT NULL,
            price_fen             INTEGER NOT NULL,
            specs                 TEXT NOT NULL,  -- JSON object
            size_chart            TEXT NOT NULL,  -- JSON object
            no_reason_return_days INTEGER NOT NULL,
            warranty_days         INTEGER NOT NULL,
            price_protect_days    INTEGER NOT NULL,
            needs_installation    INTEGER NOT NULL
        )""",
    "orders": """
        CREATE TABLE IF NOT EXISTS orders (
            order_id    TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL,
            state       TEXT NOT NULL,
            total_fen   INTEGER NOT NULL,
            paid_fen    INTEGER NOT NULL,
            coupon_used TEXT NOT NULL,
            created_at  TEXT,
            paid_at     TEXT,
            shipped_at  TEXT,
            signed_at   TEXT,
            carrier     TEXT NOT NULL,
            tracking_no TEXT NOT NULL,
            eta         TEXT,
            address     TEXT NOT NULL
        )""",
    "order_items": """
        CREATE TABLE IF NOT EXISTS order_items (
            order_id       TEXT NOT NULL,
            line_no        INTEGER NOT NULL,
            sku            TEXT NOT NULL,
            name           TEXT NOT NULL,
            category       TEXT NOT NULL,
            spec           TEXT NOT NULL,
            quantity       INTEGER NOT NULL,
            unit_price_fen INTEGER NOT NULL,
            paid_fen       INTEGER NOT NULL,
            PRIMARY KEY (order_id, line_no)
        )""",
    "logistics_events": """
        CREATE TABLE IF NOT EXISTS logistics_events (
            order_id TEXT NOT NULL,
            seq      INTEGER NOT NULL,
            time     TEXT NOT NULL,
            status   TEXT NOT NULL,
            detail   TEXT NOT NULL,
            PRIMARY KEY (order_id, seq)
        )""",
    "promotions": """
        CREATE TABLE IF NOT EXISTS promotions (
            promo_id        TEXT PRIMARY KEY,
            kind            TEXT NOT NULL,
            title           TEXT NOT NULL,
            threshold_tiers TEXT NOT NULL,  -- JSON [[threshold_fen, cut_fen], ...]
            rate            REAL NOT NULL,
            categories      TEXT NOT NULL,  -- JSON list
            member_levels   TEXT NOT NULL,  -- JSON list
            gift            TEXT NOT NULL,
            exclusive_group TEXT NOT NULL,
            stackable       INTEGER NOT NULL,
            starts_at       TEXT,
            ends_at         TEXT
        )""",
    "knowledge": """
        CREATE TABLE IF NOT EXISTS knowledge (
            kb_id    TEXT PRIMARY KEY,
            title    TEXT NOT NULL,
            question TEXT NOT NULL,
            answer   TEXT NOT NULL,
            tags     TEXT NOT NULL  -- JSON list
        )""",
    "reply_templates": """
        CREATE TABLE IF NOT EXISTS reply_templates (
            template_id TEXT PRIMARY KEY,
            intent      TEXT NOT NULL,
            lang        TEXT NOT NULL,
            text        TEXT NOT NULL
        )""",
    "conversations": """
        CREATE TABLE IF NOT EXISTS conversations (
            conversation_id TEXT PRIMARY KEY,
            customer_id     TEXT NOT NULL,
            agent_id        TEXT NOT NULL,
            channel         TEXT NOT NULL,
            shop            TEXT NOT NULL,
            opened_at       TEXT,
            closed_at       TEXT
        )""",
    "messages": """
        CREATE TABLE IF NOT EXISTS messages (
            message_id      TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            role            TEXT NOT NULL,
            text            TEXT NOT NULL,
            ts              TEXT
        )""",
    "tickets": """
        CREATE TABLE IF NOT EXISTS tickets (
            ticket_id       TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            kind            TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            payload         TEXT NOT NULL  -- JSON object as sent in ticket.create
        )""",
}

INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS idx_orders_customer ON orders (customer_id, created_at)",
    "CREATE INDEX IF NOT EXISTS idx_messages_conversation ON messages (conversation_id, ts)",
    "CREATE INDEX IF NOT EXISTS idx_tickets_created ON tickets (created_at)",
)


def ddl() -> list[str]:
    """Every statement needed to create the schema, in order (all idempotent)."""
    return [*TABLES.values(), *INDEXES]
