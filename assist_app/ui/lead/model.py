"""Table model of the team's live conversations, ranked by risk, filtered by agent and level.

Rows are immutable `ConversationRow` snapshots from the monitor. Re-ranking keeps the selection and the
scroll position: rows that leave are removed, new ones inserted, then a re-layout moves persistent indexes.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from assist_app.lead.board import ConversationRow, rank
from assist_app.ui.lead import texts as tx

COLUMNS = ("risk", "agent", "customer", "wait", "intent", "trend", "reason", "last")
COL = {c: i for i, c in enumerate(COLUMNS)}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the ConversationRow itself
ID_ROLE = Qt.ItemDataRole.UserRole + 2
_ROOT = QModelIndex()


class ConversationTableModel(QAbstractTableModel):
    def __init__(self, parent=None, clock=time.time) -> None:
        super().__init__(parent)
        self._all: dict[str, ConversationRow] = {}
        self._rows: list[ConversationRow] = []
        self._agent: str | None = None
        self._min_level: str | None = None
        self.lang = "zh"
        self._clock = clock
        self.agent_names: dict[str, str] = {}

    # ---- Qt API ----------------------------------------------------------------------------------------
    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tx.t(f"col_{COLUMNS[section]}", self.lang)
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        r = self._rows[index.row()]
        col = COLUMNS[index.column()]
        if role == ROW_ROLE:
            return r
        if role == ID_ROLE:
            return r.conversation_id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == "reason" and r.risk_reasons:
                return "\n".join(r.risk_reasons)
            if col == "last":
                return r.last_text
            if col == "intent" and r.intent:
                return f"{tx.intent_name(r.intent, self.lang)} ({r.intent_confidence:.0%})"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in ("wait",):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, r: ConversationRow, col: str) -> str:
        lang = self.lang
        if col == "risk":
            return f"{r.risk_score} {tx.level_name(r.risk_level, lang)}"
        if col == "agent":
            name = self.agent_names.get(r.agent_id, r.agent_id)
            return f"{name} · {tx.t('taken_over', lang)}" if r.taken_over_by else name
        if col == "customer":
            return r.nick or r.customer_id
        if col == "wait":
            return tx.format_wait(r.wait_s(self._clock()))
        if col == "intent":
            if r.intent is None:
                return "—"
            if r.uncertain:
                return tx.t("uncertain", lang)
            return tx.intent_name(r.intent, lang)
        if col == "trend":
            return tx.emotion_name(r.emotion, lang)
        if col == "reason":
            return "；".join(r.risk_reasons[:2]) if lang == "zh" else "; ".join(r.risk_reasons[:2])
        if col == "last":
            return " ".join(r.last_text.split())[:60]
        return ""

    # ---- updates ---------------------------------------------------------------------------------------
    def apply(self, rows: tuple[ConversationRow, ...] | list[ConversationRow], removed=()) -> None:
        for r in rows:
            self._all[r.conversation_id] = r
        for cid in removed:
            self._all.pop(cid, None)
        self.rerank()

    def replace_all(self, rows: list[ConversationRow]) -> None:
        self._all = {r.conversation_id: r for r in rows}
        self.rerank()

    def set_filter(self, agent: str | None, min_level: str | None) -> None:
        self._agent, self._min_level = agent or None, min_level or None
        self.rerank()

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self._changed_all()

    def refresh_clock(self) -> None:
        """Wait times grow every second; repaint that column only."""
        if self._rows:
            c = COL["wait"]
            self.dataChanged.emit(self.index(0, c), self.index(len(self._rows) - 1, c))

    def rerank(self) -> None:
        new = rank(self._all.values(), self._clock(), self._agent, self._min_level)
        old_ids = [r.conversation_id for r in self._rows]
        new_ids = [r.conversation_id for r in new]
        if old_ids == new_ids:
            self._rows = new
            self._changed_all()
            return
        keep = set(new_ids)
        changed = sum(1 for i in old_ids if i not in keep) + len(keep - set(old_ids))
        if changed > 50:  # a filter switch: one reset is cheaper than hundreds of row signals
            self.beginResetModel()
            self._rows = new
            self.endResetModel()
            return
        # rows that left (closed, filtered out): remove them one by one, bottom up, so the view keeps its
        # selection and scroll position (a model reset would jump to the top)
        for i in range(len(self._rows) - 1, -1, -1):
            if self._rows[i].conversation_id not in keep:
                self.beginRemoveRows(_ROOT, i, i)
                del self._rows[i]
                self.endRemoveRows()
        # rows that arrived: append, then one re-layout puts everything in rank order
        have = {r.conversation_id for r in self._rows}
        fresh = [r for r in new if r.conversation_id not in have]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(_ROOT, first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()
        self._relayout(new)
        self._changed_all()

    def _changed_all(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    def _relayout(self, new: list[ConversationRow]) -> None:
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_ids = [self._rows[i.row()].conversation_id if 0 <= i.row() < len(self._rows) else None
                   for i in old_persistent]
        self._rows = new
        pos = {r.conversation_id: i for i, r in enumerate(new)}
        new_persistent = [
            self.index(pos[cid], i.column()) if cid in pos else QModelIndex()
            for i, cid in zip(old_persistent, old_ids, strict=True)
        ]
        self.changePersistentIndexList(old_persistent, new_persistent)
        self.layoutChanged.emit()

    # ---- lookups ---------------------------------------------------------------------------------------
    def row_of(self, conversation_id: str) -> int:
        for i, r in enumerate(self._rows):
            if r.conversation_id == conversation_id:
                return i
        return -1

    def conversation(self, conversation_id: str) -> ConversationRow | None:
        return self._all.get(conversation_id)

    def visible(self) -> list[ConversationRow]:
        return list(self._rows)

    def agents(self) -> list[str]:
        return sorted({r.agent_id for r in self._all.values() if r.agent_id})

    def __len__(self) -> int:
        return len(self._all)



