package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/crmkit/crm/schema"
)

// Export jobs: a large list's export written in the background to a file
// on disk, with progress, then fetched by the one who started it. The
// file is written by the API edge's writer (CSV or a workbook) from the
// same rows ExportRecords gives, so a job exports exactly what the
// synchronous export would. Files live in Config.ExportDir (the
// system's temporary directory by default) for ExportFileTTL after the job ends,
// at most MaxExportFiles a tenant (the oldest go first); files a stopped
// server left there are removed once they are older than ExportFileTTL.

// Bounds of export jobs.
const (
	// MaxRunningExports is how many export jobs a tenant may run at once.
	MaxRunningExports = 2
	// ExportFileTTL is how long an export job's file is kept.
	ExportFileTTL = 24 * time.Hour
	// MaxExportFiles is how many export files a tenant keeps.
	MaxExportFiles = 20
	// exportProgressEvery is how many rows pass between progress reports.
	exportProgressEvery = 1000
)

// JobExport is the kind of an export run in the background.
const JobExport = "export"

// exportDir is where export jobs write their files: [Config.ExportDir],
// else crm-exports in the system's temporary directory.
func (e *Engine) exportDir() string {
	if e.exportsAt != "" {
		return e.exportsAt
	}
	return filepath.Join(os.TempDir(), "crm-exports")
}

// ExportRows is ExportRecords of one query: it calls start with the
// header, then row per record.
type ExportRows func(start func(ExportHeader) error, row func([]any) error) error

// ExportWriter writes an export file to out from the rows records gives,
// and says how many records it wrote.
type ExportWriter func(records ExportRows, out io.Writer) (int64, error)

// ExportResult is an export job and, once it has ended, its file.
type ExportResult struct {
	Job    Job
	Object string
	// File is the job's file; nil while it runs, when it failed and when
	// the file is no longer kept.
	File *ExportFile
	// Err is why the job failed, when it did.
	Err error
}

// ExportFile is the file an export job wrote.
type ExportFile struct {
	// Name is the file's name for the one who downloads it: the
	// object's label in the export's language ("商机.xlsx"); Path where it
	// is on disk.
	Name, Path string
	Size, Rows int64
}

// exportRuns are the tenants' export jobs.
type exportRuns struct {
	mu      sync.Mutex
	results map[string]map[string]*exportRun // tenant → job id → run
	running map[string]int
}

type exportRun struct {
	job        string
	file       *ExportFile // nil until the job is done
	err        error
	finishedAt time.Time
}

// StartExport starts a job exporting the records q selects of object as
// ExportRecords would, written by write to a file of extension ext ("csv"
// or "xlsx"); it returns at once. What ExportRecords refuses (too many
// records, a column the caller may not read) is refused here before a job
// starts; a tenant runs at most MaxRunningExports at a time (RATE_LIMITED
// beyond). ExportResult follows the job.
func (e *Engine) StartExport(ctx context.Context, object string, q ExportQuery, ext string, write ExportWriter) (Job, error) {
	if ext != "csv" && ext != "xlsx" {
		return Job{}, errorOf(ErrBadRequest, nil, "export.badFormat", ext)
	}
	var total int64
	errChecked := errors.New("checked")
	err := e.ExportRecords(ctx, object, q, func(h ExportHeader) error { total = h.Rows; return errChecked }, func([]any) error { return nil })
	if !errors.Is(err, errChecked) {
		return Job{}, err
	}
	osc, err := e.readScope(ctx, object)
	if err != nil {
		return Job{}, err
	}
	sc, name := osc.scope, fileName(osc.obj, q.Lang)+"."+ext
	tenant := sc.actor.TenantID
	if !e.exports.reserve(tenant) {
		return Job{}, errorOf(ErrRateLimited, nil, "export.tooManyRunning", MaxRunningExports)
	}
	run := &exportRun{}
	ready := make(chan struct{})
	job, err := e.runJob(ctx, sc, JobExport, object, func(ctx context.Context, progress func(done, total int)) (int, error) {
		<-ready
		file, err := e.writeExport(ctx, object, q, ext, name, write, progress)
		e.exports.mu.Lock()
		defer e.exports.mu.Unlock()
		run.file, run.err, run.finishedAt = file, err, e.stamp()
		ended(e.exports.running, tenant)
		e.exports.sweep(e.stamp(), e.exportDir())
		if file == nil {
			return 0, err
		}
		return int(file.Rows), nil
	})
	if err != nil {
		e.exports.mu.Lock()
		ended(e.exports.running, tenant)
		e.exports.mu.Unlock()
		close(ready)
		return Job{}, err
	}
	run.job = job.ID
	e.exports.mu.Lock()
	if e.exports.results == nil {
		e.exports.results = map[string]map[string]*exportRun{}
	}
	if e.exports.results[tenant] == nil {
		e.exports.results[tenant] = map[string]*exportRun{}
	}
	e.exports.results[tenant][job.ID] = run
	e.exports.mu.Unlock()
	close(ready)
	job.Total = total
	return job, nil
}

