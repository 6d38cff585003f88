package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/crmkit/crm/store"
)

// Mass actions: one change made to many records of an object at once
// (a filtered list, a view, or a selection of ids): set fields, hand the
// records to another owner, or delete them. The records are chosen first,
// so that a change that moves a record out of the filter does not skip
// or repeat others; then each is changed as a single write would change
// it, with the actor's permissions record by record, in batches, with
// progress. A record that cannot be changed is reported and the others
// are.

// MaxMassRecords bounds the records one mass action may change.
const MaxMassRecords = 100_000

// maxMassFailures bounds the failures a report lists one by one.
const maxMassFailures = 1000

// Mass action kinds.
const (
	MassUpdate   = "update"
	MassTransfer = "transfer"
	MassDelete   = "delete"
)

// MassSelection chooses the records of a mass action: IDs when given,
// else those View and Filter select (all the actor sees when both are
// empty, which must be asked for with All).
type MassSelection struct {
	IDs    []string
	View   string
	Filter *store.Filter
	// All confirms a selection of every record the actor sees.
	All bool
}

// MassAction is the change: Kind MassUpdate sets the fields of Set (null
// clears one), MassTransfer gives the records to Owner ("user:NAME" or
// NAME), MassDelete deletes them.
type MassAction struct {
	Kind  string
	Set   map[string]any
	Owner string
}

// MassReport is what a mass action did.
type MassReport struct {
	Selected, Changed, Failed int
	// Failures lists the records that were not changed and why, the
	// first maxMassFailures of them.
	Failures []MassFailure
}

// MassFailure is a record a mass action did not change.
type MassFailure struct {
	ID  string
	Err error
}

// MassChange makes act on the records sel chooses, in the request
// (StartMassChange runs a large selection as a job). A selection of more
// than MaxMassRecords, an empty selection without All, an unknown kind,
// an update without fields and a transfer without an owner are refused
// before anything changes.
func (e *Engine) MassChange(ctx context.Context, object string, sel MassSelection, act MassAction, progress func(done, total int)) (*MassReport, error) {
	ids, err := e.massPlan(ctx, object, sel, act)
	if err != nil {
		return nil, err
	}
	return e.massApply(ctx, object, ids, act, progress)
}

// massPlan checks a mass action and lists the records it changes.
func (e *Engine) massPlan(ctx context.Context, object string, sel MassSelection, act MassAction) ([]string, error) {
	switch act.Kind {
	case MassUpdate:
		if len(act.Set) == 0 {
			return nil, errorOf(ErrBadRequest, nil, "mass.nothingToSet")
		}
	case MassTransfer:
		if strings.TrimPrefix(act.Owner, "user:") == "" {
			return nil, errorOf(ErrBadRequest, nil, "mass.noOwner")
		}
	case MassDelete:
	default:
		return nil, errorOf(ErrBadRequest, nil, "mass.unknownKind", act.Kind)
	}
	if len(sel.IDs) == 0 && sel.View == "" && sel.Filter == nil && !sel.All {
		return nil, errorOf(ErrBadRequest, nil, "mass.noSelection")
	}
	if len(sel.IDs) > 0 && (sel.View != "" || sel.Filter != nil || sel.All) {
		return nil, errorOf(ErrBadRequest, nil, "mass.idsAndFilter")
	}
	// A role that may not update (or delete) any record of the object is
	// refused at once, rather than record by record.
	if op := map[string]string{MassUpdate: "update", MassDelete: "delete"}[act.Kind]; op != "" {
		sc, err := e.writeScope(ctx, object)
		if err != nil {
			return nil, err
		}
		if err := sc.snap.mayDo(sc.actor, sc.obj, op); err != nil {
			return nil, err
		}
	}
	return e.massIDs(ctx, object, sel)
}

// massApply makes act on the records ids names, in batches, each record
// as a single write would change it.
func (e *Engine) massApply(ctx context.Context, object string, ids []string, act MassAction, progress func(done, total int)) (*MassReport, error) {
	rep := &MassReport{Selected: len(ids)}
	fail := func(id string, err error) {
		rep.Failed++
		if len(rep.Failures) < maxMassFailures {
			rep.Failures = append(rep.Failures, MassFailure{ID: id, Err: err})
		}
	}
	for start := 0; start < len(ids); start += MaxBulkWrites {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("mass %s of %s: stopped after %d records: %w", act.Kind, object, start, err)
		}
		batch := ids[start:min(start+MaxBulkWrites, len(ids))]
		if act.Kind == MassTransfer {
			for _, id := range batch {
				if _, err := e.TransferRecord(ctx, object, id, act.Owner); err != nil {
					fail(id, err)
				} else {
					rep.Changed++
				}
			}
		} else {
			writes := make([]BulkWrite, len(batch))
			for i, id := range batch {
				writes[i] = BulkWrite{Action: BulkDelete, ID: id}
				if act.Kind == MassUpdate {
					writes[i] = BulkWrite{Action: BulkUpdate, ID: id, Data: act.Set}
				}
			}
			results, err := e.WriteRecords(ctx, object, writes, BulkOptions{})
			if err != nil {
				return rep, fmt.Errorf("mass %s of %s: records %d to %d: %w", act.Kind, object, start+1, start+len(batch), err)
			}
			for i, r := range results {
				if r.Outcome == OutcomeFailed {
					fail(batch[i], r.Err)
				} else {
					rep.Changed++
				}
			}
		}
		if progress != nil {
			progress(start+len(batch), len(ids))
		}
	}
	return rep, nil
}

// massIDs lists the records a selection chooses, as the actor sees them:
// ids given are kept in their order (once each) when the actor sees the
// record, and reported missing otherwise by the writes themselves.
func (e *Engine) massIDs(ctx context.Context, object string, sel MassSelection) ([]string, error) {
	if len(sel.IDs) > 0 {
		if len(sel.IDs) > MaxMassRecords {
			return nil, errorOf(ErrBadRequest, nil, "mass.tooMany", len(sel.IDs), MaxMassRecords)
		}
		seen := map[string]bool{}
		out := make([]string, 0, len(sel.IDs))
		for _, id := range sel.IDs {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return out, nil
	}
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	lq, err := e.applyView(ctx, sc.ts, sc.snap, sc.actor, sc.obj, ListQuery{View: sel.View, Filter: sel.Filter})
	if err != nil {
		return nil, err
	}
	if err := sc.rules.check(lq.Filter, nil); err != nil {
		return nil, err
	}
	lq.Filter, lq.Sort, lq.First = sc.rules.Scope(lq.Filter), nil, MaxPageSize
	filter, err := normalizeFilter(sc.obj, lq.Filter)
	if err != nil {
		return nil, err
	}
	n, err := sc.ts.Count(ctx, sc.obj, filter)
	if err != nil {
		return nil, queryFailed(sc.obj, err)
	}
	if n > MaxMassRecords {
		return nil, errorOf(ErrBadRequest, nil, "mass.tooMany", n, MaxMassRecords)
	}
	ids := make([]string, 0, n)
	for {
		page, err := list(ctx, sc.ts, sc.obj, lq)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Records {
			ids = append(ids, r.ID)
		}
		if !page.HasNextPage {
			return ids, nil
		}
		lq.After = page.EndCursor
	}
}
