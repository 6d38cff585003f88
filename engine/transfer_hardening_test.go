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

// importCopy imports an export as tenant "copy" into a fresh engine.
func importCopy(t *testing.T, file []byte) (*engine.Engine, engine.TransferStats, error) {
	t.Helper()
	dst, err := engine.New(engine.Config{Store: sqlitestore.NewForTest(t), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	stats, err := dst.ImportTenant(context.Background(), "copy", bytes.NewReader(file))
	return dst, stats, err
}

// exportEditor returns a function that rewrites the lines of an export
// that match with change and returns the file; the test fails when no
// line matches.
func exportEditor(t *testing.T, lines []string) func(match func(l map[string]any) bool, change func(l map[string]any)) string {
	return func(match func(l map[string]any) bool, change func(l map[string]any)) string {
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
}

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

	edit := exportEditor(t, lines)
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
			dst, _, err := importCopy(t, []byte(s.file))
			require.Error(t, err)
			assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), err.Error())
			assert.Contains(t, err.Error(), s.message)
			assert.Regexp(t, `line \d+: `, err.Error())
			assert.Empty(t, tenantIDs(t, dst), "nothing is left behind")
		})
	}

	_, stats, err := importCopy(t, file)
	require.NoError(t, err)
	assert.Equal(t, []string{"boss"}, stats.Administrators, "the import names the administrators it added")
}

