"""The public contract `assist-sidebar --demo --lead --screenshot out.png`, run as a real process, no screen."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage


def _run(tmp_path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    out = tmp_path / "lead.png"
    return subprocess.run([sys.executable, "-m", "assist_app.ui.app", "--demo", "--lead", "--screenshot", str(out),
                           "--min-chats", "3", "--timeout", "20", *extra],
                          env=env, capture_output=True, text=True, timeout=150)


def test_lead_demo_screenshot_headless(tmp_path):
    proc = _run(tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "screenshot:" in proc.stdout and "live chats" in proc.stdout and "analysed" in proc.stdout
    img = QImage(str(tmp_path / "lead.png"))
    assert not img.isNull() and img.width() >= 1400 and img.height() >= 800  # the wide lead window
    step = 9
    colours = {img.pixel(x, y) for x in range(0, img.width(), step) for y in range(0, img.height(), step)}
    assert len(colours) > 40  # rendered rows, charts and text, not a blank canvas


def test_lead_without_connection_arguments_is_a_usage_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-m", "assist_app.ui.app", "--lead"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "--lead" in proc.stderr


def test_lead_without_model_still_streams_and_says_so(tmp_path):
    proc = _run(tmp_path, "--model-dir", str(tmp_path / "missing-model"), "--timeout", "8")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "classifier unavailable" in proc.stdout and "missing-model" in proc.stdout
    assert "0 live chats" not in proc.stdout
    assert QImage(str(tmp_path / "lead.png")).width() >= 1400
