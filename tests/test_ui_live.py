"""The sidebar end to end, offscreen: real demo backend (SQLite store + gateway in its thread), a real chat
source publishing a scripted customer, the real stream client, ONNX classifier and assist engine, real widgets.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio  # noqa: E402
from datetime import datetime  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from assist_app import protocol as P  # noqa: E402
from assist_app.core import ConversationState, Turn, assist  # noqa: E402
from assist_app.demo import start_demo_backend  # noqa: E402
from assist_app.nlp.classifier import load_classifier  # noqa: E402
from assist_app.nlp.labels import EMOTION_EN, EMOTION_ZH, INTENT_EN, INTENT_ZH  # noqa: E402
from assist_app.sim import Simulator  # noqa: E402
from assist_app.sim.runner import to_protocol  # noqa: E402
from assist_app.store import Store  # noqa: E402
from assist_app.stream.client import StreamClient  # noqa: E402
from assist_app.ui import runtime  # noqa: E402
from assist_app.ui.agent import start_agent  # noqa: E402

AGENT = "a2"
# Qt warnings fail the test (a broken signal or a bad stylesheet cannot hide); the offscreen platform's
# note about size hints is expected.
pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture(scope="module")
def qloop(qapp):
    loop = runtime.install_loop(qapp)
    yield loop
    # leave no running loop behind for other test modules (pytest-asyncio creates its own)
    for task in asyncio.all_tasks(loop):
        task.cancel()
    for _ in range(5):
        qapp.processEvents()
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


def arun(qtbot, coro, timeout_ms: int = 15000):
    """Run a coroutine on the qasync loop while pytest-qt spins the Qt event loop."""
    fut = asyncio.ensure_future(coro)
    qtbot.waitUntil(fut.done, timeout=timeout_ms)
    return fut.result()


@pytest.fixture
def backend(tmp_path):
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    handle = start_demo_backend(db_path=tmp_path / "demo.sqlite", simulate=False)
    yield handle
    handle.stop()


@pytest.fixture
def source(qtbot, qloop, backend):
    client = StreamClient(backend.url, backend.source_token, subscribe=False, client_name="test-source")
    task = asyncio.ensure_future(client.run())
    yield client
    client.stop()
    qtbot.waitUntil(task.done, timeout=5000)


def scripted(backend, script_id: str):
    """The simulator's plan for one scripted conversation, placeholders filled from the demo store."""
    store = Store(backend.db_path)
    try:
        events = Simulator(store, agents=(AGENT,), id_prefix="t").plan(1, script_ids=[script_id])
        ctx = store.customer_context(events[0].customer_id, datetime.now().astimezone())
    finally:
        store.close()
    return events, ctx


def header_texts(window) -> str:
    return " ".join([window.header.intent.text(), window.header.emotion.text()])


@pytest.fixture
def agent_app(qtbot, qloop, backend):
    apps = []

    def make(**kw):
        app = arun(qtbot, start_agent(backend.url, backend.tokens[AGENT], agent_id=AGENT, **kw))
        app.window.resize(420, 900)
        app.window.show()
        if app.chat is not None:
            app.chat.show()
        apps.append(app)
        qtbot.waitUntil(lambda: app.window.connection.status == "connected", timeout=5000)
        return app

    yield make
    for app in apps:
        arun(qtbot, app.close())
        app.window.close()
        if app.chat is not None:
            app.chat.close()


