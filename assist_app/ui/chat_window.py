"""The minimal agent chat window of the demo: the transcript of the selected chat and the input box.

The IME rule lives in `ChatInput`: Enter sends, Shift+Enter is a newline, and an Enter that confirms an
input-method candidate (while a preedit string is open, or the key event that some IMEs deliver right after
the commit) never sends.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assist_app.ui.viewmodel import ConversationView
from assist_app.ui.widgets.common import Retranslatable

# An Enter arriving this soon after a candidate was committed belongs to the IME, not to the agent.
COMMIT_GRACE_MS = 120
SWITCH_LINES = 120   # lines rendered when the agent switches chats (older ones are in the gateway log)


class ChatInput(QPlainTextEdit):
    submitted = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
        self._composing = False
        self._just_committed = False
        self._grace = QTimer(self)
        self._grace.setSingleShot(True)
        self._grace.setInterval(COMMIT_GRACE_MS)
        self._grace.timeout.connect(self._end_grace)
        self.setPlaceholderText("")

    @property
    def composing(self) -> bool:
        return self._composing

    def _end_grace(self) -> None:
        self._just_committed = False

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:  # noqa: N802 (Qt API)
        self._composing = bool(event.preeditString())
        if event.commitString() and not self._composing:
            self._just_committed = True
            self._grace.start()
        super().inputMethodEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._composing:
                event.accept()  # the IME owns this Enter (it confirms the candidate): no send, no newline
                return
            if self._just_committed:
                self._just_committed = False
                self._grace.stop()
                event.accept()  # the trailing Enter of a candidate confirmation: swallow, do not send
                return
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
                return
            self.submit()
            event.accept()
            return
        self._just_committed = False
        super().keyPressEvent(event)

    def submit(self) -> bool:
        text = self.toPlainText().strip()
        if not text:
            return False
        self.submitted.emit(text)
        self.clear()
        return True

    def insert_reply(self, text: str) -> None:
        """Put a suggested reply into the box for editing (replaces an empty draft, else appends)."""
        if self.toPlainText().strip():
            self.moveCursor(QTextCursor.MoveOperation.End)
            self.insertPlainText(" " + text)
        else:
            self.setPlainText(text)
            self.moveCursor(QTextCursor.MoveOperation.End)
        self.setFocus()


class AgentChatWindow(Retranslatable, QWidget):
    """Emits `send(conversation_id, text)`; the app turns it into a protocol `reply.send`."""

    send = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("ChatRoot")
        self.resize(520, 760)
        self._conv: ConversationView | None = None
        self._last_shown = ""      # message id of the newest line in the transcript
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 10)
        self.title = QLabel()
        self.title.setObjectName("Nick")
        self.transcript = QTextBrowser()
        self.transcript.setOpenLinks(False)
        self.transcript.document().setMaximumBlockCount(600)   # a long chat must not grow memory forever
        # Follow the newest line unless the agent scrolled up to read; also right after a switch, when the
        # window may be hidden and the scroll range only arrives with the layout.
        self._follow = True
        bar = self.transcript.verticalScrollBar()
        bar.rangeChanged.connect(lambda _lo, hi: bar.setValue(hi) if self._follow else None)
        bar.valueChanged.connect(lambda v: setattr(self, "_follow", v >= bar.maximum() - 4))
        self.input = ChatInput()
        self.input.setFixedHeight(96)
        self.send_btn = QPushButton()
        self.hint = QLabel()
        self.hint.setObjectName("Muted")
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.send_btn)
        lay.addWidget(self.title)
        lay.addWidget(self.transcript, 1)
        lay.addWidget(self.input)
        lay.addLayout(row)
        self.input.submitted.connect(self._on_submit)
        self.send_btn.clicked.connect(self.input.submit)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(QCoreApplication.translate("Chat", "客服聊天窗口"))
        self.send_btn.setText(QCoreApplication.translate("Chat", "发送"))
        self.hint.setText(QCoreApplication.translate("Chat", "Enter 发送 · Shift+Enter 换行 · Ctrl+1/2/3 插入推荐"))
        self.input.setPlaceholderText(QCoreApplication.translate("Chat", "输入回复…"))
        self._render_title()

    def _render_title(self) -> None:
        c = self._conv
        self.title.setText(c.nick if c else QCoreApplication.translate("Chat", "未选择会话"))

    def conversation_id(self) -> str:
        return self._conv.conversation_id if self._conv else ""

    def show_conversation(self, conv: ConversationView | None) -> None:
        same = conv is not None and self._conv is not None and conv.conversation_id == self._conv.conversation_id
        self._conv = conv
        self._render_title()
        if not same:
            # Switching chats: one setHtml of the latest lines is a single layout pass; appending 300 lines one
            # by one re-laid the document 300 times and stalled the UI thread for tens of ms.
            self._last_shown = ""
            if conv is None:
                self.transcript.clear()
                return
            names = role_names()
            self._follow = True
            self.transcript.setHtml("".join(_line_html(ln, names) for ln in conv.lines[-SWITCH_LINES:]))
            self.transcript.moveCursor(QTextCursor.MoveOperation.End)   # Qt keeps the cursor in view on show
            self.transcript.verticalScrollBar().setValue(self.transcript.verticalScrollBar().maximum())
            self._last_shown = conv.lines[-1].message_id if conv.lines else ""
            return
        if conv is None:
            return
        start = 0
        if self._last_shown:
            for i in range(len(conv.lines) - 1, -1, -1):
                if conv.lines[i].message_id == self._last_shown:
                    start = i + 1
                    break
        names = role_names()
        for line in conv.lines[start:]:
            self.transcript.append(_line_html(line, names))
        if conv.lines:
            self._last_shown = conv.lines[-1].message_id

    def _on_submit(self, text: str) -> None:
        if self._conv is not None:
            self.send.emit(self._conv.conversation_id, text)


def role_names() -> dict[str, str]:
    return {"customer": QCoreApplication.translate("Chat", "客户"), "agent": QCoreApplication.translate("Chat", "我"),
            "bot": QCoreApplication.translate("Chat", "机器人"), "system": QCoreApplication.translate("Chat", "系统"),
            "lead": QCoreApplication.translate("Chat", "主管提示")}


def _line_html(line, names: dict[str, str]) -> str:
    who = {"customer": "#1f6feb", "agent": "#34a853", "lead": "#d46b08"}.get(line.role, "#8a9099")
    ts = line.ts.astimezone().strftime("%H:%M:%S") if line.ts else ""   # wire times are UTC; show local
    align = "right" if line.role == "agent" else "left"
    return (f"<div style='text-align:{align}; margin:4px 0'><span style='color:{who}; font-size:small'>"
            f"{html.escape(names.get(line.role, line.role))} {ts}</span><br>{html.escape(line.text)}</div>")
