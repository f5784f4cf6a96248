"""The embedded demo backend (store + gateway + simulator in a background thread) and the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import time

from assist_app import protocol as p
from assist_app.demo import start_demo_backend
from assist_app.gateway.cli import main as gateway_main
from assist_app.stream.testing import Recorder


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
