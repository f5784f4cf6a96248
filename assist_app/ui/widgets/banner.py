"""Escalation banner: shown when the engine's risk level is warn/critical, listing its reasons."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from assist_app.ui.widgets.common import Retranslatable, wrap_label


class EscalationBanner(Retranslatable, QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("Banner")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(2)
        self.headline = QLabel()
        self.headline.setStyleSheet("font-weight: bold;")
        self.reasons = wrap_label()
        lay.addWidget(self.headline)
        lay.addWidget(self.reasons)
        self._risk = None
        self.hide()

    def retranslate(self) -> None:
        self.show_risk(self._risk)

    def show_risk(self, risk) -> None:
        """`risk` is core.Risk (score, level, reasons) or None."""
        self._risk = risk
        if risk is None or risk.level == "info":
            self.hide()
            return
        if self.property("level") != risk.level:
            self.setProperty("level", risk.level)
            for w in (self, self.headline, self.reasons):   # property selectors need a re-polish of each
                w.style().unpolish(w)
                w.style().polish(w)
        if risk.level == "critical":
            head = QCoreApplication.translate("Banner", "⚠ 建议升级处理（风险 %1）").replace("%1", str(risk.score))
        else:
            head = QCoreApplication.translate("Banner", "⚠ 注意情绪变化（风险 %1）").replace("%1", str(risk.score))
        self.headline.setText(head)
        self.reasons.setText("\n".join(f"• {r}" for r in risk.reasons))
        self.reasons.setVisible(bool(risk.reasons))
        self.show()
