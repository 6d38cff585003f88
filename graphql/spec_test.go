package graphql_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpec runs the behaviours the GraphQL specification (October 2021)
// and GraphQL over HTTP ask for, as documents and variables sent over
// HTTP to the whole server with the b2b-sales template, each with the
// response it must get and, for writes, what the store must hold after.
func TestSpec(t *testing.T) {
	t.Parallel()
	s := newHTTPStack(t, "b2b-sales")
	existing := s.post(t, s.admin, `mutation { createAccount(input: {name: "已有客户"}) { id } }`, "", "")
	require.Equal(t, http.StatusOK, existing.status, string(existing.body))
	accountID := path(existing.json(t), "data", "createAccount", "id").(string)

	scenarios := []struct {
		name          string
		query         string
		variables     string // JSON
		operationName string
		status        int
		// data is the expected data as JSON; "" when the response must
		// have no data entry (the request failed before execution).
		data string
		// errors are substrings of the messages, one per error, in order.
		errors []string
		// committed names the accounts that must (true) or must not
		// (false) exist afterwards.
		committed map[string]bool
	}{
		// Variables are coerced before anything runs (CoerceVariableValues).
		{name: "a bad Int variable stops a two-mutation document before it starts",
			query:     `mutation($v: Int) { a: createAccount(input: {name: "变量-A"}) { id } b: updateAccount(id: "x", input: {name: "y"}, version: $v) { id } }`,
			variables: `{"v": "abc"}`, status: 400,
			errors:    []string{`Variable "$v" got invalid value "abc"; Int cannot represent non-integer value: "abc"`},
			committed: map[string]bool{"变量-A": false}},
		{name: "a string for @include(if:) is refused, not taken as true",
			query: `query($b: Boolean!) { me { id @include(if: $b) } }`, variables: `{"b": "yes"}`, status: 400,
			errors: []string{`Variable "$b" got invalid value "yes"; Boolean cannot represent a non boolean value: "yes"`}},
		{name: "a required variable not given", query: `query($id: ID!) { account(id: $id) { id } }`, status: 400,
			errors: []string{`Variable "$id" of required type "ID!" was not provided.`}},
		{name: "null for a non-null variable", query: `query($id: ID!) { account(id: $id) { id } }`, variables: `{"id": null}`, status: 400,
			errors: []string{`Variable "$id" of non-null type "ID!" must not be null.`}},
		{name: "every bad part of a variable is named",
			query:     `mutation($in: AccountInput!) { createAccount(input: $in) { id } }`,
			variables: `{"in": {"nme": "x", "grade": "gold", "annualRevenue": "many"}}`, status: 400,
			errors: []string{`at "in.annualRevenue"; Float cannot represent non numeric value: "many"`,
				`at "in.grade"; Value "gold" does not exist in "AccountGrade" enum.`,
				`at "in.nme"; Field "nme" is not defined by type "AccountInput".`}},
		{name: "an Int variable beyond 32 bits", query: `query($n: Int) { accounts(first: $n) { nodes { id } } }`, variables: `{"n": 3000000000}`, status: 400,
			errors: []string{"Int cannot represent non 32-bit signed integer value: 3000000000"}},
		{name: "a list variable longer than 250", query: `query($ids: [ID!]) { accounts(filter: {id: {in: $ids}}) { nodes { id } } }`,
			variables: `{"ids": [` + strings.TrimSuffix(strings.Repeat(`"x",`, 251), ",") + `]}`, status: 400,
			errors: []string{"A list may hold at most 250 elements, this one has 251."}},
		{name: "a single value where a list variable is expected is a list of one",
			query: `query($ids: [ID!]) { accounts(filter: {id: {in: $ids}}) { nodes { name } } }`, variables: fmt.Sprintf(`{"ids": %q}`, accountID),
			status: 200, data: `{"accounts": {"nodes": [{"name": "已有客户"}]}}`},

		// Literals of the wrong kind are validation errors.
		{name: "an object literal for an Int", query: `{ accounts(first: {n: 1}) { nodes { id } } }`, status: 400,
			errors: []string{`Expected value of type "Int", found {n:1}; Int cannot represent non-integer value: {n:1}`}},
		{name: "an empty object literal for an Int", query: `{ accounts(first: {}) { nodes { id } } }`, status: 400,
			errors: []string{`Expected value of type "Int", found {}; Int cannot represent non-integer value: {}`}},
		{name: "a list literal for an ID", query: `{ account(id: ["a", "b"]) { id } }`, status: 400,
			errors: []string{`Expected value of type "ID!", found ["a","b"]`}},
		{name: "an object literal inside a filter", query: `{ accounts(filter: {name: {eq: {a: 1}}}) { nodes { id } } }`, status: 400,
			errors: []string{`Expected value of type "String", found {a:1}; String cannot represent a non string value: {a:1}`}},
		{name: "an Int literal beyond 32 bits", query: `{ accounts(first: 3000000000) { nodes { id } } }`, status: 400,
			errors: []string{"Int cannot represent non 32-bit signed integer value: 3000000000"}},
		{name: "a string literal for an enum", query: `{ leads(filter: {status: {eq: "new"}}) { nodes { id } } }`, status: 400,
			errors: []string{`Enum "LeadStatus" cannot represent non-enum value: "new".`}},
		{name: "a number literal for a Date", query: `{ opportunities(filter: {closeDate: {eq: 20260101}}) { nodes { id } } }`, status: 400,
			errors: []string{"Date cannot represent a non string value: 20260101"}},
		{name: "a bad literal in the second mutation stops the first",
			query:  `mutation { a: createAccount(input: {name: "字面-A"}) { id } b: createAccount(input: {name: {x: 1}}) { id } }`,
			status: 400, errors: []string{`Expected value of type "String", found {x:1}; String cannot represent a non string value: {x:1}`}, committed: map[string]bool{"字面-A": false}},
		{name: "a null variable where its default fed a non-null argument stops the document",
			query:     `mutation($id: ID = "x") { a: createAccount(input: {name: "默认-A"}) { id } b: deleteAccount(id: $id) }`,
			variables: `{"id": null}`, status: 400, errors: []string{`b: argument "id": variable "$id" is null where "ID!" is expected`},
			committed: map[string]bool{"默认-A": false}},

		// One tree, parsed once: string escapes.
		{name: `an escaped slash in a string`, query: `mutation { createAccount(input: {name: "转义\/斜杠"}) { name } }`, status: 200,
			data: `{"createAccount": {"name": "转义/斜杠"}}`, committed: map[string]bool{"转义/斜杠": true}},
		{name: `an escaped triple quote in a block string`, query: `mutation { createAccount(input: {name: """块 \""" 引号"""}) { name } }`, status: 200,
			data: `{"createAccount": {"name": "块 \"\"\" 引号"}}`},
		{name: "CR LF in a block string become LF, common indentation removed",
			query: "mutation { createLead(input: {name: \"块\", description: \"\"\"\r\n    第一行\r\n      第二行\r\n  \"\"\"}) { description } }", status: 200,
			data: `{"createLead": {"description": "第一行\n  第二行"}}`},
		{name: "unicode escapes and a surrogate pair", query: `mutation { createAccount(input: {name: "\u4e2d\uD83D\uDE00"}) { name } }`, status: 200,
			data: `{"createAccount": {"name": "中😀"}}`},

		// Legal operations run.
		{name: "a non-null variable with a default", query: `query($n: Int! = 2) { accounts(first: $n, filter: {name: {eq: "已有客户"}}) { nodes { name } } }`, status: 200,
			data: `{"accounts": {"nodes": [{"name": "已有客户"}]}}`},
		{name: "a document with several operations runs the named one; the others' variables are not needed",
			query:         `query One($id: ID!) { account(id: $id) { id } } query Two { me { admin } } mutation Three($x: String!) { deleteRole(name: $x) }`,
			operationName: "Two", status: 200, data: `{"me": {"admin": true}}`},
		{name: "several operations and no operationName", query: `query A { me { id } } query B { me { id } }`, status: 400,
			errors: []string{"the document has several operations: name one in operationName"}},
		{name: "an operationName the document does not have", query: `query A { me { id } }`, operationName: "B", status: 400,
			errors: []string{`the document has no operation named "B"`}},
		{name: "a fragment used twice and skipped once", query: `query($no: Boolean = false) { me { ...M ...M @include(if: $no) } } fragment M on Me { admin }`, status: 200,
			data: `{"me": {"admin": true}}`},

		// Mutations: root fields run in order; each answers for itself.
		{name: "a failing second field: the first and the third are committed",
			query:  `mutation { a: createAccount(input: {name: "语义-A"}) { name } b: updateAccount(id: "missing", input: {name: "z"}) { id } c: createAccount(input: {name: "语义-C"}) { name } }`,
			status: 200, data: `{"a": {"name": "语义-A"}, "b": null, "c": {"name": "语义-C"}}`, errors: []string{`客户 记录 "missing" 不存在`},
			committed: map[string]bool{"语义-A": true, "z": false, "语义-C": true}},
		{name: "a record that fails validation answers null with every failing field",
			query:  `mutation { o: createOpportunity(input: {amount: -1, closeDate: "2026-02-30", account: "nope"}) { id } a: createAccount(input: {name: "语义-D"}) { name } }`,
			status: 200, data: `{"o": null, "a": {"name": "语义-D"}}`, errors: []string{"opportunity记录未通过校验"},
			committed: map[string]bool{"语义-D": true}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := s.post(t, s.admin, sc.query, sc.variables, sc.operationName)
			require.Equal(t, sc.status, r.status, string(r.body))
			assert.Equal(t, "application/graphql-response+json; charset=utf-8", r.header.Get("Content-Type"))
			resp := r.json(t)
			if sc.data == "" {
				assert.NotContains(t, resp, "data", "a request error has no data entry")
			} else {
				require.Contains(t, resp, "data")
				assert.JSONEq(t, sc.data, jsonText(t, resp["data"]))
			}
			var got []string
			for _, e := range asList(resp["errors"]) {
				got = append(got, e.(map[string]any)["message"].(string))
			}
			require.Len(t, got, len(sc.errors), "errors: %v", got)
			for i, want := range sc.errors {
				assert.Contains(t, got[i], want)
			}
			for name, want := range sc.committed {
				n := s.count(t, "account", "name", name)
				if want {
					assert.Equal(t, int64(1), n, "%s was committed", name)
				} else {
					assert.Zero(t, n, "%s was not committed", name)
				}
			}
		})
	}
}

