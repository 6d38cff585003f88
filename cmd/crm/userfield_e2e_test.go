package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/spreadsheet"
)

// TestServe_UserField: a user field through the real server — written by
// display name, user name or user:NAME, answered as user:NAME, filtered
// and sorted like text, refused with a field error naming the value, and
// described as a user in the schema. .ci/ferretdb-e2e runs it on the
// MongoDB adapter too.
func TestServe_UserField(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	def := `{"$id": "student", "type": "object", "x-crm-label": {"zh": "学员", "en": "Student"}, "required": ["name"],
	  "properties": {
	    "name": {"type": "string", "x-crm-type": "text"},
	    "consultant": {"type": "string", "x-crm-type": "user", "x-crm-label": {"zh": "顾问", "en": "Consultant"}}}}`
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	for _, u := range []string{
		`{username: "li", displayName: "李雷", password: "li's password"}`,
		`{username: "wang", displayName: "王芳", password: "wang's password"}`,
	} {
		s.ok(t, `mutation { createUser(input: `+u+`) { username } }`, nil)
	}
	for i, given := range []string{"王芳", "li", "user:wang"} {
		data := s.ok(t, `mutation($in: StudentInput!) { createStudent(input: $in) { consultant } }`,
			map[string]any{"in": map[string]any{"name": fmt.Sprint("s", i), "consultant": given}})
		assert.Equal(t, map[string]any{"consultant": []string{"user:wang", "user:li", "user:wang"}[i]}, data["createStudent"], given)
	}

	data := s.ok(t, `{ students(filter: {consultant: {eq: "user:wang"}}, orderBy: [{name: ASC}]) { nodes { name consultant } } }`, nil)
	assert.Equal(t, []any{map[string]any{"name": "s0", "consultant": "user:wang"}, map[string]any{"name": "s2", "consultant": "user:wang"}},
		path(data, "students", "nodes"))
	data = s.ok(t, `{ students(orderBy: [{consultant: ASC}, {name: DESC}]) { nodes { name } } }`, nil)
	assert.Equal(t, []any{map[string]any{"name": "s1"}, map[string]any{"name": "s2"}, map[string]any{"name": "s0"}}, path(data, "students", "nodes"))

	data = s.ok(t, `{ studentsAggregate(groupBy: [{field: consultant}], orderBy: [{key: 0}]) { groups { keys { value label } count } } }`, nil)
	assert.Equal(t, []any{
		map[string]any{"keys": []any{map[string]any{"value": "user:li", "label": "李雷"}}, "count": 1.0},
		map[string]any{"keys": []any{map[string]any{"value": "user:wang", "label": "王芳"}}, "count": 2.0},
	}, path(data, "studentsAggregate", "groups"), "groups by a user field read as display names")

	res, body := s.get(t, s.Key, "/exports/student?"+url.Values{"format": {"csv"}, "columns": {"name,consultant"}, "sort": {"name"}}.Encode())
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	tab, err := spreadsheet.Read(bytes.NewReader(body), spreadsheet.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"name", "顾问"}, tab.Header)
	var cells [][]string
	for _, row := range tab.Rows {
		cells = append(cells, row.Cells)
	}
	assert.Equal(t, [][]string{{"s0", "王芳"}, {"s1", "李雷"}, {"s2", "王芳"}}, cells, "exports write display names")

	r := s.gql(t, s.Key, `mutation { createStudent(input: {name: "x", consultant: "韩梅梅"}) { id } }`, nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "VALIDATION_FAILED", r.Errors[0].Extensions["code"])
	assert.Equal(t, []any{map[string]any{"code": "user", "field": "consultant", "message": `no active user is named "韩梅梅"`}},
		r.Errors[0].Extensions["fields"])
	data = s.ok(t, `{ students { totalCount } }`, nil)
	assert.Equal(t, 3.0, path(data, "students", "totalCount"), "nothing written")

	data = s.ok(t, `{ t: __type(name: "Student") { fields { name type { name } description } }
	  i: __type(name: "StudentInput") { inputFields { name description } } }`, nil)
	var out, in string
	for _, f := range path(data, "t", "fields").([]any) {
		if path(f, "name") == "consultant" {
			assert.Equal(t, "String", path(f, "type", "name"))
			out, _ = path(f, "description").(string)
		}
	}
	for _, f := range path(data, "i", "inputFields").([]any) {
		if path(f, "name") == "consultant" {
			in, _ = path(f, "description").(string)
		}
	}
	assert.Equal(t, "顾问 / Consultant. A user (user:NAME, the form of ownerId).", out)
	assert.Contains(t, in, "display name of exactly one active user")
}

