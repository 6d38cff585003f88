package main

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Workload is the peer workload: accounts and deals generated from a seed,
// the same records for every server.
type Workload struct {
	Seed     uint64
	Accounts []Account
	Deals    []Deal
}

// Account is one generated account.
type Account struct {
	Name      string
	Industry  string
	City      string
	Phone     string
	Employees int
	Grade     string
}

// Deal is one generated deal: fifteen fields, one of them a lookup of an
// account (by its index in Workload.Accounts).
type Deal struct {
	Title       string
	Stage       string
	Amount      float64 // yuan with two decimals
	CloseDate   string  // YYYY-MM-DD
	Account     int
	Rep         string
	Probability int
	Source      string
	Priority    string
	Kind        string
	Email       string
	Phone       string
	NextStep    string
	Description string
	Forecast    bool
}

// Stages are the deal stages, in pipeline order, with the share of deals
// generated in each (per mille).
var Stages = []struct {
	Value string
	Share int
}{
	{"prospecting", 250}, {"qualification", 200}, {"proposal", 150},
	{"negotiation", 100}, {"won", 180}, {"lost", 120},
}

// Picklist values of the other deal and account fields.
var (
	Sources    = []string{"web", "referral", "event", "partner", "coldCall"}
	Priorities = []string{"low", "medium", "high"}
	Kinds      = []string{"newBusiness", "renewal", "upsell"}
	Industries = []string{"manufacturing", "retail", "finance", "healthcare", "education", "tourism", "chemical"}
	Grades     = []string{"strategic", "key", "normal"}
)

var cities = []string{"上海", "北京", "广州", "深圳", "杭州", "成都", "武汉", "南京", "苏州", "天津"}

// NewWorkload generates accounts and deals from seed.
func NewWorkload(seed uint64, accounts, deals int) *Workload {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	w := &Workload{Seed: seed, Accounts: make([]Account, accounts), Deals: make([]Deal, deals)}
	for i := range w.Accounts {
		w.Accounts[i] = Account{
			Name:      fmt.Sprintf("%s客户%05d有限公司", cities[rng.IntN(len(cities))], i),
			Industry:  Industries[rng.IntN(len(Industries))],
			City:      cities[rng.IntN(len(cities))],
			Phone:     fmt.Sprintf("021-%08d", rng.IntN(100_000_000)),
			Employees: 5 + rng.IntN(5000),
			Grade:     Grades[rng.IntN(len(Grades))],
		}
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range w.Deals {
		w.Deals[i] = Deal{
			Title:       fmt.Sprintf("商机 %06d", i),
			Stage:       pickStage(rng.IntN(1000)),
			Amount:      float64(rng.IntN(100_000_000)) / 100, // up to 1,000,000.00
			CloseDate:   start.AddDate(0, 0, rng.IntN(730)).Format(time.DateOnly),
			Account:     rng.IntN(max(accounts, 1)),
			Rep:         fmt.Sprintf("rep%02d", rng.IntN(20)),
			Probability: 10 * rng.IntN(11),
			Source:      Sources[rng.IntN(len(Sources))],
			Priority:    Priorities[rng.IntN(len(Priorities))],
			Kind:        Kinds[rng.IntN(len(Kinds))],
			Email:       fmt.Sprintf("buyer%06d@example.com", i),
			Phone:       fmt.Sprintf("138%08d", rng.IntN(100_000_000)),
			NextStep:    "电话跟进",
			Description: "客户关注交付周期和售后服务，需要安排技术交流。",
			Forecast:    rng.IntN(2) == 0,
		}
	}
	return w
}

func pickStage(perMille int) string {
	for _, s := range Stages {
		if perMille < s.Share {
			return s.Value
		}
		perMille -= s.Share
	}
	return Stages[len(Stages)-1].Value
}

// StageTotal is the count and amount of one stage's deals.
type StageTotal struct {
	Count int64
	Sum   float64
}

// ByStage is the answer every server must give to "count and sum(amount)
// grouped by stage", computed from the generated deals.
func (w *Workload) ByStage() map[string]StageTotal {
	out := map[string]StageTotal{}
	for _, d := range w.Deals {
		t := out[d.Stage]
		t.Count++
		t.Sum += d.Amount
		out[d.Stage] = t
	}
	return out
}

// Fingerprint names the workload's shape, so that a data directory loaded
// with one workload is not reused for another.
func (w *Workload) Fingerprint() string {
	return fmt.Sprintf("seed=%d accounts=%d deals=%d v1", w.Seed, len(w.Accounts), len(w.Deals))
}
