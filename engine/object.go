package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/crmkit/crm/engine/apiname"
	"github.com/crmkit/crm/engine/seal"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// SaveObject stores a new version of an object definition (version 1 for a
// new object). Only administrators may. The definition is checked against
// the CRM meta-schema. When the change could invalidate stored records
// (see [schema.Diff]), every record is checked against the new definition
// after the migrations in opts; if any would not fit, nothing is saved and
// the error says how many records, which field, why, and which option
// migrates them. Saving a definition identical to the current one changes
// nothing. After SaveObject returns, every caller sees the new version.
func (e *Engine) SaveObject(ctx context.Context, definition json.RawMessage, opts SaveOptions) (*ObjectInfo, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return nil, errorOf(ErrForbidden, nil, "object.adminOnly")
	}
	obj, validator, err := e.checkDefinition(a.TenantID, definition)
	if err != nil {
		return nil, err
	}
	prev := snap.catalog.Object(obj.Name)
	var prevVersion int64
	if prev != nil {
		prevVersion = prev.Version
	}
	if opts.ExpectedVersion != 0 && opts.ExpectedVersion != prevVersion {
		return nil, errorOf(ErrConflict, nil, "object.versionConflict", obj.Name, prevVersion, opts.ExpectedVersion)
	}
	if problems := checkMigrationOptions(prev, obj, opts); len(problems) > 0 {
		return nil, &schema.DefinitionError{Object: obj.Name, Problems: problems}
	}
	opts, problems := snap.userRemaps(obj, opts)
	if len(problems) > 0 {
		return nil, &schema.DefinitionError{Object: obj.Name, Problems: problems}
	}
	if clashes := apiname.Clashes(obj, prev, snap.catalog.Objects); len(clashes) > 0 {
		return nil, apiNamesTaken(obj.Name, clashes)
	}
	if prev != nil && sameJSON(prev.Definition, obj.Definition) {
		// The same definition is not a new version, options or not; the
		// options still apply to records that hold what they migrate.
		if err := e.migrateOnly(ctx, ts, snap, a, prev, obj, validator, opts); err != nil {
			return nil, err
		}
		return e.info(ctx, ts, obj.Name)
	}
	version, err := e.commitObject(ctx, ts, snap, a, prev, obj, validator, opts)
	if err != nil {
		return nil, err
	}
	e.log.InfoContext(ctx, "object saved", "tenant", a.TenantID, "object", obj.Name, "version", version, "by", a.ID)
	if err := e.startRollups(ctx, snap, prev, obj); err != nil {
		return nil, err
	}
	return e.info(ctx, ts, obj.Name)
}

// checkDefinition parses a definition and refuses what cannot be saved:
// a reserved name, a definition that does not compile, sensitive fields
// without an encryption key.
func (e *Engine) checkDefinition(tenantID string, definition json.RawMessage) (*schema.Object, *schema.Validator, error) {
	obj, err := schema.ParseObject(definition)
	if err != nil {
		return nil, nil, err
	}
	if isPlatformName(obj.Name) {
		return nil, nil, &schema.DefinitionError{Object: obj.Name, Problems: []schema.Problem{{Path: "/$id",
			Message: fmt.Sprintf("%q is reserved: names starting with \"crm\" and an upper-case letter belong to the platform", obj.Name)}}}
	}
	validator, err := schema.NewValidator(obj)
	if err != nil {
		return nil, nil, &schema.DefinitionError{Object: obj.Name, Problems: []schema.Problem{{Path: "", Message: err.Error()}}}
	}
	if problems := e.compileDefinition(tenantID, obj); len(problems) > 0 {
		return nil, nil, &schema.DefinitionError{Object: obj.Name, Problems: problems}
	}
	if problems := recipientProblems(obj); len(problems) > 0 {
		return nil, nil, &schema.DefinitionError{Object: obj.Name, Problems: problems}
	}
	if seal.HasSensitive(obj) && e.sealer == nil {
		var problems []schema.Problem
		for _, f := range obj.Fields {
			if f.Sensitive {
				problems = append(problems, schema.Problem{Path: "/properties/" + f.Name + "/x-crm-sensitive",
					Message: "needs an encryption key: start the server with CRM_ENCRYPTION_KEY (or --encryption-key-file) so that its values are encrypted at rest"})
			}
		}
		return nil, nil, &schema.DefinitionError{Object: obj.Name, Problems: problems}
	}
	return obj, validator, nil
}

