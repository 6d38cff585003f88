// Package storetest is the conformance suite every storage adapter passes:
// [Run] exercises a [store.Store] through its public contract only, so the
// SQLite and MongoDB adapters give identical results (T6). Only _test.go
// files import it.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t testing.TB) store.Store { return sqlitestore.NewForTest(t) })
//	}
package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Run runs the whole suite. newStore must return a fresh, empty store that
// it closes when t ends; every subtest gets its own, so they run in
// parallel.
func Run(t *testing.T, newStore func(t testing.TB) store.Store) {
	RunWith(t, newStore, Options{})
}

// Options name what an adapter (or the server behind it) cannot do. Every
// case they leave out is skipped with a message that says why; the zero
// value runs everything.
type Options struct {
	// NoIsolation: the writes of a transaction that has not returned yet
	// are visible to readers outside it. True of the MongoDB adapter where
	// the server has no multi-document transactions (FerretDB, a
	// standalone server): it applies writes at once and undoes them if the
	// transaction fails.
	NoIsolation bool
	// AggregateSubset: the server runs only part of the aggregations of
	// [store.Aggregator]: count and sum grouped by fields that are not
	// dates; the other aggregate cases are skipped and run against a
	// server that has them. FerretDB lacks $avg, $min, $max, $addToSet
	// and the date operators, but the MongoDB adapter needs no subset
	// there: it groups by raw values and forms the groups itself.
	AggregateSubset bool
	// NoAtomicUpdates: the server applies an update as a read and then a
	// write, so that concurrent increments of one document can be lost
	// (FerretDB 1.x on SQLite; inserts of one _id still exclude each
	// other). The case of concurrent shared counters is skipped.
	NoAtomicUpdates bool
}

// RunWith runs the suite without the cases opts rule out.
func RunWith(t *testing.T, newStore func(t testing.TB) store.Store, opts Options) {
	scenarios := []struct {
		name string
		run  func(t *testing.T, newStore func(t testing.TB) store.Store)
	}{
		{name: "tenants and keys", run: testTenantsAndKeys},
		{name: "tenant delete and key move", run: testDeleteTenant},
		{name: "metadata", run: testMetadata},
		{name: "records", run: testRecords},
		{name: "unique", run: testUnique},
		{name: "versions", run: testVersions},
		{name: "filters", run: testFilters},
		{name: "sort", run: testSort},
		{name: "pagination", run: testPagination},
		{name: "fields", run: testFields},
		{name: "count", run: testCount},
		{name: "sum", run: testSum},
		{name: "money", run: testMoney},
		{name: "aggregate", run: func(t *testing.T, newStore func(t testing.TB) store.Store) {
			testAggregate(t, newStore, opts)
		}},
		{name: "data version", run: testDataVersion},
		{name: "sequences", run: testSequences},
		{name: "isolation", run: testIsolation},
		{name: "owner", run: testOwner},
		{name: "transactions", run: testTransactions},
		{name: "savepoints", run: testSavepoints},
		{name: "insert many", run: testInsertMany},
		{name: "blobs", run: testBlobs},
		{name: "counters", run: func(t *testing.T, newStore func(t testing.TB) store.Store) {
			testCounters(t, newStore, opts)
		}},
		{name: "leases", run: testLeases},
		{name: "due index", run: testDueIndex},
		{name: "due objects", run: testDueObjects},
		{name: "isolation claim", run: func(t *testing.T, newStore func(t testing.TB) store.Store) {
			testIsolationClaim(t, newStore, opts)
		}},
		{name: "transaction isolation", run: func(t *testing.T, newStore func(t testing.TB) store.Store) {
			if opts.NoIsolation {
				t.Skip("skipped: this store shows a transaction's writes before it commits (no server transactions); it runs against a MongoDB replica set (CRM_TEST_MONGODB_URI)")
			}
			testTxIsolation(t, newStore)
		}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.run(t, newStore)
		})
	}
}

// base is the fixtures' clock: whole microseconds, as stored.
var base = time.Date(2024, 3, 1, 9, 0, 0, 123456000, time.UTC)

// dealObject is an object with a field of every kind.
func dealObject() *schema.Object {
	return &schema.Object{
		Name:  "deal",
		Title: "Deal",
		Fields: []*schema.Field{
			{Name: "name", Type: schema.TypeText},
			{Name: "code", Type: schema.TypeText, Unique: true},
			{Name: "stage", Type: schema.TypePicklist, Options: []string{"new", "won", "lost"}},
			{Name: "amount", Type: schema.TypeCurrency},
			{Name: "qty", Type: schema.TypeInteger},
			{Name: "won", Type: schema.TypeBoolean},
			{Name: "closeDate", Type: schema.TypeDate},
			{Name: "closedAt", Type: schema.TypeDateTime},
			{Name: "email", Type: schema.TypeEmail, Indexed: true},
			{Name: "notes", Type: schema.TypeTextarea},
			{Name: "account", Type: schema.TypeLookup, Target: "account"},
			{Name: "tags", Type: schema.TypeMultiPicklist, Options: []string{"hot", "cold", "big", "vip"}},
			{Name: "contacts", Type: schema.TypeMultiLookup, Target: "contact"},
			{Name: "shipTo", Type: schema.TypeAddress},
			{Name: "extra", Type: schema.TypeJSON},
		},
		Indexes: [][]string{{"stage", "closeDate"}},
	}
}

