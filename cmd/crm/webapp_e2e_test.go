package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	adminui "github.com/crmkit/crm/admin-ui"
	"github.com/crmkit/crm/internal/testkit"
)

// TestServe_TemporaryPassword: a user made with a temporary password
// signs in, may only read who they are and change the password, and
// has the whole API once they have.
func TestServe_TemporaryPassword(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir)
	installStarter(t, s)
	out := &testkit.Buffer{}
	m := &Main{Stdin: strings.NewReader("first password 1\n"), Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	require.NoError(t, m.Run(context.Background(), []string{"user", "create", "--tenant", "default", "--username", "zhao", "--display-name", "赵敏",
		"--must-change-password", "--data", dir}))
	assert.Contains(t, out.String(), "the password is temporary")
	out.Reset()
	require.NoError(t, m.Run(context.Background(), []string{"user", "list", "--tenant", "default", "--data", dir}))
	assert.Regexp(t, `zhao\s+赵敏\s+admin\s+true\s+\S+\s+temporary`, out.String())

	se := s.signIn(t, "zhao", "first password 1")
	status, body := se.get(t, "/auth/session")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, true, body["mustChangePassword"])
	assert.Equal(t, "default", body["tenant"])

	data, codes := se.do(t, `{ me { username displayName mustChangePassword } }`)
	require.Empty(t, codes)
	assert.Equal(t, map[string]any{"username": "zhao", "displayName": "赵敏", "mustChangePassword": true}, data["me"])
	errs := se.errorsOf(t, `{ deals { totalCount } }`)
	require.Len(t, errs, 1)
	assert.Equal(t, "change your password first: the current one is temporary", errs[0]["message"])
	assert.Equal(t, map[string]any{"code": "FORBIDDEN", "reason": "PASSWORD_CHANGE_REQUIRED"}, errs[0]["extensions"])

	_, codes = se.do(t, `mutation { changePassword(current: "first password 1", new: "my very own password") }`)
	require.Empty(t, codes)
	status, body = se.get(t, "/auth/session")
	require.Equal(t, http.StatusOK, status, "the session that changed the password goes on")
	assert.Equal(t, false, body["mustChangePassword"])
	data, codes = se.do(t, `{ deals { totalCount } }`)
	require.Empty(t, codes)
	assert.Equal(t, float64(0), path(data, "deals", "totalCount"))

	// The operator hands out a new temporary password.
	m.Stdin = strings.NewReader("second password 2\n")
	require.NoError(t, m.Run(context.Background(), []string{"user", "set", "--tenant", "default", "--username", "zhao", "--password", "--must-change-password", "--data", dir}))
	status, _ = se.get(t, "/auth/session")
	assert.Equal(t, http.StatusUnauthorized, status, "a new password ends the sessions")
	se = s.signIn(t, "zhao", "second password 2")
	_, codes = se.do(t, `{ deals { totalCount } }`)
	assert.Equal(t, []string{"FORBIDDEN"}, codes)
	require.NoError(t, m.Run(context.Background(), []string{"user", "set", "--tenant", "default", "--username", "zhao", "--must-change-password=false", "--data", dir}))
	_, codes = se.do(t, `{ deals { totalCount } }`)
	assert.Empty(t, codes, "the operator lifted the demand")
}

