package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// sharingDeal is a deal with a pipeline, shared as sharing says.
func sharingDeal(sharing string) string {
	return `{"$id": "deal", "type": "object", "x-crm-sharing": "` + sharing + `",
	  "properties": {
	    "title": {"type": "string", "x-crm-type": "text"},
	    "stage": {"type": "string", "enum": ["open", "won"], "default": "open", "x-crm-type": "picklist",
	      "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}]}}
	  }}`
}

// salesTeam is an organisation: boss ← lead ← (rep1, rep2 of team east);
// rep3 of team west reports to no one; all in role sales.
func salesTeam(t *testing.T, eng *engine.Engine, ctx context.Context) map[string]context.Context {
	t.Helper()
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"*": {Read: true, Create: true, Update: true, Delete: true}}}))
	people := []engine.NewUser{
		{Username: "boss"}, {Username: "lead", Manager: "boss"},
		{Username: "rep1", Manager: "lead", Team: "east"}, {Username: "rep2", Manager: "lead", Team: "east"},
		{Username: "rep3", Team: "west"},
	}
	out := map[string]context.Context{}
	for _, p := range people {
		p.Role, p.Password = "sales", "a long enough password"
		_, err := eng.CreateUser(ctx, "acme", p)
		require.NoError(t, err)
		out[p.Username] = engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:" + p.Username, Role: "sales"})
	}
	return out
}

func visibleTitles(t *testing.T, eng *engine.Engine, ctx context.Context, f *store.Filter) []string {
	t.Helper()
	page, err := eng.ListRecords(ctx, "deal", engine.ListQuery{Filter: f, Sort: []store.Sort{{Field: "title"}}, WithTotal: true})
	require.NoError(t, err)
	var out []string
	for _, r := range page.Records {
		out = append(out, r.Data["title"].(string))
	}
	assert.EqualValues(t, len(out), page.Total, "the total counts only what the list shows")
	n, err := eng.CountRecords(ctx, "deal", f)
	require.NoError(t, err)
	assert.EqualValues(t, len(out), n, "the count agrees with the list")
	return out
}

