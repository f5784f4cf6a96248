"""Order panel: orders newest first with items, amounts, state, logistics timeline and deadlines."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout

from assist_app.domain import Order, yuan
from assist_app.ui.i18n import order_state_name
from assist_app.ui.viewmodel import ConversationView, order_deadlines
from assist_app.ui.widgets.common import Card, clear_layout, wrap_label

MAX_ORDERS = 4
MAX_EVENTS = 4


def _fmt(dt: datetime | None) -> str:
    if dt is None:
        return "—"
    dt = dt.astimezone()
    # a one-year warranty must not read like last week's date
    return dt.strftime("%m-%d %H:%M") if dt.year == datetime.now().year else dt.strftime("%Y-%m-%d")


def deadline_name(kind: str) -> str:
    return {
        "no_reason_return": QCoreApplication.translate("Orders", "七天无理由截止"),
        "price_protection": QCoreApplication.translate("Orders", "价保截止"),
        "warranty": QCoreApplication.translate("Orders", "保修至"),
        "exchange": QCoreApplication.translate("Orders", "换货截止"),
    }.get(kind, kind)


class OrderBlock(QFrame):
    def __init__(self, order: Order, deadlines: list, focused: bool, now: datetime, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.setSpacing(2)
        head = QHBoxLayout()
        oid = QLabel(("▶ " if focused else "") + order.order_id)
        oid.setStyleSheet("font-weight: bold;")
        state = QLabel(order_state_name(order.state))
        state.setStyleSheet("font-weight: bold; color: #3370ff;" if order.state in ("paid", "shipped")
                            else "font-weight: bold; color: #e5484d;" if order.state == "refunding" else
                            "font-weight: bold;")
        head.addWidget(oid)
        head.addStretch(1)
        head.addWidget(state)
        lay.addLayout(head)
        paid = QCoreApplication.translate("Orders", "实付 ¥%1").replace("%1", yuan(order.paid_fen))
        if order.paid_fen != order.total_fen:
            paid += QCoreApplication.translate("Orders", "（原价 ¥%1）").replace("%1", yuan(order.total_fen))
        sub = wrap_label(f"{paid} · {_fmt(order.paid_at or order.created_at)}"
                         + (f" · {order.coupon_used}" if order.coupon_used else ""), "Muted")
        lay.addWidget(sub)
        for it in order.items:
            lay.addWidget(wrap_label(f"• {it.name}（{it.spec}）×{it.quantity}  ¥{yuan(it.paid_fen)}"))
        if order.carrier or order.tracking_no:
            lay.addWidget(wrap_label(f"{order.carrier} {order.tracking_no}".strip()
                                     + (QCoreApplication.translate("Orders", " · 预计 %1").replace("%1", _fmt(order.eta)) if order.eta and
                                        order.state == "shipped" else ""), "Muted"))
        events = sorted(order.logistics, key=lambda e: e.time, reverse=True)[:MAX_EVENTS]
        for i, ev in enumerate(events):
            dot = "●" if i == 0 else "○"
            lab = wrap_label(f"{dot} {_fmt(ev.time)}  {ev.status}  {ev.detail}")
            if i:
                lab.setObjectName("Muted")
            lay.addWidget(lab)
        for d in deadlines:
            until = getattr(d, "until", None) or d.deadline
            text = f"{deadline_name(d.kind)} {_fmt(until)}"
            if getattr(d, "expired", False) or until < now:
                text += QCoreApplication.translate("Orders", "（已过期）")
            lab = wrap_label(text)
            lab.setStyleSheet("color: #8a9099;" if until < now else "color: #d46b08;")
            lay.addWidget(lab)


class OrdersCard(Card):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._conv: ConversationView | None = None
        self._now: datetime | None = None
        self._shown_key: tuple = ()
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(QCoreApplication.translate("Orders", "订单"))
        self._shown_key = ()
        self.show_conversation(self._conv, self._now)

    def show_conversation(self, conv: ConversationView | None, now: datetime | None = None) -> None:
        self._conv, self._now = conv, now
        ctx = conv.context if conv else None
        focus = tuple(getattr(conv.assist, "orders_in_focus", []) or []) if conv else ()
        key = (id(ctx), focus, conv.conversation_id if conv else "")
        if key == self._shown_key:
            return  # rebuilding the blocks is the costliest paint; skip when nothing changed
        self._shown_key = key
        clear_layout(self.body)
        if ctx is None:
            self.body.addWidget(wrap_label(QCoreApplication.translate("Orders", "等待客户资料…"), "Muted"))
            return
        orders = sorted(ctx.orders, key=lambda o: o.created_at.timestamp() if o.created_at else 0.0, reverse=True)
        if not orders:
            self.body.addWidget(wrap_label(QCoreApplication.translate("Orders", "该客户暂无订单"), "Muted"))
            return
        # orders the customer is talking about first, then newest first
        orders.sort(key=lambda o: o.order_id not in focus)
        now = now or datetime.now().astimezone()
        products = {p.sku: p for p in ctx.products}
        elig = list(getattr(conv.assist, "eligibility", []) or [])
        for i, order in enumerate(orders[:MAX_ORDERS]):
            from_engine = [e for e in elig if e.order_id == order.order_id and e.eligible and e.deadline]
            deadlines = from_engine or order_deadlines(order, products, now)
            if i:
                sep = QFrame()
                sep.setFrameShape(QFrame.Shape.HLine)
                sep.setStyleSheet("color: #d0d4da;")
                self.body.addWidget(sep)
            self.body.addWidget(OrderBlock(order, _dedupe(deadlines), order.order_id in focus, now))
        if len(orders) > MAX_ORDERS:
            self.body.addWidget(wrap_label(QCoreApplication.translate("Orders", "另有 %1 个更早的订单").replace(
                "%1", str(len(orders) - MAX_ORDERS)), "Muted"))


def _dedupe(deadlines: list) -> list:
    seen, out = set(), []
    for d in deadlines:
        k = (d.kind, d.deadline if hasattr(d, "deadline") else d.until)
        if k in seen:
            continue
        seen.add(k)
        out.append(d)
    return out
