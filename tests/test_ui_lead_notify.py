"""Notifications: an alert storm gives one sound and a few toasts, the feed still lists every alert."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from assist_app.lead.alerts import AlertPolicy
from assist_app.ui.lead.notify import Notifier
from assist_app.ui.lead.panels import AlertFeed


def test_alert_storm_is_one_beep_and_a_few_toasts(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(1200, 800)
    host.show()
    n = Notifier(host, sound=True, use_tray=False)
    feed = AlertFeed()
    qtbot.addWidget(feed)
    policy = AlertPolicy()
    for i in range(25):  # 25 chats turn critical within 2.5 s
        d = policy.observe(f"c{i}", "critical", 90, ["客户生气：人呢？？"], now=100 + i * 0.1, agent_id="a1",
                           customer=f"tb_{i}")
        feed.add(d.alert)
        n.notify(d, "zh")
    assert n.beeps == 1
    assert n.shown == 3 and n.toast.isVisible() and "tb_2" in n.toast.text()
    assert len(feed.active()) == 25 and feed.count.text() == "25"
    # quiet for a while: the next critical is heard again
    d = policy.observe("late", "critical", 90, ["威胁差评"], now=130, customer="tb_late")
    n.notify(d, "en")
    assert n.beeps == 2 and "Critical: tb_late" in n.toast.text()
    n.sound_enabled = False
    d = policy.observe("later", "critical", 90, ["威胁差评"], now=200, customer="tb_later")
    n.notify(d, "zh")
    assert d.sound and n.beeps == 2  # the policy allowed it, the lead muted it
    feed.remove("c3")
    assert len(feed.active()) == 25 - 1 and feed.list.count() == 24