func TestSharing_Private(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.SaveObject(ctx, []byte(sharingDeal("private")), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "note", "type": "object", "properties": {
	    "text": {"type": "string", "x-crm-type": "text"},
	    "deal": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "deal"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "probe", "type": "object", "properties": {"seen": {"type": "string", "x-crm-type": "text"}, "target": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-scripts": [{"name": "look", "kind": "beforeSave", "source": "var all = crm.find('deal', {}, {limit: 50}); var one = crm.get('deal', ctx.record.target); ctx.set('seen', JSON.stringify([all.map(function (d) { return d.title }).sort(), one ? one.ownerId : null]))"}]}`), engine.SaveOptions{})
	require.NoError(t, err)
	as := salesTeam(t, eng, ctx)

	ids := map[string]string{}
	for _, who := range []string{"boss", "lead", "rep1", "rep2", "rep3"} {
		rec, err := eng.CreateRecord(as[who], "deal", map[string]any{"title": who})
		require.NoError(t, err)
		assert.Equal(t, "user:"+who, rec.OwnerID, "the creator owns a new record")
		ids[who] = rec.ID
	}
	mine, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "admin"})
	require.NoError(t, err)
	ids["admin"] = mine.ID

	sees := map[string][]string{
		"boss": {"boss", "lead", "rep1", "rep2"}, // everyone below, not rep3
		"lead": {"lead", "rep1", "rep2"},
		"rep1": {"rep1", "rep2"}, // own and the team's
		"rep2": {"rep1", "rep2"},
		"rep3": {"rep3"},
	}
	for who, want := range sees {
		t.Run("reads of "+who, func(t *testing.T) {
			c := as[who]
			assert.Equal(t, want, visibleTitles(t, eng, c, nil))
			for owner, id := range ids {
				_, err := eng.GetRecord(c, "deal", id)
				if slices.Contains(want, owner) {
					assert.NoError(t, err)
				} else {
					assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "%s reads %s's record", who, owner)
				}
			}
			// Filters cannot reach past the sharing, whatever they say.
			assert.Empty(t, visibleTitles(t, eng, c, &store.Filter{Field: "ownerId", Op: store.OpEq, Value: "user:admin"}))
			assert.Equal(t, want, visibleTitles(t, eng, c, &store.Filter{Or: []store.Filter{
				{Field: "title", Op: store.OpNe, Value: "x"}, {Field: "ownerId", Op: store.OpIsNull, Value: false}}}))
			got, err := eng.GetRecords(c, "deal", []string{ids["boss"], ids["rep3"], ids["admin"], ids["rep1"]}, nil)
			require.NoError(t, err)
			var titles []string
			for _, r := range got {
				titles = append(titles, r.Data["title"].(string))
			}
			slices.Sort(titles)
			var wantBatch []string
			for _, o := range []string{"boss", "rep1", "rep3"} {
				if slices.Contains(want, o) {
					wantBatch = append(wantBatch, o)
				}
			}
			assert.Equal(t, wantBatch, titles, "relation look-ups show only visible records")

			cols, err := eng.Board(c, "deal", "stage", engine.ListQuery{})
			require.NoError(t, err)
			assert.EqualValues(t, len(want), cols[0].Total, "the board counts only visible records")
			assert.Len(t, cols[0].Records, len(want))

			hist, err := eng.StageHistory(c, "deal", "stage", []string{ids["rep3"], ids["admin"]})
			require.NoError(t, err)
			if who != "rep3" {
				assert.Empty(t, hist, "no history of records out of sight")
			}

			probe, err := eng.CreateRecord(c, "probe", map[string]any{"target": ids["rep3"]})
			require.NoError(t, err)
			var seen []any
			require.NoError(t, json.Unmarshal([]byte(probe.Data["seen"].(string)), &seen))
			wantOwner := any(nil)
			if who == "rep3" {
				wantOwner = "user:rep3"
			}
			assert.Equal(t, []any{toAny(want), wantOwner}, seen, "scripts see what their user sees")
		})
	}

	t.Run("administrators see everything", func(t *testing.T) {
		assert.Equal(t, []string{"admin", "boss", "lead", "rep1", "rep2", "rep3"}, visibleTitles(t, eng, ctx, nil))
	})

	t.Run("relations", func(t *testing.T) {
		note, err := eng.CreateRecord(ctx, "note", map[string]any{"text": "n", "deal": ids["rep3"]})
		require.NoError(t, err)
		_, err = eng.CreateRecord(as["rep1"], "note", map[string]any{"text": "x", "deal": ids["rep3"]})
		assert.Error(t, err, "a lookup to a record out of sight is refused")
		related, err := eng.ListRelated(as["rep3"], "note", "deal", []string{ids["rep3"]}, engine.ListQuery{})
		require.NoError(t, err)
		assert.Len(t, related[ids["rep3"]].Records, 1)
		assert.Equal(t, note.ID, related[ids["rep3"]].Records[0].ID)
	})

	t.Run("changes", func(t *testing.T) {
		_, err := eng.UpdateRecord(as["rep1"], "deal", ids["rep2"], map[string]any{"title": "rep2!"}, nil)
		assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "a teammate sees but does not change")
		_, err = eng.UpdateRecord(as["rep1"], "deal", ids["rep3"], map[string]any{"title": "rep3!"}, nil)
		assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a record out of sight does not exist")
		assert.Equal(t, engine.CodeForbidden, engine.CodeOf(eng.DeleteRecord(as["rep2"], "deal", ids["rep1"])))
		assert.Equal(t, engine.CodeNotFound, engine.CodeOf(eng.DeleteRecord(as["rep3"], "deal", ids["rep1"])))
		got, err := eng.UpdateRecord(as["boss"], "deal", ids["rep1"], map[string]any{"title": "rep1"}, nil)
		require.NoError(t, err, "a manager's manager changes it")
		assert.Equal(t, "user:rep1", got.OwnerID)
		_, err = eng.UpdateRecord(as["rep1"], "deal", ids["rep1"], map[string]any{"stage": "won"}, nil)
		require.NoError(t, err)
	})

	t.Run("transfer", func(t *testing.T) {
		_, err := eng.TransferRecord(as["rep2"], "deal", ids["rep1"], "rep2")
		assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "a teammate may not take a record")
		_, err = eng.TransferRecord(as["rep1"], "deal", ids["rep1"], "nobody")
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
		assert.ErrorContains(t, err, `"nobody" is not an active user`)
		got, err := eng.TransferRecord(as["rep1"], "deal", ids["rep1"], "user:rep3")
		require.NoError(t, err)
		assert.Equal(t, "user:rep3", got.OwnerID)
		assert.Equal(t, []string{"rep2"}, visibleTitles(t, eng, as["rep1"], nil), "the old owner lost it")
		assert.Equal(t, []string{"rep1", "rep3"}, visibleTitles(t, eng, as["rep3"], nil), "the new owner has it")
		assert.Equal(t, []string{"boss", "lead", "rep2"}, visibleTitles(t, eng, as["boss"], nil))
		again, err := eng.TransferRecord(as["rep3"], "deal", ids["rep1"], "rep3")
		require.NoError(t, err)
		assert.Equal(t, got.Version, again.Version, "a transfer to the owner changes nothing")

		entries, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "deal", RecordID: ids["rep1"]})
		require.NoError(t, err)
		var moves int
		for _, e := range entries {
			if c, ok := e.Changes["ownerId"]; ok {
				moves++
				assert.Equal(t, engine.FieldChange{Old: "user:rep1", New: "user:rep3"}, c)
				assert.Equal(t, "user:rep1", e.Actor)
			}
		}
		assert.Equal(t, 1, moves, "the transfer is audited once")
	})

	t.Run("a deactivated user's records stay with the chain", func(t *testing.T) {
		off := false
		_, err := eng.UpdateUser(ctx, "acme", "rep2", engine.UserChange{Active: &off})
		require.NoError(t, err)
		_, err = eng.TransferRecord(ctx, "deal", ids["lead"], "rep2")
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "no transfer to a deactivated user")
		assert.Contains(t, visibleTitles(t, eng, as["lead"], nil), "rep2")
	})
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func TestSharing_ReadOnlyAndReadWrite(t *testing.T) {
	t.Parallel()
	for _, sharing := range []string{"readOnly", "readWrite"} {
		t.Run(sharing, func(t *testing.T) {
			t.Parallel()
			eng, ctx, _ := newEngine(t)
			_, err := eng.SaveObject(ctx, []byte(sharingDeal(sharing)), engine.SaveOptions{})
			require.NoError(t, err)
			as := salesTeam(t, eng, ctx)
			rec, err := eng.CreateRecord(as["rep1"], "deal", map[string]any{"title": "rep1"})
			require.NoError(t, err)
			for _, who := range []string{"boss", "lead", "rep2", "rep3"} {
				assert.Equal(t, []string{"rep1"}, visibleTitles(t, eng, as[who], nil), "%s sees it", who)
			}
			_, err = eng.UpdateRecord(as["rep3"], "deal", rec.ID, map[string]any{"title": "rep3 was here"}, nil)
			_, terr := eng.TransferRecord(as["rep3"], "deal", rec.ID, "rep3")
			derr := eng.DeleteRecord(as["rep2"], "deal", rec.ID)
			if sharing == "readOnly" {
				assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
				assert.ErrorContains(t, err, "only the owner of this deal record, the people they report to and administrators may change it")
				assert.Equal(t, engine.CodeForbidden, engine.CodeOf(terr))
				assert.Equal(t, engine.CodeForbidden, engine.CodeOf(derr))
				_, err = eng.UpdateRecord(as["lead"], "deal", rec.ID, map[string]any{"title": "lead was here"}, nil)
				assert.NoError(t, err, "the owner's manager may")
			} else {
				assert.NoError(t, err)
				assert.NoError(t, terr)
				assert.NoError(t, derr)
			}
		})
	}
}