// TestSpec_ValidationNamesEveryField checks that one VALIDATION_FAILED
// error names every failing field, a malformed date and a lookup to a
// missing record among them.
func TestSpec_ValidationNamesEveryField(t *testing.T) {
	t.Parallel()
	s := newHTTPStack(t, "b2b-sales")
	r := s.post(t, s.admin, `mutation($in: OpportunityInput!) { createOpportunity(input: $in) { id } }`,
		`{"in": {"amount": -1, "closeDate": "2026-02-30", "account": "nope"}}`, "")
	require.Equal(t, http.StatusOK, r.status)
	errs := asList(r.json(t)["errors"])
	require.Len(t, errs, 1)
	ext := errs[0].(map[string]any)["extensions"].(map[string]any)
	assert.Equal(t, "VALIDATION_FAILED", ext["code"])
	codes := map[string]string{}
	for _, f := range asList(ext["fields"]) {
		fm := f.(map[string]any)
		codes[fm["field"].(string)] = fm["code"].(string)
	}
	assert.Equal(t, map[string]string{"name": "required", "amount": "minimum", "closeDate": "format", "account": "lookup"}, codes)
}

// TestSpec_MutationAnswersWithTheCommittedRecord: the lead's afterSave
// script converts it in the same transaction; the answer is what a read
// gives afterwards.
func TestSpec_MutationAnswersWithTheCommittedRecord(t *testing.T) {
	t.Parallel()
	s := newHTTPStack(t, "b2b-sales")
	created := s.post(t, s.admin, `mutation { createLead(input: {name: "王工", company: "苏州精研机械有限公司", mobile: "13812345678", rating: hot, status: qualified, budget: 800000}) { id version status } }`, "", "")
	require.Equal(t, http.StatusOK, created.status, string(created.body))
	id, ok := path(created.json(t), "data", "createLead", "id").(string)
	require.True(t, ok, string(created.body))

	const sel = `{ id version status convertNow convertedAccount { name } }`
	answer := s.post(t, s.admin, `mutation($id: ID!) { updateLead(id: $id, input: {convertNow: true}) `+sel+` }`, fmt.Sprintf(`{"id": %q}`, id), "")
	require.Equal(t, http.StatusOK, answer.status, string(answer.body))
	reread := s.post(t, s.admin, `query($id: ID!) { lead(id: $id) `+sel+` }`, fmt.Sprintf(`{"id": %q}`, id), "")
	got, want := path(answer.json(t), "data", "updateLead"), path(reread.json(t), "data", "lead")
	assert.Equal(t, want, got)
	assert.Equal(t, "converted", path(got, "status"))
	assert.Equal(t, 3.0, path(got, "version"), "the update and the script's own update")
	assert.Equal(t, "苏州精研机械有限公司", path(got, "convertedAccount", "name"))
}

