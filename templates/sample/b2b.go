package sample

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

func init() { generators["b2b-sales"] = b2bSales }

// b2b is the vocabulary of the b2b-sales template.
var b2b = mustLoad[b2bVocab]("b2b-sales.json")

type b2bVocab struct {
	Products   []b2bProduct        `json:"products"`
	Trades     []string            `json:"trades"`     // of company names
	IndustryOf map[string]string   `json:"industryOf"` // by trade
	Titles     map[string][]string `json:"titles"`     // by department
	Campaign   struct {
		Types     []string          `json:"types"`
		LongTypes []string          `json:"longTypes"` // run for weeks, not days
		TypeNames map[string]string `json:"typeNames"`
		Topics    []string          `json:"topics"`
	} `json:"campaign"`
	Account struct {
		Grade         choice             `json:"grade"`
		Type          choice             `json:"type"`
		Lifecycle     choices            `json:"lifecycle"`     // by type
		RevenueMedian map[string]float64 `json:"revenueMedian"` // by grade
		Source        choice             `json:"source"`
		Employees     choices            `json:"employees"` // by grade
	} `json:"account"`
	Contact struct {
		Departments []string          `json:"departments"`
		RoleOf      map[string]string `json:"roleOf"` // by department
	} `json:"contact"`
	Opportunity struct {
		Stages      []string          `json:"stages"` // the open stages, then won
		Names       []string          `json:"names"`
		Type        choice            `json:"type"`
		Source      choice            `json:"source"`
		NextSteps   []string          `json:"nextSteps"`
		LossReason  choice            `json:"lossReason"`
		Competitors []string          `json:"competitors"`
		ForecastOf  map[string]string `json:"forecastOf"` // by open stage
	} `json:"opportunity"`
	Quote struct {
		LostStatus  choice            `json:"lostStatus"`
		StatusOf    map[string]string `json:"statusOf"` // by opportunity stage
		Statuses    []string          `json:"statuses"` // up to sent
		TitleFormat string            `json:"titleFormat"`
		Terms       string            `json:"terms"`
	} `json:"quote"`
	Order struct {
		Statuses     []string `json:"statuses"`
		Cancelled    []string `json:"cancelled"`
		PaymentTerms choice   `json:"paymentTerms"`
	} `json:"order"`
	Lead struct {
		Status            choice              `json:"status"`
		TitleDepartments  []string            `json:"titleDepartments"`
		Source            choice              `json:"source"`
		Rating            choice              `json:"rating"`
		Descriptions      []string            `json:"descriptions"`
		Paths             map[string][]string `json:"paths"` // by status, but unqualified
		UnqualifiedAfter  []string            `json:"unqualifiedAfter"`
		UnqualifiedReason choice              `json:"unqualifiedReason"`
	} `json:"lead"`
	Case struct {
		Subjects          map[string][]string `json:"subjects"` // by type
		Type              choice              `json:"type"`
		Priority          choice              `json:"priority"`
		SLAHours          map[string]int      `json:"slaHours"` // by priority
		Channel           choice              `json:"channel"`
		DescriptionFormat string              `json:"descriptionFormat"`
		Resolutions       []string            `json:"resolutions"`
		Satisfaction      choice              `json:"satisfaction"`
	} `json:"case"`
	CampaignMember struct {
		Status choice   `json:"status"`
		Silent []string `json:"silent"` // statuses without a response
	} `json:"campaignMember"`
	Activity struct {
		Subjects        map[string][]string `json:"subjects"` // by type
		Outcomes        []string            `json:"outcomes"`
		Type            choice              `json:"type"`
		Priority        choice              `json:"priority"`
		DurationMinutes spans               `json:"durationMinutes"` // by type, but task
	} `json:"activity"`
}

type b2bProduct struct {
	Code   string  `json:"code"`
	Name   string  `json:"name"`
	Family string  `json:"family"`
	Unit   string  `json:"unit"`
	Price  float64 `json:"price"` // list price, CNY
	Tax    float64 `json:"tax"`   // VAT rate, %
}

// b2bRun is the state of one b2b-sales generation: what later records
// refer to.
type b2bRun struct {
	*gen
	team         []string // sales reps
	prodKeys     []string // by index of b2b.Products
	campaigns    []b2bCampaign
	accounts     []*b2bAccount
	accountByKey map[string]*b2bAccount
	opps         []b2bOpp
	leads, cases []string
}

type b2bCampaign struct {
	key   string
	start time.Time
}