func TestSharing_ChangeOfDefaultAndHierarchy(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.SaveObject(ctx, []byte(sharingDeal("readWrite")), engine.SaveOptions{})
	require.NoError(t, err)
	as := salesTeam(t, eng, ctx)
	_, err = eng.CreateRecord(as["rep3"], "deal", map[string]any{"title": "rep3"})
	require.NoError(t, err)
	assert.Equal(t, []string{"rep3"}, visibleTitles(t, eng, as["rep1"], nil))

	_, err = eng.SaveObject(ctx, []byte(sharingDeal("private")), engine.SaveOptions{})
	require.NoError(t, err)
	assert.Empty(t, visibleTitles(t, eng, as["rep1"], nil), "a stricter default applies from the next request")
	assert.Empty(t, visibleTitles(t, eng, as["boss"], nil))

	lead := "boss"
	_, err = eng.UpdateUser(ctx, "acme", "rep3", engine.UserChange{Manager: &lead})
	require.NoError(t, err)
	assert.Equal(t, []string{"rep3"}, visibleTitles(t, eng, as["boss"], nil), "a new report's records reach the manager")
	assert.Empty(t, visibleTitles(t, eng, as["lead"], nil), "but not the manager's other reports")

	_, err = eng.SaveObject(ctx, []byte(sharingDeal("secret")), engine.SaveOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "x-crm-sharing")
}

