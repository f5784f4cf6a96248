"""Assemble and run the agent sidebar: demo backend (optional), stream client, session, windows."""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPixmap
from PySide6.QtWidgets import QApplication

from assist_app.ui import docking, runtime
from assist_app.ui.chat_window import AgentChatWindow
from assist_app.ui.controller import SidebarController
from assist_app.ui.engine import EngineAdapter
from assist_app.ui.i18n import LanguageManager
from assist_app.ui.session import AgentSession
from assist_app.ui.sidebar import SidebarWindow
from assist_app.ui.theme import ThemeManager

log = logging.getLogger(__name__)


def classifier_loader(model_dir=None):
    def load():
        from assist_app.nlp.classifier import load_classifier

        return load_classifier(model_dir)

    return load


@dataclass
class AgentApp:
    """Everything one running sidebar owns; `close()` stops it in the right order."""

    session: AgentSession
    window: SidebarWindow
    chat: AgentChatWindow | None
    controller: SidebarController
    languages: LanguageManager
    themes: ThemeManager
    client: Any = None
    demo: Any = None
    tasks: list[asyncio.Task] = field(default_factory=list)

    async def close(self) -> None:
        await runtime.stop_stream(self.client, self.tasks)
        if self.demo is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.demo.stop)
            self.demo = None


async def start_agent(url: str, token: str, *, lang: str = "zh", theme: str = "light", with_chat: bool = True,
                      model_dir=None, load_classifier=None, settings=None, demo=None,
                      agent_id: str = "") -> AgentApp:
    """Build the windows, load the classifier off the UI thread, then connect. Used by main and by tests."""
    from assist_app.stream.client import StreamClient

    languages = LanguageManager(lang)
    themes = ThemeManager(theme)
    session = AgentSession(runtime.executor(), EngineAdapter(),
                           load_classifier or classifier_loader(model_dir), lang=lang, agent_id=agent_id)
    window = SidebarWindow()
    chat = AgentChatWindow() if with_chat else None
    app = AgentApp(session, window, chat, None, languages, themes, demo=demo)  # type: ignore[arg-type]

    async def send(ev):
        """Returns the gateway's Ack, or None after showing why the request failed."""
        try:
            return await app.client.send(ev, timeout=15)
        except Exception as exc:  # noqa: BLE001 - show, do not crash the UI
            log.warning("send %s failed: %s", ev.type, exc)
            window.actions.set_ticket_result(f"{ev.type}: {exc}")
            return None

    app.controller = SidebarController(session, window, chat, languages, themes, send=send, settings=settings)
    if not await session.load():
        window.set_classifier_unavailable(session.classifier_error)
    runtime.settle_gc()

    def on_state(state) -> None:
        window.set_connection(state.status, getattr(state, "retry_in_s", None))

    app.client = StreamClient(url, token, on_event=session.handle_event, on_state=on_state)
    app.tasks.append(asyncio.get_running_loop().create_task(app.client.run()))
    return app


