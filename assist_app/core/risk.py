"""Escalation risk: a 0-100 score, a level (info / warn / critical) and reasons a team lead can read.

The score is a logistic model over interpretable signals (labels from the classifier + text cues). Its weights
were fitted on the `needs_attention` labels of the jddc train split (`scripts/tune_risk.py`) and live in
`risk_model.json`; the warn threshold was chosen on train only. Signals that the offline chats cannot carry
(customer value, live wait time) add hand-set log-odds from the same file. Pure: no I/O besides that one file.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assist_app.core import text as tx
from assist_app.core.types import Risk
from assist_app.nlp.labels import EMOTION_ZH, INTENT_ZH, NEGATIVE_EMOTIONS
from assist_app.nlp.types import Prediction

MODEL_PATH = Path(__file__).with_name("risk_model.json")
# Intents that are not an "ask" (repeating them is not a repeated unresolved problem).
NON_ASK = frozenset({"greeting", "thanks_bye", "ack", "provide_info", "other"})
LOSS_INTENTS = frozenset({"cancel_order", "return_refund", "refund_progress"})

FEATURES = (
    "angry_n", "angry_max", "neg_run", "disappointed_n", "neg_frac", "complaint_n", "complaint_max",
    "escalate_n", "threat", "safety", "abuse", "repeat_cue", "same_ask", "chase_n", "multi_punct",
    "unanswered_run", "loss", "loss_weak", "turns_log", "angry_sum", "neg_sum", "frustration", "waited",
    "still_not", "agent_sorry", "escalate_rep", "ends_calm",
)


@dataclass(frozen=True)
class CustomerTurn:
    """One customer message with its label; `agent_before` = an agent spoke since the previous customer turn."""

    text: str
    pred: Prediction
    agent_before: bool = True


@dataclass
class Signals:
    values: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)   # feature -> the words / labels behind it


def _note(sig: Signals, key: str, ev: str) -> None:
    sig.evidence[key] = ev  # the latest message is what the agent and lead need to see


def extract(turns: Sequence[CustomerTurn], agent_texts: Sequence[str] = ()) -> Signals:
    """Signals of one conversation from its customer turns (oldest first) and, optionally, the agent's turns."""
    sig = Signals(values=dict.fromkeys(FEATURES, 0.0))
    v = sig.values
    run = best_run = 0
    unanswered = best_unanswered = 0
    ask_counts: Counter[str] = Counter()
    neg = 0
    for i, t in enumerate(turns):
        p, s = t.pred, t.text
        emo = p.emotion
        if emo == "angry":
            v["angry_n"] += 1
            _note(sig, "angry_n", s)
        p_angry = p.emotion_probs.get("angry", 1.0 if emo == "angry" else 0.0)
        v["angry_max"] = max(v["angry_max"], p_angry)
        v["angry_sum"] += p_angry  # expected number of angry messages: steadier than argmax counts
        v["neg_sum"] += (sum(p.emotion_probs.get(e, 0.0) for e in NEGATIVE_EMOTIONS) if p.emotion_probs
                         else float(emo in NEGATIVE_EMOTIONS))
        if emo == "disappointed":
            v["disappointed_n"] += 1
            _note(sig, "disappointed_n", s)
        if emo in NEGATIVE_EMOTIONS:
            neg += 1
            run += 1
            best_run = max(best_run, run)
        else:
            run = 0
        if p.intent == "complaint":
            v["complaint_n"] += 1
            _note(sig, "complaint_n", s)
        v["complaint_max"] = max(v["complaint_max"],
                                 p.intent_probs.get("complaint", 1.0 if p.intent == "complaint" else 0.0))
        if p.intent == "escalate_request" or (tx.escalate(s) and len(s) <= 12):
            v["escalate_n"] += 1
            _note(sig, "escalate_n", s)
        if (w := tx.threat(s)):
            v["threat"] = 1.0
            _note(sig, "threat", f"{w}：「{s[:30]}」")
        if (w := tx.safety(s)):
            v["safety"] = 1.0
            _note(sig, "safety", f"{w}：「{s[:30]}」")
        if (w := tx.abuse(s)):
            v["abuse"] += 1
            _note(sig, "abuse", f"{w}：「{s[:30]}」")
        if (w := tx.frustration(s)):
            v["frustration"] += 1
            _note(sig, "frustration", f"{w}：「{s[:30]}」")
        if (w := tx.waited(s)):
            v["waited"] = 1.0
            _note(sig, "waited", f"「{s[:30]}」")
        if (w := tx.still_not(s)):
            v["still_not"] += 1
            _note(sig, "still_not", f"{w}：「{s[:30]}」")
        if (w := tx.repeat(s)) and (p.intent not in NON_ASK or emo in NEGATIVE_EMOTIONS):
            v["repeat_cue"] += 1
            _note(sig, "repeat_cue", f"{w}：「{s[:30]}」")
        if p.intent not in NON_ASK:
            ask_counts[p.intent] += 1
        if i > 0 and tx.is_chase(s):
            v["chase_n"] += 1
            _note(sig, "chase_n", s)
        if tx.multi_punct(s):
            v["multi_punct"] += 1
            _note(sig, "multi_punct", s)
        if t.agent_before or i == 0:
            unanswered = 1
        elif p.intent != "provide_info":
            unanswered += 1
        best_unanswered = max(best_unanswered, unanswered)
        if p.intent in LOSS_INTENTS:
            # the reason often sits in the message before ("四天了还不发货" → "那我退款吧")
            prev = turns[i - 1].text if i > 0 and p.intent != "refund_progress" else ""
            if (w := tx.service_failure(s) or tx.service_failure(prev)):
                v["loss"] = 1.0
                _note(sig, "loss", f"{INTENT_ZH[p.intent]}（{w}）")
            if emo in NEGATIVE_EMOTIONS:
                v["loss_weak"] = 1.0
                _note(sig, "loss_weak", f"{INTENT_ZH[p.intent]}，{EMOTION_ZH[emo]}")
    for a in agent_texts:
        if (w := tx.agent_sorry(a)):
            v["agent_sorry"] += 1
            _note(sig, "agent_sorry", f"客服：「{a[:24]}」")
    n = len(turns)
    v["neg_run"] = float(best_run)
    v["neg_frac"] = neg / n if n else 0.0
    if ask_counts:
        intent, c = ask_counts.most_common(1)[0]
        v["same_ask"] = float(max(0, c - 2))
        if c > 2:
            _note(sig, "same_ask", f"{INTENT_ZH[intent]} ×{c}")
    v["unanswered_run"] = float(max(0, best_unanswered - 2))
    v["escalate_rep"] = float(max(0.0, v["escalate_n"] - 2))  # asking for a human again and again
    # The chat so far ends calmly (thanks / ok, nothing negative in the last two messages).
    tail = turns[-2:]
    if tail and tail[-1].pred.intent in ("thanks_bye", "ack") and all(
            t.pred.emotion not in NEGATIVE_EMOTIONS for t in tail):
        v["ends_calm"] = 1.0
    v["turns_log"] = math.log1p(n)
    # Caps keep one very long chat from dominating the linear model.
    for k, cap in (("angry_n", 3), ("disappointed_n", 3), ("complaint_n", 3), ("escalate_n", 3), ("abuse", 2),
                   ("repeat_cue", 3), ("same_ask", 3), ("chase_n", 3), ("multi_punct", 3), ("neg_run", 4),
                   ("unanswered_run", 3), ("angry_sum", 3), ("neg_sum", 5), ("frustration", 2), ("still_not", 3),
                   ("agent_sorry", 2), ("escalate_rep", 3)):
        v[k] = min(v[k], float(cap))
    return sig


