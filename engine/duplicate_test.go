package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// dupAccountDef is an account with a blocking rule on its credit code, a
// warning on its normalised name and a fuzzy warning on similar names.
const dupAccountDef = `{
  "$id": "account", "type": "object",
  "x-crm-label": {"zh": "客户", "en": "Account"},
  "properties": {
    "name":  {"type": "string", "x-crm-type": "text"},
    "uscc":  {"type": "string", "x-crm-type": "text"},
    "phone": {"type": "string", "x-crm-type": "text"},
    "lifecycle": {"type": "string", "enum": ["new", "active", "lost"], "x-crm-type": "picklist",
      "x-crm-pipeline": {"stages": [{"value": "new", "category": "open"}, {"value": "active", "category": "open"}, {"value": "lost", "category": "lost"}]}}
  },
  "required": ["name"],
  "x-crm-duplicates": [
    {"name": "uscc", "label": {"zh": "统一社会信用代码", "en": "Credit code"}, "action": "block", "match": [{"field": "uscc", "normalizer": "uscc"}]},
    {"name": "companyName", "label": {"zh": "公司名称", "en": "Company name"}, "action": "warn", "match": [{"field": "name", "normalizer": "company"}]},
    {"name": "similarName", "action": "warn", "match": [{"field": "name", "method": "fuzzy", "normalizer": "company"}], "threshold": 0.6}
  ]
}`

const dupContactDef = `{
  "$id": "contact", "type": "object",
  "properties": {
    "name":     {"type": "string", "x-crm-type": "text"},
    "account":  {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
    "accounts": {"type": "array", "items": {"type": "string"}, "x-crm-type": "multilookup", "x-crm-target": "account"}
  }
}`

func newDupEngine(t *testing.T, opts ...testkit.Option) *testkit.Tenant {
	t.Helper()
	return testkit.New(t, "acme", append([]testkit.Option{testkit.Named("Acme"), testkit.AsActor("user:li"), testkit.WithObjects(dupAccountDef, dupContactDef)}, opts...)...)
}

func matchIDs(ms []engine.DuplicateMatch) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		out[m.ID] = m.Rule
	}
	return out
}

func TestDuplicates_CreateAndUpdate(t *testing.T) {
	t.Parallel()
	tn := newDupEngine(t)
	eng, ctx := tn.Engine, tn.Admin
	huawei, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "华为技术有限公司", "uscc": "91440300192203821X"})
	require.NoError(t, err)

	// warn: the write lands, the match is there to see
	sz, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "深圳华为技术有限公司"})
	require.NoError(t, err)
	ms, err := eng.PossibleDuplicates(ctx, "account", sz.ID)
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	assert.Equal(t, huawei.ID, ms[0].ID)
	assert.Equal(t, "companyName", ms[0].Rule)
	assert.Equal(t, "华为技术有限公司", ms[0].Title)
	assert.Equal(t, schema.DuplicateWarn, ms[0].Action)

	// block: nothing is written, the error names the record and the rule
	_, err = eng.CreateRecord(ctx, "account", map[string]any{"name": "另一家", "uscc": " 91440300 192203821x "})
	require.Error(t, err)
	assert.Equal(t, map[string]string{"uscc": "duplicate"}, fieldErrors(t, err))
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "与客户「华为技术有限公司」重复（规则：统一社会信用代码）", ve.Fields[0].MessageZh)
	assert.Equal(t, `duplicates Account "华为技术有限公司" (rule: Credit code)`, ve.Fields[0].Message)
	n, err := eng.CountRecords(ctx, "account", nil)
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)

	// an update that gives a record another's code is refused, and changes nothing
	_, err = eng.UpdateRecord(ctx, "account", sz.ID, map[string]any{"uscc": "91440300192203821X"}, nil)
	assert.Equal(t, map[string]string{"uscc": "duplicate"}, fieldErrors(t, err))
	got, err := eng.GetRecord(ctx, "account", sz.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Data["uscc"])

	// an update that leaves the keys alone is not checked again
	_, err = eng.UpdateRecord(ctx, "account", sz.ID, map[string]any{"phone": "0755-1"}, nil)
	require.NoError(t, err)

	// a check before saving (the form's) finds the same
	ms, err = eng.CheckDuplicates(ctx, "account", "", map[string]any{"name": "华为技术（深圳）有限公司"})
	require.NoError(t, err)
	assert.Contains(t, matchIDs(ms), huawei.ID)

	// fuzzy: similar, not equal, names warn
	ms, err = eng.CheckDuplicates(ctx, "account", "", map[string]any{"name": "华为技术股份"})
	require.NoError(t, err)
	assert.Equal(t, "similarName", matchIDs(ms)[huawei.ID])

	// a deleted record's keys go with it
	require.NoError(t, eng.DeleteRecord(ctx, "account", huawei.ID))
	_, err = eng.CreateRecord(ctx, "account", map[string]any{"name": "华为新公司", "uscc": "91440300192203821X"})
	require.NoError(t, err)
}

