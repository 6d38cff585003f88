package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm/engine/sniff"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Attachments: files attached to records, either to the record as a whole
// (its 附件) or as the value of one of its file fields. A file is kept as
// an opaque blob of the tenant's store (store.Blobs: files in the data
// directory, GridFS on MongoDB) and described by a record of the platform
// object crmAttachment: the object and record it belongs to, the field
// ("" for the record's general attachments), its name (sanitised), size,
// the content type sniffed from its first bytes (never the client's
// claim), its SHA-256, its blob's key and its uploader.
//
// The blob is written first, streamed with the size limit enforced while
// reading, then the description in a transaction; a failed transaction
// leaves a blob nobody names, which the sweep removes (sweepFiles).
//
// Who may do what follows the record: reading the record (and the field,
// for a field's file) lets one list and download its files; changing it
// lets one attach and delete. A file uploaded for a file field before the
// record is saved ("pending": no record yet) belongs to its uploader until
// a write of the record puts its id in the field; pending files nobody
// claimed within PendingFileTTL are swept.
//
// Lifecycle: a record deleted to the recycle bin keeps its files (a
// restore brings them back); purging the bin's entry, a delete with the
// bin off and personal-data erasure delete them with their blobs. A
// tenant export carries the blobs (transfer.go).

const attachmentObject = "crmAttachment"

// Bounds of attachments.
const (
	// DefaultMaxFileBytes bounds one file when neither the server
	// (Config.MaxFileBytes) nor the tenant says otherwise.
	DefaultMaxFileBytes = 20 << 20
	// MaxAttachments bounds the files of one record (general attachments
	// and fields' files together).
	MaxAttachments = 500
	// MaxFileNameBytes bounds a file's name, in bytes of UTF-8.
	MaxFileNameBytes = 255
	// PendingFileTTL is how long a file uploaded for a field waits for
	// the record write that takes it.
	PendingFileTTL = 24 * time.Hour
	// orphanBlobAge is how old a blob no attachment names must be before
	// the sweep removes it: an upload writes its blob before its
	// description.
	orphanBlobAge = time.Hour
	// sniffLen is how many leading bytes decide the content type.
	sniffLen = 512
)

// Attachment describes one attached file.
type Attachment struct {
	ID     string `json:"id"`
	Object string `json:"object"`
	// Record is the record the file belongs to; "" while a file uploaded
	// for a field waits for the record's write.
	Record string `json:"record"`
	// Field is the file field holding it; "" for a general attachment.
	Field       string    `json:"field"`
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	ContentType string    `json:"contentType"`
	SHA256      string    `json:"sha256"`
	Uploader    string    `json:"uploader"`
	CreatedAt   time.Time `json:"createdAt"`
	blob        string
}

// URL is where the file is downloaded (the HTTP edge serves it).
func (a Attachment) URL() string { return "/files/" + a.ID }

// FileUpload is a file to attach: to a record (Record set; Field "" for a
// general attachment), or, with Field set and Record "", for a file field
// of a record not saved yet.
type FileUpload struct {
	Object, Record, Field string
	// Name is the client's file name; only its last path element is kept,
	// cleaned (SanitizeFileName).
	Name string
	Body io.Reader
}

func attachmentOf(r store.Record) Attachment {
	a := Attachment{ID: r.ID, CreatedAt: r.CreatedAt}
	a.Object, _ = r.Data["object"].(string)
	a.Record, _ = r.Data["record"].(string)
	a.Field, _ = r.Data["field"].(string)
	a.Name, _ = r.Data["name"].(string)
	a.Size = int64(number(r.Data["size"]))
	a.ContentType, _ = r.Data["contentType"].(string)
	a.SHA256, _ = r.Data["sha256"].(string)
	a.Uploader, _ = r.Data["uploader"].(string)
	a.blob, _ = r.Data["blob"].(string)
	return a
}

// blobStore finds the blobs of a tenant's store, through the engine's
// wrapping of it.
func blobStore(ts store.TenantStore) (store.Blobs, bool) {
	if w, ok := ts.(interface{ Blobs() (store.Blobs, bool) }); ok {
		return w.Blobs()
	}
	b, ok := ts.(store.Blobs)
	return b, ok
}

