package engine_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/store"
)

// ticketV1 is the first version of a small template's main object.
const ticketV1 = `{
  "$id": "ticket", "type": "object", "x-crm-label": {"zh": "工单", "en": "Ticket"},
  "properties": {
    "title": {"type": "string", "maxLength": 200, "x-crm-type": "text", "x-crm-label": {"zh": "标题", "en": "Title"}},
    "status": {"type": "string", "enum": ["open", "doing", "closed"], "x-crm-type": "picklist", "x-crm-label": {"zh": "状态", "en": "Status"},
      "x-crm-options": [{"value": "open", "label": {"zh": "待处理", "en": "Open"}}, {"value": "doing", "label": {"zh": "处理中", "en": "Doing"}}, {"value": "closed", "label": {"zh": "已关闭", "en": "Closed"}}],
      "x-crm-pipeline": {"stages": [
        {"value": "open", "category": "open", "next": ["doing"]},
        {"value": "doing", "category": "open", "next": ["closed"]},
        {"value": "closed", "category": "closed", "next": []}]}},
    "priority": {"type": "string", "enum": ["low", "high"], "x-crm-type": "picklist", "x-crm-label": {"zh": "优先级", "en": "Priority"},
      "x-crm-options": [{"value": "low", "label": {"zh": "低", "en": "Low"}}, {"value": "high", "label": {"zh": "高", "en": "High"}}]}
  },
  "required": ["title"]
}`

const noteV1 = `{
  "$id": "note", "type": "object", "x-crm-label": {"zh": "备注", "en": "Note"},
  "properties": {
    "text": {"type": "string", "x-crm-type": "textarea", "x-crm-label": {"zh": "内容", "en": "Text"}},
    "ticket": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "ticket", "x-crm-reverse": "notes", "x-crm-label": {"zh": "工单", "en": "Ticket"}}
  }
}`

func tpl(version string, objects ...string) *template.Template {
	t := &template.Template{Name: "helpdesk", Version: version}
	for _, o := range objects {
		t.Objects = append(t.Objects, json.RawMessage(o))
	}
	return t
}

// edit decodes a definition, applies fn and encodes it again.
func edit(t testing.TB, def string, fn func(d map[string]any)) string {
	t.Helper()
	var d map[string]any
	require.NoError(t, json.Unmarshal([]byte(def), &d))
	fn(d)
	b, err := json.Marshal(d)
	require.NoError(t, err)
	return string(b)
}

func prop(d map[string]any, name string) map[string]any {
	return d["properties"].(map[string]any)[name].(map[string]any)
}

func currentDef(t testing.TB, eng *engine.Engine, ctx context.Context, name string) map[string]any {
	t.Helper()
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	obj := cat.Object(name)
	require.NotNil(t, obj, name)
	var d map[string]any
	require.NoError(t, json.Unmarshal(obj.Definition, &d))
	return d
}

func installedVersion(t testing.TB, eng *engine.Engine, ctx context.Context, name string) string {
	t.Helper()
	ins, err := eng.InstalledTemplates(ctx)
	require.NoError(t, err)
	for _, in := range ins {
		if in.Template == name {
			return in.Version
		}
	}
	return ""
}

// tenantEdits makes the edits an administrator makes after installing:
// a field of their own, a label of their own, a picklist value of their
// own.
func tenantEdits(t testing.TB, eng *engine.Engine, ctx context.Context) {
	t.Helper()
	def := edit(t, ticketV1, func(d map[string]any) {
		d["properties"].(map[string]any)["wechat"] = map[string]any{"type": "string", "x-crm-type": "text", "x-crm-label": map[string]any{"zh": "微信号", "en": "WeChat"}}
		prop(d, "title")["x-crm-label"] = map[string]any{"zh": "工单标题", "en": "Title"}
		p := prop(d, "priority")
		p["enum"] = []any{"low", "high", "vip"}
		p["x-crm-options"] = append(p["x-crm-options"].([]any), map[string]any{"value": "vip", "label": map[string]any{"zh": "贵宾", "en": "VIP"}})
	})
	_, err := eng.SaveObject(ctx, json.RawMessage(def), engine.SaveOptions{})
	require.NoError(t, err)
}