func TestDuplicates_Bulk(t *testing.T) {
	t.Parallel()
	tn := newDupEngine(t)
	eng, ctx := tn.Engine, tn.Admin
	res, err := eng.WriteRecords(ctx, "account", []engine.BulkWrite{
		{Action: engine.BulkCreate, Data: map[string]any{"name": "甲", "uscc": "A1"}},
		{Action: engine.BulkCreate, Data: map[string]any{"name": "乙", "uscc": "a 1"}},
		{Action: engine.BulkCreate, Data: map[string]any{"name": "丙", "uscc": "C1"}},
	}, engine.BulkOptions{})
	require.NoError(t, err)
	assert.Equal(t, engine.OutcomeCreated, res[0].Outcome)
	assert.Equal(t, engine.OutcomeFailed, res[1].Outcome)
	assert.Equal(t, map[string]string{"uscc": "duplicate"}, fieldErrors(t, res[1].Err))
	assert.Equal(t, engine.OutcomeCreated, res[2].Outcome)

	// atomic: one duplicate undoes the call
	res, err = eng.WriteRecords(ctx, "account", []engine.BulkWrite{
		{Action: engine.BulkCreate, Data: map[string]any{"name": "丁", "uscc": "D1"}},
		{Action: engine.BulkCreate, Data: map[string]any{"name": "戊", "uscc": "C1"}},
	}, engine.BulkOptions{Atomic: true})
	require.NoError(t, err)
	assert.Equal(t, engine.OutcomeNotApplied, res[0].Outcome)
	assert.Equal(t, engine.OutcomeFailed, res[1].Outcome)
	n, err := eng.CountRecords(ctx, "account", nil)
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)
}

func TestDuplicates_Import(t *testing.T) {
	t.Parallel()
	tn := newDupEngine(t)
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "华为技术有限公司", "uscc": "U1"})
	require.NoError(t, err)
	table := engine.ImportTable{Header: []string{"名称", "代码"}, Rows: []engine.ImportRow{
		{Line: 2, Cells: []string{"华为技术股份有限公司", "U2"}},
		{Line: 3, Cells: []string{"别家", "u1"}},
	}}
	spec := engine.ImportSpec{Mode: engine.BulkCreate, Columns: []importvalue.Column{{Field: "name"}, {Field: "uscc"}}}
	rep, err := eng.ImportRecords(ctx, "account", table, spec, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created)
	require.Len(t, rep.Rejected, 1)
	assert.Equal(t, 3, rep.Rejected[0].Line)
	assert.Equal(t, "代码", rep.Rejected[0].Problems[0].Field)
	assert.Equal(t, "duplicate", rep.Rejected[0].Problems[0].Code)
	require.NotEmpty(t, rep.Notes, "the warned row is noted")
	for _, n := range rep.Notes {
		assert.Equal(t, 2, n.Line)
	}
	assert.Contains(t, rep.Notes[0].MessageZh, "华为技术有限公司")
}

