"""`token_role`: the gateway says whether a token is a lead's (so a lead token alone opens the lead window)."""

from __future__ import annotations

import asyncio

from assist_app.config import demo_config
from assist_app.gateway.server import Gateway
from assist_app.ui.lead.app import token_role


async def test_token_role_asks_the_gateway():
    gw = Gateway(demo_config(port=0, stats_interval_s=0.0))
    await gw.start()
    try:
        loop = asyncio.get_running_loop()
        roles = [await loop.run_in_executor(None, token_role, gw.url, tok)
                 for tok in ("demo-lead-outdoor", "demo-a1", "no-such-token")]
        assert roles == ["lead", "agent", None]
    finally:
        await gw.stop()
    assert token_role("ws://127.0.0.1:9", "demo-a1", timeout=1.0) is None  # nothing listening
