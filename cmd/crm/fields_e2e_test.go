package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_PagesReadSelectedFields: a page and the accounts of its deals
// are read with only the fields the query selects (issue 20); whatever
// is selected answers exactly as when every field is selected, with
// formulas, roll-ups, encrypted and masked fields, aliases, and cursors
// of an order on a field not selected.
func TestServe_PagesReadSelectedFields(t *testing.T) {
	t.Parallel()
	s, dir, keyFile := startFieldsServer(t)

	// Every field selected: the whole records, as before.
	const every = `id title amount qty net done tags shipTo { city country } account { id name mobile phone note grade total }`
	full := func(key string, sel string) []any {
		r := s.gql(t, key, `{ deals(orderBy: [{amount: DESC}, {title: ASC}]) { nodes { `+sel+` } } }`, nil)
		require.Empty(t, r.Errors)
		return path(r.Data, "deals", "nodes").([]any)
	}
	want := full(s.Key, every)
	require.Len(t, want, 5)
	assert.Equal(t, "13812345678", path(want, 0, "account", "mobile"), "decrypted")
	assert.InDelta(t, 400.5, path(want, 0, "account", "total"), 1e-9, "roll-up")
	assert.InDelta(t, 300.0, path(want, 0, "net"), 1e-9, "formula")
	assert.InDelta(t, 201.0, path(want, 1, "net"), 1e-9, "formula")

	for _, sel := range []string{
		"title",
		"net",
		"amount net qty",
		"done tags",
		"shipTo { city }",
		"account { name }",
		"account { mobile }",
		"account { total grade }",
		"id account { id }",
		"title account { mobile note }",
	} {
		got := full(s.Key, sel)
		require.Len(t, got, len(want), sel)
		for i := range want {
			assert.Equal(t, project(want[i], sel), got[i], "%s: deal %d", sel, i)
		}
	}

	// Two selections of one lookup under aliases read what each needs.
	r := s.gql(t, s.Key, `{ deals(orderBy: [{amount: DESC}, {title: ASC}]) { nodes { a: account { name } b: account { mobile total } } } }`, nil)
	require.Empty(t, r.Errors)
	for i, n := range path(r.Data, "deals", "nodes").([]any) {
		assert.Equal(t, path(want[i], "account", "name"), path(n, "a", "name"), "deal %d", i)
		assert.Equal(t, path(want[i], "account", "mobile"), path(n, "b", "mobile"), "deal %d", i)
		assert.Equal(t, path(want[i], "account", "total"), path(n, "b", "total"), "deal %d", i)
	}

	// Pages of one deal ordered by fields not selected: the cursors still
	// hold the order's values.
	var titles []any
	after := ""
	for range 10 {
		arg := ""
		if after != "" {
			arg = fmt.Sprintf(`, after: %q`, after)
		}
		d := s.ok(t, `{ deals(first: 2, orderBy: [{amount: DESC}, {title: ASC}]`+arg+`) { edges { cursor node { title } } pageInfo { hasNextPage endCursor } } }`, nil)
		for _, e := range path(d, "deals", "edges").([]any) {
			titles = append(titles, path(e, "node", "title"))
		}
		if path(d, "deals", "pageInfo", "hasNextPage") != true {
			break
		}
		after = path(d, "deals", "pageInfo", "endCursor").(string)
	}
	// Pages of nodes with pageInfo's end cursor only: the same order.
	var viaNodes []any
	after = ""
	for range 10 {
		arg := ""
		if after != "" {
			arg = fmt.Sprintf(`, after: %q`, after)
		}
		d := s.ok(t, `{ deals(first: 2, orderBy: [{amount: DESC}, {title: ASC}]`+arg+`) { nodes { title } pageInfo { hasNextPage endCursor } } }`, nil)
		for _, n := range path(d, "deals", "nodes").([]any) {
			viaNodes = append(viaNodes, path(n, "title"))
		}
		if path(d, "deals", "pageInfo", "hasNextPage") != true {
			break
		}
		after = path(d, "deals", "pageInfo", "endCursor").(string)
	}
	assert.Equal(t, titles, viaNodes)
	d := s.ok(t, `{ deals(first: 2, orderBy: [{amount: DESC}, {title: ASC}]) { edges { cursor } pageInfo { startCursor endCursor } } }`, nil)
	assert.Equal(t, path(d, "deals", "edges", 0, "cursor"), path(d, "deals", "pageInfo", "startCursor"))
	assert.Equal(t, path(d, "deals", "edges", 1, "cursor"), path(d, "deals", "pageInfo", "endCursor"))
	d = s.ok(t, `{ deals(first: 2, orderBy: [{amount: DESC}, {title: ASC}]) { pageInfo { startCursor endCursor } } }`, nil)
	assert.NotEmpty(t, path(d, "deals", "pageInfo", "startCursor"))
	assert.NotEqual(t, path(d, "deals", "pageInfo", "startCursor"), path(d, "deals", "pageInfo", "endCursor"))

	var wantTitles []any
	for _, n := range want {
		wantTitles = append(wantTitles, path(n, "title"))
	}
	assert.Equal(t, wantTitles, titles)

	// A role that sees the mobile masked and not the note.
	key := salesKey(t, s, dir, keyFile)
	got := full(key, "title account { mobile }")
	assert.Equal(t, "138****5678", path(got, 0, "account", "mobile"))
	assert.Equal(t, "139****1111", path(got, 2, "account", "mobile"))
	got = full(key, "account { name phone grade total }")
	for i := range want {
		assert.Equal(t, project(want[i], "account { name phone grade total }"), got[i], "deal %d", i)
	}
	r = s.gql(t, key, `{ deals { nodes { account { note } } } }`, nil)
	assert.NotEmpty(t, r.Errors, "a hidden field is not in the role's schema")
	d = s.okAs(t, key, `{ accounts(orderBy: [{name: ASC}]) { nodes { mobile } } }`, nil)
	assert.Equal(t, []any{map[string]any{"mobile": "139****1111"}, map[string]any{"mobile": "138****5678"}}, path(d, "accounts", "nodes"))
}

