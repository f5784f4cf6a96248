"""The SQLite store on a real file: round trip, context assembly, conversations/messages/tickets, bad files."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from assist_app.domain import CustomerContext
from assist_app.store import SHOP_TZ, Store, StoreError
from assist_app.store.generator import generate
from assist_app.store.queries import CONTEXT_ORDER_LIMIT

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHOP_TZ)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "demo.db"
    Store.demo(path, seed=7, now=NOW).close()
    return path


@pytest.fixture()
def store(demo_path):
    s = Store(demo_path)
    yield s
    s.close()


def test_round_trip_matches_generated_data(store):
    data = generate(seed=7, now=NOW)
    assert store.customers() == sorted(data.customers, key=lambda c: c.customer_id)
    assert store.products() == sorted(data.products, key=lambda p: p.sku)
    assert store.promotions() == sorted(data.promotions, key=lambda p: p.promo_id)
    assert store.knowledge() == sorted(data.knowledge, key=lambda k: k.kb_id)
    assert store.all_orders() == data.orders  # generator sorts newest first, as the store does
    some = data.orders[17]
    assert store.order(some.order_id) == some
    assert store.order("no-such-order") is None
    assert store.customer("C9999") is None


def test_orders_of_newest_first_with_items_and_logistics(store):
    cid = max(store.customers(), key=lambda c: len(store.orders_of(c.customer_id))).customer_id
    orders = store.orders_of(cid)
    assert len(orders) >= 3
    created = [o.created_at for o in orders]
    assert created == sorted(created, reverse=True)
    assert all(o.customer_id == cid and o.items for o in orders)
    shipped = [o for o in store.all_orders() if o.state == "shipped"]
    assert shipped and all(o.logistics and o.tracking_no and o.carrier for o in shipped)


def test_customer_context_assembly(store):
    cid = max(store.customers(), key=lambda c: len(store.orders_of(c.customer_id))).customer_id
    ctx = store.customer_context(cid, NOW)
    assert isinstance(ctx, CustomerContext)
    assert ctx.customer == store.customer(cid)
    assert ctx.orders == store.orders_of(cid)[:CONTEXT_ORDER_LIMIT]
    ordered = list(dict.fromkeys(it.sku for o in ctx.orders for it in o.items))
    assert [p.sku for p in ctx.products[:len(ordered)]] == ordered  # the customer's products first
    assert sorted(p.sku for p in ctx.products) == sorted(p.sku for p in store.products())  # then the rest
    assert ctx.promotions and all(p.starts_at is None or p.starts_at <= NOW for p in ctx.promotions)
    assert all(p.ends_at is None or NOW < p.ends_at for p in ctx.promotions)
    assert len(ctx.knowledge) == store.count("knowledge")
    # the context survives the wire
    assert CustomerContext.from_dict(ctx.to_dict()) == ctx


def test_context_of_unknown_customer_is_bare_but_useful(store):
    ctx = store.customer_context("new-buyer-1", NOW)
    assert ctx.customer.customer_id == "new-buyer-1" and ctx.orders == []
    assert ctx.promotions and ctx.knowledge


def test_active_promotions_follow_the_validity_window(store):
    active = {p.promo_id for p in store.active_promotions(NOW)}
    assert len(active) >= 10
    expired = {p.promo_id for p in store.promotions() if p.ends_at and p.ends_at <= NOW}
    upcoming = {p.promo_id for p in store.promotions() if p.starts_at and p.starts_at > NOW}
    assert expired and upcoming and not (active & (expired | upcoming))
    later = {p.promo_id for p in store.active_promotions(NOW + timedelta(days=30))}
    assert later < active | upcoming and len(later) < len(active)


def test_missing_file_is_created_with_schema(tmp_path):
    path = tmp_path / "sub" / "dir" / "new.db"
    with Store(path) as s:
        assert s.count("customers") == 0 and s.customers() == []
        assert s.active_promotions(NOW) == []
    assert path.exists()
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"customers", "orders", "order_items", "logistics_events", "promotions", "knowledge",
            "conversations", "messages", "tickets", "reply_templates"} <= tables


def test_corrupt_file_raises_store_error_naming_the_path(tmp_path):
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"this is not a sqlite database at all\x00\xff" * 200)
    with pytest.raises(StoreError) as err:
        Store(bad)
    assert str(bad) in str(err.value)
    assert bad.read_bytes().startswith(b"this is not")  # nothing overwritten


def test_truncated_database_raises_store_error(demo_path, tmp_path):
    cut = tmp_path / "truncated.db"
    cut.write_bytes(demo_path.read_bytes()[:3000])
    with pytest.raises(StoreError) as err:
        s = Store(cut)
        s.all_orders()
    assert str(cut) in str(err.value)


def test_use_after_close_is_a_store_error(tmp_path):
    s = Store(tmp_path / "closed.db")
    s.close()
    with pytest.raises(StoreError, match="closed.db"):
        s.customers()


def test_directory_path_raises_store_error(tmp_path):
    with pytest.raises(StoreError, match=str(tmp_path)):
        Store(tmp_path)


def test_wrong_schema_version_raises(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="schema version 999"):
        Store(path)


def test_demo_fills_once_and_moves_old_data_to_the_new_now(demo_path, tmp_path):
    copy = tmp_path / "old_demo.db"
    copy.write_bytes(demo_path.read_bytes())
    with Store(copy) as s:
        before = s.all_orders()
        s.record_message("cv1", "m1", "customer", "在吗", NOW)
    later = NOW + timedelta(days=3, hours=2)
    with Store.demo(copy, seed=99, now=later) as s:
        assert s.meta("demo_seed") == "7" and s.meta("demo_now") == later.isoformat()
        after = s.all_orders()
        assert [o.order_id for o in after] == [o.order_id for o in before]
        assert [o.state for o in after] == [o.state for o in before]
        for a, b in zip(after, before, strict=True):
            assert a.created_at - b.created_at == later - NOW
            assert [e.time - f.time for e, f in zip(a.logistics, b.logistics, strict=True)] == \
                [later - NOW] * len(b.logistics)
            if b.signed_at:
                assert a.signed_at - b.signed_at == later - NOW
        assert {p.promo_id for p in s.active_promotions(later)} == {p.promo_id for p in generate(
            seed=7, now=NOW).promotions if p.starts_at is None or p.starts_at <= NOW and NOW < p.ends_at}
        assert s.messages("cv1")[0]["ts"] == NOW  # real records do not move
    with Store.demo(copy, now=later + timedelta(seconds=20)) as s:  # reopened right away: untouched
        assert s.meta("demo_now") == later.isoformat()


def test_record_message_is_idempotent(tmp_path):
    with Store(tmp_path / "m.db") as s:
        s.record_conversation("cv1", "C0001", "a1", "taobao", "拓路者户外旗舰店", NOW)
        assert s.record_message("cv1", "m1", "customer", "在吗", NOW) is True
        assert s.record_message("cv1", "m1", "customer", "在吗", NOW) is False
        assert s.record_message("cv1", "m2", "agent", "在的亲", NOW + timedelta(seconds=5)) is True
        msgs = s.messages("cv1")
        assert [m["message_id"] for m in msgs] == ["m1", "m2"]
        assert msgs[0]["text"] == "在吗" and msgs[0]["ts"] == NOW
        assert s.count("messages") == 2


def test_conversation_assignment_and_close(tmp_path):
    with Store(tmp_path / "c.db") as s:
        s.record_conversation("cv1", "C0001", "a1", "taobao", "拓路者户外旗舰店", NOW)
        s.record_conversation("cv1", "C0001", "a2", "taobao", "拓路者户外旗舰店", NOW)  # reassigned
        conv = s.conversation("cv1")
        assert conv["agent_id"] == "a2" and conv["opened_at"] == NOW and conv["closed_at"] is None
        s.close_conversation("cv1", NOW + timedelta(minutes=3))
        assert s.conversation("cv1")["closed_at"] == NOW + timedelta(minutes=3)
        assert s.conversation("nope") is None


def test_tickets_saved_and_listed(tmp_path):
    path = tmp_path / "t.db"
    with Store(path) as s:
        t1 = s.save_ticket({"conversation_id": "cv1", "kind": "return", "order_id": "123",
                            "summary": "冲锋衣漏水，质量问题退货", "created_at": NOW})
        t2 = s.save_ticket({"conversation_id": "cv2", "kind": "install", "summary": "扫地机器人上门安装"})
        assert t1 != t2
        s.save_ticket({"ticket_id": t1, "conversation_id": "cv1", "kind": "return", "summary": "改为换新",
                       "created_at": NOW})
    with Store(path) as s:  # persisted
        tickets = {t["ticket_id"]: t for t in s.tickets()}
        assert set(tickets) == {t1, t2}
        assert tickets[t1]["summary"] == "改为换新" and tickets[t1]["created_at"] == NOW.isoformat()
        assert tickets[t2]["kind"] == "install"


def test_safe_from_worker_threads(tmp_path):
    with Store(tmp_path / "threads.db") as s:
        s.record_conversation("cv", "C0001", "a1", "jd", "拓路者户外旗舰店", NOW)
        barrier = threading.Barrier(8)

        def work(_: int) -> int:
            barrier.wait()
            new = 0
            for i in range(50):
                new += s.record_message("cv", f"m{i}", "customer", f"消息{i}", NOW + timedelta(seconds=i))
                s.customer_context("C0001", NOW)
            return new

        with ThreadPoolExecutor(8) as pool:
            assert sum(pool.map(work, range(8))) == 50  # every message stored exactly once
        assert s.count("messages") == 50
