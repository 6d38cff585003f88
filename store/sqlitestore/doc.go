// Package sqlitestore is the embedded storage adapter of the CRM: it
// implements [store.Store] on SQLite through the pure-Go modernc.org/sqlite
// driver.
//
// Layout on disk: <Dir>/system.db holds tenants and API keys, and every
// tenant has its own file <Dir>/tenants/<id>.db with its object definitions
// (meta_objects), a metadata revision counter (meta_revision), gap-free
// counters (sequences) and one table r_<object> per object. A record is a
// row with its system fields as columns and its data as JSONB, in a
// WITHOUT ROWID table keyed by id, createdAt and updatedAt as integers of
// microseconds (field.go: storedTime, timeBounds); the indexes
// an object declares (x-crm-indexes, unique and indexed fields, lookups)
// are expression indexes over data ->> '$.field', and queries use the very
// same expression text so that SQLite can use them. Every record table
// also has indexes on created_at, updated_at and owner_id. Queries and
// indexes are planned in package store ([store.PlanQuery],
// [store.IndexSpecs]); this package renders them into SQL.
//
// Aggregations ([store.Aggregator]) are one GROUP BY statement over the
// same column expressions. Dates are cut into buckets by SQLite's date
// functions; date-times by the SQL function crm_bucket, which this
// package registers with the driver once per process and which calls
// [store.BucketStart] in the aggregation's zone, as SQLite knows no time
// zones (docs/decisions.md, "Aggregates on the embedded store").
//
// Each kind of file has a layout version (PRAGMA user_version); opening an
// older file migrates it in one transaction. Tenant files of version 3 and
// below had no owner_id: their records get their creator as owner. Those
// of version 4 and below had record tables with a rowid and times as
// text: each is rebuilt, and the file compacted (tenant.go:
// rebuildRecordTables).
//
// Every database runs in WAL mode with busy_timeout set first, a separate
// writer pool of exactly one connection whose transactions start with
// BEGIN IMMEDIATE (so a transaction that reads then writes never fails
// with SQLITE_BUSY), and a bounded reader pool with a capped page cache.
//
// Tenant databases are opened on demand and kept in a bounded cache
// (Config.OpenTenants, least recently used closed first); the
// [store.TenantStore] of a tenant is a handle that holds its database for
// each call and for a transaction's whole life (cache.go).
//
// Usage:
//
//	s, err := sqlitestore.New(sqlitestore.Config{Dir: "./data"})
//	if err != nil { ... }
//	defer s.Close()
//	ts, err := s.Tenant(ctx, "acme")
//
// Tests of other packages use [NewForTest] for a fresh store in a temporary
// directory.
package sqlitestore
