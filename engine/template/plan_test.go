package template_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
)

const ticketDef = `{"$id": "ticket", "type": "object", "x-crm-label": {"zh": "工单", "en": "Ticket"},
  "properties": {
    "title": {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "标题", "en": "Title"}},
    "status": {"type": "string", "enum": ["open", "doing", "closed"], "default": "open", "x-crm-type": "picklist", "x-crm-label": {"zh": "状态", "en": "Status"},
      "x-crm-options": [{"value": "open", "label": {"zh": "待处理", "en": "Open"}}, {"value": "doing", "label": {"zh": "处理中", "en": "Doing"}}, {"value": "closed", "label": {"zh": "已关闭", "en": "Closed"}}],
      "x-crm-pipeline": {"stages": [
        {"value": "open", "category": "open", "next": ["doing"]},
        {"value": "doing", "category": "open", "next": ["closed"]},
        {"value": "closed", "category": "closed", "next": []}]}}
  }}`

const noteDef = `{"$id": "note", "type": "object", "x-crm-label": {"zh": "备注", "en": "Note"},
  "properties": {"text": {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "内容", "en": "Text"}}}}`

// roleKind reads documents {"name": ...} as they are.
var roleKind = &template.DocKind{
	Name: template.RoleDocs,
	Parse: func(raw []byte) (string, string, error) {
		var r struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return "", "", err
		}
		c, err := json.Marshal(json.RawMessage(raw))
		return r.Name, string(c), err
	},
	Check: func(string, func(string) *schema.Object) error { return nil },
}

// tenant is a tenant's objects and documents, and a log of what a plan
// writes into it; fail makes the write of that name fail.
type tenant struct {
	objects map[string]*schema.Object
	docs    map[string]map[string]string
	writes  []string
	fail    string
	// users are the tenant's users; values the stored values of fields
	// (OBJECT.FIELD → value → records); remaps the remaps objects were
	// saved with, in order.
	users  []template.User
	values map[string]map[string]int64
	remaps []map[string]map[string]string
}

func newTenant() *tenant {
	return &tenant{objects: map[string]*schema.Object{}, docs: map[string]map[string]string{}}
}

func (t *tenant) Object(name string) *schema.Object { return t.objects[name] }

func (t *tenant) Docs(_ context.Context, kind string) (map[string]string, error) {
	return t.docs[kind], nil
}

func (t *tenant) Others(context.Context, *schema.Object, string) (int64, error) { return 0, nil }

func (t *tenant) InUse(string, string) string { return "" }

func (t *tenant) Users() []template.User { return t.users }

func (t *tenant) Values(_ context.Context, obj *schema.Object, field string, limit int) (map[string]int64, error) {
	out := map[string]int64{}
	for v, n := range t.values[obj.Name+"."+field] {
		if len(out) > limit {
			break
		}
		out[v] = n
	}
	return out, nil
}

func (t *tenant) write(what string) error {
	if what == t.fail {
		return errors.New("refused")
	}
	t.writes = append(t.writes, what)
	return nil
}

func (t *tenant) SaveObject(_ context.Context, def []byte, _ []string, remap map[string]map[string]string) (string, error) {
	obj, err := schema.ParseObject(def)
	if err != nil {
		return "", err
	}
	if remap != nil {
		t.remaps = append(t.remaps, remap)
	}
	return obj.Name, t.write("save " + obj.Name)
}

func (t *tenant) DropObject(_ context.Context, name string) error { return t.write("drop " + name) }

func (t *tenant) PutDoc(_ context.Context, kind, canon string) error {
	key, _, _ := roleKind.Parse([]byte(canon))
	return t.write(fmt.Sprintf("put %s:%s", kind, key))
}

func (t *tenant) DropDoc(_ context.Context, kind, key string) error {
	return t.write(fmt.Sprintf("drop %s:%s", kind, key))
}

func helpdesk(version string) *template.Template {
	return &template.Template{Name: "helpdesk", Version: version,
		Objects: []json.RawMessage{json.RawMessage(noteDef), json.RawMessage(ticketDef)},
		Roles:   []json.RawMessage{json.RawMessage(`{"name": "agent"}`), json.RawMessage(`{"name": "lead"}`)},
		Menu:    []template.MenuGroup{{Label: schema.Label{Zh: "服务", En: "Service"}, Objects: []string{"ticket", "note"}}}}
}

