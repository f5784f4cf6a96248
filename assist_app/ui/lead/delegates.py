"""Custom painting for the ranking table: a coloured risk chip and an emotion-trend sparkline."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from assist_app.ui.lead.model import ROW_ROLE
from assist_app.ui.lead.texts import level_name

RISK_COLOR = {"info": QColor("#34a853"), "warn": QColor("#f5a623"), "critical": QColor("#e5484d")}
EMOTION_COLOR = {"neutral": QColor("#8a9099"), "positive": QColor("#34a853"), "anxious": QColor("#f5a623"),
                 "disappointed": QColor("#7c6cf2"), "angry": QColor("#e5484d")}


class RiskDelegate(QStyledItemDelegate):
    def __init__(self, model, parent=None) -> None:
        super().__init__(parent)
        self._model = model

    def paint(self, painter: QPainter, option, index) -> None:
        row = index.data(ROW_ROLE)
        if row is None:
            return super().paint(painter, option, index)
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = RISK_COLOR.get(row.risk_level, RISK_COLOR["info"])
        r = QRectF(option.rect).adjusted(6, 5, -6, -5)
        chip_w = min(r.width(), 36.0)
        chip = QRectF(r.left(), r.top(), chip_w, r.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(chip, 4, 4)
        painter.setPen(QColor("#ffffff"))
        f = painter.font()
        f.setBold(True)
        painter.setFont(f)
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, str(row.risk_score))
        f.setBold(row.alert_level is not None)
        painter.setFont(f)
        painter.setPen(color if row.risk_level != "info" else option.palette.text().color())
        label = level_name(row.risk_level, self._model.lang)
        text_rect = QRectF(chip.right() + 6, r.top(), r.width() - chip_w - 6, r.height())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
        if row.alert_level:  # an unacknowledged alert: a dot after the level word
            x = text_rect.left() + painter.fontMetrics().horizontalAdvance(label) + 6
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(RISK_COLOR[row.alert_level])
            painter.drawEllipse(QPointF(x + 3, r.center().y()), 3.5, 3.5)
        painter.restore()


class TrendDelegate(QStyledItemDelegate):
    """Negative-emotion score per customer message (0 calm … 1 upset), latest emotion name at the right."""

    def paint(self, painter: QPainter, option, index) -> None:
        row = index.data(ROW_ROLE)
        if row is None:
            return super().paint(painter, option, index)
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(option.rect).adjusted(6, 6, -6, -6)
        label = index.data(Qt.ItemDataRole.DisplayRole) or ""
        fm = painter.fontMetrics()
        label_w = fm.horizontalAdvance(label) + 4
        spark = QRectF(r.left(), r.top(), max(10.0, r.width() - label_w - 4), r.height())
        color = EMOTION_COLOR.get(row.emotion or "neutral", EMOTION_COLOR["neutral"])
        pts = row.emotion_trend
        if pts:
            n = len(pts)
            step = spark.width() / max(1, n - 1)
            path = QPainterPath()
            for i, v in enumerate(pts):
                pt = QPointF(spark.left() + (i * step if n > 1 else spark.width() / 2),
                             spark.bottom() - max(0.0, min(1.0, v)) * spark.height())
                if i == 0:
                    path.moveTo(pt)
                else:
                    path.lineTo(pt)
            painter.setPen(QPen(color, 1.8))
            painter.drawPath(path)
            painter.setBrush(color)
            painter.drawEllipse(path.currentPosition(), 2.5, 2.5)
        painter.setPen(color)
        painter.drawText(QRectF(spark.right() + 4, r.top(), label_w, r.height()),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
        painter.restore()