func TestDuplicates_RuleAddedLater(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.Named("Acme"))
	eng, ctx := tn.Engine, tn.Admin
	plain := strings.Replace(dupAccountDef, `"x-crm-duplicates"`, `"$comment": "no rules yet", "x-crm-unused"`, 1)
	plain = plain[:strings.Index(plain, `"$comment"`)] + `"$comment": "no rules"}`
	_, err := eng.SaveObject(ctx, []byte(plain), engine.SaveOptions{})
	require.NoError(t, err)
	a, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "腾讯科技有限公司", "uscc": "T1"})
	require.NoError(t, err)
	b, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "腾讯科技（深圳）有限公司", "uscc": "T1"})
	require.NoError(t, err)
	_, err = eng.SaveObject(ctx, []byte(dupAccountDef), engine.SaveOptions{})
	require.NoError(t, err)
	for i := 0; i < 5; i++ {
		_, err := worker.RunDue(tn.Background, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	ms, err := eng.PossibleDuplicates(ctx, "account", b.ID)
	require.NoError(t, err)
	assert.Contains(t, matchIDs(ms), a.ID)
	groups, cursor, err := eng.DuplicateGroups(ctx, "account", "", 10, "")
	require.NoError(t, err)
	assert.Empty(t, cursor)
	rules := map[string][]string{}
	for _, g := range groups {
		rules[g.Rule] = g.Records
	}
	assert.ElementsMatch(t, []string{a.ID, b.ID}, rules["uscc"])
	assert.ElementsMatch(t, []string{a.ID, b.ID}, rules["companyName"])

	// paging: one group a page, the cursor leads on
	var seen []string
	after := ""
	for range 10 {
		gs, next, err := eng.DuplicateGroups(ctx, "account", "", 1, after)
		require.NoError(t, err)
		for _, g := range gs {
			seen = append(seen, g.Rule)
		}
		if next == "" {
			break
		}
		after = next
	}
	assert.Subset(t, seen, []string{"companyName", "uscc"})
	assert.Len(t, seen, len(groups))
}

func TestMergeRecords_RepointsEveryReference(t *testing.T) {
	t.Parallel()
	tn := newDupEngine(t)
	checkMerge(t, tn.Engine, tn.Admin)
}

// checkMerge merges two accounts and checks every kind of reference
// moved: lookups, multilookups, stage history, the audit trail.
func checkMerge(t *testing.T, eng *engine.Engine, ctx context.Context) {
	a, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "华为技术有限公司", "phone": "0755-1"})
	require.NoError(t, err)
	b, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "华为技术(深圳)有限公司", "phone": "0755-2", "uscc": "B1", "lifecycle": "new"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "account", b.ID, map[string]any{"lifecycle": "active"}, nil)
	require.NoError(t, err)
	c1, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "张三", "account": b.ID})
	require.NoError(t, err)
	c2, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "李四", "accounts": []any{a.ID, b.ID}})
	require.NoError(t, err)
	c3, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "王五", "accounts": []any{b.ID}})
	require.NoError(t, err)

	res, err := eng.MergeRecords(ctx, "account", a.ID, []string{b.ID}, map[string]string{"phone": b.ID, "uscc": b.ID, "lifecycle": b.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{b.ID}, res.Merged)
	assert.Equal(t, 3, res.References)
	assert.Equal(t, "0755-2", res.Survivor.Data["phone"])
	assert.Equal(t, "B1", res.Survivor.Data["uscc"], "a unique-like value moves once its holder is gone")
	assert.Equal(t, "华为技术有限公司", res.Survivor.Data["name"])

	_, err = eng.GetRecord(ctx, "account", b.ID)
	require.Error(t, err)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))

	got, err := eng.GetRecord(ctx, "contact", c1.ID)
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.Data["account"], "lookup")
	got, err = eng.GetRecord(ctx, "contact", c2.ID)
	require.NoError(t, err)
	assert.Equal(t, []any{a.ID}, got.Data["accounts"], "multilookup, the survivor once")
	got, err = eng.GetRecord(ctx, "contact", c3.ID)
	require.NoError(t, err)
	assert.Equal(t, []any{a.ID}, got.Data["accounts"], "multilookup")

	hist, err := eng.StageHistory(ctx, "account", "lifecycle", []string{a.ID})
	require.NoError(t, err)
	var moves []string
	for _, m := range hist[a.ID] {
		moves = append(moves, m.From+">"+m.To)
	}
	assert.Contains(t, moves, "new>active", "stage history")

	entries, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "account", RecordID: a.ID, First: 50})
	require.NoError(t, err)
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
	}
	assert.Equal(t, 1, actions[engine.AuditMerge], "the merge is audited on the survivor")
	assert.GreaterOrEqual(t, actions[engine.AuditCreate], 2, "the merged record's creation came along")
	var merge engine.AuditEntry
	for _, e := range entries {
		if e.Action == engine.AuditMerge {
			merge = e
		}
	}
	assert.Equal(t, []any{b.ID}, merge.Changes["merged"].New)
	left, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "account", RecordID: b.ID, First: 50})
	require.NoError(t, err)
	for _, e := range left {
		assert.Equal(t, engine.AuditDelete, e.Action, "only the delete stays with the merged id")
	}

	// the merged record's keys went with it: a new record may take its code… no: the survivor holds it now
	_, err = eng.CreateRecord(ctx, "account", map[string]any{"name": "X", "uscc": "B1"})
	assert.Equal(t, map[string]string{"uscc": "duplicate"}, fieldErrors(t, err))
}

