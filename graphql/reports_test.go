package graphql_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/crmkit/crm/internal/testkit"
)

const reportDealDef = `{"$id": "deal", "type": "object", "x-crm-label": {"zh": "商机", "en": "Deal"},
  "properties": {
    "title": {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "标题", "en": "Title"}},
    "stage": {"type": "string", "enum": ["new", "won"], "x-crm-type": "picklist", "x-crm-label": {"zh": "阶段", "en": "Stage"},
      "x-crm-options": [{"value": "new", "label": {"zh": "新建", "en": "New"}}, {"value": "won", "label": {"zh": "赢单", "en": "Won"}}]},
    "amount": {"type": "number", "x-crm-type": "currency", "x-crm-label": {"zh": "金额", "en": "Amount"}},
    "closeDate": {"type": "string", "format": "date", "x-crm-type": "date", "x-crm-label": {"zh": "成交日期", "en": "Close date"}}
  }}`

const byStage = `{"name": "dealsByStage", "label": {"zh": "各阶段商机/金额", "en": "Deals by stage"}, "object": "deal",
  "groupBy": [{"field": "stage"}], "measures": [{"op": "sum", "field": "amount"}, {"op": "count"}],
  "order": [{"measure": true, "index": 0, "desc": true}], "chart": {"type": "bar"}}`

// reportsApp serves a tenant with three deals through the real handler;
// post sends one operation as actor ("admin" or "user") in a language.
func reportsApp(t *testing.T) (post func(actor, lang, query string, vars map[string]any) result) {
	t.Helper()
	srv, tn := realServer(t, testkit.WithObjects(reportDealDef))
	for _, d := range []map[string]any{
		{"title": "a", "stage": "new", "amount": 100.5, "closeDate": "2026-01-05"},
		{"title": "b", "stage": "won", "amount": 300.0, "closeDate": "2026-01-20"},
		{"title": "c", "stage": "won", "amount": 200.0, "closeDate": "2026-02-02"},
	} {
		_, err := tn.Engine.CreateRecord(tn.Admin, "deal", d)
		require.NoError(t, err)
	}
	app := newTestApp(t, srv)
	return func(actor, lang, query string, vars map[string]any) result {
		t.Helper()
		body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
		require.NoError(t, err)
		req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Test-Actor", actor)
		req.Header.Set("Accept-Language", lang)
		resp, err := app.Test(req, -1)
		require.NoError(t, err)
		defer resp.Body.Close()
		var r result
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
		return r
	}
}

