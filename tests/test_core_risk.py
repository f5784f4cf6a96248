"""Escalation risk: context-aware text cues (negations), every signal family, levels and readable reasons."""

from __future__ import annotations

import pytest

from assist_app.core import risk as rk
from assist_app.core import text as tx
from assist_app.nlp.types import Prediction


def pred(intent: str, emotion: str = "neutral") -> Prediction:
    return Prediction(intent, 0.9, emotion, 0.9, {intent: 0.9}, {emotion: 0.9})


def turns(*items, answered=True):
    return [rk.CustomerTurn(text, pred(i, e), answered) for text, i, e in items]


def risk_of(*items, live=None, answered=True):
    return rk.score(rk.extract(turns(*items, answered=answered)), live)


@pytest.mark.parametrize("text,hit", [
    ("再不处理我就打12315", "12315"), ("给你们差评", "差评"), ("我要投诉你们", "投诉"), ("去媒体曝光", "媒体"),
    ("找律师起诉", "律师"), ("我不会给差评的", None), ("没有投诉的意思", None), ("别给差评", None),
    ("好评送你了", None), ("型号315的能用吗", None), ("加热时就报警", None),
    # Taobao phrasing
    ("再不退我就申请小二介入", "小二介入"), ("我要维权", "维权"), ("给你们打一星", "打一星"), ("给中评算了", "给中评"),
    ("一星期了还没到", None), ("再给你们一星期时间", None), ("不用平台介入了", None), ("小二在吗", None),
    ("其中评论说会掉色", None), ("还在维权期内吗", None), ("给个1星", "给个1星"), ("找淘宝小二", "找淘宝小二"),
    # asking how the platform steps in is not a threat
    ("平台介入是要我点那个按钮吗", None), ("退款被拒的话 可以申请平台介入吗", None), ("小二介入后多久有结果", None),
    # averted, hypothetical or someone else's; clauses end with spaces as often as commas
    ("说实话当时差点就去给差评了哈哈", None), ("我看有人说商家不处理要申请平台介入，我需要点吗", None),
    ("本来想好好解决，现在只能投诉了", "投诉"), ("本来想退货的 现在我要投诉你们", "投诉"),
    ("我差点就信了你们 我要曝光", "曝光"), ("别人家都发货了我要投诉", "投诉"),
    ("听说你们家不让退？再不退我就投诉", "投诉"), ("315那天我要投诉", "投诉"),
])
def test_threat_cue_in_context(text, hit):
    assert tx.threat(text) == hit


@pytest.mark.parametrize("text,hit", [
    ("插座冒烟了！", "冒烟"), ("机身特别烫手", "烫手"), ("水壶爆了", "爆了"), ("手被烫伤了", "烫伤"),
    ("漏电把我电到了", "漏电"), ("没有冒烟", None), ("外壳是防烫手的嘛？", None), ("会不会漏电", None),
    ("这个外壳烫手不", None),
])
def test_safety_cue_in_context(text, hit):
    assert tx.safety(text) == hit


@pytest.mark.parametrize("text,hit", [
    ("叫你们掌柜出来", "叫你们掌柜"), ("让店长跟我说", "店长跟我"), ("你们老板呢", "老板呢"), ("转人工", "转人工"),
    ("掌柜在吗", None), ("谢谢掌柜", None), ("店长推荐哪款", None), ("麻烦让老板帮忙催一下发货", None),
    ("叫老板发货", None),
])
def test_escalation_cue(text, hit):
    assert tx.escalate(text) == hit


def test_calm_chat_is_info():
    r = risk_of(("你好", "greeting", "neutral"), ("这款冲锋衣防水吗", "product_info", "neutral"),
                ("好的谢谢", "thanks_bye", "positive"))
    assert r.level == "info" and r.score < rk.load_model().warn and not r.needs_attention


def test_angry_complaint_needs_attention_with_reasons():
    r = risk_of(("快递怎么还没到", "logistics", "anxious"), ("什么破服务，太差劲了", "complaint", "angry"),
                ("你们到底管不管", "complaint", "angry"))
    assert r.needs_attention and r.level in ("warn", "critical")
    assert any(x.startswith("客户生气") or x.startswith("投诉") for x in r.reasons)


def test_threat_alone_is_at_least_warn_and_named():
    r = risk_of(("再不发货我就给差评", "shipping_urge", "neutral"))
    assert r.needs_attention and any(x.startswith("威胁投诉/差评：差评") for x in r.reasons)
    negated = risk_of(("放心我不会给差评的", "thanks_bye", "positive"))
    assert negated.level == "info"


def test_safety_is_critical():
    r = risk_of(("烤箱门上在冒烟", "quality_issue", "neutral"))
    assert r.level == "critical" and r.reasons[0].startswith("安全隐患：冒烟")


def test_repeated_unresolved_ask_and_chasing_raise_score():
    once = risk_of(("怎么还没发货", "shipping_urge", "anxious"))
    again = risk_of(("怎么还没发货", "shipping_urge", "anxious"), ("问过两次了还是没发货", "shipping_urge", "disappointed"),
                    ("天天催没意思", "shipping_urge", "disappointed"), ("到底发不发", "shipping_urge", "angry"))
    assert again.score > once.score and again.needs_attention


def test_loss_caused_by_service():
    plain = risk_of(("我想取消订单", "cancel_order", "neutral"))
    lost = risk_of(("四天了还不发货", "shipping_urge", "anxious"), ("等不了了，取消吧去别家买", "cancel_order", "disappointed"))
    assert lost.score > plain.score
    assert any("退款/取消" in x for x in lost.reasons)


def test_live_signals_add_risk():
    base = [("怎么还没到", "logistics", "anxious")]
    r0 = risk_of(*base)
    r1 = risk_of(*base, live={"vip": 1, "big_order": 1, "wait_min": 10})
    assert r1.score > r0.score
    assert any("等待" in x for x in r1.reasons) or any("高价值" in x for x in r1.reasons)


def test_english_reasons():
    r = rk.score(rk.extract(turns(("插座冒烟了", "quality_issue", "neutral"))), lang="en")
    assert r.reasons[0].startswith("Safety hazard")


def test_model_file_is_consistent():
    m = rk.load_model()
    assert set(m.weights) == set(rk.FEATURES)
    assert 0 < m.warn < m.critical <= 100
