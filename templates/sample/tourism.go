package sample

import (
	"fmt"
	"strings"
	"time"
)

func init() { generators["tourism"] = tourism }

type tour struct {
	code, name, dest, kind, from string
	days                         int
	price                        float64
	abroad                       bool
	stops                        []string // cities of the itinerary
}

var tours = []tour{
	{"YN-KDL6", "云南昆明·大理·丽江 6日跟团游", "yunnan", "group", "上海", 6, 4299, false, []string{"昆明", "大理", "丽江"}},
	{"YN-XSBN5", "西双版纳雨林 5日私家团", "yunnan", "private", "杭州", 5, 5899, false, []string{"景洪"}},
	{"HN-SY5", "三亚亚龙湾 5日自由行（含酒店）", "hainan", "independent", "北京", 5, 3999, false, []string{"三亚"}},
	{"XZ-LS8", "西藏拉萨·林芝·纳木错 8日", "tibet", "group", "成都", 8, 7999, false, []string{"拉萨", "林芝", "纳木错"}},
	{"XJ-BJ10", "北疆伊犁·赛里木湖·喀纳斯 10日", "xinjiang", "group", "乌鲁木齐", 10, 8999, false, []string{"乌鲁木齐", "伊宁", "喀纳斯"}},
	{"GL-YS4", "桂林漓江·阳朔 4日", "guilin", "group", "广州", 4, 2599, false, []string{"桂林", "阳朔"}},
	{"SC-DC7", "川西稻城亚丁 7日摄影团", "sichuan", "group", "成都", 7, 6299, false, []string{"康定", "稻城", "亚丁"}},
	{"DB-XX5", "哈尔滨·雪乡·长白山 5日", "northeast", "group", "北京", 5, 4599, false, []string{"哈尔滨", "雪乡", "长白山"}},
	{"JP-DB7", "日本东京·富士山·大阪 7日", "japan", "group", "上海", 7, 8999, true, []string{"东京", "富士山", "京都", "大阪"}},
	{"JP-CR5", "日本邮轮 5日（上海出发）", "japan", "cruise", "上海", 5, 4999, true, []string{"福冈", "长崎"}},
	{"TH-MG6", "泰国曼谷·芭提雅 6日", "thailand", "group", "广州", 6, 4299, true, []string{"曼谷", "芭提雅"}},
	{"SG-XM8", "新加坡·马来西亚 8日", "singaporeMalaysia", "group", "深圳", 8, 6999, true, []string{"新加坡", "吉隆坡", "马六甲"}},
	{"EU-FRI12", "法国·瑞士·意大利 12日", "europe", "group", "北京", 12, 18999, true, []string{"巴黎", "因特拉肯", "米兰", "罗马"}},
	{"AU-NZ12", "澳大利亚·新西兰 12日", "australia", "group", "上海", 12, 21999, true, []string{"悉尼", "墨尔本", "皇后镇", "奥克兰"}},
	{"CU-YN9", "云南深度定制 9日（含包车管家）", "yunnan", "custom", "上海", 9, 15999, false, []string{"昆明", "大理", "丽江", "香格里拉"}},
	{"HN-FAM6", "海南亲子 6日（含水上乐园）", "hainan", "group", "上海", 6, 5299, false, []string{"海口", "三亚"}},
}