func plan(t *testing.T, tn *tenant, tpl *template.Template, cur *template.Install) (*template.Plan, *template.InstallResult) {
	t.Helper()
	defs, err := template.Check(tpl, func(string) bool { return false })
	require.NoError(t, err)
	var installs []template.Install
	if cur != nil {
		installs = append(installs, *cur)
	}
	p, res, err := template.PlanInstall(context.Background(), tpl, defs, installs, tn, []*template.DocKind{roleKind}, template.InstallOptions{})
	require.NoError(t, err)
	return p, res
}

func TestCheck_Refusals(t *testing.T) {
	t.Parallel()
	reserved := func(name string) bool { return name == "note" }
	scenarios := []struct {
		name string
		edit func(*template.Template)
		key  message.Key
	}{
		{name: "bad name", edit: func(tpl *template.Template) { tpl.Name = "Help Desk" }, key: "template.badName"},
		{name: "bad version", edit: func(tpl *template.Template) { tpl.Version = "1.0" }, key: "template.badVersionOf"},
		{name: "content it cannot install", edit: func(tpl *template.Template) { tpl.Other = map[string]map[string][]byte{"reports": {}} }, key: "template.unsupportedContent"},
		{name: "no objects", edit: func(tpl *template.Template) { tpl.Objects = nil }, key: "template.noObjects"},
		{name: "a reserved object", edit: func(*template.Template) {}, key: "template.reservedObject"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			tpl := helpdesk("1.0.0")
			s.edit(tpl)
			_, err := template.Check(tpl, reserved)
			require.ErrorIs(t, err, template.ErrInvalid)
			var te *template.Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, s.key, te.Key)
			assert.Equal(t, message.Text(message.En, s.key, te.Args...), err.Error())
		})
	}
}

func TestCheckDependencies(t *testing.T) {
	t.Parallel()
	tpl := helpdesk("1.0.0")
	tpl.Depends = []template.Dependency{{Name: "base", Version: "1.2.0"}}
	err := template.CheckDependencies(tpl, nil)
	require.ErrorIs(t, err, template.ErrConflict)
	installs := []template.Install{{Template: "base", Version: "1.3.0", Status: "active"}}
	require.NoError(t, template.CheckDependencies(tpl, installs))
	installs[0].Version = "2.0.0"
	require.ErrorIs(t, template.CheckDependencies(tpl, installs), template.ErrConflict, "another major version")
}

func TestPlan_RecordReadsBack(t *testing.T) {
	t.Parallel()
	tn := newTenant()
	p, res := plan(t, tn, helpdesk("1.0.0"), nil)
	assert.True(t, res.Changed())
	assert.Equal(t, []string{"note", "ticket", "role:agent", "role:lead"}, objectsOf(res))
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	data := p.Record(res, func(string) (int64, bool) { return 1, true }, at.Format(schema.DateTimeLayout), "user:admin")
	// The record goes through the store as JSON.
	b, err := json.Marshal(data)
	require.NoError(t, err)
	var stored map[string]any
	require.NoError(t, json.Unmarshal(b, &stored))
	in := template.ReadInstall("i1", stored)
	assert.Equal(t, "helpdesk", in.Template)
	assert.Equal(t, "1.0.0", in.Version)
	assert.Equal(t, "install", in.Action)
	assert.Equal(t, "active", in.Status)
	assert.Equal(t, at, in.At)
	assert.Equal(t, []string{"note", "ticket"}, in.Objects)
	assert.Equal(t, []string{"agent", "lead"}, in.Roles)
	assert.Equal(t, helpdesk("1.0.0").Menu, in.Menu)

	// Installed as recorded, the same version plans nothing.
	for _, def := range []string{noteDef, ticketDef} {
		obj, err := schema.ParseObject([]byte(def))
		require.NoError(t, err)
		obj.Version = 1
		tn.objects[obj.Name] = obj
	}
	tn.docs[template.RoleDocs] = map[string]string{}
	for _, r := range helpdesk("1.0.0").Roles {
		key, canon, err := roleKind.Parse(r)
		require.NoError(t, err)
		tn.docs[template.RoleDocs][key] = canon
	}
	_, again := plan(t, tn, helpdesk("1.0.0"), &in)
	assert.False(t, again.Changed())
	assert.Empty(t, again.Conflicts)

	// Rolled back, the install deletes what it created, documents first,
	// then the objects.
	res = &template.InstallResult{}
	rb, err := template.PlanRollback(context.Background(), &in, tn, res)
	require.NoError(t, err)
	assert.Empty(t, rb.Problems)
	require.NoError(t, rb.Apply(context.Background(), tn, nil))
	assert.Equal(t, []string{"drop role:lead", "drop role:agent", "drop note", "drop ticket"}, tn.writes)
}

