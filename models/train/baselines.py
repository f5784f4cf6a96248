"""Dev-split baselines for the model card: hand-written keyword rules, and TF-IDF char n-grams + logistic
regression (scikit-learn, a dev dependency). Writes models/baselines.json and can pickle the TF-IDF model for
benchmarks/classifier.py (`--save`)."""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from data import jddc_examples, synthetic_examples  # noqa: E402

# The kind of rule list a shop writes into its customer-service tool: first match wins.
INTENT_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("escalate_request", ("人工", "领导", "主管", "经理", "换个客服", "上级")),
    ("complaint", ("投诉", "差评", "12315", "举报", "曝光", "态度")),
    ("refund_progress", ("退款没到", "退款进度", "钱什么时候", "还没退", "退款到账", "没收到退款")),
    ("return_refund", ("退货", "退款", "换货", "退换", "七天无理由", "7天无理由")),
    ("quality_issue", ("坏了", "质量", "破损", "漏", "不能用", "故障", "少了", "发错")),
    ("install_repair", ("安装", "怎么用", "维修", "保修", "售后", "使用")),
    ("cancel_order", ("取消订单", "不要了", "取消")),
    ("order_change", ("改地址", "修改地址", "改一下", "换个颜色", "改成")),
    ("invoice", ("发票", "开票", "税号", "抬头")),
    ("payment", ("付款", "支付", "花呗", "分期", "信用卡")),
    ("bargain", ("便宜", "优惠点", "少点", "送点", "赠品")),
    ("price_promo", ("优惠", "价格", "降价", "价保", "券", "满减", "活动", "多少钱")),
    ("shipping_urge", ("发货", "什么时候发", "催")),
    ("logistics", ("物流", "快递", "到哪", "配送", "送到", "签收")),
    ("stock", ("有货", "库存", "到货", "补货", "现货")),
    ("recommendation", ("推荐", "哪个好", "选哪", "适合", "什么码", "尺码")),
    ("membership", ("会员", "积分", "plus", "PLUS", "88VIP", "京豆")),
    ("product_info", ("功率", "材质", "区别", "尺寸", "参数", "正品", "多大")),
    ("thanks_bye", ("谢谢", "感谢", "再见", "没有了", "拜拜")),
    ("greeting", ("你好", "在吗", "在不在", "有人吗", "您好")),
    ("ack", ("好的", "嗯", "是的", "对", "可以", "哦", "行")),
    ("provide_info", ("[订单x]", "[数字x]", "[地址x]", "[链接x]", "[图片x]", "[姓名x]")),
]
EMOTION_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("angry", ("投诉", "垃圾", "骗", "什么破", "差评", "！！", "!!", "？？", "??", "坑", "无语")),
    ("disappointed", ("失望", "算了", "好吧", "早知道", "唉", "哎")),
    ("anxious", ("急", "怎么还没", "快点", "今天能到", "担心", "赶紧")),
    ("positive", ("谢谢", "太好了", "满意", "不错", "给力", "赞")),
]


def rule_predict(text: str) -> tuple[str, str]:
    intent = next((i for i, kws in INTENT_RULES if any(k in text for k in kws)), "other")
    emotion = next((e for e, kws in EMOTION_RULES if any(k in text for k in kws)), "neutral")
    return intent, emotion


def evaluate(pred_i, pred_e, gold) -> dict:
    from train import E2ID, I2ID, metrics  # the same definitions as score_classify.py

    class D:  # the shape metrics() reads
        intent = np.array([I2ID[g.intent] for g in gold])
        emotion = np.array([E2ID[g.emotion] for g in gold])
    li = np.eye(len(I2ID))[[I2ID[p] for p in pred_i]]
    le = np.eye(len(E2ID))[[E2ID[p] for p in pred_e]]
    return metrics(li, le, D)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--save", type=Path, default=None, help="pickle the TF-IDF model here")
    ap.add_argument("--out", type=Path, default=HERE.parent / "baselines.json")
    args = ap.parse_args(argv)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    train, dev = jddc_examples("train"), jddc_examples("dev")
    res = {}
    p = [rule_predict(e.text) for e in dev]
    res["keyword_rules"] = evaluate([a for a, _ in p], [b for _, b in p], dev)

    for name, tr in (("tfidf_lr", train), ("tfidf_lr_plus_synthetic", train + synthetic_examples())):
        t0 = time.time()
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
        x = vec.fit_transform([e.text for e in tr])
        ci = LogisticRegression(max_iter=2000, C=10).fit(x, [e.intent for e in tr])
        ce = LogisticRegression(max_iter=2000, C=10, class_weight="balanced").fit(x, [e.emotion for e in tr])
        xd = vec.transform([e.text for e in dev])
        res[name] = evaluate(ci.predict(xd), ce.predict(xd), dev)
        res[name]["train_s"] = time.time() - t0
        if args.save and name == "tfidf_lr":
            args.save.write_bytes(pickle.dumps((vec, ci, ce)))
    for k, v in res.items():
        print(k, " ".join(f"{a}={b:.3f}" for a, b in v.items()))
    args.out.write_text(json.dumps(res, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
