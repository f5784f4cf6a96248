"""Lead window offscreen (pytest-qt): ranking, filters, alert card + acknowledge, transcript, language switch.

Events are real protocol events fed to the real controller (worker thread, real classifier, H3's risk engine);
the gateway round trip is in test_ui_lead_gateway.py.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from assist_app import protocol as p
from assist_app.ui.lead import texts as tx
from assist_app.ui.lead.controller import LeadController
from assist_app.ui.lead.window import LeadWindow

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

ANGRY = ["你好，我的订单什么时候发货", "都三天了还没发货？？", "人呢？？在不在", "什么破店，再不发货我就给差评投诉你们！",
         "我要找你们领导，马上！！"]
CALM = ["这件冲锋衣有XL码吗", "好的谢谢"]


def msg(cid: str, i: int, role: str, text: str, minutes: float) -> p.Message:
    return p.Message(conversation_id=cid, message_id=f"{cid}-{i}", role=role, text=text,
                     ts=T0 + timedelta(minutes=minutes))


def qrun(qapp, coro, timeout: float = 20.0):
    """Run a coroutine on a qasync loop (the app's real loop type), the Qt event loop turning meanwhile."""
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


@pytest.fixture
def lead(qtbot, qapp):
    w = LeadWindow(lang="zh", use_tray=False)
    qtbot.addWidget(w)
    sent: list[p.Event] = []

    async def send(ev):
        sent.append(ev)

    from assist_app.nlp.classifier import load_classifier

    c = LeadController(w, load_classifier, send=send, clock=lambda: (T0 + timedelta(minutes=10)).timestamp())
    w.resize(1500, 900)
    w.show()
    yield w, c, sent
    c.close()
    c.worker.shutdown(wait=True)
    release(qapp, w)


def release(qapp, *widgets) -> None:
    """Destroy Qt objects here, on the GUI thread: left to the cyclic GC they could be freed from some
    worker thread later (Qt warns: timers cannot be stopped from another thread)."""
    import gc

    from PySide6.QtCore import QEvent

    for w in widgets:
        w.close()
        w.deleteLater()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


async def _wait(pred, timeout: float = 3.0, what: str = "") -> None:
    """Poll on the running loop (qtbot.waitUntil would spin a nested Qt loop inside this task)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def _feed(c: LeadController, events) -> None:
    for ev in events:
        c.handle_event(ev)
    await c.idle()


def _setup_events():
    evs: list[p.Event] = [p.Welcome(role="lead", principal_id="lead1", team="outdoor", agents=["a1", "a2"])]
    evs.append(p.ConversationOpened(conversation_id="hot", customer_id="u1", nick="tb_急脾气", agent_id="a1",
                                    opened_at=T0))
    evs.append(p.ConversationOpened(conversation_id="calm", customer_id="u2", nick="tb_慢慢来", agent_id="a2",
                                    opened_at=T0))
    evs.append(msg("calm", 0, "customer", CALM[0], 0.5))
    evs.append(msg("calm", 1, "agent", "有的亲，XL有货", 1))
    evs.append(msg("calm", 2, "customer", CALM[1], 1.5))
    evs.append(msg("hot", 0, "customer", ANGRY[0], 0.2))
    evs.append(msg("hot", 1, "agent", "亲，稍等我查一下", 0.5))
    for i, text in enumerate(ANGRY[1:], start=2):
        evs.append(msg("hot", i, "customer", text, 1 + i))
    return evs


def test_escalation_shows_one_critical_alert_and_ack_clears_it(lead, qtbot, qapp):
    qrun(qapp, _escalation(lead, qtbot))


async def _escalation(lead, qtbot):
    w, c, sent = lead
    assert await c.load()
    shown: list[tuple[str, str]] = []
    w.alert_shown.connect(lambda cid, lvl: shown.append((cid, lvl)))
    await _feed(c, _setup_events())
    rows = w.visible_rows()
    assert [r.conversation_id for r in rows] == ["hot", "calm"]  # riskiest first
    assert rows[0].risk_level == "critical" and rows[0].risk_reasons
    assert [lvl for cid, lvl in shown if cid == "hot"].count("critical") == 1
    assert not [s for s in shown if s[0] == "calm"]
    cards = w.feed.active()
    assert [a.conversation_id for a in cards] == ["hot"] and cards[0].level == "critical" and cards[0].reasons
    assert w.notifier.shown >= 1 and w.notifier.toast.isVisible()  # no tray offscreen → in-app toast
    # more anger: no second critical card/notification
    n_shown = w.notifier.shown
    await _feed(c, [msg("hot", 10, "customer", "？？？人呢！！再不回我就投诉！", 9)])
    assert [lvl for cid, lvl in shown if cid == "hot"].count("critical") == 1 and w.notifier.shown == n_shown
    # acknowledge from the card's button
    card = w.feed.list.itemWidget(w.feed.list.item(0))
    from PySide6.QtWidgets import QPushButton

    ack_btn = card.findChild(QPushButton, "alert_ack")
    qtbot.mouseClick(ack_btn, Qt.MouseButton.LeftButton)
    await asyncio.sleep(0.05)
    await c.idle()
    await _wait(lambda: not w.feed.active(), what="alert cleared")
    assert w.model.conversation("hot").alert_level is None
    assert any(isinstance(e, p.AlertAck) and e.conversation_id == "hot" and e.level == "critical" for e in sent)


def test_filters_transcript_actions_and_language(lead, qtbot, qapp):
    qrun(qapp, _filters(lead, qtbot))


async def _filters(lead, qtbot):
    w, c, sent = lead
    await c.load()
    await _feed(c, _setup_events())
    w.set_filter(agent="a2")
    assert [r.conversation_id for r in w.visible_rows()] == ["calm"]
    w.set_filter(agent=None, level="critical")
    assert [r.conversation_id for r in w.visible_rows()] == ["hot"]
    w.set_filter(agent=None, level=None)
    # click → read-only transcript of that chat
    w.select_conversation("calm")
    await asyncio.sleep(0.05)
    await c.idle()
    await _wait(lambda: "XL" in w.transcript.view.toPlainText(), what="transcript")
    assert w.transcript.view.isReadOnly()
    # whisper + take over + reassign go out as lead events
    w.transcript.whisper_edit.setText("先安抚，给个小额券")
    qtbot.keyClick(w.transcript.whisper_edit, Qt.Key.Key_Return)
    qtbot.mouseClick(w.transcript.takeover_btn, Qt.MouseButton.LeftButton)
    i = w.transcript.reassign_box.findData("a1")
    w.transcript.reassign_box.setCurrentIndex(i)
    qtbot.mouseClick(w.transcript.reassign_btn, Qt.MouseButton.LeftButton)
    await _wait(lambda: len(sent) >= 3, what="three lead events sent")
    kinds = [(type(e).__name__, e.conversation_id) for e in sent]
    assert ("LeadWhisper", "calm") in kinds and ("LeadTakeover", "calm") in kinds and ("LeadReassign", "calm") in kinds
    assert next(e for e in sent if isinstance(e, p.LeadReassign)).to_agent_id == "a1"
    # language switch: headers, rows and the engine's reasons change
    zh_header = w.model.headerData(0, Qt.Orientation.Horizontal)
    zh_reasons = w.model.conversation("hot").risk_reasons
    w.set_language("en")
    await asyncio.sleep(0.05)
    await c.idle()
    assert zh_header == tx.t("col_risk", "zh") and w.model.headerData(0, Qt.Orientation.Horizontal) == "Risk"
    assert w.lang_btn.text() == "中文" and w.feed.title.text() == "Alerts"
    assert w.model.conversation("hot").risk_reasons != zh_reasons
    assert w.feed.active()[0].reasons == w.model.conversation("hot").risk_reasons  # the feed re-worded too
    await c.stats_now()
    assert w.stats.t_intents.text() == "Top intents"


def test_closed_chat_leaves_board_and_feed(lead, qapp):
    qrun(qapp, _closed(lead))


async def _closed(lead):
    w, c, _ = lead
    await c.load()
    await _feed(c, _setup_events())
    assert w.feed.active()
    await _feed(c, [p.ConversationClosed(conversation_id="hot", closed_at=T0 + timedelta(minutes=9))])
    assert [r.conversation_id for r in w.visible_rows()] == ["calm"] and not w.feed.active()
    s = await c.stats_now()
    assert s.handled == 1 and s.open == 1 and s.flagged == 1
    assert w.stats.k_handled.value.text() == "1" and w.stats.k_flagged.value.text() == "50%"
