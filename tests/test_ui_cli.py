"""The public contract `assist-sidebar --demo --screenshot out.png`, run as a real process with no screen."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage


def _run(tmp_path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    out = tmp_path / "out.png"
    return subprocess.run([sys.executable, "-m", "assist_app.ui.app", "--demo", "--screenshot", str(out),
                           "--min-chats", "3", *extra], env=env, capture_output=True, text=True, timeout=120)


def _colours(img: QImage) -> int:
    step = 7
    seen = {img.pixel(x, y) for x in range(0, img.width(), step) for y in range(0, img.height(), step)}
    return len(seen)


def test_demo_screenshot_headless(tmp_path):
    proc = _run(tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "screenshot:" in proc.stdout and "analysed" in proc.stdout
    img = QImage(str(tmp_path / "out.png"))
    assert not img.isNull() and img.width() >= 700 and img.height() >= 600
    assert _colours(img) > 40           # rendered widgets and text, not a blank canvas


def test_demo_screenshot_without_model_still_streams(tmp_path):
    proc = _run(tmp_path, "--model-dir", str(tmp_path / "missing-model"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "classifier unavailable" in proc.stdout and "missing-model" in proc.stdout
    assert QImage(str(tmp_path / "out.png")).width() >= 400
