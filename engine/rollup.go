package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Roll-up summary fields (x-crm-type "rollup") are stored on the parent
// record and kept current in the transaction of every write to a child:
// create, update (including moving to another parent) and delete. Counts
// are counted, minimums and maximums read with one sorted query, both
// through the index every lookup has; sums move by the difference the
// write made. RebuildRollup recomputes a field from scratch.

// rollupRef is one roll-up field of a parent object.
type rollupRef struct {
	parent *schema.Object
	field  *schema.Field
}

// rollupsOver returns the roll-up fields that summarise records of child.
func rollupsOver(cat *Catalog, child string) []rollupRef {
	var refs []rollupRef
	for _, o := range cat.Objects {
		for _, f := range o.Fields {
			if f.Rollup != nil && f.Rollup.Object == child {
				refs = append(refs, rollupRef{parent: o, field: f})
			}
		}
	}
	return refs
}

// rollupFilter is the condition of a roll-up over child records of
// parentID.
func rollupFilter(child *schema.Object, ru *schema.Rollup, parentID string) (*store.Filter, error) {
	via := store.Leaf(ru.Via, store.OpEq, parentID)
	if len(ru.Condition) == 0 {
		return &via, nil
	}
	var cond store.Filter
	if err := json.Unmarshal(ru.Condition, &cond); err != nil {
		return nil, fmt.Errorf("condition of roll-up over %s: %w", child.Name, err)
	}
	nc, err := normalizeFilter(child, &cond)
	if err != nil {
		return nil, err
	}
	return &store.Filter{And: []store.Filter{via, *nc}}, nil
}

// contribution is what one child record adds to a roll-up of parentID.
func contribution(child *schema.Object, ru *schema.Rollup, rec *store.Record, parentID string) (counted bool, value float64, err error) {
	if rec == nil || !slices.Contains(lookupIDs(rec.Data[ru.Via]), parentID) {
		return false, 0, nil
	}
	f, err := rollupFilter(child, ru, parentID)
	if err != nil || !store.Match(f, rec) {
		return false, 0, err
	}
	v, _ := rec.Data[ru.Field].(float64)
	return true, v, nil
}

// maintainRollups brings the roll-ups over child up to date after a write
// from old to rec (either may be nil: a create or a delete), in tx.
func (w *writer) maintainRollups(ctx context.Context, tx store.Tx, child *schema.Object, old, rec *store.Record) error {
	refs := rollupsOver(w.snap.catalog, child.Name)
	for _, ref := range refs {
		ru := ref.field.Rollup
		via := child.Field(ru.Via)
		if via == nil || via.Target != ref.parent.Name {
			continue // a roll-up that names no lookup to its object sums nothing
		}
		var parents []string
		for _, r := range []*store.Record{old, rec} {
			if r != nil {
				for _, id := range lookupIDs(r.Data[ru.Via]) {
					if !slices.Contains(parents, id) {
						parents = append(parents, id)
					}
				}
			}
		}
		for _, pid := range parents {
			oc, ov, err := contribution(child, ru, old, pid)
			if err != nil {
				return err
			}
			nc, nv, err := contribution(child, ru, rec, pid)
			if err != nil {
				return err
			}
			if oc == nc && ov == nv {
				continue
			}
			if err := w.updateRollup(ctx, tx, child, ref, pid, ov, nv); err != nil {
				return err
			}
		}
	}
	return nil
}

// updateRollup stores a parent's new roll-up value: sums move by the
// child's new value less its old one (amounts of currency fields as
// integers of minor units, so that no drift builds up), the other
// functions are read from the store (which sees tx's writes).
func (w *writer) updateRollup(ctx context.Context, tx store.Tx, child *schema.Object, ref rollupRef, parentID string, oldValue, newValue float64) error {
	parent, err := tx.Get(ctx, ref.parent, parentID)
	if err != nil {
		return nil // the parent is gone (or was never there): nothing to keep
	}
	ru := ref.field.Rollup
	var value any
	if ru.Function == schema.RollupSum {
		cur, _ := parent.Data[ref.field.Name].(float64)
		if scale := child.Field(ru.Field).SumScale(); scale > 0 {
			sum := store.MoneySum{Scale: scale}
			sum.Add(cur)
			sum.Add(newValue)
			sum.Add(-oldValue)
			if value, err = sum.Value(ru.Field); err != nil {
				return fmt.Errorf("roll up %s.%s: %w", ref.parent.Name, ref.field.Name, err)
			}
		} else {
			value = roundSum(cur + newValue - oldValue)
		}
	} else if value, err = computeRollup(ctx, tx, child, ru, parentID); err != nil {
		return err
	}
	if err := w.rollupRules(ctx, child, ref, parent, value); err != nil {
		return err
	}
	return w.setComputed(ctx, tx, ref.parent, parent, ref.field.Name, value, "rollup:"+ref.parent.Name+"."+ref.field.Name)
}

// roundSum keeps sums of decimal amounts free of binary noise
// (0.1 + 0.2 stays 0.3).
func roundSum(v float64) float64 {
	return math.Round(v*1e9) / 1e9
}

