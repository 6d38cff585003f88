package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/spreadsheet"
	"github.com/crmkit/crm/store"
)

// Exports writes a list's records as rows people read; *engine.Engine
// implements it.
type Exports interface {
	ExportRecords(ctx context.Context, object string, q engine.ExportQuery, start func(engine.ExportHeader) error, row func([]any) error) error
}

// exportRoutes serves GET /exports/:object: the records of a list (a
// saved view, a filter, an order, columns) as CSV or an Excel workbook.
func (s *Server) exportRoutes() {
	s.app.Get("/exports/:object", s.authenticate(false), s.export)
}

// export writes the file to a temporary file first, so that a refusal
// (too many records, a column the caller may not read) is an error
// answer rather than a cut file, and no list is held in memory; the
// file goes when it has been sent.
//
//	?format=csv|xlsx (default xlsx) &view=V &filter=<store filter JSON>
//	&sort=field,-field &columns=a,b &lang=zh|en (default: Accept-Language)
func (s *Server) export(c *fiber.Ctx) error {
	object := c.Params("object")
	format := c.Query("format", "xlsx")
	if format != "csv" && format != "xlsx" {
		return badExport(c, say(c, "export.badFormat", format))
	}
	q := engine.ExportQuery{View: c.Query("view"), Lang: c.Query("lang", langOf(c))}
	if f := c.Query("filter"); f != "" {
		var filter store.Filter
		if err := json.Unmarshal([]byte(f), &filter); err != nil {
			return badExport(c, say(c, "export.badFilter", err.Error()))
		}
		q.Filter = &filter
	}
	for _, s := range splitList(c.Query("sort")) {
		field, desc := strings.CutPrefix(s, "-")
		q.Sort = append(q.Sort, store.Sort{Field: field, Desc: desc})
	}
	q.Columns = splitList(c.Query("columns"))
	tmp, err := os.CreateTemp("", "crm-export-*."+format)
	if err != nil {
		return fmt.Errorf("export %s: %w", object, err)
	}
	file := &tempFile{File: tmp}
	_, err = WriteExport(c.UserContext(), s.cfg.Exports, object, q, format, tmp)
	var size int64
	if err == nil {
		size, err = tmp.Seek(0, 1)
	}
	if err == nil {
		_, err = tmp.Seek(0, 0)
	}
	if err != nil {
		file.Close()
		return err
	}
	contentType := "text/csv; charset=utf-8"
	if format == "xlsx" {
		contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+object+`.`+format+`"`)
	return c.SendStream(file, int(size))
}

// WriteExport writes the records q selects of object to out as a file
// of format ("csv" or "xlsx", a sheet named after the object): the
// header's labels, then a row a record. It returns how many records it
// wrote; on an error out holds a cut file, for the caller to drop.
func WriteExport(ctx context.Context, x Exports, object string, q engine.ExportQuery, format string, out io.Writer) (int64, error) {
	var (
		w    spreadsheet.Writer
		rows int64
		err  error
	)
	err = x.ExportRecords(ctx, object, q, func(h engine.ExportHeader) error {
		if format == "csv" {
			w, err = spreadsheet.NewCSVWriter(out)
		} else {
			w, err = spreadsheet.NewXLSXWriter(out, object)
		}
		if err != nil {
			return err
		}
		labels := make([]any, len(h.Labels))
		for i, l := range h.Labels {
			labels[i] = l
		}
		return w.Write(labels)
	}, func(cells []any) error {
		rows++
		return w.Write(cells)
	})
	if err == nil && w != nil {
		err = w.Close()
	}
	return rows, err
}

// tempFile is a temporary file removed when it is closed (by the server,
// once it is sent).
type tempFile struct{ *os.File }

func (t *tempFile) Close() error {
	err := t.File.Close()
	if rerr := os.Remove(t.Name()); err == nil {
		err = rerr
	}
	return err
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func badExport(c *fiber.Ctx, msg string) error {
	return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": msg, "code": engine.CodeBadRequest})
}