// startFieldsServer starts a server whose accounts have an encrypted, a
// masked-to-be, a hidden-to-be and a roll-up field, and whose deals have
// a formula, a pipeline and every other kind of field, with two accounts
// and five deals; it returns the server, its data directory and its
// encryption key's file.
func startFieldsServer(t *testing.T) (*testServer, string, string) {
	t.Helper()
	dir := t.TempDir()
	keyFile := writeKey(t, strings.Repeat("ab", 32))
	s := startServer(t, dir, "--encryption-key-file", keyFile)
	for _, def := range []string{
		`{"$id": "account", "type": "object", "properties": {
		   "name": {"type": "string", "x-crm-type": "text"},
		   "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-sensitive": true},
		   "phone": {"type": "string", "x-crm-type": "phone"},
		   "note": {"type": "string", "x-crm-type": "text"},
		   "grade": {"type": "string", "enum": ["a", "b"], "x-crm-type": "picklist"},
		   "total": {"type": "number", "x-crm-type": "rollup", "x-crm-rollup": {"object": "deal", "via": "account", "function": "sum", "field": "amount"}}}}`,
		`{"$id": "deal", "type": "object", "properties": {
		   "title": {"type": "string", "x-crm-type": "text"},
		   "amount": {"type": "number", "x-crm-type": "number"},
		   "qty": {"type": "integer", "x-crm-type": "integer"},
		   "net": {"type": "number", "x-crm-type": "formula", "x-crm-formula": {"expression": "amount * qty"}},
		   "done": {"type": "boolean", "x-crm-type": "boolean"},
		   "tags": {"type": "array", "items": {"type": "string", "enum": ["hot", "big"]}, "x-crm-type": "multipicklist"},
		   "shipTo": {"type": "object", "x-crm-type": "address"},
		   "stage": {"type": "string", "enum": ["open", "won", "lost"], "x-crm-type": "picklist",
		     "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}, {"value": "lost", "category": "lost"}]}},
		   "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"}}}`,
	} {
		s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	}
	acme := path(s.ok(t, `mutation { createAccount(input: {name: "甲公司", mobile: "13812345678", phone: "010-1234", note: "内部", grade: a}) { id } }`, nil), "createAccount", "id").(string)
	beta := path(s.ok(t, `mutation { createAccount(input: {name: "Beta", mobile: "13900001111", grade: b}) { id } }`, nil), "createAccount", "id").(string)
	for _, d := range []string{
		fmt.Sprintf(`{title: "一", stage: open, amount: 100.5, qty: 2, done: true, tags: [hot, big], shipTo: {city: "上海", country: "CN"}, account: %q}`, acme),
		fmt.Sprintf(`{title: "two", stage: won, amount: 20, qty: 3, account: %q}`, beta),
		fmt.Sprintf(`{title: "three \"q\"", stage: open, amount: 300, qty: 1, done: false, tags: [], account: %q}`, acme),
		`{title: "four", stage: lost, amount: 5}`,
		fmt.Sprintf(`{amount: 20, qty: 7, account: %q}`, beta),
	} {
		s.ok(t, fmt.Sprintf(`mutation { createDeal(input: %s) { id } }`, d), nil)
	}
	return s, dir, keyFile
}

