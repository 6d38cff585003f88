package templates_test

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/templates"
)

func TestTemplates_EveryDefinitionParses(t *testing.T) {
	t.Parallel()
	ms, err := templates.List()
	require.NoError(t, err)
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	assert.Equal(t, []string{"b2b-sales", "chemical", "education", "finance", "healthcare", "retail", "starter", "tourism"}, names)
	for _, m := range ms {
		tpl, err := templates.Get(m.Name)
		require.NoError(t, err)
		require.Len(t, tpl.Definitions, len(tpl.Objects))
		objs := map[string]*schema.Object{}
		for i, def := range tpl.Definitions {
			obj, err := schema.ParseObject(def)
			require.NoError(t, err, "%s/%s", m.Name, tpl.Objects[i])
			assert.Equal(t, tpl.Objects[i], obj.Name, "file name and $id of %s/%s", m.Name, tpl.Objects[i])
			_, err = schema.NewValidator(obj)
			require.NoError(t, err)
			objs[obj.Name] = obj
		}
		for i, name := range tpl.Objects {
			obj := objs[name]
			assert.NotEmpty(t, obj.Label.Zh, "%s/%s needs a Chinese label", m.Name, name)
			assert.NotEmpty(t, obj.Label.En, "%s/%s needs an English label", m.Name, name)
			for _, f := range obj.Fields {
				if strings.HasPrefix(f.Name, "_") {
					continue // the engine's hidden fields (search hashes of sensitive fields)
				}
				assert.NotEmpty(t, f.Label.Zh, "%s/%s.%s needs a Chinese label", m.Name, name, f.Name)
				assert.NotEmpty(t, f.Label.En, "%s/%s.%s needs an English label", m.Name, name, f.Name)
				for _, o := range f.Options {
					if m.Name != "starter" {
						assert.NotEmpty(t, f.OptionLabels[o].Zh, "%s/%s.%s option %s needs a label", m.Name, name, f.Name, o)
					}
				}
				if f.Target == "" || f.Target == name {
					continue
				}
				require.Contains(t, objs, f.Target, "%s/%s.%s points at an object the template lacks", m.Name, name, f.Name)
				// Install order: a lookup's target comes first unless the
				// two point at each other.
				if !pointsAt(objs[f.Target], name) {
					assert.Less(t, slices.Index(tpl.Objects, f.Target), i, "%s: %s before %s", m.Name, f.Target, name)
				}
			}
		}
	}
}

// TestTemplates_Menus: every template groups its objects for the web
// app, naming only objects it has (none depends on another).
func TestTemplates_Menus(t *testing.T) {
	t.Parallel()
	ms, err := templates.List()
	require.NoError(t, err)
	for _, m := range ms {
		tpl, err := templates.Get(m.Name)
		require.NoError(t, err)
		require.NotEmpty(t, tpl.Menu, m.Name)
		require.Empty(t, tpl.Depends, m.Name)
		for _, g := range tpl.Menu {
			assert.NotEmpty(t, g.Label.Zh, m.Name)
			assert.NotEmpty(t, g.Label.En, m.Name)
			for _, o := range g.Objects {
				assert.Contains(t, tpl.Objects, o, "%s: menu group %s", m.Name, g.Label.En)
			}
		}
	}
}

// TestTemplates_StageColors: every stage of every pipeline has a colour
// for tags and board columns; won stages are green and lost ones red.
func TestTemplates_StageColors(t *testing.T) {
	t.Parallel()
	ms, err := templates.List()
	require.NoError(t, err)
	pipelines := 0
	for _, m := range ms {
		tpl, err := templates.Get(m.Name)
		require.NoError(t, err)
		for _, def := range tpl.Definitions {
			obj, err := schema.ParseObject(def)
			require.NoError(t, err)
			for _, f := range obj.Fields {
				if f.Pipeline == nil {
					continue
				}
				pipelines++
				for _, st := range f.Pipeline.Stages {
					c := f.OptionColors[st.Value]
					require.NotEmpty(t, c, "%s/%s.%s stage %s", m.Name, obj.Name, f.Name, st.Value)
					switch st.Category {
					case schema.StageWon:
						assert.Equal(t, "green", c, "%s/%s.%s %s", m.Name, obj.Name, f.Name, st.Value)
					case schema.StageLost:
						assert.Equal(t, "red", c, "%s/%s.%s %s", m.Name, obj.Name, f.Name, st.Value)
					}
				}
			}
		}
	}
	assert.GreaterOrEqual(t, pipelines, 15)
}

func pointsAt(obj *schema.Object, target string) bool {
	for _, f := range obj.Fields {
		if f.Target == target {
			return true
		}
	}
	return false
}

