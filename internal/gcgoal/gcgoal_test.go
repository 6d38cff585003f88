package gcgoal_test

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/internal/gcgoal"
)

func TestPercentFor(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	scenarios := []struct {
		name string
		live uint64
		want int
	}{
		{name: "nothing live yet", live: 0, want: 400},
		{name: "a small heap gets the largest percentage", live: 8 * mib, want: 400},
		{name: "a server's heap after start", live: 32 * mib, want: 200},
		{name: "the headroom equals the heap", live: 64 * mib, want: 100},
		{name: "a large heap keeps Go's default", live: 600 * mib, want: 100},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, gcgoal.PercentFor(s.live, 64*mib, 400))
		})
	}
}

func TestCgroupLimit(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		files  map[string]string
		want   int64
		wantOK bool
	}{
		{name: "cgroup v2 with a limit", files: map[string]string{"memory.max": "536870912\n"}, want: 512 << 20, wantOK: true},
		{name: "cgroup v2 without one", files: map[string]string{"memory.max": "max\n"}},
		{name: "cgroup v1 with a limit", files: map[string]string{"memory/memory.limit_in_bytes": "1073741824\n"}, want: 1 << 30, wantOK: true},
		{name: "cgroup v1 without one", files: map[string]string{"memory/memory.limit_in_bytes": "9223372036854771712\n"}},
		{name: "no cgroup files", files: map[string]string{}},
		{name: "a file that is not a number", files: map[string]string{"memory.max": "lots\n"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, body := range s.files {
				require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
			}
			got, ok := gcgoal.CgroupLimit(dir)
			assert.Equal(t, s.wantOK, ok)
			assert.Equal(t, s.want, got)
		})
	}
}

// The tests below change the process's collector settings: not parallel.

func TestStart_KeepsTheHeadroomAndUndoesItOnStop(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "memory.max"), []byte("1073741824\n"), 0o644))
	env := map[string]string{}
	tuner := gcgoal.Start(gcgoal.Config{Getenv: func(k string) string { return env[k] }, CgroupDir: dir, Headroom: 1 << 40})
	assert.Equal(t, int64(1<<30)/10*9, tuner.Limit(), "nine tenths of the cgroup's limit")
	assert.Equal(t, int64(1<<30)/10*9, debug.SetMemoryLimit(-1))
	assert.Equal(t, 400, tuner.Percent(), "a headroom far above the heap: the largest percentage")
	runtime.GC()
	runtime.GC() // the finalizer of the first cycle's sentinel has run by the second's end
	assert.Equal(t, 400, tuner.Percent())
	assert.Equal(t, 400, debug.SetGCPercent(400))

	tuner.Stop()
	assert.Equal(t, 100, debug.SetGCPercent(100), "Go's default again")
	assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1))
}

func TestStart_LeavesWhatTheEnvironmentSets(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "memory.max"), []byte("1073741824\n"), 0o644))
	env := map[string]string{"GOGC": "150", "GOMEMLIMIT": "2GiB"}
	before := debug.SetGCPercent(-1)
	debug.SetGCPercent(before)
	tuner := gcgoal.Start(gcgoal.Config{Getenv: func(k string) string { return env[k] }, CgroupDir: dir})
	defer tuner.Stop()
	assert.Zero(t, tuner.Percent())
	assert.Zero(t, tuner.Limit())
	assert.Equal(t, before, debug.SetGCPercent(before), "the percentage is left alone")
	assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1), "the limit is left alone")
}