// blobsOf returns the tenant store's blobs; every adapter keeps them.
func blobsOf(ts store.TenantStore) (store.Blobs, error) {
	b, ok := blobStore(ts)
	if !ok {
		return nil, fmt.Errorf("this store keeps no files: %w", store.ErrUnavailable)
	}
	return b, nil
}

// Attach stores a file and attaches it as up says, and returns its
// description. The file is read once, never whole in memory; one over the
// limit (the field's, the tenant's, the server's: the smallest) is refused
// as soon as it passes it, and one whose type the field does not accept
// before anything is stored.
func (e *Engine) Attach(ctx context.Context, up FileUpload) (Attachment, error) {
	sc, err := e.writeScope(ctx, up.Object)
	if err != nil {
		return Attachment{}, err
	}
	a, ts, snap, obj := sc.actor, sc.ts, sc.snap, sc.obj
	var field *schema.Field
	if up.Field != "" {
		field = obj.Field(up.Field)
		if field == nil || field.Type != schema.TypeFile || field.Hidden || snap.readRules(a, obj).Hides(field.Name) {
			return Attachment{}, errorOf(ErrBadRequest, nil, "file.noField", up.Object, up.Field)
		}
		if problems := snap.writeProblems(a, obj, map[string]any{field.Name: nil}); len(problems) > 0 {
			return Attachment{}, obj.Invalid(problems)
		}
	}
	if up.Record == "" && field == nil {
		return Attachment{}, errorOf(ErrBadRequest, nil, "file.noRecord")
	}
	if up.Record != "" {
		if err := snap.mayDo(a, obj, "update"); err != nil {
			return Attachment{}, err
		}
		cur, err := ts.Get(ctx, obj, up.Record)
		if errors.Is(err, store.ErrNotFound) {
			return Attachment{}, notFound(obj, up.Record, err)
		} else if err != nil {
			return Attachment{}, fmt.Errorf("attach to %s %q: %w", obj.Name, up.Record, err)
		}
		if err := snap.mayChange(a, obj, &cur); err != nil {
			return Attachment{}, err
		}
		if field != nil { // a field's file waits for the record's write
			up.Record = ""
		}
	} else if err := snap.mayDo(a, obj, "create"); err != nil {
		if snap.mayDo(a, obj, "update") != nil {
			return Attachment{}, err
		}
	}
	blobs, err := blobsOf(ts)
	if err != nil {
		return Attachment{}, err
	}
	attachments, err := e.platformObject(ctx, ts, snap, attachmentObject)
	if err != nil {
		return Attachment{}, err
	}
	limit, accept, err := e.fileRules(ctx, ts, snap, field)
	if err != nil {
		return Attachment{}, err
	}
	name := SanitizeFileName(up.Name)
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(up.Body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Attachment{}, fmt.Errorf("read file %q: %w", name, err)
	}
	head = head[:n]
	ctype := SniffContentType(head)
	if len(accept) > 0 && !Accepts(accept, name, ctype) {
		return Attachment{}, errorOf(ErrBadRequest, nil, "file.typeRefused", name, ctype, strings.Join(accept, ", "))
	}
	sum := sha256.New()
	body := &limitedReader{r: io.TeeReader(io.MultiReader(bytes.NewReader(head), up.Body), sum), left: limit}
	key := e.newID()
	size, err := blobs.PutBlob(ctx, key, body)
	if errors.Is(err, errFileTooLarge) {
		return Attachment{}, errorOf(ErrBadRequest, nil, "file.tooLarge", name, mib(limit))
	}
	if err != nil {
		return Attachment{}, fmt.Errorf("store file %q: %w", name, err)
	}
	now := e.stamp()
	data := map[string]any{"object": obj.Name, "name": name, "size": float64(size), "contentType": ctype,
		"sha256": hex.EncodeToString(sum.Sum(nil)), "blob": key, "uploader": a.ID}
	if up.Record != "" {
		data["record"] = up.Record
	}
	if field != nil {
		data["field"] = field.Name
	}
	rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: a.ID, UpdatedBy: a.ID, Data: data}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err == nil {
		err = ts.WithTx(ctx, func(tx store.Tx) error {
			if up.Record != "" {
				// The record may have gone, or changed hands, since.
				if _, err := changeable(ctx, tx, snap, a, obj, up.Record); err != nil {
					return err
				}
				held, err := tx.Count(ctx, attachments, ptr(store.Leaf("record", store.OpEq, up.Record)))
				if err != nil {
					return fmt.Errorf("count files of %q: %w", up.Record, err)
				}
				if held >= MaxAttachments {
					return errorOf(ErrBadRequest, nil, "file.tooMany", MaxAttachments)
				}
			}
			if err := tx.Insert(ctx, attachments, rec); err != nil {
				return fmt.Errorf("describe file %q: %w", name, err)
			}
			if up.Record == "" {
				return nil
			}
			return w.audit(ctx, tx, AuditUpdate, obj, up.Record, 0, map[string]any{"attachments": map[string]any{"old": nil, "new": name}})
		})
	}
	if err != nil {
		e.dropBlob(ctx, ts, key)
		return Attachment{}, err
	}
	return attachmentOf(rec), nil
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// fileRules returns the size limit and the accepted types of a file for
// field (nil: a general attachment): the smallest of the server's, the
// tenant's and the field's limits; the field's types, else the tenant's.
func (e *Engine) fileRules(ctx context.Context, r store.Reader, snap *snapshot, field *schema.Field) (int64, []string, error) {
	limit := e.maxFileBytes
	fs, err := fileSettingsIn(ctx, r, snap.platform[settingObject])
	if err != nil {
		return 0, nil, err
	}
	if fs.MaxBytes > 0 && fs.MaxBytes < limit {
		limit = fs.MaxBytes
	}
	accept := fs.Accept
	if field != nil && field.File != nil {
		if field.File.MaxSize > 0 && field.File.MaxSize < limit {
			limit = field.File.MaxSize
		}
		if len(field.File.Accept) > 0 {
			accept = field.File.Accept
		}
	}
	return limit, accept, nil
}

