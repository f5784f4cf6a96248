"""200 concurrent agent clients (+ their team leads) on one gateway: everyone gets exactly their own
conversations' messages, in order."""

from __future__ import annotations

import asyncio
import contextlib

from assist_app import protocol as p
from assist_app.gateway.server import Gateway
from assist_app.stream.testing import Recorder, many_agents_config

AGENTS = 200
MESSAGES = 5


async def test_200_concurrent_clients_each_get_exactly_their_stream():
    cfg = many_agents_config(AGENTS, team_size=20)
    g = Gateway(cfg)
    await g.start()
    try:
        async with contextlib.AsyncExitStack() as stack:
            agents = [await stack.enter_async_context(Recorder(g.url, f"tok-ag{i:04d}")) for i in range(AGENTS)]
            leads = [await stack.enter_async_context(Recorder(g.url, f"tok-lead-t{t:02d}"))
                     for t in range(AGENTS // 20)]
            src = await stack.enter_async_context(Recorder(g.url, "tok-src", subscribe=False))
            await asyncio.gather(*(r.connected(30) for r in agents + leads + [src]))
            assert g.counters.connections_open == AGENTS + AGENTS // 20 + 1

            for i in range(AGENTS):
                await src.client.send(p.ConversationOpened(conversation_id=f"c{i:04d}", customer_id=f"C{i}",
                                                           nick=f"tb_{i}", agent_id=f"ag{i:04d}"), wait_ack=False)
            for n in range(MESSAGES):
                for i in range(AGENTS):
                    await src.client.send(p.Message(conversation_id=f"c{i:04d}", message_id=f"c{i:04d}-{n}",
                                                    role="customer", text=f"第{n}条"), wait_ack=False)
            await src.wait_for(lambda x: x.client.pending == 0, 30)
            await asyncio.gather(*(r.wait_for(lambda x: len(x.message_ids()) == MESSAGES, 30) for r in agents))
            await asyncio.gather(*(r.wait_for(lambda x: len(x.message_ids()) == 20 * MESSAGES, 30)
                                   for r in leads))
            await asyncio.sleep(0.2)
            for i, r in enumerate(agents):
                assert r.conversation_ids() == {f"c{i:04d}"}
                assert r.message_ids() == [f"c{i:04d}-{n}" for n in range(MESSAGES)]
            for t, r in enumerate(leads):
                assert r.conversation_ids() == {f"c{i:04d}" for i in range(t * 20, t * 20 + 20)}
            assert g.counters.errors == 0 and g.counters.slow_disconnects == 0
    finally:
        await g.stop()
