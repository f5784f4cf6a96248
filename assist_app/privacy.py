"""Masking of personal data (phone numbers, names, addresses) before anything reaches a log.

Chat text is full of it: customers type their phone number and address to change a delivery, and nicks or
receiver names show up in events. Logs keep enough to debug (first/last digits, the province) and no more.
Pure functions plus one `logging.Filter` so every handler of the app gets the same rule.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

# mainland mobile numbers, optionally +86 / spaced / dashed; landlines like 0571-88886666
_PHONE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)")
# an address: from a province/city/district word up to the house/room number
_ADDRESS = re.compile(
    r"(?P<head>[\u4e00-\u9fff]{2,8}?(?:省|自治区|市))"
    r"(?P<rest>[\u4e00-\u9fff0-9A-Za-z\-#()（）]{2,60}?(?:号楼|号院|号|室|栋|单元|弄|村|小区|大厦|公寓|路|街|道))"
    r"(?:[0-9A-Za-z\-#()（）\u4e00-\u9fff]{0,20}?(?:号楼|号|室|栋|单元))*"
)
# "我叫张三" / "收件人：李四" / "联系人 王小明" / "姓名: 赵六"
_NAME_CUE = re.compile(r"(我叫|我是|收件人|收货人|联系人|姓名|名字)([:：\s]*)([\u4e00-\u9fff]{2,4})")
# sensitive keys in dicts / JSON-ish log payloads
_SENSITIVE_KEYS = frozenset({"phone", "name", "address", "receiver", "mobile", "tel", "nick"})

_EXTRA_NAMES: set[str] = set()


def register_names(names: Iterable[str]) -> None:
    """Known personal names (e.g. the store's customer names) that are masked wherever they appear."""
    for n in names:
        if n and len(n) >= 2:
            _EXTRA_NAMES.add(n)


def mask_name(name: str) -> str:
    """张三丰 -> 张**; tb_小鹿 -> t***."""
    if not name:
        return name
    return name[0] + "*" * max(1, min(len(name) - 1, 4))


def mask_phone(text: str) -> str:
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****", text)


def mask_address(text: str) -> str:
    return _ADDRESS.sub(lambda m: f"{m.group('head')}***", text)


def mask_names(text: str) -> str:
    text = _NAME_CUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{mask_name(m.group(3))}", text)
    for n in sorted(_EXTRA_NAMES, key=len, reverse=True):
        if n in text:
            text = text.replace(n, mask_name(n))
    return text


def mask_text(text: str) -> str:
    """All rules on free text (phone first: addresses contain digits too)."""
    if not text:
        return text
    return mask_names(mask_address(mask_phone(text)))


def mask_value(v: Any, key: str = "") -> Any:
    """Mask a JSON-like value; values under sensitive keys are masked whole."""
    if isinstance(v, str):
        if key in _SENSITIVE_KEYS:
            if key in ("phone", "mobile", "tel"):
                digits = re.sub(r"\D", "", v)
                return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "***"
            if key == "address":
                return mask_address(v) if _ADDRESS.search(v) else (v[:2] + "***" if v else v)
            return mask_name(v)
        return mask_text(v)
    if isinstance(v, dict):
        return {k: mask_value(x, str(k)) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [mask_value(x, key) for x in v]
    return v


class MaskingFilter(logging.Filter):
    """Masks the formatted message and any structured ``fields`` extra of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not kill logging
            msg = str(record.msg)
        record.msg = mask_text(msg)
        record.args = ()
        f = getattr(record, "fields", None)
        if isinstance(f, dict):
            record.fields = mask_value(f)
        return True