// apiNamesTaken is the VALIDATION_FAILED of an object that would take
// names of the generated API that are not free (see package apiname):
// a problem for each, the message naming the first.
func apiNamesTaken(object string, clashes []apiname.Clash) error {
	problems := make([]schema.Problem, len(clashes))
	for i, c := range clashes {
		owner := "the platform's own"
		if c.With != "" {
			owner = fmt.Sprintf("object %q's", c.With)
		}
		problems[i] = schema.Problem{Path: "/$id", Message: fmt.Sprintf("the API would name it %s, which is %s", c.Name, owner)}
	}
	de := &schema.DefinitionError{Object: object, Problems: problems}
	if first := clashes[0]; first.With != "" {
		return errorOf(ErrBadRequest, de, "object.apiNameTaken", object, first.Name.String(), first.With)
	}
	return errorOf(ErrBadRequest, de, "object.apiNameFixed", object, clashes[0].Name.String())
}

func hasMigrations(opts SaveOptions) bool {
	return len(opts.Fill) > 0 || len(opts.Remap) > 0 || len(opts.Clear) > 0
}

// migrateOnly applies the migrations of opts to the records of an object
// whose definition does not change.
func (e *Engine) migrateOnly(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, prev, obj *schema.Object, validator *schema.Validator, opts SaveOptions) error {
	if !hasMigrations(opts) {
		return nil
	}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return err
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		return e.migrate(ctx, tx, w, prev, obj, validator, opts, false)
	})
	var de *schema.DefinitionError
	if errors.As(err, &de) {
		return err
	} else if err != nil {
		return fmt.Errorf("migrate %s records: %w", obj.Name, err)
	}
	return nil
}

// commitObject saves obj as the next version after prev (nil for a new
// object) in one transaction with its audit entry, the job that
// recomputes changed formulas and the migration of stored records. It
// returns the version saved.
func (e *Engine) commitObject(ctx context.Context, ts store.TenantStore, snap *snapshot, a Actor, prev, obj *schema.Object, validator *schema.Validator, opts SaveOptions) (int64, error) {
	var prevVersion int64
	if prev != nil {
		prevVersion = prev.Version
	} else {
		// An object deleted earlier keeps its history: the new one
		// continues its version numbers.
		hist, err := ts.ObjectHistory(ctx, obj.Name)
		if err != nil {
			return 0, fmt.Errorf("read history of object %q: %w", obj.Name, err)
		}
		if n := len(hist); n > 0 {
			prevVersion = hist[n-1].Version
		}
	}
	doc := store.ObjectDoc{Name: obj.Name, Version: prevVersion + 1, Definition: obj.Definition, SavedAt: e.stamp(), SavedBy: a.ID}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return 0, err
	}
	var recompute []string
	var jobs *schema.Object
	// A customer value that is new or changed is computed for the records
	// there are (an upgrade that brings one values the customers at once).
	revalue := prev != nil && obj.CustomerValue != nil && !reflect.DeepEqual(prev.CustomerValue, obj.CustomerValue)
	// Changed duplicate rules key the records there are again.
	rekey := prev != nil && duplicatesChanged(prev, obj)
	if rekey {
		if _, err := e.platformObject(ctx, ts, snap, duplicateKeyObject); err != nil {
			return 0, err
		}
	}
	// A time rule that is new or due at another moment reaches the
	// records already there.
	retime := prev != nil && timeRulesChanged(prev, obj)
	// Amounts newly converted (or by another code or date field) are
	// converted on the records already there.
	reconvert := prev != nil && conversionChanged(prev, obj)
	if prev != nil {
		if recompute = changedFormulas(prev, obj); len(recompute) > 0 || revalue || rekey || retime || reconvert {
			if jobs, err = e.platformObject(ctx, ts, snap, jobObject); err != nil {
				return 0, err
			}
		}
	}
	if seal.HasSensitive(obj) {
		if err := e.ensureKeyCheck(ctx, ts, snap, a.TenantID); err != nil {
			return 0, err
		}
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		if err := w.audit(ctx, tx, AuditMetadata, obj, "", doc.Version, metadataChanges(prev, obj, opts)); err != nil {
			return err
		}
		if len(recompute) > 0 {
			if err := e.enqueueFormulaJob(ctx, tx, jobs, a, obj.Name, recompute); err != nil {
				return err
			}
		}
		if revalue {
			if _, err := e.enqueueValueJob(ctx, tx, jobs, a.ID, obj.Name); err != nil {
				return err
			}
		}
		if rekey {
			if _, err := e.enqueueDuplicateJob(ctx, tx, jobs, a.ID, obj.Name); err != nil {
				return err
			}
		}
		if retime {
			if err := e.enqueueTimerJob(ctx, tx, jobs, a.ID, obj.Name); err != nil {
				return err
			}
		}
		if reconvert {
			if err := e.enqueueJob(ctx, tx, jobs, a, JobRecomputeConverted, obj.Name, convertedNames(obj)); err != nil {
				return err
			}
		}
		if prev != nil && (hasMigrations(opts) || len(schema.Diff(prev, obj)) > 0) {
			if err := e.migrate(ctx, tx, w, prev, obj, validator, opts, sensitivityChanged(prev, obj)); err != nil {
				return err
			}
		}
		return tx.SaveObject(ctx, doc, obj)
	})
	if err != nil {
		return 0, saveFailed(obj, err)
	}
	return doc.Version, nil
}

