package engine

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Mass actions as the API offers them: a selection of up to MassSyncLimit
// records is changed in the request and answered with its report; a
// larger one starts a job (kind JobMassChange) that changes the records
// in batches with progress, and whose report MassChangeResult gives to
// the one who started it. Reports are kept in memory like import results:
// MassResultTTL after the job ends, at most MaxMassResults a tenant (the
// oldest go first), and a report lists at most 1000 failures. A restart
// loses the reports of jobs that had ended, and a job it cut short is
// marked failed by the worker.

// Bounds of mass action jobs.
const (
	// MassSyncLimit is the largest selection changed in the request.
	MassSyncLimit = 200
	// MaxRunningMass is how many mass action jobs a tenant may run at
	// once.
	MaxRunningMass = 2
	// MassResultTTL is how long the report of a finished job is kept.
	MassResultTTL = 24 * time.Hour
	// MaxMassResults is how many finished jobs' reports a tenant keeps.
	MaxMassResults = 50
)

// JobMassChange is the kind of a mass action run in the background.
const JobMassChange = "massChange"

// MassOutcome is what a mass action did or is doing.
type MassOutcome struct {
	// Job is the job changing the records; nil when the change was made
	// in the request.
	Job *Job
	// Kind is the mass action's kind (MassUpdate …), Object its object.
	Kind, Object string
	// Report is what was done: nil while the job runs, and when its
	// report is no longer kept (MassResultTTL, a restart).
	Report *MassReport
	// Err is why a job stopped before the end, when it did: the records
	// the report counts were changed.
	Err error
}

// massRuns are the tenants' mass action jobs.
type massRuns struct {
	mu      sync.Mutex
	results map[string]map[string]*massRun // tenant → job id → run
	running map[string]int                 // tenant → jobs started and not ended
}

// massRun is one mass action job.
type massRun struct {
	job        string
	kind       string
	object     string
	report     *MassReport // nil while it runs
	err        error
	finishedAt time.Time
}

// StartMassChange makes act on the records sel chooses, as MassChange
// does: at once when they are at most MassSyncLimit, else in a job that
// it starts and returns (a tenant runs at most MaxRunningMass at a time:
// RATE_LIMITED beyond). Everything MassChange refuses is refused here
// before a job starts.
func (e *Engine) StartMassChange(ctx context.Context, object string, sel MassSelection, act MassAction) (*MassOutcome, error) {
	ids, err := e.massPlan(ctx, object, sel, act)
	if err != nil {
		return nil, err
	}
	if len(ids) <= MassSyncLimit {
		rep, err := e.massApply(ctx, object, ids, act, nil)
		if err != nil {
			return nil, err
		}
		return &MassOutcome{Kind: act.Kind, Object: object, Report: rep}, nil
	}
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	tenant := sc.actor.TenantID
	if !e.mass.reserve(tenant) {
		return nil, errorOf(ErrRateLimited, nil, "mass.tooManyRunning", MaxRunningMass)
	}
	run := &massRun{kind: act.Kind, object: object}
	ready := make(chan struct{}) // the run is registered before the job may end
	job, err := e.runJob(ctx, sc, JobMassChange, object, func(ctx context.Context, progress func(done, total int)) (int, error) {
		<-ready
		rep, err := e.massApply(ctx, object, ids, act, progress)
		e.mass.mu.Lock()
		defer e.mass.mu.Unlock()
		run.report, run.err, run.finishedAt = rep, err, e.stamp()
		ended(e.mass.running, tenant)
		return rep.Changed, err
	})
	if err != nil {
		e.mass.mu.Lock()
		ended(e.mass.running, tenant)
		e.mass.mu.Unlock()
		close(ready)
		return nil, err
	}
	run.job = job.ID
	e.mass.mu.Lock()
	e.mass.sweep(e.stamp())
	if e.mass.results == nil {
		e.mass.results = map[string]map[string]*massRun{}
	}
	if e.mass.results[tenant] == nil {
		e.mass.results[tenant] = map[string]*massRun{}
	}
	e.mass.results[tenant][job.ID] = run
	e.mass.mu.Unlock()
	close(ready)
	job.Total = int64(len(ids))
	return &MassOutcome{Job: &job, Kind: act.Kind, Object: object}, nil
}

// reserve counts a job about to start in tenant, unless the tenant runs
// MaxRunningMass already.
func (m *massRuns) reserve(tenant string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running == nil {
		m.running = map[string]int{}
	}
	if m.running[tenant] >= MaxRunningMass {
		return false
	}
	m.running[tenant]++
	return true
}

// sweep drops the reports past MassResultTTL, and the oldest beyond
// MaxMassResults a tenant. The caller holds m.mu.
func (m *massRuns) sweep(now time.Time) {
	for tenant, runs := range m.results {
		var done []*massRun
		for id, r := range runs {
			switch {
			case r.finishedAt.IsZero():
			case now.Sub(r.finishedAt) > MassResultTTL:
				delete(runs, id)
			default:
				done = append(done, r)
			}
		}
		slices.SortFunc(done, func(a, b *massRun) int { return a.finishedAt.Compare(b.finishedAt) })
		for i := 0; i < len(done) && len(runs) > MaxMassResults; i++ {
			delete(runs, done[i].job)
		}
		if len(runs) == 0 {
			delete(m.results, tenant)
		}
	}
}

// MassChangeResult returns a mass action job and, once it has ended, its
// report: to the one who started it, or an administrator; to others (and
// for a job of another kind) it is NOT_FOUND.
func (e *Engine) MassChangeResult(ctx context.Context, jobID string) (*MassOutcome, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	job, err := ownJob(ctx, sc, jobID, JobMassChange, errorOf(ErrNotFound, nil, "mass.noJob", jobID))
	if err != nil {
		return nil, err
	}
	out := &MassOutcome{Job: &job, Object: job.Object}
	e.mass.mu.Lock()
	defer e.mass.mu.Unlock()
	e.mass.sweep(e.stamp())
	if run := e.mass.results[sc.actor.TenantID][jobID]; run != nil {
		out.Kind = run.kind
		if !run.finishedAt.IsZero() {
			out.Report, out.Err = run.report, run.err
		}
	}
	return out, nil
}
