<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US">
<context>
    <name>Actions</name>
    <message>
        <source>处理</source>
        <translation>Actions</translation>
    </message>
    <message>
        <source>创建工单</source>
        <translation>Create ticket</translation>
    </message>
    <message>
        <source>挽留方案</source>
        <translation>Retention offer</translation>
    </message>
    <message>
        <source>工单：%1</source>
        <translation>Ticket: %1</translation>
    </message>
    <message>
        <source>（待补充：%1）</source>
        <translation> (still needed: %1)</translation>
    </message>
    <message>
        <source>挽留：%1</source>
        <translation>Retention: %1</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>⚠ 建议升级处理（风险 %1）</source>
        <translation>⚠ Escalate (risk %1)</translation>
    </message>
    <message>
        <source>⚠ 注意情绪变化（风险 %1）</source>
        <translation>⚠ Watch the mood (risk %1)</translation>
    </message>
</context>
<context>
    <name>Channel</name>
    <message>
        <source>淘宝</source>
        <translation>Taobao</translation>
    </message>
    <message>
        <source>天猫</source>
        <translation>Tmall</translation>
    </message>
    <message>
        <source>京东</source>
        <translation>JD</translation>
    </message>
    <message>
        <source>官网</source>
        <translation>Web shop</translation>
    </message>
</context>
<context>
    <name>Chat</name>
    <message>
        <source>客服聊天窗口</source>
        <translation>Agent chat</translation>
    </message>
    <message>
        <source>发送</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>Enter 发送 · Shift+Enter 换行 · Ctrl+1/2/3 插入推荐</source>
        <translation>Enter sends · Shift+Enter new line · Ctrl+1/2/3 insert a suggestion</translation>
    </message>
    <message>
        <source>输入回复…</source>
        <translation>Type a reply…</translation>
    </message>
    <message>
        <source>未选择会话</source>
        <translation>No chat selected</translation>
    </message>
    <message>
        <source>客户</source>
        <translation>Customer</translation>
    </message>
    <message>
        <source>我</source>
        <translation>Me</translation>
    </message>
    <message>
        <source>机器人</source>
        <translation>Bot</translation>
    </message>
    <message>
        <source>系统</source>
        <translation>System</translation>
    </message>
    <message>
        <source>主管提示</source>
        <translation>Lead whisper</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <source>情绪走势</source>
        <translation>Mood trend</translation>
    </message>
    <message>
        <source>意图</source>
        <translation>Intent</translation>
    </message>
    <message>
        <source>未选择会话</source>
        <translation>No chat selected</translation>
    </message>
    <message>
        <source>复购 %1 次</source>
        <translation>%1 repurchases</translation>
    </message>
    <message>
        <source>分类器不可用</source>
        <translation>Classifier unavailable</translation>
    </message>
    <message>
        <source>等待分析…</source>
        <translation>Analysing…</translation>
    </message>
    <message>
        <source>不确定</source>
        <translation>Uncertain</translation>
    </message>
    <message>
        <source>置信度低于阈值，不显示意图</source>
        <translation>Confidence below the floor: no intent shown</translation>
    </message>
</context>
<context>
    <name>Knowledge</name>
    <message>
        <source>知识库</source>
        <translation>Knowledge base</translation>
    </message>
    <message>
        <source>插入</source>
        <translation>Insert</translation>
    </message>
    <message>
        <source>无匹配条目</source>
        <translation>No matching entry</translation>
    </message>
    <message>
        <source>来源：%1</source>
        <translation>Source: %1</translation>
    </message>
</context>
<context>
    <name>Offers</name>
    <message>
        <source>优惠与到手价</source>
        <translation>Promotions &amp; best price</translation>
    </message>
    <message>
        <source>插入到手价</source>
        <translation>Insert price</translation>
    </message>
    <message>
        <source>到手价 ¥%1（原价 ¥%2，省 ¥%3）</source>
        <translation>Pays ¥%1 (list ¥%2, saves ¥%3)</translation>
    </message>
    <message>
        <source>（至 %1）</source>
        <translation> (until %1)</translation>
    </message>
    <message>
        <source>当前无可用活动</source>
        <translation>No active promotions</translation>
    </message>
