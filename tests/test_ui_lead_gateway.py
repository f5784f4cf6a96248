"""Lead window against a real gateway over loopback (pytest-qt offscreen, real classifier, H3's risk engine).

- an escalating conversation raises exactly one critical alert with reasons; acknowledging clears it;
- "我来接管" and whisper reach the agent: a real StreamClient subscribed as that agent receives them;
- a lead never sees another team's chats.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest
import websockets
from PySide6.QtCore import Qt

from assist_app import protocol as p
from assist_app.config import demo_config
from assist_app.gateway.server import Gateway

ESCALATION = ["你好，我买的冲锋衣什么时候发货", "都三天了还没发货？？", "人呢？？在不在",
              "什么破店，再不发货我就给差评投诉你们！", "我要找你们领导，马上！！"]


def qrun(qapp, coro, timeout: float = 25.0):
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            out = loop.run_until_complete(asyncio.wait_for(coro, timeout))
            loop.run_until_complete(loop.shutdown_asyncgens())  # close the clients' reconnect generators
            return out
    finally:
        asyncio.set_event_loop(None)


class Source:
    """A chat source publishing over the real socket (what the simulator / a platform adapter does)."""

    def __init__(self, url: str, token: str = "demo-source") -> None:
        self.url, self.token = url, token
        self.acks: list[p.Event] = []

    async def __aenter__(self) -> Source:
        self.ws = await websockets.connect(self.url)
        await self.ws.send(p.encode(p.Hello(token=self.token, client="test-source")))
        self._reader = asyncio.get_running_loop().create_task(self._read())
        return self

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in self.ws:
                self.acks.append(p.decode(frame))

    async def send(self, ev: p.Event) -> None:
        await self.ws.send(p.encode(ev))

    async def __aexit__(self, *exc) -> None:
        self._reader.cancel()
        await self.ws.close()


async def _wait(pred, timeout: float = 8.0, what: str = "") -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def _scenario(qtbot) -> None:
    from assist_app.stream.client import StreamClient
    from assist_app.ui.lead.app import start_lead

    gw = Gateway(demo_config(port=0, stats_interval_s=0.0))
    await gw.start()
    lead = agent_client = None
    agent_task = None
    try:
        lead = await start_lead(gw.url, "demo-lead-outdoor", lang="zh", use_tray=False)
        w, c = lead.window, lead.controller
        assert c.ingest.classifier is not None, c.classifier_error
        w.resize(1500, 900)
        w.show()
        shown: list[tuple[str, str]] = []
        w.alert_shown.connect(lambda cid, lvl: shown.append((cid, lvl)))
        agent_events: list[p.Event] = []
        agent_client = StreamClient(gw.url, "demo-a1", on_event=agent_events.append, on_state=lambda s: None)
        agent_task = asyncio.get_running_loop().create_task(agent_client.run())
        await _wait(lambda: w.lead_id == "lead-outdoor", what="lead welcome")
        await _wait(lambda: any(isinstance(e, p.Welcome) for e in agent_events), what="agent welcome")

        t0 = datetime.now(UTC) - timedelta(minutes=6)
        async with Source(gw.url) as src:
            # ours (team outdoor: a1) and another team's (home3c: a4), both escalating
            for cid, agent in (("o1", "a1"), ("h1", "a4")):
                await src.send(p.ConversationOpened(conversation_id=cid, customer_id=f"c-{cid}", nick=f"tb_{cid}",
                                                    agent_id=agent, shop="拓路者旗舰店", opened_at=t0))
            for i, text in enumerate(ESCALATION):
                for cid in ("o1", "h1"):
                    await src.send(p.Message(conversation_id=cid, message_id=f"{cid}-m{i}", role="customer",
                                             text=text, ts=t0 + timedelta(minutes=i)))
            await _wait(lambda: ("o1", "critical") in shown, what="critical alert for o1")
            await asyncio.sleep(0.3)
            await c.idle()

            # exactly one critical alert, with reasons; the other team's chat is nowhere
            assert [s for s in shown if s[0] == "o1"].count(("o1", "critical")) == 1
            assert [r.conversation_id for r in w.visible_rows()] == ["o1"]
            assert not [s for s in shown if s[0] == "h1"]
            alert = next(a for a in w.feed.active() if a.conversation_id == "o1")
            assert alert.level == "critical" and alert.reasons and alert.agent_id == "a1"
            assert c.monitor.row("h1") is None

            # one more angry message: no second critical notification
            await src.send(p.Message(conversation_id="o1", message_id="o1-m9", role="customer",
                                     text="？？？到底有没有人！！", ts=t0 + timedelta(minutes=6)))
            await _wait(lambda: (r := c.monitor.row("o1")) is not None and r.messages == len(ESCALATION) + 1,
                        what="extra message")
            await c.idle()
            assert shown.count(("o1", "critical")) == 1

            # acknowledge clears it
            card = w.feed.list.itemWidget(w.feed.list.item(0))
            from PySide6.QtWidgets import QPushButton

            qtbot.mouseClick(card.findChild(QPushButton, "alert_ack"), Qt.MouseButton.LeftButton)
            await _wait(lambda: not w.feed.active(), what="alert cleared")
            assert w.model.conversation("o1").alert_level is None

            # whisper and take-over go through the gateway to the agent's stream
            w.select_conversation("o1")
            await _wait(lambda: w.transcript.conversation_id == "o1", what="transcript")
            w.transcript.whisper_edit.setText("先道歉，我马上接手")
            qtbot.keyClick(w.transcript.whisper_edit, Qt.Key.Key_Return)
            await _wait(lambda: any(isinstance(e, p.Whisper) for e in agent_events), what="whisper at agent")
            wh = next(e for e in agent_events if isinstance(e, p.Whisper))
            assert wh.conversation_id == "o1" and wh.text == "先道歉，我马上接手" and wh.from_lead == "lead-outdoor"
            qtbot.mouseClick(w.transcript.takeover_btn, Qt.MouseButton.LeftButton)
            await _wait(lambda: any(isinstance(e, p.ConversationAssigned) for e in agent_events),
                        what="take-over at agent")
            ca = next(e for e in agent_events if isinstance(e, p.ConversationAssigned))
            assert ca.conversation_id == "o1" and ca.agent_id == "lead-outdoor" and ca.reason == "takeover"
            # the lead's board shows it as taken over, still on the board
            await _wait(lambda: (r := c.monitor.row("o1")) is not None and r.taken_over_by == "lead-outdoor",
                        what="taken over on the lead board")
            # now the lead answers the customer from the same box (it became a reply box)
            await _wait(lambda: w.transcript.whisper_btn.text() == "回复客户", what="reply mode")
            assert not w.transcript.takeover_btn.isEnabled()
            w.transcript.whisper_edit.setText("您好，我是组长，这单我亲自跟进")
            qtbot.keyClick(w.transcript.whisper_edit, Qt.Key.Key_Return)
            await _wait(lambda: any(t.role == "agent" and t.text.startswith("您好，我是组长")
                                    for t in c.monitor.transcript("o1")), what="lead reply in the chat")
            # the agent never saw the other team's chat either
            assert not [e for e in agent_events if getattr(e, "conversation_id", "") == "h1"]
    finally:
        if agent_client is not None:
            agent_client.stop()
        if agent_task is not None:
            agent_task.cancel()
            await asyncio.gather(agent_task, return_exceptions=True)
        if lead is not None:
            await lead.close()
        await gw.stop()


@pytest.mark.slow
def test_lead_against_real_gateway(qtbot, qapp):
    import gc

    from PySide6.QtCore import QEvent

    qrun(qapp, _scenario(qtbot))
    # free the window's Qt objects on this (GUI) thread, not in some later GC pass on a worker thread
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