// errFileTooLarge is how limitedReader says a file passed its limit.
var errFileTooLarge = errors.New("file larger than its limit")

// limitedReader yields at most left bytes and fails with errFileTooLarge
// when there are more.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errFileTooLarge
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, errFileTooLarge
	}
	return n, err
}

// SniffContentType is the content type of a file from its first bytes
// (net/http's DetectContentType's algorithm, package sniff), never from
// its name or the client's claim.
func SniffContentType(head []byte) string {
	return sniff.ContentType(head)
}

// extensionTypes are the sniffed types a known extension's files have:
// a ".pdf" must sniff as a PDF, an ".xlsx" as a zip archive. Extensions
// not listed take any sniffed type but HTML.
var extensionTypes = map[string][]string{
	".pdf": {"application/pdf"}, ".png": {"image/png"}, ".jpg": {"image/jpeg"}, ".jpeg": {"image/jpeg"},
	".gif": {"image/gif"}, ".webp": {"image/webp"}, ".bmp": {"image/bmp"}, ".ico": {"image/x-icon"},
	".zip": {"application/zip"}, ".docx": {"application/zip"}, ".xlsx": {"application/zip"}, ".pptx": {"application/zip"},
	".odt": {"application/zip"}, ".ods": {"application/zip"}, ".gz": {"application/x-gzip"}, ".rar": {"application/x-rar-compressed"},
	".txt": {"text/plain"}, ".csv": {"text/plain"}, ".md": {"text/plain"}, ".json": {"text/plain"}, ".log": {"text/plain"},
	".mp3": {"audio/mpeg"}, ".mp4": {"video/mp4"}, ".wav": {"audio/wave"}, ".webm": {"video/webm"}, ".ogg": {"application/ogg"},
	".doc": {"application/octet-stream"}, ".xls": {"application/octet-stream"}, ".ppt": {"application/octet-stream"},
	".html": {"text/html"}, ".htm": {"text/html"}, ".svg": {"text/xml", "text/plain"}, ".xml": {"text/xml", "text/plain"},
}

