package engine

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestAuditTrail_NoSystemIndexes: the audit trail's table has the
// indexes its definition declares (record, object, actor, time: the
// entry's createdBy and createdAt) and not the ones on updated_at and
// owner_id that record tables
// get, also in a tenant whose trail was made with them (they are dropped
// when the platform object is upgraded); other tables keep them. The
// trail still answers by object, record and actor.
func TestAuditTrail_NoSystemIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlitestore.New(sqlitestore.Config{Dir: dir})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	e, err := New(Config{Store: st, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = e.CreateTenant(ctx, "acme", "")
	require.NoError(t, err)
	ts, err := e.tenantStore(ctx, "acme")
	require.NoError(t, err)

	// The trail as earlier builds made it: every record table's indexes.
	old := []byte(`{"$id": "crmAudit", "type": "object", "properties": {
	  "at": {"type": "string", "format": "date-time", "x-crm-type": "datetime"}, "actor": {"type": "string", "x-crm-type": "text"},
	  "object": {"type": "string", "x-crm-type": "text"}, "record": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-indexes": [["record", "at"], ["object", "at"], ["actor", "at"], ["at"]]}`)
	obj, err := schema.ParseObject(old)
	require.NoError(t, err)
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.SaveObject(ctx, store.ObjectDoc{Name: auditObject, Version: 1, Definition: old, SavedBy: "system"}, obj)
	}))
	db, err := sql.Open("sqlite", filepath.Join(dir, "tenants", "acme.db")+"?mode=ro")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	indexed := func(table string) []string {
		rows, err := db.QueryContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY sql`, table)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var text string
			require.NoError(t, rows.Scan(&text))
			out = append(out, text[strings.Index(text, "("):])
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.Len(t, indexed("r_crmAudit"), 7, "four declared and three system indexes before")

	ctx = WithActor(ctx, Actor{ID: "user:admin", TenantID: "acme", Admin: true})
	_, err = e.SaveObject(ctx, []byte(`{"$id": "note", "type": "object", "properties": {"title": {"type": "string", "x-crm-type": "text"}}}`), SaveOptions{})
	require.NoError(t, err)
	rec, err := e.CreateRecord(ctx, "note", map[string]any{"title": "a"})
	require.NoError(t, err)
	_, err = e.UpdateRecord(ctx, "note", rec.ID, map[string]any{"title": "b"}, nil)
	require.NoError(t, err)

	// The declared ones, on the entry's createdAt and createdBy: none on
	// updated_at or owner_id, and no JSON time.
	assert.ElementsMatch(t, []string{"(created_at, id)", "(created_by, created_at, id)",
		"(data ->> '$.object', created_at, id)", "(data ->> '$.record', created_at, id)"}, indexed("r_crmAudit"))
	notes := strings.Join(indexed("r_note"), " ")
	for _, col := range []string{"created_at", "updated_at", "owner_id"} {
		assert.Contains(t, notes, col, "record tables keep their system indexes")
	}

	for _, q := range []AuditQuery{{Object: "note"}, {RecordID: rec.ID}, {Actor: "user:admin", Object: "note"}} {
		all, _, err := e.Audit(ctx, q)
		require.NoError(t, err)
		var entries []AuditEntry
		for _, en := range all {
			if en.RecordID == rec.ID {
				entries = append(entries, en)
			}
		}
		require.Len(t, entries, 2, "%+v", q)
		assert.Equal(t, AuditUpdate, entries[0].Action)
		assert.Equal(t, AuditCreate, entries[1].Action)
		assert.Equal(t, "a", entries[1].Changes["title"].New, "the creation rebuilt from the record and its update")
	}
}
