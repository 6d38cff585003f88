package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crmkit/crm/engine"
)

// Files stores, serves and deletes attached files; *engine.Engine
// implements it.
type Files interface {
	Attach(ctx context.Context, up engine.FileUpload) (engine.Attachment, error)
	OpenAttachment(ctx context.Context, id string) (engine.Attachment, io.ReadCloser, error)
	DeleteAttachment(ctx context.Context, id string) error
}

// formOverhead is what the multipart form may add to the file.
const formOverhead = 64 << 10

// fileRoutes serves attached files:
//
//	POST   /files?object=O&record=ID[&field=F]  a multipart form with the file as "file" → 201 the attachment
//	POST   /files?object=O&field=F              the same for a file field of a record not saved yet
//	GET    /files/:id                           the file, always as a download
//	DELETE /files/:id                           → 204
func (s *Server) fileRoutes() {
	s.app.Post("/files", s.authenticate(false), s.uploadFile)
	s.app.Get("/files/:id", s.authenticate(false), s.downloadFile)
	s.app.Delete("/files/:id", s.authenticate(false), s.deleteFile)
}

// attachmentJSON is an attachment as the API answers it.
func attachmentJSON(a engine.Attachment) fiber.Map {
	return fiber.Map{"id": a.ID, "object": a.Object, "record": a.Record, "field": a.Field, "name": a.Name, "size": a.Size,
		"contentType": a.ContentType, "sha256": a.SHA256, "uploader": a.Uploader,
		"createdAt": a.CreatedAt.UTC().Format(time.RFC3339Nano), "url": a.URL()}
}

// uploadFile reads the multipart form as a stream: the parts before the
// one named "file" are skipped (a few KiB at most), the file goes to the
// engine as it arrives, never whole in memory.
func (s *Server) uploadFile(c *fiber.Ctx) error {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return badUpload(c, say(c, "file.noUpload"))
	}
	var body io.Reader
	if req := c.Request(); req.IsBodyStream() {
		body = req.BodyStream()
	} else {
		body = bytes.NewReader(c.Body())
	}
	// The body bounds the file by the server's limit; the engine bounds it
	// by the tenant's and the field's while it reads.
	body = io.LimitReader(body, s.cfg.MaxFileBytes+formOverhead)
	mr := multipart.NewReader(body, params["boundary"])
	var part *multipart.Part
	for skipped := 0; ; skipped++ {
		part, err = mr.NextPart()
		if err != nil || skipped > 20 {
			c.Context().SetConnectionClose()
			return badUpload(c, say(c, "file.noUpload"))
		}
		if part.FormName() != "file" {
			if _, err := io.Copy(io.Discard, io.LimitReader(part, 4<<10)); err != nil {
				c.Context().SetConnectionClose()
				return badUpload(c, say(c, "file.noUpload"))
			}
			continue
		}
		file := &readTracker{r: part}
		up := engine.FileUpload{Object: strings.Clone(c.Query("object")), Record: strings.Clone(c.Query("record")),
			Field: strings.Clone(c.Query("field")), Name: part.FileName(), Body: file}
		at, err := s.cfg.Files.Attach(c.UserContext(), up)
		if err != nil {
			c.Context().SetConnectionClose() // the rest of the body stays unread
			if file.err != nil && engine.CodeOf(err) == engine.CodeInternal {
				return badUpload(c, say(c, "file.noUpload")) // a cut or malformed form
			}
			return err
		}
		// What follows the file (the form's end) is read, so that the
		// connection can serve the next request.
		if _, err := io.Copy(io.Discard, io.LimitReader(body, formOverhead)); err != nil {
			c.Context().SetConnectionClose()
		}
		return c.Status(fiber.StatusCreated).JSON(attachmentJSON(at))
	}
}

// downloadFile sends a file as a download, never for the browser to
// show: Content-Disposition attachment with the name (RFC 6266 and
// 5987: an ASCII fallback and the UTF-8 name), the type sniffed from its
// bytes when it was uploaded, nosniff, and a sandbox policy in case a
// browser renders it anyway.
func (s *Server) downloadFile(c *fiber.Ctx) error {
	at, rc, err := s.cfg.Files.OpenAttachment(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, at.ContentType)
	c.Set(fiber.HeaderContentDisposition, contentDisposition(at.Name))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "sandbox; default-src 'none'")
	c.Set("Cross-Origin-Resource-Policy", "same-origin")
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Set(fiber.HeaderETag, `"`+at.SHA256+`"`)
	return c.SendStream(rc, int(at.Size))
}

// contentDisposition is an attachment's header for a file name: the name
// with non-ASCII and quoting characters replaced for old clients, and the
// exact name percent-encoded in UTF-8 (filename*).
func contentDisposition(name string) string {
	var ascii strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';':
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + extValue(name)
}

// extValue percent-encodes s as RFC 8187 (5987) allows in an ext-value:
// every byte but its attr-chars.
func extValue(s string) string {
	const attrChars = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChars, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func (s *Server) deleteFile(c *fiber.Ctx) error {
	if err := s.cfg.Files.DeleteAttachment(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// fileLimit is the body limit of an upload of files.
func (s *Server) fileLimit() int {
	n := s.cfg.MaxFileBytes + formOverhead
	if n > int64(^uint(0)>>1) {
		return int(^uint(0) >> 1)
	}
	return int(n)
}

// readTracker remembers the error its reader gave, other than io.EOF.
type readTracker struct {
	r   io.Reader
	err error
}

func (t *readTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}
