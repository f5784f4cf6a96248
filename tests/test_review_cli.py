"""`assist-review`: the public JSON-lines contract, bad lines, the HTML report, a missing model — real ONNX model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assist_app.nlp.labels import EMOTIONS, INTENTS
from assist_app.review.cli import main

CHATS = [
    {"id": "calm", "turns": [{"role": "customer", "text": "你好，这款冲锋衣防水吗"},
                             {"role": "agent", "text": "亲，防水指数10000mm哦"},
                             {"role": "customer", "text": "好的谢谢"}]},
    {"id": 7, "turns": [{"role": "customer", "text": "快递一周了还不到"},
                        {"role": "agent", "text": "帮您催一下"},
                        {"role": "customer", "text": "又是这句话，到底什么时候到？？"},
                        {"role": "customer", "text": "再不处理我就打12315投诉你们"}]},
    {"id": "smoke", "turns": [{"role": "customer", "text": "空气炸锅用的时候冒烟了，还有焦味"}]},
    {"id": "agent-only", "turns": [{"role": "agent", "text": "您好"}]},
]


def write_input(path: Path) -> list[str]:
    lines = [json.dumps(c, ensure_ascii=False) for c in CHATS[:2]]
    lines.append('{"id": "broken", "turns": [')                                   # invalid JSON
    lines.append(json.dumps({"id": "noturns"}))                                  # no turns
    lines.append(json.dumps({"id": "badrole", "turns": [{"role": "bot", "text": "x"}]}))
    lines += [json.dumps(c, ensure_ascii=False) for c in CHATS[2:]]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    return lines


def test_contract_order_bad_lines_and_report(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    write_input(src)
    report = tmp_path / "r.html"
    assert main([str(src), "--report", str(report)]) == 0
    cap = capsys.readouterr()
    out = [json.loads(x) for x in cap.out.splitlines()]
    assert [o["id"] for o in out] == ["calm", 7, None, "noturns", "badrole", "smoke", "agent-only"]
    for o, n_customer in zip([out[0], out[1], out[5], out[6]], [2, 3, 1, 0], strict=True):
        assert set(o) == {"id", "needs_attention", "risk", "level", "reasons", "messages"}
        assert len(o["messages"]) == n_customer
        assert all(m["intent"] in INTENTS and m["emotion"] in EMOTIONS and set(m) == {"intent", "emotion"}
                   for m in o["messages"])
        assert o["needs_attention"] in (0, 1) and 0 <= o["risk"] <= 100 and o["level"] in ("info", "warn", "critical")
        assert o["needs_attention"] == int(o["level"] != "info")
    assert "line 3" in out[2]["error"] and "JSON" in out[2]["error"]
    assert "turns" in out[3]["error"] and "role" in out[4]["error"]
    assert out[1]["needs_attention"] == 1 and any("12315" in r for r in out[1]["reasons"])
    assert out[5]["level"] == "critical" and out[5]["reasons"][0].startswith("安全隐患")
    assert out[0]["needs_attention"] == 0
    assert "/" in cap.err or "条消息" in cap.err  # progress bar on stderr
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "问答统计" in html and "情绪分布" in html
    assert "需关注会话" in html and "12315" in html and "<script" not in html and "http" not in html


def test_session_field_stands_in_for_a_missing_id(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    chat = {"session": "s-42", "turns": CHATS[0]["turns"]}
    src.write_text(json.dumps(chat, ensure_ascii=False) + "\n" + json.dumps({**chat, "id": 0}) + "\n"
                   + json.dumps({"session": "s-43"}) + "\n", encoding="utf-8")
    assert main([str(src), "--quiet"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["s-42", 0, "s-43"] and "error" in out[2]


def test_missing_model_is_a_clear_error(tmp_path, capsys, monkeypatch):
    src = tmp_path / "in.jsonl"
    write_input(src)
    monkeypatch.setenv("ASSIST_MODEL_DIR", str(tmp_path / "nomodel"))
    assert main([str(src)]) == 2
    err = capsys.readouterr().err
    assert "classifier unavailable" in err and "nomodel" in err


def test_missing_file(tmp_path, capsys):
    assert main([str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_installed_entry_point_reads_stdin():
    exe = Path(sys.executable).with_name("assist-review")
    if not exe.exists():
        pytest.fail(f"{exe} is not installed (pip install -e .)")
    data = "\n".join(json.dumps(c, ensure_ascii=False) for c in CHATS) + "\n"
    p = subprocess.run([str(exe), "-", "--quiet"], input=data, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert p.returncode == 0, p.stderr
    ids = [json.loads(x)["id"] for x in p.stdout.splitlines()]
    assert ids == [c["id"] for c in CHATS]
