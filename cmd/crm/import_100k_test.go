package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

// TestImportCSV_100kDeals loads 100,000 deals of the starter template
// from a GB18030 CSV (amounts with ¥ and thousands separators, stages by
// their Chinese labels, dates as 2026年3月1日, accounts by name) through
// crm import-csv, three rows of it bad. The 99,997 good rows land, with
// their values and their autonumbers in file order; the bad ones come
// back in the rejects file, each with its reason. About 30 s on an idle
// 2-core machine (the time is logged), so -short skips it; the README's
// go test ./... runs it.
func TestImportCSV_100kDeals(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 rows: runs without -short")
	}
	t.Parallel()
	dir := t.TempDir()
	run := cliOnWithErrors(dir)
	_, _, err := run("tenant", "create", "acme")
	require.NoError(t, err)
	_, _, err = run("template", "install", "starter", "--tenant", "acme")
	require.NoError(t, err)

	const accounts, deals = 200, 100_000
	var b strings.Builder
	b.WriteString("客户名称\r\n")
	for i := range accounts {
		fmt.Fprintf(&b, "客户 %03d\r\n", i)
	}
	write := func(name, text string) string {
		gbk, err := simplifiedchinese.GB18030.NewEncoder().String(text)
		require.NoError(t, err)
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(gbk), 0o600))
		return path
	}
	out, _, err := run("import-csv", "--tenant", "acme", "--object", "account", "--file", write("accounts.csv", b.String()))
	require.NoError(t, err)
	assert.Contains(t, out, "200 created")

	stages := []string{"新建", "已确认需求", "方案报价", "赢单", "输单"}
	b.Reset()
	b.WriteString("商机名称,金额,阶段,预计成交日期,客户,联系邮箱,备注\r\n")
	for i := range deals {
		stage, date, account := stages[i%len(stages)], fmt.Sprintf("2026年%d月%d日", i%12+1, i%28+1), fmt.Sprintf("客户 %03d", i%accounts)
		switch i {
		case 500:
			stage = "谈判中"
		case 50_000:
			date = "2026-02-30"
		case deals - 1:
			account = "没有这个客户"
		}
		fmt.Fprintf(&b, "商机 %06d,\"¥%s.50\",%s,%s,%s,buyer%d@example.com,第 %d 行\r\n", i, thousands(i*7), stage, date, account, i, i)
	}
	file := write("deals.csv", b.String())
	rejects := filepath.Join(dir, "rejects.csv")
	start := time.Now()
	out, progress, err := run("import-csv", "--tenant", "acme", "--object", "deal", "--file", file, "--rejects", rejects)
	took := time.Since(start)
	t.Logf("100,000 rows imported in %v (%.0f rows/s)", took.Round(time.Millisecond), deals/took.Seconds())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "3 rows were rejected: they are in "+rejects)
	assert.Contains(t, out, "100000 rows read (csv, gb18030), 99997 created, 0 updated, 3 rejected")
	assert.Contains(t, progress, "rows: 100000 of 100000 (100%)")

	raw, err := os.ReadFile(rejects)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	require.Len(t, lines, 4)
	assert.Contains(t, lines[1], "502,商机 000500,")
	assert.Contains(t, lines[1], "阶段: “谈判中”不是可选值之一")
	assert.Contains(t, lines[2], "50002,商机 050000,")
	assert.Contains(t, lines[2], "预计成交日期")
	assert.Contains(t, lines[3], "100001,商机 099999,")
	assert.Contains(t, lines[3], "没有这个客户")

	m := &Main{Stdout: &testkit.Buffer{}, Stderr: &testkit.Buffer{}, Getenv: func(string) string { return "" }}
	st, eng, err := m.open(dir, m.quietLogger())
	require.NoError(t, err)
	defer st.Close()
	ctx := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "system", Admin: true})
	n, err := eng.CountRecords(ctx, "deal", nil)
	require.NoError(t, err)
	assert.EqualValues(t, deals-3, n)
	won := store.Leaf("stage", store.OpEq, "won")
	n, err = eng.CountRecords(ctx, "deal", &won)
	require.NoError(t, err)
	assert.EqualValues(t, deals/5, n, "every fifth row is 赢单")

	byName := map[string]string{}
	page, err := eng.ListRecords(ctx, "account", engine.ListQuery{First: engine.MaxPageSize})
	require.NoError(t, err)
	for ; ; page, err = eng.ListRecords(ctx, "account", engine.ListQuery{First: engine.MaxPageSize, After: page.EndCursor}) {
		require.NoError(t, err)
		for _, r := range page.Records {
			byName[r.Data["name"].(string)] = r.ID
		}
		if !page.HasNextPage {
			break
		}
	}
	require.Len(t, byName, accounts)
	for _, i := range []int{0, 499, 501, 12_345, 50_001, 99_998} {
		title := fmt.Sprintf("商机 %06d", i)
		f := store.Leaf("title", store.OpEq, title)
		got, err := eng.ListRecords(ctx, "deal", engine.ListQuery{Filter: &f})
		require.NoError(t, err)
		require.Len(t, got.Records, 1, title)
		d := got.Records[0].Data
		assert.Equal(t, float64(i*7)+0.5, d["amount"], title)
		assert.Equal(t, []string{"new", "qualified", "proposal", "won", "lost"}[i%5], d["stage"], title)
		assert.Equal(t, fmt.Sprintf("2026-%02d-%02d", i%12+1, i%28+1), d["closeDate"], title)
		assert.Equal(t, byName[fmt.Sprintf("客户 %03d", i%accounts)], d["account"], title)
		assert.Equal(t, fmt.Sprintf("buyer%d@example.com", i), d["email"], title)
		before := 0 // rejected rows before this one take no number
		for _, bad := range []int{500, 50_000} {
			if i > bad {
				before++
			}
		}
		assert.Equal(t, fmt.Sprintf("DEAL-%05d", i+1-before), d["number"], title)
	}
}

// thousands writes n with a comma every three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