// ticketV2 is the next version: a new field, a new picklist value, a
// changed label the tenant did not touch, a wider length.
func ticketV2(t testing.TB) string {
	return edit(t, ticketV1, func(d map[string]any) {
		d["properties"].(map[string]any)["dueDate"] = map[string]any{"type": "string", "format": "date", "x-crm-type": "date", "x-crm-label": map[string]any{"zh": "截止日期", "en": "Due"}}
		prop(d, "title")["maxLength"] = 300
		prop(d, "status")["x-crm-label"] = map[string]any{"zh": "状态", "en": "State"}
		p := prop(d, "priority")
		p["enum"] = []any{"low", "high", "urgent"}
		p["x-crm-options"] = append(p["x-crm-options"].([]any), map[string]any{"value": "urgent", "label": map[string]any{"zh": "紧急", "en": "Urgent"}})
	})
}

func TestEngine_InstallTemplate(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	var progress []template.Progress
	res, err := eng.InstallTemplate(ctx, tpl("1.0.0", ticketV1, noteV1), template.InstallOptions{Progress: func(p template.Progress) { progress = append(progress, p) }})
	require.NoError(t, err)
	assert.True(t, res.Applied)
	assert.Empty(t, res.FromVersion)
	require.Len(t, res.Objects, 2)
	assert.Equal(t, "create", res.Objects[0].Action)
	assert.Len(t, progress, 2)
	assert.Equal(t, "1.0.0", installedVersion(t, eng, ctx, "helpdesk"))

	t.Run("the same version again changes nothing", func(t *testing.T) {
		cat, err := eng.Catalog(ctx)
		require.NoError(t, err)
		again, err := eng.InstallTemplate(ctx, tpl("1.0.0", ticketV1, noteV1), template.InstallOptions{})
		require.NoError(t, err)
		assert.False(t, again.Applied)
		assert.False(t, again.Changed())
		cat2, err := eng.Catalog(ctx)
		require.NoError(t, err)
		assert.Equal(t, cat.Revision, cat2.Revision)
		ins, err := eng.InstalledTemplates(ctx)
		require.NoError(t, err)
		require.Len(t, ins, 1)
	})

	t.Run("an older version is refused", func(t *testing.T) {
		_, err := eng.InstallTemplate(ctx, tpl("0.9.0", ticketV1, noteV1), template.InstallOptions{})
		require.ErrorIs(t, err, engine.ErrConflict)
	})

	t.Run("only administrators install", func(t *testing.T) {
		user := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:x"})
		_, err := eng.InstallTemplate(user, tpl("1.0.0", ticketV1, noteV1), template.InstallOptions{})
		require.ErrorIs(t, err, engine.ErrForbidden)
	})
}

func TestEngine_InstallTemplate_Refusals(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		tpl  *template.Template
		want error
	}{
		{"missing dependency", func() *template.Template {
			x := tpl("1.0.0", ticketV1)
			x.Depends = []template.Dependency{{Name: "b2b-sales", Version: "1.0.0"}}
			return x
		}(), engine.ErrConflict},
		{"content this server cannot install", func() *template.Template {
			x := tpl("1.0.0", ticketV1)
			x.Other = map[string]map[string][]byte{"scripts": {"a.js": []byte("//")}}
			return x
		}(), engine.ErrBadRequest},
		{"bad version", tpl("1.0", ticketV1), engine.ErrBadRequest},
		{"no objects", tpl("1.0.0"), engine.ErrBadRequest},
		{"platform name", tpl("1.0.0", `{"$id": "crmThing", "type": "object", "properties": {"a": {"type": "string", "x-crm-type": "text"}}}`), engine.ErrBadRequest},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			eng, ctx, _ := newEngine(t)
			_, err := eng.InstallTemplate(ctx, s.tpl, template.InstallOptions{})
			require.ErrorIs(t, err, s.want)
			cat, err := eng.Catalog(ctx)
			require.NoError(t, err)
			assert.Empty(t, cat.Objects, "nothing installed")
		})
	}

	t.Run("optional content is skipped", func(t *testing.T) {
		t.Parallel()
		eng, ctx, _ := newEngine(t)
		x := tpl("1.0.0", ticketV1)
		x.Other = map[string]map[string][]byte{"layouts": {"ticket.json": []byte("{}")}}
		x.Optional = []string{"layouts"}
		_, err := eng.InstallTemplate(ctx, x, template.InstallOptions{})
		require.NoError(t, err)
	})
}