type b2bAccount struct {
	key      string
	created  time.Time
	contacts []string
	region   region
	domain   string
	owner    string
	name     string
}

type b2bOpp struct {
	key, account, stage string
	at                  time.Time
}

// b2bSales generates the b2b-sales data: products, campaigns, accounts
// with contacts, opportunities with their quotes and orders, leads, cases,
// campaign members, and activities for the rest.
func b2bSales(g *gen) error {
	b := &b2bRun{gen: g, accountByKey: map[string]*b2bAccount{}}
	for range min(40, 6+g.n/5000) {
		b.team = append(b.team, g.person().name)
	}
	steps := []func() error{b.products, b.addCampaigns, b.addAccounts, b.addOpportunities, b.addLeads, b.addCases, b.addCampaignMembers, b.addActivities}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (b *b2bRun) products() error {
	b.prodKeys = make([]string, len(b2b.Products))
	for i, p := range b2b.Products {
		b.prodKeys[i] = "product:" + p.Code
		floor := math.Round(p.Price * 0.7)
		if err := b.emit("product", b.prodKeys[i], b.start, map[string]any{
			"code": p.Code, "name": p.Name, "family": p.Family, "unit": p.Unit, "listPrice": p.Price,
			"floorPrice": floor, "taxRate": p.Tax, "active": true,
		}); err != nil {
			return err
		}
	}
	return nil
}

func (b *b2bRun) addCampaigns() error {
	g, v := b.gen, &b2b.Campaign
	for range min(60, max(3, g.n/800)) {
		t := g.when()
		typ := pickOf(g, v.Types)
		r := g.region()
		name := fmt.Sprintf("%d年%s%s%s（%s）", t.Year(), pickOf(g, v.Topics), v.TypeNames[typ], "", r.cityShort())
		for !g.unique("cmp:" + name) {
			name = fmt.Sprintf("%d年%s%s 第%d期（%s）", t.Year(), pickOf(g, v.Topics), v.TypeNames[typ], 2+g.r.IntN(9), r.cityShort())
		}
		end := t.AddDate(0, 0, g.between(0, 3))
		if slices.Contains(v.LongTypes, typ) {
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
			"description": fmt.Sprintf("面向%s客户的%s，主题：%s。", r.province, v.TypeNames[typ], pickOf(g, v.Topics))}
		if status == "completed" {
			data["actualCost"] = round2(budget * (0.7 + 0.5*g.r.Float64()))
		}
		k := g.key("campaign:")
		b.campaigns = append(b.campaigns, b2bCampaign{k, t})
		if err := g.emit("campaign", k, t.AddDate(0, 0, -g.between(10, 40)), data); err != nil {
			return err
		}
	}
	return nil
}

// addAccounts adds the accounts, each followed by its contacts.
func (b *b2bRun) addAccounts() error {
	nAccounts := b.scale(0.06, 5)
	b.accounts = make([]*b2bAccount, 0, nAccounts)
	for i := range nAccounts {
		a, err := b.account(i)
		if err != nil {
			return err
		}
		b.accounts = append(b.accounts, a)
		b.accountByKey[a.key] = a
		if err := b.addContacts(a); err != nil {
			return err
		}
	}
	return nil
}

// account emits the i-th account.
func (b *b2bRun) account(i int) (*b2bAccount, error) {
	g, v := b.gen, &b2b.Account
	r := g.region()
	trade := pickOf(g, b2b.Trades)
	name, brand := g.company(r, []string{trade})
	created := g.when()
	a := &b2bAccount{key: g.key("account:"), created: created, region: r, domain: domainOf(brand, "tech"), owner: pickOf(g, b.team), name: name}
	grade := g.pick(v.Grade)
	typ := g.pick(v.Type)
	lifecycle := g.pickEach(v.Lifecycle)[typ]
	revenue := g.money(v.RevenueMedian[grade], 0.9)
	data := map[string]any{
		"name": name, "uscc": g.uscc(r), "type": typ, "industry": b2b.IndustryOf[trade], "grade": grade,
		"source":        g.pick(v.Source),
		"employees":     g.pickEach(v.Employees)[grade],
		"annualRevenue": revenue, "phone": g.landline(r), "website": "https://www." + a.domain, "address": g.address(r),
		"owner": a.owner, "lastActivityDate": date(g.after(created, 1, 300)),
	}
	if lifecycle != "" {
		data["lifecycle"] = lifecycle
	}
	if i > 10 && g.chance(0.05) {
		data["parent"] = b.accounts[g.r.IntN(len(b.accounts))].key
	}
	return a, g.emit("account", a.key, created, data)
}

// addContacts adds one to four contacts of an account, the first its
// primary contact.
func (b *b2bRun) addContacts(a *b2bAccount) error {
	g, v := b.gen, &b2b.Contact
	for j := range g.between(1, 4) {
		p := g.person()
		dept := pickOf(g, v.Departments)
		k := g.key("contact:")
		cd := map[string]any{
			"name": p.name, "account": a.key, "gender": gender(p), "title": pickOf(g, b2b.Titles[dept]), "department": dept,
			"role":   v.RoleOf[dept],
			"mobile": g.mobile(), "phone": g.landline(a.region), "email": g.email(p, a.domain), "isPrimary": j == 0,
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
		if err := g.emit("contact", k, g.after(a.created, 0, 30), cd); err != nil {
			return err
		}
		a.contacts = append(a.contacts, k)
	}
	return nil
}

// addOpportunities adds the opportunities; those that reached a proposal
// get a quote, and won ones an order.
func (b *b2bRun) addOpportunities() error {
	for range b.scale(0.08, 6) {
		if err := b.opportunity(); err != nil {
			return err
		}
	}
	return nil
}

// stagePath returns the stages an opportunity created at created went
// through: old ones are closed, recent ones spread over the funnel.
func (b *b2bRun) stagePath(created time.Time) []string {
	g, stages := b.gen, b2b.Opportunity.Stages
	age := daysBetween(created, g.now)
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
	if last == "lost" {
		return append(slices.Clone(stages[:lostAt+1]), "lost")
	}
	return stages[:slices.Index(stages, last)+1]
}

func (b *b2bRun) opportunity() error {
	g, v := b.gen, &b2b.Opportunity
	a := b.accounts[g.r.IntN(len(b.accounts))]
	created := g.after(a.created, 0, 200)
	seq := b.stagePath(created)
	last := seq[len(seq)-1]
	steps, end := g.path("stage", created, 3, 25, seq...)
	amount := g.money(map[bool]float64{true: 600000, false: 180000}[len(a.contacts) > 2], 1.0)
	typ := g.pick(v.Type)
	data := map[string]any{
		"name": shortName(a.name) + pickOf(g, v.Names), "account": a.key, "type": typ, "stage": last,
		"amount": amount, "owner": a.owner, "source": g.pick(v.Source),
		"nextStep": pickOf(g, v.NextSteps),
	}
	if typ != "newBusiness" {
		data["source"] = "existingCustomer"
	}
	if data["source"] == "campaign" && len(b.campaigns) > 0 {
		data["campaign"] = pickOf(g, b.campaigns).key
	}
	switch last {
	case "won":
		data["closeDate"] = date(end)
		data["forecastCategory"] = "closed"
	case "lost":
		data["closeDate"] = date(end)
		data["forecastCategory"] = "omitted"
		data["lossReason"] = g.pick(v.LossReason)
		data["competitor"] = pickOf(g, v.Competitors)
	default:
		data["closeDate"] = date(g.future(15, 150))
		data["forecastCategory"] = v.ForecastOf[last]
	}
	reachedProposal := slices.Contains(seq, "proposal")
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
	b.opps = append(b.opps, b2bOpp{key: k, account: a.key, stage: last, at: created})
	if !reachedProposal {
		return nil
	}
	lines, total, quoteKey, err := b.quote(k, data["name"].(string), a, last, created, steps)
	if err != nil || last != "won" {
		return err
	}
	return b.order(k, quoteKey, a, steps[len(steps)-1].At, lines, total)
}

// quote emits the quote of an opportunity that reached a proposal, with
// its lines, and returns the lines, the total and the quote's key.
func (b *b2bRun) quote(opp, oppName string, a *b2bAccount, last string, created time.Time, steps []Stage) ([]map[string]any, float64, string, error) {
	g, v := b.gen, &b2b.Quote
	qAt := created
	for _, s := range steps {
		if s.Stage == "proposal" {
			qAt = s.At
		}
	}
	lostStatus := g.pick(v.LostStatus)
	qStatus := v.StatusOf[last]
	if last == "lost" {
		qStatus = lostStatus
	}
	qSeq := slices.Clone(v.Statuses)
	if qStatus != "sent" {
		qSeq = append(qSeq, qStatus)
	}
	qSteps, _ := g.path("status", qAt, 0.2, 3, qSeq...)
	quoteKey := g.key("quote:")
	lineData, subtotal := b.quoteLines(quoteKey)
	discount := float64(g.between(0, 3) * 2)
	total := round2(subtotal * (1 - discount/100))
	if err := g.emit("quote", quoteKey, qAt, map[string]any{
		"title": fmt.Sprintf(v.TitleFormat, oppName), "opportunity": opp, "account": a.key, "contact": a.contacts[0],
		"quoteDate": date(qSteps[min(3, len(qSteps)-1)].At), "validUntil": date(qAt.AddDate(0, 0, 30)), "subtotal": round2(subtotal),
		"discount": discount, "total": total, "status": qStatus, "terms": v.Terms,
	}, qSteps...); err != nil {
		return nil, 0, "", err
	}
	for _, l := range lineData {
		if err := g.emit("quoteLine", "", qAt, l); err != nil {
			return nil, 0, "", err
		}
	}
	return lineData, total, quoteKey, nil
}

// quoteLines draws one to three products with quantities in their units
// and line discounts, and returns the lines and their sum.
func (b *b2bRun) quoteLines(quoteKey string) ([]map[string]any, float64) {
	g := b.gen
	var lineData []map[string]any
	subtotal := 0.0
	lines := g.between(1, 3)
	for _, pi := range g.r.Perm(len(b2b.Products))[:lines] {
		p := b2b.Products[pi]
		qty := float64(g.between(1, 5))
		if p.Unit == "personDay" {
			qty = float64(g.between(10, 120))
		} else if p.Unit == "seat" {
			qty = float64(g.between(20, 300))
		}
		disc := float64(g.between(0, 4) * 5)
		amt := round2(qty * p.Price * (1 - disc/100))
		subtotal += amt
		lineData = append(lineData, map[string]any{"quote": quoteKey, "product": b.prodKeys[pi], "quantity": qty, "unitPrice": p.Price, "discount": disc, "amount": amt})
	}
	return lineData, subtotal
}

// order emits the order of a won deal, followed through to payment as far
// as its age allows, with the quote's lines.
func (b *b2bRun) order(opp, quoteKey string, a *b2bAccount, oAt time.Time, lines []map[string]any, total float64) error {
	g, v := b.gen, &b2b.Order
	oSeq := v.Statuses
	reach := min(len(oSeq), 2+int(daysBetween(oAt, g.now)/15))
	if g.chance(0.03) {
		oSeq = v.Cancelled
		reach = 2
	}
	oSteps, _ := g.path("status", oAt, 1, 20, oSeq[:reach]...)
	terms := g.pick(v.PaymentTerms)
	od := map[string]any{"account": a.key, "opportunity": opp, "quote": quoteKey, "contact": a.contacts[0], "orderDate": date(oAt),
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
	for _, l := range lines {
		price := l["unitPrice"].(float64) * (1 - l["discount"].(float64)/100)
		if err := g.emit("orderLine", "", oAt, map[string]any{"order": orderKey, "product": l["product"], "quantity": l["quantity"],
			"unitPrice": round2(price), "amount": l["amount"]}); err != nil {
			return err
		}
	}
	return nil
}

// addLeads adds the leads; about a fifth were converted into the accounts
// above.
func (b *b2bRun) addLeads() error {
	g, v := b.gen, &b2b.Lead
	for range g.scale(0.15, 8) {
		p := g.person()
		r := g.region()
		trade := pickOf(g, b2b.Trades)
		company, brand := g.company(r, []string{trade})
		created := g.when()
		status := g.pick(v.Status)
		if daysBetween(created, g.now) < 7 {
			status = "new"
		}
		data := map[string]any{
			"name": p.name, "company": company, "title": pickOf(g, b2b.Titles[pickOf(g, v.TitleDepartments)]),
			"mobile": g.mobile(), "email": g.email(p, domainOf(brand, "tech")), "industry": b2b.IndustryOf[trade],
			"source": g.pick(v.Source),
			"status": status, "rating": g.pick(v.Rating), "budget": g.money(200000, 1), "address": g.address(r), "owner": pickOf(g, b.team),
			"description": pickOf(g, v.Descriptions),
		}
		seq := v.Paths[status]
		if status == "unqualified" {
			seq = []string{"new", pickOf(g, v.UnqualifiedAfter)}
			if seq[1] == "contacted" {
				seq = append(seq, "unqualified")
			}
			data["unqualifiedReason"] = g.pick(v.UnqualifiedReason)
		}
		steps, end := g.path("status", created, 1, 10, seq...)
		if status == "converted" {
			o := b.opps[g.r.IntN(len(b.opps))]
			acc := b.accountByKey[o.account]
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
		b.leads = append(b.leads, k)
	}
	return nil
}

func (b *b2bRun) addCases() error {
	for range b.scale(0.05, 3) {
		if err := b.supportCase(); err != nil {
			return err
		}
	}
	return nil
}

// supportCase emits a case of an account, its status as far along as its
// age allows.
func (b *b2bRun) supportCase() error {
	g, v := b.gen, &b2b.Case
	a := b.accounts[g.r.IntN(len(b.accounts))]
	created := g.after(a.created, 10, 400)
	typ := g.pick(v.Type)
	priority := g.pick(v.Priority)
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
	hours := v.SLAHours[priority]
	data := map[string]any{
		"subject": pickOf(g, v.Subjects[typ]), "account": a.key, "contact": pickOf(g, a.contacts), "type": typ, "priority": priority,
		"channel": g.pick(v.Channel), "status": seq[len(seq)-1],
		"slaDueAt": datetime(created.Add(time.Duration(hours) * time.Hour)), "description": fmt.Sprintf(v.DescriptionFormat, pickOf(g, v.Subjects[typ])),
	}
	if g.chance(0.7) {
		data["product"] = b.prodKeys[g.r.IntN(len(b.prodKeys))]
	}
	if reach >= 2 {
		data["assignee"] = pickOf(g, b.team)
	}
	for _, s := range steps {
		if s.Stage == "resolved" {
			data["resolvedAt"] = datetime(s.At)
			data["resolution"] = pickOf(g, v.Resolutions)
		}
		if s.Stage == "closed" {
			data["satisfaction"] = g.pick(v.Satisfaction)
		}
	}
	k := g.key("case:")
	if err := g.emit("case", k, created, data, steps...); err != nil {
		return err
	}
	b.cases = append(b.cases, k)
	return nil
}

func (b *b2bRun) addCampaignMembers() error {
	g, v := b.gen, &b2b.CampaignMember
	if len(b.campaigns) == 0 {
		return nil
	}
	for range g.scale(0.08, 5) {
		c := pickOf(g, b.campaigns)
		status := g.pick(v.Status)
		data := map[string]any{"campaign": c.key, "status": status}
		if g.chance(0.5) && len(b.leads) > 0 {
			data["lead"] = pickOf(g, b.leads)
		} else {
			a := pickOf(g, b.accounts)
			data["contact"] = pickOf(g, a.contacts)
		}
		if !slices.Contains(v.Silent, status) {
			data["respondedAt"] = datetime(g.after(c.start, 0, 10))
		}
		if err := g.emit("campaignMember", "", c.start, data); err != nil {
			return err
		}
	}
	return nil
}

// addActivities fills the rest: the timeline of accounts, deals, leads
// and cases.
func (b *b2bRun) addActivities() error {
	for range b.left() {
		if err := b.activity(); err != nil {
			return err
		}
	}
	return nil
}

func (b *b2bRun) activity() error {
	g, v := b.gen, &b2b.Activity
	a := b.accounts[g.r.IntN(len(b.accounts))]
	typ := g.pick(v.Type)
	start := g.after(a.created, 0, 700)
	status := "done"
	data := map[string]any{"subject": pickOf(g, v.Subjects[typ]), "type": typ, "account": a.key, "contact": pickOf(g, a.contacts),
		"priority": g.pick(v.Priority), "owner": a.owner}
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
		data["durationMinutes"] = g.inEach(v.DurationMinutes)[typ]
	}
	if status == "done" {
		data["outcome"] = pickOf(g, v.Outcomes)
	}
	b.relateActivity(data)
	created := start
	if status == "planned" {
		created = g.now.Add(-time.Duration(g.r.IntN(72)) * time.Hour)
	}
	return g.emit("activity", "", created, data)
}

// relateActivity ties an activity to a deal, a lead or a case, or leaves
// it with its account.
func (b *b2bRun) relateActivity(data map[string]any) {
	g := b.gen
	switch x := g.r.Float64(); {
	case x < 0.45 && len(b.opps) > 0:
		o := pickOf(g, b.opps)
		data["opportunity"] = o.key
		data["account"] = o.account
		data["contact"] = pickOf(g, b.accountByKey[o.account].contacts)
	case x < 0.6 && len(b.leads) > 0:
		data["lead"] = pickOf(g, b.leads)
		delete(data, "account")
		delete(data, "contact")
	case x < 0.7 && len(b.cases) > 0:
		data["case"] = pickOf(g, b.cases)
	}
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
