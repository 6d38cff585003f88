package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
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
	StartExport(ctx context.Context, object string, q engine.ExportQuery, ext string, write engine.ExportWriter) (engine.Job, error)
	ExportResult(ctx context.Context, jobID string) (*engine.ExportResult, error)
}

// exportRoutes serves GET /exports/:object: the records of a list (a
// saved view, a filter, an order, columns) as CSV or an Excel workbook;
// POST /exports/:object, the same as a job (for a large list); GET
// /exports/jobs/:job, the job's progress; and GET /exports/jobs/:job/file,
// its file once done.
func (s *Server) exportRoutes() {
	s.app.Get("/exports/jobs/:job", s.authenticate(false), s.exportJob)
	s.app.Get("/exports/jobs/:job/file", s.authenticate(false), s.exportFile)
	s.app.Get("/exports/:object", s.authenticate(false), s.export)
	s.app.Post("/exports/:object", s.authenticate(false), s.startExport)
}

// exportQuery reads an export's query parameters:
//
//	?format=csv|xlsx (default xlsx) &view=V &filter=<store filter JSON>
//	&sort=field,-field &columns=a,b &lang=zh|en (default: Accept-Language)
//
// problem, when not "", says why they are not a query.
func exportQuery(c *fiber.Ctx) (q engine.ExportQuery, format, problem string) {
	// Copies: the job outlives the request, whose buffers Fiber reuses.
	arg := func(key, def string) string { return strings.Clone(c.Query(key, def)) }
	format = arg("format", "xlsx")
	if format != "csv" && format != "xlsx" {
		return q, "", say(c, "export.badFormat", format)
	}
	q = engine.ExportQuery{View: arg("view", ""), Lang: arg("lang", langOf(c))}
	if f := c.Query("filter"); f != "" {
		var filter store.Filter
		if err := json.Unmarshal([]byte(f), &filter); err != nil {
			return q, "", say(c, "export.badFilter", err.Error())
		}
		q.Filter = &filter
	}
	for _, s := range splitList(arg("sort", "")) {
		field, desc := strings.CutPrefix(s, "-")
		q.Sort = append(q.Sort, store.Sort{Field: field, Desc: desc})
	}
	q.Columns = splitList(arg("columns", ""))
	return q, format, ""
}

// startExport starts an export job with the query parameters of GET
// /exports/:object and answers 202 with the job; refusals (too many
// records, an unknown column) come before any job, as GET's do.
func (s *Server) startExport(c *fiber.Ctx) error {
	object := strings.Clone(c.Params("object"))
	q, format, problem := exportQuery(c)
	if problem != "" {
		return badExport(c, problem)
	}
	job, err := s.cfg.Exports.StartExport(c.UserContext(), object, q, format, func(records engine.ExportRows, out io.Writer) (int64, error) {
		return writeRows(records, object, format, out)
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(exportJobJSON(c, &engine.ExportResult{Job: job, Object: object}))
}

// exportJobJSON is an export job as GET /exports/jobs/:job answers it:
// {job, object, status, done, total, error, file: {name, size, rows, url}}.
func exportJobJSON(c *fiber.Ctx, res *engine.ExportResult) fiber.Map {
	m := fiber.Map{"job": res.Job.ID, "object": res.Object, "status": res.Job.Status, "done": res.Job.Done, "total": res.Job.Total}
	if res.Err != nil {
		m["error"] = engine.PublicMessage(res.Err, langOf(c))
	} else if res.Job.Error != "" {
		m["error"] = res.Job.Error
	}
	if f := res.File; f != nil {
		m["file"] = fiber.Map{"name": f.Name, "size": f.Size, "rows": f.Rows, "url": "/exports/jobs/" + res.Job.ID + "/file"}
	}
	return m
}

// exportJob answers an export job's progress and, once done, its file.
func (s *Server) exportJob(c *fiber.Ctx) error {
	res, err := s.cfg.Exports.ExportResult(c.UserContext(), c.Params("job"))
	if err != nil {
		return err
	}
	return c.JSON(exportJobJSON(c, res))
}

// exportFile sends an export job's file.
func (s *Server) exportFile(c *fiber.Ctx) error {
	res, err := s.cfg.Exports.ExportResult(c.UserContext(), c.Params("job"))
	if err != nil {
		return err
	}
	if res.File == nil {
		return c.Status(fiber.StatusNotFound).JSON(fiber.Map{"error": say(c, "export.noFile", res.Job.ID, int(engine.ExportFileTTL.Hours())), "code": engine.CodeNotFound})
	}
	f, err := os.Open(res.File.Path)
	if err != nil {
		if os.IsNotExist(err) { // swept meanwhile
			return c.Status(fiber.StatusNotFound).JSON(fiber.Map{"error": say(c, "export.noFile", res.Job.ID, int(engine.ExportFileTTL.Hours())), "code": engine.CodeNotFound})
		}
		return fmt.Errorf("export job %s: %w", res.Job.ID, err)
	}
	ext := filepath.Ext(res.File.Name)
	c.Set(fiber.HeaderContentType, contentTypeOf(ext))
	// An ASCII name for old clients, the label's (RFC 6266, 5987) for the rest.
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+res.Object+ext+`"; filename*=UTF-8''`+url.PathEscape(res.File.Name))
	return c.SendStream(f, int(res.File.Size))
}

func contentTypeOf(ext string) string {
	if ext == ".xlsx" {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// export writes the file to a temporary file first, so that a refusal
// (too many records, a column the caller may not read) is an error
// answer rather than a cut file, and no list is held in memory; the
// file goes when it has been sent. Query parameters: see exportQuery.
func (s *Server) export(c *fiber.Ctx) error {
	object := c.Params("object")
	q, format, problem := exportQuery(c)
	if problem != "" {
		return badExport(c, problem)
	}
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
	c.Set(fiber.HeaderContentType, contentTypeOf("."+format))
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+object+`.`+format+`"`)
	return c.SendStream(file, int(size))
}

// WriteExport writes the records q selects of object to out as a file
// of format ("csv" or "xlsx", a sheet named after the object): the
// header's labels, then a row a record. It returns how many records it
// wrote; on an error out holds a cut file, for the caller to drop.
func WriteExport(ctx context.Context, x Exports, object string, q engine.ExportQuery, format string, out io.Writer) (int64, error) {
	return writeRows(func(start func(engine.ExportHeader) error, row func([]any) error) error {
		return x.ExportRecords(ctx, object, q, start, row)
	}, object, format, out)
}

// writeRows writes the rows records gives to out as a file of format.
func writeRows(records engine.ExportRows, object, format string, out io.Writer) (int64, error) {
	var (
		w    spreadsheet.Writer
		rows int64
		err  error
	)
	err = records(func(h engine.ExportHeader) error {
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
