"""The 服务复盘 HTML report: one self-contained page (inline CSS, no scripts, no network), Chinese first.

Sections: summary, 问答统计 (top intents), emotion distribution, risk levels, flagged conversations with reasons.
Customer text is escaped and phone-like numbers are masked.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from assist_app.nlp.labels import EMOTION_EN, EMOTION_ZH, EMOTIONS, INTENT_EN, INTENT_ZH
from assist_app.review.pipeline import Reviewed

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
EMOTION_COLOR = {"neutral": "#9aa5b1", "positive": "#2f9e44", "anxious": "#f59f00",
                 "disappointed": "#7950f2", "angry": "#e03131"}
LEVEL_COLOR = {"info": "#2f9e44", "warn": "#f59f00", "critical": "#e03131"}
LEVEL_ZH = {"info": "正常", "warn": "需关注", "critical": "紧急"}

CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f8;color:#1f2933}
header{background:#1c3d5a;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.8;font-size:13px}
main{padding:18px 28px;display:grid;grid-template-columns:1fr 1fr;gap:18px}
section{background:#fff;border-radius:8px;padding:14px 18px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
section.wide{grid-column:1/3}h2{font-size:17px;margin:0 0 10px}h2 small{color:#7b8794;font-weight:normal;font-size:12px}
.kpis{display:flex;gap:14px}.kpi{flex:1;background:#f0f4f8;border-radius:6px;padding:10px 12px}
.kpi b{display:block;font-size:24px}.kpi span{font-size:12px;color:#52606d}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{padding:4px 6px;text-align:left;border-bottom:1px solid #eef0f3}
th{color:#52606d;font-weight:600}.bar{height:12px;border-radius:3px;background:#3e7cb1;display:inline-block;vertical-align:middle}
.en{color:#7b8794;font-size:11px}.num{text-align:right;font-variant-numeric:tabular-nums}
.pill{display:inline-block;border-radius:10px;padding:1px 8px;color:#fff;font-size:12px}
.flag{border-left:4px solid #f59f00;padding:8px 12px;margin:10px 0;background:#fffaf0;border-radius:4px}
.flag.critical{border-color:#e03131;background:#fff5f5}.flag h3{margin:0 0 4px;font-size:14px}
.flag ul{margin:4px 0 6px 18px;padding:0;font-size:13px}.msgs{font-size:12px;color:#3e4c59;margin:0;padding-left:18px}
.msgs li{margin:2px 0}.tag{font-size:11px;color:#52606d;background:#eef0f3;border-radius:3px;padding:0 4px;margin-left:4px}
.ex{color:#52606d;font-size:12px;max-width:230px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.stack{display:flex;height:22px;border-radius:4px;overflow:hidden;margin:6px 0 10px}.stack div{height:100%}
"""


def _esc(s: str) -> str:
    return html.escape(_PHONE.sub(r"\1****\2", s))


def _bar(frac: float, color: str = "#3e7cb1", width: int = 220) -> str:
    return f'<span class="bar" style="width:{max(2, int(frac * width))}px;background:{color}"></span>'


def _examples(ok: Sequence[Reviewed]) -> dict[str, str]:
    """A typical customer wording per intent: the most frequent short message (placeholders dropped)."""
    seen: dict[str, Counter[str]] = {}
    for r in ok:
        for text, p in zip(r.texts, r.messages, strict=False):
            t = " ".join(text.split())
            if 4 <= len(t) <= 24 and "[" not in t:
                seen.setdefault(p.intent, Counter())[t] += 1
    return {k: c.most_common(1)[0][0] for k, c in seen.items()}


