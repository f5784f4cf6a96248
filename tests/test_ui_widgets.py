"""Sidebar widgets offscreen (pytest-qt): IME rule, docking, always-on-top, QSettings, language, themes."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import datetime, timedelta, timezone  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QRect, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from assist_app.core.types import Risk, SuggestedReply  # noqa: E402
from assist_app.ui import docking  # noqa: E402
from assist_app.ui.chat_window import COMMIT_GRACE_MS, ChatInput  # noqa: E402
from assist_app.ui.i18n import LanguageManager  # noqa: E402
from assist_app.ui.sidebar import SidebarWindow  # noqa: E402
from assist_app.ui.theme import ThemeManager  # noqa: E402
from assist_app.ui.viewmodel import ChatLine, ConversationView, order_conversations  # noqa: E402

TZ = timezone(timedelta(hours=8))
# Qt warnings fail the test (a broken signal or a bad stylesheet cannot hide); the offscreen platform's
# note about size hints is expected.
pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture
def settings(tmp_path):
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    return docking.settings()


@pytest.fixture
def languages(qapp):
    mgr = LanguageManager("zh")
    yield mgr
    mgr.set_language("zh")


def _preedit(widget, text: str) -> None:
    QApplication.sendEvent(widget, QInputMethodEvent(text, []))


def _commit(widget, text: str) -> None:
    ev = QInputMethodEvent("", [])
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def test_enter_confirming_an_ime_candidate_never_sends(qtbot):
    box = ChatInput()
    qtbot.addWidget(box)
    box.show()
    box.setFocus()
    sent: list[str] = []
    box.submitted.connect(sent.append)
    _preedit(box, "ni hao")
    assert box.composing
    qtbot.keyClick(box, Qt.Key.Key_Return)           # Enter while the candidate list is open
    assert sent == [] and "\n" not in box.toPlainText()
    _commit(box, "你好")                               # the IME commits the candidate ...
    qtbot.keyClick(box, Qt.Key.Key_Return)           # ... and some IMEs then deliver the Enter too
    assert sent == []
    assert box.toPlainText() == "你好"
    qtbot.wait(COMMIT_GRACE_MS + 80)
    qtbot.keyClick(box, Qt.Key.Key_Return)           # a deliberate Enter afterwards sends
    assert sent == ["你好"]
    assert box.toPlainText() == ""


def test_shift_enter_is_a_newline_and_enter_sends(qtbot):
    box = ChatInput()
    qtbot.addWidget(box)
    box.show()
    sent: list[str] = []
    box.submitted.connect(sent.append)
    qtbot.keyClicks(box, "ab")
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(box, "cd")
    assert sent == []
    qtbot.keyClick(box, Qt.Key.Key_Enter)
    assert sent == ["ab\ncd"]


def test_right_edge_docking_geometry():
    avail = QRect(0, 0, 1600, 1000)
    r = docking.right_edge_rect(avail, 400)
    assert (r.right(), r.top(), r.width(), r.height()) == (1599, 0, 400, 1000)
    chat = docking.beside_rect(r, avail, 520)
    assert chat.right() + 1 == r.left() and chat.width() == 520
    narrow = docking.right_edge_rect(QRect(0, 0, 300, 700), 400)
    assert narrow.width() == docking.MIN_WIDTH and narrow.left() == 300 - docking.MIN_WIDTH


def test_geometry_and_always_on_top_are_remembered(qtbot, settings):
    w = SidebarWindow()
    qtbot.addWidget(w)
    assert not docking.restore(w, settings)          # nothing saved: docked to the right edge
    screen = w.screen().availableGeometry()
    assert w.geometry().right() == screen.right()
    w.setGeometry(QRect(screen.left() + 100, screen.top() + 50, 380, 600))
    docking.set_always_on_top(w, True)
    docking.save(w, settings)
    w2 = SidebarWindow()
    qtbot.addWidget(w2)
    assert docking.restore(w2, docking.settings())
    assert w2.geometry().size() == w.geometry().size()
    assert docking.is_always_on_top(w2)


def test_language_switch_changes_ui_text(qtbot, languages):
    w = SidebarWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.replies.title.text() == "推荐回复"
    assert w.connection.text().endswith("连接中…")
    languages.set_language("en")                     # Qt posts LanguageChange to every widget
    qtbot.waitUntil(lambda: w.replies.title.text() == "Suggested replies", timeout=2000)
    assert w.orders.title.text() == "Orders"
    assert w.connection.text().endswith("Connecting…")
    languages.set_language("zh")
    qtbot.waitUntil(lambda: w.replies.title.text() == "推荐回复", timeout=2000)


def test_theme_switch_restyles(qtbot, qapp):
    themes = ThemeManager("light")
    assert "#f6f7f9" in qapp.styleSheet()
    themes.toggle()
    assert themes.name == "dark" and "#1b1d21" in qapp.styleSheet()
    themes.apply("light")


def test_reply_click_and_banner(qtbot):
    w = SidebarWindow()
    qtbot.addWidget(w)
    w.show()
    got: list[str] = []
    w.insert_text.connect(got.append)
    w.replies.show_replies([SuggestedReply("a", "亲，第一条"), SuggestedReply("b", "第二条", asks_for="order_id")])
    assert w.replies.buttons[1].note.text().endswith("order_id")
    assert not w.replies.buttons[2].isVisible()
    qtbot.mouseClick(w.replies.buttons[1], Qt.MouseButton.LeftButton)
    assert got == ["第二条"]
    w.banner.show_risk(Risk(91, "critical", ["客户生气", "威胁投诉"]))
    assert w.banner.isVisible() and "威胁投诉" in w.banner.reasons.text()
    w.banner.show_risk(Risk(5, "info", []))
    assert not w.banner.isVisible()


def test_the_chat_needing_the_agent_most_floats_up():
    now = datetime(2025, 11, 11, 10, 0, tzinfo=TZ)

    def conv(cid, wait_s, level="info", score=0):
        c = ConversationView(cid, opened_at=now - timedelta(minutes=10))
        c.lines.append(ChatLine(cid, "customer", "x", now))
        c.waiting_since = now - timedelta(seconds=wait_s) if wait_s is not None else None
        c.assist = type("A", (), {"risk": Risk(score, level, []), "emotion": "neutral"})()
        return c

    calm_long = conv("calm_long", 240)
    calm_new = conv("calm_new", 5)
    angry = conv("angry", 10, "critical", 90)
    answered = conv("answered", None)
    order = [c.conversation_id for c in order_conversations([calm_new, answered, calm_long, angry], now)]
    assert order == ["angry", "calm_long", "calm_new", "answered"]


def test_header_says_uncertain_instead_of_guessing(qtbot):
    from assist_app.nlp.types import Prediction
    from assist_app.ui.widgets.header import HeaderCard

    h = HeaderCard()
    qtbot.addWidget(h)
    conv = ConversationView("c1", nick="顾客")
    conv.lines.append(ChatLine("m1", "customer", "嗯那个", datetime(2025, 11, 11, tzinfo=TZ)))
    conv.prediction = Prediction("logistics", 0.31, "neutral", 0.8)
    h.show_conversation(conv)
    assert h.intent.text().startswith("不确定") and "物流" not in h.intent.text() and "31%" in h.intent.text()
    conv.prediction = Prediction("logistics", 0.86, "anxious", 0.7)
    h.show_conversation(conv)
    assert h.intent.text().startswith("物流配送") and "86%" in h.intent.text()
    assert h.emotion.text() == "着急"


def test_order_deadlines_from_product_rules():
    from assist_app.domain import Order, OrderItem, Product
    from assist_app.ui.viewmodel import order_deadlines

    now = datetime(2025, 11, 20, 12, 0, tzinfo=TZ)
    prods = {"S1": Product("S1", "冲锋衣", "冲锋衣", 59900, no_reason_return_days=7, price_protect_days=15,
                           warranty_days=365)}
    item = OrderItem("S1", "冲锋衣", "冲锋衣", "黑色 XL", 1, 59900, 53900)
    signed = Order("o1", "u1", "signed", [item], 59900, 53900, paid_at=now - timedelta(days=10),
                   signed_at=now - timedelta(days=8))
    got = {d.kind: d for d in order_deadlines(signed, prods, now)}
    assert got["no_reason_return"].until == now - timedelta(days=1) and got["no_reason_return"].expired
    assert got["price_protection"].until == now + timedelta(days=5) and not got["price_protection"].expired
    assert got["warranty"].until == now + timedelta(days=357)
    refunding = Order("o2", "u1", "refunding", [item], 59900, 53900, paid_at=now, signed_at=now)
    assert order_deadlines(refunding, prods, now) == []


def test_order_panel_shows_state_tracking_timeline_and_deadlines(qtbot, tmp_path):
    """Real demo-store orders: the panel names the order, its state, carrier + tracking number, the latest
    logistics event and the deadlines; the order the customer talks about comes first."""
    from PySide6.QtWidgets import QLabel

    from assist_app.store import Store
    from assist_app.ui.i18n import order_state_name
    from assist_app.ui.widgets.orders import OrderBlock, OrdersCard, deadline_name

    now = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
    store = Store.demo(tmp_path / "demo.db", now=now)
    try:
        cust = next(c for c in store.customers() if any(o.state == "shipped" and o.logistics and len(
            store.orders_of(c.customer_id)) > 1 for o in store.orders_of(c.customer_id)))
        ctx = store.customer_context(cust.customer_id, now)
    finally:
        store.close()
    shipped = next(o for o in ctx.orders if o.state == "shipped" and o.logistics)
    conv = ConversationView("c1", nick=cust.nick)
    conv.context = ctx
    conv.assist = type("A", (), {"orders_in_focus": [shipped.order_id], "eligibility": []})()
    card = OrdersCard()
    qtbot.addWidget(card)
    card.show_conversation(conv, now)
    blocks = card.findChildren(OrderBlock)
    assert len(blocks) == min(4, len(ctx.orders))

    def shown(block) -> str:
        return "\n".join(lab.text() for lab in block.findChildren(QLabel))

    first = shown(blocks[0])
    assert "▶ " + shipped.order_id in first and order_state_name("shipped") in first
    assert shipped.tracking_no in first and shipped.carrier in first
    latest = max(shipped.logistics, key=lambda e: e.time)
    assert "● " in first and latest.status in first
    assert deadline_name("price_protection") in first   # a shipped order is inside its price-protection window
    assert all("▶" not in shown(b) for b in blocks[1:])


def test_chat_transcript_follows_newest_line_unless_agent_scrolled_up(qtbot):
    from assist_app.ui.chat_window import AgentChatWindow

    w = AgentChatWindow()
    qtbot.addWidget(w)
    w.resize(500, 600)
    now = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
    convs = []
    for k in range(2):
        c = ConversationView(f"c{k}")
        c.lines = [ChatLine(f"m{k}-{i}", "customer" if i % 2 else "agent", f"第{i}条消息 " * 5, now) for i in range(200)]
        convs.append(c)
    bar = w.transcript.verticalScrollBar()
    w.show_conversation(convs[0])          # switched while the window is still hidden
    w.show()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    w.show_conversation(convs[1])          # a switch lands on the newest line
    QApplication.processEvents()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    assert w.transcript.toPlainText().rstrip().endswith("第199条消息")
    bar.setValue(100)                      # the agent scrolls up to read: a new line must not yank the view
    convs[1].lines.append(ChatLine("new", "customer", "新消息", now))
    w.show_conversation(convs[1])
    QApplication.processEvents()
    assert bar.value() == 100 and "新消息" in w.transcript.toPlainText()
    bar.setValue(bar.maximum())            # back at the bottom: follows again
    convs[1].lines.append(ChatLine("new2", "customer", "新消息2", now))
    w.show_conversation(convs[1])
    QApplication.processEvents()
    assert bar.value() == bar.maximum()
