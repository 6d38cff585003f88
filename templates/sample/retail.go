package sample

import (
	"fmt"
	"math"
	"sort"
	"time"
)

func init() { generators["retail"] = retail }

type retailProduct struct {
	sku, name, category, brand string
	price                      float64
	cycle                      int // repurchase cycle in days; 0 none
}

var retailProducts = []retailProduct{
	{"AP-1001", "女士羊毛双面呢大衣", "apparel", "织野", 1299, 0},
	{"AP-1002", "男士重磅纯棉T恤", "apparel", "织野", 129, 0},
	{"AP-1003", "儿童摇粒绒卫衣", "apparel", "小象森林", 159, 0},
	{"AP-1004", "女士高腰直筒牛仔裤", "apparel", "织野", 299, 0},
	{"SH-2001", "轻量缓震跑鞋", "shoes", "疾风", 599, 0},
	{"SH-2002", "真皮通勤托特包", "shoes", "栖木", 899, 0},
	{"BE-3001", "氨基酸洁面乳 120g", "beauty", "素研", 89, 60},
	{"BE-3002", "玻尿酸补水精华 30ml", "beauty", "素研", 268, 45},
	{"BE-3003", "防晒霜 SPF50+ 50ml", "beauty", "光屿", 158, 60},
	{"BE-3004", "哑光丝绒口红", "beauty", "光屿", 219, 120},
	{"FD-4001", "东北五常大米 5kg", "food", "田园记", 79, 30},
	{"FD-4002", "云南小粒咖啡豆 500g", "food", "山间", 98, 30},
	{"FD-4003", "每日坚果礼盒 30袋", "food", "果然好", 139, 30},
	{"FD-4004", "有机纯牛奶 250ml×12", "food", "牧场时光", 69, 14},
	{"DG-5001", "降噪蓝牙耳机", "digital", "声纹", 799, 0},
	{"DG-5002", "智能手环 7", "digital", "声纹", 249, 0},
	{"DG-5003", "65W 氮化镓充电器", "digital", "电立方", 139, 0},
	{"HM-6001", "全棉四件套 1.8m", "home", "栖木", 459, 365},
	{"HM-6002", "记忆棉枕", "home", "栖木", 199, 365},
	{"HM-6003", "浓缩洗衣液 3kg", "home", "净之源", 59, 45},
	{"BB-7001", "婴儿纸尿裤 L 码 52片", "baby", "小象森林", 129, 14},
	{"BB-7002", "有机婴儿米粉", "baby", "小象森林", 88, 21},
	{"BB-7003", "婴儿湿巾 80抽×6包", "baby", "小象森林", 49, 21},
	{"SP-8001", "瑜伽垫 TPE 6mm", "sports", "疾风", 169, 0},
	{"SP-8002", "户外冲锋衣", "sports", "疾风", 899, 0},
	{"SP-8003", "速干运动短袖", "sports", "疾风", 119, 0},
}