func TestEngine_UpgradeTemplate_Merge(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.InstallTemplate(ctx, tpl("1.0.0", ticketV1, noteV1), template.InstallOptions{})
	require.NoError(t, err)
	tenantEdits(t, eng, ctx)
	_, err = eng.CreateRecord(ctx, "ticket", map[string]any{"title": "打印机卡纸", "priority": "vip", "wechat": "wx-1"})
	require.NoError(t, err)

	v2 := tpl("1.1.0", ticketV2(t), noteV1)
	t.Run("a dry run shows the whole diff and changes nothing", func(t *testing.T) {
		cat, err := eng.Catalog(ctx)
		require.NoError(t, err)
		plan, err := eng.InstallTemplate(ctx, v2, template.InstallOptions{DryRun: true})
		require.NoError(t, err)
		assert.True(t, plan.DryRun)
		assert.False(t, plan.Applied)
		assert.Equal(t, "1.0.0", plan.FromVersion)
		require.Len(t, plan.Objects, 2)
		assert.Equal(t, "update", plan.Objects[0].Action)
		assert.Equal(t, "unchanged", plan.Objects[1].Action)
		paths := map[string]string{}
		for _, c := range plan.Objects[0].Changes {
			paths[c.Path+" "+c.Op] = string(c.To)
		}
		assert.Contains(t, paths, "/properties/dueDate add")
		assert.Equal(t, `"urgent"`, paths["/properties/priority/enum add"])
		assert.Contains(t, paths, "/properties/priority/x-crm-options/urgent add")
		assert.Equal(t, `"State"`, paths["/properties/status/x-crm-label/en change"])
		assert.Equal(t, `300`, paths["/properties/title/maxLength change"])
		assert.NotContains(t, paths, "/properties/wechat remove", "the tenant's field is not touched")
		cat2, err := eng.Catalog(ctx)
		require.NoError(t, err)
		assert.Equal(t, cat.Revision, cat2.Revision, "nothing saved")
		assert.Equal(t, "1.0.0", installedVersion(t, eng, ctx, "helpdesk"))
	})

	t.Run("the upgrade keeps the tenant's changes and adds the new version's", func(t *testing.T) {
		res, err := eng.InstallTemplate(ctx, v2, template.InstallOptions{})
		require.NoError(t, err)
		assert.True(t, res.Applied)
		assert.Empty(t, res.Conflicts)
		d := currentDef(t, eng, ctx, "ticket")
		props := d["properties"].(map[string]any)
		assert.Contains(t, props, "wechat", "tenant-added field survives")
		assert.Contains(t, props, "dueDate", "new field arrives")
		assert.Equal(t, "工单标题", prop(d, "title")["x-crm-label"].(map[string]any)["zh"], "tenant's label survives")
		assert.EqualValues(t, 300, prop(d, "title")["maxLength"])
		assert.Equal(t, "State", prop(d, "status")["x-crm-label"].(map[string]any)["en"])
		// The new value lands where the new version puts it (after "high").
		assert.Equal(t, []any{"low", "high", "urgent", "vip"}, prop(d, "priority")["enum"], "extra value survives, new value arrives")
		assert.Len(t, prop(d, "priority")["x-crm-options"], 4)
		assert.Equal(t, "1.1.0", installedVersion(t, eng, ctx, "helpdesk"))
		// The tenant's record is untouched and the new value usable.
		_, err = eng.CreateRecord(ctx, "ticket", map[string]any{"title": "网络中断", "priority": "urgent", "dueDate": "2025-07-01"})
		require.NoError(t, err)
	})

	t.Run("a real conflict is reported, not overwritten", func(t *testing.T) {
		// The tenant renames the status field; version 1.2.0 renames it
		// differently.
		mine := edit(t, mustJSON(t, currentDef(t, eng, ctx, "ticket")), func(d map[string]any) {
			prop(d, "status")["x-crm-label"] = map[string]any{"zh": "处理状态", "en": "State"}
		})
		_, err := eng.SaveObject(ctx, json.RawMessage(mine), engine.SaveOptions{})
		require.NoError(t, err)
		v3 := tpl("1.2.0", edit(t, ticketV2(t), func(d map[string]any) {
			prop(d, "status")["x-crm-label"] = map[string]any{"zh": "工单状态", "en": "State"}
		}), noteV1)
		cat, err := eng.Catalog(ctx)
		require.NoError(t, err)
		res, err := eng.InstallTemplate(ctx, v3, template.InstallOptions{})
		require.ErrorIs(t, err, engine.ErrConflict)
		require.NotNil(t, res)
		require.Len(t, res.Conflicts, 1)
		c := res.Conflicts[0]
		assert.Equal(t, "ticket", c.Object)
		assert.Equal(t, "/properties/status/x-crm-label/zh", c.Path)
		assert.JSONEq(t, `"状态"`, string(c.Base))
		assert.JSONEq(t, `"处理状态"`, string(c.Ours))
		assert.JSONEq(t, `"工单状态"`, string(c.Theirs))
		cat2, err := eng.Catalog(ctx)
		require.NoError(t, err)
		assert.Equal(t, cat.Revision, cat2.Revision, "nothing changed")
		assert.Equal(t, "1.1.0", installedVersion(t, eng, ctx, "helpdesk"))

		// Keeping the tenant's side applies the rest.
		res, err = eng.InstallTemplate(ctx, v3, template.InstallOptions{OnConflict: template.ConflictKeepOurs})
		require.NoError(t, err)
		assert.Len(t, res.Conflicts, 1)
		assert.Equal(t, "处理状态", prop(currentDef(t, eng, ctx, "ticket"), "status")["x-crm-label"].(map[string]any)["zh"])
		assert.Equal(t, "1.2.0", installedVersion(t, eng, ctx, "helpdesk"))
	})

	t.Run("taking the template's side", func(t *testing.T) {
		eng, ctx, _ := newEngine(t)
		_, err := eng.InstallTemplate(ctx, tpl("1.0.0", ticketV1), template.InstallOptions{})
		require.NoError(t, err)
		_, err = eng.SaveObject(ctx, json.RawMessage(edit(t, ticketV1, func(d map[string]any) {
			prop(d, "title")["x-crm-label"] = map[string]any{"zh": "主题", "en": "Title"}
		})), engine.SaveOptions{})
		require.NoError(t, err)
		_, err = eng.InstallTemplate(ctx, tpl("2.0.0", edit(t, ticketV1, func(d map[string]any) {
			prop(d, "title")["x-crm-label"] = map[string]any{"zh": "工单主题", "en": "Title"}
		})), template.InstallOptions{OnConflict: template.ConflictTakeTheirs})
		require.NoError(t, err)
		assert.Equal(t, "工单主题", prop(currentDef(t, eng, ctx, "ticket"), "title")["x-crm-label"].(map[string]any)["zh"])
	})

	t.Run("a field the new version drops is kept", func(t *testing.T) {
		eng, ctx, _ := newEngine(t)
		_, err := eng.InstallTemplate(ctx, tpl("1.0.0", ticketV1), template.InstallOptions{})
		require.NoError(t, err)
		res, err := eng.InstallTemplate(ctx, tpl("1.1.0", edit(t, ticketV1, func(d map[string]any) {
			delete(d["properties"].(map[string]any), "priority")
		})), template.InstallOptions{})
		require.NoError(t, err)
		assert.NotEmpty(t, res.Notes)
		assert.Contains(t, currentDef(t, eng, ctx, "ticket")["properties"], "priority")
	})
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestEngine_RollbackTemplate(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.InstallTemplate(ctx, tpl("1.0.0", ticketV1, noteV1), template.InstallOptions{})
	require.NoError(t, err)
	tenantEdits(t, eng, ctx)
	before := currentDef(t, eng, ctx, "ticket")
	_, err = eng.InstallTemplate(ctx, tpl("1.1.0", ticketV2(t), noteV1), template.InstallOptions{})
	require.NoError(t, err)
	rec, err := eng.CreateRecord(ctx, "ticket", map[string]any{"title": "升级后录入", "priority": "urgent", "dueDate": "2025-07-01"})
	require.NoError(t, err)

	t.Run("a dry run changes nothing", func(t *testing.T) {
		plan, err := eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{DryRun: true})
		require.NoError(t, err)
		assert.False(t, plan.Applied)
		assert.Equal(t, "1.0.0", plan.ToVersion)
		require.Len(t, plan.Objects, 1)
		assert.Equal(t, "restore", plan.Objects[0].Action)
		assert.Equal(t, "1.1.0", installedVersion(t, eng, ctx, "helpdesk"))
	})

	t.Run("rollback restores the configuration before the upgrade", func(t *testing.T) {
		res, err := eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{})
		require.NoError(t, err)
		assert.True(t, res.Applied)
		assert.Equal(t, before, currentDef(t, eng, ctx, "ticket"))
		assert.Equal(t, "1.0.0", installedVersion(t, eng, ctx, "helpdesk"))
		// Values the older definition cannot hold were cleared.
		got, err := eng.GetRecord(ctx, "ticket", rec.ID)
		require.NoError(t, err)
		assert.NotContains(t, got.Data, "dueDate")
		assert.NotContains(t, got.Data, "priority")
		assert.Equal(t, "升级后录入", got.Data["title"])
	})

	t.Run("an object changed after the install is not rolled back without force", func(t *testing.T) {
		// Rolling back the first install would delete ticket, which holds
		// the tenant's records.
		_, err := eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{})
		require.ErrorIs(t, err, engine.ErrConflict)
		assert.Equal(t, "1.0.0", installedVersion(t, eng, ctx, "helpdesk"))
	})

	t.Run("forced, rollback of the first install removes its objects; installing again works", func(t *testing.T) {
		_, err := eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{Force: true})
		require.NoError(t, err)
		cat, err := eng.Catalog(ctx)
		require.NoError(t, err)
		assert.Empty(t, cat.Objects)
		assert.Empty(t, installedVersion(t, eng, ctx, "helpdesk"))
		trail, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "ticket", Action: engine.AuditMetadata, First: 1})
		require.NoError(t, err)
		require.Len(t, trail, 1)
		assert.Equal(t, engine.FieldChange{Old: 1.0, New: nil}, trail[0].Changes["records"], "removing the object is audited with its one record")
		_, err = eng.RollbackTemplate(ctx, "helpdesk", template.RollbackOptions{})
		require.ErrorIs(t, err, engine.ErrNotFound)

		res, err := eng.InstallTemplate(ctx, tpl("1.0.0", ticketV1, noteV1), template.InstallOptions{})
		require.NoError(t, err)
		assert.True(t, res.Applied)
		_, err = eng.CreateRecord(ctx, "ticket", map[string]any{"title": "重新安装后"})
		require.NoError(t, err)
	})
}

