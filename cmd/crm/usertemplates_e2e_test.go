package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oldTourism writes the tourism template as its version 1.4.0 shipped
// it, before its consultants were user fields, into a folder.
func oldTourism(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "templates", "tourism")
	dst := filepath.Join(t.TempDir(), "tourism")
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
	for _, f := range []string{"objects/booking.json", "objects/careTask.json"} {
		p := filepath.Join(dst, f)
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		text := strings.ReplaceAll(string(b), `"x-crm-type": "user"`, `"maxLength": 50, "x-crm-type": "text"`)
		require.NotEqual(t, string(b), text, f)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
	}
	p := filepath.Join(dst, "manifest.json")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	// Whatever version ships, the copy is older: 1.4.0 had text consultants.
	old := regexp.MustCompile(`"version": "[^"]+"`).ReplaceAllString(string(b), `"version": "1.4.0"`)
	require.NotEqual(t, string(b), old)
	require.NoError(t, os.WriteFile(p, []byte(old), 0o600))
	return dst
}

// TestServe_TemplateUpgradeMakesUserFields: over HTTP, an upgrade of
// tourism from the version whose consultants were text lists the names
// that match no user (dry run; the refusal's extensions), converts the
// others when forced and clears those; a rollback gives the names back.
func TestServe_TemplateUpgradeMakesUserFields(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir)
	_, err := cli("", append([]string{"template", "install", oldTourism(t), "--tenant", "default"}, storeArgs(t, dir)...)...)
	require.NoError(t, err)
	_, err = cli("correct horse battery\n", append([]string{"user", "create", "--tenant", "default", "--username", "li.ming", "--display-name", "李明"}, storeArgs(t, dir)...)...)
	require.NoError(t, err)

	traveller := path(s.ok(t, `mutation { createTraveller(input: {name: "周杰", mobile: "13912345678"}) { id } }`, nil), "createTraveller", "id")
	for i, c := range []string{"李明", "li.ming", "陈导", "陈导", "admin"} {
		s.ok(t, `mutation($in: CareTaskInput!) { createCareTask(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"traveller": traveller, "kind": "welcomeHome", "dueDate": "2026-01-0" + string(rune('1'+i)), "consultant": c}})
	}
	consultants := func() []string {
		var out []string
		for _, n := range path(s.ok(t, `{ careTasks(first: 20) { nodes { consultant } } }`, nil), "careTasks", "nodes").([]any) {
			if c, _ := path(n, "consultant").(string); c != "" {
				out = append(out, c)
			}
		}
		slices.Sort(out)
		return out
	}

	plan := s.ok(t, `mutation { installTemplate(name: "tourism", dryRun: true) { fromVersion toVersion applied userFields } }`, nil)
	assert.Equal(t, "1.4.0", path(plan, "installTemplate", "fromVersion"))
	assert.Equal(t, false, path(plan, "installTemplate", "applied"))
	fields := path(plan, "installTemplate", "userFields").([]any)
	require.Len(t, fields, 1, "booking has no consultant stored; careTask has")
	assert.Equal(t, "careTask", path(fields[0], "object"))
	assert.Equal(t, "consultant", path(fields[0], "field"))
	assert.Equal(t, 3.0, path(fields[0], "matched"))
	assert.Equal(t, []any{map[string]any{"value": "陈导", "records": 2.0}}, path(fields[0], "unmatched"))
	assert.Contains(t, path(fields[0], "text"), "needs force")

	r := s.gql(t, s.Key, `mutation { installTemplate(name: "tourism") { applied } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "CONFLICT", r.Errors[0].Extensions["code"])
	assert.Contains(t, r.Errors[0].Message, "careTask.consultant: 1")
	assert.Equal(t, "陈导", path(r.Errors[0].Extensions["userFields"], 0, "unmatched", 0, "value"))
	assert.Equal(t, []string{"admin", "li.ming", "李明", "陈导", "陈导"}, consultants(), "refused: nothing changed")

	done := s.ok(t, `mutation { installTemplate(name: "tourism", force: true) { applied toVersion userFields } }`, nil)
	assert.Equal(t, true, path(done, "installTemplate", "applied"))
	assert.Equal(t, true, path(done, "installTemplate", "userFields", 0, "cleared"))
	assert.Equal(t, []string{"user:admin", "user:li.ming", "user:li.ming"}, consultants())

	s.ok(t, `mutation { rollbackTemplate(name: "tourism", force: true) { applied } }`, nil)
	assert.Equal(t, []string{"李明", "李明", "管理员"}, consultants(), "the users' names again (管理员 is the first start's administrator)")
}