// TestServe_FirstStart: on an empty data directory the server makes an
// administrator with a generated password and prints where to sign in;
// the password works once and must be changed, then the administrator
// has the whole API. A second start makes nothing new.
func TestServe_FirstStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir)
	out := s.Stdout.String()
	where := `Open (http://\S+)/ in a browser and sign in:`
	if adminui.DistFS == nil { // go test -tags no_ui
		where = `Sign in with POST (http://\S+)/auth/login:`
	}
	line := regexp.MustCompile(where + ` tenant default, user admin, password (\S+) \(you will be asked to change it\)`).FindStringSubmatch(out)
	require.NotNil(t, line, out)
	assert.Equal(t, s.URL, line[1])
	password := line[2]
	assert.Regexp(t, `^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$`, password)
	assert.Equal(t, 1, strings.Count(out, password), "printed once")
	assert.NotEmpty(t, s.Key, "the API key is printed too")
	if adminui.DistFS != nil {
		page, err := http.Get(line[1] + "/")
		require.NoError(t, err)
		html, err := io.ReadAll(page.Body)
		page.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, page.StatusCode, "the printed address opens the web app")
		assert.Contains(t, string(html), `<div id="root">`)
		assert.Contains(t, page.Header.Get("Content-Security-Policy"), "script-src 'self'")
		assert.Equal(t, "no-cache", page.Header.Get("Cache-Control"))

		// A browser opening the API is sent to the bundled explorer.
		req, err := http.NewRequest(http.MethodGet, line[1]+"/graphql", nil)
		require.NoError(t, err)
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusFound, resp.StatusCode)
		assert.Equal(t, "/explorer", resp.Header.Get("Location"))
	}

	se := s.signIn(t, "admin", password)
	status, body := se.get(t, "/auth/session")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, true, body["mustChangePassword"])
	assert.Equal(t, map[string]any{"username": "admin", "displayName": "管理员", "role": "admin"}, body["user"])
	_, codes := se.do(t, `{ objects { name } }`)
	assert.Equal(t, []string{"FORBIDDEN"}, codes, "the password must be changed first")
	_, codes = se.do(t, `mutation { changePassword(current: "`+password+`", new: "the administrator's own password") }`)
	require.Empty(t, codes)
	data, codes := se.do(t, `{ me { admin mustChangePassword } users { username role mustChangePassword } }`)
	require.Empty(t, codes)
	assert.Equal(t, map[string]any{"admin": true, "mustChangePassword": false}, data["me"])
	assert.Equal(t, []any{map[string]any{"username": "admin", "role": "admin", "mustChangePassword": false}}, data["users"])
	_, codes = se.do(t, `mutation { installTemplate(name: "starter") { applied } }`)
	assert.Empty(t, codes, "the whole API")

	again := startServer(t, dir)
	assert.NotContains(t, again.Stdout.String(), "sign in:", "a data directory with a tenant gets nothing new")
	assert.Empty(t, again.Key)
}

func TestGeneratePassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		p, err := generatePassword()
		require.NoError(t, err)
		assert.GreaterOrEqual(t, len(p), 16)
		assert.Regexp(t, `^[a-z2-9-]+$`, p, "no easily confused characters")
		assert.NotRegexp(t, `[01oil]`, p)
		assert.False(t, seen[p])
		seen[p] = true
	}
}

// TestServe_UserDirectory: every signed-in user and every key lists the
// active users by name, to show owners and to pick a new one; only
// administrators read the user records.
func TestServe_UserDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir)
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(`{"name": "sales", "objects": {}}`)})
	for _, u := range []string{
		`{username: "li.lei", displayName: "李雷", password: "correct horse battery", role: "sales", team: "east"}`,
		`{username: "han.mei", displayName: "韩梅梅", password: "correct horse battery", role: "sales"}`,
	} {
		s.ok(t, `mutation { createUser(input: `+u+`) { username } }`, nil)
	}
	se := s.signIn(t, "li.lei", "correct horse battery")
	data, codes := se.do(t, `{ userDirectory { username displayName team } }`)
	require.Empty(t, codes)
	assert.Equal(t, []any{
		map[string]any{"username": "admin", "displayName": "管理员", "team": nil},
		map[string]any{"username": "han.mei", "displayName": "韩梅梅", "team": nil},
		map[string]any{"username": "li.lei", "displayName": "李雷", "team": "east"},
	}, data["userDirectory"], "in pinyin order: guanliyuan, han meimei, li lei")
	data, codes = se.do(t, `{ userDirectory(search: "LEI", first: 5) { username } }`)
	require.Empty(t, codes)
	assert.Equal(t, []any{map[string]any{"username": "li.lei"}}, data["userDirectory"])
	_, codes = se.do(t, `{ userDirectory(first: 101) { username } }`)
	assert.Equal(t, []string{"BAD_REQUEST"}, codes)
	_, codes = se.do(t, `{ users { username } }`)
	assert.Equal(t, []string{"FORBIDDEN"}, codes, "the user records stay with administrators")

	data = s.ok(t, `{ userDirectory(search: "梅") { username } }`, nil)
	assert.Equal(t, []any{map[string]any{"username": "han.mei"}}, data["userDirectory"], "API keys too")
}