// commentDef has a required lookup: a tenant's comment on a sample ticket
// keeps that ticket through a reset.
const commentDef = `{
  "$id": "comment", "type": "object",
  "properties": {
    "body": {"type": "string", "x-crm-type": "text"},
    "ticket": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "ticket", "x-crm-reverse": "comments"}
  },
  "required": ["ticket"]
}`

func helpdeskSample(n int, base time.Time) *template.SampleData {
	return &template.SampleData{Total: 2 * n, Generate: func(ctx context.Context, emit func(template.SampleRecord) error) error {
		for i := range n {
			key := "ticket:" + string(rune('a'+i))
			at := base.Add(time.Duration(i) * time.Hour)
			if err := emit(template.SampleRecord{Object: "ticket", Key: key, CreatedAt: at,
				Data:   map[string]any{"title": "示例工单", "status": "closed", "priority": "low"},
				Stages: []template.SampleStage{{Field: "status", Stage: "open", At: at}, {Field: "status", Stage: "doing", At: at.Add(2 * time.Hour)}, {Field: "status", Stage: "closed", At: at.Add(26 * time.Hour)}},
			}); err != nil {
				return err
			}
			if err := emit(template.SampleRecord{Object: "note", CreatedAt: at, Data: map[string]any{"text": "示例备注", "ticket": key}}); err != nil {
				return err
			}
		}
		return nil
	}}
}