@dataclass(frozen=True)
class RiskModel:
    weights: dict[str, float]
    bias: float
    warn: int            # score >= warn -> level warn (needs_attention)
    critical: int        # score >= critical -> level critical
    extra: dict[str, float]  # hand-set log-odds for live-only signals (vip, big order, wait)
    reason_min: float    # a signal is a reason when its contribution (log-odds) reaches this

    @classmethod
    def from_dict(cls, d: dict) -> RiskModel:
        return cls(weights={k: float(d["weights"].get(k, 0.0)) for k in FEATURES}, bias=float(d["bias"]),
                   warn=int(d["warn"]), critical=int(d["critical"]), extra=dict(d.get("extra", {})),
                   reason_min=float(d.get("reason_min", 0.3)))


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> RiskModel:
    return RiskModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


ALWAYS_SHOWN = ("safety", "threat")
# "连续负面情绪" needs a run; one anxious message is not one.
MIN_FOR_REASON = {"neg_run": 2.0, "neg_sum": 2.0, "neg_frac": 0.5}
# Soft sums are named only when a message actually carries the label (otherwise the reason has no evidence).
NEEDS = {"angry_sum": "angry_n", "angry_max": "angry_n", "neg_sum": "neg_run", "complaint_max": "complaint_n"}
TWINS = {"angry_max": "angry_n", "angry_sum": "angry_n", "complaint_max": "complaint_n", "loss_weak": "loss",
         "neg_frac": "neg_run", "neg_sum": "neg_run", "still_not": "repeat_cue", "escalate_rep": "escalate_n"}
