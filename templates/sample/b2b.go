package sample

import (
	"fmt"
	"math"
	"strings"
	"time"
)

func init() { generators["b2b-sales"] = b2bSales }

type b2bProduct struct {
	code, name, family, unit string
	price                    float64
	tax                      float64
}

var b2bProducts = []b2bProduct{
	{"ERP-STD", "云ERP 标准版（年订阅）", "subscription", "year", 68000, 6},
	{"ERP-PRO", "云ERP 专业版（年订阅）", "subscription", "year", 158000, 6},
	{"CRM-SEAT", "CRM 用户许可（年）", "subscription", "seat", 1800, 6},
	{"MES-LIC", "MES 制造执行系统 永久许可", "software", "set", 380000, 13},
	{"WMS-LIC", "WMS 仓储管理系统 永久许可", "software", "set", 220000, 13},
	{"BI-LIC", "BI 数据分析平台 永久许可", "software", "set", 120000, 13},
	{"OA-LIC", "协同办公平台 永久许可", "software", "set", 60000, 13},
	{"SRV-IMPL", "实施服务", "service", "personDay", 2500, 6},
	{"SRV-DEV", "二次开发服务", "service", "personDay", 3000, 6},
	{"SRV-MIG", "数据迁移服务", "service", "set", 45000, 6},
	{"SRV-OPS", "年度运维服务", "service", "year", 36000, 6},
	{"TRN-ADMIN", "系统管理员培训", "training", "personDay", 4000, 6},
	{"TRN-USER", "最终用户培训（每期）", "training", "set", 12000, 6},
	{"HW-SRV", "国产化服务器（2路）", "hardware", "unit", 86000, 13},
	{"HW-PDA", "工业手持终端 PDA", "hardware", "unit", 4200, 13},
	{"HW-SCAN", "工业扫码枪", "hardware", "unit", 980, 13},
	{"HW-GW", "工业物联网网关", "hardware", "unit", 6800, 13},
	{"HW-KIOSK", "车间看板一体机 55寸", "hardware", "unit", 12800, 13},
}

var b2bTrades = []string{"科技", "信息技术", "智能装备", "精密机械", "电子", "新材料", "物流", "医疗器械", "建设工程", "环保科技", "食品", "汽车零部件", "贸易", "机电"}

var b2bIndustryOf = map[string]string{
	"科技": "it", "信息技术": "it", "智能装备": "manufacturing", "精密机械": "manufacturing", "电子": "manufacturing",
	"新材料": "energy", "物流": "logistics", "医疗器械": "healthcare", "建设工程": "construction", "环保科技": "services",
	"食品": "manufacturing", "汽车零部件": "manufacturing", "贸易": "wholesale", "机电": "manufacturing",
}

var b2bTitles = map[string][]string{
	"management": {"总经理", "副总经理", "董事长助理"},
	"purchasing": {"采购经理", "采购专员", "供应链总监"},
	"technology": {"技术总监", "研发经理", "工程师"},
	"finance":    {"财务总监", "财务经理", "会计"},
	"sales":      {"销售总监", "销售经理"},
	"operations": {"运营总监", "生产经理", "厂长"},
	"hr":         {"人力资源经理", "HRBP"},
	"it":         {"CIO", "信息中心主任", "IT经理"},
}