// saveFailed classifies the error of the transaction that saves obj.
func saveFailed(obj *schema.Object, err error) error {
	var ue *store.UniqueError
	var de *schema.DefinitionError
	switch {
	case errors.As(err, &ue):
		return &schema.DefinitionError{Object: obj.Name, Problems: []schema.Problem{{
			Path:    "/properties/" + strings.Join(ue.Fields, ","),
			Message: fmt.Sprintf("stored %s records have duplicate values in %s, so it cannot be unique; make the values unique first", obj.Name, strings.Join(ue.Fields, "+")),
		}}}
	case errors.Is(err, store.ErrConflict):
		return errorOf(ErrConflict, err, "object.changedMeanwhile", obj.Name)
	case errors.As(err, &de):
		return err
	}
	return fmt.Errorf("save object %q: %w", obj.Name, err)
}

// startRollups computes the roll-up fields obj adds or changes from the
// records already there.
func (e *Engine) startRollups(ctx context.Context, snap *snapshot, prev, obj *schema.Object) error {
	for _, f := range obj.Fields {
		var before *schema.Field
		if prev != nil {
			before = prev.Field(f.Name)
		}
		if f.Rollup == nil || before != nil && reflect.DeepEqual(before.Rollup, f.Rollup) || snap.catalog.Object(f.Rollup.Object) == nil {
			continue // unchanged, or over an object not saved yet (no records to sum)
		}
		if _, err := e.RebuildRollup(ctx, obj.Name, f.Name); err != nil {
			return fmt.Errorf("object %q is saved, but computing its roll-up %s failed (run rebuildRollup again): %w", obj.Name, f.Name, err)
		}
	}
	return nil
}

