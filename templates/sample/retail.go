package sample

import (
	"fmt"
	"math"
	"sort"
	"time"
)

func init() { generators["retail"] = retail }

// shop is the vocabulary of the retail template.
var shop = mustLoad[retailVocab]("retail.json")

type retailVocab struct {
	Products   []retailProduct `json:"products"`
	Categories []string        `json:"categories"` // in the order preferred ones are listed
	Store      struct {
		Cities     []string `json:"cities"`
		Format     choice   `json:"format"`
		Malls      []string `json:"malls"`
		OnlineName string   `json:"onlineName"`
	} `json:"store"`
	Campaign struct {
		Type        choice            `json:"type"`
		Festivals   []string          `json:"festivals"`
		Names       map[string]string `json:"names"` // by type, but festival
		ExtraSuffix string            `json:"extraSuffix"`
		Channels    []string          `json:"channels"`
		Tiers       []string          `json:"tiers"`
	} `json:"campaign"`
	Member struct {
		JoinChannel choice `json:"joinChannel"`
	} `json:"member"`
	Coupon struct {
		Type          choice `json:"type"`
		CashValues    []int  `json:"cashValues"`
		Thresholds    []int  `json:"thresholds"`
		DiscountRates []int  `json:"discountRates"`
	} `json:"coupon"`
	Order struct {
		OnlineChannel choice `json:"onlineChannel"`
		PaymentMethod choice `json:"paymentMethod"`
		RefundReason  choice `json:"refundReason"`
	} `json:"order"`
	PointsNotes map[string]string `json:"pointsNotes"` // by entry type
}

type retailProduct struct {
	SKU      string  `json:"sku"`
	Name     string  `json:"name"`
	Category string  `json:"category"`
	Brand    string  `json:"brand"`
	Price    float64 `json:"price"`
	Cycle    int     `json:"cycle"` // repurchase cycle in days; 0 none
}

// retailRun is the state of one retail generation.
type retailRun struct {
	*gen
	prodKeys  []string // by index of shop.Products
	stores    []retailStore
	campaigns []retailCampaign // by start
	guides    []string
}

type retailStore struct {
	key    string
	region region
	online bool
}

type retailCampaign struct {
	key        string
	start, end time.Time
}

// retailMember is a member with the purchase history planned before the
// member record, whose summary fields it gives.
type retailMember struct {
	key    string
	home   retailStore
	joined time.Time
	orders []retailOrder
	ledger []pointsEntry
}

type retailOrder struct {
	at     time.Time
	amount float64
	key    string
	lines  []map[string]any
}

type pointsEntry struct {
	at    time.Time
	typ   string
	pts   int
	order int // index of the member's order it was earned with; -1 none
}

// retailCoupon is a coupon a member was issued.
type retailCoupon struct {
	key      string
	redeemed bool
}

// retail generates the retail data: products, stores, campaigns, and
// members with their purchase histories: each member's orders, lines,
// points and coupons come right after the member, and the member's RFM
// fields summarise them.
func retail(g *gen) error {
	s := &retailRun{gen: g}
	if err := s.products(); err != nil {
		return err
	}
	nStores := min(60, max(4, g.n/2000))
	if err := s.addStores(nStores); err != nil {
		return err
	}
	if err := s.addCampaigns(); err != nil {
		return err
	}
	for range 30 {
		s.guides = append(s.guides, g.person().name)
	}
	members := g.scale(0.1, 10)
	// About a tenth of the records are members; the rest is their history.
	perMember := float64(g.n-len(shop.Products)-nStores) / float64(members)
	for m := range members {
		if err := s.member(m, perMember); err != nil {
			return err
		}
	}
	return nil
}

func (s *retailRun) products() error {
	g := s.gen
	s.prodKeys = make([]string, len(shop.Products))
	for i, p := range shop.Products {
		s.prodKeys[i] = "product:" + p.SKU
		data := map[string]any{"sku": p.SKU, "barcode": ean13(fmt.Sprintf("69%02d%08d", 30+i%40, 10000+i*37)), "name": p.Name, "category": p.Category,
			"brand": p.Brand, "price": p.Price, "memberPrice": math.Round(p.Price * 0.9), "active": true}
		if p.Cycle > 0 {
			data["repurchaseCycleDays"] = p.Cycle
		}
		if err := g.emit("product", s.prodKeys[i], g.start, data); err != nil {
			return err
		}
	}
	return nil
}

