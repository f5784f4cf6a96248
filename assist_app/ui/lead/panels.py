"""Side panels of the lead window: alert feed, read-only transcript with lead actions, today's statistics."""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assist_app.core.types import Turn
from assist_app.lead.alerts import Alert
from assist_app.lead.board import ConversationRow
from assist_app.lead.stats import StatsSnapshot
from assist_app.ui.lead import texts as tx
from assist_app.ui.lead.delegates import EMOTION_COLOR, RISK_COLOR

FEED_MAX = 200  # alert cards kept in the feed widget (the policy keeps them all)


def _title(text: str) -> QLabel:
    lab = QLabel(text)
    lab.setObjectName("LeadSectionTitle")
    f = lab.font()
    f.setBold(True)
    f.setPointSizeF(f.pointSizeF() + 1)
    lab.setFont(f)
    return lab


# ---------------------------------------------------------------------------------------------- alerts

class AlertCard(QFrame):
    ack = Signal(str)
    takeover = Signal(str)
    open_chat = Signal(str)

    def __init__(self, alert: Alert, lang: str, agent_name: str, parent=None) -> None:
        super().__init__(parent)
        self.alert = alert
        color = RISK_COLOR[alert.level].name()
        self.setObjectName("AlertCard")
        self.setStyleSheet(f"#AlertCard {{ border-left: 4px solid {color}; background: palette(base);"
                           f" border-radius: 4px; }}")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 8, 6)
        lay.setSpacing(2)
        head = QLabel()
        head.setTextFormat(Qt.TextFormat.RichText)
        when = datetime.fromtimestamp(alert.raised_at).strftime("%H:%M:%S")
        key = "alert_title_critical" if alert.level == "critical" else "alert_title_warn"
        head.setText(f"<b style='color:{color}'>{escape(tx.t(key, lang, customer=alert.customer))}</b>"
                     f" &nbsp;<span style='color:#8a9099'>{escape(tx.t('alert_agent', lang, agent=agent_name))}"
                     f" · {when} · {int(alert.score)}</span>")
        lay.addWidget(head)
        reasons = QLabel("\n".join(f"• {r}" for r in alert.reasons[:3]) or "—")
        reasons.setWordWrap(True)
        reasons.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(reasons)
        row = QHBoxLayout()
        row.addStretch(1)
        for key, sig in (("takeover", self.takeover), ("ack", self.ack)):
            b = QPushButton(tx.t(key, lang))
            b.setObjectName(f"alert_{key}")
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.clicked.connect(lambda _=False, s=sig: s.emit(alert.conversation_id))
            row.addWidget(b)
        lay.addLayout(row)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.open_chat.emit(self.alert.conversation_id)
        super().mousePressEvent(event)


class AlertFeed(QWidget):
    ack_requested = Signal(str)
    takeover_requested = Signal(str)
    open_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.lang = "zh"
        self.agent_names: dict[str, str] = {}
        self._alerts: dict[str, Alert] = {}  # conversation -> active alert
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.title = _title("")
        self.count = QLabel("0")
        self.count.setObjectName("AlertCount")
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.count.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        head.addWidget(self.title)
        head.addWidget(self.count)
        head.addStretch(1)
        lay.addLayout(head)
        self.list = QListWidget()
        self.list.setObjectName("AlertList")
        self.list.setSpacing(3)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color:#8a9099; padding: 16px;")
        lay.addWidget(self.empty, 1)
        lay.addWidget(self.list, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tx.t("alerts", self.lang))
        self.empty.setText(tx.t("alerts_none", self.lang))
        self._rebuild()

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.retranslate()

    def active(self) -> list[Alert]:
        return list(self._alerts.values())

    def add(self, alert: Alert) -> None:
        self._alerts.pop(alert.conversation_id, None)
        self._alerts[alert.conversation_id] = alert
        self._insert(alert, top=True)
        self._trim()
        self._update_count()

    def replace_all(self, alerts) -> None:
        """Show exactly these active alerts (e.g. their reasons re-worded after a language switch)."""
        self._alerts = {a.conversation_id: a for a in alerts}
        self._rebuild()

    def remove(self, conversation_id: str) -> None:
        if self._alerts.pop(conversation_id, None) is None:
            return
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == conversation_id:
                w = self.list.itemWidget(item)
                self.list.takeItem(i)
                if w is not None:
                    w.deleteLater()
                break
        self._update_count()

    def _insert(self, alert: Alert, top: bool) -> None:
        # drop a previous card of the same chat (a critical replaces its warn)
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == alert.conversation_id:
                w = self.list.itemWidget(self.list.item(i))
                self.list.takeItem(i)
                if w is not None:
                    w.deleteLater()
                break
        card = AlertCard(alert, self.lang, self.agent_names.get(alert.agent_id, alert.agent_id))
        card.ack.connect(self.ack_requested)
        card.takeover.connect(self.takeover_requested)
        card.open_chat.connect(self.open_requested)
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, alert.conversation_id)
        # critical alerts stay above warn ones; newest first within a level
        pos = 0 if top else self.list.count()
        if top and alert.level != "critical":
            while pos < self.list.count() and self._alerts.get(
                    self.list.item(pos).data(Qt.ItemDataRole.UserRole), alert).level == "critical":
                pos += 1
        self.list.insertItem(pos, item)
        item.setSizeHint(QSize(10, card.sizeHint().height()))
        self.list.setItemWidget(item, card)

    def _trim(self) -> None:
        while self.list.count() > FEED_MAX:
            item = self.list.item(self.list.count() - 1)
            w = self.list.itemWidget(item)
            self.list.takeItem(self.list.count() - 1)
            if w is not None:
                w.deleteLater()

    def _rebuild(self) -> None:
        self.list.clear()
        ordered = sorted(self._alerts.values(), key=lambda a: (a.level != "critical", -a.raised_at))
        for a in ordered[:FEED_MAX]:
            self._insert(a, top=False)
        self._update_count()

    def _update_count(self) -> None:
        n = len(self._alerts)
        self.count.setText(str(n))
        crit = any(a.level == "critical" for a in self._alerts.values())
        color = "#e5484d" if crit else "#f5a623" if n else "#8a9099"
        self.count.setStyleSheet(f"background:{color}; color:white; border-radius:8px; padding:0 7px;")
        self.empty.setVisible(n == 0)
        self.list.setVisible(n > 0)


