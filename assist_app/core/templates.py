"""The one loader of merchant-editable files: reply templates (zh/en JSON) and the shop policy (TOML).

Files live in `resources/templates/` (override the folder with ASSIST_TEMPLATES_DIR). A broken file raises
TemplateError naming it, so a merchant's typo is reported, not silently ignored.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "resources" / "templates"


class TemplateError(ValueError):
    pass


def templates_dir() -> Path:
    return Path(os.environ.get("ASSIST_TEMPLATES_DIR", DEFAULT_DIR))


@dataclass(frozen=True)
class ReplyTemplate:
    id: str
    intents: tuple[str, ...]          # "*" = any topic
    text: str
    priority: float = 1.0
    ask: tuple[str, ...] = ()          # slots that become a question when missing
    when: dict[str, Any] = field(default_factory=dict)
    cues: tuple[str, ...] = ()         # words in the customer's message that make this reply the likely one


@dataclass(frozen=True)
class ReplySet:
    lang: str
    templates: tuple[ReplyTemplate, ...]
    slot_questions: dict[str, str]


@dataclass(frozen=True)
class Policy:
    no_reason_days: int = 7
    no_reason_exceptions: tuple[str, ...] = ()
    exchange_days: int = 15
    quality_return_days: int = 30
    price_protect_days: int = 15
    price_protect_note: str = ""
    max_coupon_fen: int = 3000
    max_coupon_ratio: float = 0.08
    min_coupon_fen: int = 500
    coupon_step_fen: int = 500
    free_shipping: bool = True
    gifts: tuple[str, ...] = ()
    vip_bonus_ratio: float = 0.0
    ship_promise: str = ""
    refund_eta: str = ""
    invoice_options: str = ""
    install_promise: str = ""
    big_order_fen: int = 100000
    vip_tags: tuple[str, ...] = ()
    vip_levels: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Policy:
        r, pp, rt, sv = (d.get(k, {}) for k in ("returns", "price_protection", "retention", "service"))
        base = cls()
        return cls(
            no_reason_days=int(r.get("no_reason_days", base.no_reason_days)),
            no_reason_exceptions=tuple(r.get("no_reason_exceptions", ())),
            exchange_days=int(r.get("exchange_days", base.exchange_days)),
            quality_return_days=int(r.get("quality_return_days", base.quality_return_days)),
            price_protect_days=int(pp.get("default_days", base.price_protect_days)),
            price_protect_note=str(pp.get("excluded_note", "")),
            max_coupon_fen=int(rt.get("max_coupon_fen", base.max_coupon_fen)),
            max_coupon_ratio=float(rt.get("max_coupon_ratio", base.max_coupon_ratio)),
            min_coupon_fen=int(rt.get("min_coupon_fen", base.min_coupon_fen)),
            coupon_step_fen=max(1, int(rt.get("coupon_step_fen", base.coupon_step_fen))),
            free_shipping=bool(rt.get("free_shipping", base.free_shipping)),
            gifts=tuple(rt.get("gifts", ())),
            vip_bonus_ratio=float(rt.get("vip_bonus_ratio", 0.0)),
            ship_promise=str(sv.get("ship_promise", "")), refund_eta=str(sv.get("refund_eta", "")),
            invoice_options=str(sv.get("invoice_options", "")), install_promise=str(sv.get("install_promise", "")),
            big_order_fen=int(sv.get("big_order_fen", base.big_order_fen)),
            vip_tags=tuple(sv.get("vip_tags", ())), vip_levels=tuple(sv.get("vip_levels", ())),
        )


def parse_replies(data: dict[str, Any], lang: str, name: str = "") -> ReplySet:
    try:
        tpls = tuple(
            ReplyTemplate(id=str(t["id"]), intents=tuple(t["intents"]), text=str(t["text"]),
                          priority=float(t.get("priority", 1.0)), ask=tuple(t.get("ask", ())),
                          when=dict(t.get("when", {})), cues=tuple(str(c) for c in t.get("cues", ())))
            for t in data["templates"])
    except (KeyError, TypeError, ValueError) as e:
        raise TemplateError(f"{name or 'templates'}: bad template entry ({e!r})") from e
    return ReplySet(lang=lang, templates=tpls, slot_questions=dict(data.get("slot_questions", {})))


@lru_cache(maxsize=8)
def load_replies(lang: str = "zh", folder: Path | None = None) -> ReplySet:
    path = (folder or templates_dir()) / f"replies.{'en' if lang == 'en' else 'zh'}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise TemplateError(f"{path}: cannot read reply templates ({e})") from e
    return parse_replies(data, lang, str(path))


@lru_cache(maxsize=4)
def load_policy(folder: Path | None = None) -> Policy:
    path = (folder or templates_dir()) / "policy.toml"
    try:
        return Policy.from_dict(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, ValueError, TypeError) as e:
        raise TemplateError(f"{path}: cannot read shop policy ({e})") from e