// addStores adds the online store, then stores in big cities.
func (s *retailRun) addStores(n int) error {
	g, v := s.gen, &shop.Store
	for i := range n {
		r := g.regionIn(v.Cities...)
		format := g.pick(v.Format)
		online := i == 0
		if online {
			format = "online"
		}
		name := fmt.Sprintf("%s%s店", r.cityShort(), pickOf(g, v.Malls))
		for !g.unique("store:" + name) {
			name = fmt.Sprintf("%s%s%d号店", r.cityShort(), r.district, g.between(2, 9))
		}
		if online {
			name = v.OnlineName
		}
		p := g.person()
		k := fmt.Sprintf("store:%d", i+1)
		data := map[string]any{"code": fmt.Sprintf("S%03d", i+1), "name": name, "format": format, "region": r.zone, "address": g.address(r),
			"phone": g.landline(r), "manager": p.name, "openedOn": date(g.birth(1, 8)), "areaSqm": math.Round(g.logNormal(220, 0.5)), "active": true}
		if err := g.emit("store", k, g.start, data); err != nil {
			return err
		}
		s.stores = append(s.stores, retailStore{k, r, online})
	}
	return nil
}

func (s *retailRun) addCampaigns() error {
	g, v := s.gen, &shop.Campaign
	for range min(40, max(4, g.n/2500)) {
		t := g.when()
		typ := g.pick(v.Type)
		festival := pickOf(g, v.Festivals)
		name := v.Names[typ]
		if typ == "festival" {
			name = festival
		}
		name = fmt.Sprintf("%d年%d月%s", t.Year(), t.Month(), name)
		for !g.unique("cmp:" + name) {
			name += v.ExtraSuffix
		}
		end := t.AddDate(0, 0, g.between(3, 20))
		status := "completed"
		if end.After(g.now) {
			status = "active"
		}
		reached := g.between(2000, 60000)
		converted := int(float64(reached) * (0.02 + 0.08*g.r.Float64()))
		data := map[string]any{"name": name, "type": typ, "channels": pickSome(g, v.Channels, 1, 3),
			"targetTiers": pickSome(g, v.Tiers, 1, 5), "status": status,
			"startDate": date(t), "endDate": date(end), "budget": g.money(80000, 0.7), "reached": reached, "converted": converted,
			"revenue": round2(float64(converted) * g.logNormal(260, 0.3))}
		k := g.key("campaign:")
		if err := g.emit("campaign", k, t.AddDate(0, 0, -14), data); err != nil {
			return err
		}
		s.campaigns = append(s.campaigns, retailCampaign{k, t, end})
	}
	sort.Slice(s.campaigns, func(i, j int) bool { return s.campaigns[i].start.Before(s.campaigns[j].start) })
	return nil
}

// member emits the m-th member and the member's coupons, orders and
// points.
func (s *retailRun) member(m int, perMember float64) error {
	g := s.gen
	p := g.person()
	mb := &retailMember{home: s.stores[g.r.IntN(len(s.stores))], joined: g.when()}
	if m%7 == 0 {
		mb.joined = g.start.Add(-time.Duration(g.r.IntN(3*365*24)) * time.Hour) // members from before the data window
	}
	// Purchase frequency is heavy-tailed: a few buy often.
	nOrders := min(60, int(g.logNormal(max(0.5, perMember/7.5), 0.9)+0.5))
	mb.key = g.key("member:")
	t := mb.joined
	for range nOrders {
		t = g.after(t, 3, 120)
		if t.After(g.now.Add(-2 * time.Hour)) {
			break
		}
		mb.orders = append(mb.orders, retailOrder{at: t})
	}
	total, preferred, nextRepurchase := s.fillOrders(mb.orders)
	data := s.memberData(p, mb, total, preferred, nextRepurchase)
	points, lifetime := s.planPoints(mb)
	data["points"] = points
	data["lifetimePoints"] = lifetime
	if err := g.emit("member", mb.key, mb.joined, data); err != nil {
		return err
	}
	coupons, err := s.coupons(mb)
	if err != nil {
		return err
	}
	if err := s.emitOrders(mb, coupons); err != nil {
		return err
	}
	return s.emitLedger(mb)
}

// fillOrders draws the lines of each order, and returns what the member
// spent in all, how many lines of each category, and when the last
// product with a repurchase cycle is due again.
func (s *retailRun) fillOrders(orders []retailOrder) (total float64, preferred map[string]int, nextRepurchase time.Time) {
	g := s.gen
	preferred = map[string]int{}
	for i := range orders {
		sum := 0.0
		for range g.between(1, 4) {
			pi := g.r.IntN(len(shop.Products))
			pr := shop.Products[pi]
			qty := 1
			if pr.Price < 100 {
				qty = g.between(1, 3)
			}
			price := pr.Price
			if g.chance(0.5) {
				price = math.Round(pr.Price * 0.9)
			}
			amt := price * float64(qty)
			sum += amt
			preferred[pr.Category]++
			orders[i].lines = append(orders[i].lines, map[string]any{"product": s.prodKeys[pi], "quantity": qty, "unitPrice": price, "amount": amt})
			if pr.Cycle > 0 {
				if next := orders[i].at.AddDate(0, 0, pr.Cycle); next.After(nextRepurchase) {
					nextRepurchase = next
				}
			}
		}
		orders[i].amount = round2(sum)
		total += sum
	}
	return total, preferred, nextRepurchase
}

