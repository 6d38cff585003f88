package sample

import (
	"fmt"
	"math"
	"time"
)

func init() { generators["chemical"] = chemical }

type chemProduct struct {
	code, name, grade, category, cas, hazard, un, packaging, maker string
	purity, price                                                  float64 // %, CNY per tonne
	industries                                                     []string
}

var chemProducts = []chemProduct{
	{"TIO2-R902", "金红石型钛白粉", "R-902+", "pigments", "13463-67-7", "none", "", "bag25kg", "龙佰集团", 93, 16500, []string{"coatings", "plastics", "paper"}},
	{"TIO2-A101", "锐钛型钛白粉", "A-101", "pigments", "13463-67-7", "none", "", "bag25kg", "中核钛白", 98, 13800, []string{"paper", "coatings"}},
	{"BA-99", "丙烯酸丁酯", "工业级 99.5%", "intermediates", "141-32-2", "class3", "UN2348", "drum200l", "卫星化学", 99.5, 9800, []string{"coatings", "textiles"}},
	{"MMA-99", "甲基丙烯酸甲酯", "MMA 99.8%", "intermediates", "80-62-6", "class3", "UN1247", "tanker", "万华化学", 99.8, 12500, []string{"plastics", "coatings"}},
	{"EA-99", "乙酸乙酯", "99.7%", "solvents", "141-78-6", "class3", "UN1173", "drum200l", "江门谦信", 99.7, 6200, []string{"coatings", "pharma", "electronics"}},
	{"IPA-99", "异丙醇", "电子级", "solvents", "67-63-0", "class3", "UN1219", "ibc", "锦州石化", 99.9, 7800, []string{"electronics", "pharma"}},
	{"NAOH-32", "液碱（氢氧化钠溶液）", "32%", "acidsAlkalis", "1310-73-2", "class8", "UN1824", "tanker", "滨化股份", 32, 900, []string{"textiles", "water", "paper"}},
	{"H2SO4-98", "硫酸", "98% 工业级", "acidsAlkalis", "7664-93-9", "class8", "UN1830", "tanker", "云天化", 98, 450, []string{"agrochemical", "water"}},
	{"PAC-30", "聚合氯化铝", "30% 饮用水级", "additives", "1327-41-9", "none", "", "bag25kg", "巩义净水", 30, 2300, []string{"water", "paper"}},
	{"EP-E51", "双酚A型环氧树脂", "E-51", "resins", "25068-38-6", "class9", "UN3082", "drum200l", "南亚电子材料", 100, 17800, []string{"coatings", "electronics", "construction"}},
	{"UPR-196", "不饱和聚酯树脂", "196#", "resins", "26123-45-5", "class3", "UN1866", "drum200l", "华东树脂", 100, 9600, []string{"construction", "automotive"}},
	{"PP-T30S", "聚丙烯", "T30S 拉丝级", "polymers", "9003-07-0", "none", "", "bag25kg", "中石化镇海炼化", 100, 7600, []string{"plastics", "textiles", "automotive"}},
	{"ABS-0215", "ABS 树脂", "0215A", "polymers", "9003-56-9", "none", "", "bag25kg", "吉林石化", 100, 11200, []string{"plastics", "electronics", "automotive"}},
	{"SLES-70", "脂肪醇聚氧乙烯醚硫酸钠", "AES 70%", "surfactants", "68585-34-2", "none", "", "drum200l", "赞宇科技", 70, 8300, []string{"textiles"}},
	{"DISP-5040", "水性分散剂", "SN-5040", "additives", "9003-04-7", "none", "", "drum25kg", "德谦化学", 40, 26000, []string{"coatings", "paper"}},
	{"GLY-95", "草甘膦原药", "95%", "intermediates", "1071-83-6", "class9", "UN3077", "jumboBag", "兴发集团", 95, 25500, []string{"agrochemical"}},
}

