"""The thin layer that wires the session (data) to the sidebar and chat windows (paint) and back.

Updates are coalesced: any number of session updates within one event-loop turn cause a single repaint,
so a burst of messages never queues a burst of layouts on the UI thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from assist_app import protocol as P
from assist_app.ui import docking
from assist_app.ui.chat_window import AgentChatWindow
from assist_app.ui.i18n import LanguageManager
from assist_app.ui.session import AgentSession, Update
from assist_app.ui.sidebar import SidebarWindow
from assist_app.ui.theme import ThemeManager
from assist_app.ui.viewmodel import order_conversations

log = logging.getLogger(__name__)
REORDER_EVERY_S = 5.0


class SidebarController(QObject):
    # message ids whose suggestions were just painted, and their received→painted latencies in ms
    painted = Signal(object, object)

    def __init__(self, session: AgentSession, window: SidebarWindow, chat: AgentChatWindow | None,
                 languages: LanguageManager, themes: ThemeManager,
                 send: Callable[[P.Event], Awaitable[None]] | None = None, settings=None):
        super().__init__(window)
        self.session, self.window, self.chat = session, window, chat
        self.languages, self.themes = languages, themes
        self._send = send
        self.settings = settings
        self._awaiting_paint: list[str] = []
        self._dirty: set[str] = set()
        self._analysed: list[str] = []
        self._flush_scheduled = False
        self._last_order = 0.0
        self._tasks: set[asyncio.Task] = set()
        session.listeners.append(self._on_update)
        window.selected.connect(self._on_selected)
        window.frame_painted.connect(self._on_frame_painted)
        window.list.hold_released.connect(lambda: self._on_update(Update("")))
        window.insert_text.connect(self.insert_text)
        window.ticket_requested.connect(self._on_ticket)
        window.language_toggle.connect(self.languages.toggle)
        window.theme_toggle.connect(self.themes.toggle)
        window.always_on_top_toggled.connect(self._on_pin)
        languages.changed.connect(self._on_language)
        themes.changed.connect(self._on_theme)
        if chat is not None:
            chat.send.connect(self._on_send)
        self._on_theme(themes.name)
        window.set_lang(languages.lang)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()

    # ------------------------------------------------------------------ session → UI
    def now(self) -> datetime:
        return self.session.clock()

    def _on_update(self, update: Update) -> None:
        self._dirty.add(update.conversation_id)
        self._analysed.extend(update.analysed)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            QTimer.singleShot(0, self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False
        dirty, self._dirty = self._dirty, set()
        analysed, self._analysed = self._analysed, []
        now = self.now()
        convs = list(self.session.conversations.values())
        self._last_order = time.monotonic()
        self.window.set_conversations(order_conversations(convs, now), now)
        cur = self.window.current_id()
        if cur and (cur in dirty or "" in dirty):
            self._show_current(now)
        elif not cur:
            self._show_current(now)
        if analysed:
            # reported when Qt has actually painted the changes (the window's next UpdateRequest)
            self._awaiting_paint.extend(analysed)
            self.window.update(0, 0, 1, 1)  # guarantees an UpdateRequest even if nothing visible changed

    def _on_frame_painted(self) -> None:
        if self._awaiting_paint:
            ids, self._awaiting_paint = self._awaiting_paint, []
            now = time.perf_counter()
            got = self.session.received_at
            lat = [(now - got.pop(m)) * 1000 for m in ids if m in got]
            self.painted.emit(ids, lat)

    def _show_current(self, now: datetime) -> None:
        conv = self.session.conversations.get(self.window.current_id())
        self.window.show_detail(conv, now)
        if self.chat is not None:
            self.chat.show_conversation(conv)

    def _on_selected(self, _cid: str) -> None:
        self._show_current(self.now())

    def _on_tick(self) -> None:
        # wait timers move every second; the order is refreshed less often so rows do not jump under the mouse
        if time.monotonic() - self._last_order >= REORDER_EVERY_S:
            self._on_update(Update(""))
        else:
            self.window.list.model_.now = self.now()
            self.window.list.viewport().update()

    # ------------------------------------------------------------------ UI → session / gateway
    def insert_text(self, text: str) -> str:
        """Into the demo chat window's input (edit, then Enter sends via reply.send), else the clipboard."""
        if self.chat is not None:
            self.chat.input.insert_reply(text)
            return "chat"
        QGuiApplication.clipboard().setText(text)
        self.window.actions.set_ticket_result(QCoreApplication.translate("Sidebar", "已复制到剪贴板，粘贴到聊天窗口即可发送"))
        return "clipboard"

    def _spawn(self, coro) -> None:
        task = asyncio.get_event_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_send(self, conversation_id: str, text: str) -> None:
        if self._send is None:
            return
        ev = P.ReplySend(conversation_id=conversation_id, message_id=f"r-{uuid.uuid4().hex[:12]}", text=text,
                         id=uuid.uuid4().hex[:8])
        self._spawn(self._send(ev))

    def _on_ticket(self, draft) -> None:
        if self._send is None:
            return
        ticket = draft.to_dict() if hasattr(draft, "to_dict") else dict(draft)
        ev = P.TicketCreate(conversation_id=draft.conversation_id, ticket=ticket, id=uuid.uuid4().hex[:8])
        self.window.actions.set_ticket_result(QCoreApplication.translate("Sidebar", "正在提交工单…"))

        async def submit() -> None:
            ack = await self._send(ev)
            if ack is not None:
                self.window.actions.set_ticket_result(QCoreApplication.translate("Sidebar", "工单已提交：%1（%2）")
                                                      .replace("%1", draft.title)
                                                      .replace("%2", getattr(ack, "ticket_id", "") or ""))

        self._spawn(submit())

    def _on_language(self, lang: str) -> None:
        self.window.set_lang(lang)
        self.session.set_language(lang)
        self._show_current(self.now())

    def _on_theme(self, name: str) -> None:
        self.window.set_palette(self.themes.palette, name)
        if self.settings is not None:
            self.settings.setValue("ui/theme", name)

    def _on_pin(self, on: bool) -> None:
        docking.set_always_on_top(self.window, on)
        if self.settings is not None:
            self.settings.setValue("sidebar/always_on_top", on)
