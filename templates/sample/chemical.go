package sample

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

func init() { generators["chemical"] = chemical }

// chem is the vocabulary of the chemical template.
var chem = mustLoad[chemVocab]("chemical.json")

type chemVocab struct {
	Products              []chemProduct       `json:"products"`
	ShelfLifeMonths       []int               `json:"shelfLifeMonths"`
	Industries            []string            `json:"industries"`
	Trades                map[string][]string `json:"trades"`                // of company names, by industry
	ProvinceAbbreviations map[string]string   `json:"provinceAbbreviations"` // of licence numbers
	Distributor           struct {
		Trades            []string `json:"trades"`
		Level             choice   `json:"level"`
		NationalTerritory []string `json:"nationalTerritory"`
		Status            choice   `json:"status"`
	} `json:"distributor"`
	Customer struct {
		Status     choice            `json:"status"`
		CreditDays []int             `json:"creditDays"`
		Roles      []string          `json:"roles"`  // of contacts, in the order a customer has them
		Titles     map[string]string `json:"titles"` // by role
	} `json:"customer"`
	PriceAgreement struct {
		Basis         choice   `json:"basis"`
		DeliveryTerms choice   `json:"deliveryTerms"`
		Approvers     []string `json:"approvers"`
	} `json:"priceAgreement"`
	Contract struct {
		Statuses           []string `json:"statuses"` // up to executing
		PaymentTerms       choice   `json:"paymentTerms"`
		SpotTitleFormat    string   `json:"spotTitleFormat"`
		FrameTitleFormat   string   `json:"frameTitleFormat"`
		TerminationReasons []string `json:"terminationReasons"`
	} `json:"contract"`
	Delivery struct {
		Warehouse     choice   `json:"warehouse"`
		Carriers      []string `json:"carriers"`
		PlatePrefixes []string `json:"platePrefixes"`
		End           choice   `json:"end"`
		RejectReasons []string `json:"rejectReasons"`
	} `json:"delivery"`
	Visit struct {
		Purpose        choice            `json:"purpose"`
		Summaries      map[string]string `json:"summaries"` // by purpose
		NextSteps      []string          `json:"nextSteps"`
		CompetitorInfo []string          `json:"competitorInfo"`
	} `json:"visit"`
}

type chemProduct struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Grade      string   `json:"grade"`
	Category   string   `json:"category"`
	CAS        string   `json:"cas"`
	Hazard     string   `json:"hazard"`
	UN         string   `json:"un"`
	Packaging  string   `json:"packaging"`
	Maker      string   `json:"maker"`
	Purity     float64  `json:"purity"` // %
	Price      float64  `json:"price"`  // CNY per tonne
	Industries []string `json:"industries"`
}

// chemRun is the state of one chemical generation.
type chemRun struct {
	*gen
	prodKeys     []string // by index of chem.Products
	reps         []string
	distributors []chemDistributor
}

type chemDistributor struct {
	key   string
	zone  string
	start time.Time
}

// chemCustomer is what a customer's agreements, contracts and visits
// depend on.
type chemCustomer struct {
	key, name, rep string
	grade          string // A (largest) to D
	tons           float64
	created        time.Time
	dist           *chemDistributor // serves the smaller customers of its zone
	contacts       []string
}

// chemical generates the chemical data: products, distributors by
// territory, and customers with contacts, price agreements, contracts,
// deliveries and visits.
func chemical(g *gen) error {
	c := &chemRun{gen: g}
	if err := c.products(); err != nil {
		return err
	}
	for range min(30, 5+g.n/3000) {
		c.reps = append(c.reps, g.person().name)
	}
	if err := c.addDistributors(); err != nil {
		return err
	}
	for range g.scale(0.032, 5) {
		if err := c.customerAndBusiness(); err != nil {
			return err
		}
	}
	return nil
}

func (c *chemRun) products() error {
	g := c.gen
	c.prodKeys = make([]string, len(chem.Products))
	for i, p := range chem.Products {
		c.prodKeys[i] = "product:" + p.Code
		d := map[string]any{"code": p.Code, "name": p.Name, "grade": p.Grade, "category": p.Category, "casNumber": p.CAS, "purity": p.Purity,
			"hazardClass": p.Hazard, "packaging": p.Packaging, "listPricePerTon": p.Price, "manufacturer": p.Maker,
			"msdsUrl": "https://msds.example.com.cn/" + p.Code, "shelfLifeMonths": pickOf(g, chem.ShelfLifeMonths), "active": true}
		if p.UN != "" {
			d["unNumber"] = p.UN
		}
		if err := g.emit("product", c.prodKeys[i], g.start, d); err != nil {
			return err
		}
	}
	return nil
}