func TestEngine_SampleData(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	base := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	res, err := eng.InstallTemplate(ctx, tpl("1.0.0", ticketV1, noteV1, commentDef), template.InstallOptions{Sample: helpdeskSample(3, base)})
	require.NoError(t, err)
	assert.Equal(t, 6, res.SampleRecords)
	sample := store.Leaf("createdBy", store.OpEq, template.SampleActor("helpdesk"))

	t.Run("sample records are back-dated, with their stage history", func(t *testing.T) {
		page, err := eng.ListRecords(ctx, "ticket", engine.ListQuery{Filter: &sample, Sort: []store.Sort{{Field: "createdAt"}}})
		require.NoError(t, err)
		require.Len(t, page.Records, 3)
		r := page.Records[0]
		assert.True(t, r.CreatedAt.Equal(base), "%v", r.CreatedAt)
		assert.True(t, r.UpdatedAt.Equal(base.Add(26*time.Hour)))
		hist, err := eng.StageHistory(ctx, "ticket", "status", []string{r.ID})
		require.NoError(t, err)
		require.Len(t, hist[r.ID], 3)
		assert.Equal(t, "doing", hist[r.ID][2].From)
		assert.Equal(t, "closed", hist[r.ID][2].To)
		assert.Equal(t, 24*time.Hour, hist[r.ID][2].InPrevious)
		// Notes point at their tickets.
		notes, err := eng.ListRecords(ctx, "note", engine.ListQuery{Filter: &sample})
		require.NoError(t, err)
		require.Len(t, notes.Records, 3)
		_, err = eng.GetRecord(ctx, "ticket", notes.Records[0].Data["ticket"].(string))
		require.NoError(t, err)
	})

	t.Run("reset deletes exactly the sample records", func(t *testing.T) {
		sampleTickets, err := eng.ListRecords(ctx, "ticket", engine.ListQuery{Filter: &sample})
		require.NoError(t, err)
		mine, err := eng.CreateRecord(ctx, "ticket", map[string]any{"title": "我自己的工单"})
		require.NoError(t, err)
		myNote, err := eng.CreateRecord(ctx, "note", map[string]any{"text": "引用示例工单", "ticket": sampleTickets.Records[0].ID})
		require.NoError(t, err)
		_, err = eng.CreateRecord(ctx, "comment", map[string]any{"body": "必须引用", "ticket": sampleTickets.Records[1].ID})
		require.NoError(t, err)

		var last template.Progress
		deleted, kept, err := eng.ResetSampleData(ctx, "helpdesk", func(p template.Progress) { last = p })
		require.NoError(t, err)
		assert.Equal(t, 5, deleted)
		assert.Equal(t, 1, kept, "the ticket a comment requires stays")
		assert.Equal(t, "reset", last.Phase)
		_, err = eng.GetRecord(ctx, "ticket", mine.ID)
		require.NoError(t, err, "the tenant's own record stays")
		note, err := eng.GetRecord(ctx, "note", myNote.ID)
		require.NoError(t, err)
		assert.NotContains(t, note.Data, "ticket", "a reference to a deleted sample record is cleared")
		n, err := eng.CountRecords(ctx, "note", &sample)
		require.NoError(t, err)
		assert.Zero(t, n)

		// With the sample data gone, it can be generated again.
		res, err := eng.InstallTemplate(ctx, tpl("1.0.0", ticketV1, noteV1, commentDef), template.InstallOptions{Sample: helpdeskSample(2, base)})
		require.NoError(t, err)
		assert.Equal(t, 0, res.SampleRecords, "one sample ticket is still there")
		assert.NotEmpty(t, res.Notes)
	})
}