func objectsOf(res *template.InstallResult) []string {
	var out []string
	for _, o := range res.Objects {
		out = append(out, o.Object)
	}
	return out
}

func TestPlan_Apply(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		fail   string
		err    string
		writes []string
	}{
		{name: "all written", writes: []string{"save note", "save ticket", "put role:agent", "put role:lead"}},
		{name: "an object fails: those saved before go", fail: "save ticket", err: "refused",
			writes: []string{"save note", "drop note"}},
		{name: "a document fails: documents then objects go", fail: "put role:lead", err: `install template "helpdesk": write role:lead: refused`,
			writes: []string{"save note", "save ticket", "put role:agent", "drop role:agent", "drop ticket", "drop note"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			tn := newTenant()
			p, _ := plan(t, tn, helpdesk("1.0.0"), nil)
			tn.fail = s.fail
			var progress []template.Progress
			err := p.Apply(context.Background(), tn, func(pr template.Progress) { progress = append(progress, pr) })
			if s.err == "" {
				require.NoError(t, err)
				assert.Equal(t, []template.Progress{{Phase: "objects", Object: "note", Done: 1, Total: 2}, {Phase: "objects", Object: "ticket", Done: 2, Total: 2}}, progress)
			} else {
				require.EqualError(t, err, s.err)
			}
			assert.Equal(t, s.writes, tn.writes)
		})
	}
}

func TestStagePath(t *testing.T) {
	t.Parallel()
	obj, err := schema.ParseObject([]byte(ticketDef))
	require.NoError(t, err)
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return created.AddDate(0, 0, n) }
	scenarios := []struct {
		name  string
		data  map[string]any
		steps []template.SampleStage
		want  []template.SampleStage
		err   string
	}{
		{name: "no steps: the default stage at creation", data: map[string]any{},
			want: []template.SampleStage{{Field: "status", Stage: "open", At: created}}},
		{name: "a path the pipeline allows", data: map[string]any{"status": "doing"},
			steps: []template.SampleStage{{Field: "status", Stage: "open", At: day(1)}, {Field: "status", Stage: "doing", At: day(2)}},
			want:  []template.SampleStage{{Field: "status", Stage: "open", At: day(1)}, {Field: "status", Stage: "doing", At: day(2)}}},
		{name: "a path that ends elsewhere", data: map[string]any{"status": "closed"},
			steps: []template.SampleStage{{Field: "status", Stage: "open", At: day(1)}},
			err:   `the path of status ends at "open", but the record is at "closed"`},
		{name: "a move the pipeline does not allow", data: map[string]any{"status": "closed"},
			steps: []template.SampleStage{{Field: "status", Stage: "open", At: day(1)}, {Field: "status", Stage: "closed", At: day(2)}},
			err:   `status: the pipeline does not allow the move from "open" to "closed"`},
		{name: "back in time", data: map[string]any{"status": "doing"},
			steps: []template.SampleStage{{Field: "status", Stage: "open", At: day(2)}, {Field: "status", Stage: "doing", At: day(1)}},
			err:   `status: the path goes back in time at "doing"`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			got, err := template.StagePath(obj, s.data, s.steps, created)
			if s.err != "" {
				require.EqualError(t, err, s.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, s.want, got)
		})
	}
}