func TestReports_SaveRunList(t *testing.T) {
	t.Parallel()
	post := reportsApp(t)
	saved := post("admin", "zh", `mutation($r: JSON!) { saveReport(report: $r) { name label { zh en } object chartType personal editable } }`,
		map[string]any{"r": json.RawMessage(byStage)})
	require.Empty(t, saved.Errors, saved.messages())
	assert.Equal(t, map[string]any{"name": "dealsByStage", "label": map[string]any{"zh": "各阶段商机/金额", "en": "Deals by stage"},
		"object": "deal", "chartType": "bar", "personal": false, "editable": true}, saved.Data["saveReport"])

	const runQ = `{ runReport(name: "dealsByStage") { columns { key label kind field bucket function type }
	  rows { keys { field value label } values } hasMore scanned } }`
	run := post("user", "en", runQ, nil)
	require.Empty(t, run.Errors, run.messages())
	assert.Equal(t, map[string]any{
		"columns": []any{
			map[string]any{"key": "stage", "label": "Stage", "kind": "group", "field": "stage", "bucket": nil, "function": nil, "type": "picklist"},
			map[string]any{"key": "sum:amount", "label": "Sum of Amount", "kind": "measure", "field": "amount", "bucket": nil, "function": "SUM", "type": "currency"},
			map[string]any{"key": "count", "label": "Count", "kind": "measure", "field": nil, "bucket": nil, "function": "COUNT", "type": nil},
		},
		"rows": []any{
			map[string]any{"keys": []any{map[string]any{"field": "stage", "value": "won", "label": "Won"}}, "values": []any{500.0, 2.0}},
			map[string]any{"keys": []any{map[string]any{"field": "stage", "value": "new", "label": "New"}}, "values": []any{100.5, 1.0}},
		},
		"hasMore": false, "scanned": 3.0,
	}, run.Data["runReport"])
	run = post("user", "en", `query($n: String, $r: JSON) { runReport(name: $n, report: $r) { hasMore } }`, map[string]any{"n": "dealsByStage", "r": nil})
	require.Empty(t, run.Errors, "a null definition beside a name: %s", run.messages())
	run = post("user", "zh", `{ runReport(name: "dealsByStage") { columns { label } } }`, nil)
	require.Empty(t, run.Errors)
	assert.Equal(t, []any{map[string]any{"label": "阶段"}, map[string]any{"label": "金额合计"}, map[string]any{"label": "记录数"}},
		run.Data["runReport"].(map[string]any)["columns"], "labels in the request's language")

	// An unsaved definition: the builder's preview.
	monthly := `{"name": "preview", "object": "deal", "groupBy": [{"field": "closeDate", "bucket": "month"}], "measures": [{"op": "count"}], "chart": {"type": "line"}}`
	run = post("user", "en", `query($r: JSON) { runReport(report: $r) { columns { key label bucket } rows { keys { value label from to } values } } }`,
		map[string]any{"r": json.RawMessage(monthly)})
	require.Empty(t, run.Errors, run.messages())
	res := run.Data["runReport"].(map[string]any)
	assert.Equal(t, []any{map[string]any{"key": "closeDate:month", "label": "Close date (month)", "bucket": "MONTH"}, map[string]any{"key": "count", "label": "Count", "bucket": nil}}, res["columns"])
	assert.Equal(t, map[string]any{"keys": []any{map[string]any{"value": "2026-01-01", "label": "2026-01", "from": "2026-01-01", "to": "2026-02-01"}}, "values": []any{2.0}}, res["rows"].([]any)[0])

	// Personal reports for everyone; the list says whose.
	mine := post("user", "zh", `mutation($r: JSON!) { saveReport(report: $r, personal: true) { name personal editable } }`,
		map[string]any{"r": json.RawMessage(`{"name": "mine", "object": "deal", "measures": [{"op": "sum", "field": "amount"}], "chart": {"type": "kpi"}}`)})
	require.Empty(t, mine.Errors, mine.messages())
	assert.Equal(t, map[string]any{"name": "mine", "personal": true, "editable": true}, mine.Data["saveReport"])
	list := post("user", "zh", `{ reports(object: "deal") { name personal editable } report(name: "nope") { name } }`, nil)
	require.Empty(t, list.Errors)
	assert.Equal(t, []any{map[string]any{"name": "dealsByStage", "personal": false, "editable": false},
		map[string]any{"name": "mine", "personal": true, "editable": true}}, list.Data["reports"])
	assert.Nil(t, list.Data["report"])

	// Dashboards.
	dash := post("admin", "zh", `mutation($d: JSON!) { saveDashboard(dashboard: $d) { name label { zh } cards { width report { name chartType } } personal editable roles } }`,
		map[string]any{"d": json.RawMessage(`{"name": "overview", "label": {"zh": "概览", "en": "Overview"}, "cards": [{"report": "dealsByStage", "width": 24}]}`)})
	require.Empty(t, dash.Errors, dash.messages())
	assert.Equal(t, map[string]any{"name": "overview", "label": map[string]any{"zh": "概览"}, "personal": false, "editable": true, "roles": []any{},
		"cards": []any{map[string]any{"width": 24.0, "report": map[string]any{"name": "dealsByStage", "chartType": "bar"}}}}, dash.Data["saveDashboard"])
	dashes := post("user", "zh", `{ dashboards { name editable cards { report { name } } } dashboard(name: "overview") { name } }`, nil)
	require.Empty(t, dashes.Errors)
	assert.Equal(t, []any{map[string]any{"name": "overview", "editable": false, "cards": []any{map[string]any{"report": map[string]any{"name": "dealsByStage"}}}}}, dashes.Data["dashboards"])
	assert.Equal(t, map[string]any{"name": "overview"}, dashes.Data["dashboard"])

	// Deleting.
	del := post("user", "zh", `mutation { deleteReport(name: "mine", personal: true) }`, nil)
	require.Empty(t, del.Errors)
	assert.Equal(t, true, del.Data["deleteReport"])
	del = post("user", "zh", `mutation { deleteDashboard(name: "overview") }`, nil)
	assert.Equal(t, []string{"FORBIDDEN"}, del.codes())
	del = post("admin", "zh", `mutation { deleteDashboard(name: "overview") deleteReport(name: "dealsByStage") }`, nil)
	require.Empty(t, del.Errors, del.messages())
}