// Accepts reports whether a file named name whose content sniffed as
// ctype passes an accept list: an extension entry (".pdf") takes files
// with that extension whose content fits it (extensionTypes), a content
// type entry ("image/*", "application/pdf") files whose sniffed type is
// that.
func Accepts(accept []string, name, ctype string) bool {
	base, _, _ := strings.Cut(ctype, ";")
	base = strings.TrimSpace(base)
	ext := strings.ToLower(path.Ext(name))
	for _, a := range accept {
		switch {
		case strings.HasPrefix(a, "."):
			if ext != a {
				continue
			}
			if want, ok := extensionTypes[ext]; ok {
				if slices.Contains(want, base) {
					return true
				}
			} else if base != "text/html" {
				return true
			}
		case strings.HasSuffix(a, "/*"):
			if strings.HasPrefix(base, strings.TrimSuffix(a, "*")) {
				return true
			}
		case a == base:
			return true
		}
	}
	return false
}

// SanitizeFileName makes a client's file name safe to keep and to send
// back in a header: its last path element (either separator), without
// control, format (bidirectional overrides) or reserved characters
// (<>:"/\|?*), without leading dots and surrounding spaces, at most
// MaxFileNameBytes of UTF-8 (the extension kept), "file" when nothing is
// left.
func SanitizeFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			continue
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.TrimLeft(strings.TrimSpace(b.String()), ". ")
	name = strings.TrimRight(name, ". ")
	if len(name) > MaxFileNameBytes {
		ext := path.Ext(name)
		if len(ext) > 20 {
			ext = ""
		}
		stem := name[:len(name)-len(ext)]
		cut := MaxFileNameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(stem[cut]) {
			cut--
		}
		name = strings.TrimRight(stem[:cut], ". ") + ext
	}
	if name == "" {
		return "file"
	}
	return name
}

// visibleAttachment reads attachment id for the actor of sc: NOT_FOUND
// unless the actor may read its record (and its field), or it is a
// pending file of the actor's. It returns the record's object too.
func (e *Engine) visibleAttachment(ctx context.Context, sc scope, id string) (Attachment, *schema.Object, error) {
	nf := errorOf(ErrNotFound, nil, "file.notFound", id)
	attachments := sc.snap.platform[attachmentObject]
	if attachments == nil {
		return Attachment{}, nil, nf
	}
	r, err := sc.ts.Get(ctx, attachments, id)
	if errors.Is(err, store.ErrNotFound) {
		return Attachment{}, nil, nf
	} else if err != nil {
		return Attachment{}, nil, fmt.Errorf("read file %q: %w", id, err)
	}
	at := attachmentOf(r)
	obj := sc.snap.catalog.Object(at.Object)
	if obj == nil || sc.snap.mayDo(sc.actor, obj, "read") != nil {
		return Attachment{}, nil, nf
	}
	rules := sc.snap.readRules(sc.actor, obj)
	if at.Field != "" && rules.Hides(at.Field) {
		return Attachment{}, nil, nf
	}
	if at.Record == "" {
		if at.Uploader != sc.actor.ID {
			return Attachment{}, nil, nf
		}
		return at, obj, nil
	}
	rec, err := sc.ts.Get(ctx, obj, at.Record)
	if errors.Is(err, store.ErrNotFound) {
		return Attachment{}, nil, nf // in the recycle bin, or gone
	} else if err != nil {
		return Attachment{}, nil, fmt.Errorf("read %s %q: %w", obj.Name, at.Record, err)
	}
	if !rules.Sees(&rec) {
		return Attachment{}, nil, nf
	}
	return at, obj, nil
}

// AttachmentInfo returns the description of a file the caller may read.
func (e *Engine) AttachmentInfo(ctx context.Context, id string) (Attachment, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return Attachment{}, err
	}
	at, _, err := e.visibleAttachment(ctx, sc, id)
	return at, err
}

// OpenAttachment returns a file the caller may read, with a reader of
// its bytes that the caller closes.
func (e *Engine) OpenAttachment(ctx context.Context, id string) (Attachment, io.ReadCloser, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return Attachment{}, nil, err
	}
	at, _, err := e.visibleAttachment(ctx, sc, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	blobs, err := blobsOf(sc.ts)
	if err != nil {
		return Attachment{}, nil, err
	}
	rc, _, err := blobs.OpenBlob(ctx, at.blob)
	if errors.Is(err, store.ErrNotFound) {
		return Attachment{}, nil, errorOf(ErrNotFound, err, "file.notFound", id)
	} else if err != nil {
		return Attachment{}, nil, fmt.Errorf("open file %q: %w", id, err)
	}
	return at, rc, nil
}

