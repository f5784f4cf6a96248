"""The live conversation list: nick + tags, last message, wait timer, emotion badge, risk colour."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from assist_app.ui.i18n import emotion_name
from assist_app.ui.theme import PALETTES, Palette
from assist_app.ui.viewmodel import ConversationView, format_wait

ConvRole = Qt.ItemDataRole.UserRole + 1


class ConversationListModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[ConversationView] = []
        self.now = datetime.now().astimezone()
        self.lang = "zh"

    def rowCount(self, parent: QModelIndex | None = None) -> int:  # noqa: N802 (Qt API)
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        conv = self._rows[index.row()]
        if role == ConvRole:
            return conv
        if role == Qt.ItemDataRole.DisplayRole:
            return conv.nick
        if role == Qt.ItemDataRole.ToolTipRole:
            return conv.last_line.text if conv.last_line else ""
        return None

    def conversation_at(self, row: int) -> ConversationView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, conversation_id: str) -> int:
        for i, c in enumerate(self._rows):
            if c.conversation_id == conversation_id:
                return i
        return -1

    def ids(self) -> list[str]:
        return [c.conversation_id for c in self._rows]

    def set_rows(self, rows: list[ConversationView], now: datetime) -> bool:
        """Replace the rows; returns True if the order/set changed (a reset), False for an in-place repaint."""
        self.now = now
        if [c.conversation_id for c in rows] == self.ids():
            self._rows = list(rows)
            if rows:
                self.dataChanged.emit(self.index(0), self.index(len(rows) - 1), [ConvRole])
            return False
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()
        return True


class ConversationDelegate(QStyledItemDelegate):
    ROW_H = 60

    def __init__(self, model: ConversationListModel, parent=None):
        super().__init__(parent)
        self._model = model
        self.palette: Palette = PALETTES["light"]

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        fm = option.fontMetrics
        return QSize(200, max(self.ROW_H, fm.height() * 2 + 22))

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        conv: ConversationView | None = index.data(ConvRole)
        if conv is None:
            return
        pal = self.palette
        r: QRect = option.rect
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        p.fillRect(r, pal.row_selected if selected else pal.row_bg)
        # risk colour bar
        p.fillRect(QRect(r.left(), r.top() + 3, 4, r.height() - 6), pal.risk.get(conv.risk_level, pal.muted))
        base = QFont(option.font)
        fm = QFontMetrics(base)
        pad = 10
        x = r.left() + pad
        right = r.right() - 8
        line1_y = r.top() + 6
        # wait timer (right of line 1)
        wait = conv.wait_seconds(self._model.now)
        wait_txt = format_wait(wait) if conv.waiting_since is not None else ""
        wait_w = fm.horizontalAdvance(wait_txt) + 4 if wait_txt else 0
        if wait_txt:
            p.setPen(pal.risk["critical"] if wait >= 120 else pal.muted)
            p.drawText(QRect(right - wait_w, line1_y, wait_w, fm.height()), Qt.AlignmentFlag.AlignRight, wait_txt)
        # nick
        bold = QFont(base)
        bold.setBold(True)
        bfm = QFontMetrics(bold)
        p.setFont(bold)
        p.setPen(pal.text)
        avail = max(40, right - wait_w - x - 60)
        nick = bfm.elidedText(conv.nick, Qt.TextElideMode.ElideRight, avail)
        nick_w = bfm.boundingRect(nick).width() + 4
        p.drawText(QRect(x, line1_y, nick_w + 8, bfm.height()), Qt.AlignmentFlag.AlignLeft, nick)
        # tags chips
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() - 1.5))
        sfm = QFontMetrics(small)
        p.setFont(small)
        cx = x + nick_w + 6
        for tag in conv.tags[:3]:
            tw = sfm.horizontalAdvance(tag) + 8
            if cx + tw > right - wait_w - 4:
                break
            chip = QRect(cx, line1_y + (bfm.height() - sfm.height()) // 2 - 1, tw, sfm.height() + 2)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(pal.risk["warn"].lighter(170) if tag not in ("88VIP", "PLUS") else pal.text)
            p.drawRoundedRect(chip, 3, 3)
            p.setPen(pal.row_bg if tag in ("88VIP", "PLUS") else pal.text)
            p.drawText(chip, Qt.AlignmentFlag.AlignCenter, tag)
            cx += tw + 4
        # line 2: emotion badge (right) + last message
        line2_y = line1_y + bfm.height() + 6
        badge_w = 0
        if conv.emotion:
            label = emotion_name(conv.emotion, self._model.lang)
            badge_w = sfm.horizontalAdvance(label) + 12
            badge = QRect(right - badge_w, line2_y, badge_w, sfm.height() + 4)
            color = pal.emotion.get(conv.emotion, pal.muted)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRoundedRect(badge, 8, 8)
            p.setPen(QPen(Qt.GlobalColor.white))
            p.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
        p.setFont(base)
        p.setPen(pal.muted)
        last = conv.last_line
        if last is not None:
            prefix = "" if last.role == "customer" else "↩ "
            text = prefix + " ".join(last.text.split())
            w = right - badge_w - 6 - x
            p.drawText(QRect(x, line2_y, w, fm.height()), Qt.AlignmentFlag.AlignLeft,
                       fm.elidedText(text, Qt.TextElideMode.ElideRight, w))
        # separator
        p.setPen(QPen(pal.muted.lighter(160), 1))
        p.drawLine(r.left() + 6, r.bottom(), r.right() - 6, r.bottom())
        p.restore()


class ConversationList(QListView):
    """Emits `selected(conversation_id)` when the agent picks a row (click or Alt+↑/↓, Ctrl+Tab)."""

    selected = Signal(str)
    hold_released = Signal()   # the mouse left the list: rows may be re-sorted again

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("ConversationList")
        self.model_ = ConversationListModel(self)
        self.delegate = ConversationDelegate(self.model_, self)
        self.setModel(self.model_)
        self.setItemDelegate(self.delegate)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(True)
        self._current_id = ""
        self.selectionModel().currentChanged.connect(self._on_current)

    def current_id(self) -> str:
        return self._current_id

    def set_palette(self, pal: Palette) -> None:
        self.delegate.palette = pal
        self.viewport().update()

    def set_lang(self, lang: str) -> None:
        self.model_.lang = lang
        self.viewport().update()

    def set_conversations(self, rows: list[ConversationView], now: datetime) -> None:
        current = self.model_.ids()
        if self.underMouse() and {c.conversation_id for c in rows} == set(current):
            # rows must not jump under the agent's pointer: keep the order until the mouse leaves
            pos = {cid: i for i, cid in enumerate(current)}
            rows = sorted(rows, key=lambda c: pos[c.conversation_id])
        reset = self.model_.set_rows(rows, now)
        if reset:
            self.selectionModel().currentChanged.disconnect(self._on_current)
            row = self.model_.row_of(self._current_id)
            if row >= 0:
                self.setCurrentIndex(self.model_.index(row))
            self.selectionModel().currentChanged.connect(self._on_current)
            if row < 0 and rows:
                self.select_row(0)
        elif not self._current_id and rows:
            self.select_row(0)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().leaveEvent(event)
        self.hold_released.emit()

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model_.rowCount():
            self.setCurrentIndex(self.model_.index(row))

    def select_id(self, conversation_id: str) -> None:
        self.select_row(self.model_.row_of(conversation_id))

    def step(self, delta: int) -> None:
        n = self.model_.rowCount()
        if n == 0:
            return
        row = self.currentIndex().row()
        self.select_row((row + delta) % n if row >= 0 else 0)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        conv = self.model_.conversation_at(current.row())
        if conv is not None and conv.conversation_id != self._current_id:
            self._current_id = conv.conversation_id
            self.selected.emit(conv.conversation_id)
