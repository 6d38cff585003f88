package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/spreadsheet"
)

// TestServe_Export: a list's records come out of GET /exports/:object as
// CSV or a workbook, with labels as headers, as the caller may see them;
// bad arguments are refused in words.
func TestServe_Export(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(`{"$id": "deal", "type": "object",
	  "x-crm-label": {"zh": "商机", "en": "Deal"}, "properties": {
		"title":  {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "名称", "en": "Title"}},
		"amount": {"type": "number", "x-crm-type": "currency", "x-crm-label": {"zh": "金额", "en": "Amount"}},
		"stage":  {"type": "string", "enum": ["new", "won"], "x-crm-type": "picklist", "x-crm-label": {"zh": "阶段", "en": "Stage"},
		  "x-crm-options": [{"value": "new", "label": {"zh": "新建", "en": "New"}}, {"value": "won", "label": {"zh": "赢单", "en": "Won"}}]}}}`)})
	for _, d := range []map[string]any{{"title": "数控机床", "amount": 120000.5, "stage": "won"}, {"title": "刀具", "amount": 800, "stage": "new"}} {
		s.ok(t, `mutation($in: DealInput!) { createDeal(input: $in) { id } }`, map[string]any{"in": d})
	}
	read := func(q url.Values) *spreadsheet.Table {
		t.Helper()
		res, body := s.get(t, s.Key, "/exports/deal?"+q.Encode())
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		assert.Contains(t, res.Header.Get("Content-Disposition"), `filename="deal.`+q.Get("format"))
		tab, err := spreadsheet.Read(bytes.NewReader(body), spreadsheet.Options{})
		require.NoError(t, err)
		return tab
	}
	for _, format := range []string{"csv", "xlsx"} {
		tab := read(url.Values{"format": {format}, "columns": {"title,amount,stage"}, "sort": {"-amount"}})
		assert.Equal(t, []string{"名称", "金额", "阶段"}, tab.Header)
		require.Len(t, tab.Rows, 2)
		assert.Equal(t, "数控机床", tab.Rows[0].Cells[0])
		assert.Equal(t, "赢单", tab.Rows[0].Cells[2], "an option's label")
	}
	tab := read(url.Values{"format": {"csv"}, "columns": {"title"}, "lang": {"en"}, "filter": {`{"field": "stage", "op": "eq", "value": "new"}`}})
	assert.Equal(t, []string{"Title"}, tab.Header)
	assert.Equal(t, [][]string{{"刀具"}}, [][]string{tab.Rows[0].Cells})

	scenarios := []struct {
		name  string
		query url.Values
		code  int
		says  string
	}{
		{"an unknown format", url.Values{"format": {"pdf"}}, http.StatusBadRequest, `未知的导出格式 "pdf"`},
		{"a filter that is no filter", url.Values{"filter": {"{"}}, http.StatusBadRequest, "筛选条件格式不正确"},
		{"a column that does not exist", url.Values{"columns": {"ghost"}}, http.StatusBadRequest, `"ghost"`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			res, body := s.get(t, s.Key, "/exports/deal?"+sc.query.Encode())
			assert.Equal(t, sc.code, res.StatusCode)
			var answer struct{ Error string }
			require.NoError(t, json.Unmarshal(body, &answer), string(body))
			assert.Contains(t, answer.Error, sc.says)
		})
	}
	res, _ := s.get(t, "", "/exports/deal")
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "no key, no records")
	res, _ = s.get(t, s.Key, "/exports/ghost")
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, "no such object")
}
