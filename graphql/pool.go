package graphql

import (
	"context"
	"errors"

	"github.com/crmkit/crm/engine"
)

// Pooling is what the customer pool (公海) needs: the pools, claims and
// returns (engine/pool.go). A pool's records are the object's records
// whose ownerId is "pool": the generated list with
// filter: {ownerId: {eq: "pool"}} pages them.
type Pooling interface {
	Pools(ctx context.Context) ([]engine.PoolInfo, error)
	Pool(ctx context.Context, object string) (engine.PoolInfo, error)
	ClaimRecords(ctx context.Context, object string, ids []string) ([]engine.PoolResult, error)
	ReturnToPool(ctx context.Context, object string, ids []string, reason string) ([]engine.PoolResult, error)
}

var _ Pooling = (*engine.Engine)(nil)

var errNoPools = errors.New("graphql: this server has no customer pools")

// poolResolvers serve pools, pool, claimRecords and returnToPool.
func (s *execSchema) poolResolvers(query, mutation map[string]resolver) {
	eng := s.srv.pools
	query["pools"] = func(ctx context.Context, _ any, _ *fieldCall) (any, error) {
		if eng == nil {
			return nil, errNoPools
		}
		pools, err := eng.Pools(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(pools))
		for i := range pools {
			out[i] = &pools[i]
		}
		return out, nil
	}
	query["pool"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if eng == nil {
			return nil, errNoPools
		}
		p, err := eng.Pool(ctx, fc.args["object"].(string))
		if err != nil {
			return nil, err
		}
		return &p, nil
	}
	outcomes := func(fc *fieldCall, results []engine.PoolResult) []any {
		out := make([]any, len(results))
		for i, r := range results {
			v := &poolOutcome{res: r}
			if r.Err != nil {
				v.err = fc.req.srv.classify(r.Err, fc.req.lang, fc.req.requestID)
			}
			out[i] = v
		}
		return out
	}
	mutation["claimRecords"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if eng == nil {
			return nil, errNoPools
		}
		res, err := eng.ClaimRecords(ctx, fc.args["object"].(string), stringList(fc.args["ids"]))
		if err != nil {
			return nil, err
		}
		return outcomes(fc, res), nil
	}
	mutation["returnToPool"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if eng == nil {
			return nil, errNoPools
		}
		res, err := eng.ReturnToPool(ctx, fc.args["object"].(string), stringList(fc.args["ids"]), fc.args["reason"].(string))
		if err != nil {
			return nil, err
		}
		return outcomes(fc, res), nil
	}
}

func stringList(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, _ := it.(string)
		out = append(out, s)
	}
	return out
}

// poolOutcome is one element of claimRecords' and returnToPool's answer.
type poolOutcome struct {
	res engine.PoolResult
	err *Error // nil unless it failed
}

// poolTypeResolvers serve Pool and PoolOutcome.
func poolTypeResolvers() (pool, outcome map[string]resolver) {
	pv := func(p any) *engine.PoolInfo { return p.(*engine.PoolInfo) }
	pool = map[string]resolver{
		"object":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).Object, nil },
		"label":          func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).Label, nil },
		"claimLimit":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(pv(p).Pool.ClaimLimit), nil },
		"reclaimSameDay": func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).Pool.ReclaimSameDay, nil },
		"mayClaim":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).MayClaim, nil },
		"manages":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).Manages, nil },
		"claimedToday":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(pv(p).ClaimedToday), nil },
		"claimsLeft":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(pv(p).ClaimsLeft), nil },
		"idleDays": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if n := pv(p).Pool.IdleDays; n > 0 {
				return int64(n), nil
			}
			return nil, nil
		},
		"reasons": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(pv(p).Pool.Reasons))
			for i, r := range pv(p).Pool.Reasons {
				out[i] = r
			}
			return out, nil
		},
	}
	ov := func(p any) *poolOutcome { return p.(*poolOutcome) }
	outcome = map[string]resolver{
		"id": func(_ context.Context, p any, _ *fieldCall) (any, error) { return ov(p).res.ID, nil },
		"ok": func(_ context.Context, p any, _ *fieldCall) (any, error) { return ov(p).err == nil, nil },
		"ownerId": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if ov(p).err != nil {
				return nil, nil
			}
			return ov(p).res.Record.OwnerID, nil
		},
		"error": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if e := ov(p).err; e != nil {
				return e, nil
			}
			return nil, nil
		},
	}
	return pool, outcome
}

// poolSDL holds the customer pool's types.
const poolSDL = `
"A customer pool (公海) as the caller sees it (docs/pool.md). Its records are the object's records whose ownerId is \"pool\"."
type Pool {
  "The pooled object's API name."
  object: String!
  label: Label!
  "How many records one rep may claim in one of the tenant's days."
  claimLimit: Int!
  "Records go back after this many days without a change; null for never."
  idleDays: Int
  "The reasons a return by hand picks from; empty: any text."
  reasons: [Label!]!
  "Whether a rep may claim back, the same day, a record that went back from them."
  reclaimSameDay: Boolean!
  "Whether the caller may claim from the pool."
  mayClaim: Boolean!
  "Whether the caller changes pooled records and returns anyone's (administrators, the pool's manager roles)."
  manages: Boolean!
  "The caller's claims in the tenant's day so far."
  claimedToday: Int!
  "How many more records the caller may claim today."
  claimsLeft: Int!
}

"What became of one record of claimRecords or returnToPool."
type PoolOutcome {
  id: ID!
  "Whether the record was claimed or returned."
  ok: Boolean!
  "The record's owner afterwards, when ok: user:NAME after a claim, \"pool\" after a return."
  ownerId: String
  "Why it failed: CONFLICT for a record claimed meanwhile, FORBIDDEN when the day's claims are used up …"
  error: WriteError
}
`

const poolSDLQuery = `  "The customer pools of the objects the caller reads."
  pools: [Pool!]!
  "One object's customer pool, with the caller's claims left today."
  pool(object: String!): Pool!
`

const poolSDLMutation = `  "Claims records from the object's pool for the caller (a signed-in user), each on its own; one outcome per id, in order. At most 100 ids."
  claimRecords(object: String!, ids: [ID!]!): [PoolOutcome!]!
  "Returns records to the object's pool with a reason (one of the pool's reasons, else any text up to 200 characters), each on its own; one outcome per id, in order. At most 100 ids."
  returnToPool(object: String!, ids: [ID!]!, reason: String!): [PoolOutcome!]!
`