REASON_ZH = {
    "angry_n": "客户生气", "angry_max": "语气愤怒", "neg_run": "连续负面情绪", "disappointed_n": "客户失望",
    "neg_frac": "负面情绪占比高", "complaint_n": "投诉/不满服务", "complaint_max": "疑似投诉",
    "escalate_n": "要求转人工/找主管", "threat": "威胁投诉/差评", "safety": "安全隐患", "abuse": "激烈用语",
    "repeat_cue": "问题反复未解决", "same_ask": "同一诉求重复多次", "chase_n": "客户追问无人回应",
    "multi_punct": "连续问号/感叹号", "unanswered_run": "多条消息未回复", "loss": "因服务问题退款/取消（可能流失）",
    "loss_weak": "带情绪的退款/取消", "turns_log": "对话较长", "vip": "高价值客户", "big_order": "大额订单",
    "wait": "客户等待过久", "angry_sum": "多条消息带怒气", "neg_sum": "负面情绪累积", "frustration": "质疑/不满",
    "waited": "客户已等待多日", "still_not": "问题迟迟未解决", "agent_sorry": "客服已多次致歉",
    "escalate_rep": "反复要求转人工",
}
REASON_EN = {
    "angry_n": "Customer angry", "angry_max": "Angry tone", "neg_run": "Run of negative messages",
    "disappointed_n": "Customer disappointed", "neg_frac": "Mostly negative", "complaint_n": "Complaint about service",
    "complaint_max": "Possible complaint", "escalate_n": "Asks for a human/supervisor", "threat": "Threatens complaint/bad review",
    "safety": "Safety hazard", "abuse": "Harsh words", "repeat_cue": "Problem repeated, unresolved",
    "same_ask": "Same ask repeated", "chase_n": "Chasing an unanswered agent", "multi_punct": "Repeated ??/!!",
    "unanswered_run": "Several messages unanswered", "loss": "Refund/cancel caused by service (order at risk)",
    "loss_weak": "Refund/cancel with negative emotion", "turns_log": "Long conversation", "vip": "High-value customer",
    "big_order": "Large order", "wait": "Customer waiting too long", "angry_sum": "Anger across messages",
    "neg_sum": "Negative emotion building up", "frustration": "Questions the shop's good faith",
    "waited": "Has waited for days", "still_not": "Still not resolved", "agent_sorry": "Agent already apologised",
    "escalate_rep": "Keeps asking for a human",
}


def score(sig: Signals, live: dict[str, float] | None = None, model: RiskModel | None = None,
          lang: str = "zh") -> Risk:
    """Combine signals into a Risk. `live`: optional {"vip": 0/1, "big_order": 0/1, "wait_min": minutes}."""
    m = model or load_model()
    contrib = {k: m.weights[k] * sig.values.get(k, 0.0) for k in FEATURES}
    live = live or {}
    if live.get("vip"):
        contrib["vip"] = m.extra.get("vip", 0.0)
    if live.get("big_order"):
        contrib["big_order"] = m.extra.get("big_order", 0.0)
    wait_min = float(live.get("wait_min", 0.0))
    if wait_min >= m.extra.get("wait_after_min", 3.0):
        contrib["wait"] = m.extra.get("wait_per_min", 0.2) * min(wait_min, 15.0)
    z = m.bias + sum(contrib.values())
    # Hard rules: these always need a lead, whatever the model says.
    if sig.values.get("safety"):
        z = max(z, _logit(m.critical / 100 + 0.01))
    if sig.values.get("threat"):
        z = max(z, _logit(m.warn / 100 + 0.01))
    s = int(round(100 / (1 + math.exp(-z))))
    level = "critical" if s >= m.critical else "warn" if s >= m.warn else "info"
    names = REASON_ZH if lang == "zh" else REASON_EN
    ranked = sorted(((c, k) for k, c in contrib.items() if c >= m.reason_min and k not in ALWAYS_SHOWN
                     and k != "turns_log" and sig.values.get(k, 1.0) >= MIN_FOR_REASON.get(k, 0.0)
                     and sig.values.get(NEEDS.get(k, k), 1.0) > 0), reverse=True)
    # Threats and hazards are always named when present, whatever their learned weight.
    ranked = [(99.0, k) for k in ALWAYS_SHOWN if sig.values.get(k)] + ranked
    reasons, shown = [], set()
    for _, k in ranked:
        k_show = TWINS.get(k, k)
        if k_show in shown:
            continue  # "angry_max" and "angry_n" say the same thing
        shown.add(k_show)
        if len(reasons) == 4:
            break
        ev = sig.evidence.get(k) or sig.evidence.get(k_show)
        if k == "wait":
            ev = f"{int(wait_min)} 分钟" if lang == "zh" else f"{int(wait_min)} min"
        name = names[k_show]  # twins share one name, so the banner reads the same whichever weight won
        reasons.append(f"{name}：{_short(ev)}" if ev else name)
    return Risk(score=s, level=level, reasons=reasons)


def _short(s: str, n: int = 36) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def design_row(sig: Signals) -> list[float]:
    """The feature vector in FEATURES order (used by the tuning script)."""
    return [sig.values[k] for k in FEATURES]
