"""Header of the selected chat: customer, member level, VIP tags, repurchases, emotion trend, intent."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPointF, QSize, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from assist_app.ui.i18n import channel_name, emotion_name, intent_name
from assist_app.ui.theme import PALETTES, Palette
from assist_app.ui.viewmodel import ConversationView
from assist_app.ui.widgets.common import Card, chip, clear_layout


class Sparkline(QWidget):
    """Smoothed negative-emotion score per customer message (0 calm … 1 upset), oldest left."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.values: list[float] = []
        self.palette_: Palette = PALETTES["light"]
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(60)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(120, 26)

    def set_values(self, values: list[float]) -> None:
        self.values = [max(0.0, min(1.0, float(v))) for v in values][-30:]
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        # end the painter explicitly: anything holding this frame (a profiler, a traceback) would otherwise keep
        # it active past the paint and Qt warns "endPaint() called with active painter"
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()

    def _paint(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.rect().adjusted(2, 3, -2, -3)
        pal = self.palette_
        p.setPen(QPen(pal.muted.lighter(150), 1, Qt.PenStyle.DotLine))
        p.drawLine(r.left(), r.center().y(), r.right(), r.center().y())
        vals = self.values
        if not vals:
            return
        n = len(vals)
        step = r.width() / max(1, n - 1)
        pts = [QPointF(r.left() + i * step if n > 1 else r.center().x(), r.bottom() - v * r.height())
               for i, v in enumerate(vals)]
        path = QPainterPath(pts[0])
        for pt in pts[1:]:
            path.lineTo(pt)
        fill = QPainterPath(path)
        fill.lineTo(pts[-1].x(), r.bottom())
        fill.lineTo(pts[0].x(), r.bottom())
        p.fillPath(fill, pal.spark_fill)
        last = vals[-1]
        color = pal.risk["critical"] if last >= 0.66 else pal.risk["warn"] if last >= 0.33 else pal.spark_line
        p.setPen(QPen(color, 2))
        p.drawPath(path)
        p.setBrush(color)
        p.drawEllipse(pts[-1], 3, 3)


class HeaderCard(Card):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._conv: ConversationView | None = None
        self._lang = "zh"
        self.classifier_available = True
        self._tags_key: tuple = ()
        self.nick = QLabel()
        self.nick.setObjectName("Nick")
        self.title_row.insertWidget(0, self.nick)
        self.title.hide()
        self.level = QLabel()
        self.title_row.insertWidget(1, self.level)
        self.tags_row = QHBoxLayout()
        self.tags_row.setSpacing(4)
        self.body.addLayout(self.tags_row)
        trend_row = QHBoxLayout()
        self.trend_label = QLabel()
        self.trend_label.setObjectName("Muted")
        self.spark = Sparkline()
        trend_row.addWidget(self.trend_label)
        trend_row.addWidget(self.spark, 1)
        self.body.addLayout(trend_row)
        intent_row = QHBoxLayout()
        self.intent_label = QLabel()
        self.intent_label.setObjectName("Muted")
        self.intent = QLabel()
        self.intent.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.emotion = QLabel()
        intent_row.addWidget(self.intent_label)
        intent_row.addWidget(self.intent, 1)
        intent_row.addWidget(self.emotion)
        self.body.addLayout(intent_row)
        self.retranslate()

    def _build_tags(self, conv: ConversationView | None, cust) -> None:
        clear_layout(self.tags_row)
        if conv is None:
            return
        if cust:
            for tag in cust.tags:
                self.tags_row.addWidget(chip(tag, vip=tag in ("88VIP", "PLUS")))
            self.tags_row.addWidget(chip(QCoreApplication.translate("Header", "复购 %1 次").replace(
                "%1", str(cust.repurchase_count))))
        if conv.channel or conv.shop:
            ch = QLabel(" · ".join(x for x in (conv.shop, channel_name(conv.channel)) if x))
            ch.setObjectName("Muted")
            self.tags_row.addWidget(ch)
        self.tags_row.addStretch(1)

    def set_palette(self, pal: Palette) -> None:
        self.spark.palette_ = pal
        self.spark.update()

    def set_lang(self, lang: str) -> None:
        self._lang = lang
        self.show_conversation(self._conv)

    def retranslate(self) -> None:
        self.trend_label.setText(QCoreApplication.translate("Header", "情绪走势"))
        self.intent_label.setText(QCoreApplication.translate("Header", "意图"))
        self.show_conversation(self._conv)

    def show_conversation(self, conv: ConversationView | None) -> None:
        self._conv = conv
        cust = conv.context.customer if conv and conv.context else None
        key = (id(cust), conv.conversation_id if conv else "", QCoreApplication.translate("Header", "复购 %1 次"))
        if key != self._tags_key:   # the chips only change with the customer (or language)
            self._tags_key = key
            self._build_tags(conv, cust)
        if conv is None:
            self.nick.setText(QCoreApplication.translate("Header", "未选择会话"))
            self.level.setText("")
            self.intent.setText("—")
            self.emotion.setText("")
            self.spark.set_values([])
            return
        self.nick.setText(conv.nick or conv.customer_id)
        self.level.setText(cust.member_level if cust else "")
        a = conv.assist
        self.spark.set_values(list(getattr(a, "emotion_trend", []) or []))
        pred = conv.prediction
        intent = getattr(a, "intent", None) or (pred.intent if pred else None)
        conf = getattr(a, "intent_confidence", None) if a is not None else (pred.intent_confidence if pred else None)
        uncertain = getattr(a, "uncertain", None) if a is not None else (pred.uncertain if pred else None)
        if intent is None:
            self.intent.setObjectName("Uncertain")
            if not self.classifier_available:
                self.intent.setText(QCoreApplication.translate("Header", "分类器不可用"))
            else:
                self.intent.setText(QCoreApplication.translate("Header", "等待分析…") if conv.lines else "—")
        elif uncertain:
            self.intent.setObjectName("Uncertain")
            # below the confidence floor: no intent name at all (a shown guess gets acted on), only the doubt
            self.intent.setText(QCoreApplication.translate("Header", "不确定") + f" · {conf:.0%}")
            self.intent.setToolTip(QCoreApplication.translate("Header", "置信度低于阈值，不显示意图"))
        else:
            self.intent.setObjectName("")
            self.intent.setText(f"{intent_name(intent, self._lang)}  {conf:.0%}")
            self.intent.setToolTip("")
        self.intent.style().unpolish(self.intent)
        self.intent.style().polish(self.intent)
        emo = conv.emotion
        self.emotion.setText(emotion_name(emo, self._lang) if emo else "")
        pal = self.spark.palette_
        color = pal.emotion.get(emo, pal.muted).name() if emo else pal.muted.name()
        self.emotion.setStyleSheet(f"color: {color}; font-weight: bold;")
