"""`assist-sidebar --lead`: the team-lead window. Called by assist_app.ui.app.main as `run_lead(args) -> int`.

    assist-sidebar --lead --url ws://host:8765 --token LEAD_TOKEN
    assist-sidebar --demo --lead                      embedded demo backend, signed in as its team lead
    assist-sidebar --demo --lead --screenshot out.png render once several chats are live and analysed, exit 0
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtWidgets import QApplication

from assist_app.ui import runtime
from assist_app.ui.lead.controller import LeadController
from assist_app.ui.lead.window import LeadWindow

log = logging.getLogger(__name__)


def classifier_loader(model_dir=None):
    def load():
        from assist_app.nlp.classifier import load_classifier

        return load_classifier(model_dir)

    return load


def lead_token(tokens: dict[str, str]) -> str:
    """The demo backend's lead token: key "lead", else the lead of the first demo team, else any lead."""
    if "lead" in tokens:
        return tokens["lead"]
    from assist_app.config import DEMO_TEAMS

    first = f"lead-{next(iter(DEMO_TEAMS))}"
    if first in tokens:
        return tokens[first]
    for k in sorted(tokens):
        if k.startswith("lead"):
            return tokens[k]
    raise KeyError(f"demo backend has no lead token (keys: {sorted(tokens)})")


def token_role(url: str, token: str, timeout: float = 5.0) -> str | None:
    """Which role a token has ("agent", "lead", "source"), asked of the gateway itself: hello → welcome.
    Lets `assist-sidebar --url … --token LEAD_TOKEN` open the lead window without --lead. None when the
    gateway cannot be reached or refuses the token (the caller then reports the usual connection error)."""
    from websockets.sync.client import connect

    from assist_app import protocol as p

    try:
        with connect(url, open_timeout=timeout, close_timeout=1) as ws:
            ws.send(p.encode(p.Hello(token=token, client="assist-sidebar/role-probe")))
            ev = p.decode(ws.recv(timeout=timeout))
    except Exception as exc:  # noqa: BLE001 - unreachable, refused, garbled: the role is unknown
        log.info("token role probe failed: %s", exc)
        return None
    return ev.role if isinstance(ev, p.Welcome) else None


@dataclass
class LeadApp:
    window: LeadWindow
    controller: LeadController
    client: Any = None
    demo: Any = None
    tasks: list[asyncio.Task] = field(default_factory=list)

    async def close(self) -> None:
        await runtime.stop_stream(self.client, self.tasks)
        self.controller.close()
        # the monitor thread must be gone before the interpreter finalises
        await asyncio.get_running_loop().run_in_executor(None, self.controller.worker.shutdown, True)
        # destroy the Qt side while the loop still runs (PySide otherwise tears it down during interpreter
        # finalisation, which can crash on exit)
        self.window.hide()
        self.window.deleteLater()
        await asyncio.sleep(0)  # the qasync loop runs the deferred delete
        if self.demo is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.demo.stop)
            self.demo = None


async def start_lead(url: str, token: str, *, lang: str = "zh", model_dir=None, load_classifier=None,
                     sound: bool = False, demo=None, use_tray: bool | None = None, time_scale: float = 1.0) -> LeadApp:
    """Build the window, load the classifier off the UI thread, connect. Used by run_lead, tests, benchmarks."""
    from assist_app.stream.client import StreamClient

    window = LeadWindow(lang=lang, sound=sound, use_tray=use_tray)
    app = LeadApp(window, None, demo=demo)  # type: ignore[arg-type]

    async def send(ev) -> None:
        await app.client.send(ev, timeout=10.0)

    app.controller = LeadController(window, load_classifier or classifier_loader(model_dir), send=send,
                                    time_scale=time_scale)
    await app.controller.load()
    app.client = StreamClient(url, token, on_event=app.controller.handle_event, on_state=app.controller.on_state)
    app.tasks.append(asyncio.get_running_loop().create_task(app.client.run()))
    return app


async def wait_until_ready(app: LeadApp, min_chats: int, timeout: float, want_alert: bool = True) -> None:
    """Until at least `min_chats` chats are analysed (and, if wanted, an alert is up) or the timeout passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        rows = app.window.visible_rows()
        analysed = [r for r in rows if r.intent is not None]
        if len(analysed) >= min_chats and (not want_alert or app.window.feed.active()):
            break
        await asyncio.sleep(0.1)
    await app.controller.idle()


async def take_screenshot(app: LeadApp, args) -> int:
    await wait_until_ready(app, args.min_chats, args.timeout)
    rows = app.window.visible_rows()
    alerts = app.window.feed.active()
    pick = alerts[0].conversation_id if alerts else (rows[0].conversation_id if rows else "")
    if pick:
        app.window.select_conversation(pick)
    await app.controller.idle()
    for _ in range(4):  # let layouts and the transcript settle (the qasync loop turns Qt's meanwhile)
        await asyncio.sleep(0.05)
    await app.controller.idle()
    await app.controller.stats_now()  # the statistics of the same moment as the rows
    await app.controller.idle()
    await asyncio.sleep(0.05)
    pix = app.window.grab()
    args.screenshot.parent.mkdir(parents=True, exist_ok=True)
    if not pix.save(str(args.screenshot), "PNG"):
        print(f"assist-sidebar: cannot write {args.screenshot}", file=sys.stderr)
        return 1
    analysed = sum(1 for r in rows if r.intent is not None)
    print(f"screenshot: {args.screenshot} ({pix.width()}x{pix.height()}, {len(rows)} live chats, {analysed} analysed,"
          f" {len(alerts)} open alerts"
          + (f"; classifier unavailable: {app.controller.classifier_error}" if app.controller.classifier_error else "")
          + ")")
    return 0 if rows else 1


async def _main(args) -> int:
    lang = args.lang or "zh"
    demo = None
    if args.demo:
        from assist_app.demo import start_demo_backend

        loop = asyncio.get_running_loop()
        # no human agents in the lead demo: the simulator plays the agents' scripted replies too, so
        # first-response times and handled chats are real numbers
        demo = await loop.run_in_executor(None, lambda: start_demo_backend(db_path=args.db, speed=args.speed,
                                                                             auto_agent=True))
        url, token = demo.url, getattr(demo, "lead_token", None) or lead_token(demo.tokens)
    else:
        url, token = args.url, args.token
    # we end the app ourselves (below), after cleaning up; Qt must not stop the loop under our feet
    QApplication.instance().setQuitOnLastWindowClosed(False)
    app = await start_lead(url, token, lang=lang, model_dir=args.model_dir, demo=demo,
                           sound=not args.screenshot, use_tray=False if args.screenshot else None,
                           time_scale=args.speed if args.demo else 1.0)
    try:
        if args.screenshot:
            app.window.resize(1560, 960)
            app.window.show()
            return await take_screenshot(app, args)
        app.window.show()
        closed = asyncio.Event()
        QApplication.instance().lastWindowClosed.connect(closed.set)
        await closed.wait()
        return 0
    finally:
        await app.close()


def run_lead(args) -> int:
    """Entry from `assist-sidebar --lead` (args: the sidebar's argparse namespace)."""
    if not args.demo and not (args.url and args.token):
        print("assist-sidebar --lead: give --demo, or --url and a lead --token", file=sys.stderr)
        return 2
    if getattr(args, "speed", None) is None:
        args.speed = 20.0 if args.screenshot else 1.0
    return runtime.run(lambda: _main(args), [], app_name="assist-lead")
