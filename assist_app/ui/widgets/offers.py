"""Promotions with the best-price line, the knowledge-base answer, and the ticket / retention actions."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton

from assist_app.domain import yuan
from assist_app.ui.viewmodel import ConversationView
from assist_app.ui.widgets.common import Card, clear_layout, wrap_label

MAX_PROMOS = 5


class PromotionsCard(Card):
    insert = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._conv: ConversationView | None = None
        self._line = ""
        self._key: tuple = ()
        self.send_btn = QPushButton()
        self.send_btn.clicked.connect(lambda: self._line and self.insert.emit(self._line))
        self.title_row.addWidget(self.send_btn)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(QCoreApplication.translate("Offers", "优惠与到手价"))
        self.send_btn.setText(QCoreApplication.translate("Offers", "插入到手价"))
        self.show_conversation(self._conv)

    def show_conversation(self, conv: ConversationView | None) -> None:
        self._conv = conv
        ctx = conv.context if conv else None
        quote = getattr(conv.assist, "best_price", None) if conv else None
        key = (id(ctx), quote, QCoreApplication.translate("Offers", "当前无可用活动"))
        if key == self._key:
            return   # unchanged: skip re-creating the labels (this runs on every analysed message)
        self._key = key
        clear_layout(self.body)
        self._line = quote.line if quote is not None and quote.line else ""
        self.send_btn.setEnabled(bool(self._line))
        if quote is not None:
            head = QCoreApplication.translate("Offers", "到手价 ¥%1（原价 ¥%2，省 ¥%3）").replace("%1", yuan(quote.pay_fen)).replace(
                "%2", yuan(quote.list_fen)).replace("%3", yuan(quote.saved_fen))
            lab = wrap_label(head)
            lab.setStyleSheet("font-weight: bold; color: #d4380d;")
            self.body.addWidget(lab)
            if quote.line:
                self.body.addWidget(wrap_label(quote.line, selectable=True))
        promos = list(ctx.promotions) if ctx else []
        used = set(quote.promo_ids) if quote is not None else set()
        promos.sort(key=lambda p: p.promo_id not in used)
        for p in promos[:MAX_PROMOS]:
            mark = "✔ " if p.promo_id in used else "· "
            extra = ""
            if p.ends_at is not None:
                extra = QCoreApplication.translate("Offers", "（至 %1）").replace("%1", p.ends_at.strftime("%m-%d"))
            self.body.addWidget(wrap_label(mark + p.title + extra, "" if p.promo_id in used else "Muted"))
        if not promos and quote is None:
            self.body.addWidget(wrap_label(QCoreApplication.translate("Offers", "当前无可用活动"), "Muted"))


class KnowledgeCard(Card):
    insert = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._conv: ConversationView | None = None
        self._answer = ""
        self.insert_btn = QPushButton()
        self.insert_btn.clicked.connect(lambda: self._answer and self.insert.emit(self._answer))
        self.title_row.addWidget(self.insert_btn)
        self.kb_title = wrap_label()
        self.kb_title.setStyleSheet("font-weight: bold;")
        self.answer = wrap_label(selectable=True)
        self.source = wrap_label(object_name="Muted")
        for w in (self.kb_title, self.answer, self.source):
            self.body.addWidget(w)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(QCoreApplication.translate("Knowledge", "知识库"))
        self.insert_btn.setText(QCoreApplication.translate("Knowledge", "插入"))
        self.show_conversation(self._conv)

    def show_conversation(self, conv: ConversationView | None) -> None:
        self._conv = conv
        kb = getattr(conv.assist, "kb_answer", None) if conv else None
        self._answer = kb.answer if kb is not None else ""
        self.insert_btn.setEnabled(bool(self._answer))
        if kb is None:
            self.kb_title.setText(QCoreApplication.translate("Knowledge", "无匹配条目"))
            self.answer.setText("")
            self.source.setText("")
            self.answer.hide()
            self.source.hide()
            return
        self.kb_title.setText(kb.title)
        self.answer.setText(kb.answer)
        self.source.setText(QCoreApplication.translate("Knowledge", "来源：%1").replace("%1", kb.entry_id))
        self.answer.show()
        self.source.show()


class ActionsCard(Card):
    """Ticket (sends the engine's draft as `ticket.create`) and retention offer (inserted into the input)."""

    ticket = Signal(object)   # core.TicketDraft
    insert = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._conv: ConversationView | None = None
        row = QHBoxLayout()
        self.ticket_btn = QPushButton()
        self.retention_btn = QPushButton()
        row.addWidget(self.ticket_btn)
        row.addWidget(self.retention_btn)
        self.body.addLayout(row)
        self.detail = wrap_label(object_name="Muted")
        self.body.addWidget(self.detail)
        self.ticket_btn.clicked.connect(self._on_ticket)
        self.retention_btn.clicked.connect(self._on_retention)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(QCoreApplication.translate("Actions", "处理"))
        self.ticket_btn.setText(QCoreApplication.translate("Actions", "创建工单"))
        self.retention_btn.setText(QCoreApplication.translate("Actions", "挽留方案"))
        self.show_conversation(self._conv)

    def show_conversation(self, conv: ConversationView | None) -> None:
        self._conv = conv
        a = conv.assist if conv else None
        t = getattr(a, "ticket", None)
        r = getattr(a, "retention", None)
        self.ticket_btn.setEnabled(t is not None)
        self.retention_btn.setEnabled(r is not None and r.kind != "none")
        lines = []
        if t is not None:
            lines.append(QCoreApplication.translate("Actions", "工单：%1").replace("%1", t.title)
                         + (QCoreApplication.translate("Actions", "（待补充：%1）").replace("%1", "、".join(t.missing)) if t.missing else ""))
        if r is not None and r.kind != "none":
            lines.append(QCoreApplication.translate("Actions", "挽留：%1").replace("%1", r.text))
        self.detail.setText("\n".join(lines))
        self.detail.setVisible(bool(lines))

    def set_ticket_result(self, text: str) -> None:
        self.detail.setText(text)
        self.detail.show()

    def _on_ticket(self) -> None:
        t = getattr(self._conv.assist, "ticket", None) if self._conv else None
        if t is not None:
            self.ticket.emit(t)

    def _on_retention(self) -> None:
        r = getattr(self._conv.assist, "retention", None) if self._conv else None
        if r is not None and r.text:
            self.insert.emit(r.text)