// TestSpec_Introspection: the 2021 introspection fields are there, and a
// key with a role introspects the schema of its role.
func TestSpec_Introspection(t *testing.T) {
	t.Parallel()
	s := newHTTPStack(t, "b2b-sales")
	q := `{ __schema { description directives { name isRepeatable locations } }
		filter: __type(name: "LeadFilter") { kind isOneOf }
		status: __type(name: "LeadStatus") { kind enumValues { name } }
		product: __type(name: "Product") { fields { name } } }`
	r := s.post(t, s.admin, q, "", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	data := r.json(t)["data"]
	assert.Equal(t, "The CRM API of tenant acme at metadata revision "+revisionOf(t, data)+".", path(data, "__schema", "description"))
	var directives []string
	for _, d := range asList(path(data, "__schema", "directives")) {
		directives = append(directives, d.(map[string]any)["name"].(string))
		assert.Equal(t, false, d.(map[string]any)["isRepeatable"])
	}
	assert.Equal(t, []string{"deprecated", "include", "oneOf", "skip", "specifiedBy"}, directives, "no @defer: it is not served")
	assert.Equal(t, map[string]any{"kind": "INPUT_OBJECT", "isOneOf": false}, path(data, "filter"))
	assert.Equal(t, "ENUM", path(data, "status", "kind"))
	assert.Len(t, asList(path(data, "status", "enumValues")), 5)
	assert.Contains(t, fieldNames(path(data, "product", "fields")), "floorPrice")

	rep := s.post(t, s.roleKeys["salesRep"], q, "", "")
	require.Equal(t, http.StatusOK, rep.status, string(rep.body))
	repData := rep.json(t)["data"]
	assert.Contains(t, path(repData, "__schema", "description"), "as role salesRep sees it")
	assert.NotContains(t, fieldNames(path(repData, "product", "fields")), "floorPrice", "the role's own, reduced schema")
	assert.Contains(t, fieldNames(path(repData, "product", "fields")), "name")

	agent := s.post(t, s.roleKeys["serviceAgent"], `{ lead: __type(name: "Lead") { name } case: __type(name: "Case") { name } }`, "", "")
	assert.JSONEq(t, `{"data": {"lead": null, "case": {"name": "Case"}}}`, string(agent.body), "objects a role may not read are not in its schema")
}

func revisionOf(t *testing.T, data any) string {
	t.Helper()
	d := path(data, "__schema", "description").(string)
	i := strings.LastIndex(d, " ")
	require.Positive(t, i)
	return strings.TrimSuffix(d[i+1:], ".")
}

func fieldNames(fields any) []string {
	var out []string
	for _, f := range asList(fields) {
		out = append(out, f.(map[string]any)["name"].(string))
	}
	return out
}

// TestSpec_HTTP checks GraphQL over HTTP: media types, statuses and
// methods.
func TestSpec_HTTP(t *testing.T) {
	t.Parallel()
	s := newHTTPStack(t, "b2b-sales")
	const jsonType, gqlType = "application/json", "application/graphql-response+json"
	scenarios := []struct {
		name        string
		method      string
		url         string // query string after /graphql
		body        string
		headers     map[string]string
		status      int
		contentType string
		allow       string
		body2       string // a substring of the response
	}{
		{name: "application/json: a validation error is a 200", method: http.MethodPost, body: `{"query": "{ nope }"}`,
			headers: map[string]string{"Content-Type": jsonType, "Accept": jsonType}, status: 200, contentType: jsonType, body2: `Cannot query field \"nope\" on type \"Query\".`},
		{name: "graphql-response+json: a validation error is a 400", method: http.MethodPost, body: `{"query": "{ nope }"}`,
			headers: map[string]string{"Content-Type": jsonType, "Accept": gqlType}, status: 400, contentType: gqlType},
		{name: "graphql-response+json: a syntax error is a 400", method: http.MethodPost, body: `{"query": "{"}`,
			headers: map[string]string{"Content-Type": jsonType, "Accept": gqlType}, status: 400, contentType: gqlType, body2: "Syntax Error"},
		{name: "graphql-response+json preferred over application/json", method: http.MethodPost, body: `{"query": "{ __typename }"}`,
			headers: map[string]string{"Content-Type": jsonType, "Accept": "application/json;q=0.9, application/graphql-response+json"}, status: 200, contentType: gqlType},
		{name: "*/* gets application/json", method: http.MethodPost, body: `{"query": "{ __typename }"}`,
			headers: map[string]string{"Content-Type": jsonType, "Accept": "*/*"}, status: 200, contentType: jsonType},
		{name: "no Accept gets application/json", method: http.MethodPost, body: `{"query": "{ __typename }"}`,
			headers: map[string]string{"Content-Type": jsonType, "Accept": ""}, status: 200, contentType: jsonType},
		{name: "charset utf-8 is accepted", method: http.MethodPost, body: `{"query": "{ __typename }"}`,
			headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}, status: 200, contentType: jsonType},
		{name: "a POST without a JSON content type is refused", method: http.MethodPost, body: `{"query": "{ __typename }"}`,
			headers: map[string]string{"Content-Type": "text/plain"}, status: 415, contentType: jsonType, body2: "Content-Type: application/json"},
		{name: "a POST without a content type is refused", method: http.MethodPost, body: `{"query": "{ __typename }"}`,
			headers: map[string]string{"Content-Type": ""}, status: 415},
		{name: "another charset is refused", method: http.MethodPost, body: `{"query": "{ __typename }"}`,
			headers: map[string]string{"Content-Type": "application/json; charset=latin1"}, status: 415},
		{name: "a body that is not JSON", method: http.MethodPost, body: `{"query": `,
			headers: map[string]string{"Content-Type": jsonType, "Accept": gqlType}, status: 400, contentType: gqlType},
		{name: "a query that is not a string", method: http.MethodPost, body: `{"query": {"a": 1}}`,
			headers: map[string]string{"Content-Type": jsonType}, status: 400},
		{name: "an operationName that is not a string", method: http.MethodPost, body: `{"query": "{ __typename }", "operationName": 7}`,
			headers: map[string]string{"Content-Type": jsonType}, status: 400},
		{name: "a query with escapes", method: http.MethodPost, body: `{"query": "{\n\t__typename \u0023 a comment\n}"}`,
			headers: map[string]string{"Content-Type": jsonType}, status: 200, body2: `{"data":{"__typename":"Query"}}`},
		{name: "no query", method: http.MethodPost, body: `{"notquery": "{ __typename }"}`,
			headers: map[string]string{"Content-Type": jsonType}, status: 400},
		{name: "null operationName, variables and extensions", method: http.MethodPost,
			body:    `{"query": "{ __typename }", "operationName": null, "variables": null, "extensions": null}`,
			headers: map[string]string{"Content-Type": jsonType}, status: 200, body2: `{"data":{"__typename":"Query"}}`},
		{name: "extensions that are not an object", method: http.MethodPost, body: `{"query": "{ __typename }", "extensions": "x"}`,
			headers: map[string]string{"Content-Type": jsonType}, status: 400},
		{name: "GET runs a query", method: http.MethodGet, url: "?query=" + url.QueryEscape(`query($n: String!) { __type(name: $n) { name } }`) + "&variables=" + url.QueryEscape(`{"n": "Lead"}`),
			headers: map[string]string{"Accept": gqlType}, status: 200, contentType: gqlType, body2: `"name":"Lead"`},
		{name: "GET refuses a mutation with 405 and Allow", method: http.MethodGet, url: "?query=" + url.QueryEscape(`mutation { deleteRole(name: "x") }`),
			headers: map[string]string{"Accept": gqlType}, status: 405, allow: "POST"},
		{name: "PUT is refused with 405 and Allow", method: http.MethodPut, body: `{}`, headers: map[string]string{"Content-Type": jsonType},
			status: 405, allow: "GET, POST"},
		{name: "no credentials", method: http.MethodPost, body: `{"query": "{ __typename }"}`,
			headers: map[string]string{"Content-Type": jsonType, "Authorization": ""}, status: 401},
		{name: "a mutation result failing is still a 200 under graphql-response+json", method: http.MethodPost,
			body:    `{"query": "mutation { deleteAccount(id: \"missing\") }"}`,
			headers: map[string]string{"Content-Type": jsonType, "Accept": gqlType}, status: 200, contentType: gqlType, body2: `"data":{"deleteAccount":null}`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := s.do(t, sc.method, s.url+sc.url, sc.body, sc.headers)
			assert.Equal(t, sc.status, r.status, string(r.body))
			if sc.contentType != "" {
				assert.Equal(t, sc.contentType+"; charset=utf-8", r.header.Get("Content-Type"))
			}
			assert.Equal(t, sc.allow, r.header.Get("Allow"))
			assert.Contains(t, string(r.body), sc.body2)
		})
	}
}