// Saved views and layouts in an imported file are checked as SaveView and
// SaveLayout check them — the object exists, the columns, filter, order
// and sections name its fields, the filter is within bounds and runs — and
// a bad one is refused with its line, leaving nothing behind (issue 13,
// item 11). Records and views keep their owners through the copy.
func TestTransfer_ImportChecksViewsAndLayouts(t *testing.T) {
	t.Parallel()
	src, ctx, _ := newPipelineEngine(t)
	withStarter(t, src, ctx)
	require.NoError(t, src.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"deal": {Read: true, Create: true}}}))
	for _, u := range []engine.NewUser{{Username: "rep", Role: "sales"}, {Username: "other", Role: "sales"}} {
		u.Password = "a long enough password"
		_, err := src.CreateUser(ctx, "acme", u)
		require.NoError(t, err)
	}
	rep := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:rep", Role: "sales"})
	repDeal, err := src.CreateRecord(rep, "deal", map[string]any{"title": "rep's"})
	require.NoError(t, err)
	_, err = src.SaveView(ctx, engine.View{Object: "deal", Name: "open", Columns: []string{"title", "stage"},
		Filter: &store.Filter{Field: "stage", Op: store.OpNin, Value: []any{"won", "lost"}}, Sort: []store.Sort{{Field: "closeDate"}}}, true)
	require.NoError(t, err)
	_, err = src.SaveView(rep, engine.View{Object: "deal", Name: "mine", Filter: &store.Filter{Field: "amount", Op: store.OpGte, Value: 10.0}}, false)
	require.NoError(t, err)
	_, err = src.SaveLayout(ctx, engine.Layout{Object: "deal", Related: nil, Sections: []engine.LayoutSection{
		{Label: schemaLabel("概要", "Summary"), Fields: []string{"title", "amount", "stage"}},
		{Label: schemaLabel("客户", "Account"), Columns: 1, Fields: []string{"account", "notes"}}}})
	require.NoError(t, err)
	_, err = src.SaveLayout(ctx, engine.Layout{Object: "account", Related: []string{"deal.account"}, Sections: []engine.LayoutSection{
		{Label: schemaLabel("概要", "Summary"), Fields: []string{"name"}}}})
	require.NoError(t, err)
	_, file := exportLines(t, src, "acme")
	lines := strings.Split(strings.TrimSpace(string(file)), "\n")

	edit := exportEditor(t, lines)
	recordID := func(id string) func(l map[string]any) bool {
		return func(l map[string]any) bool { return l["type"] == "record" && l["id"] == id }
	}
	definition := func(l map[string]any) map[string]any {
		return l["data"].(map[string]any)["definition"].(map[string]any)
	}
	conditions := make([]any, 51)
	for i := range conditions {
		conditions[i] = map[string]any{"field": "title", "op": "eq", "value": "x"}
	}
	scenarios := []struct {
		name, file, message string
	}{
		{"a view of an object the file does not define",
			edit(recordID("deal.open"), func(l map[string]any) { definition(l)["object"] = "invoice" }),
			`view "deal.open" is a view of "invoice", an object the file does not define`},
		{"a view named otherwise than its id",
			edit(recordID("deal.open"), func(l map[string]any) { definition(l)["name"] = "closed" }),
			`view "deal.open" is named "closed" of "deal" inside`},
		{"a view name that is no view name",
			edit(recordID("deal.open"), func(l map[string]any) {
				l["id"] = "deal.Open"
				definition(l)["name"] = "Open"
				l["data"].(map[string]any)["name"] = "Open"
			}),
			`"Open" is not a view name`},
		{"a column that is no field",
			edit(recordID("deal.open"), func(l map[string]any) { definition(l)["columns"] = []any{"title", "ghost"} }),
			`deal has no field "ghost"`},
		{"a filter on a field that is no field",
			edit(recordID("deal.open"), func(l map[string]any) {
				definition(l)["filter"] = map[string]any{"field": "ghost", "op": "eq", "value": 1}
			}),
			"ghost: unknown field of deal"},
		{"a filter with an operator the field does not take",
			edit(recordID("deal.open"), func(l map[string]any) {
				definition(l)["filter"] = map[string]any{"field": "amount", "op": "contains", "value": "1"}
			}),
			"operator contains does not apply"},
		{"a filter past the bounds of a filter",
			edit(recordID("deal.open"), func(l map[string]any) { definition(l)["filter"] = map[string]any{"or": conditions} }),
			"conditions"},
		{"an order on a field that is no field",
			edit(recordID("deal.open"), func(l map[string]any) { definition(l)["sort"] = []any{map[string]any{"field": "ghost"}} }),
			"ghost: unknown field of deal"},
		{"a member views do not have",
			edit(recordID("deal.open"), func(l map[string]any) { definition(l)["script"] = "x" }),
			`unknown field "script"`},
		{"a personal view made shared",
			edit(recordID("deal.mine@user:rep"), func(l map[string]any) { l["ownerId"] = "" }),
			`view "deal.mine@user:rep": its owner is "", its definition says "user:rep"`},
		{"a layout of an object the file does not define",
			edit(recordID("deal"), func(l map[string]any) { definition(l)["object"] = "invoice" }),
			`layout "deal" is the layout of "invoice", an object the file does not define`},
		{"a layout filed under another object",
			edit(recordID("account"), func(l map[string]any) { definition(l)["object"] = "deal" }),
			`layout "account" is the layout of "deal" inside`},
		{"a layout field that is no field",
			edit(recordID("deal"), func(l map[string]any) {
				definition(l)["sections"].([]any)[0].(map[string]any)["fields"] = []any{"title", "ghost"}
			}),
			`/sections/0/fields/1: deal has no field "ghost"`},
		{"a field placed twice",
			edit(recordID("deal"), func(l map[string]any) {
				definition(l)["sections"].([]any)[1].(map[string]any)["fields"] = []any{"title"}
			}),
			`"title" is placed twice`},
		{"a section without a label",
			edit(recordID("deal"), func(l map[string]any) {
				definition(l)["sections"].([]any)[0].(map[string]any)["label"] = map[string]any{}
			}),
			"/sections/0/label: needs a label"},
		{"a section of five columns",
			edit(recordID("deal"), func(l map[string]any) { definition(l)["sections"].([]any)[1].(map[string]any)["columns"] = 5 }),
			"/sections/1/columns: must be 1 to 4"},
		{"a related list that is no lookup to the object",
			edit(recordID("account"), func(l map[string]any) { definition(l)["related"] = []any{"deal.contacts"} }),
			`"deal.contacts" is not a lookup of another object to account`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			dst, _, err := importCopy(t, []byte(s.file))
			require.Error(t, err)
			assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), err.Error())
			assert.Contains(t, err.Error(), s.message)
			assert.Regexp(t, `line \d+: `, err.Error())
			assert.Empty(t, tenantIDs(t, dst), "nothing is left behind")
		})
	}

	t.Run("the file as exported", func(t *testing.T) {
		t.Parallel()
		dst, _, err := importCopy(t, file)
		require.NoError(t, err)
		admin := engine.WithActor(context.Background(), engine.Actor{TenantID: "copy", ID: "user:x", Admin: true})
		got, err := dst.GetRecord(admin, "deal", repDeal.ID)
		require.NoError(t, err)
		assert.Equal(t, "user:rep", got.OwnerID, "the record keeps its owner")
		views := func(user string) []string {
			vs, err := dst.Views(engine.WithActor(context.Background(), engine.Actor{TenantID: "copy", ID: "user:" + user, Role: "sales"}), "deal")
			require.NoError(t, err)
			var names []string
			for _, v := range vs {
				names = append(names, v.Name)
			}
			return names
		}
		assert.Equal(t, []string{"open", "mine"}, views("rep"), "the shared view and rep's own")
		assert.Equal(t, []string{"open"}, views("other"), "rep's view stays rep's")
		l, err := dst.Layout(admin, "deal")
		require.NoError(t, err)
		assert.False(t, l.Default)
		assert.Len(t, l.Sections, 2)
	})

	old := edit(func(l map[string]any) bool { _, ok := l["ownerId"]; return ok }, func(l map[string]any) { delete(l, "ownerId") })
	t.Run("an export made before owners were exported", func(t *testing.T) {
		t.Parallel()
		dst, _, err := importCopy(t, []byte(old))
		require.NoError(t, err)
		got, err := dst.GetRecord(engine.WithActor(context.Background(), engine.Actor{TenantID: "copy", ID: "user:x", Admin: true}), "deal", repDeal.ID)
		require.NoError(t, err)
		assert.Equal(t, "user:rep", got.OwnerID, "the creator owns it")
		vs, err := dst.Views(engine.WithActor(context.Background(), engine.Actor{TenantID: "copy", ID: "user:other", Role: "sales"}), "deal")
		require.NoError(t, err)
		require.Len(t, vs, 1, "a personal view stays personal")
		assert.Equal(t, "open", vs[0].Name)
	})
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

	dst, stats, err := importCopy(t, []byte(bare))
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