// TestServe_UserFieldDocsExample runs docs/user-fields.md: its definition
// saves, the documented create takes a display name and answers the
// user's id, the consultant is notified, a shared view with $user lists
// each user's own students, and a text field becomes a user field with a
// remap of the value that names nobody.
func TestServe_UserFieldDocsExample(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/user-fields.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	require.True(t, ok)
	def, rest, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	_, rest, ok = strings.Cut(rest, "```graphql\n")
	require.True(t, ok)
	create, rest, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	_, rest, ok = strings.Cut(rest, "answers `")
	require.True(t, ok)
	answer, _, ok := strings.Cut(rest, "`")
	require.True(t, ok)

	s := startServer(t, t.TempDir())
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(`{"name": "sales", "objects": {"*": {"read": true, "create": true, "update": true}}}`)})
	for _, u := range []string{
		`{username: "li.lei", displayName: "李雷", password: "li's password", role: "sales"}`,
		`{username: "wang", displayName: "王芳", password: "wang's password", role: "sales"}`,
	} {
		s.ok(t, `mutation { createUser(input: `+u+`) { username } }`, nil)
	}
	var want map[string]any
	require.NoError(t, json.Unmarshal([]byte(answer), &want))
	assert.Equal(t, want, s.ok(t, create, nil)["createStudent"])

	li, wang := s.signIn(t, "li.lei", "li's password"), s.signIn(t, "wang", "wang's password")
	data, codes := li.do(t, `{ myNotifications { notifications { message { zh } } } }`)
	require.Empty(t, codes)
	assert.Equal(t, []any{map[string]any{"message": map[string]any{"zh": "新学员 王小明"}}}, path(data, "myNotifications", "notifications"))

	_, codes = wang.do(t, `mutation { createStudent(input: {name: "韩梅梅", consultant: "wang"}) { id } }`)
	require.Empty(t, codes)
	s.ok(t, `mutation($v: JSON!) { saveView(definition: $v, shared: true) }`, map[string]any{"v": json.RawMessage(
		`{"object": "student", "name": "mine", "label": {"zh": "我的学员", "en": "My students"}, "filter": {"field": "consultant", "op": "eq", "value": "$user"}}`)})
	for sess, name := range map[*session]string{li: "王小明", wang: "韩梅梅"} {
		data, codes := sess.do(t, `{ students(view: "mine") { nodes { name } } }`)
		require.Empty(t, codes)
		assert.Equal(t, []any{map[string]any{"name": name}}, path(data, "students", "nodes"))
	}

	lead := func(typ string) json.RawMessage {
		return json.RawMessage(`{"$id": "lead", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"},
		  "sales": {"type": "string", "x-crm-type": "` + typ + `"}}}`)
	}
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": lead("text")})
	for _, v := range []string{"李雷", "韩梅梅", "韩梅梅"} {
		s.ok(t, `mutation($v: String) { createLead(input: {name: "x", sales: $v}) { id } }`, map[string]any{"v": v})
	}
	r := s.gql(t, s.Key, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": lead("user")})
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "VALIDATION_FAILED", r.Errors[0].Extensions["code"])
	problems, _ := r.Errors[0].Extensions["problems"].([]any)
	require.Len(t, problems, 1)
	p := problems[0].(map[string]any)
	assert.Equal(t, []any{"/properties/sales", "sales", "user", 2.0, "韩梅梅", `no active user is named "韩梅梅"`},
		[]any{p["path"], p["field"], p["code"], p["records"], p["value"], p["reason"]})
	s.ok(t, `mutation($d: JSON!, $o: SaveObjectOptions) { saveObject(definition: $d, options: $o) { name } }`,
		map[string]any{"d": lead("user"), "o": map[string]any{"remap": map[string]any{"sales": map[string]any{"韩梅梅": "王芳"}}}})
	data = s.ok(t, `{ leads(orderBy: [{sales: ASC}]) { nodes { sales } } }`, nil)
	assert.Equal(t, []any{map[string]any{"sales": "user:li.lei"}, map[string]any{"sales": "user:wang"}, map[string]any{"sales": "user:wang"}},
		path(data, "leads", "nodes"))
}
