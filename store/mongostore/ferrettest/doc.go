// Package ferrettest runs the storage conformance suite and the MongoDB
// adapter's own server tests against FerretDB v1.24.0 embedded in the test
// process (SQLite handler, loopback listener): a real MongoDB wire
// protocol server for the real driver, without a MongoDB installation.
//
// It is a module of its own so that FerretDB's dependencies (PostgreSQL,
// MySQL and HANA drivers, OpenTelemetry, gRPC ...) stay out of the
// project's go.mod and out of every binary it builds. Run it with
//
//	cd store/mongostore/ferrettest && GOFLAGS=-mod=mod go test ./...
//
// (-mod=mod lets go add the checksums of modules the project's go.mod
// gained since this module's go.sum was last tidied.)
//
// FerretDB has no multi-document transactions, so the adapter runs its
// compensating mode here; the transaction mode runs against a real
// replica set when CRM_TEST_MONGODB_URI is set (see store/mongostore).
package ferrettest
