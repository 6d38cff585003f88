package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
)

const cacheMemo = `{"$id": "memo", "type": "object", "properties": {
  "title": {"type": "string", "x-crm-type": "text"}}, "required": ["title"]}`

// manyTenants makes n tenants with a memo object on an engine that keeps
// the state of at most bound of them.
func manyTenants(t *testing.T, n, bound int) (*testkit.Tenant, []string) {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("t%02d", i)
	}
	tn := testkit.New(t, ids[0], testkit.WithOtherTenants(ids[1:]...),
		testkit.WithConfig(func(c *engine.Config) { c.TenantStates = bound }))
	for _, id := range ids {
		_, err := tn.Engine.SaveObject(adminOf(id), []byte(cacheMemo), engine.SaveOptions{})
		require.NoError(t, err)
	}
	return tn, ids
}

func adminOf(tenant string) context.Context {
	return engine.WithActor(context.Background(), engine.Actor{TenantID: tenant, ID: "user:admin", Admin: true})
}

func TestTenantStates_StayWithinTheBound(t *testing.T) {
	tn, ids := manyTenants(t, 24, 4)
	for round := range 2 {
		for _, id := range ids {
			_, err := tn.Engine.CreateRecord(adminOf(id), "memo", map[string]any{"title": fmt.Sprintf("r%d", round)})
			require.NoError(t, err)
			s := tn.Engine.TenantStateStats()
			require.LessOrEqual(t, s.Kept, 4, "after %s", id)
			require.LessOrEqual(t, s.Limits, 4, "after %s", id)
		}
	}
	s := tn.Engine.TenantStateStats()
	require.Equal(t, 4, s.Max)
	require.Positive(t, s.Dropped)
	for _, id := range ids { // every tenant still reads what it holds
		page, err := tn.Engine.ListRecords(adminOf(id), "memo", engine.ListQuery{First: 10})
		require.NoError(t, err)
		require.Len(t, page.Records, 2, id)
	}
}

func TestTenantStates_DefaultBound(t *testing.T) {
	tn := testkit.New(t, "acme")
	require.Equal(t, engine.DefaultTenantStates, tn.Engine.TenantStateStats().Max)
}

