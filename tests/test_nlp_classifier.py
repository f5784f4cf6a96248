"""The committed ONNX model through the runtime and the `assist-classify` contract (real inference)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assist_app.nlp.classifier import DEFAULT_MODEL_DIR, load_classifier
from assist_app.nlp.labels import EMOTIONS, INTENTS
from assist_app.nlp.types import ClassifierUnavailable

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def clf():
    return load_classifier()


def test_predict_returns_taxonomy_ids_and_calibrated_probabilities(clf):
    p = clf.predict("亲，这件冲锋衣包邮吗？", ["您好，欢迎光临拓路者旗舰店"])
    assert p.intent in INTENTS and p.emotion in EMOTIONS
    assert abs(sum(p.intent_probs.values()) - 1) < 1e-4
    assert abs(sum(p.emotion_probs.values()) - 1) < 1e-4
    assert p.intent_confidence == max(p.intent_probs.values())
    assert 0.0 <= p.negative_score <= 1.0


def test_batch_equals_single_and_keeps_order(clf):
    items = [("在吗", []), ("我的快递怎么还没到，都五天了！", ["您好"]), ("好的谢谢", ["已为您登记"]),
             ("", []), ("发票怎么开" * 40, ["很长的上一句" * 50])]
    batch = clf.predict_batch(items)
    for (text, prev), b in zip(items, batch, strict=True):
        s = clf.predict(text, prev)
        assert s.intent == b.intent and s.emotion == b.emotion
        # int8 dynamic quantisation scales activations per batch, so batching moves scores a little
        assert abs(s.intent_confidence - b.intent_confidence) < 0.03


def test_thread_safe_from_an_executor(clf):
    expected = clf.predict("退款什么时候到账", ["您好"])
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(clf.predict("退款什么时候到账", ["您好"]))
        except Exception as e:  # pragma: no cover - the assertion below reports it
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 80
    assert all(r.intent == expected.intent for r in results)


def _copy_models(tmp_path: Path) -> Path:
    d = tmp_path / "models"
    d.mkdir(parents=True)
    for name in ("student.json", "student.onnx", "tokenizer.json"):
        shutil.copy(DEFAULT_MODEL_DIR / name, d / name)
    return d


def test_missing_model_names_the_file(tmp_path):
    d = _copy_models(tmp_path)
    (d / "student.onnx").unlink()
    with pytest.raises(ClassifierUnavailable, match="student.onnx"):
        load_classifier(d)
    with pytest.raises(ClassifierUnavailable, match="student.json"):
        load_classifier(tmp_path / "nowhere")


def test_truncated_model_is_detected(tmp_path):
    d = _copy_models(tmp_path)
    data = (d / "student.onnx").read_bytes()
    (d / "student.onnx").write_bytes(data[: len(data) // 2])
    with pytest.raises(ClassifierUnavailable, match="truncated or corrupt"):
        load_classifier(d)


def test_corrupt_tokenizer_and_meta(tmp_path):
    d = _copy_models(tmp_path)
    (d / "tokenizer.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ClassifierUnavailable, match="tokenizer.json"):
        load_classifier(d)
    d2 = _copy_models(tmp_path / "b")
    (d2 / "student.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ClassifierUnavailable, match="student.json"):
        load_classifier(d2)


def test_other_label_set_is_refused(tmp_path):
    d = _copy_models(tmp_path)
    meta = json.loads((d / "student.json").read_text(encoding="utf-8"))
    meta["intents"] = meta["intents"][:-1] + ["chitchat"]
    (d / "student.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ClassifierUnavailable, match="label set"):
        load_classifier(d)


def run_cli(stdin: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "assist-classify"), *args], input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_cli_contract_one_line_per_input_in_order():
    lines = [
        json.dumps({"id": "a", "text": "亲 这款有S码吗", "previous": ["在的亲"]}, ensure_ascii=False),
        "这不是JSON，是一句普通的话",
        json.dumps({"id": 7, "text": "好的"}, ensure_ascii=False),
        json.dumps({"id": [1, 2], "text": "地址能改吗", "previous": ["a", "b", "c", "d", "e"]}, ensure_ascii=False),
        "",  # blank lines are not inputs
        json.dumps({"text": "没有id"}, ensure_ascii=False),
    ]
    p = run_cli("\n".join(lines) + "\n")
    assert p.returncode == 0, p.stderr
    out = [json.loads(x) for x in p.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", None, 7, [1, 2], None]
    for o in out:
        assert set(o) == {"id", "intent", "intent_confidence", "emotion", "emotion_confidence"}
        assert o["intent"] in INTENTS and o["emotion"] in EMOTIONS
        assert 0 < o["intent_confidence"] <= 1 and 0 < o["emotion_confidence"] <= 1


def test_cli_bad_lines_get_an_error_object_and_the_run_goes_on():
    lines = ['{"id": 1, "text": 5}', '{"id": 2, "text": "ok", "previous": "上一句"}',
             '{"id": 3, "text": "x", "previous": [1, 2]}', "[1, 2]", '{"id": 5, "text": "退货怎么退"}']
    p = run_cli("\n".join(lines) + "\n")
    assert p.returncode == 0
    out = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(out) == 5
    assert "error" in out[0] and out[0]["id"] == 1
    assert out[1]["id"] == 2 and "intent" in out[1]  # a bare string is accepted as one previous turn
    assert "error" in out[2] and out[2]["id"] == 3
    assert "error" in out[3]
    assert out[4]["id"] == 5 and "intent" in out[4]


def test_cli_missing_model_exits_with_a_clear_message(tmp_path):
    p = run_cli('{"text": "在吗"}\n', "--model-dir", str(tmp_path))
    assert p.returncode == 2
    assert "student.json" in p.stderr and "unavailable" in p.stderr