func TestReports_Refused(t *testing.T) {
	t.Parallel()
	post := reportsApp(t)
	scenarios := []struct {
		name, actor, query string
		vars               map[string]any
		code, says         string
		// problem is the path of the first of extensions.problems, for a
		// VALIDATION_FAILED; "" when the message starts with it.
		problem string
	}{
		{name: "a non-administrator saving a shared report", actor: "user",
			query: `mutation($r: JSON!) { saveReport(report: $r) { name } }`, vars: map[string]any{"r": json.RawMessage(byStage)},
			code: "FORBIDDEN", says: "只有管理员可以保存共享报表"},
		{name: "an unknown group field", actor: "admin",
			query: `mutation($r: JSON!) { saveReport(report: $r) { name } }`,
			vars:  map[string]any{"r": json.RawMessage(`{"name": "x", "object": "deal", "groupBy": [{"field": "colour"}], "measures": [{"op": "count"}], "chart": {"type": "bar"}}`)},
			code:  "VALIDATION_FAILED", says: "/groupBy/0: colour"},
		{name: "a sum of a text field", actor: "admin",
			query: `query($r: JSON) { runReport(report: $r) { hasMore } }`,
			vars:  map[string]any{"r": json.RawMessage(`{"name": "x", "object": "deal", "measures": [{"op": "sum", "field": "title"}], "chart": {"type": "kpi"}}`)},
			code:  "VALIDATION_FAILED", says: "/measures/0: title"},
		{name: "an unknown member", actor: "admin",
			query: `mutation($r: JSON!) { saveReport(report: $r) { name } }`,
			vars:  map[string]any{"r": json.RawMessage(`{"name": "x", "object": "deal", "measures": [{"op": "count"}], "chart": {"type": "kpi"}, "colour": "red"}`)},
			code:  "BAD_REQUEST", says: "colour"},
		{name: "neither a name nor a definition", actor: "admin", query: `{ runReport { hasMore } }`, code: "BAD_REQUEST", says: "name a saved report"},
		{name: "an unknown report", actor: "admin", query: `{ exportReport(name: "nope") { fileName } }`, code: "NOT_FOUND", says: "nope"},
		{name: "a dashboard card of no report", actor: "admin",
			query: `mutation($d: JSON!) { saveDashboard(dashboard: $d) { name } }`,
			vars:  map[string]any{"d": json.RawMessage(`{"name": "x", "cards": [{"report": "nope", "width": 8}]}`)},
			code:  "VALIDATION_FAILED", says: `仪表盘 "x" 无法保存：第 1 张卡片引用的报表 "nope" 不存在`, problem: "/cards/0/report"},
	}
	for _, s := range scenarios {
		// Not parallel: the scenarios share one server, whose post helper
		// reports to the parent test.
		t.Run(s.name, func(t *testing.T) {
			r := post(s.actor, "zh", s.query, s.vars)
			assert.Equal(t, []string{s.code}, r.codes(), r.messages())
			assert.Contains(t, r.messages(), s.says)
			if s.code == "VALIDATION_FAILED" {
				problems, _ := r.Errors[0].Extensions["problems"].([]any)
				require.NotEmpty(t, problems, "the problems come apart too, for forms")
				path, _ := problems[0].(map[string]any)["path"].(string)
				if s.problem != "" {
					assert.Equal(t, s.problem, path)
					return
				}
				assert.True(t, strings.HasPrefix(s.says, path), "%q starts with the problem's path %q", s.says, path)
			}
		})
	}
	list := post("admin", "zh", `{ reports { name } dashboards { name } }`, nil)
	require.Empty(t, list.Errors)
	assert.Equal(t, map[string]any{"reports": []any{}, "dashboards": []any{}}, list.Data, "nothing was saved")
}

