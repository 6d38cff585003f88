package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// maxLookupMatches bounds the records one batch's cells of one lookup
// may find: cells that name more are not names of records, and the
// import is refused with a request to find them by a unique field.
const maxLookupMatches = 5000

// pendingRow is a row of a batch as it is read and resolved.
type pendingRow struct {
	row      ImportRow
	id       string         // the id column's cell
	data     map[string]any // the values read
	lookups  map[string][]string
	problems []schema.FieldError
}

// batch reads, resolves and writes one batch of rows, adding what became
// of them to rep. A dry run writes them too, where the store can roll
// the writes back (rowImport.checksOnly unset), in a transaction that is
// rolled back: the rows are rejected or counted valid exactly as the run
// would, as far as this batch goes (see landed for what earlier batches
// would have changed).
func (im *rowImport) batch(ctx context.Context, rows []ImportRow, rep *ImportReport) error {
	if im.spec.DryRun && im.checksOnly {
		return im.checkBatch(ctx, rows, rep)
	}
	items, err := im.prepare(ctx, rows, true)
	if err != nil {
		return err
	}
	if im.spec.DryRun {
		im.clashes(items)
	}
	var (
		writes []BulkWrite
		index  []int
	)
	for i, it := range items {
		if len(it.problems) > 0 {
			continue
		}
		writes = append(writes, BulkWrite{Action: im.spec.Mode, ID: it.id, Data: it.data})
		index = append(index, i)
	}
	if len(writes) > 0 {
		opts := BulkOptions{SkipAutomations: im.spec.SkipAutomations, dryRun: im.spec.DryRun}
		if im.spec.Mode == BulkUpsert {
			opts.By = im.spec.MatchBy
		}
		wctx, notes := withDuplicateNotes(ctx)
		results, err := im.e.WriteRecords(wctx, im.obj.Name, writes, opts)
		if errors.Is(err, errNoDryRun) {
			// Isolated, but without savepoints: the checks alone.
			im.checksOnly = true
			return im.checkBatch(ctx, rows, rep)
		}
		if err != nil {
			return err
		}
		for j, res := range results {
			it := items[index[j]]
			if res.Outcome == OutcomeCreated || res.Outcome == OutcomeUpdated {
				rep.Notes = append(rep.Notes, duplicateImportNotes(im.obj, it.row.Line, notes[res.ID])...)
			}
			switch {
			case res.Outcome == OutcomeCreated || res.Outcome == OutcomeUpdated:
				if im.spec.DryRun {
					rep.Valid++
					im.land(it)
				} else if res.Outcome == OutcomeCreated {
					rep.Created++
				} else {
					rep.Updated++
				}
			default:
				it.problems = im.writeProblems(res.Err)
			}
		}
	}
	rep.addRejected(items)
	return nil
}

// checkBatch is a dry run's batch where the store cannot roll writes
// back: every row is read, resolved and checked as a create checks it
// (an update's own checks need its record and are left to the run), and
// nothing is written.
func (im *rowImport) checkBatch(ctx context.Context, rows []ImportRow, rep *ImportReport) error {
	items, err := im.prepare(ctx, rows, false)
	if err != nil {
		return err
	}
	for _, it := range items {
		if len(it.problems) == 0 {
			im.clashes([]*pendingRow{it}) // the rows before it in the batch too
		}
		if len(it.problems) == 0 {
			rep.Valid++
			im.land(it)
		}
	}
	rep.addRejected(items)
	return nil
}

// rowKey names the record a row writes, for landed: the record an
// update or upsert matches (by the MatchBy value or the id column), or
// the row itself for a create.
func (im *rowImport) rowKey(it *pendingRow) string {
	if im.spec.Mode != BulkCreate {
		if im.spec.MatchBy != "" {
			if v, ok := schema.Normalize(im.obj, map[string]any{im.spec.MatchBy: it.data[im.spec.MatchBy]})[im.spec.MatchBy]; ok {
				return fmt.Sprintf("key:%v", v)
			}
		} else if it.id != "" {
			return "id:" + it.id
		}
	}
	return fmt.Sprintf("line:%d", it.row.Line)
}

