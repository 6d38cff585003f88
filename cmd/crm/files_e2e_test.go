package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// contractObject has a file field for one PDF and one for up to three
// images.
const contractObject = `{"$id": "contract", "type": "object", "x-crm-label": {"zh": "合同", "en": "Contract"}, "required": ["title"], "properties": {
  "title": {"type": "string", "x-crm-type": "text"},
  "scan": {"type": "string", "x-crm-type": "file", "x-crm-file": {"accept": [".pdf"]}},
  "photos": {"type": "array", "items": {"type": "string"}, "maxItems": 3, "x-crm-type": "file", "x-crm-file": {"accept": ["image/*"]}}}}`

// uploadFile posts one file to /files as key with the query q; body, when
// not nil, replaces the file's bytes by a stream (sent chunked, without a
// length).
func (s *testServer) uploadFile(t *testing.T, key string, q url.Values, name string, data []byte, stream io.Reader) (int, map[string]any) {
	t.Helper()
	code, out, err := s.tryUpload(t, key, q, name, data, stream)
	require.NoError(t, err)
	return code, out
}

// tryUpload is uploadFile returning the client's error instead of failing
// the test on it.
func (s *testServer) tryUpload(t *testing.T, key string, q url.Values, name string, data []byte, stream io.Reader) (int, map[string]any, error) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	require.NoError(t, w.WriteField("note", "a field before the file"))
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, name))
	h.Set("Content-Type", "image/png") // the client's claim, never believed
	part, err := w.CreatePart(h)
	require.NoError(t, err)
	var body io.Reader
	if stream == nil {
		_, err = part.Write(data)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		body = bytes.NewReader(b.Bytes())
	} else {
		head := append([]byte(nil), b.Bytes()...)
		b.Reset()
		require.NoError(t, w.Close())
		// An io.MultiReader has no length: the client sends it chunked.
		body = io.MultiReader(bytes.NewReader(head), stream, bytes.NewReader(b.Bytes()))
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/files?"+q.Encode(), body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept-Language", "en")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, nil
}

