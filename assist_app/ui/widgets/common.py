"""Small shared pieces: a titled card that re-reads its texts on LanguageChange, chips, wrapping labels."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QSizePolicy, QVBoxLayout, QWidget


class Retranslatable:
    """Mixin: calls `retranslate()` whenever Qt announces a language change."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)  # type: ignore[misc]

    def retranslate(self) -> None:  # pragma: no cover - overridden
        pass


def wrap_label(text: str = "", object_name: str = "", selectable: bool = False) -> QLabel:
    lab = QLabel(text)
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    if object_name:
        lab.setObjectName(object_name)
    if selectable:
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


def chip(text: str, vip: bool = False) -> QLabel:
    lab = QLabel(text)
    lab.setObjectName("ChipVip" if vip else "Chip")
    return lab


def clear_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.hide()
            w.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


class Card(Retranslatable, QFrame):
    """A bordered section with a title row (title left, optional actions right) and a body layout."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 10)
        outer.setSpacing(6)
        self.title_row = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("CardTitle")
        self.title_row.addWidget(self.title)
        self.title_row.addStretch(1)
        outer.addLayout(self.title_row)
        self.body = QVBoxLayout()
        self.body.setSpacing(4)
        outer.addLayout(self.body)