// memberTier follows what a member spent.
func memberTier(total float64) string {
	switch {
	case total > 50000:
		return "diamond"
	case total > 20000:
		return "platinum"
	case total > 8000:
		return "gold"
	case total > 2000:
		return "silver"
	}
	return "regular"
}

// memberData returns the fields of a member record.
func (s *retailRun) memberData(p person, mb *retailMember, total float64, preferred map[string]int, nextRepurchase time.Time) map[string]any {
	g := s.gen
	data := map[string]any{
		"name": p.name, "mobile": g.mobile(), "gender": gender(p), "tier": memberTier(total), "joinedOn": date(mb.joined),
		"joinChannel": g.pick(shop.Member.JoinChannel),
		"homeStore":   mb.home.key, "purchaseCount": len(mb.orders), "totalSpent": round2(total), "marketingConsent": g.chance(0.7),
	}
	if !mb.home.online {
		data["shoppingGuide"] = pickOf(g, s.guides)
	}
	if g.chance(0.7) {
		data["birthday"] = date(g.birth(18, 60))
	}
	if g.chance(0.5) {
		data["address"] = g.address(g.region())
	}
	var cats []any
	for _, c := range shop.Categories {
		if preferred[c] >= 2 {
			cats = append(cats, c)
		}
	}
	if len(cats) > 0 {
		data["preferredCategories"] = cats
	}
	if len(mb.orders) == 0 {
		data["lifecycle"] = "prospect"
		return data
	}
	last := mb.orders[len(mb.orders)-1].at
	recency := daysBetween(last, g.now)
	data["lastPurchaseDate"] = date(last)
	data["averageOrderValue"] = round2(total / float64(len(mb.orders)))
	r := score(recency, []float64{30, 90, 180, 365}, true)
	f := score(float64(len(mb.orders)), []float64{1, 3, 6, 12}, false)
	mo := score(total, []float64{300, 1500, 5000, 15000}, false)
	data["recencyScore"], data["frequencyScore"], data["monetaryScore"] = r, f, mo
	data["rfmSegment"] = rfmSegment(r, f, mo)
	data["lifecycle"] = memberLifecycle(recency, len(mb.orders))
	if !nextRepurchase.IsZero() && nextRepurchase.After(last) {
		data["nextRepurchaseDate"] = date(nextRepurchase)
	}
	return data
}

func memberLifecycle(recency float64, orders int) string {
	switch {
	case recency > 365:
		return "churn"
	case orders >= 8:
		return "maturity"
	case orders >= 3:
		return "growth"
	}
	return "acquisition"
}

// planPoints fills the member's points ledger: one point per yuan paid,
// some bonuses, and redemptions that take points from the balance at the
// time. It returns the balance and the points ever earned.
func (s *retailRun) planPoints(mb *retailMember) (points, lifetime int) {
	g := s.gen
	var entries []pointsEntry
	for i, o := range mb.orders {
		earned := int(o.amount)
		entries = append(entries, pointsEntry{o.at, "earn", earned, i})
		lifetime += earned
		if g.chance(0.1) {
			entries = append(entries, pointsEntry{g.after(o.at, 0, 30), "bonus", 200, -1})
			lifetime += 200
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].at.Before(entries[j].at) })
	for _, en := range entries {
		mb.ledger = append(mb.ledger, en)
		points += en.pts
		if points > 3000 && g.chance(0.3) {
			use := (points / 2 / 100) * 100
			mb.ledger = append(mb.ledger, pointsEntry{g.after(en.at, 1, 20), "redeem", -use, -1})
			points -= use
		}
	}
	return points, lifetime
}

// coupons emits the coupons campaigns issued during the membership.
func (s *retailRun) coupons(mb *retailMember) ([]retailCoupon, error) {
	g := s.gen
	var coupons []retailCoupon
	for _, c := range s.campaigns {
		if c.start.Before(mb.joined) || !g.chance(min(0.15, 1.5/float64(len(s.campaigns)))) {
			continue
		}
		k, redeemed, err := s.coupon(mb, c)
		if err != nil {
			return nil, err
		}
		coupons = append(coupons, retailCoupon{k, redeemed})
	}
	return coupons, nil
}

