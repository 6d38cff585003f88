package main

import (
	"encoding/json"
	"fmt"
)

// createDeal creates one deal a request (a copy of a workload deal, spread
// as getDealByID spreads its reads), validated and audited as any create:
// ours with GraphQL createDeal, PocketBase with POST
// /api/collections/deals/records, Directus with POST /items/deals. Many
// clients at once measure group commit (issue 20: concurrent creates share
// one commit and one fsync). It adds records, so it runs only when -ops
// names it.
func createDeal() Operation {
	const query = `mutation($in: DealInput!) { createDeal(input: $in) { id title amount } }`
	return Operation{Name: "createDeal", On: map[string]Request{
		"crm": {
			Call: func(w *Workload, client, n int) Call {
				return Call{Method: "POST", Path: "/graphql", Body: jsonBody(map[string]any{"query": query,
					"variables": map[string]any{"in": crmDealData(w, dealOf(w, client, n))}})}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Data struct {
						CreateDeal *struct {
							ID     string  `json:"id"`
							Title  string  `json:"title"`
							Amount float64 `json:"amount"`
						} `json:"createDeal"`
					} `json:"data"`
					Errors []json.RawMessage `json:"errors"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				if len(answer.Errors) > 0 {
					return fmt.Errorf("errors: %s", answer.Errors[0])
				}
				d := answer.Data.CreateDeal
				if d == nil || d.ID == "" {
					return fmt.Errorf("no deal created: %s", clip(body))
				}
				return checkDeal(w, dealOf(w, 0, 0), d.Title, d.Amount)
			},
		},
		"pocketbase": {
			Call: func(w *Workload, client, n int) Call {
				return Call{Method: "POST", Path: "/api/collections/deals/records?fields=id,title,amount", Body: jsonBody(pbDealBody(w, dealOf(w, client, n)))}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					ID     string  `json:"id"`
					Title  string  `json:"title"`
					Amount float64 `json:"amount"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				if answer.ID == "" {
					return fmt.Errorf("no record created: %s", clip(body))
				}
				return checkDeal(w, dealOf(w, 0, 0), answer.Title, answer.Amount)
			},
		},
		"directus": {
			Call: func(w *Workload, client, n int) Call {
				return Call{Method: "POST", Path: "/items/deals?fields=id,title,amount", Body: jsonBody(dxDealItem(w, dealOf(w, client, n)))}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Data struct {
						ID     json.RawMessage `json:"id"`
						Title  string          `json:"title"`
						Amount float64         `json:"amount"`
					} `json:"data"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				if len(answer.Data.ID) == 0 {
					return fmt.Errorf("no item created: %s", clip(body))
				}
				return checkDeal(w, dealOf(w, 0, 0), answer.Data.Title, answer.Data.Amount)
			},
		},
	}}
}