# ---------------------------------------------------------------------------------------------- transcript

ROLE_COLOR = {"customer": "#1f2329", "agent": "#3370ff", "bot": "#8a9099", "system": "#8a9099"}


class TranscriptPanel(QWidget):
    takeover_requested = Signal(str)
    reassign_requested = Signal(str, str)
    whisper_requested = Signal(str, str)
    reply_requested = Signal(str, str)  # after a take-over the lead answers the customer from here

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.lang = "zh"
        self.lead_id = ""
        self.conversation_id: str | None = None
        self._row: ConversationRow | None = None
        self._turns: list[Turn] = []
        self.agent_names: dict[str, str] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = _title("")
        lay.addWidget(self.title)
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.header)
        self.view = QTextBrowser()
        self.view.setObjectName("Transcript")
        self.view.setReadOnly(True)
        self.view.setOpenLinks(False)
        lay.addWidget(self.view, 1)
        actions = QHBoxLayout()
        self.takeover_btn = QPushButton()
        self.takeover_btn.setObjectName("TakeoverButton")
        self.takeover_btn.clicked.connect(self._takeover)
        self.reassign_box = QComboBox()
        self.reassign_box.setMinimumWidth(110)
        self.reassign_btn = QPushButton()
        self.reassign_btn.clicked.connect(self._reassign)
        actions.addWidget(self.takeover_btn)
        actions.addStretch(1)
        actions.addWidget(self.reassign_box)
        actions.addWidget(self.reassign_btn)
        lay.addLayout(actions)
        wl = QHBoxLayout()
        self.whisper_edit = QLineEdit()
        self.whisper_edit.setObjectName("WhisperEdit")
        self.whisper_edit.returnPressed.connect(self._whisper)
        self.whisper_btn = QPushButton()
        self.whisper_btn.clicked.connect(self._whisper)
        wl.addWidget(self.whisper_edit, 1)
        wl.addWidget(self.whisper_btn)
        lay.addLayout(wl)
        self.status = QLabel()
        self.status.setStyleSheet("color:#8a9099;")
        lay.addWidget(self.status)
        self.set_agents([])
        self.retranslate()
        self._enable(False)

    def _enable(self, on: bool) -> None:
        for w in (self.takeover_btn, self.reassign_box, self.reassign_btn, self.whisper_edit, self.whisper_btn):
            w.setEnabled(on)

    def retranslate(self) -> None:
        lang = self.lang
        self.title.setText(tx.t("transcript", lang))
        self.takeover_btn.setText(tx.t("takeover", lang))
        self.reassign_btn.setText(tx.t("reassign", lang))
        self._render()

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.retranslate()

    def set_agents(self, agents: list[str]) -> None:
        current = self.reassign_box.currentData()
        self.reassign_box.blockSignals(True)
        self.reassign_box.clear()
        for a in agents:
            self.reassign_box.addItem(self.agent_names.get(a, a), a)
        if current is not None and (i := self.reassign_box.findData(current)) >= 0:
            self.reassign_box.setCurrentIndex(i)
        self.reassign_box.blockSignals(False)

    def show_conversation(self, row: ConversationRow | None, turns: list[Turn]) -> None:
        if row is None:
            self.conversation_id, self._row, self._turns = None, None, []
            self._enable(False)
        else:
            if row.conversation_id != self.conversation_id:
                self.status.clear()
            self.conversation_id, self._row, self._turns = row.conversation_id, row, turns
            self._enable(True)
        self._render()

    def update_row(self, row: ConversationRow) -> None:
        if row.conversation_id == self.conversation_id:
            self._row = row
            self._render_header()

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def _mine(self) -> bool:
        r = self._row
        return r is not None and bool(self.lead_id) and r.agent_id == self.lead_id

    def _render_header(self) -> None:
        r, lang = self._row, self.lang
        mine = self._mine()
        self.whisper_btn.setText(tx.t("reply" if mine else "whisper", lang))
        self.whisper_edit.setPlaceholderText(tx.t("reply_ph" if mine else "whisper_ph", lang))
        self.takeover_btn.setEnabled(r is not None and not mine)
        if r is None:
            self.header.setText(f"<span style='color:#8a9099'>{escape(tx.t('transcript_empty', lang))}</span>")
            return
        color = RISK_COLOR[r.risk_level].name()
        agent = self.agent_names.get(r.agent_id, r.agent_id)
        reasons = ("; " if lang == "en" else "；").join(r.risk_reasons)
        self.header.setText(
            f"<b>{escape(r.nick or r.customer_id)}</b> · {escape(tx.t('col_agent', lang))} {escape(agent)}"
            f" · <b style='color:{color}'>{r.risk_score} {escape(tx.level_name(r.risk_level, lang))}</b>"
            + (f"<br><span style='color:{color}'>{escape(reasons)}</span>" if reasons else ""))

    def _render(self) -> None:
        self._render_header()
        lang = self.lang
        parts = []
        for t in self._turns:
            color = ROLE_COLOR.get(t.role, "#1f2329")
            who = tx.t(f"role_{t.role}", lang) if t.role in ROLE_COLOR else t.role
            when = t.ts.astimezone().strftime("%H:%M:%S") if t.ts else ""
            align = "right" if t.role == "agent" else "left"
            parts.append(f"<p align='{align}' style='margin:4px 0'><span style='color:#8a9099;font-size:small'>"
                         f"{escape(who)} {when}</span><br><span style='color:{color}'>{escape(t.text)}</span></p>")
        self.view.setHtml("".join(parts))
        sb = self.view.verticalScrollBar()
        sb.setValue(sb.maximum())

    def _takeover(self) -> None:
        if self.conversation_id:
            self.takeover_requested.emit(self.conversation_id)

    def _reassign(self) -> None:
        to = self.reassign_box.currentData()
        if self.conversation_id and to:
            self.reassign_requested.emit(self.conversation_id, to)

    def _whisper(self) -> None:
        text = self.whisper_edit.text().strip()
        if self.conversation_id and text:
            (self.reply_requested if self._mine() else self.whisper_requested).emit(self.conversation_id, text)
            self.whisper_edit.clear()


