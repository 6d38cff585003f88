package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/internal/testkit"
)

func TestCLI_Template(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := func(args ...string) (string, string, error) {
		out, errOut := &testkit.Buffer{}, &testkit.Buffer{}
		m := &Main{Stdin: strings.NewReader("correct horse battery\n"), Stdout: out, Stderr: errOut, Getenv: func(k string) string {
			if k == "CRM_ENCRYPTION_KEY" { // the templates have sensitive fields
				return "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
			}
			return ""
		}}
		err := m.Run(context.Background(), append(args, "--data", dir))
		return out.String(), errOut.String(), err
	}
	for _, tenant := range []string{"shop", "copy"} {
		_, _, err := run("tenant", "create", tenant)
		require.NoError(t, err)
	}
	// The sample data gives the shop's people fields its users: it needs one.
	_, _, err := run("template", "install", "retail", "--tenant", "shop", "--sample-data", "--records", "300")
	assert.ErrorContains(t, err, "create a user first")
	_, _, err = run("user", "create", "--tenant", "shop", "--username", "zhang.wei", "--display-name", "张伟")
	require.NoError(t, err)

	out, _, err := run("template", "list")
	require.NoError(t, err)
	for _, want := range []string{"b2b-sales", "通用销售", "retail", "零售", "finance", "healthcare", "education", "tourism", "chemical", "化工销售"} {
		assert.Contains(t, out, want)
	}

	// Flags may follow the name; progress goes to standard error.
	out, progress, err := run("template", "install", "retail", "--tenant", "shop", "--sample-data", "--records", "300", "--seed", "3", "--as-of", "2025-06-30")
	require.NoError(t, err)
	assert.Contains(t, out, "template retail 1.7.0: installed")
	assert.Contains(t, out, "create member")
	assert.Regexp(t, `sample data: \d+ records in`, out)
	assert.Contains(t, progress, "object member")
	assert.Contains(t, progress, "sample data:")
	assert.Regexp(t, `sample data: \d+ of about 300 records`, progress)

	out, _, err = run("template", "list", "--tenant", "shop")
	require.NoError(t, err)
	assert.Regexp(t, `retail\s+1\.7\.0.*\s1\.7\.0 \(`, out)

	// A dry run says what the real install would say (issue 13, item 18).
	out, _, err = run("template", "install", "retail", "--tenant", "shop", "--dry-run")
	require.NoError(t, err)
	assert.Regexp(t, `template retail (\S+) → (\S+): already up to date \(dry run, nothing changed\)`, out)
	assert.NotContains(t, out, "would change")
	assert.NotContains(t, out, "  update ")
	out, _, err = run("template", "install", "retail", "--tenant", "shop")
	require.NoError(t, err)
	assert.Regexp(t, `template retail (\S+) → (\S+): already up to date`, out)
	out, _, err = run("template", "install", "retail", "--tenant", "copy", "--dry-run")
	require.NoError(t, err)
	assert.Regexp(t, `template retail \S+: would change \(dry run, nothing changed\)`, out)

	// The tenant's configuration as a template folder, which installs
	// into another tenant.
	export := filepath.Join(t.TempDir(), "my-retail")
	out, _, err = run("template", "export", "--tenant", "shop", "--out", export, "--name", "my-retail", "--version", "2.0.0")
	require.NoError(t, err)
	assert.Contains(t, out, `wrote template "my-retail" 2.0.0 with 8 objects`)
	assert.FileExists(t, filepath.Join(export, "manifest.json"))
	assert.FileExists(t, filepath.Join(export, "objects", "member.json"))
	assert.Contains(t, out, "5 reports and 1 dashboards")
	assert.FileExists(t, filepath.Join(export, "reports", "salesByChannel.json"))
	assert.FileExists(t, filepath.Join(export, "dashboards", "retailOverview.json"))
	manifest, err := os.ReadFile(filepath.Join(export, "manifest.json"))
	require.NoError(t, err)
	assert.Contains(t, string(manifest), `"menu"`, "the navigation groups travel with the export")
	assert.Contains(t, string(manifest), `"会员"`)
	out, _, err = run("template", "install", export, "--tenant", "copy")
	require.NoError(t, err)
	assert.Contains(t, out, "template my-retail 2.0.0: installed")
	_, _, err = run("template", "export", "--tenant", "shop", "--out", export)
	assert.ErrorContains(t, err, "not empty")

	out, _, err = run("template", "reset-sample", "retail", "--tenant", "shop")
	require.NoError(t, err)
	assert.Regexp(t, `deleted \d+ sample records of "retail"`, out)

	out, _, err = run("template", "rollback", "retail", "--tenant", "shop")
	require.NoError(t, err)
	assert.Contains(t, out, "template retail 1.7.0 → not installed: rolled back")
	assert.Contains(t, out, "delete member")
	out, _, err = run("template", "list", "--tenant", "shop")
	require.NoError(t, err)
	assert.Regexp(t, `retail\s+1\.7\.0\s+零售 Retail\s+8\s+yes\s+-`, out)

	scenarios := []struct {
		name string
		args []string
		want string
	}{
		{"unknown template", []string{"template", "install", "nope", "--tenant", "shop"}, `no template "nope"`},
		{"no tenant", []string{"template", "install", "retail"}, "--tenant is required"},
		{"unknown command", []string{"template", "frobnicate"}, "unknown template command"},
		{"bad conflict policy", []string{"template", "install", "retail", "--tenant", "shop", "--on-conflict", "mine"}, "ours or theirs"},
		{"export needs a folder", []string{"template", "export", "--tenant", "shop"}, "--out is required"},
		{"rollback of nothing", []string{"template", "rollback", "finance", "--tenant", "shop"}, "not installed"},
	}
	for _, s := range scenarios {
		_, _, err := run(s.args...)
		assert.ErrorContains(t, err, s.want, s.name)
	}
	_, err = os.Stat(filepath.Join(dir, "tenants"))
	require.NoError(t, err)
}