// TestServe_Navigation: after a template install, everyone gets the
// template's menu with what they may read, then 其他 / Other.
func TestServe_Navigation(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	s.ok(t, `mutation { installTemplate(name: "b2b-sales") { applied } }`, nil)
	data := s.ok(t, `{ navigation { label { zh en } objects } }`, nil)
	assert.Equal(t, []any{
		map[string]any{"label": map[string]any{"zh": "销售", "en": "Sales"}, "objects": []any{"lead", "account", "contact", "opportunity", "quote", "order"}},
		map[string]any{"label": map[string]any{"zh": "合同回款", "en": "Contracts and payments"}, "objects": []any{"contract", "paymentPlan", "payment"}},
		map[string]any{"label": map[string]any{"zh": "服务", "en": "Service"}, "objects": []any{"case"}},
		map[string]any{"label": map[string]any{"zh": "市场", "en": "Marketing"}, "objects": []any{"campaign"}},
		map[string]any{"label": map[string]any{"zh": "产品", "en": "Products"}, "objects": []any{"product"}},
		map[string]any{"label": map[string]any{"zh": "其他", "en": "Other"}, "objects": []any{"activity", "campaignMember", "orderLine", "quoteLine"}},
	}, data["navigation"])

	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(
		`{"name": "service", "objects": {"case": {"read": true, "create": true, "update": true}, "account": {"read": true}, "activity": {"read": true}}}`)})
	s.ok(t, `mutation { createUser(input: {username: "zhou", displayName: "周婷", password: "correct horse battery", role: "service"}) { username } }`, nil)
	se := s.signIn(t, "zhou", "correct horse battery")
	data, codes := se.do(t, `{ navigation { label { en } objects } }`)
	require.Empty(t, codes)
	assert.Equal(t, []any{
		map[string]any{"label": map[string]any{"en": "Sales"}, "objects": []any{"account"}},
		map[string]any{"label": map[string]any{"en": "Service"}, "objects": []any{"case"}},
		map[string]any{"label": map[string]any{"en": "Other"}, "objects": []any{"activity"}},
	}, data["navigation"], "a role sees only what it may read")
}

// TestServe_BoardSums: a board column sums its amount over every record
// in the stage, not the cards loaded, for the records the user may see.
func TestServe_BoardSums(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	s.ok(t, `mutation { installTemplate(name: "b2b-sales") { applied } }`, nil)
	s.ok(t, `mutation($d: JSON!) { saveRole(definition: $d) }`, map[string]any{"d": json.RawMessage(
		`{"name": "rep", "objects": {"opportunity": {"read": true, "create": true, "update": true}}}`)})
	for _, u := range []string{"li", "wang"} {
		s.ok(t, `mutation { createUser(input: {username: "`+u+`", password: "correct horse battery", role: "rep"}) { username } }`, nil)
	}
	li, wang := s.signIn(t, "li", "correct horse battery"), s.signIn(t, "wang", "correct horse battery")
	for i, amount := range []float64{12000.5, 30000, 7.25} {
		_, codes := li.do(t, fmt.Sprintf(`mutation { createOpportunity(input: {name: "李的商机 %d", amount: %v}) { id } }`, i, amount))
		require.Empty(t, codes)
	}
	_, codes := wang.do(t, `mutation { createOpportunity(input: {name: "王的商机", amount: 99}) { id } }`)
	require.Empty(t, codes)

	board := `{ opportunitiesByStage(first: 1) { stage { value } totalCount sum(field: "amount") nodes { name } } }`
	data := s.ok(t, board, nil)
	assert.Equal(t, "prospecting", path(data, "opportunitiesByStage", 0, "stage", "value"))
	assert.Equal(t, 4.0, path(data, "opportunitiesByStage", 0, "totalCount"))
	assert.Equal(t, 42106.75, path(data, "opportunitiesByStage", 0, "sum"), "every card of the column, not the one loaded")
	assert.Nil(t, path(data, "opportunitiesByStage", 1, "sum"), "an empty column")

	mine, codes := li.do(t, board)
	require.Empty(t, codes)
	assert.Equal(t, 42106.75, path(mine, "opportunitiesByStage", 0, "sum"), "readWrite sharing: a rep sees every record")
	_, codes = li.do(t, `{ opportunitiesByStage { sum(field: "name") } }`)
	assert.Equal(t, slices.Repeat([]string{"BAD_REQUEST"}, 7), codes, "one error per column: name is not a number")

	list := s.ok(t, `{ opportunities(first: 1, filter: {amount: {gt: 100}}) { totalCount sum(field: "amount") } }`, nil)
	assert.Equal(t, map[string]any{"totalCount": 2.0, "sum": 42000.5}, list["opportunities"])
}