func retail(g *gen) error {
	prodKeys := make([]string, len(retailProducts))
	for i, p := range retailProducts {
		prodKeys[i] = "product:" + p.sku
		data := map[string]any{"sku": p.sku, "barcode": ean13(fmt.Sprintf("69%02d%08d", 30+i%40, 10000+i*37)), "name": p.name, "category": p.category,
			"brand": p.brand, "price": p.price, "memberPrice": math.Round(p.price * 0.9), "active": true}
		if p.cycle > 0 {
			data["repurchaseCycleDays"] = p.cycle
		}
		if err := g.emit("product", prodKeys[i], g.start, data); err != nil {
			return err
		}
	}
	// Stores in big cities, plus the online store.
	type store struct {
		key    string
		region region
		online bool
	}
	var stores []store
	cities := []string{"上海市", "北京市", "杭州市", "南京市", "苏州市", "广州市", "深圳市", "成都市", "武汉市", "西安市", "重庆市", "长沙市", "青岛市", "厦门市", "郑州市"}
	nStores := min(60, max(4, g.n/2000))
	for i := range nStores {
		r := g.regionIn(cities...)
		format := g.choose("flagship", 1, "mall", 6, "street", 3, "outlet", 1)
		online := i == 0
		if online {
			format = "online"
		}
		name := fmt.Sprintf("%s%s店", r.cityShort(), pickOf(g, []string{"万象城", "大悦城", "来福士", "银泰", "天街", "万达广场", "IFS", "太古里", "龙湖", "印象城"}))
		for !g.unique("store:" + name) {
			name = fmt.Sprintf("%s%s%d号店", r.cityShort(), r.district, g.between(2, 9))
		}
		if online {
			name = "官方线上商城"
		}
		p := g.person()
		k := fmt.Sprintf("store:%d", i+1)
		data := map[string]any{"code": fmt.Sprintf("S%03d", i+1), "name": name, "format": format, "region": r.zone, "address": g.address(r),
			"phone": g.landline(r), "manager": p.name, "openedOn": date(g.birth(1, 8)), "areaSqm": math.Round(g.logNormal(220, 0.5)), "active": true}
		if err := g.emit("store", k, g.start, data); err != nil {
			return err
		}
		stores = append(stores, store{k, r, online})
	}
	// Campaigns.
	type campaign struct {
		key        string
		start, end time.Time
	}
	var campaigns []campaign
	festivals := []string{"618年中大促", "双11狂欢节", "年货节", "38女王节", "会员日", "双12", "开学季", "国庆黄金周"}
	for range min(40, max(4, g.n/2500)) {
		t := g.when()
		typ := g.choose("festival", 4, "newMember", 2, "repurchase", 3, "birthday", 1, "winBack", 2, "clearance", 1, "tierUpgrade", 1)
		name := map[string]string{"festival": pickOf(g, festivals), "newMember": "新会员入会礼", "repurchase": "复购提醒专享券", "birthday": "会员生日月礼遇",
			"winBack": "沉睡会员唤醒", "clearance": "换季清仓", "tierUpgrade": "金卡升级礼"}[typ]
		name = fmt.Sprintf("%d年%d月%s", t.Year(), t.Month(), name)
		for !g.unique("cmp:" + name) {
			name += "（加场）"
		}
		end := t.AddDate(0, 0, g.between(3, 20))
		status := "completed"
		if end.After(g.now) {
			status = "active"
		}
		reached := g.between(2000, 60000)
		converted := int(float64(reached) * (0.02 + 0.08*g.r.Float64()))
		data := map[string]any{"name": name, "type": typ, "channels": pickSome(g, []string{"sms", "wechat", "miniProgram", "app", "store", "douyin", "wecom"}, 1, 3),
			"targetTiers": pickSome(g, []string{"regular", "silver", "gold", "platinum", "diamond"}, 1, 5), "status": status,
			"startDate": date(t), "endDate": date(end), "budget": g.money(80000, 0.7), "reached": reached, "converted": converted,
			"revenue": round2(float64(converted) * g.logNormal(260, 0.3))}
		k := g.key("campaign:")
		if err := g.emit("campaign", k, t.AddDate(0, 0, -14), data); err != nil {
			return err
		}
		campaigns = append(campaigns, campaign{k, t, end})
	}
	sort.Slice(campaigns, func(i, j int) bool { return campaigns[i].start.Before(campaigns[j].start) })

	// Members with their purchase histories: each member's orders, lines,
	// points and coupons come right after the member, and the member's RFM
	// fields summarise them.
	guides := make([]string, 0, 30)
	for range 30 {
		guides = append(guides, g.person().name)
	}
	members := g.scale(0.1, 10)
	// About a tenth of the records are members; the rest is their history.
	perMember := float64(g.n-len(retailProducts)-nStores) / float64(members)
	for m := range members {
		p := g.person()
		home := stores[g.r.IntN(len(stores))]
		joined := g.when()
		if m%7 == 0 {
			joined = g.start.Add(-time.Duration(g.r.IntN(3*365*24)) * time.Hour) // members from before the data window
		}
		// Purchase frequency is heavy-tailed: a few buy often.
		nOrders := min(60, int(g.logNormal(max(0.5, perMember/7.5), 0.9)+0.5))
		memberKey := g.key("member:")
		type order struct {
			at     time.Time
			amount float64
			key    string
		}
		var orders []order
		t := joined
		for range nOrders {
			t = g.after(t, 3, 120)
			if t.After(g.now.Add(-2 * time.Hour)) {
				break
			}
			orders = append(orders, order{at: t})
		}
		// Summaries for the member record.
		total := 0.0
		points := 0
		lifetime := 0
		var lines [][]map[string]any
		preferred := map[string]int{}
		var nextRepurchase time.Time
		for i := range orders {
			var ol []map[string]any
			sum := 0.0
			for range g.between(1, 4) {
				pi := g.r.IntN(len(retailProducts))
				pr := retailProducts[pi]
				qty := 1
				if pr.price < 100 {
					qty = g.between(1, 3)
				}
				price := pr.price
				if g.chance(0.5) {
					price = math.Round(pr.price * 0.9)
				}
				amt := price * float64(qty)
				sum += amt
				preferred[pr.category]++
				ol = append(ol, map[string]any{"product": prodKeys[pi], "quantity": qty, "unitPrice": price, "amount": amt})
				if pr.cycle > 0 {
					next := orders[i].at.AddDate(0, 0, pr.cycle)
					if next.After(nextRepurchase) {
						nextRepurchase = next
					}
				}
			}
			orders[i].amount = round2(sum)
			lines = append(lines, ol)
			total += sum
		}
		tier := "regular"
		switch {
		case total > 50000:
			tier = "diamond"
		case total > 20000:
			tier = "platinum"
		case total > 8000:
			tier = "gold"
		case total > 2000:
			tier = "silver"
		}
		data := map[string]any{
			"name": p.name, "mobile": g.mobile(), "gender": gender(p), "tier": tier, "joinedOn": date(joined),
			"joinChannel": g.choose("store", 5, "miniProgram", 5, "app", 2, "tmall", 2, "jd", 1, "douyin", 2, "wecom", 2),
			"homeStore":   home.key, "purchaseCount": len(orders), "totalSpent": round2(total), "marketingConsent": g.chance(0.7),
		}
		if !home.online {
			data["shoppingGuide"] = pickOf(g, guides)
		}
		if g.chance(0.7) {
			data["birthday"] = date(g.birth(18, 60))
		}
		if g.chance(0.5) {
			data["address"] = g.address(g.region())
		}
		var cats []any
		for _, c := range []string{"apparel", "shoes", "beauty", "food", "digital", "home", "baby", "sports"} {
			if preferred[c] >= 2 {
				cats = append(cats, c)
			}
		}
		if len(cats) > 0 {
			data["preferredCategories"] = cats
		}
		if len(orders) > 0 {
			last := orders[len(orders)-1].at
			recency := daysBetween(last, g.now)
			data["lastPurchaseDate"] = date(last)
			data["averageOrderValue"] = round2(total / float64(len(orders)))
			r := score(recency, []float64{30, 90, 180, 365}, true)
			f := score(float64(len(orders)), []float64{1, 3, 6, 12}, false)
			mo := score(total, []float64{300, 1500, 5000, 15000}, false)
			data["recencyScore"], data["frequencyScore"], data["monetaryScore"] = r, f, mo
			data["rfmSegment"] = rfmSegment(r, f, mo)
			switch {
			case recency > 365:
				data["lifecycle"] = "churn"
			case len(orders) >= 8:
				data["lifecycle"] = "maturity"
			case len(orders) >= 3:
				data["lifecycle"] = "growth"
			default:
				data["lifecycle"] = "acquisition"
			}
			if !nextRepurchase.IsZero() && nextRepurchase.After(last) {
				data["nextRepurchaseDate"] = date(nextRepurchase)
			}
		} else {
			data["lifecycle"] = "prospect"
		}
		// Points: one per yuan paid, some redeemed.
		type entry struct {
			at    time.Time
			typ   string
			pts   int
			order int
		}
		var entries []entry
		for i, o := range orders {
			earned := int(o.amount)
			entries = append(entries, entry{o.at, "earn", earned, i})
			lifetime += earned
			if g.chance(0.1) {
				entries = append(entries, entry{g.after(o.at, 0, 30), "bonus", 200, -1})
				lifetime += 200
			}
		}
		sort.SliceStable(entries, func(i, j int) bool { return entries[i].at.Before(entries[j].at) })
		// Redemptions take points from the balance at the time.
		var ledger []entry
		for _, en := range entries {
			ledger = append(ledger, en)
			points += en.pts
			if points > 3000 && g.chance(0.3) {
				use := (points / 2 / 100) * 100
				ledger = append(ledger, entry{g.after(en.at, 1, 20), "redeem", -use, -1})
				points -= use
			}
		}
		data["points"] = points
		data["lifetimePoints"] = lifetime
		if err := g.emit("member", memberKey, joined, data); err != nil {
			return err
		}
		// Coupons issued by campaigns during the membership.
		var coupons []struct {
			key      string
			redeemed bool
		}
		for _, c := range campaigns {
			if c.start.Before(joined) || !g.chance(min(0.15, 1.5/float64(len(campaigns)))) {
				continue
			}
			typ := g.choose("cash", 2, "threshold", 5, "discount", 2, "freeShipping", 1)
			issued := g.workHours(c.start)
			until := issued.AddDate(0, 0, 30)
			status := "issued"
			var steps []Stage
			cd := map[string]any{"code": fmt.Sprintf("CP%s%06d", issued.Format("060102"), g.r.IntN(1_000_000)), "member": memberKey, "campaign": c.key,
				"type": typ, "issuedAt": datetime(issued), "validUntil": date(until)}
			for !g.unique(cd["code"].(string)) {
				cd["code"] = fmt.Sprintf("CP%s%06d", issued.Format("060102"), g.r.IntN(1_000_000))
			}
			switch typ {
			case "cash":
				cd["faceValue"] = float64(pickOf(g, []int{10, 20, 30, 50}))
			case "threshold":
				th := float64(pickOf(g, []int{199, 299, 399, 599}))
				cd["threshold"], cd["faceValue"] = th, math.Round(th*0.15)
			case "discount":
				cd["discountRate"] = float64(pickOf(g, []int{5, 10, 15, 20}))
			}
			steps = append(steps, Stage{"status", "issued", issued})
			switch {
			case g.chance(0.35) && until.Before(g.now):
				status = "redeemed"
				at := g.after(issued, 0, 25)
				cd["redeemedAt"] = datetime(at)
				if !home.online {
					cd["redeemedStore"] = home.key
				}
				steps = append(steps, Stage{"status", status, at})
			case until.Before(g.now):
				status = "expired"
				steps = append(steps, Stage{"status", status, until.Add(24 * time.Hour)})
			}
			cd["status"] = status
			k := g.key("coupon:")
			if err := g.emit("coupon", k, issued, cd, steps...); err != nil {
				return err
			}
			coupons = append(coupons, struct {
				key      string
				redeemed bool
			}{k, status == "redeemed"})
		}
		// Orders and their lines.
		usedCoupon := 0
		for i, o := range orders {
			st := home
			channel := "store"
			if home.online || g.chance(0.35) {
				st = stores[0]
				channel = g.choose("miniProgram", 4, "app", 2, "tmall", 3, "jd", 2, "douyin", 2, "meituan", 1)
			}
			discount := 0.0
			od := map[string]any{"member": memberKey, "store": st.key, "channel": channel, "orderedAt": datetime(o.at), "goodsAmount": o.amount}
			for usedCoupon < len(coupons) && !coupons[usedCoupon].redeemed {
				usedCoupon++
			}
			if usedCoupon < len(coupons) && g.chance(0.3) {
				od["coupon"] = coupons[usedCoupon].key
				discount = math.Min(o.amount*0.1, 50)
				usedCoupon++
			}
			paid := round2(o.amount - discount)
			od["discountAmount"] = round2(discount)
			od["paidAmount"] = paid
			od["paymentMethod"] = g.choose("wechatPay", 6, "alipay", 4, "unionPay", 1, "card", 1, "cash", 0.3, "storedValue", 0.5)
			od["pointsEarned"] = int(paid)
			if channel == "store" {
				od["shopAssistant"] = pickOf(g, guides)
			}
			seq := []string{"pending", "paid", "completed"}
			if channel != "store" {
				seq = []string{"pending", "paid", "shipped", "completed"}
			}
			if g.chance(0.04) {
				seq = append(seq, "refunded")
				od["refundReason"] = g.choose("quality", 2, "size", 3, "notAsDescribed", 1, "changedMind", 3, "late", 1)
			}
			steps, _ := g.path("status", o.at, 0.01, 3, seq...)
			steps[1].At = o.at.Add(time.Duration(g.between(10, 900)) * time.Second)
			if steps[1].At.After(g.now) {
				steps[1].At = o.at
			}
			for j := 2; j < len(steps); j++ {
				if steps[j].At.Before(steps[j-1].At) {
					steps[j].At = steps[j-1].At
				}
			}
			od["status"] = seq[len(seq)-1]
			k := g.key("order:")
			orders[i].key = k
			if err := g.emit("order", k, o.at, od, steps...); err != nil {
				return err
			}
			for _, l := range lines[i] {
				l["order"] = k
				if err := g.emit("orderLine", "", o.at, l); err != nil {
					return err
				}
			}
		}
		// The points ledger.
		balance := 0
		for _, en := range ledger {
			balance += en.pts
			pd := map[string]any{"member": memberKey, "type": en.typ, "points": en.pts, "balance": balance, "occurredAt": datetime(en.at)}
			switch en.typ {
			case "earn":
				pd["order"] = orders[en.order].key
				pd["note"] = "消费积分"
			case "bonus":
				pd["note"] = "活动赠送积分"
			case "redeem":
				pd["note"] = "积分抵现"
			}
			if err := g.emit("pointsEntry", "", en.at, pd); err != nil {
				return err
			}
		}
	}
	return nil
}

