"""Top-3 suggested replies. Ctrl+1/2/3 (wired by the window) or a click emits `chosen(text)`."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout

from assist_app.ui.widgets.common import Card, wrap_label


class ReplyButton(QFrame):
    """A wrapping, clickable reply card (a QPushButton cannot wrap text or grow with it)."""

    clicked = Signal()

    def __init__(self, index: int, parent=None):
        super().__init__(parent)
        self.setObjectName("ReplyButton")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.setSpacing(8)
        self.key = QLabel(f"Ctrl+{index + 1}")
        self.key.setObjectName("Muted")
        self.key.setAlignment(Qt.AlignmentFlag.AlignTop)
        col = QVBoxLayout()
        col.setSpacing(2)
        self.text = wrap_label()
        self.note = wrap_label(object_name="Muted")
        col.addWidget(self.text)
        col.addWidget(self.note)
        lay.addWidget(self.key)
        lay.addLayout(col, 1)
        for w in (self.key, self.text, self.note):
            w.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class RepliesCard(Card):
    chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.buttons: list[ReplyButton] = []
        self._replies: list = []
        self.classifier_available = True
        self.empty = wrap_label(object_name="Muted")
        self.body.addWidget(self.empty)
        for i in range(3):
            b = ReplyButton(i)
            b.clicked.connect(lambda i=i: self.choose(i))
            self.buttons.append(b)
            self.body.addWidget(b)
        self.retranslate()
        self.show_replies([])

    def retranslate(self) -> None:
        self.title.setText(QCoreApplication.translate("Replies", "推荐回复"))
        self.empty.setText(QCoreApplication.translate("Replies", "暂无推荐（等待客户消息）") if self.classifier_available
                           else QCoreApplication.translate("Replies", "分类器不可用，暂无推荐"))
        self.show_replies(self._replies)

    def show_replies(self, replies: list) -> None:
        """`replies` are core.SuggestedReply (text, asks_for, …), best first; at most 3 are shown."""
        self._replies = list(replies)[:3]
        self.empty.setVisible(not self._replies)
        for i, b in enumerate(self.buttons):
            if i < len(self._replies):
                r = self._replies[i]
                b.text.setText(r.text)
                asks = getattr(r, "asks_for", "")
                b.note.setText(QCoreApplication.translate("Replies", "需补充：%1").replace("%1", asks) if asks else "")
                b.note.setVisible(bool(asks))
                b.show()
            else:
                b.hide()

    def reply_text(self, index: int) -> str | None:
        return self._replies[index].text if 0 <= index < len(self._replies) else None

    def choose(self, index: int) -> bool:
        text = self.reply_text(index)
        if text is None:
            return False
        self.chosen.emit(text)
        return True