// ObjectHistory returns every version of an object definition, oldest
// first.
func (e *Engine) ObjectHistory(ctx context.Context, name string) ([]ObjectInfo, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	ts := sc.ts
	if isPlatformName(name) {
		return nil, errorOf(ErrNotFound, nil, "object.notFound", name)
	}
	docs, err := ts.ObjectHistory(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read history of object %q: %w", name, err)
	}
	if len(docs) == 0 {
		return nil, errorOf(ErrNotFound, nil, "object.notFound", name)
	}
	out := make([]ObjectInfo, 0, len(docs))
	for _, d := range docs {
		if d.Deleted {
			continue
		}
		info, err := docInfo(d)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

func (e *Engine) info(ctx context.Context, ts store.TenantStore, name string) (*ObjectInfo, error) {
	d, err := ts.Object(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read object %q: %w", name, err)
	}
	info, err := docInfo(d)
	if err != nil {
		return nil, err
	}
	return &info, nil
}

func docInfo(d store.ObjectDoc) (ObjectInfo, error) {
	obj, err := schema.ParseObject(d.Definition)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("parse stored definition of %q version %d: %w", d.Name, d.Version, err)
	}
	obj.Version = d.Version
	return ObjectInfo{Object: obj, Version: d.Version, SavedAt: d.SavedAt.UTC().Format(schema.DateTimeLayout), SavedBy: d.SavedBy}, nil
}

// checkMigrationOptions refuses options that name fields the change does
// not have.
func checkMigrationOptions(prev, obj *schema.Object, opts SaveOptions) []schema.Problem {
	var problems []schema.Problem
	for _, name := range slices.Sorted(maps.Keys(opts.Fill)) {
		if obj.Field(name) == nil {
			problems = append(problems, schema.Problem{Path: "options/fill/" + name, Message: fmt.Sprintf("%q is not a field of the new definition", name)})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Remap)) {
		if f := obj.Field(name); f != nil && f.Type == schema.TypeText {
			continue // any text (a user field turned back into text); the new definition checks each record
		}
		f := obj.Field(name)
		if f != nil && f.Type == schema.TypeUser {
			continue // its new values are users (see userRemaps)
		}
		if f == nil || (f.Type != schema.TypePicklist && f.Type != schema.TypeMultiPicklist) {
			problems = append(problems, schema.Problem{Path: "options/remap/" + name, Message: fmt.Sprintf("%q is not a picklist, user or text field of the new definition", name)})
			continue
		}
		for _, old := range slices.Sorted(maps.Keys(opts.Remap[name])) {
			if to := opts.Remap[name][old]; to != "" && !slices.Contains(f.Options, to) {
				problems = append(problems, schema.Problem{Path: "options/remap/" + name + "/" + old,
					Message: fmt.Sprintf("%q is not an option of %s in the new definition (%s); remap to one of them, or to \"\" to clear", to, name, strings.Join(f.Options, ", "))})
			}
		}
	}
	for _, name := range opts.Clear {
		if obj.Field(name) == nil && (prev == nil || prev.Field(name) == nil) {
			problems = append(problems, schema.Problem{Path: "options/clear", Message: fmt.Sprintf("%q is not a field of the object", name)})
		}
	}
	if prev == nil && (len(opts.Fill) > 0 || len(opts.Remap) > 0 || len(opts.Clear) > 0) {
		problems = append(problems, schema.Problem{Path: "options", Message: "a new object has no stored records to migrate"})
	}
	return problems
}

// migrate applies the options to every stored record of the object and
// checks each against the new definition. Records that change are written
// (in tx); if any record would not fit, it returns a DefinitionError that
// counts the failures per field and reason, and tx is rolled back.
// Each record that changes is audited as an update (its values at
// creation are rebuilt from its later entries: creationValues).
func (e *Engine) migrate(ctx context.Context, tx store.Tx, w *writer, prev, obj *schema.Object, v *schema.Validator, opts SaveOptions, rewrite bool) error {
	snap, a := w.snap, w.actor
	type failure struct {
		count   int
		example string
		fe      schema.FieldError
	}
	failures := map[string]*failure{} // by field + code
	users := snap.newUserConversion(prev, obj)
	var after *store.Position
	for {
		page, err := tx.Find(ctx, prev, store.Query{Limit: 500, After: after})
		if err != nil {
			return fmt.Errorf("read %s records to migrate: %w", obj.Name, err)
		}
		for _, r := range page.Records {
			data := applyMigration(r.Data, opts)
			unmatched := users.convert(r.ID, data)
			if err := v.Validate(data); err != nil || len(unmatched) > 0 {
				var ve *schema.ValidationError
				if err != nil && !errors.As(err, &ve) {
					return fmt.Errorf("check %s record %q against the new definition: %w", obj.Name, r.ID, err)
				}
				for _, fe := range validationFields(ve) {
					if unmatched[fe.Field] {
						continue // counted per value by users
					}
					key := fe.Field + "\x00" + fe.Code
					f := failures[key]
					if f == nil {
						f = &failure{example: r.ID, fe: fe}
						failures[key] = f
					}
					f.count++
				}
				continue
			}
			data = schema.Normalize(obj, data)
			if len(failures) > 0 || users.failed() > 0 || !rewrite && reflect.DeepEqual(data, r.Data) {
				continue
			}
			next := r
			next.Data, next.Version, next.UpdatedAt, next.UpdatedBy = data, r.Version+1, e.stamp(), a.ID
			if err := tx.Update(ctx, obj, next, r.Version); err != nil {
				return fmt.Errorf("migrate %s record %q: %w", obj.Name, r.ID, err)
			}
			if changes := auditChanges(obj, r.Data, next.Data); len(changes) > 0 {
				if err := w.audit(ctx, tx, AuditUpdate, obj, r.ID, next.Version, changes); err != nil {
					return err
				}
			}
		}
		if !page.HasMore || len(page.Records) == 0 {
			break
		}
		last := page.Records[len(page.Records)-1]
		after = &store.Position{ID: last.ID}
	}
	if len(failures) == 0 && users.failed() == 0 {
		return nil
	}
	keys := slices.Sorted(maps.Keys(failures))
	problems := make([]schema.Problem, 0, len(keys))
	problems = append(problems, users.problems()...)
	for _, k := range keys {
		f := failures[k]
		top, _, _ := strings.Cut(f.fe.Field, ".")
		problems = append(problems, schema.Problem{
			Path: "/properties/" + top,
			Message: fmt.Sprintf("%d stored record(s) would not fit the new definition (%s: %s; e.g. record %s): migrate them with options fill, remap or clear, or keep the old rule",
				f.count, f.fe.Field, f.fe.Message, f.example),
			Migration: &schema.Migration{Field: f.fe.Field, Code: f.fe.Code, Records: f.count, Example: f.example, Reason: f.fe.Message, ReasonZh: f.fe.MessageZh},
		})
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Path < problems[j].Path })
	return &schema.DefinitionError{Object: obj.Name, Problems: problems}
}