func tourism(g *gen) error {
	tourKeys := make([]string, len(tours))
	for i, t := range tours {
		tourKeys[i] = "tour:" + t.code
		if err := g.emit("tour", tourKeys[i], g.start, map[string]any{"code": t.code, "name": t.name, "destination": t.dest, "kind": t.kind,
			"days": t.days, "departureCity": t.from, "price": t.price, "childPrice": float64(int(t.price*0.7/100) * 100),
			"highlights": "行程：" + strings.Join(t.stops, " → ") + "。", "visaRequired": t.abroad && t.dest != "thailand" && t.dest != "singaporeMalaysia", "active": true}); err != nil {
			return err
		}
	}
	consultants := make([]string, 0, 20)
	for range min(20, 4+g.n/4000) {
		consultants = append(consultants, g.person().name)
	}
	guides := make([]string, 0, 20)
	for range 20 {
		guides = append(guides, g.person().name)
	}
	var pool []string // earlier travellers, companions of later bookings
	travellers := g.scale(0.065, 8)
	for range travellers {
		p := g.person()
		r := g.region()
		birth := g.birth(3, 78)
		age := int(daysBetween(birth, g.now) / 365)
		joined := g.when()
		styles := []string{"leisure", "culture", "adventure", "photography", "food"}
		switch {
		case age > 58:
			styles = []string{"senior", "culture", "leisure"}
		case age < 35:
			styles = []string{"adventure", "photography", "food", "honeymoon", "leisure"}
		case age < 45:
			styles = append(styles, "family", "study")
		}
		travellerKey := g.key("traveller:")
		// Plan the bookings so the traveller's summary fields agree.
		nb := min(5, int(g.logNormal(1.2, 0.7)))
		type booking struct {
			tour      int
			at, dep   time.Time
			companion []any
		}
		var bookings []booking
		for range nb {
			at := g.after(joined, 0, 600)
			dep := at.AddDate(0, 0, g.between(7, 90))
			var comp []any
			for range g.between(0, 3) {
				if len(pool) > 0 {
					comp = append(comp, pickOf(g, pool))
				}
			}
			bookings = append(bookings, booking{g.r.IntN(len(tours)), at, dep, dedupe(comp)})
		}
		trips, lastTrip := 0, time.Time{}
		for _, b := range bookings {
			ret := b.dep.AddDate(0, 0, tours[b.tour].days-1)
			if ret.Before(g.now) {
				trips++
				if ret.After(lastTrip) {
					lastTrip = ret
				}
			}
		}
		var dests []any
		for _, b := range bookings {
			dests = append(dests, tours[b.tour].dest)
		}
		if len(dests) == 0 {
			dests = []any{pickOf(g, []string{"yunnan", "hainan", "japan", "europe", "thailand"})}
		}
		td := map[string]any{
			"name": p.name, "namePinyin": strings.ToUpper(p.family + "/" + p.given), "gender": gender(p), "birthDate": date(birth), "mobile": g.mobile(),
			"idNumber": g.residentID(r, birth, p.male), "city": r.city, "memberLevel": map[bool]string{true: "gold", false: "normal"}[trips >= 3],
			"travelStyles": pickSome(g, styles, 1, 3), "preferredDestinations": dedupe(dests), "accommodation": g.choose("budget", 2, "comfort", 5, "premium", 3, "luxury", 1),
			"seatPreference": g.choose("window", 4, "aisle", 3, "none", 3), "budgetPerTrip": g.money(6000, 0.6), "tripCount": trips,
			"source": g.choose("store", 3, "ctrip", 3, "fliggy", 2, "miniProgram", 3, "referral", 2, "corporate", 1),
		}
		if g.chance(0.5) {
			td["email"] = g.email(p, "")
		}
		if g.chance(0.6) && age >= 16 {
			td["passportNumber"] = fmt.Sprintf("E%c%07d", "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[g.r.IntN(34)], g.r.IntN(10_000_000))
			td["passportExpiry"] = date(g.now.AddDate(g.between(1, 9), g.between(0, 11), 0))
		}
		if g.chance(0.15) {
			td["dietary"] = pickSome(g, []string{"vegetarian", "halal", "noSpicy", "seafoodAllergy", "diabetic"}, 1, 2)
		}
		if !lastTrip.IsZero() {
			td["lastTripDate"] = date(lastTrip)
		}
		ec := g.person()
		td["emergencyContact"] = ec.name + " " + g.mobile()
		if err := g.emit("traveller", travellerKey, joined, td); err != nil {
			return err
		}
		pool = append(pool, travellerKey)
		consultant := pickOf(g, consultants)
		for _, b := range bookings {
			t := tours[b.tour]
			ret := b.dep.AddDate(0, 0, t.days-1)
			adults := 1 + len(b.companion)
			children := 0
			if g.chance(0.2) && t.kind != "cruise" {
				children = g.between(1, 2)
			}
			total := t.price*float64(adults) + t.price*0.7*float64(children)
			seq := []string{"enquiry", "quoted", "deposit", "paid"}
			var steps []Stage
			quotedAt := g.after(b.at, 0.1, 3)
			depositAt := g.after(quotedAt, 0.5, 7)
			paidAt := b.dep.AddDate(0, 0, -g.between(3, 7))
			if paidAt.Before(depositAt) {
				paidAt = depositAt
			}
			steps = []Stage{{"status", "enquiry", b.at}, {"status", "quoted", quotedAt}, {"status", "deposit", depositAt}, {"status", "paid", paidAt}}
			switch {
			case g.chance(0.08):
				cut := g.between(1, 4)
				seq = append(seq[:cut], "cancelled")
				steps = append(steps[:cut], Stage{"status", "cancelled", steps[cut-1].At.Add(time.Duration(g.between(1, 96)) * time.Hour)})
			case ret.Before(g.now):
				seq = append(seq, "travelling", "completed")
				steps = append(steps, Stage{"status", "travelling", b.dep.Add(7 * time.Hour)}, Stage{"status", "completed", ret.Add(20 * time.Hour)})
			case !b.dep.After(g.now):
				seq = append(seq, "travelling")
				steps = append(steps, Stage{"status", "travelling", b.dep.Add(7 * time.Hour)})
			}
			// Steps may not run past now.
			for i := range steps {
				if steps[i].At.After(g.now) {
					seq, steps = seq[:i], steps[:i]
					break
				}
			}
			status := seq[len(seq)-1]
			bd := map[string]any{"traveller": travellerKey, "tour": tourKeys[b.tour], "channel": g.choose("store", 3, "ctrip", 3, "fliggy", 2, "miniProgram", 2, "phone", 2, "corporate", 1),
				"departureDate": date(b.dep), "adults": adults, "children": children, "totalAmount": round2(total), "status": status,
				"insurance": g.chance(0.7), "consultant": consultant}
			if len(b.companion) > 0 {
				bd["companions"] = b.companion
			}
			for _, s := range steps {
				switch s.Stage {
				case "deposit":
					bd["depositAmount"] = round2(total * 0.3)
				case "paid":
					bd["paidOn"] = date(s.At)
				case "travelling":
					if t.kind == "group" {
						bd["guide"] = pickOf(g, guides)
					}
				case "completed":
					bd["returnDate"] = date(ret)
				case "cancelled":
					bd["cancelReason"] = g.choose("price", 2, "schedule", 4, "health", 2, "visaRefused", 1, "weather", 1, "other", 1)
				}
			}
			if g.chance(0.2) {
				bd["specialRequests"] = pickOf(g, []string{"需要无烟房", "老人同行，行程节奏放慢", "蜜月布置", "需要儿童餐", "靠窗座位"})
			}
			bookingKey := g.key("booking:")
			if err := g.emit("booking", bookingKey, b.at, bd, steps...); err != nil {
				return err
			}
			if status == "enquiry" || status == "cancelled" {
				continue
			}
			// The itinerary: travel there, hotels and sights, travel back.
			day := func(d int) time.Time { return b.dep.AddDate(0, 0, d-1) }
			items := []map[string]any{{"day": 1, "kind": map[bool]string{true: "flight", false: "train"}[t.abroad || t.days > 5], "title": t.from + " → " + t.stops[0], "city": t.stops[0]}}
			for d := 1; d <= min(t.days, 6); d++ {
				stop := t.stops[min(len(t.stops)-1, (d-1)*len(t.stops)/t.days)]
				items = append(items, map[string]any{"day": d, "kind": "hotel", "title": stop + pickOf(g, []string{"希尔顿酒店", "亚朵酒店", "全季酒店", "洲际酒店", "精品民宿", "万豪酒店"}), "city": stop})
				if d > 1 {
					items = append(items, map[string]any{"day": d, "kind": "sight", "title": stop + "市区及周边游览", "city": stop})
				}
			}
			items = append(items, map[string]any{"day": t.days, "kind": items[0]["kind"], "title": t.stops[len(t.stops)-1] + " → " + t.from, "city": t.from})
			for _, it := range items {
				d := it["day"].(int)
				it["booking"] = bookingKey
				it["date"] = date(day(d))
				it["supplier"] = map[string]string{"flight": pickOf(g, []string{"东方航空", "南方航空", "中国国航", "海南航空", "春秋航空"}), "train": "中国铁路12306", "hotel": "酒店直采", "sight": "地接社"}[it["kind"].(string)]
				it["confirmation"] = fmt.Sprintf("%c%c%05d", 'A'+rune(g.r.IntN(26)), 'A'+rune(g.r.IntN(26)), g.r.IntN(100000))
				it["cost"] = round2(g.money(t.price/float64(len(items))*0.7, 0.3) * float64(adults))
				if err := g.emit("itineraryItem", "", b.at, it); err != nil {
					return err
				}
			}
			if status != "completed" {
				// A reminder before departure.
				if err := g.emit("careTask", "", b.at, map[string]any{"traveller": travellerKey, "booking": bookingKey, "kind": "preTripReminder",
					"dueDate": date(b.dep.AddDate(0, 0, -2)), "channel": "wecom", "status": map[bool]string{true: "done", false: "planned"}[b.dep.AddDate(0, 0, -2).Before(g.now)], "consultant": consultant}); err != nil {
					return err
				}
				continue
			}
			// After the trip: welcome home, feedback, next trip.
			back := ret.AddDate(0, 0, 1)
			var issues []any
			overall := g.weighted([]float64{0.3, 0.5, 1.5, 4, 6}) + 1
			if overall <= 3 {
				issues = pickSome(g, []string{"delay", "hotel", "food", "guide", "forcedShopping", "itineraryChange", "crowds"}, 1, 2)
			}
			if g.chance(0.65) {
				nps := min(10, max(0, overall*2+g.between(-2, 0)))
				rd := map[string]any{"booking": bookingKey, "traveller": travellerKey, "overall": overall, "guideRating": min(5, overall+g.between(-1, 1)),
					"hotelRating": max(1, min(5, overall+g.between(-1, 1))), "itineraryRating": max(1, min(5, overall+g.between(-1, 1))), "nps": nps,
					"comment": map[bool]string{true: pickOf(g, []string{"行程安排合理，导游专业热情，下次还会报名。", "酒店位置好，餐食丰富，孩子玩得很开心。", "风景太美了，摄影团节奏很适合。"}),
						false: pickOf(g, []string{"航班延误，接机等了很久。", "酒店与宣传不符，卫生一般。", "购物点停留时间过长。"})}[overall >= 4],
					"submittedAt": datetime(g.after(back, 0, 5)), "handling": map[bool]string{true: "none", false: "resolved"}[overall >= 4]}
				rd["guideRating"] = max(1, rd["guideRating"].(int))
				if len(issues) > 0 {
					rd["issues"] = issues
				}
				if err := g.emit("tripReview", "", back, rd); err != nil {
					return err
				}
			}
			kinds := []string{"welcomeHome", "reviewInvitation", "nextTrip"}
			if overall <= 3 {
				kinds = append(kinds, "complaintCallback")
			}
			for i, k := range kinds {
				due := back.AddDate(0, 0, i*g.between(2, 30))
				status := "done"
				if due.After(g.now) {
					status = "planned"
				} else if g.chance(0.05) {
					status = "skipped"
				}
				cd := map[string]any{"traveller": travellerKey, "booking": bookingKey, "kind": k, "dueDate": date(due), "channel": g.choose("phone", 2, "wechat", 4, "sms", 1, "wecom", 3),
					"status": status, "consultant": consultant}
				if k == "nextTrip" {
					cd["note"] = "推荐：" + tours[g.r.IntN(len(tours))].name
				}
				if err := g.emit("careTask", "", back, cd); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// dedupe drops repeated elements, keeping the first of each.
func dedupe(list []any) []any {
	var out []any
	seen := map[any]bool{}
	for _, v := range list {
		if !seen[v] {
			out = append(out, v)
			seen[v] = true
		}
	}
	return out
}
