package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/spreadsheet"
)

// importCSV loads the rows of a CSV or Excel file into records of one
// object of a tenant: columns matched to fields by label or name (or as
// --map says), rows created, updated or upserted a batch at a time with
// every write's checks, rejected rows written to --rejects with their
// problems.
func (m *Main) importCSV(ctx context.Context, args []string) error {
	fs := m.flags("import-csv")
	data := m.dataFlag(fs)
	tenant := fs.String("tenant", "", "tenant id (required)")
	object := fs.String("object", "", "object whose records the rows are (required)")
	file := fs.String("file", "", "CSV (UTF-8, UTF-16 or GB18030) or .xlsx file (required)")
	sheet := fs.String("sheet", "", "the workbook's sheet (default: the first)")
	mode := fs.String("mode", "create", "create, update or upsert")
	matchBy := fs.String("match-by", "", "the unique field rows match records on when updating or upserting (default: a column of record ids)")
	mapping := fs.String("map", "", `columns to fields where the headers do not say: "表头=field,地址城市=address.city,备注=" (empty: leave the column out)`)
	lookupBy := fs.String("lookup-by", "", `how lookup cells find records: "homeStore=code" (default: by id or the target's name)`)
	rejects := fs.String("rejects", "", "write the rejected rows, with their problems, to this CSV file")
	skipAutomations := fs.Bool("skip-automations", false, "write without the object's automations (field actions, webhooks, notifications, time triggers), for a migration of records that went through them elsewhere")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	for _, req := range []struct{ name, v string }{{"--tenant", *tenant}, {"--object", *object}, {"--file", *file}} {
		if req.v == "" {
			return fmt.Errorf("%s is required", req.name)
		}
	}
	if *rejects != "" {
		if _, err := os.Stat(*rejects); err == nil {
			return fmt.Errorf("--rejects %s: the file exists; name a new one", *rejects)
		}
	}
	overrides, err := pairs("--map", *mapping)
	if err != nil {
		return err
	}
	lookups, err := pairs("--lookup-by", *lookupBy)
	if err != nil {
		return err
	}
	f, err := os.Open(*file)
	if err != nil {
		return fmt.Errorf("import-csv: %w", err)
	}
	table, err := spreadsheet.Read(f, spreadsheet.Options{Sheet: *sheet})
	f.Close()
	if err != nil {
		return fmt.Errorf("import-csv %s: %w", *file, err)
	}
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	ctx = engine.WithActor(ctx, engine.Actor{TenantID: *tenant, ID: "system", Admin: true})
	cat, err := eng.Catalog(ctx)
	if err != nil {
		return err
	}
	obj := cat.Object(*object)
	if obj == nil {
		return fmt.Errorf("tenant %q has no object %q", *tenant, *object)
	}
	columns := importvalue.MatchColumns(obj, table.Header)
	if err := override(columns, table.Header, overrides); err != nil {
		return err
	}
	for i, h := range table.Header {
		if columns[i].Field == "" {
			fmt.Fprintf(m.Stderr, "  column %d %q: left out\n", i+1, h)
		} else {
			fmt.Fprintf(m.Stderr, "  column %d %q → %s\n", i+1, h, columns[i].Target())
		}
	}
	in := engine.ImportTable{Header: table.Header, Rows: make([]engine.ImportRow, len(table.Rows))}
	for i, r := range table.Rows {
		in.Rows[i] = engine.ImportRow{Line: r.Line, Cells: r.Cells}
	}
	spec := engine.ImportSpec{Columns: columns, Mode: engine.BulkAction(*mode), MatchBy: *matchBy, LookupBy: lookups, SkipAutomations: *skipAutomations}
	rep, err := eng.ImportRecords(ctx, *object, in, spec, func(done, total int) {
		fmt.Fprintf(m.Stderr, "  rows: %d of %d (%d%%)\n", done, total, done*100/total)
	})
	if rep != nil {
		fmt.Fprintf(m.Stdout, "%s: %d rows read (%s%s), %d created, %d updated, %d rejected\n",
			*file, rep.Rows, table.Format, encodingNote(table), rep.Created, rep.Updated, len(rep.Rejected))
	}
	if err != nil {
		if rep != nil && rep.LastLine > 0 {
			return fmt.Errorf("%w (rows up to line %d are in, except the rejected ones)", err, rep.LastLine)
		}
		return err
	}
	if len(rep.Rejected) == 0 {
		return nil
	}
	for _, r := range rep.Rejected[:min(5, len(rep.Rejected))] {
		fmt.Fprintf(m.Stderr, "  line %d: %s\n", r.Line, engine.RejectProblems(r, "zh"))
	}
	if *rejects == "" {
		return fmt.Errorf("%d rows were rejected; give --rejects FILE to have them with their problems", len(rep.Rejected))
	}
	if err := writeRejects(*rejects, table.Header, rep.Rejected); err != nil {
		return err
	}
	return fmt.Errorf("%d rows were rejected: they are in %s with their problems, to correct and import again", len(rep.Rejected), *rejects)
}

// pairs reads "a=b,c=d" into a map; "a=" maps a to "".
func pairs(flag, s string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, p := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%s: %q is not name=value", flag, p)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

// override applies --map to the matched columns.
func override(columns []importvalue.Column, header []string, overrides map[string]string) error {
	for name, target := range overrides {
		i := indexOf(header, name)
		if i < 0 {
			return fmt.Errorf("--map: the file has no column %q (its columns: %s)", name, strings.Join(header, ", "))
		}
		field, part, _ := strings.Cut(target, ".")
		columns[i] = importvalue.Column{Field: field, Part: part}
	}
	return nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func encodingNote(t *spreadsheet.Table) string {
	if t.Encoding != "" {
		return ", " + t.Encoding
	}
	return ", sheet " + t.Sheet
}

// writeRejects writes the rejected rows to a new file at path (see
// engine.WriteRejects).
func writeRejects(path string, header []string, rows []engine.RejectedRow) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write rejected rows: %w", err)
	}
	if err := engine.WriteRejects(f, header, rows, "zh"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