// land remembers, in a dry run, the unique values of a row that would
// land, with the record it writes: a dry run's batches are rolled back,
// so a later batch would not meet them in the store as the run does.
func (im *rowImport) land(it *pendingRow) {
	data := schema.Normalize(im.obj, it.data)
	key := im.rowKey(it)
	for _, f := range im.obj.Fields {
		v, ok := data[f.Name]
		if !f.Unique || !ok || v == nil {
			continue
		}
		if im.landed == nil {
			im.landed = map[string]map[any]string{}
		}
		if im.landed[f.Name] == nil {
			im.landed[f.Name] = map[any]string{}
		}
		if _, taken := im.landed[f.Name][v]; !taken {
			im.landed[f.Name][v] = key
		}
	}
}

// clashes rejects, in a dry run, the rows of a batch that repeat a
// unique value an earlier row that would land holds, for another
// record: the run would refuse them as it refuses any taken value
// (worded as the write's own error).
func (im *rowImport) clashes(items []*pendingRow) {
	if len(im.landed) == 0 {
		return
	}
	op := "create"
	if im.spec.Mode != BulkCreate {
		op = "update"
	}
	for _, it := range items {
		if len(it.problems) > 0 {
			continue
		}
		data := schema.Normalize(im.obj, it.data)
		key := im.rowKey(it)
		for _, f := range im.obj.Fields {
			v, ok := data[f.Name]
			if !f.Unique || !ok || v == nil {
				continue
			}
			if holder, taken := im.landed[f.Name][v]; taken && holder != key {
				_, err := im.w.answer(im.obj, op, store.Record{}, &store.UniqueError{Object: im.obj.Name, Fields: []string{f.Name}})
				it.problems = append(it.problems, im.writeProblems(err)...)
			}
		}
	}
}

// addRejected adds the rows of a batch that have problems to rep.
func (rep *ImportReport) addRejected(items []*pendingRow) {
	for _, it := range items {
		if len(it.problems) > 0 {
			rep.Rejected = append(rep.Rejected, RejectedRow{Line: it.row.Line, Cells: it.row.Cells, Problems: it.problems})
		}
	}
}

// prepare reads a batch of rows and resolves their lookups (and, for an
// update by a unique field, their records). A new row is checked as its
// create would check it: when onlyRejected is set only the rows already
// rejected are (their write would say the rest), else every one.
func (im *rowImport) prepare(ctx context.Context, rows []ImportRow, onlyRejected bool) ([]*pendingRow, error) {
	items := make([]*pendingRow, len(rows))
	for i, r := range rows {
		items[i] = im.read(r)
	}
	if err := im.resolveLookups(ctx, items); err != nil {
		return nil, err
	}
	if im.spec.Mode == BulkUpdate && im.spec.MatchBy != "" {
		if err := im.matchRecords(ctx, items); err != nil {
			return nil, err
		}
	}
	if im.spec.Mode == BulkCreate {
		im.checkNewRows(ctx, items, onlyRejected)
	}
	return items, nil
}

// read reads a row's cells as values of their columns' fields.
func (im *rowImport) read(r ImportRow) *pendingRow {
	it := &pendingRow{row: r, data: map[string]any{}, lookups: map[string][]string{}}
	zone := im.w.snap.zone()
	parts := map[string]map[string]any{}
	for i, c := range im.spec.Columns {
		if c.Field == "" || i >= len(r.Cells) {
			continue
		}
		cell := strings.TrimSpace(r.Cells[i])
		switch {
		case c.Field == ImportIDColumn && c.Part == "":
			it.id = cell
			continue
		case c.Part != "":
			if cell != "" {
				if parts[c.Field] == nil {
					parts[c.Field] = map[string]any{}
				}
				parts[c.Field][c.Part] = cell
			}
			continue
		}
		f := im.obj.Field(c.Field)
		if f.Kind() == schema.KindLookup || f.Kind() == schema.KindLookupList {
			v, _ := importvalue.Parse(f, cell, zone) // text, or texts: no problem
			switch v := v.(type) {
			case string:
				it.lookups[f.Name] = []string{v}
			case []any:
				for _, s := range v {
					it.lookups[f.Name] = append(it.lookups[f.Name], s.(string))
				}
			}
			continue
		}
		v, p := importvalue.Parse(f, cell, zone)
		switch {
		case p != nil:
			it.problems = append(it.problems, cellProblem(im.header[i], f, p))
		case v != nil:
			it.data[f.Name] = v
		}
	}
	for field, ps := range parts {
		addr, _ := it.data[field].(map[string]any)
		if addr == nil {
			addr = map[string]any{}
		}
		for k, v := range ps {
			addr[k] = v // a part's own column wins over the whole address's
		}
		it.data[field] = addr
	}
	return it
}

