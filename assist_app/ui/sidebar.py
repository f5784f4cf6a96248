"""The agent sidebar window: conversation list on top, the selected chat's assist panels below.

It only paints what it is given (ConversationView + core.Assist) and emits signals; `controller.py` wires it.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assist_app.ui.theme import Palette
from assist_app.ui.viewmodel import ConversationView
from assist_app.ui.widgets.banner import EscalationBanner
from assist_app.ui.widgets.common import Retranslatable, wrap_label
from assist_app.ui.widgets.conversations import ConversationList
from assist_app.ui.widgets.header import HeaderCard
from assist_app.ui.widgets.offers import ActionsCard, KnowledgeCard, PromotionsCard
from assist_app.ui.widgets.orders import OrdersCard
from assist_app.ui.widgets.replies import RepliesCard
from assist_app.ui.widgets.status import ConnectionIndicator, Notice


class SidebarWindow(Retranslatable, QWidget):
    selected = Signal(str)            # conversation id
    insert_text = Signal(str)         # a reply / best-price line / KB answer / retention offer to insert
    ticket_requested = Signal(object)  # core.TicketDraft
    language_toggle = Signal()
    theme_toggle = Signal()
    always_on_top_toggled = Signal(bool)

    # emitted right after Qt painted and flushed the window (UpdateRequest handled); see controller.painted
    frame_painted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("SidebarRoot")
        self.setMinimumWidth(320)
        self.resize(400, 900)
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)
        root.setSpacing(6)
        # top bar
        top = QHBoxLayout()
        self.app_title = QLabel()
        self.app_title.setStyleSheet("font-weight: bold; font-size: 14px;")
        self.connection = ConnectionIndicator()
        self.lang_btn = QToolButton()
        self.theme_btn = QToolButton()
        self.pin_btn = QToolButton()
        self.pin_btn.setCheckable(True)
        top.addWidget(self.app_title)
        top.addStretch(1)
        top.addWidget(self.connection)
        for b in (self.lang_btn, self.theme_btn, self.pin_btn):
            top.addWidget(b)
        root.addLayout(top)
        self.notice = Notice()
        root.addWidget(self.notice)
        # list + detail
        self.list = ConversationList()
        self.header = HeaderCard()
        self.banner = EscalationBanner()
        self.whisper = wrap_label()
        self.whisper.setObjectName("Whisper")
        self.whisper.hide()
        self.replies = RepliesCard()
        self.orders = OrdersCard()
        self.promotions = PromotionsCard()
        self.knowledge = KnowledgeCard()
        self.actions = ActionsCard()
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 4, 0)
        dl.setSpacing(6)
        for w in (self.header, self.banner, self.whisper, self.replies, self.orders, self.promotions, self.knowledge,
                  self.actions):
            dl.addWidget(w)
        dl.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(detail)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.scroll)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([320, 640])
        self.splitter.setChildrenCollapsible(False)
        root.addWidget(self.splitter, 1)
        # wiring
        self.list.selected.connect(self.selected)
        self.replies.chosen.connect(self.insert_text)
        self.promotions.insert.connect(self.insert_text)
        self.knowledge.insert.connect(self.insert_text)
        self.actions.insert.connect(self.insert_text)
        self.actions.ticket.connect(self.ticket_requested)
        self.lang_btn.clicked.connect(self.language_toggle)
        self.theme_btn.clicked.connect(self.theme_toggle)
        self.pin_btn.toggled.connect(self.always_on_top_toggled)
        self._shortcuts: list[QShortcut] = []
        self._install_shortcuts()
        self._lang = "zh"
        self._conv: ConversationView | None = None
        self.retranslate()

    def event(self, e: QEvent) -> bool:
        handled = super().event(e)
        if e.type() == QEvent.Type.UpdateRequest:
            self.frame_painted.emit()
        return handled

    # --- keyboard ---------------------------------------------------------------------------------
    def _shortcut(self, seq: str | QKeySequence, slot) -> None:
        sc = QShortcut(QKeySequence(seq), self)
        # application-wide: the agent's focus is usually in the chat window's input, not here
        sc.setContext(Qt.ShortcutContext.ApplicationShortcut)
        sc.activated.connect(slot)
        self._shortcuts.append(sc)

    def _install_shortcuts(self) -> None:
        for i in range(3):
            self._shortcut(f"Ctrl+{i + 1}", lambda i=i: self.replies.choose(i))
        self._shortcut("Alt+Down", lambda: self.list.step(1))
        self._shortcut("Alt+Up", lambda: self.list.step(-1))
        self._shortcut("Ctrl+Tab", lambda: self.list.step(1))
        self._shortcut("Ctrl+Shift+Tab", lambda: self.list.step(-1))
        self._shortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Backtab), lambda: self.list.step(-1))

    # --- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(QCoreApplication.translate("Sidebar", "坐席助手"))
        self.app_title.setText(QCoreApplication.translate("Sidebar", "坐席助手"))
        self.lang_btn.setText(QCoreApplication.translate("Sidebar", "EN"))
        self.lang_btn.setToolTip(QCoreApplication.translate("Sidebar", "切换语言"))
        self._theme_text()
        self.theme_btn.setToolTip(QCoreApplication.translate("Sidebar", "切换浅色/深色主题"))
        self.pin_btn.setText(QCoreApplication.translate("Sidebar", "置顶"))
        self.pin_btn.setToolTip(QCoreApplication.translate("Sidebar", "窗口始终在最前"))

    def set_lang(self, lang: str) -> None:
        """Data-driven texts (intent/emotion names) follow the language too."""
        self._lang = lang
        self.list.set_lang(lang)
        self.header.set_lang(lang)

    def set_palette(self, pal: Palette, theme: str) -> None:
        self.list.set_palette(pal)
        self.header.set_palette(pal)
        self.theme_btn.setProperty("theme", theme)
        self._theme_text()

    def _theme_text(self) -> None:
        dark = self.theme_btn.property("theme") == "dark"
        self.theme_btn.setText(QCoreApplication.translate("Sidebar", "浅色") if dark
                               else QCoreApplication.translate("Sidebar", "深色"))

    def set_pinned(self, on: bool) -> None:
        self.pin_btn.blockSignals(True)
        self.pin_btn.setChecked(on)
        self.pin_btn.blockSignals(False)

    # --- data ------------------------------------------------------------------------------------
    def set_connection(self, status: str, retry_in_s: float | None = None) -> None:
        self.connection.set_state(status, retry_in_s)

    def set_classifier_unavailable(self, detail: str) -> None:
        self.notice.show_classifier_unavailable(detail)
        self.header.classifier_available = False
        self.replies.classifier_available = False
        self.replies.retranslate()
        self.header.show_conversation(self._conv)

    def set_conversations(self, rows: list[ConversationView], now: datetime) -> None:
        self.list.set_conversations(rows, now)

    def current_id(self) -> str:
        return self.list.current_id()

    def show_detail(self, conv: ConversationView | None, now: datetime) -> None:
        self._conv = conv
        a = conv.assist if conv else None
        self.header.show_conversation(conv)
        self.banner.show_risk(getattr(a, "risk", None))
        hint = next((ln for ln in reversed(conv.lines[-20:]) if ln.role == "lead"), None) if conv else None
        if hint is not None:   # the team lead's private hint for this chat (never shown to the customer)
            self.whisper.setText(QCoreApplication.translate("Sidebar", "主管提示：%1").replace("%1", hint.text))
        self.whisper.setVisible(hint is not None)
        self.replies.show_replies(list(getattr(a, "replies", []) or []))
        self.orders.show_conversation(conv, now)
        self.promotions.show_conversation(conv)
        self.knowledge.show_conversation(conv)
        self.actions.show_conversation(conv)
