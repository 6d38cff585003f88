package engine

import (
	"context"
	"time"
)

// JobImport is the kind of an import of an uploaded file's rows.
const JobImport = "import"

// importRun is an import job's rows and, once it ends, its report.
type importRun struct {
	job        string
	starter    string
	object     string
	header     []string
	dryRun     bool
	report     *ImportReport // nil while it runs
	err        error
	finishedAt time.Time
	size       int64 // what the rejected rows take, once finished
}

func (r *importRun) finished() bool { return !r.finishedAt.IsZero() }

// ImportResult is what an import job did, as far as it got.
type ImportResult struct {
	Job    Job
	Object string
	// Header is the file's header, for the rejected rows' file.
	Header []string
	// DryRun says the job only checked the rows (ImportSpec.DryRun).
	DryRun bool
	// Report is nil while the job runs, and when its result is no longer
	// kept (ImportResultTTL, or the server restarted while it ran: the
	// job then says it failed).
	Report *ImportReport
	// Err is why the import stopped early, when it did: the rows up to
	// Report.LastLine are in, except the rejected ones.
	Err error
}

// StartImport starts a job that imports the rows of an upload of the
// caller's into object as spec says, with the caller's own rights (each
// record is checked as any write is). The spec is checked first: one
// that cannot run is refused and no job starts.
func (e *Engine) StartImport(ctx context.Context, uploadID, object string, spec ImportSpec) (Job, error) {
	up, err := e.ImportUpload(ctx, uploadID)
	if err != nil {
		return Job{}, err
	}
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return Job{}, err
	}
	if _, err := e.newImport(w, obj, up.Table, spec); err != nil {
		return Job{}, err
	}
	sc, err := e.scope(ctx)
	if err != nil {
		return Job{}, err
	}
	tenant := sc.actor.TenantID
	if !e.imports.reserve(tenant) {
		return Job{}, errorOf(ErrRateLimited, nil, "import.tooManyRunning", MaxRunningImports)
	}
	run := &importRun{starter: sc.actor.ID, object: obj.Name, header: up.Table.Header, dryRun: spec.DryRun}
	table := up.Table
	ready := make(chan struct{}) // the run is registered before the job may end
	job, err := e.runJob(ctx, sc, JobImport, obj.Name, func(ctx context.Context, progress func(done, total int)) (int, error) {
		<-ready
		rep, err := e.ImportRecords(ctx, obj.Name, table, spec, progress)
		e.imports.mu.Lock()
		defer e.imports.mu.Unlock()
		if rep == nil {
			rep = &ImportReport{Rows: len(table.Rows)}
		}
		run.report, run.err, run.finishedAt, run.size = rep, err, e.stamp(), rejectedSize(rep.Rejected)
		ended(e.imports.running, tenant)
		return rep.Created + rep.Updated, err
	})
	if err != nil {
		e.imports.mu.Lock()
		ended(e.imports.running, tenant)
		e.imports.mu.Unlock()
		close(ready)
		return Job{}, err
	}
	run.job = job.ID
	e.imports.mu.Lock()
	if e.imports.results == nil {
		e.imports.results = map[string]map[string]*importRun{}
	}
	if e.imports.results[tenant] == nil {
		e.imports.results[tenant] = map[string]*importRun{}
	}
	e.imports.results[tenant][job.ID] = run
	e.imports.mu.Unlock()
	close(ready)
	return job, nil
}

// reserve counts an import about to start in tenant, unless the tenant
// runs MaxRunningImports already.
func (im *imports) reserve(tenant string) bool {
	im.mu.Lock()
	defer im.mu.Unlock()
	if im.running == nil {
		im.running = map[string]int{}
	}
	if im.running[tenant] >= MaxRunningImports {
		return false
	}
	im.running[tenant]++
	return true
}

// rejectedSize is roughly what rejected rows take: their cells' and
// problems' text.
func rejectedSize(rows []RejectedRow) int64 {
	n := int64(0)
	for _, r := range rows {
		for _, c := range r.Cells {
			n += int64(len(c)) + 16
		}
		for _, p := range r.Problems {
			n += int64(len(p.Field)+len(p.Message)+len(p.MessageZh)) + 64
		}
	}
	return n
}

// ImportResult returns an import job and what it did: to the one who
// started it, or an administrator; to others it is NOT_FOUND.
func (e *Engine) ImportResult(ctx context.Context, jobID string) (*ImportResult, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	job, err := ownJob(ctx, sc, jobID, JobImport, errorOf(ErrNotFound, nil, "import.noJob", jobID))
	if err != nil {
		return nil, err
	}
	out := &ImportResult{Job: job, Object: job.Object}
	e.imports.mu.Lock()
	defer e.imports.mu.Unlock()
	e.imports.sweep(e.stamp())
	if run := e.imports.results[sc.actor.TenantID][jobID]; run != nil && run.finished() {
		out.Header, out.Report, out.Err, out.DryRun = run.header, run.report, run.err, run.dryRun
	}
	return out, nil
}
