package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/crmkit/crm/spreadsheet"
)

// TestImportCSV: an operator loads members from the GB18030 CSV that Excel
// in China saves, then corrects them with an upsert by mobile; rejected
// rows come back in a file with their problems.
func TestImportCSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := cliOnWithErrors(dir)
	_, _, err := run("tenant", "create", "shop")
	require.NoError(t, err)
	_, _, err = run("template", "install", "retail", "--tenant", "shop")
	require.NoError(t, err)

	text := "姓名,手机号,会员等级,生日,备注\r\n" +
		"王芳,138 0013 8000,金卡,1990年5月4日,老客户\r\n" +
		"李雷,13900139000,silver,1988/2/1,\r\n" +
		"韩梅梅,13700137000,钻石卡,2026-02-30,\r\n"
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	require.NoError(t, err)
	members := filepath.Join(dir, "members.csv")
	require.NoError(t, os.WriteFile(members, []byte(gbk), 0o600))
	rejects := filepath.Join(dir, "rejects.csv")

	out, progress, err := run("import-csv", "--tenant", "shop", "--object", "member", "--file", members, "--rejects", rejects)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "1 rows were rejected: they are in "+rejects)
	assert.Contains(t, out, "3 rows read (csv, gb18030), 2 created, 0 updated, 1 rejected")
	assert.Contains(t, progress, `column 1 "姓名" → name`)
	assert.Contains(t, progress, `column 5 "备注": left out`)
	assert.Contains(t, progress, "rows: 3 of 3 (100%)")
	raw, err := os.ReadFile(rejects)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	require.Len(t, lines, 2)
	assert.Equal(t, "\ufeff行号 Line,姓名,手机号,会员等级,生日,备注,问题 Problems", strings.TrimSpace(lines[0]), "UTF-8 with a byte order mark, for Excel")
	assert.Contains(t, lines[1], "4,韩梅梅,13700137000,钻石卡,2026-02-30,,")
	assert.Contains(t, lines[1], "会员等级: “钻石卡”不是可选值之一")
	assert.Contains(t, lines[1], "生日: “2026-02-30”不是日期")

	fixed := filepath.Join(dir, "fixed.csv")
	require.NoError(t, os.WriteFile(fixed, []byte("手机号,会员等级,姓名\n+86 138-0013-8000,platinum,\n13700137000,钻石卡,韩梅梅\n"), 0o600))
	out, _, err = run("import-csv", "--tenant", "shop", "--object", "member", "--file", fixed, "--mode", "upsert", "--match-by", "mobile",
		"--map", "会员等级=", "--skip-automations")
	require.NoError(t, err, "the tier column left out, nothing is rejected")
	assert.Contains(t, out, "2 rows read (csv, utf-8), 1 created, 1 updated, 0 rejected",
		"the upsert found 王芳 by her mobile written another way, and created 韩梅梅")
	out, _, err = run("import-csv", "--tenant", "shop", "--object", "member", "--file", fixed, "--mode", "upsert", "--match-by", "mobile",
		"--map", "会员等级=", "--rejects", rejects)
	require.Error(t, err, "the rejects file exists already")
	assert.Contains(t, err.Error(), "the file exists")
	assert.Empty(t, out, "nothing was imported")

	// A migration keeps the tier it brings: the automation that sets it
	// from what a member spent does not run.
	migrated := filepath.Join(dir, "migrated.csv")
	require.NoError(t, os.WriteFile(migrated, []byte("姓名,手机号,会员等级\n周杰,13300133000,金卡\n"), 0o600))
	_, _, err = run("import-csv", "--tenant", "shop", "--object", "member", "--file", migrated, "--skip-automations")
	require.NoError(t, err)

	// What came in goes out again, with labels as headers, in both forms.
	for _, name := range []string{"members-out.csv", "members-out.xlsx"} {
		path := filepath.Join(dir, name)
		out, _, err := run("export-csv", "--tenant", "shop", "--object", "member", "--columns", "name,tier,homeStore", "--sort", "name", "--out", path)
		require.NoError(t, err)
		assert.Contains(t, out, "4 member records")
		f, err := os.Open(path)
		require.NoError(t, err)
		tab, err := spreadsheet.Read(f, spreadsheet.Options{})
		f.Close()
		require.NoError(t, err)
		assert.Equal(t, []string{"姓名", "会员等级", "归属门店"}, tab.Header)
		require.Len(t, tab.Rows, 4)
		assert.Equal(t, []string{"周杰", "金卡会员", ""}, tab.Rows[0].Cells, "migrated as it was")
		assert.Equal(t, []string{"李雷", "普通会员", ""}, tab.Rows[1].Cells, "the template's automation set the tier from what he spent, as on any write")
		_, _, err = run("export-csv", "--tenant", "shop", "--object", "member", "--out", path)
		require.Error(t, err, "an existing file is not overwritten")
	}
	_, _, err = run("export-csv", "--tenant", "shop", "--object", "member", "--columns", "ghost", "--out", filepath.Join(dir, "x.csv"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no column "ghost"`)
	assert.NoFileExists(t, filepath.Join(dir, "x.csv"), "a failed export leaves no file")

	scenarios := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"--tenant", "shop", "--object", "member"}, "--file is required"},
		{"an unknown object", []string{"--tenant", "shop", "--object", "ghost", "--file", fixed}, `tenant "shop" has no object "ghost"`},
		{"a mapping to a column the file lacks", []string{"--tenant", "shop", "--object", "member", "--file", fixed, "--map", "邮箱=email"}, `--map: the file has no column "邮箱"`},
		{"a mapping that is no pair", []string{"--tenant", "shop", "--object", "member", "--file", fixed, "--map", "姓名"}, `--map: "姓名" is not name=value`},
		{"an update without a key", []string{"--tenant", "shop", "--object", "member", "--file", fixed, "--mode", "update"}, "needs a column of record ids or a unique field"},
		{"a file that is no spreadsheet", []string{"--tenant", "shop", "--object", "member", "--file", filepath.Join(dir, "missing.csv")}, "no such file"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			_, _, err := run(append([]string{"import-csv"}, sc.args...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), sc.want)
		})
	}
}
