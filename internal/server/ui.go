package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
)

// The web app is a single-page app built by Vite: index.html, which
// names the current build's files, and content-hashed files under
// /assets/. index.html is revalidated on every load (no-cache, with an
// ETag), so a new build is picked up at once; the hashed files never
// change and are cached for a year. Any other GET path is a route of the
// app (/o/account/123) and gets index.html; a missing file under
// /assets/ is a 404, never index.html, so a stale page fails loudly
// instead of running HTML as a script.

// contentSecurityPolicy allows the app's own scripts, styles, images,
// fonts and requests only. Ant Design injects style elements at run
// time, hence 'unsafe-inline' for styles (not scripts).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// Cache lifetimes.
const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

// compressible are the extensions of files worth gzipping.
var compressible = map[string]bool{".js": true, ".mjs": true, ".css": true, ".html": true, ".svg": true, ".json": true, ".map": true, ".txt": true}

// webApp serves the built app from an fs.FS.
type webApp struct {
	fsys      fs.FS
	index     []byte
	indexETag string
	gz        sync.Map // file name → gzipped content ([]byte)
}

func newWebApp(fsys fs.FS) (*webApp, error) {
	index, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		return nil, fmt.Errorf("server: the web app has no index.html: %w", err)
	}
	sum := sha256.Sum256(index)
	return &webApp{fsys: fsys, index: index, indexETag: `"` + hex.EncodeToString(sum[:8]) + `"`}, nil
}

// reserved are the paths of the API: an unknown GET below them is a 404,
// not the app.
func reserved(p string) bool {
	return p == "/graphql" || strings.HasPrefix(p, "/graphql/") || strings.HasPrefix(p, "/auth/") || p == "/auth" ||
		p == "/healthz" || strings.HasPrefix(p, "/healthz/")
}

// serve answers GET and HEAD for the app; other methods go on to Fiber's
// 404 and 405.
func (w *webApp) serve(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return c.Next()
	}
	p := path.Clean("/" + c.Path())
	if reserved(p) {
		return fiber.ErrNotFound
	}
	securityHeaders(c, p)
	name := strings.TrimPrefix(p, "/")
	if p == "/assets" || strings.HasPrefix(p, "/assets/") {
		body, ok := w.file(name)
		if !ok {
			c.Set(fiber.HeaderCacheControl, cacheRevalidate)
			return c.Status(fiber.StatusNotFound).JSON(fiber.Map{"error": "no such file: " + p})
		}
		c.Set(fiber.HeaderCacheControl, cacheImmutable)
		return w.send(c, name, body)
	}
	if name != "" && name != "index.html" {
		if body, ok := w.file(name); ok { // favicon.ico, robots.txt: not hashed
			c.Set(fiber.HeaderCacheControl, cacheRevalidate)
			return w.send(c, name, body)
		}
	}
	// index.html, for the app's own routes too.
	c.Set(fiber.HeaderCacheControl, cacheRevalidate)
	c.Set(fiber.HeaderETag, w.indexETag)
	if c.Get(fiber.HeaderIfNoneMatch) == w.indexETag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return w.send(c, "index.html", w.index)
}

// file reads a regular file of the app; ok is false when there is none.
func (w *webApp) file(name string) ([]byte, bool) {
	if !fs.ValidPath(name) {
		return nil, false
	}
	st, err := fs.Stat(w.fsys, name)
	if err != nil || !st.Mode().IsRegular() {
		return nil, false
	}
	b, err := fs.ReadFile(w.fsys, name)
	return b, err == nil
}

// send writes a file with its type, gzipped (once, then kept) when the
// client accepts it and the type is worth it.
func (w *webApp) send(c *fiber.Ctx, name string, body []byte) error {
	ext := path.Ext(name)
	ctype := utils.GetMIME(ext)
	if strings.HasPrefix(ctype, "text/") || ext == ".js" || ext == ".mjs" || ext == ".json" || ext == ".svg" {
		ctype += "; charset=utf-8"
	}
	c.Set(fiber.HeaderContentType, ctype)
	if !compressible[ext] {
		return c.Send(body)
	}
	c.Vary(fiber.HeaderAcceptEncoding)
	if !acceptsGzip(c.Get(fiber.HeaderAcceptEncoding)) {
		return c.Send(body)
	}
	gz, err := w.gzipped(name, body)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentEncoding, "gzip")
	return c.Send(gz)
}

func (w *webApp) gzipped(name string, body []byte) ([]byte, error) {
	if v, ok := w.gz.Load(name); ok {
		return v.([]byte), nil
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(body); err != nil {
		return nil, errors.Join(fmt.Errorf("gzip %s: %w", name, err), zw.Close())
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip %s: %w", name, err)
	}
	v, _ := w.gz.LoadOrStore(name, buf.Bytes())
	return v.([]byte), nil
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) listed and not
// refused with q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		return !(q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000")
	}
	return false
}

// securityHeaders are set on every response of the app: nosniff and the
// referrer policy always, the content security policy and the framing
// refusal on every response that a browser could show as a page. Scripts
// and style sheets (which nosniff keeps from being read as anything else)
// do without those two: a browser applies them only to documents, and
// leaving them off saves about 270 bytes on each of the first page's
// files.
func securityHeaders(c *fiber.Ctx, p string) {
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	if ext := path.Ext(p); strings.HasPrefix(p, "/assets/") && (ext == ".js" || ext == ".css") {
		return
	}
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set(fiber.HeaderXFrameOptions, "DENY")
}