// salesKey makes a role that sees accounts' mobile masked and not their
// note, and returns an API key of it.
func salesKey(t *testing.T, s *testServer, dir, keyFile string) string {
	t.Helper()
	role := `{"name": "sales", "objects": {"deal": {"read": true, "fields": {}},
	  "account": {"read": true, "fields": {"mobile": "masked", "note": "hidden"}}}}`
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(role)})
	out, err := cli("", append([]string{"apikey", "create", "--tenant", "default", "--role", "sales", "--encryption-key-file", keyFile}, storeArgs(t, dir)...)...)
	require.NoError(t, err)
	key := keyPattern.FindString(out)
	require.NotEmpty(t, key)
	return key
}

// TestServe_ReverseListsAndBoardsReadSelectedFields: an account's list
// of deals and a board's columns are read with only the fields the query
// selects on their records, and answer exactly as when every field is
// selected: formulas, roll-ups, encrypted and masked fields, aliases,
// the cursors of an order on a field not selected.
func TestServe_ReverseListsAndBoardsReadSelectedFields(t *testing.T) {
	t.Parallel()
	s, dir, keyFile := startFieldsServer(t)
	const order = `orderBy: [{amount: DESC}, {title: ASC}]`
	const every = `id title amount qty net done tags stage shipTo { city country } account { id name mobile phone note grade total }`
	// The deals of each account, and of each column of the board, in
	// account and stage order: one list of nodes.
	reverse := func(key, sel string) []any {
		r := s.gql(t, key, `{ accounts(orderBy: [{name: ASC}]) { nodes { name deals(`+order+`) { totalCount nodes { `+sel+` } } } } }`, nil)
		require.Empty(t, r.Errors)
		var out []any
		for _, a := range path(r.Data, "accounts", "nodes").([]any) {
			out = append(out, path(a, "deals", "nodes").([]any)...)
		}
		return out
	}
	board := func(key, sel string) []any {
		r := s.gql(t, key, `{ dealsByStage(`+order+`) { stage { value } totalCount nodes { `+sel+` } pageInfo { hasNextPage endCursor } } }`, nil)
		require.Empty(t, r.Errors)
		var out []any
		for _, c := range path(r.Data, "dealsByStage").([]any) {
			out = append(out, path(c, "nodes").([]any)...)
		}
		return out
	}
	for name, read := range map[string]func(key, sel string) []any{"reverse list": reverse, "board": board} {
		want := read(s.Key, every)
		require.Len(t, want, 4, name) // a deal without an account, one without a stage
		var rollup, formula bool
		for _, d := range want {
			if path(d, "account", "mobile") == "13812345678" {
				assert.InDelta(t, 400.5, path(d, "account", "total"), 1e-9, "%s: roll-up", name)
				rollup = true
			}
			if path(d, "title") == "一" {
				assert.InDelta(t, 201.0, path(d, "net"), 1e-9, "%s: formula", name)
				formula = true
			}
		}
		assert.True(t, rollup && formula, name)
		for _, sel := range []string{
			"title",
			"net",
			"amount net qty",
			"done tags",
			"stage",
			"shipTo { city }",
			"account { name }",
			"account { mobile }",
			"account { total grade }",
			"id account { id }",
			"title account { mobile note }",
		} {
			got := read(s.Key, sel)
			require.Len(t, got, len(want), "%s: %s", name, sel)
			for i := range want {
				assert.Equal(t, project(want[i], sel), got[i], "%s: %s: deal %d", name, sel, i)
			}
		}
	}

	// Aliases: two selections of the list under one account, two of a
	// lookup inside it.
	want := reverse(s.Key, every)
	d := s.ok(t, `{ accounts(orderBy: [{name: ASC}]) { nodes { a: deals(`+order+`) { nodes { title } } b: deals(`+order+`) { nodes { net x: account { name } y: account { mobile } } } } } }`, nil)
	i := 0
	for _, acc := range path(d, "accounts", "nodes").([]any) {
		as, bs := path(acc, "a", "nodes").([]any), path(acc, "b", "nodes").([]any)
		require.Len(t, bs, len(as))
		for j := range as {
			require.Less(t, i, len(want))
			assert.Equal(t, path(want[i], "title"), path(as[j], "title"), "deal %d", i)
			assert.Equal(t, path(want[i], "net"), path(bs[j], "net"), "deal %d", i)
			assert.Equal(t, path(want[i], "account", "name"), path(bs[j], "x", "name"), "deal %d", i)
			assert.Equal(t, path(want[i], "account", "mobile"), path(bs[j], "y", "mobile"), "deal %d", i)
			i++
		}
	}
	assert.Equal(t, len(want), i)

	// An account's deals in pages of one, by an order on fields not
	// selected, through edges and through nodes with the end cursor.
	pages := func(sel string, next func(page any) []any) []any {
		var titles []any
		after := ""
		for range 10 {
			arg := ""
			if after != "" {
				arg = fmt.Sprintf(`, after: %q`, after)
			}
			d := s.ok(t, `{ accounts(filter: {name: {eq: "甲公司"}}) { nodes { deals(first: 1, `+order+arg+`) { `+sel+` pageInfo { hasNextPage endCursor } } } } }`, nil)
			page := path(d, "accounts", "nodes", 0, "deals")
			titles = append(titles, next(page)...)
			if path(page, "pageInfo", "hasNextPage") != true {
				break
			}
			after = path(page, "pageInfo", "endCursor").(string)
		}
		return titles
	}
	viaEdges := pages(`edges { cursor node { title } }`, func(page any) []any {
		var out []any
		for _, e := range path(page, "edges").([]any) {
			out = append(out, path(e, "node", "title"))
		}
		return out
	})
	viaNodes := pages(`nodes { title }`, func(page any) []any {
		var out []any
		for _, n := range path(page, "nodes").([]any) {
			out = append(out, path(n, "title"))
		}
		return out
	})
	assert.Equal(t, []any{"three \"q\"", "一"}, viaEdges)
	assert.Equal(t, viaEdges, viaNodes)

	// The role that sees the mobile masked.
	key := salesKey(t, s, dir, keyFile)
	for name, read := range map[string]func(key, sel string) []any{"reverse list": reverse, "board": board} {
		got := read(key, "title account { mobile }")
		var masked []any
		for _, g := range got {
			masked = append(masked, path(g, "account", "mobile"))
		}
		assert.Contains(t, masked, "138****5678", name)
		assert.Contains(t, masked, "139****1111", name)
		assert.NotContains(t, masked, "13812345678", name)
		r := s.gql(t, key, `{ accounts { nodes { deals { nodes { account { note } } } } } }`, nil)
		assert.NotEmpty(t, r.Errors, "a hidden field is not in the role's schema")
	}
}

// project keeps of a deal node (every field selected) what the selection
// sel (fields and one level of sub-selections) selects.
func project(node any, sel string) any {
	m, _ := node.(map[string]any)
	out := map[string]any{}
	toks := strings.Fields(strings.NewReplacer("{", " { ", "}", " } ").Replace(sel))
	for i := 0; i < len(toks); i++ {
		name := toks[i]
		if i+1 < len(toks) && toks[i+1] == "{" {
			end := i + 2
			for toks[end] != "}" {
				end++
			}
			if m[name] == nil {
				out[name] = nil
			} else {
				out[name] = project(m[name], strings.Join(toks[i+2:end], " "))
			}
			i = end
			continue
		}
		out[name] = m[name]
	}
	return out
}
