"""The ranking table model: re-ranking keeps the selected chat selected; filters; row set changes."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QTableView

from assist_app.lead.board import ConversationRow
from assist_app.ui.lead.model import ID_ROLE, ConversationTableModel


def row(cid: str, score: int, level: str = "info", agent: str = "a1") -> ConversationRow:
    return ConversationRow(cid, agent, "u", f"tb_{cid}", "taobao", "shop", 0.0, None, "hi", "customer", 1,
                           "logistics", 0.9, False, "neutral", (0.1,), score, level, (), None)


def test_rerank_moves_rows_and_keeps_selection(qtbot):
    m = ConversationTableModel(clock=lambda: 100.0)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(m)
    m.apply([row("a", 10), row("b", 20), row("c", 30)])
    assert [m.index(i, 0).data(ID_ROLE) for i in range(3)] == ["c", "b", "a"]
    view.selectionModel().setCurrentIndex(m.index(2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
    assert view.currentIndex().data(ID_ROLE) == "a"
    m.apply([replace(row("a", 95, "critical"), alert_level="critical")])  # "a" escalates to the top
    assert [m.index(i, 0).data(ID_ROLE) for i in range(3)] == ["a", "c", "b"]
    assert view.currentIndex().row() == 0 and view.currentIndex().data(ID_ROLE) == "a"
    # a new chat and a closed one change the row set (model reset)
    m.apply([row("d", 50, "warn", agent="a2")], removed=["c"])
    assert [m.index(i, 0).data(ID_ROLE) for i in range(m.rowCount())] == ["a", "d", "b"]
    m.set_filter("a2", None)
    assert [r.conversation_id for r in m.visible()] == ["d"]
    m.set_filter(None, "critical")
    assert [r.conversation_id for r in m.visible()] == ["a"]
    m.set_filter(None, None)
    assert m.index(0, 0).data() == "95 严重" and m.agents() == ["a1", "a2"]
    m.set_language("en")
    assert m.index(0, 0).data() == "95 Critical" and m.index(0, 4).data() == "Logistics"


def test_rows_arriving_and_leaving_keep_selection_and_scroll(qtbot):
    m = ConversationTableModel(clock=lambda: 100.0)
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.setModel(m)
    view.show()
    m.apply([row(f"c{i:03d}", i % 50) for i in range(200)])
    target = m.visible()[120].conversation_id
    view.selectionModel().setCurrentIndex(m.index(120, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
    view.scrollTo(m.index(120, 0))
    scroll = view.verticalScrollBar().value()
    assert scroll > 0
    gone = [r.conversation_id for r in m.visible()[130:140]]
    m.apply([row("new1", 49), row("new2", 0)], removed=gone)
    assert m.rowCount() == 192 and not set(gone) & {r.conversation_id for r in m.visible()}
    assert view.currentIndex().data(ID_ROLE) == target
    assert abs(view.verticalScrollBar().value() - scroll) <= 2  # no jump to the top