// Attachments lists a record's files the caller may see, general
// attachments and fields' files, the newest first (at most
// MaxAttachments).
func (e *Engine) Attachments(ctx context.Context, object, id string) ([]Attachment, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	rec, err := sc.ts.Get(ctx, sc.obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(sc.obj, id, err)
	} else if err != nil {
		return nil, fmt.Errorf("read %s %q: %w", object, id, err)
	}
	if !sc.rules.Sees(&rec) {
		return nil, notFound(sc.obj, id, nil)
	}
	attachments := sc.snap.platform[attachmentObject]
	if attachments == nil {
		return []Attachment{}, nil
	}
	page, err := sc.ts.Find(ctx, attachments, store.Query{Filter: ptr(store.Leaf("record", store.OpEq, id)),
		Sort: []store.Sort{{Field: "createdAt", Desc: true}, {Field: "id", Desc: true}}, Limit: MaxAttachments})
	if err != nil {
		return nil, fmt.Errorf("list files of %s %q: %w", object, id, err)
	}
	out := make([]Attachment, 0, len(page.Records))
	for _, r := range page.Records {
		at := attachmentOf(r)
		if at.Object != object || (at.Field != "" && sc.rules.Hides(at.Field)) {
			continue
		}
		out = append(out, at)
	}
	return out, nil
}

// FilesByID returns the files among ids that belong to object and that
// the caller may see, by id: the values of file fields for the API. ids
// of other objects' files, of records the caller does not see and of
// other users' pending files are left out.
func (e *Engine) FilesByID(ctx context.Context, object string, ids []string) (map[string]Attachment, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	out := map[string]Attachment{}
	attachments := sc.snap.platform[attachmentObject]
	if attachments == nil || len(ids) == 0 {
		return out, nil
	}
	recs, err := sc.ts.GetMany(ctx, attachments, ids)
	if err != nil {
		return nil, fmt.Errorf("read %d files: %w", len(ids), err)
	}
	var owners []string
	for _, r := range recs {
		at := attachmentOf(r)
		if at.Object != object || at.Field == "" || sc.rules.Hides(at.Field) {
			continue
		}
		if at.Record == "" && at.Uploader != sc.actor.ID {
			continue
		}
		out[at.ID] = at
		if at.Record != "" {
			owners = append(owners, at.Record)
		}
	}
	if len(owners) == 0 {
		return out, nil
	}
	seen, err := sc.ts.GetMany(ctx, sc.obj, slices.Compact(slices.Sorted(slices.Values(owners))))
	if err != nil {
		return nil, fmt.Errorf("read %d %s records: %w", len(owners), object, err)
	}
	visible := map[string]bool{}
	for i := range seen {
		if sc.rules.Sees(&seen[i]) {
			visible[seen[i].ID] = true
		}
	}
	for id, at := range out {
		if at.Record != "" && !visible[at.Record] {
			delete(out, id)
		}
	}
	return out, nil
}

// DeleteAttachment deletes a file the caller may change the record of: a
// general attachment goes, a field's file is taken out of the field (an
// update of the record, with its checks and automations). Its blob goes
// once the change is committed.
func (e *Engine) DeleteAttachment(ctx context.Context, id string) error {
	sc, err := e.scope(ctx)
	if err != nil {
		return err
	}
	at, obj, err := e.visibleAttachment(ctx, sc, id)
	if err != nil {
		return err
	}
	attachments := sc.snap.platform[attachmentObject]
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return err
	}
	if at.Record != "" {
		if err := sc.snap.mayDo(sc.actor, obj, "update"); err != nil {
			return err
		}
	}
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		if at.Record == "" { // the uploader's pending file
			w.deadBlobs = append(w.deadBlobs, at.blob)
			return tx.Delete(ctx, attachments, at.ID)
		}
		cur, err := changeable(ctx, tx, sc.snap, sc.actor, obj, at.Record)
		if err != nil {
			return err
		}
		if at.Field != "" {
			if f := obj.Field(at.Field); f != nil && slices.Contains(FileIDs(cur.Data[f.Name]), at.ID) {
				var next any
				if f.Kind() == schema.KindStringList {
					next = without(cur.Data[f.Name], at.ID)
				}
				_, err := w.patchCurrent(ctx, tx, obj, cur, map[string]any{f.Name: next})
				return err // the write's claimFiles deletes the file
			}
		}
		w.deadBlobs = append(w.deadBlobs, at.blob)
		if err := tx.Delete(ctx, attachments, at.ID); err != nil {
			return fmt.Errorf("delete file %q: %w", at.ID, err)
		}
		return w.audit(ctx, tx, AuditUpdate, obj, at.Record, 0, map[string]any{"attachments": map[string]any{"old": at.Name, "new": nil}})
	})
	if err != nil {
		return writeFailed(obj, "update", err)
	}
	w.dropDeadBlobs(ctx)
	return nil
}