func TestMergeRecords_Refusals(t *testing.T) {
	t.Parallel()
	tn := newDupEngine(t)
	eng, ctx := tn.Engine, tn.Admin
	a, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "甲", "uscc": "A"})
	require.NoError(t, err)
	b, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "乙", "uscc": "B"})
	require.NoError(t, err)
	c, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "丙"})
	require.NoError(t, err)
	d, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "丁"})
	require.NoError(t, err)
	scenarios := []struct {
		name     string
		survivor string
		others   []string
		fields   map[string]string
		code     engine.Code
	}{
		{"no other", a.ID, nil, nil, engine.CodeBadRequest},
		{"three others", a.ID, []string{b.ID, c.ID, d.ID}, nil, engine.CodeBadRequest},
		{"itself", a.ID, []string{a.ID}, nil, engine.CodeBadRequest},
		{"unknown field", a.ID, []string{b.ID}, map[string]string{"nope": b.ID}, engine.CodeBadRequest},
		{"value from outside", a.ID, []string{b.ID}, map[string]string{"name": c.ID}, engine.CodeBadRequest},
		{"missing record", a.ID, []string{"nope"}, nil, engine.CodeNotFound},
		{"invalid result", a.ID, []string{c.ID}, map[string]string{"uscc": c.ID, "name": d.ID}, engine.CodeBadRequest},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			_, err := eng.MergeRecords(ctx, "account", s.survivor, s.others, s.fields)
			require.Error(t, err)
			assert.Equal(t, s.code, engine.CodeOf(err), err.Error())
		})
	}
	// a required field cleared by the choice: invalid, and nothing changed
	_, err = eng.MergeRecords(ctx, "account", a.ID, []string{c.ID}, map[string]string{"name": a.ID, "uscc": c.ID})
	require.NoError(t, err, "clearing an optional field is fine")
	n, err := eng.CountRecords(ctx, "account", nil)
	require.NoError(t, err)
	assert.EqualValues(t, 3, n)
	_ = store.ErrNotFound
}

