// Package mongostore is the production storage adapter of the CRM: it
// implements [store.Store] on MongoDB through go.mongodb.org/mongo-driver/v2.
//
// # Layout
//
// The system database <prefix>_system holds the collections tenants
// ({_id, name, createdAt, db}, with a unique index on db), api_keys
// (unique index on hash), and counters and leases, which several server
// processes on one database share ([store.Counters], [store.Leases]; see
// counters.go and leases.go). Every tenant has a database of its own, named by
// [DatabaseName] and recorded in its tenant document:
//
//   - meta_objects: one document per version of every object definition
//     (_id "<name>@<version>"), holding the JSON Schema text and the list
//     of indexes that version asks for;
//   - meta: the metadata revision counter and the layout version;
//   - sequences: gap-free counters;
//   - r_<object>: the records of one object. A record is
//     {_id: id, v: version, ca/ua: created/updated at, cb/ub: by, o: owner,
//     d: data, n: [top-level fields that are null]}. Times are text in
//     [store.TimeLayout] (microseconds, text order is time order). Data keys
//     MongoDB would misread ('.', '$', NUL, '~', "") are escaped reversibly.
//
// Indexes come from the object definition: x-crm-indexes, unique fields
// (partial: only records that have the field), indexed and lookup fields,
// multilookups (multikey), createdAt, updatedAt and ownerId. Indexes a new
// version no longer declares are dropped after the version is committed;
// the ownerId index is always kept.
//
// A tenant's database is brought up to this build's layout when a process
// first opens the tenant: records stored before owners existed get their
// creator as owner, and every collection the ownerId index.
//
// Queries are built from typed values only: the query's [store.Plan] has
// converted every filter value to a string, number or boolean for the
// field's type, or refused it, and every operator name comes from this
// package. A client value such as
// {"$ne": null} is therefore never an operator (V6).
//
// # Transactions
//
// New asks the server what it is. On a replica set or sharded cluster of
// MongoDB 4.4 or later, WithTx runs fn in a server transaction (read
// concern local, majority commit) and keeps the port's promise in full: all of
// fn's record writes, sequence numbers and metadata versions commit
// together or not at all, also across a crash. fn runs again (at most 5
// times) when the server reports a transient transaction error, so it must
// have no effects outside the transaction. Index changes are the one
// exception MongoDB imposes: indexes cannot be built inside a transaction
// on an existing collection, so new indexes are built before the commit
// and removed again if the transaction fails, and indexes given up are
// dropped after the commit. Such a build waits for every transaction on
// the collection to end, so a SaveObject that needs a new index on an
// object whose records the same transaction already wrote fails at once
// with a message saying so, instead of waiting for itself.
//
// Elsewhere (a standalone server, FerretDB, or Config.DisableTransactions)
// every single write is atomic, and WithTx keeps a log of how to undo the
// writes fn made: an insert is undone by deleting the record, an update by
// restoring the previous document, a delete by inserting it again, a
// sequence number by decrementing the counter. Metadata versions and the
// revision are written only once fn has returned. If fn returns an error,
// panics, or its context ends, the log is applied in reverse order, so a
// failed transaction leaves nothing behind. What does not hold there:
//
//   - isolation: other readers see fn's writes before WithTx returns, and
//     see them disappear if it fails;
//   - a crash of the process inside WithTx leaves the writes made so far;
//   - undoing is itself a write that can fail (the server went away). Then
//     WithTx returns an error wrapping [store.ErrIncompleteRollback] that
//     names every write left in place, and logs it; it never fails
//     silently half-applied;
//   - serialisation is per process: two processes writing one tenant can
//     interleave, and a rolled-back sequence number is then lost (a gap)
//     rather than reused.
//
// Run production on a replica set; the compensating mode is for
// development and for test doubles such as FerretDB.
//
// # Aggregates
//
// [store.Aggregator] is one aggregation pipeline per call on MongoDB 5.0
// or later ($match, $group on typed keys and date buckets cut by
// $dateTrunc in the aggregation's zone, the measures, the having, $sort
// on the complete order, $limit), within the operation timeout and
// without allowDiskUse. Where the server lacks the pipeline's operators
// (FerretDB; MongoDB before 4.4, or before 5.0 for buckets) the records
// are grouped by their raw values and the groups formed in the adapter,
// with the same answer and more rows read. docs/decisions.md (Aggregates
// on MongoDB) has the details and the gaps of FerretDB.
//
// # Errors
//
// Duplicate ids are [store.ErrConflict], taken unique values a
// [*store.UniqueError], stale versions [store.ErrConflict]. A server that
// cannot be reached or does not answer within the configured timeouts
// gives an error wrapping [store.ErrUnavailable] that names the hosts (never
// the credentials) and the timeouts; an ended context stays visible through
// errors.Is.
//
// Usage:
//
//	s, err := mongostore.New(mongostore.Config{URI: "mongodb://db1,db2,db3/?replicaSet=rs0"})
//	if err != nil { ... }
//	defer s.Close()
//	ts, err := s.Tenant(ctx, "acme")
package mongostore
