package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// CreateRecord validates input against the object's current definition,
// checks that its lookups point at existing records, fills autonumbers and
// defaults, runs the object's automations and stores the record. Every
// problem with the input is reported at once in a *schema.ValidationError.
func (e *Engine) CreateRecord(ctx context.Context, object string, input map[string]any) (store.Record, error) {
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return store.Record{}, err
	}
	if err := w.snap.mayDo(w.actor, obj, "create"); err != nil {
		return store.Record{}, err
	}
	data, err := w.checkNew(ctx, w.ts, obj, input)
	if err != nil {
		return store.Record{}, err
	}
	// Normalised here, off the tenant's one writer goroutine (as bulk
	// creates' checks do); each run of the transaction gets its own copy.
	data = schema.Normalize(obj, data)
	// Encoded into the store's form here too when nothing on the writer's
	// path fills a value before the insert (an autonumber); an automation
	// whose field actions change the record has createNormal encode it
	// again, and a sensitive record is encoded when it is sealed.
	var encoded any
	if encodeAhead(obj) {
		encoded = store.EncodeData(w.ts, obj, data)
	}
	var rec store.Record
	err = w.ts.WithTx(ctx, func(tx store.Tx) error {
		rec, err = w.createNormal(ctx, tx, obj, maps.Clone(data), encoded)
		if err == nil {
			rec, err = w.settled(ctx, tx, obj, rec)
		}
		return err
	})
	return w.answer(obj, "create", rec, err)
}

// recordWriter resolves the caller's scope and object and prepares the
// writer of a record write.
func (e *Engine) recordWriter(ctx context.Context, object string) (*writer, *schema.Object, error) {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return nil, nil, err
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return nil, nil, err
	}
	return w, sc.obj, nil
}

// checkNew runs the checks of a new record's input that need no
// transaction (the actor's field rules, defaults, beforeSave scripts,
// formulas, validation) and returns the data to insert. r reads the
// lookups that an invalid input names, to report them too.
func (w *writer) checkNew(ctx context.Context, r store.Reader, obj *schema.Object, input map[string]any) (map[string]any, error) {
	input = maps.Clone(input)
	forbidden := w.snap.writeProblems(w.actor, obj, input)
	data, err := w.prepare(ctx, obj, input)
	if err = withProblems(obj, err, forbidden); err != nil {
		return nil, withLookupProblems(ctx, r, w, obj, input, nil, err)
	}
	return data, nil
}

// insertChecked stores a record whose input passed checkNew, in tx, and
// returns it as committed.
func (w *writer) insertChecked(ctx context.Context, tx store.Tx, obj *schema.Object, data map[string]any) (store.Record, error) {
	rec, err := w.create(ctx, tx, obj, data)
	if err != nil {
		return store.Record{}, err
	}
	return w.settled(ctx, tx, obj, rec)
}

// answer is what a record write gives its caller: the record as the
// actor may see it, or the write's error classified (op names the
// write: create, update, delete).
func (w *writer) answer(obj *schema.Object, op string, rec store.Record, err error) (store.Record, error) {
	if err != nil {
		return store.Record{}, w.snap.vagueUnique(w.actor, obj, writeFailed(obj, op, err))
	}
	return w.snap.readRules(w.actor, obj).ShowOne(rec), nil
}

// settled is committed for a record the writer just created or updated
// in obj, without reading it back when nothing that ran after its write
// can have changed it: no object of the tenant has scripts or
// automations that run (writer.quiet, as bulk creates answer), or obj
// itself has none and no roll-up sums it (the write then changes no
// other record that has any). Its write stored exactly rec (its data
// normalised, its times to the microsecond), which the store gives back
// unchanged (TestEngine_WritesAnswerAsStored). The read-back was about a
// tenth of the CPU of a create on the tenant's one writer.
func (w *writer) settled(ctx context.Context, tx store.Tx, obj *schema.Object, rec store.Record) (store.Record, error) {
	if w.asWritten(obj) {
		return rec, nil
	}
	return committed(ctx, tx, obj, rec)
}

// asWritten reports whether obj's writes leave their record as written
// (settled), worked out once a writer.
func (w *writer) asWritten(obj *schema.Object) bool {
	if v, ok := w.written[obj]; ok {
		return v
	}
	v := w.quiet() || len(obj.Automations) == 0 && len(obj.Scripts) == 0 && len(rollupsOver(w.snap.catalog, obj.Name)) == 0
	if w.written == nil {
		w.written = map[*schema.Object]bool{}
	}
	w.written[obj] = v
	return v
}