func TestTenantStates_MetadataChangedWhileDroppedIsSeen(t *testing.T) {
	tn, ids := manyTenants(t, 8, 2)
	a := ids[0]
	_, err := tn.Engine.ListRecords(adminOf(a), "memo", engine.ListQuery{First: 1})
	require.NoError(t, err)
	// Another engine on the same store (another process) adds a field;
	// this one drops a's state meanwhile.
	other, err := engine.New(engine.Config{Store: tn.Store, ExportDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	_, err = other.SaveObject(adminOf(a), []byte(`{"$id": "memo", "type": "object", "properties": {
	  "title": {"type": "string", "x-crm-type": "text"},
	  "size":  {"type": "number", "x-crm-type": "number"}}, "required": ["title"]}`), engine.SaveOptions{})
	require.NoError(t, err)
	for _, id := range ids[1:] {
		_, err := tn.Engine.ListRecords(adminOf(id), "memo", engine.ListQuery{First: 1})
		require.NoError(t, err)
	}
	cat, err := tn.Engine.Catalog(adminOf(a))
	require.NoError(t, err)
	require.NotNil(t, cat.Object("memo").Field("size"))
	rec, err := tn.Engine.CreateRecord(adminOf(a), "memo", map[string]any{"title": "x", "size": 3})
	require.NoError(t, err)
	require.EqualValues(t, 3, rec.Data["size"])

	// A change made by this engine while the tenant's state is dropped.
	for _, id := range ids[1:] {
		_, err := tn.Engine.ListRecords(adminOf(id), "memo", engine.ListQuery{First: 1})
		require.NoError(t, err)
	}
	_, err = tn.Engine.SaveObject(adminOf(a), []byte(`{"$id": "memo", "type": "object", "properties": {
	  "title": {"type": "string", "x-crm-type": "text"},
	  "size":  {"type": "number", "x-crm-type": "number"},
	  "tag":   {"type": "string", "x-crm-type": "text"}}, "required": ["title"]}`), engine.SaveOptions{})
	require.NoError(t, err)
	cat, err = tn.Engine.Catalog(adminOf(a))
	require.NoError(t, err)
	require.NotNil(t, cat.Object("memo").Field("tag"))
}

func TestTenantStates_RevokedKeyStaysRevoked(t *testing.T) {
	tn, ids := manyTenants(t, 8, 2)
	a := ids[0]
	secret, key, err := tn.Engine.CreateAPIKey(adminOf(a), a, "client")
	require.NoError(t, err)
	actor, err := tn.Engine.Authenticate(context.Background(), secret)
	require.NoError(t, err)
	require.Equal(t, a, actor.TenantID)
	for _, id := range ids[1:] {
		_, err := tn.Engine.ListRecords(adminOf(id), "memo", engine.ListQuery{First: 1})
		require.NoError(t, err)
	}
	_, err = tn.Engine.RevokeAPIKey(adminOf(a), a, key.ID)
	require.NoError(t, err)
	for _, id := range ids[1:] {
		_, err := tn.Engine.ListRecords(adminOf(id), "memo", engine.ListQuery{First: 1})
		require.NoError(t, err)
	}
	_, err = tn.Engine.Authenticate(context.Background(), secret)
	require.ErrorIs(t, err, engine.ErrUnauthenticated)
}

// A request that resolved its tenant keeps working while other requests
// make the engine drop that tenant's state, and sees its own metadata
// changes afterwards.
func TestTenantStates_RequestInFlightDuringDrop(t *testing.T) {
	tn, ids := manyTenants(t, 10, 2)
	a := ids[0]
	ctx := engine.WithRequest(adminOf(a))
	_, err := tn.Engine.ListRecords(ctx, "memo", engine.ListQuery{First: 1})
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for _, id := range ids[1:] {
		wg.Go(func() {
			_, err := tn.Engine.CreateRecord(engine.WithRequest(adminOf(id)), "memo", map[string]any{"title": "other"})
			errs <- err
		})
	}
	for range 20 {
		_, err := tn.Engine.CreateRecord(ctx, "memo", map[string]any{"title": "mine"})
		require.NoError(t, err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.LessOrEqual(t, tn.Engine.TenantStateStats().Kept, 2)
	// The request's own change to the metadata, made after its tenant's
	// state was dropped, is seen by the same request.
	_, err = tn.Engine.SaveObject(ctx, []byte(`{"$id": "memo", "type": "object", "properties": {
	  "title": {"type": "string", "x-crm-type": "text"},
	  "note":  {"type": "string", "x-crm-type": "text"}}, "required": ["title"]}`), engine.SaveOptions{})
	require.NoError(t, err)
	rec, err := tn.Engine.CreateRecord(ctx, "memo", map[string]any{"title": "t", "note": "n"})
	require.NoError(t, err)
	require.Equal(t, "n", rec.Data["note"])
	page, err := tn.Engine.ListRecords(ctx, "memo", engine.ListQuery{First: 50})
	require.NoError(t, err)
	require.Len(t, page.Records, 21)
}

// The worker's notes on tenants (files swept, notifications purged,
// recycle bin due) do not pile up: a deleted tenant's go with it, and
// passes over the same tenants keep as many as there are tenants.
func TestTenantStates_WorkerMarkers(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	ids := []string{"m0", "m1", "m2", "m3", "m4", "m5"}
	tn := testkit.New(t, ids[0], testkit.WithOtherTenants(ids[1:]...), testkit.WithClock(clock),
		testkit.WithConfig(func(c *engine.Config) { c.TenantStates = 2 }))
	_, err := worker.RunDue(context.Background(), tn.Engine.Queues(), worker.Config{})
	require.NoError(t, err)
	first := tn.Engine.TenantStateStats().Markers
	require.GreaterOrEqual(t, first, len(ids), "the pass noted what it found")
	for range 3 {
		clock.Advance(11 * time.Minute)
		_, err = worker.RunDue(context.Background(), tn.Engine.Queues(), worker.Config{})
		require.NoError(t, err)
		require.LessOrEqual(t, tn.Engine.TenantStateStats().Markers, first)
		require.LessOrEqual(t, tn.Engine.TenantStateStats().Kept, 2)
	}
	for _, id := range ids[1:] {
		require.NoError(t, tn.Engine.DeleteTenant(context.Background(), id))
	}
	require.LessOrEqual(t, tn.Engine.TenantStateStats().Markers, first/len(ids), "the deleted tenants' notes went with them")
}
