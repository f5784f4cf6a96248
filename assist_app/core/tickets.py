"""工单 drafts (return, complaint, repair, installation) prefilled from the conversation and the order.

The UI sends `TicketDraft.to_dict()` in the protocol's `ticket.create`; the gateway stores it. Private data
(phone, address) is not copied into the draft: the gateway/store already has it by customer and order id.
"""

from __future__ import annotations

from assist_app.core.types import Risk, TicketDraft
from assist_app.domain import CustomerContext, Order
from assist_app.nlp.labels import EMOTION_ZH, INTENT_ZH

TOPIC_TICKET = {
    "return_refund": "return", "refund_progress": "return", "cancel_order": "return",
    "quality_issue": "repair", "install_repair": "repair",
    "complaint": "complaint", "escalate_request": "complaint",
}
TITLE_ZH = {"return": "退货退款", "complaint": "客户投诉", "repair": "售后维修", "installation": "上门安装"}
TITLE_EN = {"return": "Return/refund", "complaint": "Complaint", "repair": "Repair", "installation": "Installation"}


def ticket_kind(topic: str, texts: list[str], order: Order | None, context: CustomerContext) -> str | None:
    kind = TOPIC_TICKET.get(topic)
    if topic == "install_repair" and order is not None:
        needs = {p.sku for p in context.products if p.needs_installation}
        if any(i.sku in needs for i in order.items) and any("安装" in t or "上门" in t for t in texts[-3:]):
            kind = "installation"
    return kind


def draft(conversation_id: str, topic: str, texts: list[str], emotion: str, order: Order | None,
          context: CustomerContext, risk: Risk | None = None, lang: str = "zh",
          force_kind: str | None = None) -> TicketDraft | None:
    """A ticket draft for the open topic (None when the topic needs no ticket). `texts`: customer turns."""
    kind = force_kind or ticket_kind(topic, texts, order, context)
    if kind is None:
        return None
    item = order.items[0] if order and order.items else None
    missing: list[str] = []
    if order is None:
        missing.append("order_id")
    if kind in ("repair", "return") and topic == "quality_issue" and not any("[图片" in t or "图" in t for t in texts):
        missing.append("photo")
    recent = [t.strip() for t in texts[-3:] if t.strip()]
    description = " / ".join(recent)[:300]
    priority = "normal"
    if risk is not None:
        priority = {"critical": "urgent", "warn": "high"}.get(risk.level, "normal")
    if kind == "complaint" and priority == "normal":
        priority = "high"
    titles = TITLE_ZH if lang == "zh" else TITLE_EN
    what = item.name if item else (INTENT_ZH.get(topic, topic) if lang == "zh" else topic)
    fields = {
        "customer_nick": context.customer.nick,
        "member_level": context.customer.member_level,
        "topic": INTENT_ZH.get(topic, topic),
        "emotion": EMOTION_ZH.get(emotion, emotion),
    }
    if order is not None:
        fields.update({"order_state": order.state, "paid": f"{order.paid_fen / 100:.2f}",
                       "carrier": order.carrier, "tracking_no": order.tracking_no})
        if order.signed_at:
            fields["signed_at"] = order.signed_at.isoformat()
    if item is not None:
        fields.update({"item": item.name, "spec": item.spec, "quantity": str(item.quantity)})
    if risk is not None and risk.reasons:
        fields["risk_reasons"] = "；".join(risk.reasons)
    return TicketDraft(kind=kind, conversation_id=conversation_id, customer_id=context.customer.customer_id,
                       order_id=order.order_id if order else "", sku=item.sku if item else "",
                       title=f"{titles[kind]}：{what}", description=description, priority=priority,
                       fields=fields, missing=missing)