// committed returns rec as its transaction leaves it: the write's own
// afterSave scripts, automations and roll-ups may have changed it again,
// and a write answers with what was committed. A record that its own
// script deleted is answered as the write left it.
func committed(ctx context.Context, tx store.Tx, obj *schema.Object, rec store.Record) (store.Record, error) {
	got, err := tx.Get(ctx, obj, rec.ID)
	if errors.Is(err, store.ErrNotFound) {
		return rec, nil
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("read back %s record %q: %w", obj.Name, rec.ID, err)
	}
	return got, nil
}

// withLookupProblems adds to a validation error the lookups of data that
// name no record, so that one answer names every failing field (the
// lookups are otherwise checked only once the rest is valid). Other
// errors are returned as they are.
func withLookupProblems(ctx context.Context, r store.Reader, w *writer, obj *schema.Object, data, old map[string]any, err error) error {
	var ve *schema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	reported := map[string]bool{}
	for _, f := range ve.Fields {
		reported[f.Field] = true
	}
	unreported := map[string]any{}
	for k, v := range data {
		if !reported[k] {
			unreported[k] = v
		}
	}
	lerr := checkLookups(ctx, r, w, obj, unreported, old, len(automationChain(ctx)) > 0)
	var le *schema.ValidationError
	if lerr == nil {
		return err
	}
	if !errors.As(lerr, &le) {
		return lerr
	}
	return &schema.ValidationError{Object: obj.Name, Fields: sortFieldErrors(obj, append(append([]schema.FieldError(nil), ve.Fields...), le.Fields...))}
}

// withProblems adds the problems found before a write's checks to the
// error of those checks, so that one error names them all.
func withProblems(obj *schema.Object, err error, problems []schema.FieldError) error {
	if len(problems) == 0 {
		return err
	}
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		return obj.Invalid(sortFieldErrors(obj, append(problems, ve.Fields...)))
	}
	if err != nil {
		return err
	}
	return obj.Invalid(problems)
}

// UpdateRecord applies a patch to a record: keys present are set, a null
// clears the field, keys absent are kept. When version is not nil it must
// equal the stored version, else a CONFLICT error. The whole record after
// the patch is validated. A patch that changes nothing writes nothing.
func (e *Engine) UpdateRecord(ctx context.Context, object, id string, patch map[string]any, version *int64) (store.Record, error) {
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return store.Record{}, err
	}
	if err := w.snap.mayDo(w.actor, obj, "update"); err != nil {
		return store.Record{}, err
	}
	var out store.Record
	err = w.ts.WithTx(ctx, func(tx store.Tx) error {
		out, err = w.patchRecord(ctx, tx, obj, id, patch, version)
		return err
	})
	if err == nil {
		w.dropDeadBlobs(ctx) // files taken out of file fields
	}
	return w.answer(obj, "update", out, err)
}

// patchRecord applies a patch to the record id in tx, as UpdateRecord
// describes, and returns the record as committed.
func (w *writer) patchRecord(ctx context.Context, tx store.Tx, obj *schema.Object, id string, patch map[string]any, version *int64) (store.Record, error) {
	cur, err := changeable(ctx, tx, w.snap, w.actor, obj, id)
	if err != nil {
		return store.Record{}, err
	}
	if version != nil && *version != cur.Version {
		return store.Record{}, staleVersion(obj, id, *version, cur.Version)
	}
	return w.patchCurrent(ctx, tx, obj, cur, patch)
}

// patchCurrent applies a patch to cur, a record the actor may change that
// tx has just read, and returns the record as committed.
func (w *writer) patchCurrent(ctx context.Context, tx store.Tx, obj *schema.Object, cur store.Record, patch map[string]any) (store.Record, error) {
	patch = maps.Clone(patch)
	forbidden := w.snap.writeProblems(w.actor, obj, patch)
	out, err := w.update(ctx, tx, obj, cur, w.snap.readRules(w.actor, obj).KeepMasked(patch, &cur))
	if err = withProblems(obj, err, forbidden); err != nil {
		return store.Record{}, err
	}
	return w.settled(ctx, tx, obj, out)
}

// DeleteRecord deletes a record. Optional lookups that refer to it are
// cleared in the same transaction (multilookups lose the id); a required
// lookup that refers to it makes the delete fail with a CONFLICT error that
// says which records hold on to it.
func (e *Engine) DeleteRecord(ctx context.Context, object, id string) error {
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return err
	}
	if err := w.snap.mayDo(w.actor, obj, "delete"); err != nil {
		return err
	}
	err = w.ts.WithTx(ctx, func(tx store.Tx) error {
		return w.eraseRecord(ctx, tx, obj, id, nil)
	})
	if err == nil {
		w.dropDeadBlobs(ctx) // with the recycle bin off
	}
	_, err = w.answer(obj, "delete", store.Record{}, err)
	return err
}

