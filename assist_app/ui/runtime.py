"""One place that boots Qt + qasync, shared by the agent sidebar and the team-lead view (ui/lead).

`run(main_coro_factory, argv)` creates the QApplication, installs a qasync QEventLoop as the asyncio loop,
runs the coroutine to completion and returns its int exit code. Long work goes to `executor()`
(a small thread pool) via `loop.run_in_executor`, never onto the Qt UI thread.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "PingFang SC")

_executor: ThreadPoolExecutor | None = None
UI_SWITCH_INTERVAL_S = 0.001


def ensure_platform() -> None:
    """Headless machines (no DISPLAY/WAYLAND) fall back to the offscreen platform instead of aborting."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if not sys.platform.startswith("linux") or os.environ.get("WAYLAND_DISPLAY"):
        return
    display = os.environ.get("DISPLAY", "")
    if not display:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return
    # a local X display whose socket is gone (a stale DISPLAY in a CI shell) would abort Qt: go offscreen
    m = re.fullmatch(r":(\d+)(\.\d+)?", display)
    if m and not Path(f"/tmp/.X11-unix/X{m.group(1)}").exists():
        print(f"assist: X display {display} not reachable; rendering offscreen", file=sys.stderr)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def create_app(argv: list[str] | None = None, app_name: str = "assist-sidebar"):
    """Return the QApplication (creating it once), with CJK-capable fonts and org names for QSettings."""
    ensure_platform()
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        qInstallMessageHandler(_qt_messages)

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else app_name, *(argv or [])][:1])
    app.setOrganizationName("assist_app")
    app.setApplicationName(app_name)
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "assist.svg")))
    families = set(QFontDatabase.families())
    for fam in CJK_FONTS:
        if fam in families:
            font = QFont(fam)
            font.setPointSizeF(max(app.font().pointSizeF(), 9.5))
            app.setFont(font)
            break
    return app


_QUIET = ("does not support propagateSizeHints",)   # the offscreen platform's harmless note, once per window


def _qt_messages(mode, _context, message: str) -> None:
    if any(q in message for q in _QUIET):
        return
    print(message, file=sys.stderr)


def executor() -> ThreadPoolExecutor:
    """The shared worker pool for inference and blocking I/O (2 workers: this is a 2-core box)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="assist-worker")
    return _executor


def settle_gc() -> None:
    """After start-up (Qt, numpy, onnxruntime, the demo store loaded): move every object alive now out of the
    cyclic GC's reach, so later full collections scan only what the session creates (keeps pauses short)."""
    gc.collect()
    gc.freeze()


def install_loop(app):
    """Install a qasync loop on an app whose Qt loop is (or will be) driven by someone else (tests)."""
    import qasync

    loop = qasync.QEventLoop(app, already_running=True)
    asyncio.set_event_loop(loop)
    return loop


def limit_malloc_arenas(n: int = 2) -> bool:
    """glibc gives every thread that allocates its own malloc arena (up to 8 per core). Our worker and gateway
    threads allocate and free frames, token arrays and results all day; spread over many arenas the freed
    memory is not reused and RSS creeps. Two arenas keep it flat (measured with benchmarks/sidebar.py).
    Must run before the worker threads start; a no-op off glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return bool(ctypes.CDLL("libc.so.6").mallopt(-8, n))   # -8 = M_ARENA_MAX
    except (OSError, AttributeError):
        return False


def run(main: Callable[[], Awaitable[int]], argv: list[str] | None = None, app_name: str = "assist-sidebar") -> int:
    """Run `main()` on a qasync loop inside a fresh QApplication; returns its exit code."""
    import qasync

    limit_malloc_arenas()
    app = create_app(argv, app_name)
    # The UI thread re-enters Python (slots, paint, model data()) many times per frame; each time a worker
    # (classifier + engine) or the demo gateway thread holds the GIL it waits up to the switch interval.
    # CPython's 5 ms default turns a few such waits into a visible stall; 1 ms bounds them.
    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    _quit_on_signals(app)
    try:
        with loop:
            code = int(loop.run_until_complete(main()) or 0)
            # close what is left (async generators of cancelled websockets loops) while the loop still runs
            loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        asyncio.set_event_loop(None)
    shutdown(app)
    return code


def _quit_on_signals(app) -> None:
    """Ctrl+C / SIGTERM close the windows, so the app shuts down in order (geometry saved, streams closed)."""
    from PySide6.QtCore import QTimer

    def handler(_signum, _frame) -> None:
        app.closeAllWindows()

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread / unsupported platform
            return
    # Python only runs signal handlers between bytecodes; a cheap timer makes sure that happens in Qt's loop
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(250)


async def stop_stream(client, tasks) -> None:
    """Stop a stream client and cancel the tasks that fed the window from it (agent and lead apps alike)."""
    if client is not None:
        client.stop()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def shutdown(app) -> None:
    """Tear Qt down in a fixed order: windows first, then the app, so interpreter exit finds nothing to free."""
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=True, cancel_futures=True)
        _executor = None
    for w in app.topLevelWidgets():
        w.close()
        w.deleteLater()
    app.processEvents()
    app.sendPostedEvents(None, 0)
