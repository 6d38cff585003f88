package main

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Operation is one kind of request, measured on every server. Issue 20's
// operations (get by id, a filtered page, a page with each deal's account,
// a create) are each one more function returning an Operation, listed in
// operations.
type Operation struct {
	// Name names the operation in flags and tables.
	Name string
	// On holds, per server name, how that server is asked.
	On map[string]Request
}

// Request is how one server is asked for an operation.
type Request struct {
	// Call is the request a client sends; n counts that client's calls (for
	// operations that vary their target, such as get by id).
	Call func(w *Workload, client, n int) Call
	// Check verifies one answer against the workload before a server is
	// measured, so that every server is measured doing the same work.
	Check func(w *Workload, body []byte) error
}

// operations are the measured operations, in the order they run when
// -ops names none.
var operations = []func() Operation{
	countSumByStage,
	getDealByID,
	filteredPage,
	pageWithAccount,
}

// writeOperations add records, so that the reads measured after them
// would read more: they run only when -ops names them, alone.
var writeOperations = []func() Operation{
	createDeal,
	bulkCreate,
}

// operationNamed returns the operation called name.
func operationNamed(name string) (Operation, bool) {
	for _, o := range slices.Concat(operations, writeOperations) {
		if op := o(); op.Name == name {
			return op, true
		}
	}
	return Operation{}, false
}

// countSumByStage is "count and sum(amount) grouped by stage" over every
// deal: ours through the GraphQL aggregate query, Directus through the
// aggregate parameters of its item list, PocketBase through a view
// collection holding the GROUP BY (its only way to group), listed.
func countSumByStage() Operation {
	const query = `{ dealsAggregate(groupBy: [{field: stage}]) { groups { keys { value } count sum(field: amount) } } }`
	return Operation{Name: "countSumByStage", On: map[string]Request{
		"crm": {
			Call: func(*Workload, int, int) Call {
				return Call{Method: "POST", Path: "/graphql", Body: jsonBody(map[string]string{"query": query})}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Data struct {
						DealsAggregate struct {
							Groups []struct {
								Keys []struct {
									Value string `json:"value"`
								} `json:"keys"`
								Count int64   `json:"count"`
								Sum   float64 `json:"sum"`
							} `json:"groups"`
						} `json:"dealsAggregate"`
					} `json:"data"`
					Errors []json.RawMessage `json:"errors"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				if len(answer.Errors) > 0 {
					return fmt.Errorf("errors: %s", answer.Errors[0])
				}
				got := map[string]StageTotal{}
				for _, g := range answer.Data.DealsAggregate.Groups {
					if len(g.Keys) != 1 {
						return fmt.Errorf("a group with %d keys", len(g.Keys))
					}
					got[g.Keys[0].Value] = StageTotal{Count: g.Count, Sum: g.Sum}
				}
				return sameTotals(w.ByStage(), got)
			},
		},
		"directus": {
			Call: func(*Workload, int, int) Call {
				return Call{Method: "GET", Path: "/items/deals?aggregate[count]=*&aggregate[sum]=amount&groupBy[]=stage"}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Data []struct {
						Stage string          `json:"stage"`
						Count json.RawMessage `json:"count"`
						Sum   struct {
							Amount json.RawMessage `json:"amount"`
						} `json:"sum"`
					} `json:"data"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				got := map[string]StageTotal{}
				for _, g := range answer.Data {
					count, err := number(g.Count)
					if err != nil {
						return fmt.Errorf("count of %s: %w", g.Stage, err)
					}
					sum, err := number(g.Sum.Amount)
					if err != nil {
						return fmt.Errorf("sum of %s: %w", g.Stage, err)
					}
					got[g.Stage] = StageTotal{Count: int64(count), Sum: sum}
				}
				return sameTotals(w.ByStage(), got)
			},
		},
		"pocketbase": {
			Call: func(*Workload, int, int) Call {
				return Call{Method: "GET", Path: "/api/collections/deals_by_stage/records?perPage=100&skipTotal=1"}
			},
			Check: func(w *Workload, body []byte) error {
				var answer struct {
					Items []struct {
						Stage string  `json:"stage"`
						Deals int64   `json:"deals"`
						Total float64 `json:"total"`
					} `json:"items"`
				}
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				got := map[string]StageTotal{}
				for _, g := range answer.Items {
					got[g.Stage] = StageTotal{Count: g.Deals, Sum: g.Total}
				}
				return sameTotals(w.ByStage(), got)
			},
		},
	}}
}

// number reads a JSON number or a string holding one (Directus answers
// aggregates as either, depending on the database).
func number(raw json.RawMessage) (float64, error) {
	s := strings.Trim(string(raw), `"`)
	return strconv.ParseFloat(s, 64)
}

// sameTotals compares a server's groups with the workload's, sums to a
// cent.
func sameTotals(want, got map[string]StageTotal) error {
	var problems []string
	for stage, w := range want {
		g, ok := got[stage]
		switch {
		case !ok:
			problems = append(problems, stage+" missing")
		case g.Count != w.Count:
			problems = append(problems, fmt.Sprintf("%s: count %d, want %d", stage, g.Count, w.Count))
		case math.Abs(g.Sum-w.Sum) > max(0.01, 1e-11*math.Abs(w.Sum)):
			problems = append(problems, fmt.Sprintf("%s: sum %.2f, want %.2f", stage, g.Sum, w.Sum))
		}
	}
	for stage := range got {
		if _, ok := want[stage]; !ok {
			problems = append(problems, "unexpected group "+stage)
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("wrong answer: %s", strings.Join(problems, "; "))
	}
	return nil
}