// eraseRecord deletes the record id, which the actor must be allowed to
// change, in tx; version, when not nil, must be the stored one.
func (w *writer) eraseRecord(ctx context.Context, tx store.Tx, obj *schema.Object, id string, version *int64) error {
	cur, err := changeable(ctx, tx, w.snap, w.actor, obj, id)
	if err != nil {
		return err
	}
	if version != nil && *version != cur.Version {
		return staleVersion(obj, id, *version, cur.Version)
	}
	return w.remove(ctx, tx, obj, id)
}

// releaseReferences clears src.f where it refers to the record being
// deleted, or refuses when f is required; cleared is told each record
// whose field it cleared.
func (w *writer) releaseReferences(ctx context.Context, tx store.Tx, src *schema.Object, f *schema.Field, target *schema.Object, id string, cleared func(recordID string)) error {
	ref := store.Leaf(f.Name, store.OpEq, id)
	n, err := tx.Count(ctx, src, &ref)
	if err != nil {
		return fmt.Errorf("count %s records referring to %s %q: %w", src.Name, target.Name, id, err)
	}
	if n == 0 {
		return nil
	}
	if f.Required {
		zh, en := fieldLabels(f)
		return errorOf(ErrConflict, nil, "record.stillRequired", n, labelEn(src), labelEn(target), en, labelZh(src), labelZh(target), zh)
	}
	for {
		// Each pass updates the first page; the updated records stop
		// matching, so the next pass sees the rest.
		page, err := tx.Find(ctx, src, store.Query{Filter: &ref, Limit: 500})
		if err != nil {
			return fmt.Errorf("find %s records referring to %s %q: %w", src.Name, target.Name, id, err)
		}
		for _, r := range page.Records {
			next := r
			next.Data = maps.Clone(r.Data)
			if f.Kind() == schema.KindLookup {
				delete(next.Data, f.Name)
			} else {
				next.Data[f.Name] = without(r.Data[f.Name], id)
			}
			next.Version, next.UpdatedAt, next.UpdatedBy = r.Version+1, w.e.stamp(), w.actor.ID
			if err := tx.Update(ctx, src, next, r.Version); err != nil {
				return fmt.Errorf("clear %s.%s of record %q: %w", src.Name, f.Name, r.ID, err)
			}
			// Audited like any change: a record's values at creation are
			// rebuilt from its later entries (creationValues).
			if err := w.audit(ctx, tx, AuditUpdate, src, r.ID, next.Version, auditChanges(src, r.Data, next.Data)); err != nil {
				return err
			}
			cleared(r.ID)
		}
		if !page.HasMore {
			return nil
		}
	}
}

func without(v any, id string) any {
	arr, _ := v.([]any)
	out := make([]any, 0, len(arr))
	for _, el := range arr {
		if el != id {
			out = append(out, el)
		}
	}
	return out
}

// changeable reads a record the actor is about to change: NOT_FOUND when
// there is none or the actor does not see it, FORBIDDEN when the object's
// sharing does not let the actor change it.
func changeable(ctx context.Context, tx store.Tx, snap *snapshot, a Actor, obj *schema.Object, id string) (store.Record, error) {
	cur, err := tx.Get(ctx, obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Record{}, notFound(obj, id, err)
	}
	if err != nil {
		return store.Record{}, err
	}
	if err := snap.mayChange(a, obj, &cur); err != nil {
		return store.Record{}, err
	}
	return cur, nil
}

// writeScope resolves what every write needs: the caller's scope and the
// object.
func (e *Engine) writeScope(ctx context.Context, object string) (objectScope, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return objectScope{}, err
	}
	obj, err := objectIn(sc.snap.catalog, object)
	if err != nil {
		return objectScope{}, err
	}
	return objectScope{scope: sc, obj: obj}, nil
}

// validate checks data with the object's validator and merges earlier
// problems into one error that lists them in field order.
func (e *Engine) validate(snap *snapshot, obj *schema.Object, data map[string]any, problems []schema.FieldError) error {
	err := snap.validators[obj.Name].Validate(data)
	var ve *schema.ValidationError
	switch {
	case err == nil && len(problems) == 0:
		return nil
	case err == nil:
		return obj.Invalid(problems)
	case errors.As(err, &ve):
		return obj.Invalid(sortFieldErrors(obj, distinct(append(problems, ve.Fields...))))
	}
	return fmt.Errorf("validate %s record: %w", obj.Name, err)
}

