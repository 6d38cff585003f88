package engine

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/crmkit/crm/engine/importvalue"
)

// Files uploaded for import are read once at the edge (package
// spreadsheet) and their rows kept here, in memory, for their uploader:
// the preview, the import job and a second look all use the same rows
// without the file being sent or read again. Memory rather than disk,
// since rows are what every step needs and they never have to outlive
// the process: an upload lives ImportUploadTTL, and each tenant keeps at
// most MaxImportUploads uploads of MaxImportUploadBytes of cells in all,
// so that no tenant can fill the server; a restart forgets them (the
// file is uploaded again). An import's result stays ImportResultTTL,
// within MaxImportResults and MaxImportResultBytes a tenant.

// Bounds of the uploads and results kept for import.
const (
	ImportUploadTTL      = time.Hour
	MaxImportUploads     = 10        // per tenant
	MaxImportUploadBytes = 256 << 20 // per tenant, the cells' text
	// DefaultImportUploadBytes bounds the cells kept for every tenant of
	// the process together (Config.ImportUploadBytes), so that many
	// tenants cannot add up to more memory than the server has.
	DefaultImportUploadBytes = 1 << 30
	ImportResultTTL          = 24 * time.Hour
	MaxImportResults         = 50        // per tenant; the oldest finished go first
	MaxImportResultBytes     = 256 << 20 // per tenant, the rejected rows; the oldest finished go first
	MaxRunningImports        = 2         // per tenant
)

// ImportUpload is a file read for import and kept for its uploader.
type ImportUpload struct {
	ID       string
	FileName string
	// Format is "csv" or "xlsx"; Encoding, Delimiter (CSV) and Sheet
	// (workbook) say how it was read.
	Format, Encoding, Delimiter, Sheet string
	// Sheets are a workbook's sheets, for choosing another.
	Sheets               []string
	Table                ImportTable
	Uploader             string
	CreatedAt, ExpiresAt time.Time
	// bytes is size(), counted once when the upload is kept.
	bytes int64
}

// imports holds a process's uploads and import results, by tenant.
type imports struct {
	mu      sync.Mutex
	uploads map[string]map[string]*ImportUpload // tenant → id → upload
	results map[string]map[string]*importRun    // tenant → job id → run
	running map[string]int                      // tenant → imports started and not ended
}

// size is what an upload's rows take, roughly: their cells' text.
func (u *ImportUpload) size() int64 {
	n := int64(0)
	for _, h := range u.Table.Header {
		n += int64(len(h))
	}
	for _, r := range u.Table.Rows {
		for _, c := range r.Cells {
			n += int64(len(c)) + 16
		}
	}
	return n
}

// KeepImportUpload keeps the rows of a file the caller uploaded and
// returns the upload with its id and times. A tenant over its bounds is
// refused (RATE_LIMITED) until its uploads expire.
func (e *Engine) KeepImportUpload(ctx context.Context, up ImportUpload) (ImportUpload, error) {
	a, ok := ActorFrom(ctx)
	if !ok {
		return ImportUpload{}, errorOf(ErrUnauthenticated, nil, "auth.noCredentials")
	}
	if len(up.Table.Rows) > MaxImportRows {
		return ImportUpload{}, errorOf(ErrBadRequest, nil, "import.tooManyRows", len(up.Table.Rows), MaxImportRows)
	}
	now := e.stamp()
	up.ID, up.Uploader, up.CreatedAt, up.ExpiresAt = e.newID(), a.ID, now, now.Add(ImportUploadTTL)
	e.imports.mu.Lock()
	defer e.imports.mu.Unlock()
	e.imports.sweep(now)
	if e.imports.uploads == nil {
		e.imports.uploads = map[string]map[string]*ImportUpload{}
	}
	held := e.imports.uploads[a.TenantID]
	up.bytes = up.size()
	total, all := up.bytes, up.bytes
	for tenant, uploads := range e.imports.uploads {
		for _, u := range uploads {
			all += u.bytes
			if tenant == a.TenantID {
				total += u.bytes
			}
		}
	}
	if len(held) >= MaxImportUploads || total > MaxImportUploadBytes {
		return ImportUpload{}, errorOf(ErrRateLimited, nil, "import.uploadsFull", MaxImportUploads, MaxImportUploadBytes>>20, int(ImportUploadTTL.Minutes()))
	}
	if all > e.importUploadBytes {
		return ImportUpload{}, errorOf(ErrRateLimited, nil, "import.serverUploadsFull", int(ImportUploadTTL.Minutes()))
	}
	if held == nil {
		held = map[string]*ImportUpload{}
		e.imports.uploads[a.TenantID] = held
	}
	kept := up
	held[up.ID] = &kept
	return up, nil
}

// ImportUpload returns an upload of the caller's, or, to an
// administrator, of anyone in the tenant. Others' uploads and expired
// ones are NOT_FOUND.
func (e *Engine) ImportUpload(ctx context.Context, id string) (*ImportUpload, error) {
	a, ok := ActorFrom(ctx)
	if !ok {
		return nil, errorOf(ErrUnauthenticated, nil, "auth.noCredentials")
	}
	e.imports.mu.Lock()
	defer e.imports.mu.Unlock()
	e.imports.sweep(e.stamp())
	u := e.imports.uploads[a.TenantID][id]
	if u == nil || (u.Uploader != a.ID && !a.Admin) {
		return nil, errorOf(ErrNotFound, nil, "import.noUpload", id, int(ImportUploadTTL.Minutes()))
	}
	return u, nil
}

// SuggestImportColumns matches a file's header to the fields of object
// the caller may write (by label in Chinese or English, API name, address
// part, or a column of record ids); columns it cannot place are left out.
func (e *Engine) SuggestImportColumns(ctx context.Context, object string, header []string) ([]importvalue.Column, error) {
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return nil, err
	}
	rules := w.snap.readRules(w.actor, obj)
	columns := importvalue.MatchColumns(obj, header)
	for i, c := range columns {
		if c.Field == "" || (c.Field == ImportIDColumn && c.Part == "") {
			continue
		}
		if f := obj.Field(c.Field); f == nil || f.Hidden || f.ReadOnly() || rules.Hides(f.Name) {
			columns[i] = importvalue.Column{}
		}
	}
	return columns, nil
}

// sweep drops expired uploads and results; the caller holds mu.
func (im *imports) sweep(now time.Time) {
	for tenant, held := range im.uploads {
		for id, u := range held {
			if now.After(u.ExpiresAt) {
				delete(held, id)
			}
		}
		if len(held) == 0 {
			delete(im.uploads, tenant)
		}
	}
	for tenant, runs := range im.results {
		for id, r := range runs {
			if r.finished() && now.Sub(r.finishedAt) > ImportResultTTL {
				delete(runs, id)
			}
		}
		var done []*importRun
		size := int64(0)
		for _, r := range runs {
			if r.finished() {
				done = append(done, r)
				size += r.size
			}
		}
		slices.SortFunc(done, func(a, b *importRun) int { return a.finishedAt.Compare(b.finishedAt) })
		for _, r := range done[:max(0, len(done)-1)] { // the newest stays
			if len(runs) <= MaxImportResults && size <= MaxImportResultBytes {
				break
			}
			delete(runs, r.job)
			size -= r.size
		}
		if len(runs) == 0 {
			delete(im.results, tenant)
		}
	}
}