def test_scripted_message_shows_intent_emotion_and_filled_reply_then_ctrl1_and_send(qtbot, backend, source,
                                                                                     agent_app):
    app = agent_app()
    assert app.session.classifier is not None, app.session.classifier_error
    events, _ctx = scripted(backend, "ship_urge_weekend")     # "亲 订单{order_id}大概什么时候能发"
    opened = next(e for e in events if e.kind == "open")
    first = next(e for e in events if e.kind == "message" and e.role == "customer")
    assert "{" not in first.text
    arun(qtbot, source.publish(to_protocol(opened)))
    qtbot.waitUntil(lambda: opened.conversation_id in app.session.conversations, timeout=2000)
    conv = app.session.conversations[opened.conversation_id]
    qtbot.waitUntil(lambda: conv.context is not None, timeout=2000)     # the gateway's `context` event

    arun(qtbot, source.publish(to_protocol(first)))
    # within 1 s of the publish: the chat is listed, selected, analysed and painted
    qtbot.waitUntil(lambda: conv.assist is not None and app.window.replies.reply_text(0) is not None, timeout=1000)

    # the oracle: the same classifier and engine, called directly on the same inputs
    pred = load_classifier().predict(first.text, [])
    state = ConversationState(conversation_id=opened.conversation_id, customer_id=opened.customer_id)
    state.add_customer(Turn("customer", first.text, conv.lines[-1].ts, first.message_id), pred)
    expected = assist(state, conv.context, app.session.clock(), lang="zh")

    shown = header_texts(app.window)
    if pred.uncertain:
        assert "不确定" in shown
    else:
        # int8 dynamic quantisation and thread timing can move the last digit of the rounded confidence
        pct = round(pred.intent_confidence * 100)
        assert INTENT_ZH[pred.intent] in shown and any(f"{pct + d}%" in shown for d in (-1, 0, 1)), shown
    assert EMOTION_ZH[pred.emotion] in shown
    top = app.window.replies.reply_text(0)
    assert top == expected.replies[0].text
    assert "{" not in top and "}" not in top                     # every slot filled with real data
    assert opened.order_id and opened.order_id in first.text
    assert opened.order_id in top                                # ... about the order the customer named
    row = app.window.list.model_.row_of(opened.conversation_id)
    assert row >= 0 and app.window.list.current_id() == opened.conversation_id

    # Ctrl+1 from the agent's chat input inserts the top suggestion for editing
    app.chat.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app.chat, timeout=2000)
    app.chat.input.setFocus()
    qtbot.keyClick(app.chat.input, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert app.chat.input.toPlainText() == top
    # Enter sends it through the protocol (reply.send); the gateway echoes it back as the agent's message
    qtbot.keyClick(app.chat.input, Qt.Key.Key_Return)
    assert app.chat.input.toPlainText() == ""
    qtbot.waitUntil(lambda: any(ln.role == "agent" and ln.text == top for ln in conv.lines), timeout=3000)
    assert conv.waiting_since is None
    qtbot.waitUntil(lambda: top in app.chat.transcript.toPlainText(), timeout=1000)


def test_language_switch_changes_ui_and_suggestion_language(qtbot, backend, source, agent_app):
    app = agent_app()
    events, _ = scripted(backend, "ship_urge_weekend")
    opened = next(e for e in events if e.kind == "open")
    first = next(e for e in events if e.kind == "message" and e.role == "customer")
    arun(qtbot, source.publish(to_protocol(opened)))
    qtbot.waitUntil(lambda: opened.conversation_id in app.session.conversations, timeout=2000)
    conv = app.session.conversations[opened.conversation_id]
    qtbot.waitUntil(lambda: conv.context is not None, timeout=2000)
    arun(qtbot, source.publish(to_protocol(first)))
    qtbot.waitUntil(lambda: app.window.replies.reply_text(0) is not None, timeout=2000)
    zh_reply = app.window.replies.reply_text(0)
    assert app.window.replies.title.text() == "推荐回复"

    app.languages.set_language("en")
    qtbot.waitUntil(lambda: app.window.replies.title.text() == "Suggested replies", timeout=2000)
    assert app.window.header.intent_label.text() == "Intent"
    assert app.window.app_title.text() == "Agent Assist"
    pred = conv.prediction
    shown = header_texts(app.window)
    assert ("Uncertain" in shown) if pred.uncertain else (INTENT_EN[pred.intent] in shown)
    assert EMOTION_EN[pred.emotion] in shown
    # the engine re-words the suggestions in English (templates replies.en.json)
    qtbot.waitUntil(lambda: app.window.replies.reply_text(0) not in (None, zh_reply), timeout=2000)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in app.window.replies.reply_text(0).replace(
        conv.nick, "").split("(")[0][:12])

    app.languages.set_language("zh")
    qtbot.waitUntil(lambda: app.window.replies.title.text() == "推荐回复", timeout=2000)
    qtbot.waitUntil(lambda: app.window.replies.reply_text(0) == zh_reply, timeout=2000)


def test_model_missing_still_streams_and_says_classifier_unavailable(qtbot, backend, source, agent_app, tmp_path):
    missing = tmp_path / "no-model"
    app = agent_app(load_classifier=lambda: load_classifier(missing))
    assert app.session.classifier is None
    assert str(missing) in app.session.classifier_error
    assert app.window.notice.isVisible()
    assert "分类器不可用" in app.window.notice.label.text()
    events, _ = scripted(backend, "logistics_stalled")
    opened = next(e for e in events if e.kind == "open")
    first = next(e for e in events if e.kind == "message" and e.role == "customer")
    arun(qtbot, source.publish(to_protocol(opened)))
    arun(qtbot, source.publish(to_protocol(first)))
    qtbot.waitUntil(lambda: opened.conversation_id in app.window.list.model_.ids(), timeout=2000)
    conv = app.session.conversations[opened.conversation_id]
    qtbot.waitUntil(lambda: conv.last_line is not None and conv.last_line.text == first.text, timeout=2000)
    qtbot.waitUntil(lambda: first.text in app.chat.transcript.toPlainText(), timeout=2000)
    assert conv.prediction is None and conv.assist is None      # nothing guessed without a model
    assert app.window.replies.reply_text(0) is None
    qtbot.waitUntil(lambda: app.window.current_id() == opened.conversation_id, timeout=2000)
    assert app.window.header.intent.text() == "分类器不可用"        # never a guess
    assert app.window.connection.status == "connected"


