package engine_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/internal/testkit"
)

// waitImport waits until the import job has its result.
func waitImport(t *testing.T, eng *engine.Engine, ctx context.Context, job string) *engine.ImportResult {
	t.Helper()
	require.Eventually(t, func() bool {
		r, err := eng.ImportResult(ctx, job)
		return err == nil && r.Report != nil && r.Job.Status != engine.JobRunning
	}, time.Minute, 5*time.Millisecond, "the import ends")
	res, err := eng.ImportResult(ctx, job)
	require.NoError(t, err)
	return res
}

func TestEngine_StartImport(t *testing.T) {
	t.Parallel()
	eng, admin := importTenant(t)
	li := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:li"})
	wang := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:wang"})
	header := []string{"姓名", "手机号", "累计消费"}
	up, err := eng.KeepImportUpload(li, engine.ImportUpload{FileName: "会员.csv", Format: "csv", Encoding: "gb18030", Table: engine.ImportTable{
		Header: header, Rows: []engine.ImportRow{
			{Line: 2, Cells: []string{"王芳", "13800138000", "100"}},
			{Line: 3, Cells: []string{"", "13900139000", "一千"}},
			{Line: 4, Cells: []string{"李雷", "13700137000", ""}},
		}}})
	require.NoError(t, err)
	require.NotEmpty(t, up.ID)
	assert.Equal(t, "user:li", up.Uploader)

	info, err := eng.DescribeImportUpload(li, up.ID, "member")
	require.NoError(t, err)
	assert.Equal(t, 3, info.Rows)
	assert.Equal(t, []string{"name", "mobile", "spent"}, info.Columns, "the suggested mapping")
	assert.Equal(t, []string{"王芳", "13800138000", "100"}, info.FirstRows[0].Cells)

	_, err = eng.ImportUpload(wang, up.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "another user's upload is not theirs to use")
	_, err = eng.ImportUpload(admin, up.ID)
	assert.NoError(t, err, "an administrator may use anyone's")
	_, err = eng.StartImport(wang, up.ID, "member", engine.ImportSpec{Mode: engine.BulkCreate})
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))

	_, err = eng.StartImport(li, up.ID, "member", engine.ImportSpec{Columns: []importvalue.Column{{Field: "nickname"}}, Mode: engine.BulkCreate})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "a mapping that cannot run starts no job")

	columns := importvalue.MatchColumns(mustObject(t, eng, admin, "member"), header)
	job, err := eng.StartImport(li, up.ID, "member", engine.ImportSpec{Columns: columns, Mode: engine.BulkCreate})
	require.NoError(t, err, "a user who is not an administrator imports with their own rights")
	assert.Equal(t, engine.JobImport, job.Kind)

	res := waitImport(t, eng, li, job.ID)
	assert.Equal(t, engine.JobDone, res.Job.Status)
	assert.EqualValues(t, 2, res.Job.Changed)
	assert.EqualValues(t, 3, res.Job.Done)
	assert.Equal(t, 2, res.Report.Created)
	assert.Equal(t, 4, res.Report.LastLine)
	require.Len(t, res.Report.Rejected, 1)
	assert.Equal(t, 3, res.Report.Rejected[0].Line)
	assert.NoError(t, res.Err)
	assert.Equal(t, "user:li", memberByMobile(t, eng, admin, "13800138000").CreatedBy, "written as the importer")

	_, err = eng.ImportResult(wang, job.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "another user's import is not theirs to read")
	_, err = eng.ImportResult(admin, job.ID)
	assert.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, engine.WriteRejects(&out, res.Header, res.Report.Rejected, "zh"))
	require.True(t, strings.HasPrefix(out.String(), "\ufeff"), "a byte order mark, for Excel")
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 2)
	assert.Equal(t, []string{"行号 Line", "姓名", "手机号", "累计消费", "问题 Problems"}, records[0])
	assert.Equal(t, []string{"3", "", "13900139000", "一千"}, records[1][:4])
	assert.Contains(t, records[1][4], "累计消费: “一千”不是数字")
}

func TestEngine_KeepImportUpload_Bounds(t *testing.T) {
	t.Parallel()
	eng, admin := importTenant(t)
	up := engine.ImportUpload{Format: "csv", Table: engine.ImportTable{Header: []string{"姓名"}, Rows: []engine.ImportRow{{Line: 2, Cells: []string{"王芳"}}}}}
	for range engine.MaxImportUploads {
		_, err := eng.KeepImportUpload(admin, up)
		require.NoError(t, err)
	}
	_, err := eng.KeepImportUpload(admin, up)
	require.Error(t, err)
	assert.Equal(t, engine.CodeRateLimited, engine.CodeOf(err), "a tenant keeps a bounded number of uploads")
	assert.Contains(t, engine.PublicMessage(err, "zh"), "上传")

	// Tenants together keep at most what the process may hold.
	tn := testkit.New(t, "acme", testkit.WithOtherTenants("beta"), testkit.WithConfig(func(c *engine.Config) { c.ImportUploadBytes = 100 }))
	big := engine.ImportUpload{Format: "csv", Table: engine.ImportTable{Header: []string{"备注"}, Rows: []engine.ImportRow{{Line: 2, Cells: []string{strings.Repeat("长", 20)}}}}}
	_, err = tn.Engine.KeepImportUpload(tn.Admin, big)
	require.NoError(t, err, "80 bytes of cells")
	_, err = tn.Engine.KeepImportUpload(tn.As(engine.Actor{TenantID: "beta", ID: "user:admin", Admin: true}), big)
	require.Error(t, err, "another tenant's 80 would pass the process's 100")
	assert.Equal(t, engine.CodeRateLimited, engine.CodeOf(err))
	assert.Contains(t, engine.PublicMessage(err, "en"), "the server holds as many uploaded files as it may")
}
