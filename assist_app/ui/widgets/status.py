"""Connection-state indicator (connected / reconnecting in N s / offline) and the classifier notice."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel

from assist_app.ui.widgets.common import Retranslatable, wrap_label

_COLORS = {"connected": "#34a853", "reconnecting": "#f5a623", "offline": "#e5484d", "connecting": "#8a9099"}


class ConnectionIndicator(Retranslatable, QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.status = "connecting"
        self._retry_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._render)
        self._render()

    def set_state(self, status: str, retry_in_s: float | None = None) -> None:
        self.status = status
        self._retry_at = time.monotonic() + (retry_in_s or 0.0)
        if status == "reconnecting":
            self._timer.start()
        else:
            self._timer.stop()
        self._render()

    def retranslate(self) -> None:
        self._render()

    def _render(self) -> None:
        if self.status == "connected":
            text = QCoreApplication.translate("Status", "已连接")
        elif self.status == "reconnecting":
            left = max(0, round(self._retry_at - time.monotonic()))
            text = QCoreApplication.translate("Status", "重连中（%1 秒）").replace("%1", str(left))
        elif self.status == "offline":
            text = QCoreApplication.translate("Status", "离线")
        else:
            text = QCoreApplication.translate("Status", "连接中…")
        self.setText(f"<span style='color:{_COLORS.get(self.status, '#8a9099')}'>●</span> {text}")


class Notice(Retranslatable, QFrame):
    """A one-line warning strip, e.g. 分类器不可用 with the reason."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("Notice")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        self.label = wrap_label()
        lay.addWidget(self.label)
        self._kind = ""
        self._detail = ""
        self.hide()

    def show_classifier_unavailable(self, detail: str) -> None:
        self._kind, self._detail = "classifier", detail
        self.retranslate()
        self.show()

    def retranslate(self) -> None:
        if self._kind == "classifier":
            self.label.setText(QCoreApplication.translate("Status", "分类器不可用：意图与情绪暂不显示，消息照常接收。")
                               + (f"\n{self._detail}" if self._detail else ""))
