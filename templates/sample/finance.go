package sample

import (
	"fmt"
	"math"
	"slices"
	"time"
)

func init() { generators["finance"] = finance }

// fin is the vocabulary of the finance template.
var fin = mustLoad[finVocab]("finance.json")

type finVocab struct {
	Products    []finProduct `json:"products"`
	ClosedTypes []string     `json:"closedTypes"` // product types closed to new money once launched with a term
	RiskLevels  []string     `json:"riskLevels"`  // client tolerance C1–C5, by index
	Client      struct {
		Branches    []string  `json:"branches"`
		RiskWeights []float64 `json:"riskWeights"` // of the risk levels
		Occupation  choice    `json:"occupation"`
		Income      struct {
			GT5M   choice `json:"gt5m"`   // AUM over 5m
			GT1M   choice `json:"gt1m"`   // over 1m
			GT200K choice `json:"gt200k"` // over 200k
			Rest   choice `json:"rest"`
		} `json:"income"`
		InvestmentExperience choice `json:"investmentExperience"`
		AMLRisk              choice `json:"amlRisk"`
	} `json:"client"`
	AssessmentChannel choice `json:"assessmentChannel"`
	Opportunity       struct {
		Stages        []string `json:"stages"`
		DeclineReason choice   `json:"declineReason"`
	} `json:"opportunity"`
	FollowUp struct {
		Type         choice            `json:"type"`
		Subjects     map[string]string `json:"subjects"` // by type
		HoldingTypes []string          `json:"holdingTypes"`
		Status       choice            `json:"status"`
		Summaries    []string          `json:"summaries"`
	} `json:"followUp"`
}

type finProduct struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	Type      string  `json:"type"`
	Risk      string  `json:"risk"` // R1–R5
	Issuer    string  `json:"issuer"`
	Return    float64 `json:"return"`   // benchmark return, % p.a.
	TermDays  int     `json:"termDays"` // 0 open-ended
	Minimum   float64 `json:"minimum"`
	Qualified bool    `json:"qualified"` // for qualified investors only
}

// riskIndex is the product's risk level as an index of fin.RiskLevels.
func (p finProduct) riskIndex() int { return int(p.Risk[1] - '1') }

// finRun is the state of one finance generation.
type finRun struct {
	*gen
	prodKeys []string // by index of fin.Products
	advisors []string
}

// finClient is what a client's assessments, holdings, opportunities and
// follow-ups depend on.
type finClient struct {
	key       string
	risk      int // index of fin.RiskLevels
	aum       float64
	advisor   string
	onboarded time.Time
	assessed  time.Time // latest risk assessment
	holdings  []string
}

