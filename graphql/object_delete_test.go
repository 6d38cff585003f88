package graphql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/internal/testkit"
)

// TestDeleteObject: a dry run counts, a wrong count is CONFLICT, the
// delete answers what went, and the object's types leave the schema.
func TestDeleteObject(t *testing.T) {
	t.Parallel()
	srv, _ := realServer(t, testkit.WithObjects(`{"$id": "visit", "type": "object", "properties": {"note": {"type": "string", "x-crm-type": "text"}}}`))
	mustRun(t, srv, admin, `mutation { a: createVisit(input: {note: "一"}) { id } b: createVisit(input: {note: "二"}) { id } }`, nil)

	mustRun(t, srv, admin, `mutation { saveReport(report: {name: "visitCount", object: "visit", measures: [{op: "count"}], chart: {type: "kpi"}}) { name } }`, nil)
	data := mustRun(t, srv, admin, `mutation { deleteObject(name: "visit", records: 0, dryRun: true) { name records views reports layout deleted } }`, nil)
	assert.Equal(t, map[string]any{"name": "visit", "records": 2.0, "views": 0.0, "reports": 1.0, "layout": false, "deleted": false}, data["deleteObject"])
	r := run(t, srv, admin, `mutation { deleteObject(name: "visit", records: 1) { deleted } }`, nil)
	assert.Equal(t, []string{"CONFLICT"}, r.codes())
	assert.Contains(t, r.messages(), "现有 2 条记录")
	r = run(t, srv, user, `mutation { deleteObject(name: "visit", records: 2) { deleted } }`, nil)
	assert.Equal(t, []string{"FORBIDDEN"}, r.codes())

	data = mustRun(t, srv, admin, `mutation { deleteObject(name: "visit", records: 2) { records deleted } }`, nil)
	assert.Equal(t, map[string]any{"records": 2.0, "deleted": true}, data["deleteObject"])
	r = run(t, srv, admin, `{ visits { totalCount } }`, nil)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes())
	assert.Contains(t, r.messages(), `Cannot query field "visits"`, "the object left the schema")
	data = mustRun(t, srv, admin, `{ reports { name } }`, nil)
	assert.Equal(t, []any{}, data["reports"], "its reports went with it")
}