// coupon emits a coupon a campaign issued to a member, redeemed or
// expired as time allows.
func (s *retailRun) coupon(mb *retailMember, c retailCampaign) (string, bool, error) {
	g, v := s.gen, &shop.Coupon
	typ := g.pick(v.Type)
	issued := g.workHours(c.start)
	until := issued.AddDate(0, 0, 30)
	status := "issued"
	var steps []Stage
	cd := map[string]any{"code": fmt.Sprintf("CP%s%06d", issued.Format("060102"), g.r.IntN(1_000_000)), "member": mb.key, "campaign": c.key,
		"type": typ, "issuedAt": datetime(issued), "validUntil": date(until)}
	for !g.unique(cd["code"].(string)) {
		cd["code"] = fmt.Sprintf("CP%s%06d", issued.Format("060102"), g.r.IntN(1_000_000))
	}
	switch typ {
	case "cash":
		cd["faceValue"] = float64(pickOf(g, v.CashValues))
	case "threshold":
		th := float64(pickOf(g, v.Thresholds))
		cd["threshold"], cd["faceValue"] = th, math.Round(th*0.15)
	case "discount":
		cd["discountRate"] = float64(pickOf(g, v.DiscountRates))
	}
	steps = append(steps, Stage{"status", "issued", issued})
	switch {
	case g.chance(0.35) && until.Before(g.now):
		status = "redeemed"
		at := g.after(issued, 0, 25)
		cd["redeemedAt"] = datetime(at)
		if !mb.home.online {
			cd["redeemedStore"] = mb.home.key
		}
		steps = append(steps, Stage{"status", status, at})
	case until.Before(g.now):
		status = "expired"
		steps = append(steps, Stage{"status", status, until.Add(24 * time.Hour)})
	}
	cd["status"] = status
	k := g.key("coupon:")
	return k, status == "redeemed", g.emit("coupon", k, issued, cd, steps...)
}

// emitOrders emits the member's orders and their lines.
func (s *retailRun) emitOrders(mb *retailMember, coupons []retailCoupon) error {
	g := s.gen
	q := &couponQueue{coupons: coupons}
	for i, o := range mb.orders {
		k, err := s.order(mb, o, q)
		if err != nil {
			return err
		}
		mb.orders[i].key = k
		for _, l := range o.lines {
			l["order"] = k
			if err := g.emit("orderLine", "", o.at, l); err != nil {
				return err
			}
		}
	}
	return nil
}

// couponQueue hands out a member's redeemed coupons, in order, to orders.
type couponQueue struct {
	coupons []retailCoupon
	next    int
}

// take returns the next redeemed coupon for an order that uses one (three
// in ten do while any is left), or "".
func (q *couponQueue) take(g *gen) string {
	for q.next < len(q.coupons) && !q.coupons[q.next].redeemed {
		q.next++
	}
	if q.next < len(q.coupons) && g.chance(0.3) {
		q.next++
		return q.coupons[q.next-1].key
	}
	return ""
}

// order emits an order in the member's home store or online, perhaps with
// a coupon, and returns its key.
func (s *retailRun) order(mb *retailMember, o retailOrder, coupons *couponQueue) (string, error) {
	g, v := s.gen, &shop.Order
	st := mb.home
	channel := "store"
	if mb.home.online || g.chance(0.35) {
		st = s.stores[0]
		channel = g.pick(v.OnlineChannel)
	}
	discount := 0.0
	od := map[string]any{"member": mb.key, "store": st.key, "channel": channel, "orderedAt": datetime(o.at), "goodsAmount": o.amount}
	if coupon := coupons.take(g); coupon != "" {
		od["coupon"] = coupon
		discount = math.Min(o.amount*0.1, 50)
	}
	paid := round2(o.amount - discount)
	od["discountAmount"] = round2(discount)
	od["paidAmount"] = paid
	od["paymentMethod"] = g.pick(v.PaymentMethod)
	od["pointsEarned"] = int(paid)
	if channel == "store" {
		od["shopAssistant"] = pickOf(g, s.guides)
	}
	seq := []string{"pending", "paid", "completed"}
	if channel != "store" {
		seq = []string{"pending", "paid", "shipped", "completed"}
	}
	if g.chance(0.04) {
		seq = append(seq, "refunded")
		od["refundReason"] = g.pick(v.RefundReason)
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
	return k, g.emit("order", k, o.at, od, steps...)
}

// emitLedger emits the member's points ledger with running balances.
func (s *retailRun) emitLedger(mb *retailMember) error {
	g := s.gen
	balance := 0
	for _, en := range mb.ledger {
		balance += en.pts
		pd := map[string]any{"member": mb.key, "type": en.typ, "points": en.pts, "balance": balance, "occurredAt": datetime(en.at),
			"note": shop.PointsNotes[en.typ]}
		if en.typ == "earn" {
			pd["order"] = mb.orders[en.order].key
		}
		if err := g.emit("pointsEntry", "", en.at, pd); err != nil {
			return err
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
	hi := func(x int) int {
		if x >= 3 {
			return 1
		}
		return 0
	}
	kind := "general"
	if m >= 3 {
		kind = "important"
	}
	return kind + [2][2]string{{"Retain", "Keep"}, {"Develop", "Value"}}[hi(r)][hi(f)]
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
