package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// Issue 20's read operations: one deal by id, a filtered and sorted page,
// and the same page with each deal's account.

// dealFields are the fields ours selects of a deal: every field, as the
// peers answer every field by default.
const dealFields = `id title stage amount closeDate rep probability source priority kind email phone nextStep description forecast`

// dealOf picks the deal a client asks for on its n-th call: spread over
// every deal, the same sequence on every server.
func dealOf(w *Workload, client, n int) int {
	return int((uint64(client)*7919 + uint64(n)*104729) % uint64(len(w.Deals)))
}

// checkDeal compares one answered deal (title and amount) with deal i.
func checkDeal(w *Workload, i int, title string, amount float64) error {
	d := w.Deals[i]
	if title != d.Title || amount != d.Amount {
		return fmt.Errorf("deal %d: title %q amount %v, want %q %v", i, title, amount, d.Title, d.Amount)
	}
	return nil
}

// getDealByID reads one deal by its id with every field.
func getDealByID() Operation {
	query := `query($id: ID!) { deal(id: $id) { ` + dealFields + ` account { id } } }`
	return Operation{Name: "getDealByID", On: map[string]Request{
		"crm": {
			Call: func(w *Workload, client, n int) Call {
				return Call{Method: "POST", Path: "/graphql", Body: jsonBody(map[string]any{"query": query,
					"variables": map[string]any{"id": crmDealID(dealOf(w, client, n))}})}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Data struct {
						Deal struct {
							Title  string  `json:"title"`
							Amount float64 `json:"amount"`
						} `json:"deal"`
					} `json:"data"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				return checkDeal(w, dealOf(w, 0, 0), answer.Data.Deal.Title, answer.Data.Deal.Amount)
			},
		},
		"directus": {
			Call: func(w *Workload, client, n int) Call {
				return Call{Method: "GET", Path: "/items/deals/" + strconv.Itoa(dealOf(w, client, n)+1)}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Data struct {
						Title  string  `json:"title"`
						Amount float64 `json:"amount"`
					} `json:"data"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				return checkDeal(w, dealOf(w, 0, 0), answer.Data.Title, answer.Data.Amount)
			},
		},
		"pocketbase": {
			Call: func(w *Workload, client, n int) Call {
				return Call{Method: "GET", Path: "/api/collections/deals/records/" + pbDealID(dealOf(w, client, n))}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Title  string  `json:"title"`
					Amount float64 `json:"amount"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				return checkDeal(w, dealOf(w, 0, 0), answer.Title, answer.Amount)
			},
		},
	}}
}

// The page's filter: deals in one stage above an amount, newest close
// date first, 50 of them.
const (
	pageStage  = "proposal"
	pageAmount = 500_000
	pageSize   = 50
)

// pageDeal is what the checks read of a deal on a page.
type pageDeal struct {
	Title       string
	Stage       string
	Amount      float64
	CloseDate   string // YYYY-MM-DD
	AccountName string // when the page has the accounts
}

// checkPage verifies a page: 50 deals of the filter, by close date
// descending from the latest, each one's account when withAccount.
func checkPage(w *Workload, page []pageDeal, withAccount bool) error {
	latest := ""
	for _, d := range w.Deals {
		if d.Stage == pageStage && d.Amount > pageAmount && d.CloseDate > latest {
			latest = d.CloseDate
		}
	}
	if len(page) != pageSize {
		return fmt.Errorf("%d deals on the page, want %d", len(page), pageSize)
	}
	byTitle := map[string]int{}
	for i, d := range w.Deals {
		byTitle[d.Title] = i
	}
	for i, p := range page {
		if len(p.CloseDate) > 10 {
			p.CloseDate = p.CloseDate[:10]
		}
		switch {
		case p.Stage != pageStage || p.Amount <= pageAmount:
			return fmt.Errorf("deal %q (%s, %v) is not of the filter", p.Title, p.Stage, p.Amount)
		case i == 0 && p.CloseDate != latest:
			return fmt.Errorf("the first deal closes %s, want %s", p.CloseDate, latest)
		case i > 0 && p.CloseDate > page[i-1].CloseDate[:10]:
			return fmt.Errorf("deal %d closes after the one before it", i)
		}
		if withAccount {
			want := w.Accounts[w.Deals[byTitle[p.Title]].Account].Name
			if p.AccountName != want {
				return fmt.Errorf("deal %q has account %q, want %q", p.Title, p.AccountName, want)
			}
		}
	}
	return nil
}

// filteredPage is a page of 50 deals of one stage above an amount, newest
// close date first, without a total count.
func filteredPage() Operation { return dealPage("filteredPage", false) }

// pageWithAccount is the same page with each deal's account name.
func pageWithAccount() Operation { return dealPage("pageWithAccount", true) }

func dealPage(name string, withAccount bool) Operation {
	account := "account { id }"
	if withAccount {
		account = "account { id name }"
	}
	query := `query($f: DealFilter) { deals(filter: $f, orderBy: [{closeDate: DESC}], first: ` + strconv.Itoa(pageSize) + `) { nodes { ` +
		dealFields + ` ` + account + ` } } }`
	filter := map[string]any{"stage": map[string]any{"eq": pageStage}, "amount": map[string]any{"gt": pageAmount}}
	dx := url.Values{
		"filter": {fmt.Sprintf(`{"stage": {"_eq": %q}, "amount": {"_gt": %d}}`, pageStage, pageAmount)},
		"sort":   {"-closeDate"}, "limit": {strconv.Itoa(pageSize)},
	}
	pb := url.Values{
		"filter": {fmt.Sprintf("stage = '%s' && amount > %d", pageStage, pageAmount)},
		"sort":   {"-closeDate"}, "perPage": {strconv.Itoa(pageSize)}, "skipTotal": {"1"},
	}
	if withAccount {
		dx.Set("fields", "*,account.id,account.name")
		pb.Set("expand", "account")
	}
	return Operation{Name: name, On: map[string]Request{
		"crm": {
			Call: func(*Workload, int, int) Call {
				return Call{Method: "POST", Path: "/graphql", Body: jsonBody(map[string]any{"query": query, "variables": map[string]any{"f": filter}})}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Data struct {
						Deals struct {
							Nodes []struct {
								Title, Stage, CloseDate string
								Amount                  float64
								Account                 struct{ Name string }
							} `json:"nodes"`
						} `json:"deals"`
					} `json:"data"`
					Errors []json.RawMessage `json:"errors"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				if len(answer.Errors) > 0 {
					return fmt.Errorf("errors: %s", answer.Errors[0])
				}
				var page []pageDeal
				for _, n := range answer.Data.Deals.Nodes {
					page = append(page, pageDeal{n.Title, n.Stage, n.Amount, n.CloseDate, n.Account.Name})
				}
				return checkPage(w, page, withAccount)
			},
		},
		"directus": {
			Call: func(*Workload, int, int) Call { return Call{Method: "GET", Path: "/items/deals?" + dx.Encode()} },
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Data []struct {
						Title, Stage, CloseDate string
						Amount                  float64
						Account                 json.RawMessage
					} `json:"data"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				var page []pageDeal
				for _, n := range answer.Data {
					var acc struct{ Name string }
					if withAccount {
						if err := json.Unmarshal(n.Account, &acc); err != nil {
							return fmt.Errorf("account of %q: %w", n.Title, err)
						}
					}
					page = append(page, pageDeal{n.Title, n.Stage, n.Amount, n.CloseDate, acc.Name})
				}
				return checkPage(w, page, withAccount)
			},
		},
		"pocketbase": {
			Call: func(*Workload, int, int) Call {
				return Call{Method: "GET", Path: "/api/collections/deals/records?" + pb.Encode()}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Items []struct {
						Title, Stage, CloseDate string
						Amount                  float64
						Expand                  struct {
							Account struct{ Name string }
						}
					} `json:"items"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				var page []pageDeal
				for _, n := range answer.Items {
					page = append(page, pageDeal{n.Title, n.Stage, n.Amount, n.CloseDate, n.Expand.Account.Name})
				}
				return checkPage(w, page, withAccount)
			},
		},
	}}
}