</context>
<context>
    <name>Orders</name>
    <message>
        <source>待付款</source>
        <translation>Unpaid</translation>
    </message>
    <message>
        <source>待发货</source>
        <translation>Awaiting shipment</translation>
    </message>
    <message>
        <source>运输中</source>
        <translation>In transit</translation>
    </message>
    <message>
        <source>已签收</source>
        <translation>Delivered</translation>
    </message>
    <message>
        <source>交易成功</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>退款中</source>
        <translation>Refunding</translation>
    </message>
    <message>
        <source>已退货退款</source>
        <translation>Returned</translation>
    </message>
    <message>
        <source>已取消</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>七天无理由截止</source>
        <translation>7-day return until</translation>
    </message>
    <message>
        <source>价保截止</source>
        <translation>Price protection until</translation>
    </message>
    <message>
        <source>保修至</source>
        <translation>Warranty until</translation>
    </message>
    <message>
        <source>换货截止</source>
        <translation>Exchange until</translation>
    </message>
    <message>
        <source>实付 ¥%1</source>
        <translation>Paid ¥%1</translation>
    </message>
    <message>
        <source>（原价 ¥%1）</source>
        <translation> (list ¥%1)</translation>
    </message>
    <message>
        <source> · 预计 %1</source>
        <translation> · ETA %1</translation>
    </message>
    <message>
        <source>（已过期）</source>
        <translation> (expired)</translation>
    </message>
    <message>
        <source>订单</source>
        <translation>Orders</translation>
    </message>
    <message>
        <source>等待客户资料…</source>
        <translation>Waiting for customer data…</translation>
    </message>
    <message>
        <source>该客户暂无订单</source>
        <translation>No orders</translation>
    </message>
    <message>
        <source>另有 %1 个更早的订单</source>
        <translation>%1 older orders not shown</translation>
    </message>
</context>
<context>
    <name>Replies</name>
    <message>
        <source>推荐回复</source>
        <translation>Suggested replies</translation>
    </message>
    <message>
        <source>暂无推荐（等待客户消息）</source>
        <translation>No suggestions yet (waiting for the customer)</translation>
    </message>
    <message>
        <source>分类器不可用，暂无推荐</source>
        <translation>Classifier unavailable: no suggestions</translation>
    </message>
    <message>
        <source>需补充：%1</source>
        <translation>Needs: %1</translation>
    </message>
</context>
<context>
    <name>Risk</name>
    <message>
        <source>正常</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>注意</source>
        <translation>Watch</translation>
    </message>
    <message>
        <source>需升级</source>
        <translation>Escalate</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>已复制到剪贴板，粘贴到聊天窗口即可发送</source>
        <translation>Copied to the clipboard: paste it into the chat window</translation>
    </message>
    <message>
        <source>正在提交工单…</source>
        <translation>Filing the ticket…</translation>
    </message>
    <message>
        <source>工单已提交：%1（%2）</source>
        <translation>Ticket filed: %1 (%2)</translation>
    </message>
    <message>
        <source>坐席助手</source>
        <translation>Agent Assist</translation>
    </message>
    <message>
        <source>EN</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>切换语言</source>
        <translation>Switch language</translation>
    </message>
    <message>
        <source>浅色</source>
        <translation>Light</translation>
    </message>
    <message>
        <source>深色</source>
        <translation>Dark</translation>
    </message>
    <message>
        <source>主管提示：%1</source>
        <translation>Lead's hint: %1</translation>
    </message>
    <message>
        <source>切换浅色/深色主题</source>
        <translation>Switch light/dark theme</translation>
    </message>
    <message>
        <source>置顶</source>
        <translation>Pin</translation>
    </message>
    <message>
        <source>窗口始终在最前</source>
        <translation>Keep the window on top</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>已连接</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>重连中（%1 秒）</source>
        <translation>Reconnecting in %1 s</translation>
    </message>
    <message>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>连接中…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>分类器不可用：意图与情绪暂不显示，消息照常接收。</source>
        <translation>Classifier unavailable: intents and emotions are not shown; messages still stream.</translation>
    </message>
</context>
</TS>