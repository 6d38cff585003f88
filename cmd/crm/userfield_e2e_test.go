package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
