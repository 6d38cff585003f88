package main

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exportTemplate hands the tenant's configuration out as a zip archive
// over GraphQL, which `crm template install` takes into another tenant.
func TestE2E_TemplateExportArchive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir)
	s.ok(t, `mutation { installTemplate(name: "b2b-sales") { applied } }`, nil)

	data := s.ok(t, `{ exportTemplate(name: "my-sales", version: "1.2.0") { fileName files archive } }`, nil)
	assert.Equal(t, "my-sales-1.2.0.zip", path(data, "exportTemplate", "fileName"))
	files := path(data, "exportTemplate", "files").([]any)
	assert.Equal(t, "manifest.json", files[0])
	assert.Contains(t, files, "objects/opportunity.json")
	assert.Contains(t, files, "roles/salesRep.json")
	assert.Contains(t, files, "layouts/opportunity.json")

	archive, err := base64.StdEncoding.DecodeString(path(data, "exportTemplate", "archive").(string))
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	require.NoError(t, err)
	var names []any
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	assert.Equal(t, files, names, "the archive holds the files listed")
	m, err := zr.Open("manifest.json")
	require.NoError(t, err)
	manifest, err := io.ReadAll(m)
	require.NoError(t, err)
	assert.Contains(t, string(manifest), `"name": "my-sales"`)

	zipFile := filepath.Join(t.TempDir(), "my-sales-1.2.0.zip")
	require.NoError(t, os.WriteFile(zipFile, archive, 0o600))
	run := cliOn(dir)
	_, err = run("tenant", "create", "copy")
	require.NoError(t, err)
	out, err := run("template", "install", zipFile, "--tenant", "copy")
	require.NoError(t, err)
	assert.Contains(t, out, "template my-sales 1.2.0: installed")

	r := s.gql(t, s.Key, `{ exportTemplate(name: "Not A Name", version: "1.0.0") { fileName } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Equal(t, "BAD_REQUEST", r.Errors[0].Extensions["code"])
	r = s.gql(t, roleKey(t, dir, "salesRep"), `{ exportTemplate(name: "mine", version: "1.0.0") { fileName } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"])
}