// computeRollup computes a roll-up of one parent from scratch; nil means
// no value (min or max over no records).
func computeRollup(ctx context.Context, r store.Reader, child *schema.Object, ru *schema.Rollup, parentID string) (any, error) {
	f, err := rollupFilter(child, ru, parentID)
	if err != nil {
		return nil, err
	}
	switch ru.Function {
	case schema.RollupCount:
		n, err := r.Count(ctx, child, f)
		return float64(n), err
	case schema.RollupMin, schema.RollupMax:
		withValue := &store.Filter{And: []store.Filter{*f, store.Leaf(ru.Field, store.OpIsNull, false)}}
		page, err := r.Find(ctx, child, store.Query{Filter: withValue, Sort: []store.Sort{{Field: ru.Field, Desc: ru.Function == schema.RollupMax}}, Limit: 1})
		if err != nil || len(page.Records) == 0 {
			return nil, err
		}
		return page.Records[0].Data[ru.Field], nil
	}
	sum := 0.0
	money := store.MoneySum{Scale: child.Field(ru.Field).SumScale()}
	q := store.Query{Filter: f, Sort: []store.Sort{{Field: "id"}}, Limit: 1000}
	for {
		page, err := r.Find(ctx, child, q)
		if err != nil {
			return nil, err
		}
		for _, rec := range page.Records {
			v, _ := rec.Data[ru.Field].(float64)
			sum += v
			money.Add(v)
		}
		if !page.HasMore || len(page.Records) == 0 {
			if money.Scale > 0 {
				return money.Value(ru.Field)
			}
			return roundSum(sum), nil
		}
		last := page.Records[len(page.Records)-1]
		q.After = &store.Position{Values: []any{last.ID}, ID: last.ID}
	}
}

// setComputed stores a value the engine computes (a roll-up) on a record,
// as a write of its own: the record's formulas are computed again, its
// automations and the roll-ups over it follow, one level deeper in the
// chain of writes.
func (w *writer) setComputed(ctx context.Context, tx store.Tx, obj *schema.Object, cur store.Record, field string, value any, why string) error {
	if reflect.DeepEqual(cur.Data[field], value) {
		return nil
	}
	data := cloneMap(cur.Data)
	if value == nil {
		delete(data, field)
	} else {
		data[field] = value
	}
	// Formulas over the roll-up (a balance from two sums) follow it.
	if err := w.formulas(ctx, obj, &cur, data); err != nil {
		return err
	}
	return w.storeComputed(ctx, tx, obj, cur, data, why)
}

// storeComputed writes data the engine computed for a record (roll-ups,
// recomputed formulas) as a write of its own, one level deeper in the
// chain of writes.
func (w *writer) storeComputed(ctx context.Context, tx store.Tx, obj *schema.Object, cur store.Record, data map[string]any, why string) error {
	chain := append(slices.Clone(automationChain(ctx)), why)
	if len(chain) > w.e.maxDepth {
		trail := strings.Join(chain, " → ")
		return errorOf(ErrConflict, nil, "rollup.tooDeep", w.e.maxDepth, trail)
	}
	ctx = context.WithValue(ctx, chainKey{}, chain)
	next := cur
	next.Data = data
	next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, w.e.stamp(), w.actor.ID
	fired, err := w.beforeSave(ctx, tx, obj, &cur, &next)
	if err != nil {
		return err
	}
	if err := tx.Update(ctx, obj, next, cur.Version); err != nil {
		return fmt.Errorf("update computed fields of %s %q: %w", obj.Name, cur.ID, err)
	}
	if err := w.audit(ctx, tx, AuditUpdate, obj, next.ID, next.Version, auditChanges(obj, cur.Data, next.Data)); err != nil {
		return err
	}
	if err := w.afterSave(ctx, tx, obj, &cur, next, fired); err != nil {
		return err
	}
	return w.maintainRollups(ctx, tx, obj, &cur, &next)
}

// RebuildRollup recomputes a roll-up field on every record of object and
// returns how many records changed. Administrators only.
func (e *Engine) RebuildRollup(ctx context.Context, object, field string) (int, error) {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return 0, err
	}
	a, ts, snap, obj := sc.actor, sc.ts, sc.snap, sc.obj
	if !a.Admin {
		return 0, errorOf(ErrForbidden, nil, "rollup.adminOnlyRebuild")
	}
	f := obj.Field(field)
	if f == nil || f.Rollup == nil {
		return 0, errorOf(ErrBadRequest, nil, "rollup.notRollup", object, field)
	}
	child := snap.catalog.Object(f.Rollup.Object)
	if child == nil {
		return 0, errorOf(ErrBadRequest, nil, "rollup.unknownSource", object, field, f.Rollup.Object)
	}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return 0, err
	}
	changed := 0
	q := store.Query{Sort: []store.Sort{{Field: "id"}}, Limit: 200}
	for {
		page, err := ts.Find(ctx, obj, q)
		if err != nil {
			return changed, fmt.Errorf("rebuild %s.%s: %w", object, field, err)
		}
		for _, p := range page.Records {
			err := ts.WithTx(ctx, func(tx store.Tx) error {
				cur, err := tx.Get(ctx, obj, p.ID)
				if err != nil {
					return nil // deleted meanwhile
				}
				v, err := computeRollup(ctx, tx, child, f.Rollup, p.ID)
				if err != nil {
					return err
				}
				if reflect.DeepEqual(cur.Data[field], v) {
					return nil
				}
				changed++
				return w.setComputed(ctx, tx, obj, cur, field, v, "rebuild:"+object+"."+field)
			})
			if err != nil {
				return changed, writeFailed(obj, "rebuild", err)
			}
		}
		if !page.HasMore || len(page.Records) == 0 {
			return changed, nil
		}
		last := page.Records[len(page.Records)-1]
		q.After = &store.Position{Values: []any{last.ID}, ID: last.ID}
	}
}