// FileIDs reads a file field's value: one id or a list of them.
func FileIDs(v any) []string {
	switch v := v.(type) {
	case string:
		if v != "" {
			return []string{v}
		}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	}
	return nil
}

// claimFiles keeps a record's file fields and its files in step, in the
// write's transaction: every id a file field holds must name a file of
// that field that is the record's or a pending one of the writer's (then
// the record takes it); files the write took out of a field are deleted.
// Problems are validation errors on the field.
func (w *writer) claimFiles(ctx context.Context, tx store.Tx, obj *schema.Object, recID string, old, data map[string]any) error {
	var fields []*schema.Field
	for _, f := range obj.Fields {
		if f.Type == schema.TypeFile {
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	var attachments *schema.Object
	var problems []schema.FieldError
	for _, f := range fields {
		was, now := FileIDs(old[f.Name]), FileIDs(data[f.Name])
		if slices.Equal(was, now) {
			continue
		}
		if attachments == nil {
			var err error
			if attachments, err = w.e.platformObject(ctx, w.ts, w.snap, attachmentObject); err != nil {
				return err
			}
		}
		if len(now) > schema.MaxFilesPerField {
			problems = append(problems, fieldError(f.Name, schema.CodeMaxItems, "file.tooManyInField", schema.MaxFilesPerField))
			continue
		}
		if len(now) > 0 {
			recs, err := tx.GetMany(ctx, attachments, now)
			if err != nil {
				return fmt.Errorf("read files of %s.%s: %w", obj.Name, f.Name, err)
			}
			byID := make(map[string]store.Record, len(recs))
			for _, r := range recs {
				byID[r.ID] = r
			}
			for _, id := range now {
				r, ok := byID[id]
				at := attachmentOf(r)
				mine := ok && at.Object == obj.Name && at.Field == f.Name &&
					(at.Record == recID || (at.Record == "" && at.Uploader == w.actor.ID))
				if !mine {
					problems = append(problems, fieldError(f.Name, "file", "file.notYours", id))
					continue
				}
				if at.Record == "" {
					next := r
					next.Data = cloneData(r.Data)
					next.Data["record"] = recID
					next.Version, next.UpdatedAt, next.UpdatedBy = r.Version+1, w.e.stamp(), w.actor.ID
					if err := tx.Update(ctx, attachments, next, r.Version); err != nil {
						return fmt.Errorf("attach file %q to %q: %w", id, recID, err)
					}
				}
			}
		}
		for _, id := range was {
			if slices.Contains(now, id) {
				continue
			}
			r, err := tx.Get(ctx, attachments, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return fmt.Errorf("read file %q: %w", id, err)
			}
			if at := attachmentOf(r); at.Record != recID || at.Field != f.Name {
				continue
			}
			if err := tx.Delete(ctx, attachments, id); err != nil {
				return fmt.Errorf("delete file %q: %w", id, err)
			}
			w.deadBlobs = append(w.deadBlobs, attachmentOf(r).blob)
		}
	}
	if len(problems) > 0 {
		return obj.Invalid(problems)
	}
	return nil
}

func cloneData(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// forgetFiles deletes, in tx, the files of a record deleted for good; the
// blobs go after the commit (dropDeadBlobs) or with the next sweep.
func (w *writer) forgetFiles(ctx context.Context, tx store.Tx, recID string) error {
	attachments := w.snap.platform[attachmentObject]
	if attachments == nil {
		return nil
	}
	f := store.Leaf("record", store.OpEq, recID)
	for {
		page, err := tx.Find(ctx, attachments, store.Query{Filter: &f, Limit: 500})
		if err != nil {
			return fmt.Errorf("read files of %q: %w", recID, err)
		}
		for _, r := range page.Records {
			if err := tx.Delete(ctx, attachments, r.ID); err != nil {
				return fmt.Errorf("delete file %q of %q: %w", r.ID, recID, err)
			}
			w.deadBlobs = append(w.deadBlobs, attachmentOf(r).blob)
		}
		if !page.HasMore {
			return nil
		}
	}
}

// dropDeadBlobs deletes the blobs of the files the writer's committed
// writes deleted. A failure is left to the sweep.
func (w *writer) dropDeadBlobs(ctx context.Context) {
	for _, key := range w.deadBlobs {
		w.e.dropBlob(ctx, w.ts, key)
	}
	w.deadBlobs = nil
}

func (e *Engine) dropBlob(ctx context.Context, ts store.TenantStore, key string) {
	blobs, ok := blobStore(ts)
	if !ok || key == "" {
		return
	}
	if err := blobs.DeleteBlob(context.WithoutCancel(ctx), key); err != nil && !errors.Is(err, store.ErrNotFound) {
		e.log.Warn("delete a file's blob; the sweep will retry", "blob", key, "err", err)
	}
}

// fileSweepEvery is how often at most the worker sweeps a tenant's files;
// it does so on its visits, hourly at the least (nextDue).
const fileSweepEvery = 10 * time.Minute

// sweepFiles removes, for the worker, a tenant's pending files older than
// PendingFileTTL and the blobs no file names that are older than
// orphanBlobAge (left by failed uploads, or by deletes whose blob
// deletion failed). It runs at most every fileSweepEvery per tenant and
// returns how many blobs it removed.
func (e *Engine) sweepFiles(ctx context.Context, tenant string) (int, error) {
	now := e.stamp()
	if v, ok := e.fileSweep.Load(tenant); ok && now.Before(v.(time.Time).Add(fileSweepEvery)) {
		return 0, nil
	}
	e.fileSweep.Store(tenant, now)
	ts, snap, err := e.tenantScope(ctx, tenant)
	if err != nil {
		return 0, err
	}
	blobs, ok := blobStore(ts)
	if !ok {
		return 0, nil
	}
	attachments := snap.platform[attachmentObject]
	if attachments != nil {
		cutoff := store.FormatTime(now.Add(-PendingFileTTL))
		f := store.Filter{And: []store.Filter{store.Leaf("record", store.OpIsNull, true), store.Leaf("createdAt", store.OpLte, cutoff)}}
		err := ts.WithTx(ctx, func(tx store.Tx) error {
			page, err := tx.Find(ctx, attachments, store.Query{Filter: &f, Limit: 500})
			if err != nil {
				return err
			}
			for _, r := range page.Records {
				if err := tx.Delete(ctx, attachments, r.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("sweep pending files of %q: %w", tenant, err)
		}
	}
	removed := 0
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		named := map[string]bool{}
		if attachments != nil {
			page, err := ts.Find(ctx, attachments, store.Query{Filter: ptr(store.Leaf("blob", store.OpIn, anyList(batch))), Limit: len(batch)})
			if err != nil {
				return fmt.Errorf("read files of %d blobs: %w", len(batch), err)
			}
			for _, r := range page.Records {
				named[attachmentOf(r).blob] = true
			}
		}
		for _, key := range batch {
			if named[key] {
				continue
			}
			if err := blobs.DeleteBlob(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			removed++
		}
		batch = batch[:0]
		return nil
	}
	old := now.Add(-orphanBlobAge)
	err = blobs.ListBlobs(ctx, "", func(b store.BlobInfo) error {
		if b.CreatedAt.After(old) {
			return nil
		}
		batch = append(batch, b.Key)
		if len(batch) == 200 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return removed, fmt.Errorf("sweep blobs of %q: %w", tenant, err)
	}
	return removed, nil
}
