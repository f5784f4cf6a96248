"""The embedded demo backend (store + gateway + simulator in a background thread) and the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from assist_app import protocol as p
from assist_app.demo import start_demo_backend
from assist_app.gateway.cli import main as gateway_main
from assist_app.stream.testing import Recorder


@pytest.fixture(autouse=True)
def _restore_logging():
    """The CLI installs its own log handler on "assist"; put pytest's capture back afterwards."""
    import logging

    lg = logging.getLogger("assist")
    saved = (list(lg.handlers), lg.propagate, lg.level)
    yield
    lg.handlers[:], lg.propagate = saved[0], saved[1]
    lg.setLevel(saved[2])


async def test_demo_backend_streams_simulated_chats_with_context(tmp_path):
    h = await asyncio.to_thread(start_demo_backend, tmp_path / "demo.sqlite", 200.0, 0, 7,
                                conversations=6, rounds=1)
    try:
        assert h.url.startswith("ws://127.0.0.1:")
        assert set(h.agent_ids) == {"a1", "a2", "a3", "a4", "a5"}
        assert h.tokens["a1"] == "demo-a1" and h.lead_token == "demo-lead-outdoor" and h.source_token
        assert h.tokens["lead"] == h.lead_token and h.tokens["source"] == h.source_token == "demo-source"
        async with contextlib.AsyncExitStack() as stack:
            agents = {a: await stack.enter_async_context(Recorder(h.url, h.tokens[a])) for a in h.agent_ids}
            lead = await stack.enter_async_context(Recorder(h.url, h.lead_token))

            def total(kind):
                return sum(len(r.of(kind)) for r in agents.values()) + sum(
                    len(c.conversations) for r in agents.values() for c in r.of(p.Snapshot)) * (
                    kind is p.ConversationOpened)

            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not (total(p.ConversationOpened) >= 3 and total(p.Context) >= 3
                                                       and total(p.Message) >= 6):
                await asyncio.sleep(0.05)
            assert total(p.ConversationOpened) >= 3 and total(p.Message) >= 6
            ctx = next(e for r in agents.values() for e in r.of(p.Context))
            assert ctx.context.customer.customer_id and ctx.context.promotions     # real store data
            texts = [e.text for r in agents.values() for e in r.of(p.Message)]
            assert any("\u4e00" <= ch <= "\u9fff" for t in texts for ch in t)       # Chinese chats
            # each agent saw only conversations assigned to it
            for a, r in agents.items():
                assert all(e.agent_id == a for e in r.of(p.ConversationOpened))
            # the outdoor lead sees only outdoor agents' chats
            assert all(e.agent_id in ("a1", "a2", "a3") for e in lead.of(p.ConversationOpened))
            assert len(h.published) >= 6
    finally:
        await asyncio.to_thread(h.stop)
    assert not h._thread.is_alive()


def test_cli_usage_errors(tmp_path, capsys):
    assert gateway_main(["--print-config"]) == 0
    assert "[[agents]]" in capsys.readouterr().out
    assert gateway_main([]) == 2
    assert gateway_main(["--config", str(tmp_path / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err


async def test_sim_runner_publishes_the_plan_in_order_through_the_source_interface(tmp_path):
    from assist_app.config import demo_config
    from assist_app.gateway.server import Gateway
    from assist_app.sim import Simulator
    from assist_app.sim.runner import SimRunner, to_protocol
    from assist_app.store import Store

    store = await asyncio.to_thread(Store.demo, tmp_path / "s.sqlite", 7)
    plan = Simulator(store, seed=3, agents=("a1", "a2"), id_prefix="t").plan(4)
    assert {type(to_protocol(e)).__name__ for e in plan} == {"ConversationOpened", "Message", "ConversationClosed"}
    g = Gateway(demo_config(stats_interval_s=0), store=store)
    await g.start()
    try:
        async with Recorder(g.url, "demo-a1") as a1, Recorder(g.url, "demo-a2") as a2:
            await a1.connected()
            await a2.connected()
            seen: list[str] = []
            runner = SimRunner(g.url, "demo-source", plan, speed=2000.0, on_published=lambda e: seen.append(e.kind),
                               max_gap_s=0.01)
            await asyncio.wait_for(runner.run(), 30)
            assert runner.published == len(plan) and runner.client.pending == 0
            assert len(seen) == len(plan)
            for rec, agent in ((a1, "a1"), (a2, "a2")):
                want = [e.message_id for e in plan if e.kind == "message" and e.agent_id == agent]
                await rec.wait_for(lambda x, w=want: len(x.message_ids()) >= len(w))
                assert rec.message_ids() == want
                want_closed = {e.conversation_id for e in plan if e.kind == "close" and e.agent_id == agent}
                await rec.wait_for(lambda x, w=want_closed: {e.conversation_id for e in x.of(p.ConversationClosed)}
                                   == w)
    finally:
        await g.stop()
        store.close()


def test_cli_refuses_a_corrupt_replay_log_with_a_clear_message(tmp_path, capsys):
    from assist_app.config import example_toml

    cfg = tmp_path / "tokens.toml"
    cfg.write_text(example_toml(), encoding="utf-8")
    db = tmp_path / "shop.sqlite"
    (tmp_path / "shop.sqlite.gateway").write_bytes(b"this is not sqlite" * 100)
    assert gateway_main(["--config", str(cfg), "--db", str(db), "--port", "0"]) == 2
    assert "replay log" in capsys.readouterr().err
