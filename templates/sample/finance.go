package sample

import (
	"fmt"
	"math"
	"time"
)

func init() { generators["finance"] = finance }

type finProduct struct {
	code, name, typ, risk, issuer string
	ret                           float64 // benchmark return, % p.a.
	term                          int     // days, 0 open-ended
	min                           float64
	qualified                     bool
}

var finProducts = []finProduct{
	{"CD2403", "2024年第3期大额存单（3年）", "deposit", "R1", "本行", 2.35, 1095, 200000, false},
	{"SD0917", "汇利结构性存款 91天", "structuredDeposit", "R1", "本行", 2.6, 91, 10000, false},
	{"SD1828", "汇利结构性存款 182天", "structuredDeposit", "R2", "本行", 2.8, 182, 10000, false},
	{"WM-GX90", "稳享固收90天持有期", "wealthManagement", "R2", "本行理财子公司", 3.1, 90, 10000, false},
	{"WM-GX365", "稳享固收一年定开", "wealthManagement", "R2", "本行理财子公司", 3.45, 365, 10000, false},
	{"WM-FH180", "丰和混合类180天", "wealthManagement", "R3", "本行理财子公司", 4.2, 180, 10000, false},
	{"MF-110022", "某某消费行业股票基金", "mutualFund", "R4", "易方基金管理有限公司", 0, 0, 10, false},
	{"MF-000961", "沪深300指数增强", "mutualFund", "R4", "天弘基金管理有限公司", 0, 0, 10, false},
	{"MF-003376", "纯债债券基金 A", "mutualFund", "R2", "广发基金管理有限公司", 3.0, 0, 10, false},
	{"MF-161005", "价值精选混合", "mutualFund", "R3", "富国基金管理有限公司", 0, 0, 10, false},
	{"PF-QL01", "量化对冲私募一号", "privateFund", "R4", "某私募基金管理有限公司", 0, 365, 1000000, true},
	{"PF-GY02", "成长股权私募二期", "privateFund", "R5", "某创投基金管理有限公司", 0, 1825, 1000000, true},
	{"TR-JY08", "集合资金信托计划（基础设施）", "trust", "R3", "某信托有限责任公司", 5.2, 730, 1000000, true},
	{"IN-ZS20", "增额终身寿险（20年交）", "insurance", "R1", "某人寿保险股份有限公司", 0, 0, 10000, false},
	{"IN-NJ10", "养老年金保险（10年交）", "insurance", "R1", "某人寿保险股份有限公司", 0, 0, 10000, false},
	{"BD-2405", "2024年储蓄国债（电子式）第五期", "bond", "R1", "财政部", 2.38, 1095, 100, false},
}

var riskLevels = []string{"C1", "C2", "C3", "C4", "C5"}

