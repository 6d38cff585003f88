package graphql_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestSDL_Golden(t *testing.T) {
	t.Parallel()
	cat := engine.NewCatalog(tenantA, 1, []*schema.Object{dealObject(), accountObject()})
	got := graphql.SDL(cat)
	path := filepath.Join("testdata", "deal_account.golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)

	_, err = gqlparser.LoadSchema(&ast.Source{Input: got})
	require.NoError(t, err, "the generated SDL must parse and be a valid schema")
}

func parseSDL(t *testing.T, objects ...*schema.Object) (string, *ast.Schema) {
	t.Helper()
	sdl := graphql.SDL(engine.NewCatalog(tenantA, 1, objects))
	s, err := gqlparser.LoadSchema(&ast.Source{Input: sdl})
	require.NoError(t, err, sdl)
	return sdl, s
}

func TestSDL_ZeroObjects(t *testing.T) {
	t.Parallel()
	sdl, _ := parseSDL(t)
	assert.Contains(t, sdl, "objects: [ObjectDefinition!]!")
	assert.Contains(t, sdl, "saveObject(definition: JSON!, options: SaveObjectOptions): ObjectDefinition\n")

	f := newFakeEngine()
	f.setObjects(tenantA)
	srv, err := graphql.New(graphql.Config{Engine: f})
	require.NoError(t, err)
	data := mustRun(t, srv, admin, `{ objects { name } }`, nil)
	assert.Equal(t, []any{}, data["objects"])
}

func TestSDL_Names(t *testing.T) {
	t.Parallel()
	text := func(name string, fields ...*schema.Field) *schema.Object {
		if len(fields) == 0 {
			fields = []*schema.Field{{Name: "name", Type: schema.TypeText}}
		}
		return &schema.Object{Name: name, Fields: fields}
	}
	lookup := func(name, target, reverse string) *schema.Field {
		return &schema.Field{Name: name, Type: schema.TypeLookup, Target: target, Reverse: reverse}
	}
	scenarios := []struct {
		name    string
		objects []*schema.Object
		want    []string
		notWant []string
	}{
		{
			name:    "plural of the source",
			objects: []*schema.Object{text("account"), text("opportunity", lookup("account", "account", ""))},
			want: []string{"opportunities(view: String, filter: OpportunityFilter, orderBy: [OpportunityOrderBy!], first: Int, after: String): OpportunityConnection!",
				"  opportunity(id: ID!): Opportunity\n", "  account: Account\n"},
		},
		{
			name:    "two lookups to one target take the field name",
			objects: []*schema.Object{text("account"), text("deal", lookup("account", "account", ""), lookup("billingAccount", "account", ""))},
			want:    []string{"  dealsByAccount(filter: DealFilter", "  dealsByBillingAccount(filter: DealFilter"},
			notWant: []string{"refers to this one.\"\n  deals("},
		},
		{
			name:    "explicit reverse name",
			objects: []*schema.Object{text("account"), text("deal", lookup("account", "account", "openDeals"), lookup("billingAccount", "account", ""))},
			want:    []string{"  openDeals(filter: DealFilter", "billingAccount refers to this one.\"\n  deals(filter: DealFilter"},
		},
		{
			name: "reverse name clashing with a field of the target",
			objects: []*schema.Object{text("account", &schema.Field{Name: "deals", Type: schema.TypeInteger}),
				text("deal", lookup("account", "account", ""))},
			want: []string{"  deals: Int\n", "  dealsByAccount(filter: DealFilter"},
		},
		{
			name:    "explicit reverse clashing with a field falls back",
			objects: []*schema.Object{text("account", &schema.Field{Name: "name", Type: schema.TypeText}), text("deal", lookup("account", "account", "name"))},
			want:    []string{"  dealsByAccount(filter: DealFilter"},
		},
		{
			name:    "self lookup",
			objects: []*schema.Object{text("account", &schema.Field{Name: "name", Type: schema.TypeText}, lookup("parent", "account", "children"))},
			want:    []string{"  parent: Account\n", "  children(filter: AccountFilter, orderBy: [AccountOrderBy!], first: Int, after: String): AccountConnection!"},
		},
		{
			name:    "lookup to a missing object is left out",
			objects: []*schema.Object{text("deal", lookup("account", "account", ""), &schema.Field{Name: "title", Type: schema.TypeText})},
			want:    []string{"  title: String\n"},
			notWant: []string{"account", "Account"},
		},
		{
			name:    "uncountable name",
			objects: []*schema.Object{text("news")},
			want:    []string{"  news(id: ID!): News\n", "  newsList(view: String, filter: NewsFilter"},
		},
		{
			name:    "objects whose names collide are left out",
			objects: []*schema.Object{text("address"), text("deal"), text("dealFilter"), text("object"), text("label"), text("jSON")},
			want:    []string{"type Deal {", "input DealFilter {"},
			notWant: []string{"dealFilter(", "DealFilterFilter", "object(id:", "addresses(", "labels(", "jSONS", "jSONs("},
		},
		{
			name:    "an object without writable fields",
			objects: []*schema.Object{text("counter", &schema.Field{Name: "number", Type: schema.TypeAutoNumber})},
			want:    []string{"  createCounter: Counter\n", "  deleteCounter(id: ID!): Boolean\n"},
			notWant: []string{"CounterInput", "updateCounter"},
		},
		{
			name: "picklists whose options are names are enums",
			objects: []*schema.Object{text("deal", &schema.Field{Name: "stage", Type: schema.TypePicklist, Options: []string{"new", "won", "_x1"},
				OptionLabels: map[string]schema.Label{"won": {Zh: "赢单", En: "Won"}}},
				&schema.Field{Name: "tags", Type: schema.TypeMultiPicklist, Options: []string{"vip", "partner"}})},
			want: []string{"  stage: DealStage\n", "enum DealStage {\n  new\n  \"赢单 / Won\"\n  won\n  _x1\n}", "input DealStageComparison {\n  eq: DealStage\n",
				"  tags: [DealTags!]\n", "input DealTagsListComparison {\n  \"The list has this element.\"\n  includes: DealTags\n",
				"input DealInput {\n  stage: DealStage\n  tags: [DealTags!]\n}", "  stage: DealStageComparison\n", "  tags: DealTagsListComparison\n"},
		},
		{
			name: "picklists with options that are not names stay strings",
			objects: []*schema.Object{text("deal",
				&schema.Field{Name: "stage", Type: schema.TypePicklist, Options: []string{"新建", "赢单"}},
				&schema.Field{Name: "size", Type: schema.TypePicklist, Options: []string{"lt50", "50to199"}},
				&schema.Field{Name: "flag", Type: schema.TypePicklist, Options: []string{"yes", "true"}},
				&schema.Field{Name: "kind", Type: schema.TypePicklist, Options: []string{"__a"}},
				&schema.Field{Name: "labels", Type: schema.TypeMultiPicklist, Options: []string{"a b"}})},
			want:    []string{"  stage: String\n", "  size: String\n", "  flag: String\n", "  kind: String\n", "  labels: [String!]\n", "  stage: StringComparison\n"},
			notWant: []string{"enum DealStage {", "enum DealSize {", "enum DealFlag {", "enum DealKind {", "enum DealLabels {"},
		},
		{
			name:    "an enum whose name is taken stays a string",
			objects: []*schema.Object{text("dealStage"), text("deal", &schema.Field{Name: "stage", Type: schema.TypePicklist, Options: []string{"a", "b"}})},
			want:    []string{"type DealStage {", "  stage: String\n"},
			notWant: []string{"enum DealStage {"},
		},
		{
			name:    "descriptions are escaped",
			objects: []*schema.Object{{Name: "deal", Label: schema.Label{En: `Say "hi" \ bye`}, Description: "line1\nline2", Fields: []*schema.Field{{Name: "a", Type: schema.TypeText}}}},
			want:    []string{`"Say \"hi\" \\ bye: line1\nline2"` + "\ntype Deal {"},
		},
		// Bulk writes.
		{name: "every write, upsert by the unique fields",
			objects: []*schema.Object{text("deal", &schema.Field{Name: "code", Type: schema.TypeText, Unique: true}, &schema.Field{Name: "name", Type: schema.TypeText})},
			want: []string{"  createDeals(inputs: [DealInput!]!, atomic: Boolean = false): [DealWriteResult!]!\n",
				"  updateDeals(updates: [DealUpdate!]!, atomic: Boolean = false): [DealWriteResult!]!\n",
				"  upsertDeals(by: DealUniqueField, inputs: [DealUpsert!]!, atomic: Boolean = false): [DealWriteResult!]!\n",
				"  deleteDeals(ids: [ID!]!, atomic: Boolean = false): [DealWriteResult!]!\n",
				"enum DealUniqueField {\n  code\n}", "input DealUpdate {\n  id: ID!\n", "input DealUpsert {\n", "enum WriteOutcome {"}},
		{name: "no unique field: upserts match on ids",
			objects: []*schema.Object{text("deal")},
			want:    []string{"  upsertDeals(inputs: [DealUpsert!]!, atomic: Boolean = false)"},
			notWant: []string{"DealUniqueField"}},
		{name: "an uncountable name",
			objects: []*schema.Object{text("news")},
			want:    []string{"  createNewsList(inputs: [NewsInput!]!", "  deleteNewsList(ids: [ID!]!"}},
		{name: "an object whose type takes a bulk type name keeps it",
			objects: []*schema.Object{text("deal"), text("dealUpdate")},
			want:    []string{"type DealUpdate {", "  createDealUpdates(inputs: [DealUpdateInput!]!"},
			notWant: []string{"createDeals(", "input DealUpdate {"}},
		{name: "a picklist whose enum takes a bulk type name keeps it",
			objects: []*schema.Object{text("deal", &schema.Field{Name: "upsert", Type: schema.TypePicklist, Options: []string{"a", "b"}})},
			want:    []string{"enum DealUpsert {", "  upsert: DealUpsert\n"},
			notWant: []string{"createDeals("}},
		{name: "an object named as a static bulk type is left out",
			objects: []*schema.Object{text("deal"), text("writeError"), text("fieldError")},
			want:    []string{"  createDeals("},
			notWant: []string{"writeErrors(", "fieldErrors("}},
		{name: "an object without writable fields deletes only",
			objects: []*schema.Object{text("counter", &schema.Field{Name: "number", Type: schema.TypeAutoNumber})},
			want:    []string{"  deleteCounters(ids: [ID!]!, atomic: Boolean = false): [CounterWriteResult!]!\n"},
			notWant: []string{"createCounters", "CounterUpdate", "CounterUpsert"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			sdl, _ := parseSDL(t, s.objects...)
			for _, w := range s.want {
				assert.Contains(t, sdl, w)
			}
			for _, w := range s.notWant {
				assert.NotContains(t, sdl, w)
			}
		})
	}
}
