package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

const patientDef = `{"$id": "patient", "type": "object", "properties": {
  "name":   {"type": "string", "x-crm-type": "text"},
  "idCard": {"type": "string", "format": "cn-resident-id", "x-crm-type": "text", "x-crm-sensitive": true, "x-crm-unique": true},
  "mobile": {"type": "string", "format": "cn-mobile", "x-crm-type": "phone", "x-crm-sensitive": true, "x-crm-searchable": true},
  "notes":  {"type": "string", "x-crm-type": "textarea", "x-crm-sensitive": true},
  "weight": {"type": "number", "x-crm-type": "number", "x-crm-sensitive": true}}}`

func keyed(t *testing.T, st store.Store, key byte) (*engine.Engine, context.Context) {
	t.Helper()
	var k []byte
	if key != 0 {
		k = bytes.Repeat([]byte{key}, 32)
	}
	eng, err := engine.New(engine.Config{Store: st, Logger: slog.New(slog.DiscardHandler), EncryptionKey: k})
	require.NoError(t, err)
	return eng, engine.WithActor(context.Background(), engine.Actor{TenantID: "clinic", ID: "user:doc", Admin: true})
}

func TestSensitive_EncryptedAtRestAndSearchable(t *testing.T) {
	t.Parallel()
	st := sqlitestore.NewForTest(t)
	eng, ctx := keyed(t, st, 7)
	_, err := eng.CreateTenant(context.Background(), "clinic", "")
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(patientDef), engine.SaveOptions{})
	require.NoError(t, err)
	p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "王芳", "idCard": "11010519491231002X", "mobile": "13812345678", "notes": "青霉素过敏", "weight": 61.5})
	require.NoError(t, err)
	assert.Equal(t, "13812345678", p.Data["mobile"], "callers see plain values")
	got, err := eng.GetRecord(ctx, "patient", p.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": "王芳", "idCard": "11010519491231002X", "mobile": "13812345678", "notes": "青霉素过敏", "weight": 61.5}, got.Data)

	// At rest: ciphertext, and no plain value anywhere in the raw record.
	raw, err := st.Tenant(context.Background(), "clinic")
	require.NoError(t, err)
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	stored, err := raw.Get(context.Background(), cat.Object("patient"), p.ID)
	require.NoError(t, err)
	text, _ := json.Marshal(stored.Data)
	for _, plain := range []string{"11010519491231002X", "13812345678", "青霉素过敏", "61.5"} {
		assert.NotContains(t, string(text), plain)
	}
	assert.True(t, strings.HasPrefix(stored.Data["notes"].(string), "enc:v1:"))

	// Equality search works on searchable fields, and uniqueness holds.
	page, err := eng.ListRecords(ctx, "patient", engine.ListQuery{Filter: &store.Filter{Field: "mobile", Op: store.OpEq, Value: "13812345678"}})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	n, err := eng.CountRecords(ctx, "patient", &store.Filter{Field: "idCard", Op: store.OpIn, Value: []any{"11010519491231002X", "x"}})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n)
	_, err = eng.CreateRecord(ctx, "patient", map[string]any{"name": "重复", "idCard": "11010519491231002X"})
	assert.Equal(t, map[string]string{"idCard": "unique"}, fieldErrors(t, err))
	_, err = eng.ListRecords(ctx, "patient", engine.ListQuery{Filter: &store.Filter{Field: "notes", Op: store.OpContains, Value: "过敏"}})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.ErrorContains(t, err, "is encrypted")
	_, err = eng.ListRecords(ctx, "patient", engine.ListQuery{Sort: []store.Sort{{Field: "weight"}}})
	assert.ErrorContains(t, err, "cannot be sorted")

	// Updates keep them encrypted; the audit trail never holds them.
	_, err = eng.UpdateRecord(ctx, "patient", p.ID, map[string]any{"mobile": "13900001111"}, nil)
	require.NoError(t, err)
	page, err = eng.ListRecords(ctx, "patient", engine.ListQuery{Filter: &store.Filter{Field: "mobile", Op: store.OpEq, Value: "13900001111"}})
	require.NoError(t, err)
	assert.Len(t, page.Records, 1)
	entries, _, err := eng.Audit(ctx, engine.AuditQuery{RecordID: p.ID})
	require.NoError(t, err)
	auditText, _ := json.Marshal(entries)
	assert.NotContains(t, string(auditText), "1390000")

	// An export carries ciphertext; the same key imports it.
	var buf bytes.Buffer
	_, err = eng.ExportTenant(context.Background(), "clinic", &buf)
	require.NoError(t, err)
	assert.NotContains(t, buf.String(), "青霉素过敏")
	other, octx := keyed(t, sqlitestore.NewForTest(t), 7)
	_, err = other.ImportTenant(context.Background(), "clinic", bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	moved, err := other.GetRecord(octx, "patient", p.ID)
	require.NoError(t, err)
	assert.Equal(t, "青霉素过敏", moved.Data["notes"])
}