func finance(g *gen) error {
	prodKeys := make([]string, len(finProducts))
	for i, p := range finProducts {
		prodKeys[i] = "product:" + p.code
		launch := g.start.AddDate(0, 0, -g.between(0, 400))
		data := map[string]any{"code": p.code, "name": p.name, "type": p.typ, "riskLevel": p.risk, "issuer": p.issuer,
			"minInvestment": p.min, "currency": "CNY", "launchDate": date(launch), "qualifiedInvestorsOnly": p.qualified,
			"status": "open"}
		if p.ret > 0 {
			data["expectedReturn"] = p.ret
		}
		if p.term > 0 {
			data["termDays"] = p.term
			if p.typ == "privateFund" || p.typ == "trust" || p.typ == "deposit" {
				data["status"] = "closed"
			}
		}
		if err := g.emit("product", prodKeys[i], launch, data); err != nil {
			return err
		}
	}
	advisors := make([]string, 0, 20)
	for range min(20, 4+g.n/3000) {
		advisors = append(advisors, g.person().name)
	}
	branches := []string{"营业部", "支行", "财富中心", "私人银行中心"}
	// Each client with assessments, holdings, opportunities and follow-ups.
	clients := g.scale(0.12, 8)
	for range clients {
		p := g.person()
		r := g.region()
		birth := g.birth(25, 75)
		onboarded := g.when()
		if g.chance(0.4) {
			onboarded = g.start.AddDate(0, 0, -g.between(30, 3000))
		}
		// Wealth is log-normal; tier follows it.
		aum := g.money(180000, 1.6)
		tier := "mass"
		switch {
		case aum >= 6e6:
			tier = "privateBanking"
		case aum >= 3e6:
			tier = "wealth"
		case aum >= 5e5:
			tier = "platinum"
		case aum >= 5e4:
			tier = "gold"
		}
		age := int(daysBetween(birth, g.now) / 365)
		risk := g.weighted([]float64{1, 3, 4, 2, 0.6})
		if age > 65 {
			risk = min(risk, 2)
		}
		advisor := pickOf(g, advisors)
		key := g.key("client:")
		assessed := g.after(g.now.AddDate(-1, 0, 0), 0, 360)
		data := map[string]any{
			"name": p.name, "idNumber": g.residentID(r, birth, p.male), "gender": gender(p), "birthDate": date(birth), "mobile": g.mobile(),
			"address": g.address(r), "aum": aum, "assetTier": tier, "riskTolerance": riskLevels[risk], "riskAssessedOn": date(assessed),
			"riskAssessmentExpires": date(assessed.AddDate(1, 0, 0)),
			"occupation":            g.choose("employee", 5, "civilServant", 2, "professional", 2, "businessOwner", 2, "executive", 1, "freelancer", 1, "retired", 2),
			"annualIncome":          incomeBand(aum, g),
			"investmentExperience":  g.choose("none", 1, "lt2", 2, "2to5", 3, "5to10", 2, "gt10", 1),
			"qualifiedInvestor":     aum >= 3e6, "kycStatus": "verified", "amlRisk": g.choose("low", 20, "medium", 2, "high", 0.2),
			"branch": r.cityShort() + r.district + pickOf(g, branches), "advisor": advisor, "onboardedOn": date(onboarded),
		}
		if age > 65 {
			data["occupation"] = "retired"
		}
		if g.chance(0.5) {
			data["email"] = g.email(p, "")
		}
		data["lastContactDate"] = date(g.after(onboarded, 20, 700))
		if err := g.emit("client", key, onboarded, data); err != nil {
			return err
		}
		// Yearly risk assessments; the latest gave the current tolerance.
		at := assessed
		var assessments []time.Time
		for at.After(onboarded) {
			assessments = append([]time.Time{at}, assessments...)
			at = at.AddDate(-1, 0, -g.between(0, 20))
		}
		for i, a := range assessments {
			res := risk
			if i < len(assessments)-1 {
				res = max(0, min(4, risk+g.between(-1, 1)))
			}
			if err := g.emit("riskAssessment", "", a, map[string]any{"client": key, "assessedOn": date(a), "score": 15 + res*18 + g.between(0, 12),
				"result": riskLevels[res], "validUntil": date(a.AddDate(1, 0, 0)), "channel": g.choose("counter", 2, "mobileBanking", 5, "onlineBanking", 1, "advisorPad", 2)}); err != nil {
				return err
			}
		}
		// Holdings only in products the client's tolerance allows
		// (suitability: product risk R ≤ client tolerance C).
		var holdings []string
		nHold := min(8, int(g.logNormal(1.6, 0.6)))
		for range nHold {
			var suitable []int
			for i, fp := range finProducts {
				if int(fp.risk[1]-'1') <= risk && (!fp.qualified || aum >= 3e6) {
					suitable = append(suitable, i)
				}
			}
			pi := pickOf(g, suitable)
			fp := finProducts[pi]
			bought := g.after(onboarded, 0, 600)
			principal := math.Max(fp.min, math.Round(aum*(0.1+0.3*g.r.Float64())/1000)*1000)
			hd := map[string]any{"client": key, "product": prodKeys[pi], "principal": principal, "purchasedOn": date(bought),
				"clientRiskAtPurchase": riskLevels[risk], "suitability": "matched", "status": "holding"}
			growth := 1 + (fp.ret/100+0.04*g.r.NormFloat64())*daysBetween(bought, g.now)/365
			if fp.ret > 0 {
				growth = 1 + fp.ret/100*daysBetween(bought, g.now)/365
			}
			hd["marketValue"] = round2(principal * math.Max(0.5, growth))
			if fp.term > 0 {
				maturity := bought.AddDate(0, 0, fp.term)
				hd["maturityDate"] = date(maturity)
				if maturity.Before(g.now) {
					hd["status"] = "matured"
					hd["marketValue"] = 0.0
				}
			} else if g.chance(0.15) {
				hd["status"] = "redeemed"
				hd["marketValue"] = 0.0
			}
			if fp.typ == "mutualFund" {
				hd["shares"] = round2(principal / (0.8 + g.r.Float64()))
			}
			hk := g.key("holding:")
			if err := g.emit("holding", hk, bought, hd); err != nil {
				return err
			}
			holdings = append(holdings, hk)
		}
		// Sales opportunities through risk disclosure and recording.
		for range g.between(0, 2) {
			created := g.after(onboarded, 0, 700)
			var suitable []int
			for i, fp := range finProducts {
				if int(fp.risk[1]-'1') <= risk {
					suitable = append(suitable, i)
				}
			}
			pi := pickOf(g, suitable)
			seq := []string{"identified", "recommended", "riskDisclosed", "recorded", "subscribed"}
			reach := g.between(1, 5)
			if daysBetween(created, g.now) > 60 && reach < 5 {
				reach = 5
			}
			seq = seq[:reach]
			declined := seq[len(seq)-1] != "subscribed" && daysBetween(created, g.now) > 30 || g.chance(0.2)
			if declined {
				seq = append(seq[:min(len(seq), 3)], "declined")
			}
			steps, end := g.path("stage", created, 1, 10, seq...)
			amount := math.Max(finProducts[pi].min, g.money(aum*0.2+10000, 0.5))
			od := map[string]any{"client": key, "product": prodKeys[pi], "expectedAmount": amount, "stage": seq[len(seq)-1], "advisor": advisor}
			for _, s := range steps {
				switch s.Stage {
				case "riskDisclosed":
					od["riskDisclosedAt"] = datetime(s.At)
				case "recorded":
					od["recordingNumber"] = fmt.Sprintf("SL%s%06d", s.At.Format("20060102"), g.r.IntN(1_000_000))
				case "subscribed":
					od["subscribedAmount"] = amount
					od["subscribedOn"] = date(s.At)
				case "declined":
					od["declineReason"] = g.choose("returnTooLow", 3, "riskTooHigh", 3, "liquidity", 2, "competitor", 1, "noFunds", 2, "other", 0.5)
				}
			}
			if od["stage"] != "subscribed" && od["stage"] != "declined" {
				od["expectedCloseDate"] = date(g.future(3, 45))
			} else {
				od["expectedCloseDate"] = date(end)
			}
			if err := g.emit("opportunity", "", created, od, steps...); err != nil {
				return err
			}
		}
		// Follow-ups: reviews, maturity reminders, reassessments; a few
		// planned ahead.
		subjects := map[string]string{"phoneCall": "电话回访", "meeting": "面谈沟通资产配置", "portfolioReview": "季度资产检视", "maturityReminder": "产品到期提醒及续投建议",
			"riskReassessment": "风险测评到期提醒", "marketUpdate": "市场解读与调仓建议", "birthdayCare": "生日关怀"}
		summaries := []string{"客户对当前收益满意，暂不调整。", "建议增配固收类产品，客户考虑中。", "客户关注权益市场波动，已解释风险。", "到期资金续投稳享固收，已预约。",
			"客户计划购房，需保留流动性。", "已提醒客户完成风险测评。", "未接通，已短信告知。"}
		nf := max(1, int(g.logNormal(2.5, 0.6)))
		for i := range nf {
			typ := g.choose("phoneCall", 4, "meeting", 2, "portfolioReview", 2, "maturityReminder", 2, "riskReassessment", 1, "marketUpdate", 2, "birthdayCare", 1)
			due := g.after(onboarded, 10, 700)
			fd := map[string]any{"subject": subjects[typ], "client": key, "type": typ, "dueDate": date(due), "advisor": advisor}
			if len(holdings) > 0 && (typ == "maturityReminder" || typ == "portfolioReview") {
				fd["holding"] = pickOf(g, holdings)
			}
			created := due.AddDate(0, 0, -g.between(1, 14))
			if i == nf-1 && g.chance(0.3) {
				due = g.future(1, 30)
				fd["dueDate"] = date(due)
				fd["status"] = "planned"
				created = g.now.Add(-time.Duration(g.between(1, 200)) * time.Hour)
			} else {
				fd["status"] = g.choose("done", 8, "unreachable", 1, "cancelled", 0.3)
				done := due.Add(time.Duration(g.between(0, 8*3600)) * time.Second)
				if done.After(g.now) {
					done = due
				}
				fd["completedAt"] = datetime(done)
				fd["summary"] = pickOf(g, summaries)
			}
			if err := g.emit("followUp", "", created, fd); err != nil {
				return err
			}
		}
	}
	return nil
}

func incomeBand(aum float64, g *gen) string {
	switch {
	case aum > 5e6:
		return g.choose("1mTo5m", 2, "gte5m", 1)
	case aum > 1e6:
		return g.choose("500kTo1m", 2, "1mTo5m", 1)
	case aum > 2e5:
		return g.choose("100kTo500k", 3, "500kTo1m", 1)
	}
	return g.choose("lt100k", 2, "100kTo500k", 1)
}
