package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// tenantIDs lists an engine's tenants.
func tenantIDs(t *testing.T, eng *engine.Engine) []string {
	t.Helper()
	ts, err := eng.Tenants(context.Background())
	require.NoError(t, err)
	var out []string
	for _, x := range ts {
		out = append(out, x.ID)
	}
	return out
}

// An export imported under another tenant id keeps its sensitive fields
// readable and searchable (they are sealed again for the new id), and the
// server still checks out; an export whose key is not this server's is
// refused before anything is written (issue 13, item 10).
func TestTransfer_UnderAnotherTenantID(t *testing.T) {
	t.Parallel()
	eng, ctx := keyed(t, sqlitestore.NewForTest(t), 7)
	_, err := eng.CreateTenant(context.Background(), "clinic", "")
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(patientDef), engine.SaveOptions{})
	require.NoError(t, err)
	p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "张三", "idCard": "11010519491231002X", "mobile": "13812345678", "notes": "青霉素过敏", "weight": 61.5})
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = eng.ExportTenant(context.Background(), "clinic", &buf)
	require.NoError(t, err)
	file := buf.Bytes()
	assert.NotContains(t, string(file), "青霉素过敏", "sensitive values stay encrypted in the file")

	_, err = eng.ImportTenant(context.Background(), "clinic-copy", bytes.NewReader(file))
	require.NoError(t, err)
	cctx := engine.WithActor(context.Background(), engine.Actor{TenantID: "clinic-copy", ID: "user:doc", Admin: true})
	got, err := eng.GetRecord(cctx, "patient", p.ID)
	require.NoError(t, err)
	assert.Equal(t, "青霉素过敏", got.Data["notes"])
	assert.Equal(t, 61.5, got.Data["weight"])
	found, err := eng.ListRecords(cctx, "patient", engine.ListQuery{Filter: &store.Filter{Field: "mobile", Op: store.OpEq, Value: "13812345678"}})
	require.NoError(t, err)
	assert.Len(t, found.Records, 1, "the search hash was made again for the new tenant")
	_, err = eng.CreateRecord(cctx, "patient", map[string]any{"name": "twin", "idCard": "11010519491231002X"})
	assert.Equal(t, map[string]string{"idCard": "unique"}, fieldErrors(t, err), "uniqueness holds in the copy")
	problems, err := eng.CheckTenants(context.Background())
	require.NoError(t, err)
	assert.Empty(t, problems, "both tenants check out: the server starts")

	scenarios := []struct {
		name string
		key  byte
		err  error
	}{
		{"another key", 9, engine.ErrWrongKey},
		{"no key", 0, engine.ErrNoKey},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			other, _ := keyed(t, sqlitestore.NewForTest(t), s.key)
			_, err := other.ImportTenant(context.Background(), "clinic", bytes.NewReader(file))
			require.ErrorIs(t, err, s.err)
			assert.Equal(t, engine.CodeUnavailable, engine.CodeOf(err))
			assert.Contains(t, engine.PublicMessage(err, "en"), "key")
			assert.Empty(t, tenantIDs(t, other), "nothing was written, not even the tenant")
		})
	}
}