// writeExport writes the file of an export job; on an error no file is
// left.
func (e *Engine) writeExport(ctx context.Context, object string, q ExportQuery, ext, name string, write ExportWriter, progress func(done, total int)) (*ExportFile, error) {
	dir := e.exportDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("export %s: %w", object, err)
	}
	f, err := os.CreateTemp(dir, "export-*."+ext)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", object, err)
	}
	var total, done int
	records := func(start func(ExportHeader) error, row func([]any) error) error {
		return e.ExportRecords(ctx, object, q, func(h ExportHeader) error {
			total = int(h.Rows)
			progress(0, total)
			return start(h)
		}, func(cells []any) error {
			done++
			if done%exportProgressEvery == 0 {
				progress(done, max(total, done))
			}
			return row(cells)
		})
	}
	rows, err := write(records, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return nil, fmt.Errorf("export %s: %w", object, err)
	}
	progress(int(rows), int(rows))
	st, err := os.Stat(f.Name())
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", object, err)
	}
	return &ExportFile{Name: name, Path: f.Name(), Size: st.Size(), Rows: rows}, nil
}

// fileName is the name of an object's export file, without extension:
// its label in lang ("线索"), without what file systems refuse, else its
// API name.
func fileName(obj *schema.Object, lang string) string {
	label := labelZh(obj)
	if lang == "en" && obj.Label.En != "" {
		label = obj.Label.En
	}
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`<>:"/\|?*`, r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, label)
	clean = strings.Trim(strings.TrimSpace(clean), ". ")
	if clean == "" || len(clean) > 120 {
		return obj.Name
	}
	return clean
}

func (x *exportRuns) reserve(tenant string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.running == nil {
		x.running = map[string]int{}
	}
	if x.running[tenant] >= MaxRunningExports {
		return false
	}
	x.running[tenant]++
	return true
}

// sweep removes the files past ExportFileTTL and the oldest beyond
// MaxExportFiles a tenant, and files of the export directory older than
// ExportFileTTL that no run holds (a stopped server's: judged by the
// wall clock, which file times follow). The caller holds x.mu.
func (x *exportRuns) sweep(now time.Time, dir string) {
	held := map[string]bool{}
	for tenant, runs := range x.results {
		var done []*exportRun
		for id, r := range runs {
			switch {
			case r.finishedAt.IsZero():
			case now.Sub(r.finishedAt) > ExportFileTTL:
				r.drop()
				delete(runs, id)
			default:
				done = append(done, r)
			}
		}
		slices.SortFunc(done, func(a, b *exportRun) int { return a.finishedAt.Compare(b.finishedAt) })
		for i := 0; i < len(done) && len(runs) > MaxExportFiles; i++ {
			done[i].drop()
			delete(runs, done[i].job)
		}
		for _, r := range runs {
			if r.file != nil {
				held[filepath.Base(r.file.Path)] = true
			}
		}
		if len(runs) == 0 {
			delete(x.results, tenant)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, ent := range entries {
		if held[ent.Name()] || !strings.HasPrefix(ent.Name(), "export-") {
			continue
		}
		if info, err := ent.Info(); err == nil && time.Since(info.ModTime()) > ExportFileTTL {
			_ = os.Remove(filepath.Join(dir, ent.Name()))
		}
	}
}

func (r *exportRun) drop() {
	if r.file != nil {
		_ = os.Remove(r.file.Path)
		r.file = nil
	}
}

// ExportResult returns an export job and, once done, its file: to the
// one who started it, or an administrator; to others (and for a job of
// another kind) it is NOT_FOUND.
func (e *Engine) ExportResult(ctx context.Context, jobID string) (*ExportResult, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	job, err := ownJob(ctx, sc, jobID, JobExport, errorOf(ErrNotFound, nil, "export.noJob", jobID))
	if err != nil {
		return nil, err
	}
	out := &ExportResult{Job: job, Object: job.Object}
	e.exports.mu.Lock()
	defer e.exports.mu.Unlock()
	e.exports.sweep(e.stamp(), e.exportDir())
	if run := e.exports.results[sc.actor.TenantID][jobID]; run != nil && !run.finishedAt.IsZero() {
		if run.file != nil {
			f := *run.file
			out.File = &f
		}
		out.Err = run.err
	}
	return out, nil
}
