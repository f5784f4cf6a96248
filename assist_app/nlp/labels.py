"""Taxonomy ids (../shared/taxonomy/TAXONOMY.md): the contract between classifier, templates, rules and UI."""

INTENTS: tuple[str, ...] = (
    "greeting", "thanks_bye", "ack", "provide_info", "product_info", "recommendation", "stock",
    "price_promo", "bargain", "payment", "shipping_urge", "logistics", "order_change", "cancel_order",
    "invoice", "return_refund", "refund_progress", "quality_issue", "install_repair", "complaint",
    "escalate_request", "membership", "other",
)
EMOTIONS: tuple[str, ...] = ("neutral", "positive", "anxious", "disappointed", "angry")
NEGATIVE_EMOTIONS = frozenset({"anxious", "disappointed", "angry"})
# rising weight for alerts: anxious < disappointed < angry
EMOTION_WEIGHT = {"neutral": 0.0, "positive": 0.0, "anxious": 1.0, "disappointed": 2.0, "angry": 3.0}

INTENT_ZH = {
    "greeting": "问候", "thanks_bye": "感谢/结束", "ack": "确认/应答", "provide_info": "提供信息",
    "product_info": "商品咨询", "recommendation": "选购推荐", "stock": "库存/到货", "price_promo": "价格/优惠",
    "bargain": "议价/赠品", "payment": "支付", "shipping_urge": "催发货", "logistics": "物流配送",
    "order_change": "修改订单", "cancel_order": "取消订单", "invoice": "发票", "return_refund": "退换货",
    "refund_progress": "退款进度", "quality_issue": "商品问题", "install_repair": "安装/使用/维修",
    "complaint": "投诉/不满", "escalate_request": "要求升级", "membership": "会员/账户", "other": "其他",
}
INTENT_EN = {
    "greeting": "Greeting", "thanks_bye": "Thanks/bye", "ack": "Acknowledge", "provide_info": "Provides info",
    "product_info": "Product question", "recommendation": "Recommendation", "stock": "Stock",
    "price_promo": "Price/promotion", "bargain": "Bargaining", "payment": "Payment",
    "shipping_urge": "Shipping urge", "logistics": "Logistics", "order_change": "Change order",
    "cancel_order": "Cancel order", "invoice": "Invoice", "return_refund": "Return/refund",
    "refund_progress": "Refund progress", "quality_issue": "Quality issue", "install_repair": "Install/repair",
    "complaint": "Complaint", "escalate_request": "Escalation request", "membership": "Membership",
    "other": "Other",
}
EMOTION_ZH = {"neutral": "平静", "positive": "满意", "anxious": "着急", "disappointed": "失望", "angry": "生气"}
EMOTION_EN = {"neutral": "Neutral", "positive": "Positive", "anxious": "Anxious",
              "disappointed": "Disappointed", "angry": "Angry"}