var chemTrades = map[string][]string{
	"coatings": {"涂料", "油墨", "化工涂料"}, "plastics": {"塑胶", "改性塑料", "塑业"}, "textiles": {"纺织印染", "印染", "纺织"},
	"pharma": {"制药", "医药化工", "药业"}, "agrochemical": {"农化", "生物农药", "化肥"}, "electronics": {"电子材料", "半导体材料", "电子科技"},
	"construction": {"建材", "新型建材", "防水材料"}, "automotive": {"汽车部件", "车用材料", "汽配"}, "water": {"水处理", "环保工程", "水务"},
	"paper": {"纸业", "包装材料", "特种纸"},
}

var chemIndustries = []string{"coatings", "plastics", "textiles", "pharma", "agrochemical", "electronics", "construction", "automotive", "water", "paper"}

func chemical(g *gen) error {
	prodKeys := make([]string, len(chemProducts))
	for i, p := range chemProducts {
		prodKeys[i] = "product:" + p.code
		d := map[string]any{"code": p.code, "name": p.name, "grade": p.grade, "category": p.category, "casNumber": p.cas, "purity": p.purity,
			"hazardClass": p.hazard, "packaging": p.packaging, "listPricePerTon": p.price, "manufacturer": p.maker,
			"msdsUrl": "https://msds.example.com.cn/" + p.code, "shelfLifeMonths": pickOf(g, []int{12, 24, 36}), "active": true}
		if p.un != "" {
			d["unNumber"] = p.un
		}
		if err := g.emit("product", prodKeys[i], g.start, d); err != nil {
			return err
		}
	}
	reps := make([]string, 0, 30)
	for range min(30, 5+g.n/3000) {
		reps = append(reps, g.person().name)
	}
	// Distributors by territory.
	type distributor struct {
		key   string
		zone  string
		start time.Time
	}
	var distributors []distributor
	for i := range min(40, max(3, g.n/1500)) {
		r := g.region()
		name, brand := g.company(r, []string{"化工贸易", "化工物资", "精细化工贸易", "化工供应链"})
		_ = brand
		level := g.choose("national", 1, "regional", 4, "city", 6)
		if i == 0 {
			level = "national"
		}
		start := g.start.AddDate(0, 0, -g.between(0, 720))
		p := g.person()
		territory := []any{r.zone}
		if level == "national" {
			territory = []any{"east", "south", "north", "central", "southwest", "northwest", "northeast"}
		}
		k := g.key("distributor:")
		if err := g.emit("distributor", k, start, map[string]any{"name": name, "uscc": g.uscc(r), "level": level, "territory": territory,
			"hazmatLicence": hazmatLicence(g, r), "licenceExpiry": date(g.now.AddDate(g.between(0, 3), g.between(1, 11), 0)),
			"agreementStart": date(start), "agreementEnd": date(start.AddDate(3, 0, 0)), "annualTargetTons": math.Round(g.logNormal(3000, 0.8)),
			"rebateRate": float64(g.between(1, 5)), "contactName": p.name, "mobile": g.mobile(), "address": g.address(r),
			"status": g.choose("active", 8, "probation", 1, "terminated", 0.5)}); err != nil {
			return err
		}
		distributors = append(distributors, distributor{k, r.zone, start})
	}
	// Customers with contacts, price agreements, contracts, deliveries,
	// visits.
	customers := g.scale(0.032, 5)
	for range customers {
		r := g.region()
		ind := pickOf(g, chemIndustries)
		name, brand := g.company(r, chemTrades[ind])
		domain := domainOf(brand, "chem")
		created := g.when()
		if g.chance(0.4) {
			created = g.start.AddDate(0, 0, -g.between(30, 1500))
		}
		tons := math.Round(g.logNormal(800, 1.1))
		grade := "D"
		switch {
		case tons > 5000:
			grade = "A"
		case tons > 1500:
			grade = "B"
		case tons > 300:
			grade = "C"
		}
		var dist *distributor
		if grade == "C" || grade == "D" {
			for i := range distributors {
				if distributors[i].zone == r.zone && g.chance(0.7) {
					dist = &distributors[i]
					break
				}
			}
		}
		rep := pickOf(g, reps)
		status := g.choose("active", 8, "sampling", 1, "prospect", 1, "dormant", 1)
		cd := map[string]any{"name": name, "uscc": g.uscc(r), "industry": ind, "grade": grade, "region": r.zone, "annualConsumptionTons": tons,
			"shareOfWallet": float64(g.between(10, 80)), "creditLimit": math.Round(tons*g.logNormal(800, 0.4)/10000) * 10000,
			"creditDays": pickOf(g, []int{0, 30, 30, 60, 90}), "address": g.address(r), "phone": g.landline(r), "status": status, "salesRep": rep}
		if g.chance(0.6) {
			cd["hazmatLicence"] = hazmatLicence(g, r)
			cd["licenceExpiry"] = date(g.now.AddDate(g.between(0, 3), g.between(0, 11), g.between(0, 27)))
		}
		customerKey := g.key("customer:")
		if dist != nil {
			cd["distributor"] = dist.key
		}
		if err := g.emit("customer", customerKey, created, cd); err != nil {
			return err
		}
		var contacts []string
		for i, role := range []string{"purchasing", "technical", "quality", "finance", "ehs", "warehouse"}[:g.between(1, 4)] {
			p := g.person()
			k := g.key("contact:")
			titles := map[string]string{"purchasing": "采购经理", "technical": "研发工程师", "quality": "品质主管", "finance": "财务经理", "ehs": "安环主管", "warehouse": "仓库主管"}
			if err := g.emit("contact", k, g.after(created, 0, 30), map[string]any{"name": p.name, "customer": customerKey, "role": role, "title": titles[role],
				"mobile": g.mobile(), "email": g.email(p, domain), "decisionMaker": i == 0 && grade <= "B"}); err != nil {
				return err
			}
			contacts = append(contacts, k)
		}
		if status == "prospect" || status == "sampling" {
			if err := chemVisits(g, customerKey, contacts, created, rep, 2); err != nil {
				return err
			}
			continue
		}
		// What the customer buys: products its industry uses.
		var fits []int
		for i, p := range chemProducts {
			if containsStr(p.industries, ind) {
				fits = append(fits, i)
			}
		}
		buys := fits
		if len(buys) > 3 {
			perm := g.r.Perm(len(buys))[:g.between(1, 3)]
			var sel []int
			for _, i := range perm {
				sel = append(sel, buys[i])
			}
			buys = sel
		}
		// A price agreement per product, renewed each half-year.
		for _, pi := range buys {
			p := chemProducts[pi]
			for from := g.after(created, 0, 60); from.Before(g.now); from = from.AddDate(0, 6, 0) {
				until := from.AddDate(0, 6, -1)
				price := math.Round(p.price*(0.85+0.2*g.r.Float64())/10) * 10
				seq := []string{"draft", "pendingApproval", "active"}
				if until.Before(g.now) {
					seq = append(seq, "expired")
				}
				if g.chance(0.05) {
					seq = []string{"draft", "pendingApproval", "rejected"}
				}
				steps, _ := g.path("status", from.AddDate(0, 0, -10), 0.5, 4, seq[:min(3, len(seq))]...)
				if len(seq) == 4 {
					steps = append(steps, Stage{"status", "expired", until.Add(24 * time.Hour)})
				}
				ad := map[string]any{"customer": customerKey, "product": prodKeys[pi], "basis": g.choose("fixed", 3, "formula", 2, "monthly", 2), "pricePerTon": price,
					"minTons": math.Round(tons / 20), "deliveryTerms": g.choose("exWorks", 2, "delivered", 5), "validFrom": date(from), "validUntil": date(until),
					"status": seq[len(seq)-1]}
				if dist != nil {
					ad["distributor"] = dist.key
				}
				if containsStr(seq, "active") {
					ad["approvedBy"] = pickOf(g, []string{"销售总监", "大区经理", "总经理"})
				}
				if err := g.emit("priceAgreement", "", from.AddDate(0, 0, -10), ad, steps...); err != nil {
					return err
				}
			}
		}
		// Yearly framework contracts (A/B) or spot contracts, with their
		// deliveries.
		for t := g.after(created, 0, 90); t.Before(g.now); {
			kind := "spot"
			span := g.between(30, 120)
			if grade == "A" || grade == "B" {
				kind, span = "annualFrame", 365
			}
			pi := pickOf(g, buys)
			p := chemProducts[pi]
			qty := math.Round(math.Max(5, tons*float64(span)/365*(0.3+0.5*g.r.Float64())))
			amount := math.Round(qty * p.price * (0.9 + 0.15*g.r.Float64()))
			seq := []string{"drafting", "review", "signed", "executing"}
			startAt := g.after(t, 3, 20)
			endAt := startAt.AddDate(0, 0, span)
			if endAt.Before(g.now) {
				seq = append(seq, "completed")
			} else if startAt.After(g.now) {
				seq = seq[:3]
			}
			if g.chance(0.04) {
				seq = append(seq[:2], "terminated")
			}
			steps, _ := g.path("status", t, 1, 5, seq[:min(3, len(seq))]...)
			if len(seq) > 3 && seq[2] == "signed" {
				steps = append(steps, Stage{"status", "executing", startAt})
			}
			if len(seq) > 4 {
				steps = append(steps, Stage{"status", "completed", endAt})
			}
			if seq[len(seq)-1] == "terminated" {
				steps = append(steps[:2], Stage{"status", "terminated", steps[1].At.Add(48 * time.Hour)})
			}
			for i := 1; i < len(steps); i++ {
				if steps[i].At.Before(steps[i-1].At) {
					steps[i].At = steps[i-1].At
				}
			}
			title := fmt.Sprintf("%s%s采购合同", shortName(name), p.name)
			if kind == "annualFrame" {
				title = fmt.Sprintf("%d年度%s框架合同", startAt.Year(), p.name)
			}
			ctd := map[string]any{"title": title, "customer": customerKey, "kind": kind, "products": []any{prodKeys[pi]}, "quantityTons": qty, "amount": amount,
				"paymentTerms": g.choose("prepaid", 2, "cod", 1, "net30", 4, "net60", 2, "acceptance", 2), "startDate": date(startAt), "endDate": date(endAt),
				"status": seq[len(seq)-1], "salesRep": rep}
			if dist != nil {
				ctd["distributor"] = dist.key
			}
			for _, s := range steps {
				if s.Stage == "signed" {
					ctd["signedOn"] = date(s.At)
				}
			}
			if seq[len(seq)-1] == "terminated" {
				ctd["terminationReason"] = pickOf(g, []string{"客户产线停产", "价格未达成一致", "资质审核未通过"})
			}
			contractKey := g.key("contract:")
			if err := g.emit("contract", contractKey, t, ctd, steps...); err != nil {
				return err
			}
			// Deliveries while the contract runs.
			if containsStr(seq, "executing") {
				n := min(12, max(1, int(float64(span)/30)))
				per := math.Max(1, math.Round(qty/float64(n)))
				for d := range n {
					planned := startAt.AddDate(0, 0, d*span/n+g.between(0, 5))
					if planned.After(g.now.AddDate(0, 0, 10)) {
						break
					}
					dd := map[string]any{"contract": contractKey, "customer": customerKey, "product": prodKeys[pi], "quantityTons": per, "plannedDate": date(planned),
						"warehouse":      g.choose("shanghaiJinshan", 3, "ningboZhenhai", 3, "nanjingLiuhe", 2, "huizhouDayawan", 2, "tianjinLingang", 2, "zibo", 1),
						"dangerousGoods": p.hazard != "none"}
					dSeq := []string{"planned"}
					dSteps := []Stage{{"status", "planned", planned.AddDate(0, 0, -3)}}
					load := planned.Add(2 * time.Hour)
					if load.Before(g.now) {
						dd["batchNumber"] = fmt.Sprintf("%s%s%03d", p.code[:2], planned.Format("060102"), g.r.IntN(1000))
						dd["coaNumber"] = fmt.Sprintf("COA-%s-%04d", planned.Format("0601"), g.r.IntN(10000))
						dSeq = append(dSeq, "loading")
						dSteps = append(dSteps, Stage{"status", "loading", load})
						ship := load.Add(time.Duration(g.between(2, 6)) * time.Hour)
						if ship.Before(g.now) {
							dd["carrier"] = pickOf(g, []string{"安达危险品运输有限公司", "顺化物流", "华东化工物流", "中外运化工"})
							dd["vehiclePlate"] = pickOf(g, []string{"沪", "浙B", "苏A", "鲁C", "粤L", "津"}) + fmt.Sprintf("%c%04d", 'A'+rune(g.r.IntN(20)), g.r.IntN(10000))
							dd["shippedAt"] = datetime(ship)
							dSeq = append(dSeq, "inTransit")
							dSteps = append(dSteps, Stage{"status", "inTransit", ship})
							arrive := ship.Add(time.Duration(g.between(6, 60)) * time.Hour)
							if arrive.Before(g.now) {
								end := g.choose("delivered", 60, "rejected", 1)
								if end == "delivered" {
									dd["deliveredAt"] = datetime(arrive)
									dd["receivedBy"] = g.person().name
								} else {
									dd["rejectReason"] = pickOf(g, []string{"COA 指标超标", "包装破损泄漏", "到货数量不符"})
								}
								dSeq = append(dSeq, end)
								dSteps = append(dSteps, Stage{"status", end, arrive})
							}
						}
					}
					dd["status"] = dSeq[len(dSeq)-1]
					created := planned.AddDate(0, 0, -3)
					if created.After(g.now) {
						created = g.now.Add(-time.Hour)
						dSteps[0].At = created
					}
					if err := g.emit("delivery", "", created, dd, dSteps...); err != nil {
						return err
					}
				}
			}
			t = endAt.AddDate(0, 0, -g.between(0, 20))
			if kind == "spot" {
				t = g.after(t, 10, 90)
			}
		}
		if err := chemVisits(g, customerKey, contacts, created, rep, g.between(1, 4)); err != nil {
			return err
		}
	}
	return nil
}

