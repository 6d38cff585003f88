package sqlitestore

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/crmkit/crm/store"
)

// errorCode returns the extended SQLite result code of err, or 0 if err
// does not come from SQLite.
func errorCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

func isUniqueViolation(err error) bool {
	return errorCode(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

func isPrimaryKeyViolation(err error) bool {
	return errorCode(err) == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// indexInMessage finds the index name in SQLite's message for a unique
// violation of an expression index: "UNIQUE constraint failed: index 'x'".
// The error is classified by its code; the text only names the index.
var indexInMessage = regexp.MustCompile(`index '([^']+)'`)

// writeError translates a driver error of a record write on obj's table:
// a primary key clash becomes [store.ErrConflict], a unique index clash a
// [*store.UniqueError] naming the index's fields, and a missing table
// [store.ErrNotFound].
func writeError(ctx context.Context, q querier, obj string, err error) error {
	switch {
	case isPrimaryKeyViolation(err):
		return store.ErrConflict
	case isUniqueViolation(err):
		return uniqueError(ctx, q, obj, err)
	}
	return readError(ctx, q, obj, err)
}

// readError turns "no such table" for obj's table into [store.ErrNotFound]
// (the object was never saved or has been deleted) and keeps the
// context's error visible.
func readError(ctx context.Context, q querier, obj string, err error) error {
	if errorCode(err) == sqlite3.SQLITE_ERROR && ctx.Err() == nil {
		if ok, terr := tableExists(ctx, q, tableName(obj)); terr == nil && !ok {
			return &missingObjectError{object: obj}
		}
	}
	return store.ContextError(ctx, err)
}

// missingObjectError reports a record operation on an object that has no
// table.
type missingObjectError struct{ object string }

func (e *missingObjectError) Error() string {
	return "object " + e.object + " has no stored records: " + store.ErrNotFound.Error()
}

func (e *missingObjectError) Unwrap() error { return store.ErrNotFound }

func tableExists(ctx context.Context, q querier, table string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n)
	return n > 0, err
}

// uniqueError builds the [*store.UniqueError] for a unique violation,
// looking the fields of the index up in meta_indexes.
func uniqueError(ctx context.Context, q querier, obj string, err error) error {
	ue := &store.UniqueError{Object: obj}
	m := indexInMessage.FindStringSubmatch(err.Error())
	if m == nil {
		return ue
	}
	var raw string
	if qerr := q.QueryRowContext(ctx, `SELECT fields FROM meta_indexes WHERE name = ?`, m[1]).Scan(&raw); qerr != nil {
		ue.Fields = []string{m[1]}
		return ue
	}
	if jerr := json.Unmarshal([]byte(raw), &ue.Fields); jerr != nil {
		ue.Fields = []string{m[1]}
	}
	return ue
}

// overflowed reports SQLite's error for a sum of integers past the int64
// range (its sum() raises "integer overflow"; total() never does).
func overflowed(err error) bool {
	return err != nil && strings.Contains(err.Error(), "integer overflow")
}