// validationFields are the field errors of ve; none for nil.
func validationFields(ve *schema.ValidationError) []schema.FieldError {
	if ve == nil {
		return nil
	}
	return ve.Fields
}

// applyMigration returns data with the options applied.
func applyMigration(data map[string]any, opts SaveOptions) map[string]any {
	out := maps.Clone(data)
	for _, name := range opts.Clear {
		delete(out, name)
	}
	for name, m := range opts.Remap {
		switch v := out[name].(type) {
		case string:
			if nv, ok := m[v]; ok {
				if nv == "" {
					delete(out, name)
				} else {
					out[name] = nv
				}
			}
		case []any:
			var next []any
			for _, el := range v {
				s, _ := el.(string)
				if nv, ok := m[s]; ok {
					if nv != "" {
						next = append(next, nv)
					}
					continue
				}
				next = append(next, el)
			}
			out[name] = next
		}
	}
	for name, val := range opts.Fill {
		if cur, ok := out[name]; !ok || cur == nil || cur == "" {
			out[name] = val
		}
	}
	return out
}

// metadataChanges is what the audit trail records of a definition change:
// the fields added and removed, the kinds of change schema.Diff finds, and
// the migrations applied.
func metadataChanges(prev, obj *schema.Object, opts SaveOptions) map[string]any {
	names := func(o *schema.Object) []any {
		var out []any
		if o != nil {
			for _, f := range o.Fields {
				out = append(out, f.Name)
			}
		}
		return out
	}
	out := map[string]any{}
	var prevVersion any
	next := 1.0
	if prev != nil {
		prevVersion = float64(prev.Version)
		next = float64(prev.Version + 1)
	}
	change := func(old, new any) map[string]any { return map[string]any{"old": old, "new": new} }
	out["version"] = change(prevVersion, next)
	if oldNames, newNames := names(prev), names(obj); !reflect.DeepEqual(oldNames, newNames) {
		out["fields"] = change(oldNames, newNames)
	}
	if prev != nil {
		var changes []any
		for _, c := range schema.Diff(prev, obj) {
			changes = append(changes, c.Field+": "+c.Message)
		}
		if len(changes) > 0 {
			out["risky"] = change(nil, changes)
		}
	}
	if len(opts.Fill)+len(opts.Remap)+len(opts.Clear) > 0 {
		b, _ := json.Marshal(opts)
		var m any
		_ = json.Unmarshal(b, &m)
		out["migration"] = change(nil, m)
	}
	return out
}

// sensitivityChanged reports whether a field's encryption changed, so that
// every stored record must be rewritten.
func sensitivityChanged(prev, obj *schema.Object) bool {
	for _, c := range schema.Diff(prev, obj) {
		if c.Kind == schema.ChangeSensitivity {
			return true
		}
	}
	return false
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
