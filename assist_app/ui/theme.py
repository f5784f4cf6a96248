"""Light and dark themes: a QSS file per theme plus the colours of the custom-painted parts."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from assist_app.ui.runtime import RESOURCES

THEMES = ("light", "dark")


@dataclass(frozen=True)
class Palette:
    text: QColor
    muted: QColor
    row_bg: QColor
    row_selected: QColor
    risk: dict[str, QColor]
    emotion: dict[str, QColor]
    spark_line: QColor
    spark_fill: QColor


_RISK = {"info": "#34a853", "warn": "#f5a623", "critical": "#e5484d"}
_EMOTION = {"neutral": "#8a9099", "positive": "#34a853", "anxious": "#f5a623",
            "disappointed": "#7c6cf2", "angry": "#e5484d"}

PALETTES = {
    "light": Palette(QColor("#1f2329"), QColor("#8a9099"), QColor("#ffffff"), QColor("#e1eaff"),
                     {k: QColor(v) for k, v in _RISK.items()}, {k: QColor(v) for k, v in _EMOTION.items()},
                     QColor("#3370ff"), QColor(51, 112, 255, 40)),
    "dark": Palette(QColor("#e4e6ea"), QColor("#8f959e"), QColor("#25282d"), QColor("#23365e"),
                    {k: QColor(v) for k, v in _RISK.items()}, {k: QColor(v) for k, v in _EMOTION.items()},
                    QColor("#6f9bff"), QColor(111, 155, 255, 50)),
}


class ThemeManager(QObject):
    changed = Signal(str)

    def __init__(self, name: str = "light", parent: QObject | None = None):
        super().__init__(parent)
        self._name = ""
        self.apply(name)

    @property
    def name(self) -> str:
        return self._name

    @property
    def palette(self) -> Palette:
        return PALETTES[self._name]

    def apply(self, name: str) -> None:
        if name not in THEMES:
            raise ValueError(f"unknown theme {name!r}; expected one of {THEMES}")
        qss = (RESOURCES / "styles" / f"{name}.qss").read_text(encoding="utf-8")
        app = QApplication.instance()
        if app is not None:
            app.setStyleSheet(qss)
        changed = name != self._name
        self._name = name
        if changed:
            self.changed.emit(name)

    def toggle(self) -> str:
        self.apply("dark" if self._name == "light" else "light")
        return self._name
