package main

import (
	"encoding/json"
	"fmt"
)

// bulkBatch is how many deals one bulkCreate request carries: our limit
// of writes a call, and PocketBase's batch size when loading.
const bulkBatch = 500

// bulkDeals are the workload deals a client's n-th bulkCreate request
// creates anew (copies of existing ones: the records grow as it runs).
func bulkDeals(w *Workload, client, n int) []int {
	out := make([]int, bulkBatch)
	start := (client*7919 + n*bulkBatch) % len(w.Deals)
	for k := range out {
		out[k] = (start + k) % len(w.Deals)
	}
	return out
}

// bulkCreate creates bulkBatch deals a request, each validated as one
// create would be: ours with createDeals (the results say each one
// landed), PocketBase through its batch API (one transaction a request),
// Directus with an array of items. It adds records, so it runs alone on
// a copy of the data that is loaded again afterwards (-ops bulkCreate
// -reload); requests/s × bulkBatch are records/s.
func bulkCreate() Operation {
	const query = `mutation($in: [DealInput!]!) { createDeals(inputs: $in) { outcome error { message } } }`
	return Operation{Name: "bulkCreate", On: map[string]Request{
		"crm": {
			Call: func(w *Workload, client, n int) Call {
				inputs := make([]map[string]any, 0, bulkBatch)
				for _, i := range bulkDeals(w, client, n) {
					inputs = append(inputs, crmDealData(w, i))
				}
				return Call{Method: "POST", Path: "/graphql", Body: jsonBody(map[string]any{"query": query, "variables": map[string]any{"in": inputs}})}
			},
			Check: func(_ *Workload, body []byte) error {
				var answer struct {
					Data struct {
						CreateDeals []struct {
							Outcome string `json:"outcome"`
							Error   *struct {
								Message string `json:"message"`
							} `json:"error"`
						} `json:"createDeals"`
					} `json:"data"`
					Errors []json.RawMessage `json:"errors"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				if len(answer.Errors) > 0 {
					return fmt.Errorf("errors: %s", answer.Errors[0])
				}
				return createdAll(len(answer.Data.CreateDeals), func(k int) (bool, string) {
					r := answer.Data.CreateDeals[k]
					if r.Error != nil {
						return false, r.Error.Message
					}
					return r.Outcome == "created", r.Outcome
				})
			},
		},
		"pocketbase": {
			Call: func(w *Workload, client, n int) Call {
				reqs := make([]map[string]any, 0, bulkBatch)
				for _, i := range bulkDeals(w, client, n) {
					reqs = append(reqs, map[string]any{"method": "POST", "url": "/api/collections/deals/records", "body": pbDealBody(w, i)})
				}
				return Call{Method: "POST", Path: "/api/batch", Body: jsonBody(map[string]any{"requests": reqs})}
			},
			Check: func(_ *Workload, body []byte) error {
				var answer []struct {
					Status int `json:"status"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				return createdAll(len(answer), func(k int) (bool, string) {
					return answer[k].Status/100 == 2, fmt.Sprintf("status %d", answer[k].Status)
				})
			},
		},
		"directus": {
			Call: func(w *Workload, client, n int) Call {
				items := make([]map[string]any, 0, bulkBatch)
				for _, i := range bulkDeals(w, client, n) {
					items = append(items, dxDealItem(w, i))
				}
				return Call{Method: "POST", Path: "/items/deals?fields=id", Body: jsonBody(items)}
			},
			Check: func(_ *Workload, body []byte) error {
				var answer struct {
					Data []struct {
						ID json.RawMessage `json:"id"`
					} `json:"data"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				return createdAll(len(answer.Data), func(k int) (bool, string) { return len(answer.Data[k].ID) > 0, "no id" })
			},
		},
	}}
}

// createdAll checks that an answer has bulkBatch results, each a create
// (ok says so; what tells why not).
func createdAll(n int, result func(k int) (ok bool, what string)) error {
	if n != bulkBatch {
		return fmt.Errorf("%d results, want %d", n, bulkBatch)
	}
	for k := range n {
		if ok, what := result(k); !ok {
			return fmt.Errorf("deal %d of the batch was not created: %s", k, what)
		}
	}
	return nil
}
