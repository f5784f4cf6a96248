"""Window placement: dock the sidebar to the right edge of its screen (the agent chat window beside it),
always-on-top toggle, and geometry remembered in QSettings."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SIDEBAR_WIDTH = 400
MIN_WIDTH = 320


def settings() -> QSettings:
    """INI file in the user's config dir (tests redirect it with QSettings.setPath)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "assist_app", "sidebar")


def right_edge_rect(available: QRect, width: int = SIDEBAR_WIDTH) -> QRect:
    """The sidebar's rect: full available height, `width` wide, flush with the right edge."""
    w = max(MIN_WIDTH, min(width, available.width()))
    return QRect(available.right() - w + 1, available.top(), w, available.height())


def beside_rect(sidebar: QRect, available: QRect, width: int = 520) -> QRect:
    """The agent chat window's rect, immediately left of the sidebar."""
    w = max(360, min(width, sidebar.left() - available.left()))
    return QRect(sidebar.left() - w, available.top(), w, available.height())


def dock_right(window: QWidget, width: int = SIDEBAR_WIDTH) -> QRect:
    screen = window.screen() or QGuiApplication.primaryScreen()
    rect = right_edge_rect(screen.availableGeometry(), width)
    # the frame (title bar) is outside geometry(); leave room for it
    frame_extra = window.frameGeometry().height() - window.geometry().height() if window.isVisible() else 0
    window.setGeometry(rect.adjusted(0, max(frame_extra, 0), 0, 0))
    return rect


def set_always_on_top(window: QWidget, on: bool) -> None:
    visible = window.isVisible()
    window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
    if visible:
        window.show()  # changing flags hides a native window


def is_always_on_top(window: QWidget) -> bool:
    return bool(window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint)


def restore(window: QWidget, store: QSettings, key: str = "sidebar") -> bool:
    """Restore geometry + always-on-top; returns False (and docks right) when nothing valid was saved."""
    on_top = store.value(f"{key}/always_on_top", False, type=bool)
    set_always_on_top(window, bool(on_top))
    geo = store.value(f"{key}/geometry")
    if isinstance(geo, QByteArray) and not geo.isEmpty() and window.restoreGeometry(geo):
        # restoreGeometry already clamps to a visible screen
        return True
    dock_right(window)
    return False


def save(window: QWidget, store: QSettings, key: str = "sidebar") -> None:
    store.setValue(f"{key}/geometry", window.saveGeometry())
    store.setValue(f"{key}/always_on_top", is_always_on_top(window))
    store.sync()
