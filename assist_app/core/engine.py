"""`assist(state, context, now)`: everything the agent sees for one chat, decided in one pure function.

Order of work: labels → topic and orders in focus → eligibility, best price, KB, retention → slots → replies,
risk, ticket. Nothing here blocks on I/O (templates/policy are loaded once and cached).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from assist_app.core import kb as kbm
from assist_app.core import retention as rt
from assist_app.core import risk as rk
from assist_app.core import tickets as tk
from assist_app.core.eligibility import fmt_dt, order_eligibility
from assist_app.core.pricing import CartLine, best_price, member_eligible
from assist_app.core.replies import Situation, rank
from assist_app.core.state import ConversationState
from assist_app.core.templates import Policy, load_policy, load_replies
from assist_app.core.types import Assist, Eligibility, KbAnswer, PriceQuote, RetentionOffer
from assist_app.domain import CustomerContext, Order, Product, yuan

STATE_ZH = {"unpaid": "待付款", "paid": "已付款待发货", "shipped": "已发货运输中", "signed": "已签收",
            "completed": "交易成功", "refunding": "退款中", "returned": "已退货退款", "cancelled": "已取消"}
STATE_EN = {"unpaid": "awaiting payment", "paid": "paid, waiting to ship", "shipped": "in transit",
            "signed": "delivered", "completed": "completed", "refunding": "refund in progress",
            "returned": "returned and refunded", "cancelled": "cancelled"}
PRICE_TOPICS = frozenset({"price_promo", "bargain", "recommendation", "product_info", "stock", "membership"})
KB_TOPICS = frozenset({"product_info", "recommendation", "stock", "membership", "install_repair", "return_refund",
                       "invoice", "price_promo", "shipping_urge", "logistics", "cancel_order", "order_change",
                       "payment", "quality_issue", "bargain", "other"})
# General questions, where the knowledge base's answer to the very question beats a template.
KB_FIRST_TOPICS = frozenset({"product_info", "recommendation", "stock", "membership", "install_repair", "invoice",
                             "price_promo", "payment", "other"})


def current_topic(state: ConversationState) -> str:
    last = state.last
    topic = state.open_topic
    if last is not None and last.intent in ("thanks_bye", "greeting") and (not topic or last.intent == "thanks_bye"):
        return last.intent
    return topic or (last.intent if last is not None else "other")


def product_in_question(state: ConversationState, context: CustomerContext, focus: list[Order]) -> Product | None:
    """The product the customer is asking about: named in recent messages, else the focus order's first item."""
    recent = " ".join(t.text for t, _ in state.customer_turns[-3:])
    best: tuple[int, Product] | None = None
    for p in context.products:
        score = 0
        if p.sku in recent:
            score = 100
        elif p.category and p.category in recent:
            score = len(p.category)
            score += sum(2 for w in _name_words(p.name) if w in recent)
        if score and (best is None or score > best[0]):
            best = (score, p)
    if best:
        return best[1]
    if focus and focus[0].items:
        sku = focus[0].items[0].sku
        return next((p for p in context.products if p.sku == sku), None)
    return None


def _name_words(name: str) -> list[str]:
    return [w for w in name.replace("拓路者", " ").split() if len(w) >= 2]


def _price_quote(topic: str, product: Product | None, focus: list[Order], context: CustomerContext,
                 now: datetime, lang: str) -> PriceQuote | None:
    if not context.promotions:
        return None
    if product is not None and (topic in PRICE_TOPICS or not focus):
        return best_price([CartLine.of(product)], context.promotions, context.customer, now, lang)
    if focus and focus[0].state == "unpaid":
        return best_price(focus[0].items, context.promotions, context.customer, now, lang)
    if product is not None:
        return best_price([CartLine.of(product)], context.promotions, context.customer, now, lang)
    return None


def _first(elig: list[Eligibility], kind: str) -> Eligibility | None:
    return next((e for e in elig if e.kind == kind), None)


def build_slots(state: ConversationState, context: CustomerContext, now: datetime, lang: str, policy: Policy,
                focus: list[Order], product: Product | None, elig: list[Eligibility], quote: PriceQuote | None,
                kb: KbAnswer | None, offer: RetentionOffer | None) -> dict[str, str | None]:
    names = STATE_ZH if lang == "zh" else STATE_EN
    o = focus[0] if focus else None
    s: dict[str, str | None] = {
        "ship_promise": policy.ship_promise or None, "refund_eta": policy.refund_eta or None,
        "invoice_options": policy.invoice_options or None, "install_promise": policy.install_promise or None,
        "member_level": context.customer.member_level or None, "points": str(context.customer.points),
        "best_price": quote.line if quote and quote.promo_ids else None,
        "kb_answer": kb.answer if kb else None, "_source_product.kb": kb.entry_id if kb else None,
        "_source_price.best": ",".join(quote.promo_ids) if quote else None,
        "retention_offer": offer.text if offer and offer.kind != "none" else None,
    }
    member = [p for p in context.promotions if p.kind == "member_price" and p.member_levels
              and member_eligible(p, context.customer)]
    s["member_price"] = member[0].title if member else None
    if product is not None:
        s["product_name"] = product.name
        s["product_specs"] = "，".join(f"{k}{v}" for k, v in list(product.specs.items())[:5]) or None
        s["size_chart"] = "；".join(f"{k} {v}" for k, v in list(product.size_chart.items())[:4]) or None
    if o is not None:
        last = o.logistics[-1] if o.logistics else None
        s.update({
            "order_id": o.order_id, "order_state": names.get(o.state, o.state),
            "items": "、".join(i.name for i in o.items[:2]) + ("等" if len(o.items) > 2 else ""),
            "carrier": o.carrier or None, "tracking_no": o.tracking_no or None,
            "last_event": last.detail or last.status if last else None,
            "last_event_time": fmt_dt(last.time, lang) if last else None,
            "eta": fmt_dt(o.eta, lang) or None, "paid_at": fmt_dt(o.paid_at, lang) or None,
            "signed_at": fmt_dt(o.signed_at, lang) or None, "paid": yuan(o.paid_fen),
            "pay_deadline": fmt_dt(o.created_at + timedelta(days=1), lang) if o.created_at else None,
        })
        nr, ex, wa, pp = (_first(elig, k) for k in ("no_reason_return", "exchange", "warranty", "price_protection"))
        if nr is not None and nr.deadline is not None:
            s["return_deadline"], s["return_rule"] = fmt_dt(nr.deadline, lang), nr.rule
        if ex is not None and ex.deadline is not None:
            s["exchange_deadline"] = fmt_dt(ex.deadline, lang)
        if wa is not None and wa.deadline is not None and wa.eligible:
            s["warranty_deadline"] = fmt_dt(wa.deadline, lang)
        if pp is not None and pp.deadline is not None:
            s["price_protect_deadline"] = fmt_dt(pp.deadline, lang)
            if pp.eligible:
                s["price_protect_amount"] = yuan(pp.amount_fen)
    return s


