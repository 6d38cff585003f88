package engine_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// lineWriter writes an export as lines of cells (the edge writes CSV or
// a workbook); release, when not nil, holds it until closed.
func lineWriter(release <-chan struct{}) engine.ExportWriter {
	return func(records engine.ExportRows, out io.Writer) (int64, error) {
		if release != nil {
			<-release
		}
		var n int64
		err := records(func(h engine.ExportHeader) error {
			_, err := fmt.Fprintln(out, strings.Join(h.Labels, "|"))
			return err
		}, func(cells []any) error {
			n++
			_, err := fmt.Fprintln(out, cells...)
			return err
		})
		return n, err
	}
}

func waitExport(t *testing.T, eng *engine.Engine, ctx context.Context, job string) *engine.ExportResult {
	t.Helper()
	var res *engine.ExportResult
	require.Eventually(t, func() bool {
		var err error
		res, err = eng.ExportResult(ctx, job)
		require.NoError(t, err)
		return res.Job.Status != engine.JobRunning
	}, time.Minute, 5*time.Millisecond, "the export ends")
	return res
}

// TestEngine_StartExport: an export job writes what the caller may see to
// a file kept for its starter until ExportFileTTL; a tenant runs at most
// MaxRunningExports at once; what cannot run is refused before a job.
func TestEngine_StartExport(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	eng, admin, as := aggregateTenant(t, testkit.WithClock(clock))
	rep1 := as["rep1"]

	job, err := eng.StartExport(rep1, "deal", engine.ExportQuery{Columns: []string{"title", "qty"}, Lang: "en"}, "csv", lineWriter(nil))
	require.NoError(t, err)
	assert.Equal(t, engine.JobExport, job.Kind)
	assert.EqualValues(t, 3, job.Total, "the deals of rep1's team")
	res := waitExport(t, eng, rep1, job.ID)
	require.Equal(t, engine.JobDone, res.Job.Status, res.Job.Error)
	require.NotNil(t, res.File)
	assert.Equal(t, "deal.csv", res.File.Name, "named for the object (its label when it has one)")
	assert.EqualValues(t, 3, res.File.Rows)
	text, err := os.ReadFile(res.File.Path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	require.Len(t, lines, 4)
	assert.Equal(t, "title|qty", lines[0])
	assert.NotContains(t, string(text), "rep3", "another team's deals are not rep1's to export")
	assert.EqualValues(t, len(text), res.File.Size)

	_, err = eng.ExportResult(as["rep3"], job.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a file is its starter's")
	_, err = eng.ExportResult(admin, job.ID)
	assert.NoError(t, err, "and administrators'")

	for name, start := range map[string]func() error{
		"a format": func() error {
			_, err := eng.StartExport(rep1, "deal", engine.ExportQuery{}, "pdf", lineWriter(nil))
			return err
		},
		"a column": func() error {
			_, err := eng.StartExport(rep1, "deal", engine.ExportQuery{Columns: []string{"ghost"}}, "csv", lineWriter(nil))
			return err
		},
		"a hidden column": func() error {
			_, err := eng.StartExport(rep1, "deal", engine.ExportQuery{Columns: []string{"margin"}}, "csv", lineWriter(nil))
			return err
		},
		"an unknown object": func() error {
			_, err := eng.StartExport(rep1, "ghost", engine.ExportQuery{}, "csv", lineWriter(nil))
			return err
		},
	} {
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(start()), name)
	}

	// At most MaxRunningExports at once a tenant.
	release := make(chan struct{})
	var held []string
	for range engine.MaxRunningExports {
		j, err := eng.StartExport(rep1, "deal", engine.ExportQuery{}, "csv", lineWriter(release))
		require.NoError(t, err)
		held = append(held, j.ID)
	}
	_, err = eng.StartExport(admin, "deal", engine.ExportQuery{}, "xlsx", lineWriter(nil))
	assert.Equal(t, engine.CodeRateLimited, engine.CodeOf(err))
	close(release)
	for _, id := range held {
		assert.Equal(t, engine.JobDone, waitExport(t, eng, rep1, id).Job.Status)
	}
	again, err := eng.StartExport(admin, "deal", engine.ExportQuery{}, "csv", lineWriter(nil))
	require.NoError(t, err, "one may start again once they have ended")
	assert.Equal(t, engine.JobDone, waitExport(t, eng, admin, again.ID).Job.Status)

	// The file goes after ExportFileTTL.
	clock.Advance(engine.ExportFileTTL + time.Minute)
	res2, err := eng.ExportResult(rep1, job.ID)
	require.NoError(t, err)
	assert.Nil(t, res2.File)
	_, err = os.Stat(res.File.Path)
	assert.True(t, os.IsNotExist(err), "the file is removed")
}
