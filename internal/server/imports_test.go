package server_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/internal/server"
	"github.com/crmkit/crm/internal/testkit"
)

// keptUploads is an Imports that keeps uploads in a list and knows one
// object, member.
type keptUploads struct {
	mu   sync.Mutex
	kept []engine.ImportUpload
}

func (k *keptUploads) KeepImportUpload(ctx context.Context, up engine.ImportUpload) (engine.ImportUpload, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	up.ID = "u1"
	k.kept = append(k.kept, up)
	return up, nil
}

func (k *keptUploads) SuggestImportColumns(ctx context.Context, object string, header []string) ([]importvalue.Column, error) {
	if object != "member" {
		return nil, engine.ErrNotFound
	}
	return make([]importvalue.Column, len(header)), nil
}

func (k *keptUploads) DescribeImportUpload(ctx context.Context, id, object string) (*engine.ImportUploadInfo, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	up := k.kept[len(k.kept)-1]
	return &engine.ImportUploadInfo{ID: id, FileName: up.FileName, Format: up.Format, Header: up.Table.Header, Rows: len(up.Table.Rows), Object: object}, nil
}

func (k *keptUploads) ImportResult(ctx context.Context, jobID string) (*engine.ImportResult, error) {
	return nil, engine.ErrNotFound
}

func (k *keptUploads) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.kept)
}

// TestEdge_Upload: the upload route takes files over the body limit of
// every other route, which still refuse larger bodies; it needs a key,
// and an object the caller cannot import into keeps nothing.
func TestEdge_Upload(t *testing.T) {
	t.Parallel()
	imports := &keptUploads{}
	e := startEdge(t, server.Config{BodyLimit: 64 << 10, Imports: imports}, whoAmI)
	auth := map[string]string{"Authorization": "Bearer " + goodKey, "Content-Type": "text/csv"}

	r := do(t, http.MethodPost, e.url+"/graphql", strings.Repeat("x", 64<<10+1), auth)
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status, "the other routes keep their limit")
	assert.Zero(t, e.calls.Load())

	csv := "姓名,手机号\n" + strings.Repeat("王芳,13800138000\n", 10_000)
	require.Greater(t, len(csv), 64<<10)
	r = do(t, http.MethodPost, e.url+"/imports/upload?name=members.csv&object=member", csv, auth)
	require.Equal(t, http.StatusCreated, r.status, r.text)
	assert.Contains(t, r.text, `"rows":10000`)
	assert.Equal(t, 1, imports.count())

	r = do(t, http.MethodPost, e.url+"/imports/upload?name=members.csv&object=ghost", csv, auth)
	assert.Equal(t, http.StatusNotFound, r.status, r.text)
	assert.Equal(t, 1, imports.count(), "nothing kept")

	r = do(t, http.MethodPost, e.url+"/imports/upload?name=members.csv", csv, map[string]string{"Content-Type": "text/csv"})
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, 1, imports.count())

	r = do(t, http.MethodPost, e.url+"/imports/upload?name=members.csv", "姓名,手机号\n", map[string]string{"Authorization": "Bearer " + goodKey, "Accept-Language": "en"})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.text, "the file has a header and no data rows")
	assert.Contains(t, r.text, `"reason":"noData"`)
}

// TestEdge_UploadWithSession: a signed-in user uploads with the session
// cookie and the CSRF header, as the web app does; without the header
// the upload is refused and nothing is kept (H10).
func TestEdge_UploadWithSession(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme", testkit.WithObjects(`{"$id": "member", "type": "object", "properties": {
	  "name": {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "姓名", "en": "Name"}}}}`))
	eng, ctx := tn.Engine, tn.Background
	_, err := eng.CreateUser(ctx, "acme", engine.NewUser{Username: "li.lei", DisplayName: "李雷", Password: "correct horse battery"})
	require.NoError(t, err)
	e := startEdge(t, server.Config{Sessions: eng, Imports: eng}, whoAmI)
	in := do(t, "POST", e.url+"/auth/login", `{"tenant":"acme","username":"li.lei","password":"correct horse battery"}`, map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusOK, in.status, in.text)
	token, _, _ := strings.Cut(strings.TrimPrefix(in.header.Get("Set-Cookie"), "crm_session="), ";")
	csrf, _ := in.body["csrfToken"].(string)
	cookie := map[string]string{"Cookie": "crm_session=" + token, "Content-Type": "text/csv"}

	r := do(t, http.MethodPost, e.url+"/imports/upload?name=m.csv&object=member", "姓名\n王芳\n", cookie)
	assert.Equal(t, http.StatusForbidden, r.status, "no CSRF header")
	cookie["X-CSRF-Token"] = csrf
	r = do(t, http.MethodPost, e.url+"/imports/upload?name=m.csv&object=member", "姓名\n王芳\n", cookie)
	require.Equal(t, http.StatusCreated, r.status, r.text)
	assert.Equal(t, []any{"name"}, r.body["columns"])
	up, err := eng.ImportUpload(tn.As(engine.Actor{ID: "user:li.lei"}), r.body["id"].(string))
	require.NoError(t, err)
	assert.Equal(t, "user:li.lei", up.Uploader)
}