func TestReports_ExportExcel(t *testing.T) {
	t.Parallel()
	post := reportsApp(t)
	require.Empty(t, post("admin", "zh", `mutation($r: JSON!) { saveReport(report: $r) { name } }`, map[string]any{"r": json.RawMessage(byStage)}).Errors)

	r := post("user", "zh", `{ exportReport(name: "dealsByStage") { fileName contentType base64 } }`, nil)
	require.Empty(t, r.Errors, r.messages())
	file := r.Data["exportReport"].(map[string]any)
	assert.Equal(t, "各阶段商机_金额.xlsx", file["fileName"], "named for the label, without a slash")
	assert.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", file["contentType"])
	raw, err := base64.StdEncoding.DecodeString(file["base64"].(string))
	require.NoError(t, err)

	book, err := excelize.OpenReader(bytes.NewReader(raw))
	require.NoError(t, err)
	defer book.Close()
	require.Equal(t, []string{"各阶段商机 金额"}, book.GetSheetList(), "one sheet, named for the report")
	sheet := "各阶段商机 金额"
	rows, err := book.GetRows(sheet)
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"阶段", "金额合计", "记录数"}, {"赢单", "¥500.00", "2"}, {"新建", "¥100.50", "1"}}, rows,
		"a header, group labels rather than values, numbers formatted")
	raw1, err := book.GetCellValue(sheet, "B3", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	assert.Equal(t, "100.5", raw1, "numbers are numbers")
	kind, err := book.GetCellType(sheet, "C2")
	require.NoError(t, err)
	assert.NotEqual(t, excelize.CellTypeSharedString, kind)
	panes, err := book.GetPanes(sheet)
	require.NoError(t, err)
	assert.True(t, panes.Freeze)
	assert.Equal(t, 1, panes.YSplit, "the header row is frozen")
	width, err := book.GetColWidth(sheet, "B")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, width, 10.0)

	// An unsaved definition exports too, in English.
	def := `{"name": "x", "label": {"zh": "按月", "en": "By month"}, "object": "deal", "groupBy": [{"field": "closeDate", "bucket": "month"}], "measures": [{"op": "avg", "field": "amount"}], "chart": {"type": "line"}}`
	r = post("user", "en", `query($r: JSON) { exportReport(report: $r) { fileName base64 } }`, map[string]any{"r": json.RawMessage(def)})
	require.Empty(t, r.Errors, r.messages())
	file = r.Data["exportReport"].(map[string]any)
	assert.Equal(t, "By month.xlsx", file["fileName"])
	raw, err = base64.StdEncoding.DecodeString(file["base64"].(string))
	require.NoError(t, err)
	book2, err := excelize.OpenReader(bytes.NewReader(raw))
	require.NoError(t, err)
	defer book2.Close()
	rows, err = book2.GetRows("By month")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"Close date (month)", "Average Amount"}, {"2026-01", "¥200.25"}, {"2026-02", "¥200.00"}}, rows)
}