// distinct drops the field errors that repeat an earlier one's field and
// code.
func distinct(errs []schema.FieldError) []schema.FieldError {
	type key struct{ field, code string }
	seen := make(map[key]bool, len(errs))
	out := make([]schema.FieldError, 0, len(errs))
	for _, e := range errs {
		k := key{e.Field, e.Code}
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// takeReadOnly removes the fields clients may not set from data and
// reports each.
func takeReadOnly(obj *schema.Object, data map[string]any) []schema.FieldError {
	var out []schema.FieldError
	for _, f := range obj.Fields {
		if _, set := data[f.Name]; set && f.ReadOnly() {
			delete(data, f.Name)
			out = append(out, fieldError(f.Name, "readOnly", "field.readOnly"))
		}
	}
	return out
}

func sortFieldErrors(obj *schema.Object, errs []schema.FieldError) []schema.FieldError {
	pos := func(name string) int {
		top, _, _ := strings.Cut(name, ".")
		for i, f := range obj.Fields {
			if f.Name == top {
				return i
			}
		}
		return len(obj.Fields)
	}
	out := append([]schema.FieldError(nil), errs...)
	for i := 1; i < len(out); i++ { // insertion sort: stable, short lists
		for j := i; j > 0 && pos(out[j].Field) < pos(out[j-1].Field); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// checkLookups verifies that every lookup value of data that differs from
// old (nil for a new record) names an existing record of the target object
// and, unless system is set (automations run in system context), one that
// the writer sees: a record out of its sight reads as missing.
func checkLookups(ctx context.Context, tx store.Reader, w *writer, obj *schema.Object, data, old map[string]any, system bool) error {
	cat := w.snap.catalog
	var problems []schema.FieldError
	for _, f := range obj.Fields {
		kind := f.Kind()
		if kind != schema.KindLookup && kind != schema.KindLookupList {
			continue
		}
		v, set := data[f.Name]
		if !set || (old != nil && reflect.DeepEqual(v, old[f.Name])) {
			continue
		}
		ids := lookupIDs(v)
		if len(ids) == 0 {
			continue
		}
		target := cat.Object(f.Target)
		if target == nil {
			problems = append(problems, fieldError(f.Name, "lookup", "field.lookupUnknownObject", f.Target))
			continue
		}
		found, err := w.lookupRecords(ctx, tx, target, ids)
		if err != nil {
			return fmt.Errorf("check %s.%s references: %w", obj.Name, f.Name, err)
		}
		have := make(map[string]bool, len(found))
		if !system {
			found = w.snap.readRules(w.actor, target).Show(found)
		}
		for _, r := range found {
			have[r.ID] = true
		}
		for _, id := range ids {
			if !have[id] {
				problems = append(problems, fieldError(f.Name, "lookup", "field.lookupNotFound", target.Name, id, labelZh(target)))
				break
			}
		}
	}
	if len(problems) > 0 {
		return obj.Invalid(problems)
	}
	return nil
}

func lookupIDs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		ids := make([]string, 0, len(x))
		for _, el := range x {
			if s, ok := el.(string); ok {
				ids = append(ids, s)
			}
		}
		return ids
	}
	return nil
}

var autoNumberDigits = regexp.MustCompile(`\{(0+)\}`)

// formatAutoNumber renders n into a pattern such as "CASE-{0000}"
// (CASE-0042). Numbers wider than the pattern are not cut.
func formatAutoNumber(pattern string, n int64) string {
	return autoNumberDigits.ReplaceAllStringFunc(pattern, func(m string) string {
		width := len(m) - 2
		s := strconv.FormatInt(n, 10)
		if len(s) < width {
			s = strings.Repeat("0", width-len(s)) + s
		}
		return s
	})
}

func staleVersion(obj *schema.Object, id string, sent, stored int64) error {
	return errorOf(ErrConflict, nil, "record.versionConflict", obj.Name, id, sent, stored, labelZh(obj))
}

// writeFailed classifies the error of a write transaction.
func writeFailed(obj *schema.Object, op string, err error) error {
	var ue *store.UniqueError
	var ve *schema.ValidationError
	var ee *Error
	switch {
	case errors.As(err, &ve), errors.As(err, &ee):
		return err
	case errors.As(err, &ue):
		fields := make([]schema.FieldError, len(ue.Fields))
		for i, f := range ue.Fields {
			f = strings.TrimPrefix(f, schema.SearchField("")) // the hash of a sensitive field stands for it
			fields[i] = fieldError(f, "unique", "field.unique")
		}
		return obj.Invalid(fields)
	case errors.Is(err, store.ErrConflict):
		return errorOf(ErrConflict, err, "record.changedMeanwhile", obj.Name, labelZh(obj))
	}
	return fmt.Errorf("%s %s record: %w", op, obj.Name, err)
}