def situation_flags(elig: list[Eligibility], focus: list[Order], context: CustomerContext) -> dict[str, object]:
    flags: dict[str, object] = {}
    nr, ex, wa, pp = (_first(elig, k) for k in ("no_reason_return", "exchange", "warranty", "price_protection"))
    if nr is not None and nr.deadline is not None:
        flags["no_reason"] = "open" if nr.eligible else "closed"
    elif nr is not None and not nr.eligible:
        flags["no_reason"] = "closed"
    if ex is not None:
        flags["exchange"] = "open" if ex.eligible else "closed"
    if wa is not None and wa.deadline is not None:
        flags["warranty"] = "open" if wa.eligible else "closed"
    if pp is not None and pp.deadline is not None:
        flags["price_protect"] = "open" if pp.eligible else ("expired" if pp.detail == "价保已过期" else "none")
    if focus:
        needs = {p.sku for p in context.products if p.needs_installation}
        flags["installation"] = any(i.sku in needs for i in focus[0].items)
    return flags


def live_signals(state: ConversationState, context: CustomerContext, focus: list[Order], now: datetime,
                 policy: Policy) -> dict[str, float]:
    return {
        "vip": float(rt.is_vip(context.customer, policy)),
        "big_order": float(any(o.paid_fen >= policy.big_order_fen for o in (focus or context.orders[:1]))),
        "wait_min": state.wait_s(now) / 60.0,
    }


def assist(state: ConversationState, context: CustomerContext, now: datetime, lang: str = "zh") -> Assist:
    policy = load_policy()
    replies = load_replies(lang)
    last = state.last
    topic = current_topic(state)
    emotion = last.emotion if last is not None else "neutral"
    focus = state.orders_in_focus(context.orders)
    order = focus[0] if focus else None
    product = product_in_question(state, context, focus)
    elig = (order_eligibility(order, context.products, policy, now, context.promotions, context.customer)
            if order is not None else [])
    quote = _price_quote(topic, product, focus, context, now, lang)
    query = " ".join(t.text for t, _ in state.customer_turns[-2:]) if state.customer_turns else ""
    kb = kbm.answer(query, context.knowledge, context.products, topic) if topic in KB_TOPICS else None
    order_value = order.paid_fen if order is not None else (quote.pay_fen if quote else 0)
    offer = rt.offer(topic, " ".join(t.text for t, _ in state.customer_turns[-3:]), order_value,
                     context.customer, policy, lang)
    slots = build_slots(state, context, now, lang, policy, focus, product, elig, quote, kb, offer)
    if kb is not None and kb.coverage >= kbm.STRONG_COVERAGE and topic in KB_FIRST_TOPICS:
        slots["_kb_strong"] = "1"   # the KB answers this very question; order-bound topics keep order replies first
    sit = Situation(topic=topic, emotion=emotion, order_state=order.state if order else "",
                    flags=situation_flags(elig, focus, context), text=state.last_text)
    suggestions = rank(replies, sit, slots)
    risk = rk.score(rk.extract(state.risk_turns()), live_signals(state, context, focus, now, policy), lang=lang)
    texts = [t.text for t, _ in state.customer_turns]
    ticket = tk.draft(state.conversation_id, topic, texts, emotion, order, context, risk, lang)
    if ticket is None and risk.level == "critical":
        ticket = tk.draft(state.conversation_id, topic, texts, emotion, order, context, risk, lang,
                          force_kind="complaint")
    return Assist(
        intent=last.intent if last is not None else "other",
        intent_confidence=round(last.intent_confidence, 3) if last is not None else 0.0,
        uncertain=last.uncertain if last is not None else True,
        emotion=emotion, emotion_trend=list(state.trend), risk=risk, replies=suggestions, open_topic=topic,
        wait_s=state.wait_s(now), orders_in_focus=[o.order_id for o in focus], best_price=quote,
        eligibility=elig, kb_answer=kb, retention=offer, ticket=ticket,
    )