// checkNewRows adds to new rows (those already rejected, with
// onlyRejected) what their write's checks would also say (a required
// field left empty, a value out of range), so that a row comes back with
// every problem at once. Nothing is written.
func (im *rowImport) checkNewRows(ctx context.Context, items []*pendingRow, onlyRejected bool) {
	for _, it := range items {
		if onlyRejected && len(it.problems) == 0 {
			continue
		}
		_, err := im.w.checkNew(ctx, im.w.ts, im.obj, it.data)
		if err == nil {
			continue
		}
		have := map[string]bool{}
		for _, p := range it.problems {
			have[p.Field] = true
		}
		for _, p := range im.writeProblems(err) {
			if !have[p.Field] {
				it.problems = append(it.problems, p)
			}
		}
	}
}

// cellProblem words why a cell is not a value of f.
func cellProblem(column string, f *schema.Field, p *importvalue.Problem) schema.FieldError {
	switch p.Code {
	case importvalue.NotNumber:
		return fieldError(column, p.Code, "import.notNumber", p.Text)
	case importvalue.NotInteger:
		return fieldError(column, p.Code, "import.notInteger", p.Text)
	case importvalue.NotBoolean:
		return fieldError(column, p.Code, "import.notBoolean", p.Text)
	case importvalue.NotDate:
		return fieldError(column, p.Code, "import.notDate", p.Text)
	case importvalue.NotDateTime:
		return fieldError(column, p.Code, "import.notDateTime", p.Text)
	case importvalue.NoOption:
		return fieldError(column, p.Code, "import.noOption", p.Text, optionList(f))
	}
	return fieldError(column, p.Code, "import.notJSON", p.Text)
}

// optionList lists a picklist's options as people know them.
func optionList(f *schema.Field) string {
	names := make([]string, 0, len(f.Options))
	for _, o := range f.Options {
		if l := f.OptionLabels[o]; l.Zh != "" {
			names = append(names, l.Zh+"/"+o)
		} else {
			names = append(names, o)
		}
	}
	return strings.Join(names, ", ")
}

// resolveLookups finds the records the lookup cells name, and puts their
// ids in the rows' data.
func (im *rowImport) resolveLookups(ctx context.Context, items []*pendingRow) error {
	for field, key := range im.lookups {
		var texts []string
		seen := map[string]bool{}
		for _, it := range items {
			for _, t := range it.lookups[field] {
				if !seen[t] {
					seen[t] = true
					texts = append(texts, t)
				}
			}
		}
		if len(texts) == 0 {
			continue
		}
		found, ambiguous, err := im.findRecords(ctx, field, key, texts)
		if err != nil {
			return err
		}
		f := im.obj.Field(field)
		column := im.columnOf(field)
		for _, it := range items {
			var ids []any
			for _, t := range it.lookups[field] {
				switch {
				case ambiguous[t]:
					it.problems = append(it.problems, fieldError(column, "lookup", "import.lookupAmbiguous", t, key.target.Name, labelZh(key.target)))
				case found[t] == "":
					it.problems = append(it.problems, fieldError(column, "lookup", "import.lookupMissing", t, key.target.Name, labelZh(key.target)))
				default:
					ids = append(ids, found[t])
				}
			}
			switch {
			case len(ids) == 0:
			case f.Kind() == schema.KindLookup:
				it.data[field] = ids[0]
			default:
				it.data[field] = ids
			}
		}
	}
	return nil
}

