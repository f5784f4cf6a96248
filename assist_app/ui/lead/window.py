"""The team-lead window: live conversations ranked by risk, alert feed, read-only transcript, statistics.

Widgets only paint what they are given (`apply_update`, `set_stats`, `show_transcript`) and emit signals
for the lead's actions; `assist_app.ui.lead.controller` wires them to the stream and the worker thread.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assist_app.core.types import Turn
from assist_app.lead.board import ConversationRow, Update
from assist_app.lead.stats import StatsSnapshot
from assist_app.ui.lead import texts as tx
from assist_app.ui.lead.delegates import RiskDelegate, TrendDelegate
from assist_app.ui.lead.model import COL, ID_ROLE, ConversationTableModel
from assist_app.ui.lead.notify import Notifier
from assist_app.ui.lead.panels import AlertFeed, StatsPanel, TranscriptPanel

STYLE = """
QMainWindow, #LeadCentral { background: #f2f3f5; }
#LeadTopBar { background: #ffffff; border-bottom: 1px solid #dee0e3; }
#LeadTitle { font-size: 16px; font-weight: bold; color: #1f2329; }
#LeadPane { background: #ffffff; border: 1px solid #dee0e3; border-radius: 6px; }
QTableView { background: #ffffff; alternate-background-color: #f7f8fa; border: none;
             selection-background-color: #e1eaff; selection-color: #1f2329; gridline-color: #eef0f2; }
QHeaderView::section { background: #f7f8fa; color: #646a73; border: none; border-bottom: 1px solid #dee0e3;
                       padding: 5px 6px; font-weight: bold; }
QListWidget#AlertList { background: #f7f8fa; border: none; }
QTextBrowser#Transcript { background: #f7f8fa; border: 1px solid #eef0f2; border-radius: 4px; }
QPushButton { padding: 4px 12px; border: 1px solid #d0d3d6; border-radius: 4px; background: #ffffff; }
QPushButton:hover { border-color: #3370ff; color: #3370ff; }
QPushButton#TakeoverButton, QPushButton#alert_takeover { background: #3370ff; color: white; border: none; }
QPushButton#TakeoverButton:disabled { background: #bbbfc4; }
"""


class LeadWindow(QMainWindow):
    takeover_requested = Signal(str)
    reassign_requested = Signal(str, str)
    whisper_requested = Signal(str, str)
    reply_requested = Signal(str, str)
    ack_requested = Signal(str)
    conversation_selected = Signal(str)  # the transcript of this chat is wanted
    language_changed = Signal(str)
    alert_shown = Signal(str, str)  # conversation id, level — after the alert card is on screen

    def __init__(self, lang: str = "zh", sound: bool = False, clock=time.time, use_tray: bool | None = None) -> None:
        super().__init__()
        if lang not in tx.LANGS:
            raise ValueError(f"unknown language {lang!r}; expected one of {tx.LANGS}")
        self.lang = "zh"  # built in Chinese, then switched (one code path for every text)
        self._clock = clock
        self.lead_id = ""
        self.agent_names: dict[str, str] = {}
        self._selected: str | None = None
        self._selected_messages = -1
        self.setObjectName("LeadWindow")
        self.setStyleSheet(STYLE)
        self.resize(1560, 960)

        central = QWidget()
        central.setObjectName("LeadCentral")
        root = QVBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.setCentralWidget(central)

        # top bar: title, connection, filters, language, sound
        bar = QWidget()
        bar.setObjectName("LeadTopBar")
        bl = QHBoxLayout(bar)
        bl.setContentsMargins(14, 8, 14, 8)
        self.title = QLabel()
        self.title.setObjectName("LeadTitle")
        self.conn = QLabel()
        self.conn.setObjectName("ConnectionState")
        self.live = QLabel()
        self.live.setStyleSheet("color:#646a73;")
        self.agent_filter = QComboBox()
        self.agent_filter.setMinimumWidth(120)
        self.level_filter = QComboBox()
        self.level_filter.setMinimumWidth(130)
        self.sound_box = QCheckBox()
        self.sound_box.setChecked(sound)
        self.lang_btn = QPushButton()
        self.lang_btn.setObjectName("LangButton")
        for w in (self.title, self.conn):
            bl.addWidget(w)
        bl.addSpacing(16)
        bl.addWidget(self.live)
        bl.addStretch(1)
        for w in (self.agent_filter, self.level_filter, self.sound_box, self.lang_btn):
            bl.addWidget(w)
        root.addWidget(bar)

        # body: [table / stats] | [alerts / transcript]
        self.model = ConversationTableModel(self, clock=clock)
        self.table = QTableView()
        self.table.setObjectName("LeadTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(COL["risk"], RiskDelegate(self.model, self.table))
        self.table.setItemDelegateForColumn(COL["trend"], TrendDelegate(self.table))
        hh = self.table.horizontalHeader()
        for col, width in (("risk", 92), ("agent", 92), ("customer", 130), ("wait", 60), ("intent", 110),
                           ("trend", 150), ("reason", 260)):
            hh.resizeSection(COL[col], width)
        hh.setSectionResizeMode(COL["last"], QHeaderView.ResizeMode.Stretch)
        hh.setHighlightSections(False)
        self.table.clicked.connect(self._clicked)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._clicked(cur))
        self.model.modelReset.connect(self._restore_selection)

        self.stats = StatsPanel()
        self.feed = AlertFeed()
        self.transcript = TranscriptPanel()

        def pane(w: QWidget) -> QWidget:
            box = QWidget()
            box.setObjectName("LeadPane")
            lay = QVBoxLayout(box)
            lay.setContentsMargins(10, 8, 10, 10)
            lay.addWidget(w)
            return box

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(pane(self.table))
        left.addWidget(pane(self.stats))
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        left.setSizes([640, 260])
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(pane(self.feed))
        right.addWidget(pane(self.transcript))
        right.setSizes([420, 480])
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(left)
        body.addWidget(right)
        body.setSizes([1040, 500])
        body.setContentsMargins(8, 8, 8, 8)
        wrap = QWidget()
        wl = QVBoxLayout(wrap)
        wl.setContentsMargins(8, 8, 8, 8)
        wl.addWidget(body)
        root.addWidget(wrap, 1)

        self.notifier = Notifier(self, sound=sound, use_tray=use_tray)
        self.notifier.toast.anchor = self._toast_corner
        self.sound_box.toggled.connect(lambda on: setattr(self.notifier, "sound_enabled", on))
        self.agent_filter.currentIndexChanged.connect(self._filter_changed)
        self.level_filter.currentIndexChanged.connect(self._filter_changed)
        self.lang_btn.clicked.connect(lambda: self.set_language("en" if self.lang == "zh" else "zh"))
        self.feed.ack_requested.connect(self.ack_requested)
        self.feed.takeover_requested.connect(self.takeover_requested)
        self.feed.open_requested.connect(self.select_conversation)
        self.transcript.takeover_requested.connect(self.takeover_requested)
        self.transcript.reassign_requested.connect(self.reassign_requested)
        self.transcript.whisper_requested.connect(self.whisper_requested)
        self.transcript.reply_requested.connect(self.reply_requested)

        self._clock_timer = QTimer(self)
        self._clock_timer.timeout.connect(self.model.refresh_clock)
        self._clock_timer.start(1000)
        self._state = ("connected", 0.0)
        self._fill_filters()
        self.retranslate()
        if lang != "zh":
            self.set_language(lang)

    def _toast_corner(self) -> QPoint:
        vp = self.table.viewport()
        return vp.mapTo(self, QPoint(vp.width() - 16, vp.height() - 16))

    # ---- language ------------------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        if lang not in tx.LANGS:
            raise ValueError(f"unknown language {lang!r}; expected one of {tx.LANGS}")
        if lang == self.lang:
            return
        self.lang = lang
        self.model.set_language(lang)
        for w in (self.stats, self.feed, self.transcript):
            w.set_language(lang)
        self._fill_filters()
        self.retranslate()
        self.language_changed.emit(lang)

    def retranslate(self) -> None:
        lang = self.lang
        self.setWindowTitle(tx.t("title", lang))
        self.title.setText(tx.t("title", lang))
        self.lang_btn.setText(tx.t("lang_button", lang))
        self.sound_box.setText(tx.t("sound", lang))
        self.live.setText(tx.t("live_count", lang, n=len(self.model)))
        self.set_connection(*self._state)

    def _fill_filters(self) -> None:
        lang = self.lang
        agent = self.agent_filter.currentData()
        level = self.level_filter.currentData()
        for box in (self.agent_filter, self.level_filter):
            box.blockSignals(True)
            box.clear()
        self.agent_filter.addItem(tx.t("all_agents", lang), None)
        for a in sorted(set(self.agent_names) | set(self.model.agents())):
            self.agent_filter.addItem(self.agent_names.get(a, a), a)
        for key, data in (("level_all", None), ("level_warn", "warn"), ("level_critical", "critical")):
            self.level_filter.addItem(tx.t(key, lang), data)
        for box, data in ((self.agent_filter, agent), (self.level_filter, level)):
            i = box.findData(data)
            box.setCurrentIndex(max(0, i))
            box.blockSignals(False)

    def _filter_changed(self) -> None:
        self.model.set_filter(self.agent_filter.currentData(), self.level_filter.currentData())

    def set_filter(self, agent: str | None = None, level: str | None = None) -> None:
        for box, data in ((self.agent_filter, agent), (self.level_filter, level)):
            i = box.findData(data)
            if i < 0:
                raise ValueError(f"no filter entry {data!r}")
            box.setCurrentIndex(i)

    # ---- identity / connection ---------------------------------------------------------------------------
    def set_identity(self, lead_id: str, agents: list[str], names: dict[str, str] | None = None) -> None:
        self.lead_id = lead_id
        self.transcript.lead_id = lead_id
        self.agent_names = dict(names or {a: a for a in agents})
        for w in (self.model, self.feed, self.transcript, self.stats):
            w.agent_names = self.agent_names
        self.transcript.set_agents(agents)
        self._fill_filters()

    def set_connection(self, status: str, retry_in_s: float = 0.0) -> None:
        self._state = (status, retry_in_s)
        lang = self.lang
        if status == "connected":
            text, color = tx.t("state_connected", lang), "#34a853"
        elif status == "reconnecting":
            text, color = tx.t("state_reconnecting", lang, n=int(retry_in_s + 0.5)), "#f5a623"
        else:
            text, color = tx.t("state_offline", lang), "#e5484d"
        self.conn.setText(f"● {text}")
        self.conn.setStyleSheet(f"color:{color};")

    def set_notice(self, text: str) -> None:
        self.transcript.set_status(text)

    # ---- updates from the worker ----------------------------------------------------------------------------
    def apply_update(self, u: Update) -> None:
        known = set(self.model.agents())
        if u.rows or u.removed:
            self.model.apply(u.rows, u.removed)
            if set(self.model.agents()) - known - set(self.agent_names):
                self._fill_filters()
            self.live.setText(tx.t("live_count", self.lang, n=len(self.model)))
        for r in u.rows:
            if r.conversation_id == self._selected:
                self.transcript.update_row(r)
                if r.messages != self._selected_messages:
                    self._selected_messages = r.messages
                    self.conversation_selected.emit(r.conversation_id)
        if self._selected in u.removed:
            self._selected = None
            self.transcript.show_conversation(None, [])
        if u.alerts is not None:
            self.feed.replace_all(u.alerts)
        for a in u.cleared:
            self.feed.remove(a.conversation_id)
        for d in u.raised:
            self.feed.add(d.alert)
            self.notifier.notify(d, self.lang, self.agent_names.get(d.alert.agent_id, d.alert.agent_id))
            self.alert_shown.emit(d.alert.conversation_id, d.alert.level)

    def set_stats(self, s: StatsSnapshot) -> None:
        self.stats.set_snapshot(s)

    def show_transcript(self, conversation_id: str, turns: list[Turn]) -> None:
        if conversation_id != self._selected:
            return
        self.transcript.show_conversation(self.model.conversation(conversation_id), turns)

    # ---- selection ------------------------------------------------------------------------------------------
    def _clicked(self, index) -> None:
        if not index.isValid():
            return
        cid = index.data(ID_ROLE)
        if cid and cid != self._selected:
            self._selected = cid
            row = self.model.conversation(cid)
            self._selected_messages = row.messages if row else -1
            self.transcript.show_conversation(row, [])
            self.conversation_selected.emit(cid)

    def select_conversation(self, conversation_id: str) -> None:
        i = self.model.row_of(conversation_id)
        if i < 0:
            return
        idx = self.model.index(i, 0)
        self.table.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(idx)
        self._clicked(idx)

    def _restore_selection(self) -> None:
        """After a model reset (filter switch) the chat being read stays selected if it is still listed."""
        i = self.model.row_of(self._selected) if self._selected else -1
        if i >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(i, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def selected(self) -> str | None:
        return self._selected

    def visible_rows(self) -> list[ConversationRow]:
        return self.model.visible()