// addDistributors adds the distributors, the first a national one.
func (c *chemRun) addDistributors() error {
	g, v := c.gen, &chem.Distributor
	for i := range min(40, max(3, g.n/1500)) {
		r := g.region()
		name, _ := g.company(r, v.Trades)
		level := g.pick(v.Level)
		if i == 0 {
			level = "national"
		}
		start := g.start.AddDate(0, 0, -g.between(0, 720))
		p := g.person()
		territory := []any{r.zone}
		if level == "national" {
			territory = territory[:0]
			for _, z := range v.NationalTerritory {
				territory = append(territory, z)
			}
		}
		k := g.key("distributor:")
		if err := g.emit("distributor", k, start, map[string]any{"name": name, "uscc": g.uscc(r), "level": level, "territory": territory,
			"hazmatLicence": hazmatLicence(g, r), "licenceExpiry": date(g.now.AddDate(g.between(0, 3), g.between(1, 11), 0)),
			"agreementStart": date(start), "agreementEnd": date(start.AddDate(3, 0, 0)), "annualTargetTons": math.Round(g.logNormal(3000, 0.8)),
			"rebateRate": float64(g.between(1, 5)), "contactName": p.name, "mobile": g.mobile(), "address": g.address(r),
			"status": g.pick(v.Status)}); err != nil {
			return err
		}
		c.distributors = append(c.distributors, chemDistributor{k, r.zone, start})
	}
	return nil
}

// customerAndBusiness emits a customer with its contacts; prospects get
// visits only, others also price agreements and contracts for products
// their industry uses.
func (c *chemRun) customerAndBusiness() error {
	g := c.gen
	cust, ind, status, err := c.customer()
	if err != nil {
		return err
	}
	if status == "prospect" || status == "sampling" {
		return c.visits(cust, 2)
	}
	buys := c.purchases(ind)
	for _, pi := range buys {
		if err := c.priceAgreements(cust, pi); err != nil {
			return err
		}
	}
	for t := g.after(cust.created, 0, 90); t.Before(g.now); {
		if t, err = c.contract(cust, buys, t); err != nil {
			return err
		}
	}
	return c.visits(cust, g.between(1, 4))
}

// customerGrade grades a customer by its yearly consumption.
func customerGrade(tons float64) string {
	switch {
	case tons > 5000:
		return "A"
	case tons > 1500:
		return "B"
	case tons > 300:
		return "C"
	}
	return "D"
}

// customer emits a customer and its contacts, and returns the customer,
// its industry and its status.
func (c *chemRun) customer() (*chemCustomer, string, string, error) {
	g, v := c.gen, &chem.Customer
	r := g.region()
	ind := pickOf(g, chem.Industries)
	name, brand := g.company(r, chem.Trades[ind])
	domain := domainOf(brand, "chem")
	cust := &chemCustomer{name: name, created: g.when()}
	if g.chance(0.4) {
		cust.created = g.start.AddDate(0, 0, -g.between(30, 1500))
	}
	cust.tons = math.Round(g.logNormal(800, 1.1))
	cust.grade = customerGrade(cust.tons)
	if cust.grade == "C" || cust.grade == "D" {
		for i := range c.distributors {
			if c.distributors[i].zone == r.zone && g.chance(0.7) {
				cust.dist = &c.distributors[i]
				break
			}
		}
	}
	cust.rep = pickOf(g, c.reps)
	status := g.pick(v.Status)
	cd := map[string]any{"name": name, "uscc": g.uscc(r), "industry": ind, "grade": cust.grade, "region": r.zone, "annualConsumptionTons": cust.tons,
		"shareOfWallet": float64(g.between(10, 80)), "creditLimit": math.Round(cust.tons*g.logNormal(800, 0.4)/10000) * 10000,
		"creditDays": pickOf(g, v.CreditDays), "address": g.address(r), "phone": g.landline(r), "status": status, "salesRep": cust.rep}
	if g.chance(0.6) {
		cd["hazmatLicence"] = hazmatLicence(g, r)
		cd["licenceExpiry"] = date(g.now.AddDate(g.between(0, 3), g.between(0, 11), g.between(0, 27)))
	}
	cust.key = g.key("customer:")
	if cust.dist != nil {
		cd["distributor"] = cust.dist.key
	}
	if err := g.emit("customer", cust.key, cust.created, cd); err != nil {
		return nil, "", "", err
	}
	for i, role := range v.Roles[:g.between(1, 4)] {
		p := g.person()
		k := g.key("contact:")
		if err := g.emit("contact", k, g.after(cust.created, 0, 30), map[string]any{"name": p.name, "customer": cust.key, "role": role, "title": v.Titles[role],
			"mobile": g.mobile(), "email": g.email(p, domain), "decisionMaker": i == 0 && cust.grade <= "B"}); err != nil {
			return nil, "", "", err
		}
		cust.contacts = append(cust.contacts, k)
	}
	return cust, ind, status, nil
}

