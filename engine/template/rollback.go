package template

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/crmkit/crm/schema"
)

// Rollback is what rolling back an install will write: made by
// [PlanRollback], written by [Rollback.Apply].
type Rollback struct {
	template string // the name of the template rolled back
	// objects are put back in this order: earlier definitions first, then
	// the objects the install created are deleted, so that referring
	// objects are restored before the objects they point at go.
	objects []rollbackStep
	// docs are the documents to put back, by kind; they go before the
	// objects, since they name objects that may go.
	docs map[string]docRestore
	// Problems are what the rollback would lose: it needs force.
	Problems []string
}

// rollbackStep puts one object back: its earlier definition, or deleted.
type rollbackStep struct {
	object string
	def    string // the earlier definition; "" deletes
	// clear and remap are the data the earlier definition cannot hold:
	// fields to clear, picklist values to clear (field → value → "").
	clear []string
	remap map[string]map[string]string
}

// docRestore puts documents of one kind back: keys, in reverse order, to
// what before holds (the earlier document's JSON, or nil for none).
type docRestore struct {
	keys   []string
	before map[string]any
}

// PlanRollback plans putting back what the install cur created or
// changed, objects then documents, adding the plan to res. Objects changed
// since, created objects that hold records other than sample data, and
// documents changed since or in use are the plan's problems.
func PlanRollback(ctx context.Context, cur *Install, t Tenant, res *InstallResult) (*Rollback, error) {
	rb := &Rollback{template: cur.Template, docs: map[string]docRestore{}}
	if err := rb.planObjects(ctx, cur, t, res); err != nil {
		return nil, err
	}
	if err := rb.planDocs(ctx, cur, t, res); err != nil {
		return nil, err
	}
	sort.SliceStable(rb.objects, func(i, j int) bool { return rb.objects[i].def != "" && rb.objects[j].def == "" })
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
			rb.objects = append(rb.objects, rollbackStep{object: obj})
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
		step := rollbackStep{object: obj, def: prev}
		step.clear, step.remap = rollbackMigration(now, old)
		// Fields that became user fields turn back into text: the users'
		// display names, not cleared.
		fields, remap := userRollback(t.Users(), now, old)
		for _, f := range fields {
			step.clear = slices.DeleteFunc(step.clear, func(c string) bool { return c == f })
			if step.remap == nil {
				step.remap = map[string]map[string]string{}
			}
			step.remap[f] = remap[f]
		}
		if len(step.clear) == 0 {
			step.clear = nil
		}
		rb.objects = append(rb.objects, step)
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
		restore := docRestore{before: d.before}
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
				restore.keys = append(restore.keys, key)
				continue
			}
			changes, err := Diff(nowDoc, []byte(prev))
			if err != nil {
				return fmt.Errorf("decode %s: %w", label, err)
			}
			res.Objects = append(res.Objects, ObjectPlan{Object: label, Action: "restore", Changes: changes})
			restore.keys = append(restore.keys, key)
		}
		rb.docs[k] = restore
	}
	return nil
}