func TestEngine_SampleData_Invalid(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		record template.SampleRecord
		want   string
	}{
		{"fails the definition", template.SampleRecord{Object: "ticket", Data: map[string]any{"title": "x", "priority": "nope"}}, "priority"},
		{"a move the pipeline forbids", template.SampleRecord{Object: "ticket", Data: map[string]any{"title": "x", "status": "closed"},
			Stages: []template.SampleStage{{Field: "status", Stage: "open"}, {Field: "status", Stage: "closed"}}}, "does not allow"},
		{"an unknown key", template.SampleRecord{Object: "note", Data: map[string]any{"ticket": "ticket:zz"}}, "ticket:zz"},
		{"an unknown object", template.SampleRecord{Object: "nope"}, "nope"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			eng, ctx, _ := newEngine(t)
			_, err := eng.InstallTemplate(ctx, tpl("1.0.0", ticketV1, noteV1), template.InstallOptions{Sample: &template.SampleData{
				Generate: func(ctx context.Context, emit func(template.SampleRecord) error) error { return emit(s.record) },
			}})
			require.ErrorContains(t, err, s.want)
			n, err := eng.CountRecords(ctx, "ticket", nil)
			require.NoError(t, err)
			assert.Zero(t, n)
		})
	}
}

func TestEngine_ExportTemplate(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.InstallTemplate(ctx, tpl("1.0.0", noteV1, ticketV1), template.InstallOptions{})
	require.NoError(t, err)
	tenantEdits(t, eng, ctx)
	out, err := eng.ExportTemplate(ctx, "my-helpdesk", "0.1.0")
	require.NoError(t, err)
	require.Len(t, out.Objects, 2)
	// Targets first: ticket before note.
	assert.Contains(t, string(out.Objects[0]), `"$id":"ticket"`)

	// The export installs into another tenant as it is.
	other, octx, _ := newEngine(t)
	_, err = other.InstallTemplate(octx, out, template.InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, currentDef(t, eng, ctx, "ticket"), currentDef(t, other, octx, "ticket"))

	_, err = eng.ExportTemplate(ctx, "My Template", "0.1.0")
	require.ErrorIs(t, err, engine.ErrBadRequest)
}
