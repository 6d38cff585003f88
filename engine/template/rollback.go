package template

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/crmkit/crm/schema"
)

// Rollback is what rolling back an install will write.
type Rollback struct {
	template string // the name of the template rolled back
	// Objects are put back in this order: earlier definitions first, then
	// the objects the install created are deleted, so that referring
	// objects are restored before the objects they point at go.
	Objects []RollbackStep
	// Docs are the documents to put back, by kind; they go before the
	// objects, since they name objects that may go.
	Docs map[string]DocRestore
	// Problems are what the rollback would lose: it needs force.
	Problems []string
}

// RollbackStep puts one object back: its earlier definition, or deleted.
type RollbackStep struct {
	Object string
	Def    string // the earlier definition; "" deletes
	// Clear and Remap are the data the earlier definition cannot hold, as
	// the engine's SaveOptions take them: fields to clear, picklist values
	// to clear (field → value → "").
	Clear []string
	Remap map[string]map[string]string
}

// DocRestore puts documents of one kind back: Keys, in reverse order, to
// what Before holds (the earlier document's JSON, or nil for none).
type DocRestore struct {
	Keys   []string
	Before map[string]any
}

// PlanRollback plans putting back what the install cur created or
// changed, objects then documents, adding the plan to res. Objects changed
// since, created objects that hold records other than sample data, and
// documents changed since or in use are the plan's problems.
func PlanRollback(ctx context.Context, cur *Install, t Tenant, res *InstallResult) (*Rollback, error) {
	rb := &Rollback{template: cur.Template, Docs: map[string]DocRestore{}}
	if err := rb.planObjects(ctx, cur, t, res); err != nil {
		return nil, err
	}
	if err := rb.planDocs(ctx, cur, t, res); err != nil {
		return nil, err
	}
	sort.SliceStable(rb.Objects, func(i, j int) bool { return rb.Objects[i].Def != "" && rb.Objects[j].Def == "" })
	return rb, nil
}

// planObjects plans putting back the objects cur created or changed.
func (rb *Rollback) planObjects(ctx context.Context, cur *Install, t Tenant, res *InstallResult) error {
	for _, obj := range slices.Sorted(maps.Keys(cur.before)) {
		now := t.Object(obj)
		if now != nil && now.Version != cur.after[obj] {
			rb.Problems = append(rb.Problems, fmt.Sprintf("%s was changed after the install (version %d, the install left %d)", obj, now.Version, cur.after[obj]))
		}
		prev, _ := cur.before[obj].(string)
		if prev == "" {
			if now == nil {
				continue
			}
			own, err := t.Others(ctx, now, cur.Template)
			if err != nil {
				return fmt.Errorf("count records of %q: %w", obj, err)
			}
			if own > 0 {
				rb.Problems = append(rb.Problems, fmt.Sprintf("%s, which the install created, holds %d record(s) that are not sample data", obj, own))
			}
			changes, err := Diff(now.Definition, nil)
			if err != nil {
				return fmt.Errorf("decode definition of %q: %w", obj, err)
			}
			res.Objects = append(res.Objects, ObjectPlan{Object: obj, Action: "delete", Changes: changes})
			rb.Objects = append(rb.Objects, RollbackStep{Object: obj})
			continue
		}
		old, err := schema.ParseObject([]byte(prev))
		if err != nil {
			return fmt.Errorf("parse recorded definition of %q: %w", obj, err)
		}
		var nowDef []byte
		if now != nil {
			nowDef = now.Definition
		}
		changes, err := Diff(nowDef, []byte(prev))
		if err != nil {
			return fmt.Errorf("decode definition of %q: %w", obj, err)
		}
		res.Objects = append(res.Objects, ObjectPlan{Object: obj, Action: "restore", Changes: changes})
		step := RollbackStep{Object: obj, Def: prev}
		step.Clear, step.Remap = rollbackMigration(now, old)
		rb.Objects = append(rb.Objects, step)
	}
	return nil
}

// rollbackMigration returns the data the older definition cannot hold:
// fields it lacks or had with another type or target, picklist values it
// lacks. Values outside narrower lengths or ranges are not cleared: the
// rollback is refused, naming them.
func rollbackMigration(now, old *schema.Object) (cleared []string, remap map[string]map[string]string) {
	if now == nil {
		return nil, nil
	}
	for _, c := range schema.Diff(now, old) {
		switch c.Kind {
		case schema.ChangeFieldRemoved, schema.ChangeTypeChanged, schema.ChangeTargetChanged:
			if !slices.Contains(cleared, c.Field) {
				cleared = append(cleared, c.Field)
			}
		case schema.ChangeOptionsRemoved:
			if remap == nil {
				remap = map[string]map[string]string{}
			}
			m := map[string]string{}
			for _, v := range c.Removed {
				m[v] = ""
			}
			remap[c.Field] = m
		}
	}
	// Clearing a field removed from the definition is all a removed field
	// needs; remaps only apply to fields still there.
	for _, f := range cleared {
		delete(remap, f)
	}
	return cleared, remap
}

// planDocs plans putting back the documents cur created (deleted) or
// changed (restored).
func (rb *Rollback) planDocs(ctx context.Context, cur *Install, t Tenant, res *InstallResult) error {
	for _, k := range DocKinds {
		d := cur.docs[k]
		if d == nil || len(d.before) == 0 {
			continue
		}
		current, err := t.Docs(ctx, k)
		if err != nil {
			return err
		}
		restore := DocRestore{Before: d.before}
		for _, key := range slices.Sorted(maps.Keys(d.before)) {
			label := k + ":" + key
			now, has := current[key]
			var nowDoc []byte
			if has {
				nowDoc = []byte(now)
				if after, ok := d.after[key]; ok && !Same(nowDoc, []byte(after)) {
					rb.Problems = append(rb.Problems, fmt.Sprintf("%s was changed after the install", label))
				}
			}
			prev, _ := d.before[key].(string)
			if prev == "" {
				if !has {
					continue
				}
				if why := t.InUse(k, key); why != "" {
					rb.Problems = append(rb.Problems, fmt.Sprintf("%s, which the install created, %s", label, why))
				}
				changes, err := Diff(nowDoc, nil)
				if err != nil {
					return fmt.Errorf("decode %s: %w", label, err)
				}
				res.Objects = append(res.Objects, ObjectPlan{Object: label, Action: "delete", Changes: changes})
				restore.Keys = append(restore.Keys, key)
				continue
			}
			changes, err := Diff(nowDoc, []byte(prev))
			if err != nil {
				return fmt.Errorf("decode %s: %w", label, err)
			}
			res.Objects = append(res.Objects, ObjectPlan{Object: label, Action: "restore", Changes: changes})
			restore.Keys = append(restore.Keys, key)
		}
		rb.Docs[k] = restore
	}
	return nil
}