def render(results: Sequence[Reviewed], source: str = "", seconds: float = 0.0, top_n: int = 12,
           max_flagged: int = 60) -> str:
    ok = [r for r in results if not r.error]
    errors = [r for r in results if r.error]
    intents = Counter(p.intent for r in ok for p in r.messages)
    emotions = Counter(p.emotion for r in ok for p in r.messages)
    levels = Counter(r.risk.level for r in ok if r.risk)
    n_msgs = sum(intents.values())
    flagged = sorted((r for r in ok if r.risk and r.risk.needs_attention), key=lambda r: -r.risk.score)  # type: ignore[union-attr]
    out: list[str] = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
                      "<title>服务复盘报告 Service review</title>", f"<style>{CSS}</style></head><body>"]
    out.append(f"<header><h1>服务复盘报告 <small style='font-size:14px;opacity:.8'>Service review</small></h1>"
               f"<p>来源 Source: {_esc(source)} · 生成于 Generated {datetime.now():%Y-%m-%d %H:%M}"
               f"{f' · 用时 {seconds:.1f}s' if seconds else ''}</p></header><main>")
    # Summary
    out.append('<section class="wide"><h2>概览 <small>Summary</small></h2><div class="kpis">')
    for val, zh, en in ((len(ok), "会话", "conversations"), (n_msgs, "客户消息", "customer messages"),
                        (len(flagged), "需关注会话", "need attention"), (levels.get("critical", 0), "紧急", "critical"),
                        (len(errors), "无法读取的行", "unreadable lines")):
        out.append(f"<div class='kpi'><b>{val}</b><span>{zh} <span class='en'>{en}</span></span></div>")
    out.append("</div></section>")
    # Intent ranking
    examples = _examples(ok)
    out.append("<section><h2>问答统计 · 热门意图 <small>Top intents</small></h2><table>"
               "<tr><th>#</th><th>意图 Intent</th><th class='num'>条数</th><th class='num'>占比</th><th></th>"
               "<th>典型问法 Example</th></tr>")
    top = intents.most_common(top_n)
    peak = top[0][1] if top else 1
    for i, (k, c) in enumerate(top, 1):
        out.append(f"<tr><td>{i}</td><td>{INTENT_ZH.get(k, k)} <span class='en'>{INTENT_EN.get(k, k)}</span></td>"
                   f"<td class='num'>{c}</td><td class='num'>{c / max(1, n_msgs):.1%}</td><td>{_bar(c / peak, width=120)}</td>"
                   f"<td class='ex'>{_esc(examples.get(k, ''))}</td></tr>")
    out.append("</table></section>")
    # Emotion distribution
    out.append("<section><h2>情绪分布 <small>Emotion distribution</small></h2><div class='stack'>")
    for e in EMOTIONS:
        if emotions.get(e):
            out.append(f"<div title='{EMOTION_ZH[e]}' style='width:{emotions[e] / max(1, n_msgs):.2%};"
                       f"background:{EMOTION_COLOR[e]}'></div>")
    out.append("</div><table><tr><th>情绪 Emotion</th><th class='num'>条数</th><th class='num'>占比</th><th></th></tr>")
    for e in EMOTIONS:
        c = emotions.get(e, 0)
        out.append(f"<tr><td>{EMOTION_ZH[e]} <span class='en'>{EMOTION_EN[e]}</span></td><td class='num'>{c}</td>"
                   f"<td class='num'>{c / max(1, n_msgs):.1%}</td><td>{_bar(c / max(1, n_msgs), EMOTION_COLOR[e])}</td></tr>")
    out.append("</table><h2 style='margin-top:14px'>风险等级 <small>Risk levels</small></h2><table>")
    for lv in ("critical", "warn", "info"):
        c = levels.get(lv, 0)
        out.append(f"<tr><td><span class='pill' style='background:{LEVEL_COLOR[lv]}'>{LEVEL_ZH[lv]}</span> "
                   f"<span class='en'>{lv}</span></td><td class='num'>{c}</td>"
                   f"<td>{_bar(c / max(1, len(ok)), LEVEL_COLOR[lv])}</td></tr>")
    out.append("</table>")
    causes = Counter(x.split("：")[0] for r in flagged for x in (r.risk.reasons if r.risk else []))
    if causes:
        out.append("<h2 style='margin-top:14px'>触发原因 <small>Why flagged</small></h2><table>")
        top_c = causes.most_common(8)
        for k, c in top_c:
            out.append(f"<tr><td>{_esc(k)}</td><td class='num'>{c}</td><td>{_bar(c / top_c[0][1], '#f59f00', 160)}</td></tr>")
        out.append("</table>")
    out.append("</section>")
    # Flagged conversations
    out.append(f"<section class='wide'><h2>需关注会话 <small>Flagged conversations ({len(flagged)}), "
               "按风险从高到低 highest risk first</small></h2>")
    if not flagged:
        out.append("<p>没有需要关注的会话。<span class='en'>Nothing flagged.</span></p>")
    for r in flagged[:max_flagged]:
        risk = r.risk
        assert risk is not None
        name = f"会话 {_esc(str(r.id))}" if r.id is not None else f"第 {r.line} 行会话"
        out.append(f"<div class='flag {risk.level}'><h3>{name} · 风险 {risk.score} "
                   f"<span class='pill' style='background:{LEVEL_COLOR[risk.level]}'>{LEVEL_ZH[risk.level]}</span></h3><ul>")
        out.extend(f"<li>{_esc(x)}</li>" for x in risk.reasons)
        out.append("</ul><ol class='msgs'>")
        for text, p in list(zip(r.texts, r.messages, strict=False))[:8]:
            out.append(f"<li>{_esc(text[:80])}<span class='tag'>{INTENT_ZH.get(p.intent, p.intent)}</span>"
                       f"<span class='tag' style='color:{EMOTION_COLOR[p.emotion]}'>{EMOTION_ZH[p.emotion]}</span></li>")
        if len(r.texts) > 8:
            out.append(f"<li class='en'>… 另有 {len(r.texts) - 8} 条 ({len(r.texts) - 8} more)</li>")
        out.append("</ol></div>")
    if len(flagged) > max_flagged:
        out.append(f"<p class='en'>另有 {len(flagged) - max_flagged} 个会话未列出 (more not shown)</p>")
    out.append("</section>")
    if errors:
        out.append("<section class='wide'><h2>无法读取的行 <small>Unreadable lines</small></h2><ul>")
        out.extend(f"<li>{_esc(r.error)}</li>" for r in errors[:50])
        out.append("</ul></section>")
    out.append("</main></body></html>")
    return "\n".join(out)
