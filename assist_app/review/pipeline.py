"""Offline service review (服务复盘): parse exported chats, classify every customer turn, score the risk.

No printing here: the CLI owns stdout/stderr and the report. The classifier is anything with
`predict_batch(list[tuple[str, list[str]]]) -> list[Prediction]`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from assist_app.core import risk as rk
from assist_app.core.types import Risk
from assist_app.nlp.types import Prediction

CONTEXT_TURNS = 4  # previous turns given to the classifier, like the classifier's training/scoring


class BatchClassifier(Protocol):
    def predict_batch(self, items: list[tuple[str, list[str]]]) -> list[Prediction]: ...


class BadInput(ValueError):
    pass


@dataclass
class Session:
    id: Any
    turns: list[tuple[str, str]]            # (role, text)


@dataclass
class Reviewed:
    id: Any
    risk: Risk | None = None
    messages: list[Prediction] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    error: str = ""
    line: int = 0                            # 1-based line number in the input (for the report)

    def to_json(self) -> dict[str, Any]:
        if self.error:
            return {"id": self.id, "error": self.error}
        assert self.risk is not None
        return {"id": self.id, "needs_attention": int(self.risk.needs_attention), "risk": self.risk.score,
                "level": self.risk.level, "reasons": self.risk.reasons,
                "messages": [{"intent": p.intent, "emotion": p.emotion} for p in self.messages]}


def parse_line(line: str) -> Session:
    """One input line -> Session; raises BadInput with a short reason."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise BadInput(f"invalid JSON: {e.msg} at column {e.colno}") from None
    if not isinstance(obj, dict):
        raise BadInput("line is not a JSON object")
    turns = obj.get("turns")
    if not isinstance(turns, list):
        raise BadInput('missing "turns" list')
    out: list[tuple[str, str]] = []
    for i, t in enumerate(turns):
        if not isinstance(t, dict) or t.get("role") not in ("customer", "agent") or not isinstance(t.get("text"), str):
            raise BadInput(f'turn {i}: needs "role" customer|agent and a "text" string')
        out.append((t["role"], t["text"]))
    return Session(id=_id_field(obj), turns=out)


def classifier_items(session: Session) -> list[tuple[str, list[str]]]:
    """(text, previous turns oldest first, at most CONTEXT_TURNS) for every customer turn."""
    items, prev = [], []
    for role, text in session.turns:
        if role == "customer":
            items.append((text, prev[-CONTEXT_TURNS:]))
        prev.append(text)
    return items


def customer_turns(session: Session, preds: Sequence[Prediction]) -> list[rk.CustomerTurn]:
    out, k, agent_before = [], 0, True
    for role, text in session.turns:
        if role == "agent":
            agent_before = True
            continue
        out.append(rk.CustomerTurn(text=text, pred=preds[k], agent_before=agent_before))
        agent_before = False
        k += 1
    return out


def signals(session: Session, preds: Sequence[Prediction]) -> rk.Signals:
    """The risk signals of one labelled chat (also what the tuning scripts fit on)."""
    return rk.extract(customer_turns(session, preds), [t for r, t in session.turns if r == "agent"])


def assess(session: Session, preds: Sequence[Prediction], model: rk.RiskModel | None = None,
           lang: str = "zh") -> Reviewed:
    sig = signals(session, preds)
    return Reviewed(id=session.id, risk=rk.score(sig, model=model, lang=lang), messages=list(preds),
                    texts=[t for r, t in session.turns if r == "customer"])


def review(lines: Sequence[str], clf: BatchClassifier, batch: int = 256,
           progress: Callable[[int, int], None] | None = None,
           model: rk.RiskModel | None = None, lang: str = "zh") -> list[Reviewed]:
    """Review every line (input order kept). Bad lines become error results; the rest are classified in batches."""
    parsed: list[Session | Reviewed] = []
    for n, line in enumerate(lines, 1):
        try:
            parsed.append(parse_line(line))
        except BadInput as e:
            rid = _id_of(line)
            parsed.append(Reviewed(id=rid, error=f"line {n}: {e}", line=n))
    items: list[tuple[str, list[str]]] = []
    spans: list[tuple[int, int]] = []
    for p in parsed:
        if isinstance(p, Session):
            its = classifier_items(p)
            spans.append((len(items), len(items) + len(its)))
            items.extend(its)
        else:
            spans.append((0, 0))
    # Similar lengths in one batch pad little; results go back to their original slots.
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]) + sum(map(len, items[i][1])))
    preds: list[Prediction] = [None] * len(items)  # type: ignore[list-item]
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        for i, p in zip(idx, clf.predict_batch([items[i] for i in idx]), strict=True):
            preds[i] = p
        if progress:
            progress(min(start + batch, len(items)), len(items))
    if progress and not items:
        progress(0, 0)
    out: list[Reviewed] = []
    for n, (p, (a, b)) in enumerate(zip(parsed, spans, strict=True), 1):
        if isinstance(p, Session):
            r = assess(p, preds[a:b], model, lang)
            r.line = n
            out.append(r)
        else:
            out.append(p)
    return out


def _id_field(obj: dict) -> Any:
    """"id" as the contract says; exports that name it "session" (the jddc files) keep theirs instead of null."""
    return obj["id"] if "id" in obj else obj.get("session")


def _id_of(line: str) -> Any:
    """Best-effort id of a bad line so the error can be matched (None when unreadable)."""
    try:
        obj = json.loads(line)
        return _id_field(obj) if isinstance(obj, dict) else None
    except (json.JSONDecodeError, TypeError):
        return None