// purchases returns what a customer buys, as indexes of chem.Products:
// one to three of the products its industry uses.
func (c *chemRun) purchases(ind string) []int {
	g := c.gen
	var fits []int
	for i, p := range chem.Products {
		if slices.Contains(p.Industries, ind) {
			fits = append(fits, i)
		}
	}
	if len(fits) <= 3 {
		return fits
	}
	var sel []int
	for _, i := range g.r.Perm(len(fits))[:g.between(1, 3)] {
		sel = append(sel, fits[i])
	}
	return sel
}

// priceAgreements emits the customer's price agreements for a product,
// renewed each half-year.
func (c *chemRun) priceAgreements(cust *chemCustomer, pi int) error {
	g, v := c.gen, &chem.PriceAgreement
	p := chem.Products[pi]
	for from := g.after(cust.created, 0, 60); from.Before(g.now); from = from.AddDate(0, 6, 0) {
		until := from.AddDate(0, 6, -1)
		price := math.Round(p.Price*(0.85+0.2*g.r.Float64())/10) * 10
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
		ad := map[string]any{"customer": cust.key, "product": c.prodKeys[pi], "basis": g.pick(v.Basis), "pricePerTon": price,
			"minTons": math.Round(cust.tons / 20), "deliveryTerms": g.pick(v.DeliveryTerms), "validFrom": date(from), "validUntil": date(until),
			"status": seq[len(seq)-1]}
		if cust.dist != nil {
			ad["distributor"] = cust.dist.key
		}
		if slices.Contains(seq, "active") {
			ad["approvedBy"] = pickOf(g, v.Approvers)
		}
		if err := g.emit("priceAgreement", "", from.AddDate(0, 0, -10), ad, steps...); err != nil {
			return err
		}
	}
	return nil
}

// contractPath returns the statuses of a contract drafted at t that runs
// from startAt to endAt, and when each was reached.
func (c *chemRun) contractPath(t, startAt, endAt time.Time) ([]string, []Stage) {
	g := c.gen
	seq := slices.Clone(chem.Contract.Statuses)
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
	return seq, steps
}

// contract emits a yearly framework contract (grades A and B) or a spot
// contract drafted at t, with its deliveries, and returns when the next
// one is drafted.
func (c *chemRun) contract(cust *chemCustomer, buys []int, t time.Time) (time.Time, error) {
	g, v := c.gen, &chem.Contract
	kind := "spot"
	span := g.between(30, 120)
	if cust.grade == "A" || cust.grade == "B" {
		kind, span = "annualFrame", 365
	}
	pi := pickOf(g, buys)
	p := chem.Products[pi]
	qty := math.Round(math.Max(5, cust.tons*float64(span)/365*(0.3+0.5*g.r.Float64())))
	amount := math.Round(qty * p.Price * (0.9 + 0.15*g.r.Float64()))
	startAt := g.after(t, 3, 20)
	endAt := startAt.AddDate(0, 0, span)
	seq, steps := c.contractPath(t, startAt, endAt)
	status := seq[len(seq)-1]
	title := fmt.Sprintf(v.SpotTitleFormat, shortName(cust.name), p.Name)
	if kind == "annualFrame" {
		title = fmt.Sprintf(v.FrameTitleFormat, startAt.Year(), p.Name)
	}
	ctd := map[string]any{"title": title, "customer": cust.key, "kind": kind, "products": []any{c.prodKeys[pi]}, "quantityTons": qty, "amount": amount,
		"paymentTerms": g.pick(v.PaymentTerms), "startDate": date(startAt), "endDate": date(endAt),
		"status": status, "salesRep": cust.rep}
	if cust.dist != nil {
		ctd["distributor"] = cust.dist.key
	}
	for _, s := range steps {
		if s.Stage == "signed" {
			ctd["signedOn"] = date(s.At)
		}
	}
	if status == "terminated" {
		ctd["terminationReason"] = pickOf(g, v.TerminationReasons)
	}
	contractKey := g.key("contract:")
	if err := g.emit("contract", contractKey, t, ctd, steps...); err != nil {
		return t, err
	}
	if slices.Contains(seq, "executing") {
		if err := c.deliveries(cust, contractKey, pi, qty, span, startAt); err != nil {
			return t, err
		}
	}
	t = endAt.AddDate(0, 0, -g.between(0, 20))
	if kind == "spot" {
		t = g.after(t, 10, 90)
	}
	return t, nil
}

