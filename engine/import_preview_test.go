package engine_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
)

func TestEngine_PreviewImport(t *testing.T) {
	t.Parallel()
	eng, admin := importTenant(t)
	header := []string{"姓名", "手机号", "累计消费", "门店"}
	columns := importvalue.MatchColumns(mustObject(t, eng, admin, "member"), header)
	table := engine.ImportTable{Header: header, Rows: []engine.ImportRow{
		{Line: 2, Cells: []string{"王芳", "13800138000", "¥1,200.50", "南京西路店"}},
		{Line: 3, Cells: []string{"", "13900139000", "-5", "人民广场店"}},
		{Line: 4, Cells: []string{"李雷", "13700137000", "一千", ""}},
		{Line: 5, Cells: []string{"韩梅梅", "13600136000", "", ""}},
	}}
	create := engine.ImportSpec{Columns: columns, Mode: engine.BulkCreate}

	rows, err := eng.PreviewImport(admin, "member", table, create, 3)
	require.NoError(t, err)
	require.Len(t, rows, 3, "the first rows asked for")

	assert.Equal(t, 2, rows[0].Line)
	assert.Empty(t, rows[0].Problems)
	assert.Equal(t, "王芳", rows[0].Values["name"])
	assert.Equal(t, 1200.5, rows[0].Values["spent"])
	assert.NotEmpty(t, rows[0].Values["shop"], "the lookup found by the shop's name, as its id")

	got := map[string]string{}
	for _, p := range rows[1].Problems {
		got[p.Field] = p.MessageZh
	}
	assert.Equal(t, "找不到您可见的门店记录“人民广场店”", got["门店"], "the lookup resolved")
	assert.Contains(t, got, "姓名", "a create's own checks: the name is required")
	assert.Contains(t, got, "累计消费", "and the amount may not be negative")

	require.Len(t, rows[2].Problems, 1)
	assert.Equal(t, "累计消费", rows[2].Problems[0].Field)
	assert.Equal(t, "“一千”不是数字", rows[2].Problems[0].MessageZh)

	n, err := eng.CountRecords(admin, "member", nil)
	require.NoError(t, err)
	assert.Zero(t, n, "a preview writes nothing")

	scenarios := []struct {
		name string
		spec engine.ImportSpec
		code engine.Code
	}{
		{"unknown mode", engine.ImportSpec{Columns: columns, Mode: "merge"}, engine.CodeBadRequest},
		{"update without a key", engine.ImportSpec{Columns: columns, Mode: engine.BulkUpdate}, engine.CodeBadRequest},
		{"a field the object lacks", engine.ImportSpec{Columns: []importvalue.Column{{Field: "nickname"}}, Mode: engine.BulkCreate}, engine.CodeBadRequest},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			_, err := eng.PreviewImport(admin, "member", table, sc.spec, 0)
			require.Error(t, err)
			assert.Equal(t, sc.code, engine.CodeOf(err))
		})
	}
	t.Run("update by a unique field says which rows match nothing", func(t *testing.T) {
		_, err := eng.CreateRecord(admin, "member", map[string]any{"name": "王芳", "mobile": "13800138000"})
		require.NoError(t, err)
		rows, err := eng.PreviewImport(admin, "member", table, engine.ImportSpec{Columns: columns, Mode: engine.BulkUpdate, MatchBy: "mobile"}, 0)
		require.NoError(t, err)
		require.Len(t, rows, 4, "every row, fewer than the default")
		assert.Empty(t, rows[0].Problems)
		require.Len(t, rows[3].Problems, 1)
		assert.Equal(t, "手机号", rows[3].Problems[0].Field)
	})
}

func TestEngine_ImportRecords_DryRun(t *testing.T) {
	t.Parallel()
	eng, admin := importTenant(t)
	header := []string{"姓名", "手机号", "累计消费"}
	columns := importvalue.MatchColumns(mustObject(t, eng, admin, "member"), header)
	rows := make([]engine.ImportRow, 0, engine.MaxBulkWrites+2)
	for i := range engine.MaxBulkWrites + 2 {
		rows = append(rows, engine.ImportRow{Line: i + 2, Cells: []string{"会员", fmt.Sprintf("138%08d", i), "10"}})
	}
	rows[3].Cells[0] = ""                        // required: the create's own check
	rows[engine.MaxBulkWrites+1].Cells[2] = "十元" // in the second batch
	var progress [][2]int
	rep, err := eng.ImportRecords(admin, "member", engine.ImportTable{Header: header, Rows: rows},
		engine.ImportSpec{Columns: columns, Mode: engine.BulkCreate, DryRun: true}, func(done, total int) { progress = append(progress, [2]int{done, total}) })
	require.NoError(t, err)
	assert.Equal(t, len(rows)-2, rep.Valid)
	assert.Zero(t, rep.Created)
	require.Len(t, rep.Rejected, 2)
	assert.Equal(t, 5, rep.Rejected[0].Line)
	assert.Equal(t, "姓名", rep.Rejected[0].Problems[0].Field)
	assert.Equal(t, engine.MaxBulkWrites+3, rep.Rejected[1].Line)
	assert.Equal(t, engine.MaxBulkWrites+3, rep.LastLine, "every row checked")
	assert.Equal(t, [][2]int{{engine.MaxBulkWrites, len(rows)}, {len(rows), len(rows)}}, progress)
	n, err := eng.CountRecords(admin, "member", nil)
	require.NoError(t, err)
	assert.Zero(t, n, "a dry run writes nothing")
}