def place_windows(app: AgentApp, settings) -> None:
    w = app.window
    restored = docking.restore(w, settings) if settings is not None else False
    if not restored:
        screen = QGuiApplication.primaryScreen().availableGeometry()
        rect = docking.right_edge_rect(screen)
        w.setGeometry(rect)
    w.set_pinned(docking.is_always_on_top(w))
    w.show()
    if app.chat is not None:
        screen = (w.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        app.chat.setGeometry(docking.beside_rect(w.geometry(), screen))
        app.chat.show()


def compose(app: AgentApp) -> QPixmap:
    """The chat window (if any) and the sidebar side by side, as the agent sees them."""
    parts = ([app.chat] if app.chat is not None else []) + [app.window]
    grabs = [p.grab() for p in parts]
    dpr = grabs[0].devicePixelRatio()
    sizes = [(round(g.width() / g.devicePixelRatio()), round(g.height() / g.devicePixelRatio())) for g in grabs]
    width = sum(w for w, _ in sizes) + 8 * (len(grabs) - 1)     # logical pixels
    height = max(h for _, h in sizes)
    out = QPixmap(round(width * dpr), round(height * dpr))
    out.setDevicePixelRatio(dpr)
    out.fill(QColor("#9aa0a6"))
    p = QPainter(out)
    x = 0
    for g, (w, _h) in zip(grabs, sizes, strict=True):
        p.drawPixmap(QPoint(x, 0), g)
        x += w + 8
    p.end()
    return out


def _pick(app: AgentApp, how: str) -> str:
    from assist_app.ui.viewmodel import order_conversations

    convs = [c for c in order_conversations(list(app.session.conversations.values()), app.session.clock())
             if c.assist is not None or (app.session.classifier is None and c.lines)]
    if not convs:
        return ""
    if how == "calm":
        calm = [c for c in convs if c.risk_level == "info" and c.emotion in ("neutral", "positive")
                and c.context is not None and c.context.orders]
        return (calm or convs[::-1])[0].conversation_id
    if how == "orders":   # a chat about a parcel on its way: the order panel shows the most
        def in_transit(c) -> bool:
            focus = set(getattr(c.assist, "orders_in_focus", []) or [])
            return any(o.order_id in focus and o.state == "shipped" and o.logistics for o in c.context.orders)

        shipped = [c for c in convs if c.context is not None and in_transit(c)]
        shipped = shipped or [c for c in convs if c.context is not None and any(
            o.state == "shipped" and o.logistics for o in c.context.orders)]
        return (shipped or convs)[0].conversation_id
    if how == "angry":
        angry = [c for c in convs if c.risk_level == "critical"] or [c for c in convs if c.risk_level == "warn"]
        return (angry or convs)[0].conversation_id
    return convs[0].conversation_id


async def take_screenshot(app: AgentApp, args) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.timeout
    half_time = loop.time() + args.timeout / 2

    def ready() -> bool:
        if app.session.classifier is None:   # nothing gets analysed without a model: wait for streamed chats
            return sum(1 for c in app.session.conversations.values() if c.lines) >= args.min_chats
        analysed = [c for c in app.session.conversations.values() if c.assist is not None]
        if args.select == "angry":
            # prefer a chat at the critical level; settle for a warning after half the time
            levels = {c.risk_level for c in analysed}
            if "critical" not in levels and not ("warn" in levels and loop.time() > half_time):
                return False
        return len(analysed) >= args.min_chats

    while loop.time() < deadline and not ready():
        await asyncio.sleep(0.1)
    await asyncio.wait_for(app.session.idle(), timeout=5)
    cid = _pick(app, args.select)
    if cid:
        app.window.list.select_id(cid)
    app.controller.flush()
    for _ in range(3):  # let layouts settle (word-wrapped labels need a second pass)
        QApplication.processEvents()
        await asyncio.sleep(0.05)
    if args.panel == "orders":
        app.window.scroll.verticalScrollBar().setValue(app.window.orders.y() - 4)
        QApplication.processEvents()
    n = len(app.session.conversations)
    pix = compose(app)
    args.screenshot.parent.mkdir(parents=True, exist_ok=True)
    if not pix.save(str(args.screenshot), "PNG"):
        print(f"assist-sidebar: cannot write {args.screenshot}", file=sys.stderr)
        return 1
    analysed = sum(1 for c in app.session.conversations.values() if c.assist is not None)
    print(f"screenshot: {args.screenshot} ({pix.width()}x{pix.height()}, {n} live chats, {analysed} analysed"
          + (f"; classifier unavailable: {app.session.classifier_error}" if app.session.classifier_error else "")
          + ")")
    return 0 if n else 1


async def run_agent(args) -> int:
    settings = docking.settings()
    lang = args.lang or str(settings.value("ui/lang", "zh"))
    theme = args.theme or str(settings.value("ui/theme", "light"))
    if args.screenshot:
        lang, theme = args.lang or "zh", args.theme or "light"
    demo = None
    if args.demo:
        from assist_app.ui.demo_feed import AgentDemo

        loop = asyncio.get_running_loop()
        demo = await loop.run_in_executor(None, lambda: AgentDemo.start(args.agent, args.speed, args.db))
        agent, url, token = demo.agent_id, demo.url, demo.token
    else:
        url, token, agent = args.url, args.token, ""
    app = await start_agent(url, token, lang=lang, theme=theme, with_chat=args.demo and not args.no_chat,
                            model_dir=args.model_dir, settings=None if args.screenshot else settings,
                            demo=demo, agent_id=agent)
    try:
        if args.screenshot:
            app.window.resize(args.width, 1000)
            app.window.show()
            if app.chat is not None:
                app.chat.resize(540, 1000)
                app.chat.show()
            return await take_screenshot(app, args)
        # we end the loop ourselves after cleanup; Qt quitting on the last window would cut it short
        QApplication.instance().setQuitOnLastWindowClosed(False)
        place_windows(app, settings)
        closed = asyncio.Event()
        QApplication.instance().lastWindowClosed.connect(closed.set)
        await closed.wait()
        docking.save(app.window, settings)
        settings.setValue("ui/lang", app.languages.lang)
        return 0
    finally:
        await app.close()