// findRecords finds, among the records of key's target the actor sees,
// those whose id, or whose key field, is one of texts: the id of each
// text found, and the texts that name several records.
func (im *rowImport) findRecords(ctx context.Context, field string, key lookupKey, texts []string) (map[string]string, map[string]bool, error) {
	ts, rules := im.w.ts, im.w.snap.readRules(im.w.actor, key.target)
	found, ambiguous := map[string]string{}, map[string]bool{}
	byID, err := ts.GetMany(ctx, key.target, texts)
	if err != nil {
		return nil, nil, queryFailed(key.target, err)
	}
	for _, r := range byID {
		if rules.Sees(&r) {
			found[r.ID] = r.ID
		}
	}
	var rest []any
	for _, t := range texts {
		if found[t] == "" {
			rest = append(rest, t)
		}
	}
	if key.by == "" || len(rest) == 0 {
		return found, ambiguous, nil
	}
	match := store.Leaf(key.by, store.OpIn, rest)
	page, err := ts.Find(ctx, key.target, store.Query{Filter: rules.Scope(&match), Limit: maxLookupMatches})
	if err != nil {
		return nil, nil, queryFailed(key.target, err)
	}
	if page.HasMore {
		return nil, nil, errorOf(ErrBadRequest, nil, "import.lookupNotSelective", field, key.by, maxLookupMatches)
	}
	for _, r := range page.Records {
		v, _ := r.Data[key.by].(string)
		switch prev := found[v]; {
		case prev == "":
			found[v] = r.ID
		case prev != r.ID:
			ambiguous[v] = true
		}
	}
	return found, ambiguous, nil
}

// matchRecords finds the records update rows name by the MatchBy field.
func (im *rowImport) matchRecords(ctx context.Context, items []*pendingRow) error {
	by := im.spec.MatchBy
	var values []any
	for _, it := range items {
		if v, ok := schema.Normalize(im.obj, map[string]any{by: it.data[by]})[by]; ok && v != nil && len(it.problems) == 0 {
			values = append(values, v)
		}
	}
	ids := map[any]string{}
	if len(values) > 0 {
		match := store.Leaf(by, store.OpIn, values)
		rules := im.w.snap.readRules(im.w.actor, im.obj)
		page, err := im.w.ts.Find(ctx, im.obj, store.Query{Filter: rules.Scope(&match), Limit: len(values) + 1})
		if err != nil {
			return queryFailed(im.obj, err)
		}
		for _, r := range page.Records {
			ids[r.Data[by]] = r.ID
		}
	}
	column := im.columnOf(by)
	for _, it := range items {
		if len(it.problems) > 0 {
			continue
		}
		v := schema.Normalize(im.obj, map[string]any{by: it.data[by]})[by]
		if it.id = ids[v]; it.id == "" {
			text, _ := it.data[by].(string)
			it.problems = append(it.problems, fieldError(column, "notFound", "import.noMatch", im.obj.Name, text, labelZh(im.obj)))
		}
	}
	return nil
}

// columnOf names what problems with field are reported under: the
// header of the column mapped to it, or the field's name.
func (im *rowImport) columnOf(field string) string {
	for i, c := range im.spec.Columns {
		if c.Field == field && c.Part == "" && i < len(im.header) {
			return im.header[i]
		}
	}
	return field
}

// writeProblems turns the error of a row's write into its problems, with
// fields named by their columns.
func (im *rowImport) writeProblems(err error) []schema.FieldError {
	var ve *schema.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		out := make([]schema.FieldError, len(ve.Fields))
		for i, fe := range ve.Fields {
			base, part, dotted := strings.Cut(fe.Field, ".")
			fe.Field = im.columnOf(base)
			if dotted {
				fe.Field = im.partColumn(base, part, fe.Field)
			}
			out[i] = fe
		}
		return out
	}
	return []schema.FieldError{{Field: "", Code: string(CodeOf(err)), Message: PublicMessage(err, "en"), MessageZh: PublicMessage(err, "zh")}}
}

// partColumn names the column of an address part, or else.
func (im *rowImport) partColumn(field, part, orElse string) string {
	for i, c := range im.spec.Columns {
		if c.Field == field && c.Part == part && i < len(im.header) {
			return im.header[i]
		}
	}
	return orElse
}