func TestPlanInstall_Refusals(t *testing.T) {
	t.Parallel()
	tn := newTenant()
	tpl := helpdesk("1.0.0")
	defs, err := template.Check(tpl, func(string) bool { return false })
	require.NoError(t, err)
	newer := []template.Install{{Template: "helpdesk", Version: "1.1.0", Status: "active"}}
	_, res, err := template.PlanInstall(context.Background(), tpl, defs, newer, tn, nil, template.InstallOptions{})
	require.ErrorIs(t, err, template.ErrConflict)
	assert.Nil(t, res)
	var te *template.Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, message.Key("template.newerInstalled"), te.Key)

	// The tenant has a ticket whose title another template changed: the
	// merge adopts it, and the same member differs on both sides.
	obj, err := schema.ParseObject([]byte(ticketDef))
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, json.Unmarshal([]byte(ticketDef), &d))
	d["x-crm-label"] = map[string]any{"zh": "请求", "en": "Request"}
	ours, err := json.Marshal(d)
	require.NoError(t, err)
	obj.Definition = ours
	tn.objects["ticket"] = obj
	base, err := json.Marshal(map[string]any{"template": "helpdesk", "release": "0.9.0", "status": "active",
		"definitions": map[string]any{"ticket": strings.Replace(ticketDef, `"en": "Ticket"`, `"en": "Case"`, 1)}})
	require.NoError(t, err)
	var data map[string]any
	require.NoError(t, json.Unmarshal(base, &data))
	installed := []template.Install{template.ReadInstall("i0", data)}
	_, res, err = template.PlanInstall(context.Background(), tpl, defs, installed, tn, nil, template.InstallOptions{})
	require.ErrorIs(t, err, template.ErrConflict)
	require.ErrorAs(t, err, &te)
	assert.Equal(t, message.Key("template.upgradeConflicts"), te.Key)
	require.NotNil(t, res, "the result comes with the conflicts")
	assert.NotEmpty(t, res.Conflicts)

	// Picking a side plans the upgrade; a dry run says how much sample data
	// it would write.
	opts := template.InstallOptions{OnConflict: template.ConflictKeepOurs, DryRun: true, Sample: &template.SampleData{Total: 40}}
	_, res, err = template.PlanInstall(context.Background(), tpl, defs, installed, tn, nil, opts)
	require.NoError(t, err)
	assert.Equal(t, "0.9.0", res.FromVersion)
	assert.Contains(t, res.Notes, "sample data: about 40 records would be written")
}

func TestLatestAndMenu(t *testing.T) {
	t.Parallel()
	day := func(n int) time.Time { return time.Date(2026, 1, n, 0, 0, 0, 0, time.UTC) }
	sales := []template.MenuGroup{{Label: schema.Label{Zh: "销售", En: "Sales"}, Objects: []string{"deal", "account"}}}
	service := []template.MenuGroup{{Label: schema.Label{Zh: "服务", En: "Service"}, Objects: []string{"ticket", "account"}}}
	installs := []template.Install{ // newest first
		{ID: "4", Template: "service", Version: "1.1.0", Status: "rolledBack", At: day(4), Menu: service},
		{ID: "3", Template: "service", Version: "1.0.0", Status: "active", At: day(3), Menu: service},
		{ID: "2", Template: "sales", Version: "2.0.0", Status: "active", At: day(2), Menu: sales},
		{ID: "1", Template: "sales", Version: "1.0.0", Status: "active", At: day(1), Menu: sales},
	}
	latest := template.Latest(installs)
	require.Len(t, latest, 2)
	assert.Equal(t, []string{"2", "3"}, []string{latest[0].ID, latest[1].ID})

	menu := template.Menu(installs, func(o string) bool { return o != "deal" })
	assert.Equal(t, []template.MenuGroup{
		{Label: sales[0].Label, Objects: []string{"account"}},
		{Label: service[0].Label, Objects: []string{"ticket"}},
	}, menu, "the oldest template first; an object in its first group only; what the caller cannot see left out")
}

