package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/server"
	"github.com/crmkit/crm/store"
)

// exportCSV writes the records of a list (a view, or all) of one object
// to a CSV or .xlsx file, with labels as headers and values as people
// read them.
func (m *Main) exportCSV(ctx context.Context, args []string) error {
	fs := m.flags("export-csv")
	data := m.dataFlag(fs)
	tenant := fs.String("tenant", "", "tenant id (required)")
	object := fs.String("object", "", "object whose records to write (required)")
	view := fs.String("view", "", "a saved view: its filter, order and columns")
	columns := fs.String("columns", "", "fields to write, comma-separated (default: the view's, else every field)")
	sort := fs.String("sort", "", "field to order by, -field for descending (default: the view's)")
	lang := fs.String("lang", "zh", "language of headers and labels: zh or en")
	out := fs.String("out", "", "file to write: .csv (UTF-8 with BOM) or .xlsx (required)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	for _, req := range []struct{ name, v string }{{"--tenant", *tenant}, {"--object", *object}, {"--out", *out}} {
		if req.v == "" {
			return fmt.Errorf("%s is required", req.name)
		}
	}
	format := strings.ToLower(filepath.Ext(*out))
	if format != ".csv" && format != ".xlsx" {
		return fmt.Errorf("--out must end in .csv or .xlsx, got %q", *out)
	}
	q := engine.ExportQuery{View: *view, Lang: *lang}
	if *columns != "" {
		for _, c := range strings.Split(*columns, ",") {
			q.Columns = append(q.Columns, strings.TrimSpace(c))
		}
	}
	if *sort != "" {
		field, desc := strings.CutPrefix(*sort, "-")
		q.Sort = []store.Sort{{Field: field, Desc: desc}}
	}
	st, eng, err := m.open(*data, m.quietLogger())
	if err != nil {
		return err
	}
	defer st.Close()
	ctx = engine.WithActor(ctx, engine.Actor{TenantID: *tenant, ID: "system", Admin: true})
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export-csv: %w", err)
	}
	rows, err := server.WriteExport(ctx, eng, *object, q, strings.TrimPrefix(format, "."), f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return err
	}
	fmt.Fprintf(m.Stdout, "%s: %d %s records\n", *out, rows, *object)
	return nil
}
