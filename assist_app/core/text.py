"""Text cues the classifier labels cannot carry: threats, safety hazards, chasing, repeats, order numbers.

Everything is a small regex with a negation check, so "不会给差评" or "没有冒烟" does not count. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A negation right before a cue cancels it ("我不会给差评", "没有冒烟", "不是要投诉").
_NEGATION = re.compile(
    r"((不会|不想|不打算|不至于|不用|不要|不是|没有|没|并不|不需要|无需|(?<!特)别)[^，。,.!！?？]{0,3}"
    r"|不[给打去找发写]?)$"
)

THREAT = re.compile(
    r"(12315|消协|消费者协会|工商局?|市场监管|315|差评|投诉|举报|曝光|律师|起诉|法院|我要报警|去报警|媒体|记者|微博|抖音上|黑猫|"
    # Taobao/Tmall: asking the platform to step in (小二介入) is a complaint against the shop; so are a
    # middling or one-star review ("其中评论" / "一星期" / "维权期" are not).
    r"(平台|淘宝|天猫|京东|官方|小二)(客服)?(来)?介入|申请介入|找(淘宝|天猫)小二|维权(?!期)|"
    r"(给|打|留)(你们?)?个?(中评|低分|[一1]颗?星(?!期)))"
)
# "怎么投诉" / "投诉渠道" still ask to complain; "好评" is not a threat.
SAFETY = re.compile(
    r"(冒烟|着火|起火|火花|火星|冒火|漏电|触电|电到|爆炸|炸了|爆了|烫伤|烧伤|烧焦|受伤|流血|划伤|电击|短路|自燃|烫手|"
    r"烫得不敢|鼓包|鼓起来|电池膨胀)"
)
ABUSE = re.compile(
    r"(垃圾|骗子|骗人|坑人|坑爹|破[东西玩意]|什么破|什么玩意|无语|晕死|气死|恶心|差劲|太差|服了|忽悠|搞什么|"
    r"有病|滚|tmd|妈的|尼玛|坑|欺骗|糊弄|敷衍|耍我|不要脸|扯|再也不|拉黑|呵呵|奸商|黑店)",
    re.IGNORECASE,
)
# The customer says they asked before, or that it keeps happening.
REPEAT = re.compile(
    r"(问过|说过|说了|讲了|反馈过|联系过|催过|催了|几次|好几次|两次|三次|多少次|多少遍|又是|还是没|还没有?|一直|"
    r"天天|每次|反复|第二次|上次|之前就|到底|究竟|都[0-9一二三四五六七八九十\[]|同样的)"
)
# Chasing an agent who does not answer.
CHASE = re.compile(r"^\s*([?？!！。.]+|在吗|在不在|人呢|有人吗|还在吗|怎么不回|回复一下|回话|说话啊?|理我)\s*[?？!！]*\s*$")
MULTI_PUNCT = re.compile(r"[?？]{2,}|[!！]{2,}")
# Refund / cancel because the service failed (lost sale), not because of a change of mind.
SERVICE_FAILURE = re.compile(
    r"(不发货|没发货|还没发|未发货|缺货|没货|太慢|这么慢|等不了|等不及|来不及|不想等|遥遥无期|态度|耽误|延误|过期|"
    r"送不到|没收到|还没到|才到|才能到|才发|太久|那么久|这么久|没人理|不理人|没人管|答非所问|服务太差|累死)"
)
# Frustration short of abuse: questioning the shop's good faith or competence.
FRUSTRATION = re.compile(
    r"(凭什么|什么意思|怎么回事|搞什么|有没有搞错|开什么玩笑|太过分|过分了|欺负|推卸|踢皮球|什么态度|态度(太|很|真|差|恶劣)|"
    r"不负责|没用|鸟用|白买|后悔|失望|醉了|推诿|互相推|踢来踢去|你们(这|怎么|就|到底|家)|怎么(又|还)是)"
)
# "等了三天了" / "[数字x]天了还": how long the customer has been waiting, in their words.
WAITED = re.compile(r"(\[数字x\]|\d+|[一二三四五六七八九十两几好多]+)(天|周|个星期|个月|个小时|小时)(了|还|都|没)")
STILL_NOT = re.compile(r"(还没|还是没|一直没|怎么还|到现在|至今|迟迟)")
# The agent apologising in earnest: something went wrong from the shop's side too.
AGENT_SORRY = re.compile(r"(非常抱歉|十分抱歉|实在抱歉|深表歉意|给您带来(的)?不便|给您添麻烦|消消气|理解您的心情|请您息怒|感到抱歉)")
# On Taobao 掌柜/老板 is how customers address the seller ("老板在吗", "让老板帮忙催一下"); asking for them
# to step in reads "叫你们掌柜出来" / "你们老板呢" / "让店长跟我说".
ESCALATE = re.compile(r"(领导|主管|经理|上级|负责人|换个?人|换客服|人工|转人工|真人|机器人|"
                      r"(叫|让|找|跟)(你们家?|你家)的?(掌柜|店长|老板)|(掌柜|店长|老板)的?(出来|跟我|和我|呢\s*[?？]*$))")
ORDER_NO = re.compile(r"(?<![0-9A-Za-z])([A-Z]{0,3}\d{8,20})(?![0-9])")


@dataclass(frozen=True)
class Cue:
    kind: str   # threat | safety | abuse | repeat | chase | service_failure | escalate
    text: str   # the matched words, shown in a reason


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATION.search(text[max(0, start - 6):start]))


def _find(pattern: re.Pattern[str], text: str, negatable: bool = True) -> str | None:
    for m in pattern.finditer(text):
        if negatable and _negated(text, m.start()):
            continue
        return m.group(0)
    return None


# Withholding praise is a bad-review threat too: "那这个也不能给好评".
NO_PRAISE = re.compile(r"((不能|不会|没法|无法|不可能|不想|不)给(你们?)?好评|给不了好评|别想(要)?好评)")


# Earlier in the same clause: the threat is averted, hypothetical or someone else's ("差点就给差评了",
# "有人说要申请平台介入"). Customers end clauses with spaces as often as commas, and a turn ("但/现在/只能…")
# starts a new thought: "本来想好评的 现在只能投诉" is a threat.
_CLAUSE_END = re.compile(r"[，。,.;；!！?？\s~～、]|但|可是|结果|现在|所以|只能|那我|再不")
_NOT_MEANT = re.compile(r"差点(就|没|以为|被|要|去)|差一点|本来想|本想|原本想|还以为要|有人说|听说|看到有人|别人说")
# "平台介入是要我点哪里吗": a question about the process, not a threat.
_PROCESS_QUESTION = re.compile(r"^[^，。,.!！\s]*?(吗|么|嘛|[?？]|多久|怎么)")


def _clause_before(text: str, start: int) -> str:
    ends = [m.end() for m in _CLAUSE_END.finditer(text, 0, start)]
    return text[ends[-1] if ends else 0:start]


def threat(text: str) -> str | None:
    """The threat words in `text` unless negated ("不会给差评" → None). "好评" alone never matches."""
    if (m := NO_PRAISE.search(text)):
        return m.group(0)
    for m in THREAT.finditer(text):
        clause = _clause_before(text, m.start())
        if _negated(text, m.start()) or _NOT_MEANT.search(clause):
            continue
        hit = m.group(0)
        if hit == "315" and "12315" not in text and not re.search(r"(打|拨|找|去)315", text):
            continue  # a bare 315 is usually a number (price, model)
        if "介入" in hit and (_PROCESS_QUESTION.match(text[m.end():]) or re.search(r"(可以|能否|能不能|怎么|如何)", clause)):
            continue
        return hit
    return None


# "防烫手的吗" / "会不会漏电" ask about a feature; they report nothing.
_SAFETY_QUESTION_BEFORE = re.compile(r"(防|会不会|是否|能不能|会)$")
_SAFETY_QUESTION_AFTER = re.compile(r"^.{0,1}(吗|嘛|么|不[?？]?$|不\s)")


def safety(text: str) -> str | None:
    for m in SAFETY.finditer(text):
        before, after = text[max(0, m.start() - 6):m.start()], text[m.end():m.end() + 3]
        if _NEGATION.search(before) or _SAFETY_QUESTION_BEFORE.search(before) or _SAFETY_QUESTION_AFTER.match(after):
            continue
        return m.group(0)
    return None


def abuse(text: str) -> str | None:
    return _find(ABUSE, text)


def repeat(text: str) -> str | None:
    return _find(REPEAT, text, negatable=False)


def service_failure(text: str) -> str | None:
    return _find(SERVICE_FAILURE, text, negatable=False)


def frustration(text: str) -> str | None:
    return _find(FRUSTRATION, text, negatable=False)


def waited(text: str) -> str | None:
    return _find(WAITED, text, negatable=False)


def still_not(text: str) -> str | None:
    return _find(STILL_NOT, text, negatable=False)


def agent_sorry(text: str) -> str | None:
    return _find(AGENT_SORRY, text, negatable=False)


def escalate(text: str) -> str | None:
    return _find(ESCALATE, text)


def is_chase(text: str) -> bool:
    return bool(CHASE.match(text))


def multi_punct(text: str) -> bool:
    return bool(MULTI_PUNCT.search(text))


def order_numbers(text: str) -> list[str]:
    """Order numbers typed by the customer (8-20 digits, optional letter prefix)."""
    return ORDER_NO.findall(text)