def test_keyboard_switches_chats_from_the_chat_input(qtbot, qloop):
    """Alt+↓/↑ and Ctrl+Tab move through the list even while the agent types in the chat window."""
    from datetime import timedelta

    from assist_app.ui.chat_window import AgentChatWindow
    from assist_app.ui.controller import SidebarController
    from assist_app.ui.engine import EngineAdapter
    from assist_app.ui.i18n import LanguageManager
    from assist_app.ui.session import AgentSession
    from assist_app.ui.sidebar import SidebarWindow
    from assist_app.ui.theme import ThemeManager

    session = AgentSession(runtime.executor(), EngineAdapter(), load_classifier=None)
    window, chat = SidebarWindow(), AgentChatWindow()
    qtbot.addWidget(window)
    qtbot.addWidget(chat)
    ctl = SidebarController(session, window, chat, LanguageManager("zh"), ThemeManager("light"))
    now = datetime.now().astimezone()
    for i in range(3):
        cid = f"k{i}"
        session.handle_event(P.ConversationOpened(conversation_id=cid, customer_id=f"u{i}", nick=f"顾客{i}",
                                                  agent_id=AGENT, opened_at=now - timedelta(minutes=i)))
        session.handle_event(P.Message(conversation_id=cid, message_id=f"{cid}-1", role="customer",
                                       text=f"第{i}位顾客的问题", ts=now - timedelta(seconds=10 * i)))
    arun(qtbot, session.idle())
    ctl.flush()
    window.show()
    chat.show()
    qtbot.waitUntil(lambda: window.list.model_.rowCount() == 3, timeout=2000)
    order = window.list.model_.ids()
    assert window.current_id() == order[0]
    chat.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is chat, timeout=2000)
    chat.input.setFocus()
    qtbot.keyClick(chat.input, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.current_id() == order[1]
    assert chat.conversation_id() == order[1]          # the chat window follows the sidebar
    qtbot.keyClick(chat.input, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.current_id() == order[2]
    qtbot.keyClick(chat.input, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert window.current_id() == order[1]
    assert chat.input.toPlainText() == ""               # no stray characters typed into the draft


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gateway_restart_shows_reconnecting_and_loses_nothing(qtbot, qloop, tmp_path):
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    db, port = tmp_path / "demo.sqlite", _free_port()
    backend = start_demo_backend(db_path=db, port=port, simulate=False)
    app = arun(qtbot, start_agent(backend.url, backend.tokens[AGENT], agent_id=AGENT, with_chat=False))
    src = StreamClient(backend.url, backend.source_token, subscribe=False)
    src_task = asyncio.ensure_future(src.run())
    try:
        app.window.show()
        qtbot.waitUntil(lambda: app.window.connection.status == "connected", timeout=5000)
        assert "已连接" in app.window.connection.text()
        events, _ = scripted(backend, "refund_progress_repeat")
        opened = next(e for e in events if e.kind == "open")
        said = [e for e in events if e.kind == "message" and e.role == "customer"]
        arun(qtbot, src.publish(to_protocol(opened)))
        arun(qtbot, src.publish(to_protocol(said[0])))
        qtbot.waitUntil(lambda: opened.conversation_id in app.session.conversations, timeout=2000)

        backend.stop()                                   # the gateway goes away mid-conversation
        qtbot.waitUntil(lambda: app.window.connection.status == "reconnecting", timeout=5000)
        assert "重连中" in app.window.connection.text()

        backend = start_demo_backend(db_path=db, port=port, simulate=False)   # and comes back
        qtbot.waitUntil(lambda: app.window.connection.status == "connected", timeout=15000)
        for ev in said[1:3]:
            arun(qtbot, src.publish(to_protocol(ev)))
        conv = app.session.conversations[opened.conversation_id]
        want = [e.message_id for e in said[:3]]
        qtbot.waitUntil(lambda: [ln.message_id for ln in conv.lines if ln.role == "customer"] == want,
                        timeout=3000)
        qtbot.waitUntil(lambda: conv.analysed_message_id == want[-1], timeout=2000)
    finally:
        src.stop()
        qtbot.waitUntil(src_task.done, timeout=5000)
        arun(qtbot, app.close())
        app.window.close()
        backend.stop()


def test_ticket_button_files_the_engines_draft(qtbot, backend, source, agent_app):
    app = agent_app()
    events, _ = scripted(backend, "complaint_bad_review")
    opened = next(e for e in events if e.kind == "open")
    arun(qtbot, source.publish(to_protocol(opened)))
    qtbot.waitUntil(lambda: opened.conversation_id in app.session.conversations, timeout=2000)
    conv = app.session.conversations[opened.conversation_id]
    qtbot.waitUntil(lambda: conv.context is not None, timeout=2000)
    said = [e for e in events if e.kind == "message" and e.role == "customer"]
    for ev in said:
        arun(qtbot, source.publish(to_protocol(ev)))
        qtbot.waitUntil(lambda ev=ev: conv.analysed_message_id == ev.message_id, timeout=2000)
        if conv.assist is not None and conv.assist.ticket is not None:
            break
    draft = conv.assist.ticket
    if draft is None:
        # the engine drafts a ticket only for some labels; what is under test here is the button → gateway →
        # store path, so take the engine's own complaint draft for this chat (tickets.draft, forced kind)
        import dataclasses

        from assist_app.core import tickets

        order = conv.context.orders[0] if conv.context.orders else None
        draft = tickets.draft(conv.conversation_id, "complaint", [e.text for e in said], "angry", order,
                              conv.context, conv.assist.risk, "zh", force_kind="complaint")
        conv.assist = dataclasses.replace(conv.assist, ticket=draft)
    assert draft is not None
    app.window.list.select_id(conv.conversation_id)
    app.window.show_detail(conv, app.session.clock())
    assert app.window.actions.ticket_btn.isEnabled()
    qtbot.mouseClick(app.window.actions.ticket_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "工单已提交" in app.window.actions.detail.text(), timeout=3000)
    store = Store(backend.db_path)
    try:
        saved = [t for t in store.tickets() if t.get("conversation_id") == opened.conversation_id]
    finally:
        store.close()
    assert len(saved) == 1 and saved[0].get("title") == draft.title


def test_lead_whisper_appears_for_the_agent(qtbot, backend, source, agent_app):
    app = agent_app()
    events, _ = scripted(backend, "change_address")
    opened = next(e for e in events if e.kind == "open")
    first = next(e for e in events if e.kind == "message" and e.role == "customer")
    arun(qtbot, source.publish(to_protocol(opened)))
    arun(qtbot, source.publish(to_protocol(first)))
    qtbot.waitUntil(lambda: app.window.current_id() == opened.conversation_id, timeout=2000)
    lead = StreamClient(backend.url, backend.lead_token, client_name="test-lead")
    task = asyncio.ensure_future(lead.run())
    try:
        qtbot.waitUntil(lambda: lead.connected, timeout=5000)
        arun(qtbot, lead.send(P.LeadWhisper(conversation_id=opened.conversation_id, text="先核实地址再改，别承诺时效")))
        qtbot.waitUntil(lambda: app.window.whisper.isVisible(), timeout=2000)
        assert "先核实地址再改" in app.window.whisper.text()
        assert "主管提示" in app.chat.transcript.toPlainText()
    finally:
        lead.stop()
        qtbot.waitUntil(task.done, timeout=5000)


def test_without_the_demo_chat_window_replies_go_to_the_clipboard(qtbot, backend, source, agent_app):
    app = agent_app(with_chat=False)
    events, _ = scripted(backend, "invoice_company")
    opened = next(e for e in events if e.kind == "open")
    first = next(e for e in events if e.kind == "message" and e.role == "customer")
    arun(qtbot, source.publish(to_protocol(opened)))
    qtbot.waitUntil(lambda: opened.conversation_id in app.session.conversations, timeout=2000)
    conv = app.session.conversations[opened.conversation_id]
    qtbot.waitUntil(lambda: conv.context is not None, timeout=2000)
    arun(qtbot, source.publish(to_protocol(first)))
    qtbot.waitUntil(lambda: app.window.replies.reply_text(0) is not None, timeout=2000)
    QApplication.clipboard().clear()
    app.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app.window, timeout=2000)
    qtbot.keyClick(app.window.list, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == app.window.replies.reply_text(0)
    assert "剪贴板" in app.window.actions.detail.text()