// deliveries emits the deliveries of a contract while it runs, about
// monthly, up to ten days ahead of now.
func (c *chemRun) deliveries(cust *chemCustomer, contractKey string, pi int, qty float64, span int, startAt time.Time) error {
	g := c.gen
	n := min(12, max(1, int(float64(span)/30)))
	per := math.Max(1, math.Round(qty/float64(n)))
	for d := range n {
		planned := startAt.AddDate(0, 0, d*span/n+g.between(0, 5))
		if planned.After(g.now.AddDate(0, 0, 10)) {
			break
		}
		if err := c.delivery(cust, contractKey, pi, per, planned); err != nil {
			return err
		}
	}
	return nil
}

// delivery emits a delivery planned for a day: loaded, shipped and
// delivered (or rejected) as far as now allows.
func (c *chemRun) delivery(cust *chemCustomer, contractKey string, pi int, tons float64, planned time.Time) error {
	g, v := c.gen, &chem.Delivery
	p := chem.Products[pi]
	dd := map[string]any{"contract": contractKey, "customer": cust.key, "product": c.prodKeys[pi], "quantityTons": tons, "plannedDate": date(planned),
		"warehouse":      g.pick(v.Warehouse),
		"dangerousGoods": p.Hazard != "none"}
	dSeq := []string{"planned"}
	dSteps := []Stage{{"status", "planned", planned.AddDate(0, 0, -3)}}
	load := planned.Add(2 * time.Hour)
	if load.Before(g.now) {
		dd["batchNumber"] = fmt.Sprintf("%s%s%03d", p.Code[:2], planned.Format("060102"), g.r.IntN(1000))
		dd["coaNumber"] = fmt.Sprintf("COA-%s-%04d", planned.Format("0601"), g.r.IntN(10000))
		dSeq = append(dSeq, "loading")
		dSteps = append(dSteps, Stage{"status", "loading", load})
		ship := load.Add(time.Duration(g.between(2, 6)) * time.Hour)
		if ship.Before(g.now) {
			dd["carrier"] = pickOf(g, v.Carriers)
			dd["vehiclePlate"] = pickOf(g, v.PlatePrefixes) + fmt.Sprintf("%c%04d", 'A'+rune(g.r.IntN(20)), g.r.IntN(10000))
			dd["shippedAt"] = datetime(ship)
			dSeq = append(dSeq, "inTransit")
			dSteps = append(dSteps, Stage{"status", "inTransit", ship})
			arrive := ship.Add(time.Duration(g.between(6, 60)) * time.Hour)
			if arrive.Before(g.now) {
				end := g.pick(v.End)
				if end == "delivered" {
					dd["deliveredAt"] = datetime(arrive)
					dd["receivedBy"] = g.person().name
				} else {
					dd["rejectReason"] = pickOf(g, v.RejectReasons)
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
	return g.emit("delivery", "", created, dd, dSteps...)
}

// visits emits n visits of the customer's sales rep.
func (c *chemRun) visits(cust *chemCustomer, n int) error {
	g, v := c.gen, &chem.Visit
	for range n {
		at := g.after(cust.created, 5, 600)
		purpose := g.pick(v.Purpose)
		vd := map[string]any{"customer": cust.key, "contact": pickOf(g, cust.contacts), "visitedOn": date(at), "purpose": purpose, "salesRep": cust.rep,
			"summary":  v.Summaries[purpose],
			"nextStep": pickOf(g, v.NextSteps)}
		if g.chance(0.3) {
			vd["competitorInfo"] = pickOf(g, v.CompetitorInfo)
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
	abbr := chem.ProvinceAbbreviations[r.province]
	return fmt.Sprintf("%s%s安经（%d）字%05d", abbr, r.code[2:4], 2021+g.r.IntN(4), g.r.IntN(100000))
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