func TestDuplicateGroups_FuzzyClusters(t *testing.T) {
	t.Parallel()
	tn := newDupEngine(t)
	eng, ctx := tn.Engine, tn.Admin
	var ids []string
	for _, name := range []string{"远景智能科技有限公司", "远景数据科技有限公司", "远景智能科技股份公司", "远景数据科技（杭州）"} {
		r, err := eng.CreateRecord(ctx, "account", map[string]any{"name": name})
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	groups, _, err := eng.DuplicateGroups(ctx, "account", "similarName", 10, "")
	require.NoError(t, err)
	var got [][]string
	for _, g := range groups {
		got = append(got, g.Records)
	}
	// one blocking key (远景), two clusters of similar names
	assert.ElementsMatch(t, [][]string{{ids[0], ids[2]}, {ids[1], ids[3]}}, got)
}

func TestDuplicates_WhatTheCallerSees(t *testing.T) {
	t.Parallel()
	private := strings.Replace(dupAccountDef, `"type": "object",`, `"type": "object", "x-crm-sharing": "private",`, 1)
	tn := testkit.New(t, "acme", testkit.Named("Acme"), testkit.WithObjects(private))
	eng, ctx := tn.Engine, tn.Admin
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"account": {Read: true, Create: true, Update: true}}}))
	for _, u := range []string{"wang", "zhao"} {
		_, err := eng.CreateUser(ctx, "acme", engine.NewUser{Username: u, Role: "sales", Password: "a long enough password"})
		require.NoError(t, err)
	}
	wang := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})
	zhao := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:zhao", Role: "sales"})
	a, err := eng.CreateRecord(wang, "account", map[string]any{"name": "王的客户有限公司", "uscc": "P1"})
	require.NoError(t, err)

	// A block names no record the writer may not see, and still blocks.
	_, err = eng.CreateRecord(zhao, "account", map[string]any{"name": "赵的客户", "uscc": "p1"})
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "duplicate", ve.Fields[0].Code)
	assert.Equal(t, "与一条你无权查看的客户记录重复（规则：统一社会信用代码）", ve.Fields[0].MessageZh)
	assert.NotContains(t, ve.Fields[0].MessageZh, "王的客户")

	// A warning, a check and the groups leave out what the caller may not see.
	b, err := eng.CreateRecord(zhao, "account", map[string]any{"name": "王的客户（北京）有限公司"})
	require.NoError(t, err)
	ms, err := eng.PossibleDuplicates(zhao, "account", b.ID)
	require.NoError(t, err)
	assert.Empty(t, ms)
	ms, err = eng.CheckDuplicates(zhao, "account", "", map[string]any{"name": "王的客户"})
	require.NoError(t, err)
	assert.NotContains(t, matchIDs(ms), a.ID)
	groups, _, err := eng.DuplicateGroups(zhao, "account", "", 10, "")
	require.NoError(t, err)
	assert.Empty(t, groups, "one visible record is no group")
	groups, _, err = eng.DuplicateGroups(ctx, "account", "companyName", 10, "")
	require.NoError(t, err)
	require.Len(t, groups, 1, "the administrator sees both")

	// Merging needs delete on the others: the role has none.
	_, err = eng.MergeRecords(zhao, "account", b.ID, []string{a.ID}, nil)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	// With delete, a record out of sight is not found, and nothing changes.
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"account": {Read: true, Create: true, Update: true, Delete: true}}}))
	_, err = eng.MergeRecords(zhao, "account", b.ID, []string{a.ID}, nil)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	_, err = eng.GetRecord(wang, "account", a.ID)
	require.NoError(t, err)
}

func TestDuplicates_SensitiveField(t *testing.T) {
	t.Parallel()
	patient := `{"$id": "patient", "type": "object", "x-crm-label": {"zh": "患者", "en": "Patient"},
	  "properties": {
	    "name": {"type": "string", "x-crm-type": "text"},
	    "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-sensitive": true}},
	  "x-crm-duplicates": [{"name": "mobile", "label": {"zh": "手机号", "en": "Mobile"}, "action": "block", "match": [{"field": "mobile"}]}]}`
	tn := testkit.New(t, "acme", testkit.Named("Acme"), testkit.WithEncryption(), testkit.WithObjects(patient))
	eng, ctx := tn.Engine, tn.Admin
	a, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "张三", "mobile": "138 0013 8000"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "patient", map[string]any{"name": "张叁", "mobile": "+86 138-0013-8000"})
	assert.Equal(t, map[string]string{"mobile": "duplicate"}, fieldErrors(t, err), "normalised, then compared as keyed hashes")
	b, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "李四", "mobile": "13900139000"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "patient", b.ID, map[string]any{"mobile": "0086 13800138000"}, nil)
	assert.Equal(t, map[string]string{"mobile": "duplicate"}, fieldErrors(t, err))
	ms, err := eng.CheckDuplicates(ctx, "patient", "", map[string]any{"mobile": "13800138000"})
	require.NoError(t, err)
	require.Len(t, ms, 1)
	assert.Equal(t, a.ID, ms[0].ID)
}
