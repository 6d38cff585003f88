package scaleplan_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/internal/scaleplan"
	"github.com/crmkit/crm/schema"
)

var update = flag.Bool("update", false, "rewrite the computed sections of docs/scale.md")

func catalog(t *testing.T) *scaleplan.Catalog {
	t.Helper()
	c, err := scaleplan.Load(os.DirFS(filepath.Join("..", "..", "engine", "platform")))
	require.NoError(t, err)
	return c
}

// sectionBounds finds the text of docs/scale.md between the markers
// <!-- scaleplan:name --> and <!-- /scaleplan:name -->.
func sectionBounds(t *testing.T, doc, name string) (int, int) {
	t.Helper()
	begin, end := "<!-- scaleplan:"+name+" -->\n", "<!-- /scaleplan:"+name+" -->"
	i := strings.Index(doc, begin)
	require.GreaterOrEqual(t, i, 0, "docs/scale.md has no %q", begin)
	j := strings.Index(doc[i:], end)
	require.GreaterOrEqual(t, j, 0, "docs/scale.md has no %q", end)
	return i + len(begin), i + j
}

// TestDoc_TablesAreComputed: the tables of docs/scale.md, and the
// paragraph reading them, are what this package computes from the
// definitions in the repository, so they cannot drift from them. After a
// change to a definition, rewrite them with
//
//	go test ./internal/scaleplan -run TestDoc -update
//
// and read the prose around them again.
func TestDoc_TablesAreComputed(t *testing.T) {
	c := catalog(t)
	path := filepath.Join("..", "..", "docs", "scale.md")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	doc := string(b)
	tenants, err := c.TenantTable(scaleplan.NewTenantObjects)
	require.NoError(t, err)
	want := map[string]string{"tenants": tenants, "fleet": c.FleetTable(), "reading": c.Reading()}
	for _, name := range []string{"tenants", "fleet", "reading"} {
		i, j := sectionBounds(t, doc, name)
		if *update {
			doc = doc[:i] + want[name] + doc[j:]
			continue
		}
		assert.Equal(t, want[name], doc[i:j], "section %q of docs/scale.md differs from the definitions: go test ./internal/scaleplan -run TestDoc -update", name)
	}
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
	}
}

// TestLoad_EveryDefinition: the catalog holds every platform object and
// every embedded template, each object with at least its _id_ index and
// the three system indexes.
func TestLoad_EveryDefinition(t *testing.T) {
	c := catalog(t)
	files, err := filepath.Glob(filepath.Join("..", "..", "engine", "platform", "*.json"))
	require.NoError(t, err)
	assert.Len(t, c.Platform, len(files))
	assert.Contains(t, c.TemplateNames(), "starter")
	assert.Contains(t, c.TemplateNames(), "b2b-sales")
	for _, o := range c.Platform {
		assert.GreaterOrEqual(t, o.Indexes, 4, o.Name)
	}
	for _, name := range c.TemplateNames() {
		assert.NotEmpty(t, c.Templates[name], name)
	}
	_, ok := c.Find("starter", "deal")
	assert.True(t, ok)
	_, ok = c.Find("starter", "crmUser")
	assert.True(t, ok, "platform objects are found whatever the template")
	_, ok = c.Find("", "deal")
	assert.False(t, ok, "a template object needs its template")
}

func TestLoad_Refuses(t *testing.T) {
	_, err := scaleplan.Load(fstest.MapFS{})
	assert.ErrorContains(t, err, "no definitions found")
	_, err = scaleplan.Load(fstest.MapFS{"crmBad.json": {Data: []byte(`{"$id": "crmBad", "type": "object", "properties": {"x": {"type": "string", "x-crm-type": "nope"}}}`)}})
	assert.ErrorContains(t, err, "crmBad.json")
}

// TestObjectIndexes_CountsDistinctKeys: an index the definition asks for
// twice (an x-crm-indexes entry equal to an indexed or lookup field's
// index) is one index, as the adapter names indexes
// by their keys; a unique field and a compound entry are their own.
func TestObjectIndexes_CountsDistinctKeys(t *testing.T) {
	obj, err := schema.ParseObject([]byte(`{"$id": "deal", "type": "object", "properties": {
	  "name":    {"type": "string", "x-crm-type": "text", "x-crm-unique": true},
	  "stage":   {"type": "string", "x-crm-type": "text", "x-crm-indexed": true},
	  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
	  "tags":    {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "x-crm-type": "multipicklist", "x-crm-indexed": true},
	  "note":    {"type": "string", "x-crm-type": "text"}},
	  "x-crm-indexes": [["stage"], ["account", "stage"], ["account"]]}`))
	require.NoError(t, err)
	n, err := scaleplan.ObjectIndexes(obj)
	require.NoError(t, err)
	// _id_, ux name, ix stage, ix account, ix account+stage, ix tags
	// (its elements), createdAt, updatedAt, ownerId.
	assert.Equal(t, 9, n)
}

func TestShards(t *testing.T) {
	assert.Equal(t, 1, scaleplan.Shards(scaleplan.Cost{}))
	assert.Equal(t, 1, scaleplan.Shards(scaleplan.Cost{Collections: scaleplan.CollectionsPerShard}))
	assert.Equal(t, 2, scaleplan.Shards(scaleplan.Cost{Collections: scaleplan.CollectionsPerShard + 1}))
}

// TestFleets_Arithmetic: the fleet rows are the per-tenant costs times
// the tenant count, the pool does not grow with tenants, and the mixed
// layout holds the pool and its big tenants' databases.
func TestFleets_Arithmetic(t *testing.T) {
	c := catalog(t)
	fleets := c.Fleets()
	require.Len(t, fleets, len(scaleplan.FleetSizes))
	for _, f := range fleets {
		assert.Equal(t, c.ActiveTenant(scaleplan.SmallTemplate).Collections*f.Tenants, f.Small.Collections)
		assert.Equal(t, c.ActiveTenant(scaleplan.LargeTemplate).Indexes*f.Tenants, f.Large.Indexes)
		assert.Equal(t, scaleplan.Pool(), f.Pooled)
		assert.Equal(t, scaleplan.Pool().Times(f.Tenants/scaleplan.PoolTenants), f.Pools)
		assert.Equal(t, f.Tenants/100, f.BigNumber)
		assert.Equal(t, scaleplan.Pool().Add(c.ActiveTenant(scaleplan.LargeTemplate).Times(f.BigNumber)), f.Mixed)
	}
	assert.Equal(t, scaleplan.Cost{Collections: 8, Indexes: 15}, scaleplan.Pool())
}