func chemVisits(g *gen, customer string, contacts []string, since time.Time, rep string, n int) error {
	for range n {
		at := g.after(since, 5, 600)
		purpose := g.choose("relationship", 4, "sampling", 2, "technicalSupport", 2, "priceNegotiation", 2, "complaint", 0.5, "collection", 1, "audit", 0.3)
		vd := map[string]any{"customer": customer, "contact": pickOf(g, contacts), "visitedOn": date(at), "purpose": purpose, "salesRep": rep,
			"summary": map[string]string{"relationship": "拜访采购负责人，了解下季度排产计划。", "sampling": "送样跟进，客户小试结果良好，准备中试。",
				"technicalSupport": "协助客户解决分散稳定性问题，调整添加量。", "priceNegotiation": "原料上涨，沟通下月调价方案。",
				"complaint": "处理批次色差投诉，已安排退换。", "collection": "沟通逾期货款，客户承诺月底付清。", "audit": "配合客户完成供应商现场审核。"}[purpose],
			"nextStep": pickOf(g, []string{"月底前提交报价", "安排技术人员驻厂", "寄送新批次样品", "跟进回款"})}
		if g.chance(0.3) {
			vd["competitorInfo"] = pickOf(g, []string{"竞品报价低 3%，账期 90 天。", "某进口品牌交期延长至 8 周。", "客户在试用国产替代品。"})
		}
		if err := g.emit("visit", "", at, vd); err != nil {
			return err
		}
	}
	return nil
}

// hazmatLicence returns a number in the style of a hazardous-chemicals
// business licence: province abbreviation, city and sequence.
func hazmatLicence(g *gen, r region) string {
	abbr := map[string]string{"北京市": "京", "上海市": "沪", "天津市": "津", "重庆市": "渝", "广东省": "粤", "浙江省": "浙", "江苏省": "苏", "四川省": "川",
		"湖北省": "鄂", "湖南省": "湘", "河南省": "豫", "陕西省": "陕", "山东省": "鲁", "福建省": "闽", "安徽省": "皖", "辽宁省": "辽", "吉林省": "吉",
		"黑龙江省": "黑", "河北省": "冀", "山西省": "晋", "江西省": "赣", "广西壮族自治区": "桂", "云南省": "云", "贵州省": "贵", "海南省": "琼",
		"甘肃省": "甘", "新疆维吾尔自治区": "新", "内蒙古自治区": "蒙", "宁夏回族自治区": "宁"}[r.province]
	return fmt.Sprintf("%s%s安经（%d）字%05d", abbr, r.code[2:4], 2021+g.r.IntN(4), g.r.IntN(100000))
}