// A tenant the server did not check when it started (one made after it,
// or one of more than a hundred) is checked by its first request, inside
// that request's scope: the check must not wait for the scope it runs in.
func TestSensitive_FirstUseInsideARequest(t *testing.T) {
	t.Parallel()
	st := sqlitestore.NewForTest(t)
	maker, ctx := keyed(t, st, 7)
	_, err := maker.CreateTenant(context.Background(), "clinic", "")
	require.NoError(t, err)
	_, err = maker.SaveObject(ctx, []byte(patientDef), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = maker.CreateRecord(ctx, "patient", map[string]any{"name": "a", "notes": "机密"})
	require.NoError(t, err)

	for _, key := range []byte{7, 9} {
		eng, ctx := keyed(t, st, key) // a new server: it checked no tenant yet
		done := make(chan error, 1)
		go func() {
			_, err := eng.ListRecords(engine.WithRequest(ctx), "patient", engine.ListQuery{})
			done <- err
		}()
		select {
		case err := <-done:
			if key == 7 {
				assert.NoError(t, err, "the right key serves the tenant")
			} else {
				assert.Equal(t, engine.CodeUnavailable, engine.CodeOf(err), "another key marks it unavailable")
			}
		case <-time.After(2 * time.Minute): // a guard against a hang, not a measure of speed
			t.Fatalf("the first request of a tenant with key %d never answered", key)
		}
	}
}

func TestSensitive_KeyRequiredAndChecked(t *testing.T) {
	t.Parallel()
	st := sqlitestore.NewForTest(t)
	noKey, ctx := keyed(t, st, 0)
	_, err := noKey.CreateTenant(context.Background(), "clinic", "")
	require.NoError(t, err)
	_, err = noKey.SaveObject(ctx, []byte(patientDef), engine.SaveOptions{})
	assert.ErrorContains(t, err, "needs an encryption key", "no sensitive field without a key")

	eng, ctx := keyed(t, st, 7)
	_, err = eng.SaveObject(ctx, []byte(patientDef), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "patient", map[string]any{"name": "a", "notes": "机密"})
	require.NoError(t, err)
	problems, err := eng.CheckTenants(context.Background())
	require.NoError(t, err)
	assert.Empty(t, problems)

	wrong, wctx := keyed(t, st, 9)
	_, err = wrong.ListRecords(wctx, "patient", engine.ListQuery{})
	assert.Equal(t, engine.CodeUnavailable, engine.CodeOf(err), "a server with another key cannot read the data")
	assert.Contains(t, engine.PublicMessage(err, "en"), `tenant "clinic" is unavailable`,
		"a tenant CheckTenants did not check (a server with many tenants checks none at start) is checked and marked when first used")
	problems, err = wrong.CheckTenants(context.Background())
	require.NoError(t, err, "nor does it refuse to start")
	require.Len(t, problems, 1)
	assert.Equal(t, "clinic", problems[0].Tenant)
	assert.ErrorIs(t, problems[0].Err, engine.ErrWrongKey)
	_, err = wrong.ListRecords(wctx, "patient", engine.ListQuery{})
	assert.Equal(t, engine.CodeUnavailable, engine.CodeOf(err))
	assert.Contains(t, engine.PublicMessage(err, "en"), `tenant "clinic" is unavailable: tenant "clinic": the encryption key is not the one`, "the tenant is marked with the reason")

	none, _ := keyed(t, st, 0)
	problems, err = none.CheckTenants(context.Background())
	require.NoError(t, err)
	require.Len(t, problems, 1)
	assert.ErrorIs(t, problems[0].Err, engine.ErrNoKey, "nor can a server without a key serve it")
}

func TestSensitive_TurnedOnForExistingData(t *testing.T) {
	t.Parallel()
	st := sqlitestore.NewForTest(t)
	eng, ctx := keyed(t, st, 7)
	_, err := eng.CreateTenant(context.Background(), "clinic", "")
	require.NoError(t, err)
	plainDef := strings.ReplaceAll(strings.ReplaceAll(patientDef, `, "x-crm-sensitive": true`, ""), `, "x-crm-searchable": true`, "")
	_, err = eng.SaveObject(ctx, []byte(plainDef), engine.SaveOptions{})
	require.NoError(t, err)
	p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "a", "mobile": "13812345678", "notes": "旧数据"})
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(patientDef), engine.SaveOptions{})
	require.NoError(t, err)
	raw, err := st.Tenant(context.Background(), "clinic")
	require.NoError(t, err)
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	stored, err := raw.Get(context.Background(), cat.Object("patient"), p.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(stored.Data["notes"].(string), "enc:v1:"), "existing values are encrypted when the field becomes sensitive")
	page, err := eng.ListRecords(ctx, "patient", engine.ListQuery{Filter: &store.Filter{Field: "mobile", Op: store.OpEq, Value: "13812345678"}})
	require.NoError(t, err)
	assert.Len(t, page.Records, 1, "and become searchable")
	_, err = eng.SaveObject(ctx, []byte(plainDef), engine.SaveOptions{})
	require.NoError(t, err)
	stored, err = raw.Get(context.Background(), cat.Object("patient"), p.ID)
	require.NoError(t, err)
	assert.Equal(t, "旧数据", stored.Data["notes"], "and decrypted when it stops being sensitive")
}