// Imported files are untrusted: counters below the numbers records hold,
// lookups to records the file does not hold, users with unknown roles or
// forged password hashes and roles over unknown objects are refused with
// the line named, and nothing is left behind; an import says which
// administrators it added (issue 13, item 11).
func TestTransfer_ImportChecksLikeAWrite(t *testing.T) {
	t.Parallel()
	src, ctx, _ := newPipelineEngine(t)
	withStarter(t, src, ctx)
	acc, err := src.CreateRecord(ctx, "account", map[string]any{"name": "A"})
	require.NoError(t, err)
	for range 3 {
		_, err := src.CreateRecord(ctx, "deal", map[string]any{"title": "d", "account": acc.ID})
		require.NoError(t, err)
	}
	require.NoError(t, src.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"deal": {Read: true}}}))
	for _, u := range []engine.NewUser{{Username: "boss"}, {Username: "rep", Role: "sales", Manager: "boss"}} {
		u.Password = "a long enough password"
		_, err := src.CreateUser(ctx, "acme", u)
		require.NoError(t, err)
	}
	_, file := exportLines(t, src, "acme")
	lines := strings.Split(strings.TrimSpace(string(file)), "\n")

	edit := func(match func(l map[string]any) bool, change func(l map[string]any)) string {
		out := make([]string, len(lines))
		n := 0
		for i, l := range lines {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(l), &m))
			if match(m) {
				change(m)
				b, err := json.Marshal(m)
				require.NoError(t, err)
				l = string(b)
				n++
			}
			out[i] = l
		}
		require.Positive(t, n, "the edit found its line")
		return strings.Join(out, "\n") + "\n"
	}
	record := func(object string) func(l map[string]any) bool {
		return func(l map[string]any) bool { return l["type"] == "record" && l["object"] == object }
	}
	data := func(l map[string]any) map[string]any { return l["data"].(map[string]any) }
	scenarios := []struct {
		name, file, message string
	}{
		{"a counter below the numbers records hold",
			edit(func(l map[string]any) bool { return l["type"] == "sequence" && l["name"] == "autonumber:deal.number" }, func(l map[string]any) { l["value"] = 1 }),
			"past its counter autonumber:deal.number, which the file sets to 1"},
		{"a lookup to a record the file does not hold",
			edit(record("deal"), func(l map[string]any) { data(l)["account"] = "nowhere" }),
			`account refers to account record "nowhere", which the file does not hold`},
		{"a user with a role the file does not define",
			edit(func(l map[string]any) bool { return l["type"] == "record" && l["id"] == "rep" }, func(l map[string]any) { data(l)["role"] = "ghost" }),
			`user "rep": there is no role "ghost"`},
		{"a forged password hash",
			edit(func(l map[string]any) bool { return l["type"] == "record" && l["id"] == "boss" }, func(l map[string]any) { data(l)["passwordHash"] = "plain:letmein" }),
			`user "boss": the password hash is not one this server makes`},
		{"a manager loop",
			edit(func(l map[string]any) bool { return l["type"] == "record" && l["id"] == "boss" }, func(l map[string]any) { data(l)["manager"] = "rep" }),
			"would close a loop"},
		{"a role over an object the file does not define",
			edit(record("crmRole"), func(l map[string]any) {
				data(l)["definition"] = map[string]any{"name": "sales", "objects": map[string]any{"invoice": map[string]any{"read": true}}}
			}),
			`there is no object "invoice"`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			dst, err := engine.New(engine.Config{Store: sqlitestore.NewForTest(t), Logger: slog.New(slog.DiscardHandler)})
			require.NoError(t, err)
			_, err = dst.ImportTenant(context.Background(), "copy", strings.NewReader(s.file))
			require.Error(t, err)
			assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), err.Error())
			assert.Contains(t, err.Error(), s.message)
			assert.Regexp(t, `line \d+: `, err.Error())
			assert.Empty(t, tenantIDs(t, dst), "nothing is left behind")
		})
	}

	dst, err := engine.New(engine.Config{Store: sqlitestore.NewForTest(t), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	stats, err := dst.ImportTenant(context.Background(), "copy", bytes.NewReader(file))
	require.NoError(t, err)
	assert.Equal(t, []string{"boss"}, stats.Administrators, "the import names the administrators it added")
}

// An export leaves out sessions always, and password hashes and the
// webhook secret when asked; imported users without a password cannot
// sign in until they get one (issue 13, item 12).
func TestTransfer_ExportLeavesOutSessionsAndSecrets(t *testing.T) {
	t.Parallel()
	src, ctx, _ := newPipelineEngine(t)
	_, err := src.CreateUser(ctx, "acme", engine.NewUser{Username: "li.lei", Password: "correct horse battery"})
	require.NoError(t, err)
	sess, err := src.SignIn(context.Background(), "acme", "li.lei", "correct horse battery")
	require.NoError(t, err)
	secret, err := src.WebhookSecret(ctx)
	require.NoError(t, err)

	export := func(opts engine.ExportOptions) string {
		var buf bytes.Buffer
		_, err := src.ExportTenant(context.Background(), "acme", &buf, opts)
		require.NoError(t, err)
		return buf.String()
	}
	full := export(engine.ExportOptions{})
	assert.NotContains(t, full, `"object":"crmSession"`, "sessions never leave")
	assert.NotContains(t, full, sess.CSRF)
	assert.Contains(t, full, `"passwordHash":"argon2id$`, "a full export keeps password hashes (docs/security.md)")
	assert.Contains(t, full, secret)

	bare := export(engine.ExportOptions{WithoutSecrets: true})
	assert.NotContains(t, bare, `"passwordHash":"`)
	assert.NotContains(t, bare, secret)
	assert.Contains(t, bare, `"withoutSecrets":true`)

	dst, err := engine.New(engine.Config{Store: sqlitestore.NewForTest(t), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	stats, err := dst.ImportTenant(context.Background(), "copy", strings.NewReader(bare))
	require.NoError(t, err)
	assert.Equal(t, 1, stats.WithoutPassword)
	_, err = dst.SignIn(context.Background(), "copy", "li.lei", "correct horse battery")
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err), "no password came with the user")
	pw := "a brand new password"
	_, err = dst.UpdateUser(context.Background(), "copy", "li.lei", engine.UserChange{Password: &pw})
	require.NoError(t, err)
	_, err = dst.SignIn(context.Background(), "copy", "li.lei", pw)
	require.NoError(t, err)
	cctx := engine.WithActor(context.Background(), engine.Actor{TenantID: "copy", ID: "user:li.lei", Admin: true})
	other, err := dst.WebhookSecret(cctx)
	require.NoError(t, err)
	assert.NotEqual(t, secret, other, "a new webhook secret")
}