func b2bSales(g *gen) error {
	team := make([]string, 0, 40)
	for range min(40, 6+g.n/5000) {
		team = append(team, g.person().name)
	}
	// Products.
	prodKeys := make([]string, len(b2bProducts))
	for i, p := range b2bProducts {
		prodKeys[i] = "product:" + p.code
		floor := math.Round(p.price * 0.7)
		if err := g.emit("product", prodKeys[i], g.start, map[string]any{
			"code": p.code, "name": p.name, "family": p.family, "unit": p.unit, "listPrice": p.price,
			"floorPrice": floor, "taxRate": p.tax, "active": true,
		}); err != nil {
			return err
		}
	}
	// Campaigns.
	type campaign struct {
		key   string
		start time.Time
	}
	var campaigns []campaign
	types := []string{"exhibition", "seminar", "webinar", "email", "sms", "advertising", "wechat"}
	typeZh := map[string]string{"exhibition": "行业展会", "seminar": "客户研讨会", "webinar": "线上直播", "email": "邮件营销", "sms": "短信营销", "advertising": "精准广告投放", "wechat": "公众号专题"}
	topics := []string{"智能制造", "数字化转型", "精益生产", "供应链协同", "财务共享", "国产化替代", "工业互联网", "数据治理"}
	for range min(60, max(3, g.n/800)) {
		t := g.when()
		typ := pickOf(g, types)
		r := g.region()
		name := fmt.Sprintf("%d年%s%s%s（%s）", t.Year(), pickOf(g, topics), typeZh[typ], "", r.cityShort())
		for !g.unique("cmp:" + name) {
			name = fmt.Sprintf("%d年%s%s 第%d期（%s）", t.Year(), pickOf(g, topics), typeZh[typ], 2+g.r.IntN(9), r.cityShort())
		}
		end := t.AddDate(0, 0, g.between(0, 3))
		if typ == "email" || typ == "sms" || typ == "advertising" || typ == "wechat" {
			end = t.AddDate(0, 0, g.between(7, 45))
		}
		status := "completed"
		switch {
		case end.After(g.now) && t.Before(g.now):
			status = "active"
		case t.After(g.now):
			status = "planned"
		case g.chance(0.05):
			status = "aborted"
		}
		budget := g.money(60000, 0.8)
		data := map[string]any{"name": name, "type": typ, "status": status, "startDate": date(t), "endDate": date(end),
			"city": r.city, "budget": budget, "expectedResponses": g.between(30, 600), "expectedRevenue": g.money(budget*8, 0.5),
			"description": fmt.Sprintf("面向%s客户的%s，主题：%s。", r.province, typeZh[typ], pickOf(g, topics))}
		if status == "completed" {
			data["actualCost"] = round2(budget * (0.7 + 0.5*g.r.Float64()))
		}
		k := g.key("campaign:")
		campaigns = append(campaigns, campaign{k, t})
		if err := g.emit("campaign", k, t.AddDate(0, 0, -g.between(10, 40)), data); err != nil {
			return err
		}
	}
	// Accounts with their contacts.
	type account struct {
		key      string
		created  time.Time
		contacts []string
		region   region
		domain   string
		owner    string
		name     string
	}
	nAccounts := g.scale(0.06, 5)
	accounts := make([]*account, 0, nAccounts)
	accountByKey := map[string]*account{}
	for i := range nAccounts {
		r := g.region()
		trade := pickOf(g, b2bTrades)
		name, brand := g.company(r, []string{trade})
		created := g.when()
		a := &account{key: g.key("account:"), created: created, region: r, domain: domainOf(brand, "tech"), owner: pickOf(g, team), name: name}
		grade := g.choose("strategic", 1, "important", 3, "normal", 8)
		typ := g.choose("customer", 5, "prospect", 4, "partner", 1, "competitor", 0.3)
		lifecycle := map[string]string{"customer": g.choose("growth", 3, "maturity", 4, "churn", 1), "prospect": g.choose("prospect", 2, "acquisition", 3)}[typ]
		revenue := g.money(map[string]float64{"strategic": 2e9, "important": 3e8, "normal": 5e7}[grade], 0.9)
		data := map[string]any{
			"name": name, "uscc": g.uscc(r), "type": typ, "industry": b2bIndustryOf[trade], "grade": grade,
			"source":        g.choose("website", 3, "referral", 3, "exhibition", 2, "coldCall", 2, "advertising", 1, "partner", 2, "tender", 1),
			"employees":     map[string]string{"strategic": g.choose("1000to4999", 2, "gte5000", 1), "important": g.choose("200to999", 2, "1000to4999", 1), "normal": g.choose("lt50", 2, "50to199", 3, "200to999", 1)}[grade],
			"annualRevenue": revenue, "phone": g.landline(r), "website": "https://www." + a.domain, "address": g.address(r),
			"owner": a.owner, "lastActivityDate": date(g.after(created, 1, 300)),
		}
		if lifecycle != "" {
			data["lifecycle"] = lifecycle
		}
		if i > 10 && g.chance(0.05) {
			data["parent"] = accounts[g.r.IntN(len(accounts))].key
		}
		if err := g.emit("account", a.key, created, data); err != nil {
			return err
		}
		accounts = append(accounts, a)
		accountByKey[a.key] = a
		depts := []string{"management", "purchasing", "technology", "finance", "operations", "it"}
		for j := range g.between(1, 4) {
			p := g.person()
			dept := pickOf(g, depts)
			k := g.key("contact:")
			cd := map[string]any{
				"name": p.name, "account": a.key, "gender": gender(p), "title": pickOf(g, b2bTitles[dept]), "department": dept,
				"role":   map[string]string{"management": "decisionMaker", "purchasing": "gatekeeper", "it": "influencer", "technology": "influencer", "finance": "influencer", "operations": "user"}[dept],
				"mobile": g.mobile(), "phone": g.landline(r), "email": g.email(p, a.domain), "isPrimary": j == 0,
			}
			if g.chance(0.6) {
				cd["wechat"] = fmt.Sprintf("wxid_%s%d", p.given, g.r.IntN(10000))
			}
			if g.chance(0.4) {
				cd["birthday"] = date(g.birth(25, 58))
			}
			if g.chance(0.1) {
				cd["role"] = "champion"
			}
			if err := g.emit("contact", k, g.after(created, 0, 30), cd); err != nil {
				return err
			}
			a.contacts = append(a.contacts, k)
		}
	}
	// Opportunities, quotes and orders.
	type opp struct {
		key, account, stage string
		at                  time.Time
	}
	var opps []opp
	stages := []string{"prospecting", "needsAnalysis", "solution", "proposal", "negotiation", "won"}
	oppNames := []string{"数字化工厂项目", "ERP 升级项目", "仓储系统建设", "CRM 实施项目", "数据中台一期", "年度运维续约", "MES 二期扩展", "财务共享中心建设", "设备联网改造", "协同办公平台采购"}
	nOpps := g.scale(0.08, 6)
	quoteCount, orderCount := 0, 0
	for range nOpps {
		a := accounts[g.r.IntN(len(accounts))]
		created := g.after(a.created, 0, 200)
		age := daysBetween(created, g.now)
		// Old opportunities are closed; recent ones spread over the funnel.
		var last string
		lostAt := -1
		switch {
		case age > 150:
			if g.chance(0.38) {
				last = "won"
			} else {
				lostAt = g.between(0, 4)
				last = "lost"
			}
		default:
			reach := min(5, int(age/20)+g.between(0, 2))
			last = stages[reach]
			if reach < 5 && g.chance(0.25) {
				lostAt, last = reach, "lost"
			}
		}
		var seq []string
		if last == "lost" {
			seq = append(append(seq, stages[:lostAt+1]...), "lost")
		} else {
			idx := 0
			for i, s := range stages {
				if s == last {
					idx = i
				}
			}
			seq = stages[:idx+1]
		}
		steps, end := g.path("stage", created, 3, 25, seq...)
		amount := g.money(map[bool]float64{true: 600000, false: 180000}[len(a.contacts) > 2], 1.0)
		typ := g.choose("newBusiness", 6, "upsell", 3, "renewal", 1)
		data := map[string]any{
			"name": shortName(a.name) + pickOf(g, oppNames), "account": a.key, "type": typ, "stage": last,
			"amount": amount, "owner": a.owner, "source": g.choose("website", 2, "referral", 3, "exhibition", 2, "coldCall", 1, "partner", 2, "campaign", 2, "existingCustomer", 2),
			"nextStep": pickOf(g, []string{"安排技术交流", "提交解决方案", "约见采购负责人", "准备商务报价", "走用印流程", "邀请参观样板客户"}),
		}
		if typ != "newBusiness" {
			data["source"] = "existingCustomer"
		}
		if data["source"] == "campaign" && len(campaigns) > 0 {
			data["campaign"] = pickOf(g, campaigns).key
		}
		switch last {
		case "won":
			data["closeDate"] = date(end)
			data["forecastCategory"] = "closed"
		case "lost":
			data["closeDate"] = date(end)
			data["forecastCategory"] = "omitted"
			data["lossReason"] = g.choose("price", 4, "competitor", 4, "noBudget", 2, "noDecision", 2, "productFit", 1, "timing", 2, "relationship", 1)
			data["competitor"] = pickOf(g, []string{"用友", "金蝶", "SAP", "浪潮", "鼎捷", "本地服务商"})
		default:
			data["closeDate"] = date(g.future(15, 150))
			data["forecastCategory"] = map[string]string{"prospecting": "pipeline", "needsAnalysis": "pipeline", "solution": "bestCase", "proposal": "bestCase", "negotiation": "commit"}[last]
		}
		reachedProposal := false
		for _, s := range seq {
			if s == "proposal" {
				reachedProposal = true
			}
		}
		if reachedProposal || g.chance(0.5) {
			n := min(len(a.contacts), g.between(1, 3))
			var cs []any
			for _, c := range a.contacts[:n] {
				cs = append(cs, c)
			}
			data["contacts"] = cs
		}
		k := g.key("opportunity:")
		if err := g.emit("opportunity", k, created, data, steps...); err != nil {
			return err
		}
		opps = append(opps, opp{key: k, account: a.key, stage: last, at: created})
		if !reachedProposal {
			continue
		}
		// A quote with lines.
		qAt := created
		for _, s := range steps {
			if s.Stage == "proposal" {
				qAt = s.At
			}
		}
		qStatus := map[string]string{"won": "accepted", "lost": g.choose("rejected", 3, "expired", 1), "proposal": "sent", "negotiation": "sent"}[last]
		qSeq := []string{"draft", "inReview", "approved", "sent"}
		if qStatus != "sent" {
			qSeq = append(qSeq, qStatus)
		}
		qSteps, _ := g.path("status", qAt, 0.2, 3, qSeq...)
		quoteKey := g.key("quote:")
		lines := g.between(1, 3)
		var lineData []map[string]any
		subtotal := 0.0
		for _, pi := range g.r.Perm(len(b2bProducts))[:lines] {
			p := b2bProducts[pi]
			qty := float64(g.between(1, 5))
			if p.unit == "personDay" {
				qty = float64(g.between(10, 120))
			} else if p.unit == "seat" {
				qty = float64(g.between(20, 300))
			}
			disc := float64(g.between(0, 4) * 5)
			amt := round2(qty * p.price * (1 - disc/100))
			subtotal += amt
			lineData = append(lineData, map[string]any{"quote": quoteKey, "product": prodKeys[pi], "quantity": qty, "unitPrice": p.price, "discount": disc, "amount": amt})
		}
		discount := float64(g.between(0, 3) * 2)
		total := round2(subtotal * (1 - discount/100))
		if err := g.emit("quote", quoteKey, qAt, map[string]any{
			"title": fmt.Sprintf("%s 报价", data["name"]), "opportunity": k, "account": a.key, "contact": a.contacts[0],
			"quoteDate": date(qSteps[min(3, len(qSteps)-1)].At), "validUntil": date(qAt.AddDate(0, 0, 30)), "subtotal": round2(subtotal),
			"discount": discount, "total": total, "status": qStatus, "terms": "报价含税（增值税专用发票）；付款方式：合同签订后预付30%，验收后付清余款；有效期30天。",
		}, qSteps...); err != nil {
			return err
		}
		quoteCount++
		for _, l := range lineData {
			if err := g.emit("quoteLine", "", qAt, l); err != nil {
				return err
			}
		}
		if last != "won" {
			continue
		}
		// The order of a won deal, followed through to payment as far as
		// its age allows.
		oAt := steps[len(steps)-1].At
		oSeq := []string{"draft", "confirmed", "shipped", "delivered", "invoiced", "paid"}
		reach := min(len(oSeq), 2+int(daysBetween(oAt, g.now)/15))
		if g.chance(0.03) {
			oSeq = []string{"draft", "cancelled"}
			reach = 2
		}
		oSteps, _ := g.path("status", oAt, 1, 20, oSeq[:reach]...)
		terms := g.choose("prepaid", 2, "net30", 4, "net60", 2, "net90", 1, "milestone", 2)
		od := map[string]any{"account": a.key, "opportunity": k, "quote": quoteKey, "contact": a.contacts[0], "orderDate": date(oAt),
			"amount": total, "paymentTerms": terms, "status": oSeq[reach-1], "shippingAddress": g.address(a.region), "owner": a.owner}
		for _, s := range oSteps {
			switch s.Stage {
			case "shipped":
				od["shippedDate"] = date(s.At)
			case "invoiced":
				od["invoiceNumber"] = fmt.Sprintf("%02d%018d", s.At.Year()%100, g.r.Int64N(1e18))
			case "paid":
				od["paidDate"] = date(s.At)
			}
		}
		orderKey := g.key("order:")
		if err := g.emit("order", orderKey, oAt, od, oSteps...); err != nil {
			return err
		}
		orderCount++
		for _, l := range lineData {
			price := l["unitPrice"].(float64) * (1 - l["discount"].(float64)/100)
			if err := g.emit("orderLine", "", oAt, map[string]any{"order": orderKey, "product": l["product"], "quantity": l["quantity"],
				"unitPrice": round2(price), "amount": l["amount"]}); err != nil {
				return err
			}
		}
	}
	// Leads; about a fifth were converted into the accounts above.
	var leads []string
	for range g.scale(0.15, 8) {
		p := g.person()
		r := g.region()
		trade := pickOf(g, b2bTrades)
		company, brand := g.company(r, []string{trade})
		created := g.when()
		status := g.choose("new", 2, "contacted", 3, "qualified", 2, "converted", 3, "unqualified", 4)
		if daysBetween(created, g.now) < 7 {
			status = "new"
		}
		data := map[string]any{
			"name": p.name, "company": company, "title": pickOf(g, b2bTitles[pickOf(g, []string{"management", "purchasing", "it", "operations"})]),
			"mobile": g.mobile(), "email": g.email(p, domainOf(brand, "tech")), "industry": b2bIndustryOf[trade],
			"source": g.choose("website", 4, "referral", 2, "exhibition", 3, "coldCall", 2, "advertising", 3, "campaign", 3, "tender", 1),
			"status": status, "rating": g.choose("hot", 1, "warm", 2, "cold", 2), "budget": g.money(200000, 1), "address": g.address(r), "owner": pickOf(g, team),
			"description": pickOf(g, []string{"希望了解生产管理系统，目前使用 Excel 排产。", "计划明年上线新的 ERP，预算已批。", "展会上扫码留资，对仓储方案感兴趣。", "官网咨询报价，需要演示。", "老客户介绍，集团下属工厂有需求。"}),
		}
		var seq []string
		switch status {
		case "new":
			seq = []string{"new"}
		case "contacted":
			seq = []string{"new", "contacted"}
		case "qualified":
			seq = []string{"new", "contacted", "qualified"}
		case "converted":
			seq = []string{"new", "contacted", "qualified", "converted"}
		case "unqualified":
			seq = []string{"new", pickOf(g, []string{"contacted", "unqualified"})}
			if seq[1] == "contacted" {
				seq = append(seq, "unqualified")
			}
			data["unqualifiedReason"] = g.choose("noNeed", 3, "noBudget", 2, "invalidContact", 2, "duplicate", 1, "competitor", 1, "notReachable", 2)
		}
		steps, end := g.path("status", created, 1, 10, seq...)
		if status == "converted" {
			o := opps[g.r.IntN(len(opps))]
			acc := accountByKey[o.account]
			data["convertedAccount"] = o.account
			data["convertedContact"] = acc.contacts[0]
			data["convertedOpportunity"] = o.key
			data["convertedAt"] = datetime(end)
			data["company"] = acc.name
		}
		k := g.key("lead:")
		if err := g.emit("lead", k, created, data, steps...); err != nil {
			return err
		}
		leads = append(leads, k)
	}
	// Cases.
	caseSubjects := map[string][]string{
		"question":  {"报表导出格式咨询", "如何配置审批流", "账号权限如何分配", "接口文档咨询"},
		"fault":     {"系统登录缓慢", "PDA 扫码无响应", "月结报表数据不一致", "打印模板错位", "网关离线告警"},
		"complaint": {"实施顾问响应不及时", "升级后功能异常影响生产", "发票迟迟未开"},
		"request":   {"新增用户账号", "开通移动端权限", "申请测试环境", "数据恢复请求"},
		"feedback":  {"希望增加批量导入功能", "建议优化移动端界面", "希望支持企业微信登录"},
	}
	var cases []string
	for range g.scale(0.05, 3) {
		a := accounts[g.r.IntN(len(accounts))]
		created := g.after(a.created, 10, 400)
		typ := g.choose("question", 3, "fault", 4, "complaint", 1, "request", 2, "feedback", 1)
		priority := g.choose("urgent", 1, "high", 2, "medium", 5, "low", 2)
		seq := []string{"new", "assigned", "inProgress"}
		if g.chance(0.3) {
			seq = append(seq, "waitingCustomer")
		}
		seq = append(seq, "resolved", "closed")
		age := daysBetween(created, g.now)
		reach := len(seq)
		if age < 10 {
			reach = g.between(1, len(seq))
		}
		seq = seq[:reach]
		steps, _ := g.path("status", created, 0.1, 2.5, seq...)
		hours := map[string]int{"urgent": 4, "high": 8, "medium": 24, "low": 72}[priority]
		data := map[string]any{
			"subject": pickOf(g, caseSubjects[typ]), "account": a.key, "contact": pickOf(g, a.contacts), "type": typ, "priority": priority,
			"channel": g.choose("phone", 4, "email", 2, "wechat", 3, "web", 2, "onsite", 1), "status": seq[len(seq)-1],
			"slaDueAt": datetime(created.Add(time.Duration(hours) * time.Hour)), "description": "客户反馈：" + pickOf(g, caseSubjects[typ]) + "，请尽快处理。",
		}
		if g.chance(0.7) {
			data["product"] = prodKeys[g.r.IntN(len(prodKeys))]
		}
		if reach >= 2 {
			data["assignee"] = pickOf(g, team)
		}
		for _, s := range steps {
			if s.Stage == "resolved" {
				data["resolvedAt"] = datetime(s.At)
				data["resolution"] = pickOf(g, []string{"远程协助调整配置后恢复正常。", "已发布补丁修复，客户确认。", "现场更换硬件后恢复。", "已提供操作手册并完成培训。", "数据已按备份恢复。"})
			}
			if s.Stage == "closed" {
				data["satisfaction"] = g.choose("5", 5, "4", 4, "3", 2, "2", 1, "1", 0.5)
			}
		}
		k := g.key("case:")
		if err := g.emit("case", k, created, data, steps...); err != nil {
			return err
		}
		cases = append(cases, k)
	}
	// Campaign members.
	if len(campaigns) > 0 {
		for range g.scale(0.08, 5) {
			c := pickOf(g, campaigns)
			status := g.choose("sent", 4, "opened", 3, "responded", 2, "registered", 2, "attended", 2, "noShow", 1, "unsubscribed", 0.5)
			data := map[string]any{"campaign": c.key, "status": status}
			if g.chance(0.5) && len(leads) > 0 {
				data["lead"] = pickOf(g, leads)
			} else {
				a := pickOf(g, accounts)
				data["contact"] = pickOf(g, a.contacts)
			}
			if status != "sent" && status != "opened" && status != "unsubscribed" {
				data["respondedAt"] = datetime(g.after(c.start, 0, 10))
			}
			if err := g.emit("campaignMember", "", c.start, data); err != nil {
				return err
			}
		}
	}
	// Activities fill the rest: the timeline of accounts, deals, leads and
	// cases.
	subjects := map[string][]string{
		"call":    {"电话沟通项目进展", "电话确认需求细节", "回访使用情况", "跟进报价反馈"},
		"visit":   {"拜访客户高层", "上门调研业务流程", "现场勘察", "拜访采购部门"},
		"meeting": {"方案评审会", "项目启动会", "商务谈判", "季度业务回顾"},
		"email":   {"发送解决方案", "发送报价单", "发送会议纪要", "发送合同草稿"},
		"wechat":  {"微信沟通上线计划", "微信发送产品资料", "微信确认拜访时间"},
		"demo":    {"产品演示", "POC 测试演示", "移动端演示"},
		"task":    {"准备投标文件", "整理客户需求清单", "申请特价审批", "安排技术支持"},
	}
	outcomes := []string{"客户认可方案，要求下周提供报价。", "对价格有顾虑，需申请折扣。", "关键人出差，改约下周。", "技术部门提出对接需求，需评估。", "客户确认预算已批，进入采购流程。", "竞品也在接触，需要加快节奏。", "已达成一致，等待合同用印。"}
	for range g.left() {
		a := accounts[g.r.IntN(len(accounts))]
		typ := g.choose("call", 5, "visit", 2, "meeting", 2, "email", 3, "wechat", 4, "demo", 1, "task", 2)
		start := g.after(a.created, 0, 700)
		status := "done"
		data := map[string]any{"subject": pickOf(g, subjects[typ]), "type": typ, "account": a.key, "contact": pickOf(g, a.contacts),
			"priority": g.choose("high", 1, "normal", 4, "low", 1), "owner": a.owner}
		if g.chance(0.08) {
			start = g.future(1, 21)
			status = "planned"
		} else if g.chance(0.03) {
			status = "cancelled"
		}
		data["status"] = status
		data["startAt"] = datetime(start)
		if typ == "task" {
			data["dueDate"] = date(start.AddDate(0, 0, g.between(1, 7)))
		} else {
			data["durationMinutes"] = map[string]int{"call": g.between(5, 40), "visit": g.between(60, 180), "meeting": g.between(45, 120), "email": 10, "wechat": g.between(5, 20), "demo": g.between(60, 120)}[typ]
		}
		if status == "done" {
			data["outcome"] = pickOf(g, outcomes)
		}
		switch x := g.r.Float64(); {
		case x < 0.45 && len(opps) > 0:
			o := pickOf(g, opps)
			data["opportunity"] = o.key
			data["account"] = o.account
			data["contact"] = pickOf(g, accountByKey[o.account].contacts)
		case x < 0.6 && len(leads) > 0:
			data["lead"] = pickOf(g, leads)
			delete(data, "account")
			delete(data, "contact")
		case x < 0.7 && len(cases) > 0:
			data["case"] = pickOf(g, cases)
		}
		created := start
		if status == "planned" {
			created = g.now.Add(-time.Duration(g.r.IntN(72)) * time.Hour)
		}
		if err := g.emit("activity", "", created, data); err != nil {
			return err
		}
	}
	_ = quoteCount
	_ = orderCount
	return nil
}

// shortName drops the legal suffix of a company name.
func shortName(company string) string {
	for _, suffix := range []string{"集团有限公司", "股份有限公司", "有限公司"} {
		if s, ok := strings.CutSuffix(company, suffix); ok {
			return s
		}
	}
	return company
}
