package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/spreadsheet"
)

// Imports keeps the rows of uploaded files and hands out what import
// jobs did; *engine.Engine implements it.
type Imports interface {
	KeepImportUpload(ctx context.Context, up engine.ImportUpload) (engine.ImportUpload, error)
	SuggestImportColumns(ctx context.Context, object string, header []string) ([]importvalue.Column, error)
	DescribeImportUpload(ctx context.Context, id, object string) (*engine.ImportUploadInfo, error)
	ImportResult(ctx context.Context, jobID string) (*engine.ImportResult, error)
}

// UploadLimit bounds an uploaded import file, the body of /imports/upload.
var UploadLimit = int(spreadsheet.DefaultLimits.Bytes)

// importRoutes serves POST /imports/upload (a CSV or .xlsx file, read
// once and kept for its uploader) and GET /imports/:job/rejects.csv (the
// rejected rows of an import job with their problems).
func (s *Server) importRoutes() {
	s.app.Post("/imports/upload", s.authenticate(false), s.upload)
	s.app.Get("/imports/:job/rejects.csv", s.authenticate(false), s.rejects)
}

// upload reads the file of a multipart form's "file" field, or the body
// with the file's name in ?name=, and keeps its rows. ?sheet= names a
// workbook's sheet; ?object= asks for the suggested mapping of the
// columns to that object's fields. The answer is engine.ImportUploadInfo.
func (s *Server) upload(c *fiber.Ctx) error {
	name, body := c.Query("name"), io.Reader(nil)
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		fh, err := c.FormFile("file")
		if err != nil {
			return badUpload(c, say(c, "upload.noFile"))
		}
		f, err := fh.Open()
		if err != nil {
			return badUpload(c, say(c, "upload.noFile"))
		}
		defer f.Close()
		name, body = fh.Filename, f
	} else if len(c.Body()) > 0 && name != "" {
		body = bytes.NewReader(c.Body())
	}
	if body == nil {
		return badUpload(c, say(c, "upload.noFile"))
	}
	table, err := spreadsheet.Read(body, spreadsheet.Options{Sheet: c.Query("sheet")})
	if err != nil {
		var se *spreadsheet.Error
		if errors.As(err, &se) {
			return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{
				"error": readProblem(c, se), "code": engine.CodeBadRequest, "reason": se.Code,
				"line": se.Line, "column": se.Column, "limit": se.Limit,
			})
		}
		return err
	}
	up := engine.ImportUpload{FileName: filepath.Base(name), Format: table.Format, Encoding: table.Encoding, Sheet: table.Sheet, Sheets: table.Sheets,
		Table: engine.ImportTable{Header: table.Header, Rows: make([]engine.ImportRow, len(table.Rows))}}
	if table.Delimiter != 0 {
		up.Delimiter = string(table.Delimiter)
	}
	for i, r := range table.Rows {
		up.Table.Rows[i] = engine.ImportRow{Line: r.Line, Cells: r.Cells}
	}
	if object := c.Query("object"); object != "" {
		// An object the caller cannot import into is refused before the
		// rows are kept.
		if _, err := s.cfg.Imports.SuggestImportColumns(c.UserContext(), object, table.Header); err != nil {
			return err
		}
	}
	kept, err := s.cfg.Imports.KeepImportUpload(c.UserContext(), up)
	if err != nil {
		return err
	}
	info, err := s.cfg.Imports.DescribeImportUpload(c.UserContext(), kept.ID, c.Query("object"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(info)
}

// readProblem words why a file could not be read, naming the line,
// column and bound to blame.
func readProblem(c *fiber.Ctx, e *spreadsheet.Error) string {
	switch e.Code {
	case spreadsheet.CodeTooLarge:
		return say(c, "upload.tooLarge", e.Limit>>20)
	case spreadsheet.CodeTooManyRows:
		return say(c, "upload.tooManyRows", e.Limit)
	case spreadsheet.CodeTooManyColumns:
		return say(c, "upload.tooManyColumns", e.Line, e.Limit)
	case spreadsheet.CodeCellTooLong:
		return say(c, "upload.cellTooLong", e.Line, e.Column, e.Limit)
	case spreadsheet.CodeEmpty:
		return say(c, "upload.empty")
	case spreadsheet.CodeNoData:
		return say(c, "upload.noData")
	case spreadsheet.CodeOldExcel:
		return say(c, "upload.oldExcel")
	case spreadsheet.CodeNoSheet:
		return say(c, "upload.noSheet", e.Sheet)
	}
	return say(c, "upload.malformed", e.Line)
}

func badUpload(c *fiber.Ctx, msg string) error {
	return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": msg, "code": engine.CodeBadRequest})
}

// rejects answers the rejected rows of an import job as CSV in UTF-8
// with a byte order mark, problems in the request's language.
func (s *Server) rejects(c *fiber.Ctx) error {
	res, err := s.cfg.Imports.ImportResult(c.UserContext(), c.Params("job"))
	if err != nil {
		return err
	}
	if res.Report == nil {
		return c.Status(fiber.StatusNotFound).JSON(fiber.Map{"error": say(c, "import.noResult", res.Job.ID), "code": engine.CodeNotFound})
	}
	var b bytes.Buffer
	if err := engine.WriteRejects(&b, res.Header, res.Report.Rejected, langOf(c)); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+res.Object+`-rejects-`+res.Job.ID+`.csv"`)
	return c.Send(b.Bytes())
}

// bodyLimit refuses, with 413 and without reading it, a body over its
// route's limit: the upload's (UploadLimit and the form around the file)
// on /imports/upload when imports are served, the server's on every
// other route. Bodies come as a stream past the server's limit
// (StreamRequestBody): one with a length is judged by it; one sent in
// chunks is read up to the limit and no further. A request with a
// streamed body that ends in an error closes its connection.
func (s *Server) bodyLimit(c *fiber.Ctx) error {
	limit := s.cfg.BodyLimit
	if s.cfg.Imports != nil && c.Path() == "/imports/upload" {
		limit = UploadLimit + 1<<20
	}
	upload := s.cfg.Files != nil && c.Path() == "/files" && c.Method() == fiber.MethodPost
	if upload {
		limit = s.fileLimit() // streamed to the engine, which bounds each file while it reads
	}
	tooLarge := func() error {
		c.Context().SetConnectionClose() // the rest of the body stays unread
		return c.Status(fiber.StatusRequestEntityTooLarge).JSON(fiber.Map{"error": say(c, "server.bodyTooLarge", limit), "code": engine.CodeBadRequest})
	}
	req := c.Request()
	n := req.Header.ContentLength()
	switch {
	case n > limit:
		return tooLarge()
	case n < 0 && req.IsBodyStream() && !upload:
		body, err := io.ReadAll(io.LimitReader(req.BodyStream(), int64(limit)+1))
		if err != nil {
			return fmt.Errorf("read request body: %w", err)
		}
		if len(body) > limit {
			return tooLarge()
		}
		req.SetBodyRaw(body)
	}
	err := c.Next()
	if req.IsBodyStream() && (err != nil || c.Response().StatusCode() >= fiber.StatusBadRequest) {
		// A refusal (401 before the body, say) may leave a streamed body
		// unread: what follows on the connection is not the next request.
		c.Context().SetConnectionClose()
	}
	return err
}
