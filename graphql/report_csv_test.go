package graphql_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A saved report exports as CSV for Excel: a byte order mark, the labels
// as the header, group labels, plain numbers; an unknown format is
// refused.
func TestReports_ExportCSV(t *testing.T) {
	t.Parallel()
	post := reportsApp(t)
	require.Empty(t, post("admin", "zh", `mutation($r: JSON!) { saveReport(report: $r) { name } }`, map[string]any{"r": json.RawMessage(byStage)}).Errors)

	r := post("user", "zh", `{ exportReport(name: "dealsByStage", format: "csv") { fileName contentType base64 } }`, nil)
	require.Empty(t, r.Errors, r.messages())
	file := r.Data["exportReport"].(map[string]any)
	assert.Equal(t, "各阶段商机_金额.csv", file["fileName"])
	assert.Equal(t, "text/csv; charset=utf-8", file["contentType"])
	raw, err := base64.StdEncoding.DecodeString(file["base64"].(string))
	require.NoError(t, err)
	assert.Equal(t, "\ufeff阶段,金额合计,记录数\r\n赢单,500,2\r\n新建,100.5,1\r\n", string(raw))

	r = post("user", "en", `{ exportReport(name: "dealsByStage", format: "csv") { fileName base64 } }`, nil)
	require.Empty(t, r.Errors, r.messages())
	raw, err = base64.StdEncoding.DecodeString(r.Data["exportReport"].(map[string]any)["base64"].(string))
	require.NoError(t, err)
	assert.Contains(t, string(raw), "\ufeffStage,", "headers in the request's language")

	r = post("user", "zh", `{ exportReport(name: "dealsByStage", format: "pdf") { fileName } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "BAD_REQUEST", r.Errors[0].Extensions["code"])
	assert.Contains(t, r.Errors[0].Message, `"pdf"`)
}
