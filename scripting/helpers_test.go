package scripting_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/scripting"
)

// newRunner returns a Runner closed at the end of the test. The memory
// watchdog reads the whole process's heap, which the package's memory tests
// raise past a gigabyte while other tests run in parallel; a runner whose
// test does not set a ceiling gets one out of reach, so that only the memory
// tests are about memory.
func newRunner(t testing.TB, cfg scripting.Config) *scripting.Runner {
	t.Helper()
	if cfg.MemoryCeiling == 0 {
		cfg.MemoryCeiling = 1 << 40
	}
	r, err := scripting.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// script returns a Script of kind with a name derived from the test.
func script(t testing.TB, kind scripting.Kind, src string) scripting.Script {
	return scripting.Script{Tenant: "acme", ID: t.Name(), Name: "test-script", Version: 1, Kind: kind, Source: src}
}

// fakeHost is an in-memory Host with function-field overrides.
type fakeHost struct {
	mu       sync.Mutex
	records  map[string]map[string]map[string]any // object → id → record
	calls    []string
	actions  []scripting.Action
	FindFunc func(ctx context.Context, object string, filter map[string]any, opts scripting.FindOptions) ([]map[string]any, error)
	nextID   int
}

func newFakeHost() *fakeHost {
	return &fakeHost{records: map[string]map[string]map[string]any{}}
}

func (h *fakeHost) put(object string, rec map[string]any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.records[object] == nil {
		h.records[object] = map[string]map[string]any{}
	}
	h.records[object][rec["id"].(string)] = rec
}

func (h *fakeHost) Find(ctx context.Context, object string, filter map[string]any, opts scripting.FindOptions) ([]map[string]any, error) {
	if h.FindFunc != nil {
		return h.FindFunc(ctx, object, filter, opts)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, "find "+object)
	var out []map[string]any
	for _, rec := range h.records[object] {
		match := true
		for k, v := range filter {
			if fmt.Sprint(rec[k]) != fmt.Sprint(v) {
				match = false
			}
		}
		if match && len(out) < opts.Limit {
			out = append(out, rec)
		}
	}
	return out, nil
}

func (h *fakeHost) Get(_ context.Context, object, id string) (map[string]any, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, "get "+object+" "+id)
	return h.records[object][id], nil
}

func (h *fakeHost) Create(_ context.Context, object string, data map[string]any) (map[string]any, error) {
	h.mu.Lock()
	h.nextID++
	id := fmt.Sprintf("r%d", h.nextID)
	h.calls = append(h.calls, "create "+object)
	h.mu.Unlock()
	if data["name"] == "fail" {
		return nil, errors.New("name refused")
	}
	rec := map[string]any{"id": id}
	for k, v := range data {
		rec[k] = v
	}
	h.put(object, rec)
	return rec, nil
}

func (h *fakeHost) Update(_ context.Context, object, id string, patch map[string]any) (map[string]any, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, "update "+object+" "+id)
	rec := h.records[object][id]
	if rec == nil {
		return nil, errors.New("not found")
	}
	for k, v := range patch {
		rec[k] = v
	}
	return rec, nil
}

func (h *fakeHost) Enqueue(_ context.Context, a scripting.Action) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.actions = append(h.actions, a)
	return nil
}

// blockingHost blocks every Find until release is closed, counting callers.
type blockingHost struct {
	fakeHost
	entered chan struct{}
	release chan struct{}
}

func (h *blockingHost) Find(ctx context.Context, _ string, _ map[string]any, _ scripting.FindOptions) ([]map[string]any, error) {
	h.entered <- struct{}{}
	select {
	case <-h.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return nil, nil
}

// limits returns default limits with a short wall time for tests.
func limits(wall time.Duration) scripting.Limits {
	l := scripting.DefaultLimits()
	l.WallTime = wall
	return l
}
