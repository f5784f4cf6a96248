"""Structured logs with personal data masked; config validation; every bad input leaves a log line."""

from __future__ import annotations

import io
import json
import logging

import pytest
import websockets

from assist_app import protocol as p
from assist_app.config import ConfigError, build_config, demo_config, example_toml, load_config
from assist_app.gateway.logs import emit, setup_logging
from assist_app.gateway.server import Gateway
from assist_app.privacy import mask_text, mask_value, register_names


@pytest.mark.parametrize("raw, secret", [
    ("我的电话是13812345678 快点", "13812345678"),
    ("手机 +86 139-1234-5678", "1234-5678"),
    ("座机 0571-88886666", "88886666"),
    ("改地址到浙江省杭州市西湖区文三路90号3号楼502室", "文三路90号"),
    ("上海市浦东新区世纪大道100号", "世纪大道"),
    ("收件人：张三丰", "张三丰"),
    ("我叫李小明", "李小明"),
])
def test_mask_text_hides_phones_addresses_names(raw, secret):
    masked = mask_text(raw)
    assert secret not in masked
    assert masked != raw


def test_mask_keeps_order_numbers_and_registered_names():
    assert mask_text("订单 4120553318720046") == "订单 4120553318720046"
    register_names(["欧阳娜娜"])
    assert "欧阳娜娜" not in mask_text("欧阳娜娜的快递")
    v = mask_value({"phone": "13812345678", "name": "王五", "address": "北京市朝阳区建国路88号", "n": 3})
    assert v["phone"] == "138****5678" and v["name"] == "王*" and "建国路" not in v["address"] and v["n"] == 3


def test_json_logs_are_masked_end_to_end():
    buf = io.StringIO()
    setup_logging("INFO", "json", stream=buf)
    try:
        emit(logging.INFO, "test.event", text="客户电话13912345678 地址广东省深圳市南山区科技园路1号", nick="tb_小鹿")
        line = json.loads(buf.getvalue().strip().splitlines()[-1])
        assert line["event"] == "test.event"
        assert "13912345678" not in json.dumps(line, ensure_ascii=False)
        assert "科技园路" not in line["text"] and line["nick"].startswith("t*")
    finally:
        logging.getLogger("assist").handlers.clear()
        logging.getLogger("assist").propagate = True


async def test_every_bad_frame_gets_an_error_and_a_masked_log_line(caplog):
    caplog.set_level(logging.WARNING, logger="assist.gateway")
    g = Gateway(demo_config(stats_interval_s=0))
    await g.start()
    try:
        async with websockets.connect(g.url) as ws:
            bad = ['{"oops": 13812345678', "[1]", '{"v":1,"type":"nope"}', '{"v":1,"type":"subscribe"}',
                   b"\xff\xfe", '{"v":1,"type":"ping","x":"' + "x" * 70000 + '"}']
            for frame in bad:
                if isinstance(frame, bytes):
                    await ws.send(frame, text=True)
                else:
                    await ws.send(frame)
            codes = [p.decode(await ws.recv()).code for _ in bad]
        assert codes == [p.E_BAD_JSON, p.E_BAD_JSON, p.E_UNKNOWN_TYPE, p.E_STATE, p.E_BAD_UTF8, p.E_TOO_LARGE]
        lines = [r.getMessage() for r in caplog.records if "client.error" in r.getMessage()]
        assert len(lines) == len(bad)
        assert not any("13812345678" in line for line in lines)
        assert g.counters.errors == len(bad)
    finally:
        await g.stop()


def test_config_from_toml_and_env(tmp_path):
    f = tmp_path / "tokens.toml"
    f.write_text(example_toml(), encoding="utf-8")
    cfg = load_config(f, env={"ASSIST_GATEWAY_PORT": "9123"})
    assert cfg.port == 9123
    assert cfg.principal("demo-a1").team == "outdoor"
    assert cfg.principal("demo-lead-home3c").role == "lead"
    assert cfg.principal("demo-source").role == "source"
    assert [a.id for a in cfg.agents("home3c")] == ["a4", "a5"]
    assert cfg.tokens() == demo_config().tokens()


@pytest.mark.parametrize("data, needle", [
    ({"gateway": {"prot": 1}}, "unknown [gateway] key"),
    ({"gateway": {"port": "x"}}, "port must be int"),
    ({"agents": [{"id": "a1"}]}, "token"),
    ({"agents": [{"id": "a1", "token": "t"}]}, "needs a team"),
    ({"agents": [{"id": "a1", "token": "t", "team": "x"}], "sources": [{"id": "s", "token": "t"}]}, "duplicate token"),
])
def test_bad_config_is_a_clear_error(data, needle):
    with pytest.raises(ConfigError) as ei:
        build_config(data, env={})
    assert needle in str(ei.value)


def test_missing_or_broken_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[gateway\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
