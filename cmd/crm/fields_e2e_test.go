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
		   "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"}}}`,
	} {
		s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	}
	acme := path(s.ok(t, `mutation { createAccount(input: {name: "甲公司", mobile: "13812345678", phone: "010-1234", note: "内部", grade: a}) { id } }`, nil), "createAccount", "id").(string)
	beta := path(s.ok(t, `mutation { createAccount(input: {name: "Beta", mobile: "13900001111", grade: b}) { id } }`, nil), "createAccount", "id").(string)
	for _, d := range []string{
		fmt.Sprintf(`{title: "一", amount: 100.5, qty: 2, done: true, tags: [hot, big], shipTo: {city: "上海", country: "CN"}, account: %q}`, acme),
		fmt.Sprintf(`{title: "two", amount: 20, qty: 3, account: %q}`, beta),
		fmt.Sprintf(`{title: "three \"q\"", amount: 300, qty: 1, done: false, tags: [], account: %q}`, acme),
		`{title: "four", amount: 5}`,
		fmt.Sprintf(`{amount: 20, qty: 7, account: %q}`, beta),
	} {
		s.ok(t, fmt.Sprintf(`mutation { createDeal(input: %s) { id } }`, d), nil)
	}

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
	role := `{"name": "sales", "objects": {"deal": {"read": true, "fields": {}},
	  "account": {"read": true, "fields": {"mobile": "masked", "note": "hidden"}}}}`
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(role)})
	out, err := cli("", append([]string{"apikey", "create", "--tenant", "default", "--role", "sales", "--encryption-key-file", keyFile}, storeArgs(t, dir)...)...)
	require.NoError(t, err)
	key := keyPattern.FindString(out)
	require.NotEmpty(t, key)
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