func (s *testServer) deleteFile(t *testing.T, key, id string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, s.URL+"/files/"+id, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestServe_Files: a file attached to a deal and downloaded, with a
// Chinese name, as a download whatever its content; a file field's files
// uploaded before the record is saved and read in the record; the
// attacks (another tenant's or record's file, a path for a name, a file
// over the limit sent with and without a length, a file of the wrong
// type, HTML and SVG) refused or defused. .ci/ferretdb-e2e runs it on
// the MongoDB adapter (GridFS) too.
func TestServe_Files(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir, "--max-file-mb", "1")
	installStarter(t, s)
	var def any
	require.NoError(t, json.Unmarshal([]byte(contractObject), &def))
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": def})
	deal := s.ok(t, `mutation { createDeal(input: {title: "年度框架"}) { id } }`, nil)["createDeal"].(map[string]any)["id"].(string)

	// A general attachment with a Chinese name and HTML content.
	page := []byte("<html><body><script>alert(document.cookie)</script></body></html>")
	code, at := s.uploadFile(t, s.Key, url.Values{"object": {"deal"}, "record": {deal}}, "../../报价单 v2.html", page, nil)
	require.Equal(t, http.StatusCreated, code, "%v", at)
	assert.Equal(t, "报价单 v2.html", at["name"], "the path is dropped")
	assert.Equal(t, "text/html; charset=utf-8", at["contentType"], "sniffed, not the claimed image/png")
	assert.Equal(t, float64(len(page)), at["size"])
	id := at["id"].(string)
	resp, raw := s.get(t, s.Key, at["url"].(string))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, page, raw)
	assert.Equal(t, `attachment; filename="___ v2.html"; filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95%20v2.html`, resp.Header.Get("Content-Disposition"))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "sandbox")
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	require.NoError(t, err)
	assert.Equal(t, "报价单 v2.html", params["filename"], "a client reading RFC 5987 gets the exact name")

	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`)
	code, svgAt := s.uploadFile(t, s.Key, url.Values{"object": {"deal"}, "record": {deal}}, "logo.svg", svg, nil)
	require.Equal(t, http.StatusCreated, code)
	resp, _ = s.get(t, s.Key, svgAt["url"].(string))
	assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;"), "an SVG is a download too")
	assert.NotContains(t, resp.Header.Get("Content-Type"), "svg", "and never served as an image the browser runs")

	list := s.ok(t, `query($id: ID!) { attachments(object: "deal", id: $id) { id name size contentType url field } }`, map[string]any{"id": deal})["attachments"].([]any)
	require.Len(t, list, 2)
	assert.Equal(t, map[string]any{"id": id, "name": "报价单 v2.html", "size": float64(len(page)), "contentType": "text/html; charset=utf-8",
		"url": "/files/" + id, "field": nil}, list[1], "the newest first")

	// A file field: uploaded before the record, given in the create.
	pdf := []byte("%PDF-1.4\n% 合同扫描件\n%%EOF\n")
	code, scan := s.uploadFile(t, s.Key, url.Values{"object": {"contract"}, "field": {"scan"}}, "合同.pdf", pdf, nil)
	require.Equal(t, http.StatusCreated, code, "%v", scan)
	assert.Equal(t, "", scan["record"], "pending until the record is saved")
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	code, photo := s.uploadFile(t, s.Key, url.Values{"object": {"contract"}, "field": {"photos"}}, "现场.png", png, nil)
	require.Equal(t, http.StatusCreated, code, "%v", photo)
	c := s.ok(t, `mutation($s: ID!, $p: ID!) { createContract(input: {title: "采购合同", scan: $s, photos: [$p]}) { id scan { name size contentType url } photos { name } } }`,
		map[string]any{"s": scan["id"], "p": photo["id"]})["createContract"].(map[string]any)
	assert.Equal(t, map[string]any{"name": "合同.pdf", "size": float64(len(pdf)), "contentType": "application/pdf", "url": "/files/" + scan["id"].(string)}, c["scan"])
	assert.Equal(t, []any{map[string]any{"name": "现场.png"}}, c["photos"])
	resp, raw = s.get(t, s.Key, "/files/"+scan["id"].(string))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, pdf, raw)

	// Wrong type, a file for a field that is not a file field, a missing
	// file part.
	code, out := s.uploadFile(t, s.Key, url.Values{"object": {"contract"}, "field": {"scan"}}, "合同.pdf", page, nil)
	assert.Equal(t, http.StatusBadRequest, code, "HTML named .pdf")
	assert.Contains(t, out["error"], "not accepted")
	code, _ = s.uploadFile(t, s.Key, url.Values{"object": {"contract"}, "field": {"photos"}}, "x.svg", svg, nil)
	assert.Equal(t, http.StatusBadRequest, code, "an SVG is no image/*")
	code, _ = s.uploadFile(t, s.Key, url.Values{"object": {"contract"}, "field": {"title"}}, "x.pdf", pdf, nil)
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = s.postRaw(t, "/files?object=deal&record="+deal, s.Key, []byte(`{"file": "x"}`), nil)
	assert.Equal(t, http.StatusBadRequest, code, "not a multipart form")

	// Over the limit, with a length and chunked: refused, nothing kept.
	big := bytes.Repeat([]byte("x"), 1<<20+1)
	code, out = s.uploadFile(t, s.Key, url.Values{"object": {"deal"}, "record": {deal}}, "big.txt", big, nil)
	assert.Equal(t, http.StatusBadRequest, code, "%v", out)
	assert.Contains(t, out["error"], "larger than 1 MiB")
	// The server stops reading at the limit and answers; a client still
	// sending the rest may see the connection reset before it reads the
	// answer (which of the two comes first depends on timing).
	code, _, err = s.tryUpload(t, s.Key, url.Values{"object": {"deal"}, "record": {deal}}, "big.txt", nil, bytes.NewReader(bytes.Repeat([]byte("y"), 3<<20)))
	if err != nil {
		assert.True(t, errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE), "a chunked body over the limit: %v", err)
	} else {
		assert.Contains(t, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, code, "a chunked body over the limit")
	}
	code, ok := s.uploadFile(t, s.Key, url.Values{"object": {"deal"}, "record": {deal}}, "chunked.txt", nil, bytes.NewReader(bytes.Repeat([]byte("z"), 300<<10)))
	require.Equal(t, http.StatusCreated, code, "a chunked body within the limit streams: %v", ok)
	assert.Equal(t, float64(300<<10), ok["size"])
	list = s.ok(t, `query($id: ID!) { attachments(object: "deal", id: $id) { name } }`, map[string]any{"id": deal})["attachments"].([]any)
	assert.Len(t, list, 3, "the refused uploads left nothing")

	// Another tenant's key finds nothing; a record's file is not another's.
	_, err = cli("", append([]string{"tenant", "create", "other"}, storeArgs(t, dir)...)...)
	require.NoError(t, err)
	otherKey := createKey(t, dir, "other")
	resp, _ = s.get(t, otherKey, "/files/"+id)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, http.StatusNotFound, s.deleteFile(t, otherKey, id))
	for _, bad := range []string{"/files/..%2F..%2Fsystem.db", "/files/" + strings.Repeat("a", 300), "/files/%00"} {
		resp, _ = s.get(t, s.Key, bad)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, bad)
	}
	other := s.ok(t, `mutation { createContract(input: {title: "另一份"}) { id } }`, nil)["createContract"].(map[string]any)["id"].(string)
	r := s.gql(t, s.Key, `mutation($id: ID!, $s: ID!) { updateContract(id: $id, input: {scan: $s}) { id } }`, map[string]any{"id": other, "s": scan["id"]})
	require.Len(t, r.Errors, 1, "another record's file")
	assert.Equal(t, "VALIDATION_FAILED", r.Errors[0].Extensions["code"])

	// Delete over HTTP and through GraphQL.
	assert.Equal(t, http.StatusNoContent, s.deleteFile(t, s.Key, id))
	resp, _ = s.get(t, s.Key, "/files/"+id)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	s.ok(t, `mutation($id: ID!) { deleteAttachment(id: $id) }`, map[string]any{"id": photo["id"]})
	c = s.ok(t, `query($id: ID!) { contract(id: $id) { photos { id } } }`, map[string]any{"id": c["id"]})["contract"].(map[string]any)
	assert.Equal(t, []any{}, c["photos"], "the field lost the file")
	rules := s.ok(t, `{ fileRules { maxBytes serverMaxBytes accept } }`, nil)["fileRules"].(map[string]any)
	assert.Equal(t, map[string]any{"maxBytes": float64(1 << 20), "serverMaxBytes": float64(1 << 20), "accept": []any{}}, rules)
}

// TestServe_FilesDocsExample runs docs/files.md: its definition saves, a
// PDF uploaded for the field is taken by the documented create, and an
// HTML file named .pdf is refused.
func TestServe_FilesDocsExample(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/files.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	require.True(t, ok)
	def, rest, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	_, rest, ok = strings.Cut(rest, "```graphql\n")
	require.True(t, ok)
	create, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)

	s := startServer(t, t.TempDir())
	var d any
	require.NoError(t, json.Unmarshal([]byte(def), &d))
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": d})
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	code, scan := s.uploadFile(t, s.Key, url.Values{"object": {"visitReport"}, "field": {"scan"}}, "签字页.pdf", pdf, nil)
	require.Equal(t, http.StatusCreated, code, "%v", scan)
	out := s.ok(t, create, map[string]any{"scan": scan["id"]})["createVisitReport"].(map[string]any)
	assert.Equal(t, map[string]any{"name": "签字页.pdf", "size": float64(len(pdf)), "contentType": "application/pdf", "url": scan["url"]}, out["scan"])
	code, _ = s.uploadFile(t, s.Key, url.Values{"object": {"visitReport"}, "field": {"scan"}}, "fake.pdf", []byte("<html>x</html>"), nil)
	assert.Equal(t, http.StatusBadRequest, code, "a .pdf whose bytes are HTML")
}