// score maps a value to 1–5 by the given cut points (ascending); with
// lowerIsBetter the scale is reversed (recency: fewer days is better).
func score(v float64, cuts []float64, lowerIsBetter bool) int {
	s := 1
	for _, c := range cuts {
		if v > c {
			s++
		}
	}
	if lowerIsBetter {
		return 6 - s
	}
	return s
}

// rfmSegment is the classic eight-way RFM split: each score above or
// below the middle.
func rfmSegment(r, f, m int) string {
	hi := func(x int) bool { return x >= 3 }
	switch {
	case hi(r) && hi(f) && hi(m):
		return "importantValue"
	case hi(r) && !hi(f) && hi(m):
		return "importantDevelop"
	case !hi(r) && hi(f) && hi(m):
		return "importantKeep"
	case !hi(r) && !hi(f) && hi(m):
		return "importantRetain"
	case hi(r) && hi(f):
		return "generalValue"
	case hi(r):
		return "generalDevelop"
	case hi(f):
		return "generalKeep"
	}
	return "generalRetain"
}

// ean13 completes 12 digits with the EAN-13 check digit.
func ean13(body string) string {
	sum := 0
	for i := range 12 {
		d := int(body[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + itoa((10-sum%10)%10)
}

// pickSome returns between lo and hi distinct elements, in list order.
func pickSome(g *gen, list []string, lo, hi int) []any {
	n := g.between(lo, min(hi, len(list)))
	idx := g.r.Perm(len(list))[:n]
	sort.Ints(idx)
	out := make([]any, n)
	for i, j := range idx {
		out[i] = list[j]
	}
	return out
}