// TestSpec_Paging checks Relay's PageInfo over two pages.
func TestSpec_Paging(t *testing.T) {
	t.Parallel()
	s := newHTTPStack(t, "b2b-sales")
	for _, n := range []string{"甲", "乙", "丙"} {
		r := s.post(t, s.admin, `mutation($n: String) { createAccount(input: {name: $n}) { id } }`, fmt.Sprintf(`{"n": %q}`, n), "")
		require.Equal(t, http.StatusOK, r.status)
	}
	const q = `query($after: String) { accounts(first: 2, after: $after, orderBy: [{createdAt: ASC}]) {
		nodes { name } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	first := s.post(t, s.admin, q, "", "").json(t)["data"]
	pi := path(first, "accounts", "pageInfo")
	assert.Equal(t, true, path(pi, "hasNextPage"))
	assert.Equal(t, false, path(pi, "hasPreviousPage"))
	assert.Equal(t, path(first, "accounts", "edges", 0, "cursor"), path(pi, "startCursor"))
	assert.Equal(t, path(first, "accounts", "edges", 1, "cursor"), path(pi, "endCursor"))

	second := s.post(t, s.admin, q, fmt.Sprintf(`{"after": %q}`, path(pi, "endCursor")), "").json(t)["data"]
	assert.Equal(t, []any{map[string]any{"name": "丙"}}, path(second, "accounts", "nodes"))
	pi = path(second, "accounts", "pageInfo")
	assert.Equal(t, false, path(pi, "hasNextPage"))
	assert.Equal(t, true, path(pi, "hasPreviousPage"))
	assert.Equal(t, path(pi, "startCursor"), path(pi, "endCursor"))
}