func TestSampleRecord_Resolved(t *testing.T) {
	t.Parallel()
	obj, err := schema.ParseObject([]byte(`{"$id": "note", "type": "object", "x-crm-label": {"zh": "备注", "en": "Note"},
	  "properties": {
	    "ticket": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "ticket", "x-crm-label": {"zh": "工单", "en": "Ticket"}},
	    "related": {"type": "array", "items": {"type": "string"}, "x-crm-type": "multilookup", "x-crm-target": "ticket", "x-crm-label": {"zh": "相关", "en": "Related"}}}}`))
	require.NoError(t, err)
	ids := map[string]string{"t1": "id-1", "t2": "id-2"}
	idOf := func(key string) (string, bool) { id, ok := ids[key]; return id, ok }
	r := template.SampleRecord{Object: "note", Key: "n1", Data: map[string]any{"ticket": "t1", "related": []any{"t1", "t2"}}}
	data, err := r.Resolved(obj, idOf)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"ticket": "id-1", "related": []any{"id-1", "id-2"}}, data)
	assert.Equal(t, "t1", r.Data["ticket"], "the record's own data stays as it is")

	r.Data["related"] = []any{"t3"}
	_, err = r.Resolved(obj, idOf)
	require.EqualError(t, err, `sample note record "n1": related refers to key "t3", which no earlier record has`)
}

// batches records the batches written and gives each keyed record the id
// "id-KEY"; fail, when set, fails that batch (counted from 1).
type batches struct {
	sizes []int
	fail  int
}

func (b *batches) WriteBatch(_ context.Context, batch []template.SampleRecord, earlier func(string) (string, bool)) (map[string]string, error) {
	b.sizes = append(b.sizes, len(batch))
	if len(b.sizes) == b.fail {
		return nil, errors.New("refused")
	}
	added := map[string]string{}
	for _, r := range batch {
		if ref, ok := r.Data["ref"].(string); ok {
			if _, ok := added[ref]; !ok {
				if _, ok := earlier(ref); !ok {
					return nil, fmt.Errorf("%s: no record %s", r.Key, ref)
				}
			}
		}
		added[r.Key] = "id-" + r.Key
	}
	return added, nil
}

func TestSampleData_Write(t *testing.T) {
	t.Parallel()
	gen := func(n int, dup bool) *template.SampleData {
		return &template.SampleData{Total: n, Generate: func(_ context.Context, emit func(template.SampleRecord) error) error {
			for i := range n {
				r := template.SampleRecord{Object: "note", Key: fmt.Sprint("k", i), Data: map[string]any{}}
				if i > 0 {
					r.Data["ref"] = fmt.Sprint("k", i-1) // the record before, in this batch or the one before
				}
				if dup && i == n-1 {
					r.Key = "k0"
				}
				if err := emit(r); err != nil {
					return err
				}
			}
			return nil
		}}
	}
	scenarios := []struct {
		name    string
		sample  *template.SampleData
		fail    int
		written int
		sizes   []int
		err     string
	}{
		{name: "in batches of a thousand", sample: gen(2500, false), written: 2500, sizes: []int{1000, 1000, 500}},
		{name: "a key used twice", sample: gen(1200, true), written: 1000, sizes: []int{1000},
			err: `write sample data of template "helpdesk" (after 1000 records): sample record key "k0" is used twice`},
		{name: "a batch fails", sample: gen(2500, false), fail: 2, written: 1000, sizes: []int{1000, 1000},
			err: `write sample data of template "helpdesk" (after 1000 records): refused`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			w := &batches{fail: s.fail}
			var last template.Progress
			n, err := s.sample.Write(context.Background(), "helpdesk", w, func(p template.Progress) { last = p })
			if s.err != "" {
				require.EqualError(t, err, s.err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, template.Progress{Phase: "sample", Done: 2500, Total: 2500}, last)
			}
			assert.Equal(t, s.written, n)
			assert.Equal(t, s.sizes, w.sizes)
		})
	}
}

func TestTemplate_AddDocs(t *testing.T) {
	t.Parallel()
	tpl := &template.Template{}
	require.NoError(t, tpl.AddDocs(template.RoleDocs, map[string]string{"b": `{"name":"b"}`, "a": `{"name":"a"}`}))
	require.Len(t, tpl.Roles, 2)
	assert.Equal(t, "{\n  \"name\": \"a\"\n}", string(tpl.Roles[0]))
	require.EqualError(t, tpl.AddDocs(template.ViewDocs, map[string]string{"deal.open": `{`}), `export view "deal.open": unexpected end of JSON input`)
}