func TestMasking_PerRole(t *testing.T) {
	t.Parallel()
	eng, ctx := keyed(t, sqlitestore.NewForTest(t), 9)
	_, err := eng.CreateTenant(ctx, "clinic", "Clinic")
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(`{"$id": "patient", "type": "object", "properties": {
	    "name":   {"type": "string", "x-crm-type": "text"},
	    "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-sensitive": true},
	    "idNo":   {"type": "string", "x-crm-type": "text", "x-crm-sensitive": true, "x-crm-searchable": true},
	    "email":  {"type": "string", "format": "email", "x-crm-type": "email"},
	    "age":    {"type": "integer", "x-crm-type": "integer"},
	    "blood":  {"type": "string", "enum": ["A", "B"], "x-crm-type": "picklist"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	rec, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "张三", "mobile": "13812345678", "idNo": "110101199003071234", "email": "zhang.san@example.com", "age": 40})
	require.NoError(t, err)
	masked := map[string]string{"mobile": engine.FieldMasked, "idNo": engine.FieldMasked, "email": engine.FieldMasked}
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "nurse", Objects: map[string]engine.ObjectAccess{
		"patient": {Read: true, Update: true, Create: true, Fields: masked}}}))
	nurse := engine.WithActor(context.Background(), engine.Actor{TenantID: "clinic", ID: "user:nurse", Role: "nurse"})

	want := map[string]any{"name": "张三", "mobile": "138****5678", "idNo": "110***********1234", "email": "z***@example.com", "age": 40.0}
	got, err := eng.GetRecord(nurse, "patient", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got.Data)
	page, err := eng.ListRecords(nurse, "patient", engine.ListQuery{})
	require.NoError(t, err)
	assert.Equal(t, want, page.Records[0].Data)
	full, err := eng.GetRecord(ctx, "patient", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, "13812345678", full.Data["mobile"], "administrators see the value")

	for _, q := range []engine.ListQuery{
		{Filter: &store.Filter{Field: "mobile", Op: store.OpEq, Value: "13812345678"}},
		{Filter: &store.Filter{Field: "idNo", Op: store.OpEq, Value: "110101199003071234"}},
		{Filter: &store.Filter{Field: "email", Op: store.OpStartsWith, Value: "zhang"}},
		{Sort: []store.Sort{{Field: "email"}}},
	} {
		_, err := eng.ListRecords(nurse, "patient", q)
		assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "no guessing a masked value through %+v", q)
	}
	// A form sends back what it showed: the masked copy is never written.
	upd, err := eng.UpdateRecord(nurse, "patient", rec.ID, map[string]any{"age": 41, "mobile": "138****5678", "email": "z***@example.com"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "138****5678", upd.Data["mobile"], "a write returns masked values too")
	assert.Equal(t, int64(2), upd.Version)
	full, err = eng.GetRecord(ctx, "patient", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, "13812345678", full.Data["mobile"])
	assert.Equal(t, "zhang.san@example.com", full.Data["email"])
	// A new value replaces the stored one; the role still sees it masked.
	upd, err = eng.UpdateRecord(nurse, "patient", rec.ID, map[string]any{"mobile": "13900001111"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "139****1111", upd.Data["mobile"])
	full, err = eng.GetRecord(ctx, "patient", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, "13900001111", full.Data["mobile"])
	created, err := eng.CreateRecord(nurse, "patient", map[string]any{"name": "李四", "mobile": "13700002222"})
	require.NoError(t, err, "the role enters a new patient's number")
	assert.Equal(t, "137****2222", created.Data["mobile"])
	nothing, err := eng.UpdateRecord(nurse, "patient", created.ID, map[string]any{"mobile": "137****2222"}, nil)
	require.NoError(t, err)
	assert.Equal(t, created.Version, nothing.Version, "sending the mask back changes nothing")

	for field, why := range map[string]string{"age": "number", "blood": "picklist", "nope": "no field"} {
		err := eng.SaveRole(ctx, engine.Role{Name: "x", Objects: map[string]engine.ObjectAccess{"patient": {Read: true, Fields: map[string]string{field: engine.FieldMasked}}}})
		assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "masking a %s field", why)
	}
}

func TestSharing_RoundRobinOwner(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	as := salesTeam(t, eng, ctx)
	_, err := eng.SaveObject(ctx, []byte(`{"$id": "lead", "type": "object", "x-crm-sharing": "private",
	  "properties": {"name": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-automations": [{"name": "route", "trigger": {"event": "created"},
	    "actions": [{"type": "assignRoundRobin", "field": "ownerId", "values": ["user:rep1", "user:rep2", "user:rep3"]}]}]}`), engine.SaveOptions{})
	require.NoError(t, err)
	off := false
	_, err = eng.UpdateUser(ctx, "acme", "rep2", engine.UserChange{Active: &off})
	require.NoError(t, err)

	var owners []string
	for i := range 4 {
		rec, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": fmt.Sprint("lead ", i)})
		require.NoError(t, err)
		owners = append(owners, rec.OwnerID)
	}
	assert.Equal(t, []string{"user:rep1", "user:rep3", "user:rep3", "user:rep1"}, owners, "a deactivated user's turn goes to the next")
	page, err := eng.ListRecords(as["rep1"], "lead", engine.ListQuery{})
	require.NoError(t, err)
	assert.Len(t, page.Records, 2, "the assigned owner sees the lead")

	entries, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "lead", Action: engine.AuditCreate})
	require.NoError(t, err)
	require.Len(t, entries, 4)
	assert.Equal(t, engine.FieldChange{Old: "user:test", New: "user:rep1"}, entries[len(entries)-1].Changes["ownerId"], "the assignment is in the trail")

	_, err = eng.SaveObject(ctx, []byte(`{"$id": "lead2", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-automations": [{"name": "route", "trigger": {"event": "created"},
	    "actions": [{"type": "assignRoundRobin", "field": "ownerId", "values": ["rep1"]}]}]}`), engine.SaveOptions{})
	assert.ErrorContains(t, err, `"rep1": the owner rotation lists users as user:NAME`)
}

// TestSharing_Matrix checks every door against every relation between a
// viewer and a record's owner under each organisation-wide default, and
// compares the generated matrix with the expected one. Y: allowed or
// visible; N: absent (NOT_FOUND); F: FORBIDDEN.
func TestSharing_Matrix(t *testing.T) {
	t.Parallel()
	const reads, writes = "get list count search relation board history scriptFind scriptGet", "update transfer delete"
	all := "YYYYYYYYY|YYY"
	want := map[string]map[string]string{
		"readWrite": {"owner": all, "mgr": all, "boss": all, "report": all, "mate": all, "stranger": all, "admin": all},
		"readOnly": {"owner": all, "mgr": all, "boss": all, "admin": all,
			"report": "YYYYYYYYY|FFF", "mate": "YYYYYYYYY|FFF", "stranger": "YYYYYYYYY|FFF"},
		"private": {"owner": all, "mgr": all, "boss": all, "admin": all,
			"mate": "YYYYYYYYY|FFF", "report": "NNNNNNNNN|NNN", "stranger": "NNNNNNNNN|NNN"},
	}
	viewers := []string{"owner", "mgr", "boss", "report", "mate", "stranger", "admin"}
	for sharing, expected := range want {
		t.Run(sharing, func(t *testing.T) {
			t.Parallel()
			eng, ctx, _ := newEngine(t)
			_, err := eng.SaveObject(ctx, []byte(sharingDeal(sharing)), engine.SaveOptions{})
			require.NoError(t, err)
			_, err = eng.SaveObject(ctx, []byte(`{"$id": "probe", "type": "object", "properties": {"seen": {"type": "string", "x-crm-type": "text"}, "target": {"type": "string", "x-crm-type": "text"}},
			  "x-crm-scripts": [{"name": "look", "kind": "beforeSave", "source": "ctx.set('seen', JSON.stringify([crm.find('deal', {field: 'id', op: 'eq', value: ctx.record.target}).length, crm.get('deal', ctx.record.target) ? 1 : 0]))"}]}`), engine.SaveOptions{})
			require.NoError(t, err)
			require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
				"*": {Read: true, Create: true, Update: true, Delete: true}}}))
			as := map[string]context.Context{"admin": ctx}
			for _, u := range []engine.NewUser{
				{Username: "boss"}, {Username: "mgr", Manager: "boss", Team: "alpha"},
				{Username: "owner", Manager: "mgr", Team: "alpha"}, {Username: "mate", Manager: "boss", Team: "alpha"},
				{Username: "report", Manager: "owner"}, {Username: "stranger", Team: "beta"},
			} {
				u.Role, u.Password = "sales", "a long enough password"
				_, err := eng.CreateUser(ctx, "acme", u)
				require.NoError(t, err)
				as[u.Username] = engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:" + u.Username, Role: "sales"})
			}
			n := 0
			newDeal := func() string {
				n++
				rec, err := eng.CreateRecord(as["owner"], "deal", map[string]any{"title": fmt.Sprintf("token%03d", n)})
				require.NoError(t, err)
				return rec.ID
			}
			letter := func(err error) string {
				switch engine.CodeOf(err) {
				case "":
					return "Y"
				case engine.CodeNotFound:
					return "N"
				case engine.CodeForbidden:
					return "F"
				}
				t.Logf("unexpected error: %v", err)
				return "?"
			}
			yn := func(ok bool) string {
				if ok {
					return "Y"
				}
				return "N"
			}
			// seenIn tells a page with the record from one without it; a
			// total that disagrees with the page is a leak ("!").
			seenIn := func(page *engine.ListResult) string {
				switch {
				case len(page.Records) == 1 && page.Total == 1:
					return "Y"
				case len(page.Records) == 0 && page.Total == 0:
					return "N"
				}
				return "!"
			}
			got := map[string]string{}
			for _, v := range viewers {
				c := as[v]
				id := newDeal()
				title := fmt.Sprintf("token%03d", n)
				byID := &store.Filter{Field: "id", Op: store.OpEq, Value: id}
				var row string
				_, err := eng.GetRecord(c, "deal", id)
				row += letter(err)
				page, err := eng.ListRecords(c, "deal", engine.ListQuery{Filter: byID, WithTotal: true})
				require.NoError(t, err)
				row += seenIn(page)
				cnt, err := eng.CountRecords(c, "deal", byID)
				require.NoError(t, err)
				row += yn(cnt == 1)
				page, err = eng.ListRecords(c, "deal", engine.ListQuery{Filter: &store.Filter{Field: "title", Op: store.OpContains, Value: title}, WithTotal: true})
				require.NoError(t, err)
				row += seenIn(page)
				batch, err := eng.GetRecords(c, "deal", []string{id}, nil)
				require.NoError(t, err)
				row += yn(len(batch) == 1)
				cols, err := eng.Board(c, "deal", "stage", engine.ListQuery{Filter: byID})
				require.NoError(t, err)
				row += seenIn(cols[0].ListResult)
				hist, err := eng.StageHistory(c, "deal", "stage", []string{id})
				require.NoError(t, err)
				row += yn(len(hist[id]) > 0)
				probe, err := eng.CreateRecord(c, "probe", map[string]any{"target": id})
				require.NoError(t, err)
				var seen []float64
				require.NoError(t, json.Unmarshal([]byte(probe.Data["seen"].(string)), &seen))
				row += yn(seen[0] == 1) + yn(seen[1] == 1) + "|"

				_, err = eng.UpdateRecord(c, "deal", newDeal(), map[string]any{"title": "changed"}, nil)
				row += letter(err)
				_, err = eng.TransferRecord(c, "deal", newDeal(), "boss")
				row += letter(err)
				row += letter(eng.DeleteRecord(c, "deal", newDeal()))
				got[v] = row
			}
			assert.Equal(t, expected, got, "columns: %s | %s", reads, writes)
		})
	}
}
