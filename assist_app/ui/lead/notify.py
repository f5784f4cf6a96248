"""Desktop notification for alerts: the system tray where there is one, an in-app toast otherwise; optional
sound through QApplication.beep (no multimedia dependency). What to notify and when is decided by the pure
AlertPolicy; this module only shows it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QSystemTrayIcon, QWidget

from assist_app.lead.alerts import AlertDecision
from assist_app.ui.lead import texts as tx
from assist_app.ui.lead.delegates import RISK_COLOR

TOAST_MS = 6000


def _dot_icon(color: QColor) -> QIcon:
    pm = QPixmap(32, 32)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(color)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(2, 2, 28, 28)
    p.end()
    return QIcon(pm)


class Toast(QLabel):
    """A small card in the window's bottom-right corner that hides itself after a few seconds."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("LeadToast")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setMaximumWidth(380)
        self.setMinimumWidth(300)
        self.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        # where the toast's bottom-right corner goes (window coordinates); the window points it at the
        # empty lower part of the ranking so it covers neither the riskiest rows nor the action buttons
        self.anchor = None

    def show_message(self, title: str, body: str, color: QColor) -> None:
        from html import escape

        self.setStyleSheet(f"#LeadToast {{ background: #ffffff; color: #1f2329; border: 1px solid #d0d3d6;"
                           f" border-left: 5px solid {color.name()}; border-radius: 6px; padding: 10px 12px; }}")
        self.setText(f"<b style='color:{color.name()}'>{escape(title)}</b><br>{escape(body)}")
        self.adjustSize()
        par = self.parentWidget()
        corner = self.anchor() if self.anchor is not None else QPoint(par.width() - 20, par.height() - 20)
        self.move(QPoint(max(0, corner.x() - self.width()), max(0, corner.y() - self.height())))
        self.raise_()
        self.show()
        self._timer.start(TOAST_MS)


class Notifier:
    def __init__(self, window: QWidget, sound: bool = False, use_tray: bool | None = None) -> None:
        self.window = window
        self.sound_enabled = sound
        self.toast = Toast(window)
        self.tray: QSystemTrayIcon | None = None
        if use_tray is None:
            use_tray = QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()
        if use_tray:
            self.tray = QSystemTrayIcon(_dot_icon(RISK_COLOR["critical"]), window)
            self.tray.setToolTip("assist · lead")
            self.tray.show()
        self.shown = 0  # notifications shown (tests, benchmark)
        self.beeps = 0

    def notify(self, decision: AlertDecision, lang: str, agent_name: str = "") -> None:
        a = decision.alert
        if decision.notify:
            key = "alert_title_critical" if a.level == "critical" else "alert_title_warn"
            title = tx.t(key, lang, customer=a.customer)
            body = tx.t("alert_agent", lang, agent=agent_name or a.agent_id) + "\n" + "\n".join(a.reasons[:3])
            if self.tray is not None:
                icon = (QSystemTrayIcon.MessageIcon.Critical if a.level == "critical"
                        else QSystemTrayIcon.MessageIcon.Warning)
                self.tray.showMessage(title, body, icon, TOAST_MS)
            else:
                sep = "; " if lang == "en" else "；"
                self.toast.show_message(title, body.replace("\n", " · ", 1).replace("\n", sep), RISK_COLOR[a.level])
            self.shown += 1
        if decision.sound and self.sound_enabled:
            QApplication.beep()
            self.beeps += 1
