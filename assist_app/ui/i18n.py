"""Run-time language switching with Qt translations.

Source strings are Simplified Chinese (the default UI language); `resources/i18n/assist_en.ts` holds the English
translations, compiled to `assist_en.qm` with `pyside6-lrelease` (the .qm is committed). Switching installs or
removes the QTranslator; Qt then sends LanguageChange to every widget, whose `retranslate()` re-reads its texts.
Regenerate after editing UI strings: `python -m assist_app.ui.i18n --update` (lupdate + lrelease).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTranslator, Signal

from assist_app.nlp.labels import EMOTION_EN, EMOTION_ZH, INTENT_EN, INTENT_ZH
from assist_app.ui.runtime import RESOURCES

I18N_DIR = RESOURCES / "i18n"
LANGUAGES = ("zh", "en")


class LanguageManager(QObject):
    """Owns the active QTranslator; `changed(lang)` fires after every switch."""

    changed = Signal(str)

    def __init__(self, lang: str = "zh", parent: QObject | None = None):
        super().__init__(parent)
        self._lang = "zh"
        self._translator: QTranslator | None = None
        self.set_language(lang)

    @property
    def lang(self) -> str:
        return self._lang

    def set_language(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        if lang != "zh":
            qm = I18N_DIR / f"assist_{lang}.qm"
            tr = QTranslator(self)
            if not tr.load(str(qm)):
                raise FileNotFoundError(f"translation file missing or unreadable: {qm}")
            if app is not None:
                app.installTranslator(tr)
            self._translator = tr
        changed = lang != self._lang
        self._lang = lang
        if changed:
            self.changed.emit(lang)

    def toggle(self) -> str:
        self.set_language("en" if self._lang == "zh" else "zh")
        return self._lang


def intent_name(intent: str, lang: str) -> str:
    return (INTENT_EN if lang == "en" else INTENT_ZH).get(intent, intent)


def emotion_name(emotion: str, lang: str) -> str:
    return (EMOTION_EN if lang == "en" else EMOTION_ZH).get(emotion, emotion)


def order_state_name(state: str) -> str:
    names = {
        "unpaid": QCoreApplication.translate("Orders", "待付款"),
        "paid": QCoreApplication.translate("Orders", "待发货"),
        "shipped": QCoreApplication.translate("Orders", "运输中"),
        "signed": QCoreApplication.translate("Orders", "已签收"),
        "completed": QCoreApplication.translate("Orders", "交易成功"),
        "refunding": QCoreApplication.translate("Orders", "退款中"),
        "returned": QCoreApplication.translate("Orders", "已退货退款"),
        "cancelled": QCoreApplication.translate("Orders", "已取消"),
    }
    return names.get(state, state)


def channel_name(channel: str) -> str:
    names = {"taobao": QCoreApplication.translate("Channel", "淘宝"), "tmall": QCoreApplication.translate("Channel", "天猫"),
             "jd": QCoreApplication.translate("Channel", "京东"), "web": QCoreApplication.translate("Channel", "官网")}
    return names.get(channel, channel)


def risk_level_name(level: str) -> str:
    names = {"info": QCoreApplication.translate("Risk", "正常"), "warn": QCoreApplication.translate("Risk", "注意"), "critical": QCoreApplication.translate("Risk", "需升级")}
    return names.get(level, level)


def update_translations() -> None:
    """Developer helper: refresh the .ts from the sources, then compile the .qm files."""
    bindir = Path(sys.executable).parent
    ui_dir = Path(__file__).resolve().parent
    sources = sorted(str(p) for p in ui_dir.rglob("*.py") if "lead" not in p.parts)
    for lang in LANGUAGES[1:]:
        ts = I18N_DIR / f"assist_{lang}.ts"
        subprocess.run([str(bindir / "pyside6-lupdate"), *sources, "-no-obsolete", "-locations", "none",
                        "-ts", str(ts)], check=True)
        subprocess.run([str(bindir / "pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)


if __name__ == "__main__":
    if "--update" in sys.argv:
        update_translations()