// Reverse names must not clash on a target, or the GraphQL schema would
// have two fields of one name.
func TestTemplates_ReverseNamesAreDistinct(t *testing.T) {
	t.Parallel()
	ms, err := templates.List()
	require.NoError(t, err)
	for _, m := range ms {
		tpl, err := templates.Get(m.Name)
		require.NoError(t, err)
		fields := map[string]map[string]bool{} // object → field names
		var objs []*schema.Object
		for _, def := range tpl.Definitions {
			obj, err := schema.ParseObject(def)
			require.NoError(t, err)
			objs = append(objs, obj)
			fields[obj.Name] = map[string]bool{}
			for _, f := range obj.Fields {
				fields[obj.Name][f.Name] = true
			}
		}
		for _, obj := range objs {
			for _, f := range obj.Fields {
				if f.Reverse == "" {
					continue
				}
				assert.False(t, fields[f.Target][f.Reverse], "%s: reverse %s.%s of %s.%s clashes", m.Name, f.Target, f.Reverse, obj.Name, f.Name)
				fields[f.Target][f.Reverse] = true
			}
		}
	}
}

func TestTemplates_ManifestsFollowTheirSchema(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.LoadURL = func(string) (io.ReadCloser, error) { return nil, fs.ErrNotExist }
	require.NoError(t, c.AddResource("mem://manifest.json", bytes.NewReader(templates.ManifestSchema())))
	sch, err := c.Compile("mem://manifest.json")
	require.NoError(t, err)
	ms, err := templates.List()
	require.NoError(t, err)
	for _, m := range ms {
		b, err := json.Marshal(m)
		require.NoError(t, err)
		var doc any
		require.NoError(t, json.Unmarshal(b, &doc))
		assert.NoError(t, sch.Validate(doc), m.Name)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	manifest := `{"name": "mine", "version": "1.2.0", "label": {"zh": "我的", "en": "Mine"}, "description": {"zh": "说明", "en": "About"}, "depends": [{"name": "b2b-sales", "version": "1.0.0"}]}`
	scenarios := []struct {
		name  string
		files fstest.MapFS
		check func(t *testing.T, tpl *templates.Template, err error)
	}{
		{"other kinds are carried along", fstest.MapFS{
			"manifest.json":           {Data: []byte(manifest)},
			"objects/b.json":          {Data: []byte(`{"$id": "b", "type": "object", "properties": {"a": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "a"}}}`)},
			"objects/a.json":          {Data: []byte(`{"$id": "a", "type": "object", "properties": {"n": {"type": "string", "x-crm-type": "text"}}}`)},
			"scripts/check.js":        {Data: []byte(`// later`)},
			"forecasts/pipeline.json": {Data: []byte(`{}`)},
		}, func(t *testing.T, tpl *templates.Template, err error) {
			require.NoError(t, err)
			assert.Equal(t, []string{"a", "b"}, tpl.Objects)
			assert.Equal(t, []byte(`// later`), tpl.Other["scripts"]["check.js"])
			assert.Contains(t, tpl.Other, "forecasts")
			assert.Equal(t, "b2b-sales", tpl.Depends[0].Name)
		}},
		{"roles, layouts, views, reports and dashboards", fstest.MapFS{
			"manifest.json":             {Data: []byte(manifest)},
			"objects/a.json":            {Data: []byte(`{"$id": "a", "type": "object", "properties": {"n": {"type": "string", "x-crm-type": "text"}}}`)},
			"roles/sales.json":          {Data: []byte(`{"name": "sales", "objects": {"a": {"read": true}}}`)},
			"roles/agent.json":          {Data: []byte(`{"name": "agent", "objects": {}}`)},
			"layouts/a.json":            {Data: []byte(`{"object": "a", "sections": [{"label": {"en": "A"}, "fields": ["n"]}]}`)},
			"views/a.everything.json":   {Data: []byte(`{"object": "a", "name": "everything"}`)},
			"reports/byN.json":          {Data: []byte(`{"name": "byN", "object": "a", "groupBy": [{"field": "n"}], "measures": [{"op": "count"}], "chart": {"type": "bar"}}`)},
			"dashboards/aOverview.json": {Data: []byte(`{"name": "aOverview", "cards": [{"report": "byN", "width": 24}]}`)},
		}, func(t *testing.T, tpl *templates.Template, err error) {
			require.NoError(t, err)
			require.Len(t, tpl.Roles, 2)
			assert.Contains(t, string(tpl.Roles[0]), `"agent"`, "in file name order")
			assert.Len(t, tpl.Layouts, 1)
			assert.Len(t, tpl.Views, 1)
			assert.Len(t, tpl.Reports, 1)
			assert.Len(t, tpl.Dashboards, 1)
			assert.Empty(t, tpl.Other)
		}},
		{"document named other than its file", fstest.MapFS{
			"manifest.json":    {Data: []byte(manifest)},
			"objects/a.json":   {Data: []byte(`{"$id": "a", "type": "object", "properties": {}}`)},
			"views/a.all.json": {Data: []byte(`{"object": "a", "name": "open"}`)},
		}, func(t *testing.T, _ *templates.Template, err error) {
			require.ErrorContains(t, err, `a.all.json: the document is "a.open"; name the file after it`)
		}},
		{"file named other than its $id", fstest.MapFS{
			"manifest.json":  {Data: []byte(manifest)},
			"objects/x.json": {Data: []byte(`{"$id": "y", "type": "object", "properties": {}}`)},
		}, func(t *testing.T, _ *templates.Template, err error) {
			require.ErrorContains(t, err, `its $id is "y"`)
		}},
		{"unknown manifest member", fstest.MapFS{
			"manifest.json":  {Data: []byte(`{"name": "mine", "version": "1.0.0", "objects": ["a"], "label": {"zh": "a", "en": "a"}, "description": {"zh": "a", "en": "a"}}`)},
			"objects/a.json": {Data: []byte(`{"$id": "a"}`)},
		}, func(t *testing.T, _ *templates.Template, err error) {
			require.ErrorContains(t, err, "unknown field")
		}},
		{"a menu", fstest.MapFS{
			"manifest.json":  {Data: []byte(`{"name": "mine", "version": "1.0.0", "label": {"zh": "a", "en": "a"}, "description": {"zh": "a", "en": "a"}, "menu": [{"label": {"zh": "销售", "en": "Sales"}, "objects": ["a", "b"]}]}`)},
			"objects/a.json": {Data: []byte(`{"$id": "a", "type": "object", "properties": {}}`)},
		}, func(t *testing.T, tpl *templates.Template, err error) {
			require.NoError(t, err, "b may come from a dependency: the installer checks")
			assert.Equal(t, []templates.MenuGroup{{Label: templates.Label{Zh: "销售", En: "Sales"}, Objects: []string{"a", "b"}}}, tpl.Menu)
		}},
		{"a bad menu", fstest.MapFS{
			"manifest.json": {Data: []byte(`{"name": "mine", "version": "1.0.0", "label": {"zh": "a", "en": "a"}, "description": {"zh": "a", "en": "a"},
			  "menu": [{"label": {"zh": "销售"}, "objects": ["a", "Bad-name"]}, {"label": {"zh": "x", "en": "x"}, "objects": ["a"]}, {"label": {"zh": "y", "en": "y"}, "objects": []}]}`)},
		}, func(t *testing.T, _ *templates.Template, err error) {
			require.ErrorContains(t, err, "menu[0]: the label needs both zh and en")
			require.ErrorContains(t, err, `menu[0]: "Bad-name" is not an object name`)
			require.ErrorContains(t, err, `menu[1]: "a" is already in menu[0]`)
			require.ErrorContains(t, err, "menu[2]: a group names 1 to 50 objects")
		}},
		{"bad version", fstest.MapFS{
			"manifest.json": {Data: []byte(`{"name": "mine", "version": "1.0", "label": {"zh": "a", "en": "a"}, "description": {"zh": "a", "en": "a"}}`)},
		}, func(t *testing.T, _ *templates.Template, err error) {
			require.ErrorContains(t, err, "not a semantic version")
		}},
		{"no objects", fstest.MapFS{
			"manifest.json": {Data: []byte(manifest)},
		}, func(t *testing.T, _ *templates.Template, err error) {
			require.ErrorContains(t, err, "no objects")
		}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := templates.Load(s.files)
			s.check(t, tpl, err)
		})
	}
}

func TestVersion_Compare(t *testing.T) {
	t.Parallel()
	order := []string{"0.9.9", "1.0.0-alpha", "1.0.0-beta", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0"}
	for i := range order {
		for j := range order {
			a, err := templates.ParseVersion(order[i])
			require.NoError(t, err)
			b, err := templates.ParseVersion(order[j])
			require.NoError(t, err)
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			assert.Equal(t, want, a.Compare(b), "%s vs %s", order[i], order[j])
		}
	}
	for _, bad := range []string{"", "1", "1.0", "01.0.0", "v1.0.0", "1.0.0.0"} {
		_, err := templates.ParseVersion(bad)
		assert.Error(t, err, bad)
	}
}

func TestTemplates_UnknownName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"nope", "../starter", "starter/objects", ""} {
		_, err := templates.Get(name)
		require.ErrorIs(t, err, fs.ErrNotExist, name)
	}
}
