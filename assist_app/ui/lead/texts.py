"""UI strings of the lead window: Simplified Chinese first, English second, switchable at run time.

A small table instead of .ts/.qm because the lead view re-renders every text on switch anyway (rows,
reasons from the engine, statistics); taxonomy names come from assist_app.nlp.labels by id.
"""

from __future__ import annotations

from assist_app.nlp.labels import EMOTION_EN, EMOTION_ZH, INTENT_EN, INTENT_ZH

LANGS = ("zh", "en")

_T: dict[str, tuple[str, str]] = {
    "title": ("团队看板 · 组长模式", "Team board · lead mode"),
    "all_agents": ("全部坐席", "All agents"),
    "level_all": ("全部风险", "All levels"),
    "level_warn": ("需关注及以上", "Warn and above"),
    "level_critical": ("仅严重", "Critical only"),
    "lang_button": ("EN", "中文"),
    "sound": ("提示音", "Sound"),
    "live_count": ("进行中 {n} 个会话", "{n} live chats"),
    "col_risk": ("风险", "Risk"),
    "col_agent": ("坐席", "Agent"),
    "col_customer": ("客户", "Customer"),
    "col_wait": ("等待", "Wait"),
    "col_intent": ("当前意图", "Intent"),
    "col_trend": ("情绪走势", "Emotion trend"),
    "col_reason": ("原因", "Reasons"),
    "col_last": ("最新消息", "Last message"),
    "level_info": ("正常", "OK"),
    "level_warn_short": ("关注", "Warn"),
    "level_critical_short": ("严重", "Critical"),
    "uncertain": ("不确定", "Uncertain"),
    "alerts": ("预警", "Alerts"),
    "alerts_none": ("暂无未处理预警", "No open alerts"),
    "ack": ("确认", "Acknowledge"),
    "takeover": ("我来接管", "I'm taking over"),
    "reassign": ("转派", "Reassign"),
    "reassign_to": ("转派给…", "Reassign to…"),
    "whisper": ("悄悄话", "Whisper"),
    "whisper_ph": ("只有坐席能看到的提示，回车发送", "Only the agent sees this; Enter to send"),
    "reply": ("回复客户", "Reply"),
    "reply_ph": ("已接管：以组长身份回复客户，回车发送", "Taken over: reply to the customer; Enter to send"),
    "sent_reply": ("已回复客户", "Reply sent"),
    "transcript": ("会话记录（只读）", "Transcript (read-only)"),
    "transcript_empty": ("点击左侧会话查看记录", "Click a chat to read its transcript"),
    "stats": ("今日统计", "Today"),
    "top_intents": ("问答统计", "Top intents"),
    "emotions": ("情绪分布", "Emotions"),
    "agents": ("坐席首响", "First response by agent"),
    "handled": ("已处理", "Handled"),
    "open": ("进行中", "Open"),
    "flagged": ("需关注占比", "Flagged"),
    "surge": ("近{m}分钟 +{p}%", "+{p}% in last {m} min"),
    "frt": ("平均首响", "Avg FRT"),
    "frt_none": ("—", "—"),
    "awaiting": ("待首响", "Awaiting"),
    "role_customer": ("客户", "Customer"),
    "role_agent": ("坐席", "Agent"),
    "role_bot": ("机器人", "Bot"),
    "role_system": ("系统", "System"),
    "alert_title_critical": ("严重预警：{customer}", "Critical: {customer}"),
    "alert_title_warn": ("需关注：{customer}", "Warning: {customer}"),
    "alert_agent": ("坐席 {agent}", "agent {agent}"),
    "state_connected": ("已连接", "Connected"),
    "state_reconnecting": ("重连中（{n} 秒后）", "Reconnecting in {n} s"),
    "state_offline": ("离线", "Offline"),
    "classifier_missing": ("分类模型不可用：风险仅按文本线索计算", "Classifier unavailable: risk from text cues only"),
    "sent_takeover": ("已通知 {agent}：组长接管 {customer}", "Told {agent}: lead takes over {customer}"),
    "sent_reassign": ("已将 {customer} 转派给 {agent}", "Reassigned {customer} to {agent}"),
    "sent_whisper": ("悄悄话已发给 {agent}", "Whisper sent to {agent}"),
    "send_failed": ("发送失败：{err}", "Send failed: {err}"),
    "taken_over": ("组长已接管", "Taken over"),
    "seconds": ("{n}秒", "{n}s"),
}


def t(key: str, lang: str = "zh", **kw) -> str:
    zh, en = _T[key]
    s = en if lang == "en" else zh
    return s.format(**kw) if kw else s


def intent_name(intent: str | None, lang: str) -> str:
    if not intent:
        return "—"
    return (INTENT_EN if lang == "en" else INTENT_ZH).get(intent, intent)


def emotion_name(emotion: str | None, lang: str) -> str:
    if not emotion:
        return "—"
    return (EMOTION_EN if lang == "en" else EMOTION_ZH).get(emotion, emotion)


def level_name(level: str, lang: str) -> str:
    return t({"info": "level_info", "warn": "level_warn_short", "critical": "level_critical_short"}[level], lang)


def format_duration(seconds: float | None) -> str:
    """Response times: sub-second and short ones with a decimal (the sped-up demo has many)."""
    if seconds is None:
        return "—"
    if seconds < 10:
        return f"{seconds:.1f}s"
    return format_wait(seconds)


def format_wait(seconds: float) -> str:
    s = int(seconds)
    if s <= 0:
        return "—"
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}:{s % 60:02d}"
    return f"{s // 3600}h{(s % 3600) // 60:02d}"