# ---------------------------------------------------------------------------------------------- statistics

class BarList(QWidget):
    """Horizontal bars: label, bar, count, and an optional red badge (surges)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.items: list[tuple[str, int | str, float, str, QColor]] = []  # label, value, fraction, badge, colour
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_items(self, items) -> None:
        self.items = list(items)
        self.setMinimumHeight(22 * max(1, len(self.items)))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(260, 22 * max(1, len(self.items)))

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = p.fontMetrics()
        w = self.width()
        label_w = min(120, max((fm.horizontalAdvance(i[0]) for i in self.items), default=40) + 8)
        text_color = self.palette().text().color()
        # one column layout for every row, so bar lengths compare across rows
        badge_w = max((fm.horizontalAdvance(i[3]) + 12 for i in self.items if i[3]), default=0)
        count_w = max((fm.horizontalAdvance(str(i[1])) for i in self.items), default=0) + 8
        bar_max = max(10, w - label_w - count_w - badge_w - 6)
        for k, (label, count, frac, badge, color) in enumerate(self.items):
            y = k * 22
            p.setPen(text_color)
            p.drawText(QRectF(0, y, label_w, 20), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       fm.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 4))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(color.red(), color.green(), color.blue(), 60))
            p.drawRoundedRect(QRectF(label_w, y + 5, bar_max, 11), 3, 3)
            p.setBrush(color)
            p.drawRoundedRect(QRectF(label_w, y + 5, max(2.0, bar_max * frac), 11), 3, 3)
            p.setPen(text_color)
            p.drawText(QRectF(label_w + bar_max + 4, y, count_w, 20), Qt.AlignmentFlag.AlignVCenter, str(count))
            if badge:
                bw = fm.horizontalAdvance(badge) + 12
                r = QRectF(w - badge_w, y + 2, bw - 2, 16)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor("#e5484d"))
                p.drawRoundedRect(r, 8, 8)
                p.setPen(QColor("white"))
                p.drawText(r, Qt.AlignmentFlag.AlignCenter, badge)
        p.end()


class Kpi(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Kpi")
        self.setStyleSheet("#Kpi { background: palette(base); border-radius: 6px; }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        self.value = QLabel("0")
        f = self.value.font()
        f.setPointSizeF(f.pointSizeF() * 1.8)
        f.setBold(True)
        self.value.setFont(f)
        self.label = QLabel()
        self.label.setStyleSheet("color:#8a9099;")
        lay.addWidget(self.value)
        lay.addWidget(self.label)


class StatsPanel(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.lang = "zh"
        self.agent_names: dict[str, str] = {}
        self.snapshot: StatsSnapshot | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        kpis = QVBoxLayout()
        self.k_handled, self.k_open, self.k_flagged = Kpi(), Kpi(), Kpi()
        for k in (self.k_handled, self.k_open, self.k_flagged):
            kpis.addWidget(k)
        kpis.addStretch(1)
        grid.addLayout(kpis, 0, 0, 2, 1)
        self.t_intents, self.t_emotions, self.t_agents = _title(""), _title(""), _title("")
        self.intents = BarList()
        self.emotions = BarList()
        self.agents = BarList()
        grid.addWidget(self.t_intents, 0, 1)
        grid.addWidget(self.intents, 1, 1)
        grid.addWidget(self.t_emotions, 0, 2)
        grid.addWidget(self.emotions, 1, 2)
        grid.addWidget(self.t_agents, 0, 3)
        grid.addWidget(self.agents, 1, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        grid.setColumnStretch(3, 3)
        grid.setRowStretch(1, 1)
        self.retranslate()

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.k_handled.label.setText(tx.t("handled", lang))
        self.k_open.label.setText(tx.t("open", lang))
        self.k_flagged.label.setText(tx.t("flagged", lang))
        self.t_intents.setText(tx.t("top_intents", lang))
        self.t_emotions.setText(tx.t("emotions", lang))
        self.t_agents.setText(tx.t("agents", lang))
        if self.snapshot is not None:
            self.set_snapshot(self.snapshot)

    def set_snapshot(self, s: StatsSnapshot) -> None:
        self.snapshot = s
        lang = self.lang
        self.k_handled.value.setText(str(s.handled))
        self.k_open.value.setText(str(s.open))
        self.k_flagged.value.setText(f"{s.flagged_share:.0%}")
        self.k_flagged.value.setStyleSheet("color:#e5484d;" if s.flagged_share >= 0.2 else "")
        top = s.top_intents[:8]
        hi = max((ic.count for ic in top), default=1) or 1
        self.intents.set_items([
            (tx.intent_name(ic.intent, lang), ic.count, ic.count / hi,
             tx.t("surge", lang, m=int(ic.surge.window_s // 60), p=ic.surge.increase_pct) if ic.surge else "",
             QColor("#e5484d") if ic.surge else QColor("#3370ff"))
            for ic in top
        ])
        total = sum(s.emotions.values()) or 1
        self.emotions.set_items([
            (tx.emotion_name(e, lang), n, n / total, "", EMOTION_COLOR.get(e, QColor("#8a9099")))
            for e, n in sorted(s.emotions.items(), key=lambda kv: -kv[1])
        ])
        agents = sorted(s.agents, key=lambda a: (-(a.frt_mean_s or 0), a.agent_id))[:8]
        slow = max((a.frt_mean_s or 0 for a in agents), default=1) or 1
        items = []
        for a in agents:
            frt = tx.format_duration(a.frt_mean_s)
            name = self.agent_names.get(a.agent_id, a.agent_id)
            value = f"{frt} · {tx.t('handled', lang)} {a.handled}"
            badge = f"{tx.t('awaiting', lang)} {a.awaiting_first_response}" if a.awaiting_first_response else ""
            color = QColor("#e5484d") if (a.frt_mean_s or 0) >= 120 else QColor("#34a853")
            items.append((name, value, (a.frt_mean_s or 0) / slow, badge, color))
        self.agents.set_items(items)
        self.agents.setToolTip(f"{tx.t('frt', lang)} / {tx.t('handled', lang)}")