// finance generates the finance data: products, then each client with
// assessments, holdings, opportunities and follow-ups.
func finance(g *gen) error {
	f := &finRun{gen: g}
	if err := f.products(); err != nil {
		return err
	}
	for range min(20, 4+g.n/3000) {
		f.advisors = append(f.advisors, g.person().name)
	}
	for range g.scale(0.12, 8) {
		c, err := f.client()
		if err != nil {
			return err
		}
		for _, step := range []func(*finClient) error{f.riskAssessments, f.holdings, f.opportunities, f.followUps} {
			if err := step(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *finRun) products() error {
	g := f.gen
	f.prodKeys = make([]string, len(fin.Products))
	for i, p := range fin.Products {
		f.prodKeys[i] = "product:" + p.Code
		launch := g.start.AddDate(0, 0, -g.between(0, 400))
		data := map[string]any{"code": p.Code, "name": p.Name, "type": p.Type, "riskLevel": p.Risk, "issuer": p.Issuer,
			"minInvestment": p.Minimum, "currency": "CNY", "launchDate": date(launch), "qualifiedInvestorsOnly": p.Qualified,
			"status": "open"}
		if p.Return > 0 {
			data["expectedReturn"] = p.Return
		}
		if p.TermDays > 0 {
			data["termDays"] = p.TermDays
			if slices.Contains(fin.ClosedTypes, p.Type) {
				data["status"] = "closed"
			}
		}
		if err := g.emit("product", f.prodKeys[i], launch, data); err != nil {
			return err
		}
	}
	return nil
}

// assetTier follows wealth.
func assetTier(aum float64) string {
	switch {
	case aum >= 6e6:
		return "privateBanking"
	case aum >= 3e6:
		return "wealth"
	case aum >= 5e5:
		return "platinum"
	case aum >= 5e4:
		return "gold"
	}
	return "mass"
}

// client emits a client, with log-normal wealth and a risk tolerance that
// is lower for the elderly.
func (f *finRun) client() (*finClient, error) {
	g, v := f.gen, &fin.Client
	p := g.person()
	r := g.region()
	birth := g.birth(25, 75)
	onboarded := g.when()
	if g.chance(0.4) {
		onboarded = g.start.AddDate(0, 0, -g.between(30, 3000))
	}
	aum := g.money(180000, 1.6)
	age := int(daysBetween(birth, g.now) / 365)
	risk := g.weighted(v.RiskWeights)
	if age > 65 {
		risk = min(risk, 2)
	}
	c := &finClient{risk: risk, aum: aum, advisor: pickOf(g, f.advisors), key: g.key("client:"), onboarded: onboarded}
	c.assessed = g.after(g.now.AddDate(-1, 0, 0), 0, 360)
	data := map[string]any{
		"name": p.name, "idNumber": g.residentID(r, birth, p.male), "gender": gender(p), "birthDate": date(birth), "mobile": g.mobile(),
		"address": g.address(r), "aum": aum, "assetTier": assetTier(aum), "riskTolerance": fin.RiskLevels[risk], "riskAssessedOn": date(c.assessed),
		"riskAssessmentExpires": date(c.assessed.AddDate(1, 0, 0)),
		"occupation":            g.pick(v.Occupation),
		"annualIncome":          incomeBand(aum, g),
		"investmentExperience":  g.pick(v.InvestmentExperience),
		"qualifiedInvestor":     aum >= 3e6, "kycStatus": "verified", "amlRisk": g.pick(v.AMLRisk),
		"branch": r.cityShort() + r.district + pickOf(g, v.Branches), "advisor": c.advisor, "onboardedOn": date(onboarded),
	}
	if age > 65 {
		data["occupation"] = "retired"
	}
	if g.chance(0.5) {
		data["email"] = g.email(p, "")
	}
	data["lastContactDate"] = date(g.after(onboarded, 20, 700))
	return c, g.emit("client", c.key, onboarded, data)
}

// riskAssessments emits the yearly risk assessments since onboarding; the
// latest gave the current tolerance.
func (f *finRun) riskAssessments(c *finClient) error {
	g := f.gen
	at := c.assessed
	var assessments []time.Time
	for at.After(c.onboarded) {
		assessments = append([]time.Time{at}, assessments...)
		at = at.AddDate(-1, 0, -g.between(0, 20))
	}
	for i, a := range assessments {
		res := c.risk
		if i < len(assessments)-1 {
			res = max(0, min(4, c.risk+g.between(-1, 1)))
		}
		if err := g.emit("riskAssessment", "", a, map[string]any{"client": c.key, "assessedOn": date(a), "score": 15 + res*18 + g.between(0, 12),
			"result": fin.RiskLevels[res], "validUntil": date(a.AddDate(1, 0, 0)), "channel": g.pick(fin.AssessmentChannel)}); err != nil {
			return err
		}
	}
	return nil
}

// suitable lists the products a client may buy: product risk R no higher
// than the client's tolerance C, and, withQualified, products for
// qualified investors only when the client is one.
func (c *finClient) suitable(withQualified bool) []int {
	var out []int
	for i, fp := range fin.Products {
		if fp.riskIndex() <= c.risk && (!withQualified || !fp.Qualified || c.aum >= 3e6) {
			out = append(out, i)
		}
	}
	return out
}

// holdings emits the client's holdings, only in suitable products.
func (f *finRun) holdings(c *finClient) error {
	g := f.gen
	nHold := min(8, int(g.logNormal(1.6, 0.6)))
	for range nHold {
		pi := pickOf(g, c.suitable(true))
		fp := fin.Products[pi]
		bought := g.after(c.onboarded, 0, 600)
		principal := math.Max(fp.Minimum, math.Round(c.aum*(0.1+0.3*g.r.Float64())/1000)*1000)
		hd := map[string]any{"client": c.key, "product": f.prodKeys[pi], "principal": principal, "purchasedOn": date(bought),
			"clientRiskAtPurchase": fin.RiskLevels[c.risk], "suitability": "matched", "status": "holding"}
		growth := 1 + (fp.Return/100+0.04*g.r.NormFloat64())*daysBetween(bought, g.now)/365
		if fp.Return > 0 {
			growth = 1 + fp.Return/100*daysBetween(bought, g.now)/365
		}
		hd["marketValue"] = round2(principal * math.Max(0.5, growth))
		if fp.TermDays > 0 {
			maturity := bought.AddDate(0, 0, fp.TermDays)
			hd["maturityDate"] = date(maturity)
			if maturity.Before(g.now) {
				hd["status"] = "matured"
				hd["marketValue"] = 0.0
			}
		} else if g.chance(0.15) {
			hd["status"] = "redeemed"
			hd["marketValue"] = 0.0
		}
		if fp.Type == "mutualFund" {
			hd["shares"] = round2(principal / (0.8 + g.r.Float64()))
		}
		hk := g.key("holding:")
		if err := g.emit("holding", hk, bought, hd); err != nil {
			return err
		}
		c.holdings = append(c.holdings, hk)
	}
	return nil
}

// opportunities emits up to two sales opportunities, through risk
// disclosure and recording.
func (f *finRun) opportunities(c *finClient) error {
	for range f.between(0, 2) {
		if err := f.opportunity(c); err != nil {
			return err
		}
	}
	return nil
}

// opportunityStages returns the stages of an opportunity created at
// created: old ones are done, and ones that stall are declined.
func (f *finRun) opportunityStages(created time.Time) []string {
	g := f.gen
	seq := fin.Opportunity.Stages
	reach := g.between(1, 5)
	if daysBetween(created, g.now) > 60 && reach < 5 {
		reach = 5
	}
	seq = slices.Clone(seq[:reach])
	declined := seq[len(seq)-1] != "subscribed" && daysBetween(created, g.now) > 30 || g.chance(0.2)
	if declined {
		seq = append(seq[:min(len(seq), 3)], "declined")
	}
	return seq
}

func (f *finRun) opportunity(c *finClient) error {
	g := f.gen
	created := g.after(c.onboarded, 0, 700)
	pi := pickOf(g, c.suitable(false))
	seq := f.opportunityStages(created)
	steps, end := g.path("stage", created, 1, 10, seq...)
	amount := math.Max(fin.Products[pi].Minimum, g.money(c.aum*0.2+10000, 0.5))
	od := map[string]any{"client": c.key, "product": f.prodKeys[pi], "expectedAmount": amount, "stage": seq[len(seq)-1], "advisor": c.advisor}
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
			od["declineReason"] = g.pick(fin.Opportunity.DeclineReason)
		}
	}
	if od["stage"] != "subscribed" && od["stage"] != "declined" {
		od["expectedCloseDate"] = date(g.future(3, 45))
	} else {
		od["expectedCloseDate"] = date(end)
	}
	return g.emit("opportunity", "", created, od, steps...)
}

// followUps emits reviews, maturity reminders, reassessments; a few
// planned ahead.
func (f *finRun) followUps(c *finClient) error {
	g, v := f.gen, &fin.FollowUp
	nf := max(1, int(g.logNormal(2.5, 0.6)))
	for i := range nf {
		typ := g.pick(v.Type)
		due := g.after(c.onboarded, 10, 700)
		fd := map[string]any{"subject": v.Subjects[typ], "client": c.key, "type": typ, "dueDate": date(due), "advisor": c.advisor}
		if len(c.holdings) > 0 && slices.Contains(v.HoldingTypes, typ) {
			fd["holding"] = pickOf(g, c.holdings)
		}
		created := due.AddDate(0, 0, -g.between(1, 14))
		if i == nf-1 && g.chance(0.3) {
			due = g.future(1, 30)
			fd["dueDate"] = date(due)
			fd["status"] = "planned"
			created = g.now.Add(-time.Duration(g.between(1, 200)) * time.Hour)
		} else {
			fd["status"] = g.pick(v.Status)
			done := due.Add(time.Duration(g.between(0, 8*3600)) * time.Second)
			if done.After(g.now) {
				done = due
			}
			fd["completedAt"] = datetime(done)
			fd["summary"] = pickOf(g, v.Summaries)
		}
		if err := g.emit("followUp", "", created, fd); err != nil {
			return err
		}
	}
	return nil
}

func incomeBand(aum float64, g *gen) string {
	v := &fin.Client.Income
	switch {
	case aum > 5e6:
		return g.pick(v.GT5M)
	case aum > 1e6:
		return g.pick(v.GT1M)
	case aum > 2e5:
		return g.pick(v.GT200K)
	}
	return g.pick(v.Rest)
}