// itemObject is a smaller object for sorting and paging.
func itemObject() *schema.Object {
	return &schema.Object{
		Name: "item",
		Fields: []*schema.Field{
			{Name: "rank", Type: schema.TypeInteger},
			{Name: "score", Type: schema.TypeNumber},
			{Name: "label", Type: schema.TypeText},
			{Name: "flag", Type: schema.TypeBoolean},
			{Name: "day", Type: schema.TypeDate},
			{Name: "owner", Type: schema.TypeLookup, Target: "user"},
			{Name: "tags", Type: schema.TypeMultiPicklist, Options: []string{"a", "b"}},
			{Name: "addr", Type: schema.TypeAddress},
			{Name: "extra", Type: schema.TypeJSON},
		},
		Indexes: [][]string{{"rank", "label"}},
	}
}

// definition is a stand-in for the JSON Schema document of obj at a
// version.
func definition(obj *schema.Object, version int64) json.RawMessage {
	props := map[string]any{}
	for _, f := range obj.Fields {
		props[f.Name] = map[string]any{"x-crm-type": string(f.Type)}
	}
	b, err := json.Marshal(map[string]any{"$id": obj.Name, "title": obj.Title, "x-crm-version": version, "properties": props})
	if err != nil {
		panic(err)
	}
	return b
}

func objectDoc(obj *schema.Object, version int64) store.ObjectDoc {
	return store.ObjectDoc{
		Name:       obj.Name,
		Version:    version,
		Definition: definition(obj, version),
		SavedAt:    base.Add(time.Duration(version) * time.Minute),
		SavedBy:    "admin",
	}
}

// newTenant creates a tenant in s and returns its store.
func newTenant(t testing.TB, s store.Store, id string) store.TenantStore {
	t.Helper()
	require.NoError(t, s.CreateTenant(t.Context(), store.Tenant{ID: id, Name: "Tenant " + id, CreatedAt: base}))
	ts, err := s.Tenant(t.Context(), id)
	require.NoError(t, err)
	return ts
}

// saveObject stores obj as the given version.
func saveObject(t testing.TB, ts store.TenantStore, obj *schema.Object, version int64) {
	t.Helper()
	require.NoError(t, ts.WithTx(t.Context(), func(tx store.Tx) error {
		return tx.SaveObject(t.Context(), objectDoc(obj, version), obj)
	}))
	obj.Version = version
}

// record builds a version-1 record created at base+offset.
func record(id string, offset time.Duration, data map[string]any) store.Record {
	at := base.Add(offset)
	return store.Record{ID: id, Version: 1, CreatedAt: at, UpdatedAt: at, CreatedBy: "u1", UpdatedBy: "u1", Data: data}
}

// insert stores records in one transaction.
func insert(t testing.TB, ts store.TenantStore, obj *schema.Object, recs ...store.Record) {
	t.Helper()
	require.NoError(t, ts.WithTx(t.Context(), func(tx store.Tx) error {
		for _, r := range recs {
			if err := tx.Insert(t.Context(), obj, r); err != nil {
				return err
			}
		}
		return nil
	}))
}

// ids lists the ids of records in order.
func ids(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

// requireSameRecord compares two records field by field, times by
// instant.
func requireSameRecord(t testing.TB, want, got store.Record) {
	t.Helper()
	require.Equal(t, want.ID, got.ID)
	require.Equal(t, want.Version, got.Version, "version of %s", want.ID)
	require.True(t, want.CreatedAt.Equal(got.CreatedAt), "createdAt of %s: want %s, got %s", want.ID, want.CreatedAt, got.CreatedAt)
	require.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "updatedAt of %s: want %s, got %s", want.ID, want.UpdatedAt, got.UpdatedAt)
	require.Equal(t, want.CreatedBy, got.CreatedBy)
	require.Equal(t, want.UpdatedBy, got.UpdatedBy)
	wantData := want.Data
	if wantData == nil {
		wantData = map[string]any{}
	}
	require.Equal(t, roundTrip(t, wantData), got.Data, "data of %s", want.ID)
}

// roundTrip returns v as JSON would decode it (numbers as float64).
func roundTrip(t testing.TB, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}
