"""The demo shop's fixed content: products, promotions (relative to `now`) and knowledge-base entries.

拓路者 is an outdoor apparel brand that also sells a few home appliances and 3C items. Prices in fen.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from assist_app.domain import KnowledgeEntry, Product, Promotion

SHOP = "拓路者户外旗舰店"
BRAND = "拓路者"

_TOP_SIZES = {
    "S": "身高160-165cm 体重50-57kg 胸围92cm",
    "M": "身高165-170cm 体重57-65kg 胸围96cm",
    "L": "身高170-175cm 体重65-72kg 胸围100cm",
    "XL": "身高175-180cm 体重72-80kg 胸围104cm",
    "2XL": "身高180-185cm 体重80-88kg 胸围108cm",
    "3XL": "身高185-190cm 体重88-95kg 胸围112cm",
}
_PANTS_SIZES = {
    "S": "腰围68-72cm 臀围92cm 裤长98cm",
    "M": "腰围72-76cm 臀围96cm 裤长100cm",
    "L": "腰围76-80cm 臀围100cm 裤长102cm",
    "XL": "腰围80-86cm 臀围104cm 裤长104cm",
    "2XL": "腰围86-92cm 臀围108cm 裤长106cm",
}
_SHOE_SIZES = {str(s): f"脚长{225 + (s - 36) * 5}mm" for s in range(36, 46)}


def _p(sku: str, name: str, category: str, yuan: int, specs: dict[str, str], *, size_chart: dict | None = None,
       ret: int = 7, warranty: int = 0, protect: int = 15, install: bool = False) -> Product:
    return Product(sku=sku, name=name, category=category, price_fen=yuan * 100, specs=specs,
                   size_chart=dict(size_chart or {}), no_reason_return_days=ret, warranty_days=warranty,
                   price_protect_days=protect, needs_installation=install)


PRODUCTS: tuple[Product, ...] = (
    # --- outdoor apparel / gear
    _p("TL-JK-301", "拓路者 男款三合一冲锋衣 可拆卸抓绒内胆", "冲锋衣", 599,
       {"面料": "2.5层复合尼龙", "防水指数": "10000mm", "透湿": "5000g/m²/24h", "内胆": "200g摇粒绒",
        "颜色": "黑色/藏青/军绿", "洗涤": "30℃以下手洗，勿烘干"}, size_chart=_TOP_SIZES),
    _p("TL-JK-302", "拓路者 女款三合一冲锋衣 可拆卸抓绒内胆", "冲锋衣", 599,
       {"面料": "2.5层复合尼龙", "防水指数": "10000mm", "透湿": "5000g/m²/24h", "内胆": "200g摇粒绒",
        "颜色": "雾霾蓝/酒红/黑色"}, size_chart=_TOP_SIZES),
    _p("TL-JK-901", "拓路者 PRO 硬壳冲锋衣 GORE-TEX 登山款", "冲锋衣", 1299,
       {"面料": "GORE-TEX 3L", "防水指数": "28000mm", "透湿": "25000g/m²/24h", "重量": "420g(L码)",
        "颜色": "橙色/黑色"}, size_chart=_TOP_SIZES),
    _p("TL-FL-110", "拓路者 加厚摇粒绒抓绒衣 立领外套", "抓绒衣", 199,
       {"面料": "300g双面摇粒绒", "版型": "常规版", "颜色": "灰色/卡其/黑色"}, size_chart=_TOP_SIZES),
    _p("TL-FL-210", "拓路者 Polartec 抓绒夹克 轻量保暖", "抓绒衣", 399,
       {"面料": "Polartec Classic 200", "版型": "修身版", "颜色": "墨绿/黑色"}, size_chart=_TOP_SIZES),
    _p("TL-DW-700", "拓路者 700蓬鹅绒羽绒服 男女同款", "羽绒服", 899,
       {"填充": "90%白鹅绒 700蓬", "充绒量": "180g(L码)", "适用温度": "-15℃~0℃", "颜色": "黑色/米白/橙色"},
       size_chart=_TOP_SIZES),
    _p("TL-PT-220", "拓路者 弹力速干裤 男款 户外徒步", "速干裤", 239,
       {"面料": "四面弹锦纶", "特点": "速干/防泼水/UPF50+", "颜色": "黑色/卡其/深灰"}, size_chart=_PANTS_SIZES),
    _p("TL-PT-260", "拓路者 两截可拆卸速干裤 女款", "速干裤", 269,
       {"面料": "锦纶+氨纶", "特点": "膝上可拆卸", "颜色": "黑色/燕麦色"}, size_chart=_PANTS_SIZES),
    _p("TL-TS-080", "拓路者 速干T恤 圆领短袖", "速干衣", 99,
       {"面料": "冰丝涤纶", "特点": "吸湿速干", "颜色": "白/黑/蓝/绿"}, size_chart=_TOP_SIZES),
    _p("TL-UW-050", "拓路者 美利奴羊毛速干内衣套装", "贴身衣物", 329,
       {"面料": "80%美利奴羊毛", "说明": "贴身衣物，拆封后不支持七天无理由"}, size_chart=_TOP_SIZES, ret=0),
    _p("TL-SK-030", "拓路者 徒步袜 加厚毛圈 3双装", "贴身衣物", 79,
       {"面料": "羊毛混纺", "说明": "贴身衣物，拆封后不支持七天无理由"}, ret=0),
    _p("TL-SH-650", "拓路者 中帮防水登山鞋 Vibram大底", "登山鞋", 699,
       {"鞋面": "翻毛皮+防水透气膜", "大底": "Vibram", "防水": "是", "重量": "约520g/只(42码)",
        "尺码建议": "偏小半码，建议拍大半码"}, size_chart=_SHOE_SIZES, warranty=180),
    _p("TL-SH-450", "拓路者 轻量徒步鞋 低帮透气", "登山鞋", 459,
       {"鞋面": "网布+TPU", "大底": "橡胶", "防水": "否", "尺码建议": "标准码"}, size_chart=_SHOE_SIZES,
       warranty=180),
    _p("TL-TN-200", "拓路者 双人双层帐篷 防暴雨 铝杆", "帐篷", 899,
       {"人数": "2人", "防水指数": "PU3000mm", "杆材": "7001铝合金", "重量": "2.1kg", "尺寸": "210×140×110cm"},
       warranty=365),
    _p("TL-TN-400", "拓路者 3-4人自动速开帐篷 露营款", "帐篷", 1299,
       {"人数": "3-4人", "防水指数": "PU2000mm", "搭建": "自动速开 约60秒", "重量": "4.8kg"}, warranty=365),
    _p("TL-SB-800", "拓路者 羽绒睡袋 -10℃ 木乃伊型", "睡袋", 799,
       {"填充": "90%白鸭绒 600g", "舒适温度": "-5℃", "极限温度": "-10℃", "重量": "1.2kg"}, warranty=365),
    _p("TL-SB-250", "拓路者 信封睡袋 可拼接 春秋款", "睡袋", 259,
       {"填充": "中空棉", "舒适温度": "10℃", "重量": "1.5kg"}),
    _p("TL-BP-400", "拓路者 40L登山包 背负系统可调", "背包", 499,
       {"容量": "40L", "背负": "可调背长 S/M", "防雨罩": "附赠", "重量": "1.3kg"}, warranty=365),
    _p("TL-BP-200", "拓路者 20L轻量双肩包 城市通勤", "背包", 229,
       {"容量": "20L", "重量": "480g", "特点": "可放14寸电脑"}, warranty=365),
    _p("TL-TP-120", "拓路者 碳纤维登山杖 三节外锁", "登山杖", 159,
       {"材质": "碳纤维", "长度": "62-135cm", "重量": "210g/支"}, warranty=180),
    _p("TL-TP-128", "拓路者 登山杖 定制刻字款", "定制商品", 199,
       {"材质": "碳纤维", "说明": "定制刻字商品不支持七天无理由"}, ret=0, warranty=180),
    # --- home appliances
    _p("TL-AF-550", "拓路者 可视空气炸锅 5.5L 家用大容量", "空气炸锅", 399,
       {"容量": "5.5L", "功率": "1500W", "电压": "220V", "特点": "可视窗/免翻面"}, warranty=365),
    _p("TL-RC-400", "拓路者 IH电饭煲 4L 智能预约", "电饭煲", 599,
       {"容量": "4L", "功率": "1200W", "加热": "IH电磁加热", "内胆": "不粘涂层"}, warranty=365),
    _p("TL-RB-X9", "拓路者 扫拖一体扫地机器人 X9 自动集尘", "扫地机器人", 2499,
       {"吸力": "5000Pa", "续航": "180分钟", "导航": "激光LDS", "基站": "自动集尘+洗拖布",
        "安装": "免费上门安装调试"}, warranty=730, install=True),
    _p("TL-WP-600", "拓路者 净水器 600G RO反渗透 厨下式", "净水器", 1999,
       {"通量": "600G", "滤芯": "RO反渗透 5年", "安装": "需专业上门安装(免费)"}, warranty=730, install=True),
    _p("TL-WH-60", "拓路者 电热水器 60升 一级能效", "热水器", 1299,
       {"容量": "60L", "功率": "3000W", "安装": "需专业上门安装，辅材另计"}, warranty=1095, install=True),
    _p("TL-GS-200", "拓路者 手持挂烫机 便携", "挂烫机", 199,
       {"功率": "1200W", "水箱": "260ml"}, warranty=365),
    # --- 3C
    _p("TL-EP-100", "拓路者 主动降噪蓝牙耳机 T1", "耳机", 499,
       {"降噪": "主动降噪 -42dB", "续航": "单次8小时/总36小时", "蓝牙": "5.3", "防水": "IPX4"}, warranty=365),
    _p("TL-EP-060", "拓路者 运动蓝牙耳机 挂耳式", "耳机", 199,
       {"续航": "10小时", "蓝牙": "5.2", "防水": "IPX5"}, warranty=365),
    _p("TL-PB-200", "拓路者 20000mAh 充电宝 22.5W快充", "充电宝", 149,
       {"容量": "20000mAh", "快充": "22.5W", "接口": "USB-C 双向", "登机": "可随身携带登机(74Wh)"},
       warranty=365),
    _p("TL-WT-G2", "拓路者 户外GPS运动手表 G2", "运动手表", 1299,
       {"定位": "双频GPS", "续航": "14天", "防水": "10ATM", "说明": "激活后不支持七天无理由"},
       warranty=365, ret=0),
    _p("TL-HL-300", "拓路者 强光头灯 USB充电 300流明", "头灯", 129,
       {"亮度": "300流明", "续航": "8小时", "防水": "IPX6"}, warranty=365),
    _p("TL-WK-05", "拓路者 户外对讲机 5W 一对装", "对讲机", 299,
       {"功率": "5W", "通话距离": "空旷3-5公里"}, warranty=365),
)

# Product groups the simulator's scripts ask for ({product} of a given group).
GROUPS: dict[str, tuple[str, ...]] = {
    "jacket": ("冲锋衣", "抓绒衣", "羽绒服"),
    "apparel": ("冲锋衣", "抓绒衣", "羽绒服", "速干裤", "速干衣"),
    "shoes": ("登山鞋",),
    "camping": ("帐篷", "睡袋", "背包", "登山杖", "头灯"),
    "appliance": ("空气炸锅", "电饭煲", "扫地机器人", "净水器", "热水器", "挂烫机"),
    "kitchen": ("空气炸锅", "电饭煲"),
    "install": ("扫地机器人", "净水器", "热水器"),
    "3c": ("耳机", "充电宝", "运动手表", "对讲机", "头灯"),
    "electric": ("空气炸锅", "电饭煲", "扫地机器人", "热水器", "挂烫机", "充电宝", "耳机"),
    "airfryer": ("空气炸锅",),
    "robot": ("扫地机器人",),
    "heater": ("热水器",),
    "earphone": ("耳机",),
    "powerbank": ("充电宝",),
}

# Recent list-price cuts (sku -> old price in fen, days ago the price dropped): orders placed before the cut paid
# more, so 价保 (price protection) has something to refund.
PRICE_DROPS: dict[str, tuple[int, int]] = {
    "TL-JK-301": (69900, 4),
    "TL-SH-650": (79900, 3),
    "TL-AF-550": (45900, 5),
    "TL-EP-100": (59900, 6),
}


def promotions(now: datetime) -> list[Promotion]:
    """Active promotions (≥10) plus expired and upcoming ones; windows relative to `now`."""
    d = timedelta(days=1)
    start = (now - 6 * d).replace(hour=0, minute=0, second=0, microsecond=0)
    end = (now + 9 * d).replace(hour=23, minute=59, second=59, microsecond=0)
    old_s, old_e = now - 30 * d, now - 10 * d  # e.g. 双11, over
    P = Promotion
    return [
        P("P01", "threshold_discount", "店铺满减 满300减30/满500减60/满1000减130",
          [(30000, 3000), (50000, 6000), (100000, 13000)], exclusive_group="满减", starts_at=start, ends_at=end),
        P("P02", "threshold_discount", "跨店满减 满400减50/满800减100",
          [(40000, 5000), (80000, 10000)], exclusive_group="满减", starts_at=start, ends_at=end),
        P("P03", "shop_coupon", "店铺券 满200减20", [(20000, 2000)], exclusive_group="店铺券",
          starts_at=start, ends_at=end),
        P("P04", "shop_coupon", "店铺券 满500减50", [(50000, 5000)], exclusive_group="店铺券",
          starts_at=start, ends_at=end),
        P("P05", "shop_coupon", "店铺券 满1000减120", [(100000, 12000)], exclusive_group="店铺券",
          starts_at=start, ends_at=end),
        P("P06", "category_discount", "冬季外套 冲锋衣/抓绒衣/羽绒服 9折", rate=0.9,
          categories=("冲锋衣", "抓绒衣", "羽绒服"), exclusive_group="品类折扣", starts_at=start, ends_at=end),
        P("P07", "category_discount", "露营季 帐篷/睡袋 85折", rate=0.85, categories=("帐篷", "睡袋"),
          exclusive_group="品类折扣", starts_at=start, ends_at=end),
        P("P08", "category_discount", "厨房小家电 95折", rate=0.95, categories=("空气炸锅", "电饭煲"),
          exclusive_group="品类折扣", starts_at=start, ends_at=end),
        P("P09", "member_price", "88VIP 会员价 95折", rate=0.95, member_levels=("88VIP",),
          exclusive_group="会员价", starts_at=start, ends_at=end),
        P("P10", "member_price", "PLUS 会员价 95折", rate=0.95, member_levels=("PLUS",),
          exclusive_group="会员价", starts_at=start, ends_at=end),
        P("P11", "member_price", "金卡/钻石会员 92折", rate=0.92, member_levels=("金卡会员", "钻石会员"),
          exclusive_group="会员价", starts_at=start, ends_at=end),
        P("P12", "category_discount", "登山鞋 限时秒杀 8折（不与其他优惠同享）", rate=0.8, categories=("登山鞋",),
          stackable=False, starts_at=now - 2 * d, ends_at=now + 2 * d),
        P("P13", "gift", "满699赠 拓路者速干毛巾", [(69900, 0)], gift="拓路者速干毛巾", starts_at=start, ends_at=end),
        P("P14", "gift", "扫地机器人赠 滤网+边刷配件包", [(0, 0)], categories=("扫地机器人",),
          gift="滤网+边刷配件包", starts_at=start, ends_at=end),
        P("P15", "free_shipping", "全店满99包邮（偏远地区除外）", [(9900, 0)], starts_at=None, ends_at=None),
        # over
        P("P90", "threshold_discount", "双11 满300减50", [(30000, 5000)], exclusive_group="满减",
          starts_at=old_s, ends_at=old_e),
        P("P91", "shop_coupon", "双11 店铺券 满800减100", [(80000, 10000)], exclusive_group="店铺券",
          starts_at=old_s, ends_at=old_e),
        P("P92", "category_discount", "换季清仓 速干裤7折", rate=0.7, categories=("速干裤",),
          starts_at=now - 45 * d, ends_at=now - 20 * d),
        # not yet
        P("P93", "threshold_discount", "双12 预热 满200减25", [(20000, 2500)], exclusive_group="满减",
          starts_at=end, ends_at=end + 5 * d),
    ]


def _k(kb_id: str, title: str, question: str, answer: str, *tags: str) -> KnowledgeEntry:
    return KnowledgeEntry(kb_id=kb_id, title=title, question=question, answer=answer, tags=tuple(tags))


KNOWLEDGE: tuple[KnowledgeEntry, ...] = (
    _k("KB01", "七天无理由退货", "收到货不喜欢可以退吗？",
       "亲，本店商品支持签收后7天内无理由退货（以签收时间起算），商品需保持吊牌完好、不影响二次销售。"
       "贴身衣物（内衣、袜子）拆封后、定制刻字商品、已激活的运动手表不支持无理由退货哦。",
       "return_refund", "七天无理由"),
    _k("KB02", "退货运费", "退货运费谁出？",
       "亲，质量问题退换运费由我们承担；无理由退换的来回运费需要您承担，如下单时购买了运费险，"
       "退货后运费险会自动理赔到您的支付账户。", "return_refund", "运费险"),
    _k("KB03", "换货流程", "尺码不合适可以换吗？",
       "亲，可以换的~在订单页申请【换货】选择新的尺码/颜色，寄回时请附上纸条写明订单号和要换的规格，"
       "仓库收到后1-2天内给您寄出新的。", "return_refund", "order_change", "尺码"),
    _k("KB04", "价格保护（价保）", "买完降价了能退差价吗？",
       "亲，本店支持付款后15天价保：同一商品同一规格在价保期内降价（不含限时秒杀、直播专享价），"
       "可以申请补差价，差价按您实付金额与现价的差额退回，原路返还。", "price_promo", "价保"),
    _k("KB05", "家电保修", "电器坏了保修吗？",
       "亲，本店家电（空气炸锅、电饭煲、挂烫机）整机保修1年，扫地机器人、净水器整机保修2年，热水器保修3年；"
       "保修期内非人为损坏免费维修，请提供订单号和故障视频，我们安排售后或寄修。", "install_repair", "保修"),
    _k("KB06", "鞋类开胶保修", "登山鞋开胶怎么办？",
       "亲，登山鞋、徒步鞋自签收起180天内出现开胶、断底等质量问题可免费维修或换新，请拍照发给客服登记。",
       "quality_issue", "install_repair", "登山鞋"),
    _k("KB07", "发货时间", "什么时候发货？",
       "亲，现货商品付款后48小时内从杭州仓发出，16点前付款的订单当天发出；预售商品以页面标注的发货时间为准。",
       "shipping_urge", "发货"),
    _k("KB08", "快递与配送时效", "发什么快递？几天能到？",
       "亲，默认发中通/圆通，满299或家电发顺丰；江浙沪一般1-2天到，其他地区2-4天，新疆、西藏等偏远地区5-7天。",
       "logistics", "快递"),
    _k("KB09", "物流异常", "物流好几天不动了怎么办？",
       "亲，物流超过48小时未更新我们会联系快递网点核实，如确认丢件会为您补发或退款，请您放心。",
       "logistics", "物流异常"),
    _k("KB10", "修改地址/规格", "拍错了怎么改地址？",
       "亲，订单未发货前可以修改地址、颜色和尺码，请把新的信息发给我们备注；已发货的只能联系快递改派或拒收后重拍。",
       "order_change", "改地址"),
    _k("KB11", "取消订单", "怎么取消订单？",
       "亲，未发货的订单可以在订单页直接申请退款取消，款项1-3个工作日原路退回；已发货的需要拒收或收到后申请退货。",
       "cancel_order", "取消"),
    _k("KB12", "发票", "可以开发票吗？",
       "亲，支持开具电子普通发票和增值税专用发票。电子普票在确认收货后24小时内发到订单页；"
       "专票请提供公司名称、税号、开户行及账号、地址电话，3个工作日内寄出。", "invoice", "发票"),
    _k("KB13", "上门安装", "扫地机器人/净水器/热水器怎么安装？",
       "亲，扫地机器人、净水器、热水器签收后在订单页点【预约安装】或联系客服登记，师傅24小时内联系您，"
       "48小时内上门，安装调试免费（热水器辅材按标准收费）。", "install_repair", "安装"),
    _k("KB14", "冲锋衣尺码建议", "冲锋衣怎么选尺码？",
       "亲，冲锋衣是常规版型，可以按平时的尺码选择；如果里面要穿厚抓绒或羽绒，建议拍大一码。参考：身高170-175、"
       "体重65-72kg 选 L 码。", "recommendation", "尺码", "冲锋衣"),
    _k("KB15", "登山鞋尺码建议", "登山鞋怎么选码？",
       "亲，防水登山鞋偏小半码，建议按平时的运动鞋拍大半码；脚背高、脚宽的亲建议拍大一码，下山不顶脚。",
       "recommendation", "尺码", "登山鞋"),
    _k("KB16", "冲锋衣防水与洗涤", "冲锋衣防水吗？怎么洗？",
       "亲，冲锋衣防水指数10000mm，中雨没问题；建议30℃以下手洗、不要用柔顺剂和漂白剂，阴干，防泼水下降后可低温烘干恢复。",
       "product_info", "冲锋衣"),
    _k("KB17", "睡袋与羽绒温标", "睡袋零下能用吗？",
       "亲，羽绒睡袋舒适温度-5℃、极限-10℃，冬季露营建议搭配防潮垫；羽绒服适用-15℃~0℃。", "product_info", "睡袋"),
    _k("KB18", "会员等级与积分", "会员怎么升级？积分怎么用？",
       "亲，店铺会员按累计消费升级：满1000元银卡、满3000元金卡、满8000元钻石；每消费1元积1分，"
       "100积分可抵1元，金卡及以上享92折会员价。", "membership", "积分"),
    _k("KB19", "88VIP 与 PLUS", "88VIP 有折扣吗？",
       "亲，88VIP 和京东 PLUS 会员购买本店商品享95折会员价，与店铺券、满减可以叠加，与会员等级价二选一。",
       "membership", "price_promo", "88VIP", "PLUS"),
    _k("KB20", "支付方式", "可以用花呗分期吗？",
       "亲，支持支付宝、花呗、信用卡和微信（京东渠道）；满300元可花呗3期免息，满1000元6期免息。"
       "暂不支持货到付款。", "payment", "花呗"),
    _k("KB21", "退款到账时间", "退款多久到账？",
       "亲，仓库签收退货后24小时内审核退款，原路退回：支付宝/花呗实时到账，银行卡1-3个工作日，信用卡3-7个工作日。",
       "refund_progress", "退款"),
    _k("KB22", "质量问题处理", "收到的东西有问题怎么办？",
       "亲，非常抱歉给您带来不便！请拍照或视频发给我们，确认是质量问题的我们承担来回运费，给您换新或退款，"
       "也可以选择补偿。", "quality_issue", "质量问题"),
    _k("KB23", "优惠叠加规则", "优惠券和满减能一起用吗？",
       "亲，店铺满减和跨店满减二选一，店铺券每单限用一张，品类折扣之间不叠加，会员价（88VIP/PLUS/等级价）取其一；"
       "限时秒杀商品不与其他优惠同享。满减按折后金额计算。", "price_promo", "叠加"),
    _k("KB24", "赠品说明", "赠品怎么领？",
       "亲，满699元自动赠送速干毛巾，扫地机器人赠配件包，赠品随主商品一起发出；退货时赠品需一并退回。",
       "bargain", "price_promo", "赠品"),
    _k("KB25", "帐篷搭建", "帐篷怎么搭？",
       "亲，双人帐篷先铺地布，两根主杆十字交叉穿入杆套，挂钩挂上后打地钉、拉风绳即可，首次搭建约10分钟；"
       "详细视频在商品详情页最下方。", "install_repair", "帐篷"),
    _k("KB26", "耳机配对", "耳机连不上手机怎么办？",
       "亲，请把耳机放回充电盒，长按盒子按键5秒指示灯白灯闪烁后，在手机蓝牙里删除旧配对再重新搜索连接。",
       "install_repair", "耳机"),
    _k("KB27", "充电宝登机", "充电宝可以带上飞机吗？",
       "亲，20000mAh 充电宝额定能量74Wh，低于100Wh，可以随身携带登机，不能托运哦。", "product_info", "充电宝"),
    _k("KB28", "安全问题", "电器冒烟/有焦味怎么办？",
       "亲，请立即断电停止使用，远离电器，确认人员安全！拍下照片或视频发给我们，我们会优先加急处理，"
       "安排专人联系您并承担全部退换费用。", "quality_issue", "complaint", "安全"),
)
