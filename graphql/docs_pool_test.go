package graphql_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

// poolDefinition reads the definition docs/pool.md shows.
func poolDefinition(t *testing.T) []byte {
	t.Helper()
	f, err := os.Open("../docs/pool.md")
	require.NoError(t, err)
	defer f.Close()
	var b strings.Builder
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		switch {
		case sc.Text() == "```json pool-definition":
			in = true
		case in && sc.Text() == "```":
			return []byte(b.String())
		case in:
			b.WriteString(sc.Text() + "\n")
		}
	}
	t.Fatal("docs/pool.md shows no definition")
	return nil
}

// TestDocs_PoolExamples saves the definition docs/pool.md shows, puts
// three records in the pool, and runs the page's API examples, in order,
// as the rep li signed in (a session cookie and its CSRF token) through
// the whole server, comparing each response with the one the page shows.
func TestDocs_PoolExamples(t *testing.T) {
	t.Parallel()
	examples, _ := docExamples(t, "../docs/pool.md")
	require.Len(t, examples, 6, "the page has its examples")
	s := newHTTPStack(t, "b2b-sales")
	eng := s.eng
	_, err := eng.SaveObject(s.ctx, poolDefinition(t), engine.SaveOptions{})
	require.NoError(t, err)
	require.NoError(t, eng.SaveRole(s.ctx, engine.Role{Name: "poolRep", Objects: map[string]engine.ObjectAccess{"prospect": {Read: true, Create: true, Update: true}}}))
	_, err = eng.CreateUser(s.ctx, "acme", engine.NewUser{Username: "li", DisplayName: "李雷", Role: "poolRep", Password: "correct horse battery"})
	require.NoError(t, err)
	var ids []string
	for _, name := range []string{"杭州云栖科技", "宁波港物流", "苏州工业园精密"} {
		rec, err := eng.CreateRecord(s.ctx, "prospect", map[string]any{"name": name, "status": "new"})
		require.NoError(t, err)
		ids = append(ids, rec.ID)
	}
	res, err := eng.ReturnToPool(s.ctx, "prospect", ids, "联系不上") // an administrator puts them in the pool
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err)
	}

	sess, err := eng.SignIn(s.ctx, "acme", "li", "correct horse battery")
	require.NoError(t, err)
	headers := map[string]string{"Content-Type": "application/json", "Accept-Language": "en", "Authorization": "",
		"Cookie": "crm_session=" + sess.Token, "X-CSRF-Token": sess.CSRF}
	runDocExamples(t, s, "docs/pool.md", examples, headers)
}
