package graphql_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
)

// TestActivities_GraphQL adds notes with a mention and a reply, tasks,
// and reads them back with the record's timeline, over a real engine;
// refusals come back with their codes and the fields at fault.
func TestActivities_GraphQL(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t, testkit.WithObjects(`{"$id": "deal", "type": "object", "properties": {
	  "title": {"type": "string", "x-crm-type": "text"},
	  "stage": {"type": "string", "enum": ["open", "won"], "default": "open", "x-crm-type": "picklist",
	    "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}]}}}}`,
		`{"$id": "visit", "type": "object", "x-crm-activity": true, "properties": {
	  "subject": {"type": "string", "x-crm-type": "text"},
	  "deal": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "deal"}}}`))
	for _, u := range []string{"wang", "li"} {
		_, err := tn.Engine.CreateUser(context.Background(), tenantA, engine.NewUser{Username: u, Password: "a long enough password"})
		require.NoError(t, err)
	}
	wang := engine.Actor{TenantID: tenantA, ID: "user:wang", Admin: true}
	deal := mustRun(t, srv, wang, `mutation { createDeal(input: {title: "年框"}) { id } }`, nil)["createDeal"].(map[string]any)["id"].(string)
	mustRun(t, srv, wang, `mutation($d: ID!) { createVisit(input: {subject: "上门拜访", deal: $d}) { id } }`, map[string]any{"d": deal})

	note := mustRun(t, srv, wang, `mutation($d: ID!) { addNote(object: "deal", id: $d, body: "请 @li 跟进", mentions: ["li"]) {
	  id object recordId body mentions parent author createdAt editedAt version } }`, map[string]any{"d": deal})["addNote"].(map[string]any)
	assert.Equal(t, "deal", note["object"])
	assert.Equal(t, deal, note["recordId"])
	assert.Equal(t, []any{"user:li"}, note["mentions"])
	assert.Equal(t, "user:wang", note["author"])
	assert.Nil(t, note["parent"])
	assert.Nil(t, note["editedAt"])
	li := engine.Actor{TenantID: tenantA, ID: "user:li", Admin: true}
	reply := mustRun(t, srv, li, `mutation($d: ID!, $p: ID) { addNote(object: "deal", id: $d, body: "好的", parent: $p) { id parent } }`,
		map[string]any{"d": deal, "p": note["id"]})["addNote"].(map[string]any)
	assert.Equal(t, note["id"], reply["parent"])
	edited := mustRun(t, srv, wang, `mutation($id: ID!) { editNote(id: $id, body: "请 @li 周五前跟进", mentions: ["li"], version: 1) { body editedAt version } }`,
		map[string]any{"id": note["id"]})["editNote"].(map[string]any)
	assert.Equal(t, 2.0, edited["version"])
	assert.NotNil(t, edited["editedAt"])

	task := mustRun(t, srv, wang, `mutation($d: ID) { addTask(input: {subject: "发报价", due: "2030-01-02", assignee: "li", priority: "high"}, object: "deal", id: $d) {
	  id subject due assignee object recordId status priority notes createdBy completedAt version } }`, map[string]any{"d": deal})["addTask"].(map[string]any)
	assert.Equal(t, "2030-01-01T16:00:00.000000Z", task["due"], "a date is 00:00 in Asia/Shanghai")
	assert.Equal(t, "user:li", task["assignee"])
	assert.Equal(t, "open", task["status"])
	mine := mustRun(t, srv, li, `{ myTasks(filter: "open") { tasks { id } hasNextPage } }`, nil)["myTasks"].(map[string]any)
	assert.Equal(t, []any{map[string]any{"id": task["id"]}}, mine["tasks"])
	done := mustRun(t, srv, li, `mutation($id: ID!) { completeTask(id: $id) { status completedBy completedAt } }`, map[string]any{"id": task["id"]})["completeTask"].(map[string]any)
	assert.Equal(t, "done", done["status"])
	assert.Equal(t, "user:li", done["completedBy"])
	got := mustRun(t, srv, wang, `query($id: ID!) { taskItem(id: $id) { subject status } recordTasks(object: "deal", id: "`+deal+`") { tasks { id } } }`, map[string]any{"id": task["id"]})
	assert.Equal(t, "done", got["taskItem"].(map[string]any)["status"])
	assert.Len(t, got["recordTasks"].(map[string]any)["tasks"], 1)
	assert.Nil(t, mustRun(t, srv, wang, `{ taskItem(id: "nope") { id } }`, nil)["taskItem"])

	mustRun(t, srv, wang, `mutation($d: ID!) { updateDeal(id: $d, input: {stage: won}) { id } }`, map[string]any{"d": deal})
	tl := mustRun(t, srv, wang, `query($d: ID!) { timeline(object: "deal", id: $d, first: 100) { items { kind id at actor object recordId title data } hasNextPage endCursor } }`,
		map[string]any{"d": deal})["timeline"].(map[string]any)
	kinds := map[string]int{}
	for _, it := range tl["items"].([]any) {
		kinds[it.(map[string]any)["kind"].(string)]++
	}
	assert.Equal(t, map[string]int{"note": 2, "task": 1, "activity": 1, "stage": 2, "change": 2}, kinds)
	notesOnly := mustRun(t, srv, wang, `query($d: ID!) { timeline(object: "deal", id: $d, kinds: ["note"], first: 1) { items { id } hasNextPage endCursor } }`,
		map[string]any{"d": deal})["timeline"].(map[string]any)
	assert.Equal(t, true, notesOnly["hasNextPage"])
	next := mustRun(t, srv, wang, `query($d: ID!, $a: String) { timeline(object: "deal", id: $d, kinds: ["note"], first: 1, after: $a) { items { id } hasNextPage } }`,
		map[string]any{"d": deal, "a": notesOnly["endCursor"]})["timeline"].(map[string]any)
	assert.Equal(t, false, next["hasNextPage"])
	assert.Equal(t, []any{map[string]any{"id": note["id"]}}, next["items"], "the older note on the second page")
	page := mustRun(t, srv, wang, `query($d: ID!) { recordNotes(object: "deal", id: $d) { notes { id } hasNextPage } }`, map[string]any{"d": deal})["recordNotes"].(map[string]any)
	assert.Len(t, page["notes"], 2)

	scenarios := []struct {
		name, query string
		code        string
		field       string
	}{
		{"empty note", `mutation { addNote(object: "deal", id: "` + deal + `", body: " ") { id } }`, "VALIDATION_FAILED", "body"},
		{"unknown mention", `mutation { addNote(object: "deal", id: "` + deal + `", body: "x", mentions: ["ghost"]) { id } }`, "VALIDATION_FAILED", "mentions"},
		{"a note on nothing", `mutation { addNote(object: "deal", id: "nope", body: "x") { id } }`, "NOT_FOUND", ""},
		{"a task without a subject", `mutation { addTask(input: {due: "soon"}) { id } }`, "VALIDATION_FAILED", "subject"},
		{"an unknown kind", `{ timeline(object: "deal", id: "` + deal + `", kinds: ["gossip"]) { hasNextPage } }`, "BAD_REQUEST", ""},
		{"first out of range", `{ myTasks(first: 0) { hasNextPage } }`, "BAD_REQUEST", ""},
		{"another's note", `mutation { editNote(id: "` + note["id"].(string) + `", body: "x") { id } }`, "FORBIDDEN", ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := run(t, srv, li, sc.query, nil)
			require.Len(t, r.Errors, 1, r.messages())
			assert.Equal(t, []string{sc.code}, r.codes())
			if sc.field != "" {
				var fields []string
				for _, f := range r.Errors[0].Extensions["fields"].([]any) {
					fields = append(fields, f.(map[string]any)["field"].(string))
				}
				assert.Contains(t, fields, sc.field, r.messages())
			}
		})
	}
	assert.Equal(t, true, mustRun(t, srv, wang, `mutation($id: ID!) { removeNote(id: $id) }`, map[string]any{"id": note["id"]})["removeNote"])
	assert.Equal(t, true, mustRun(t, srv, wang, `mutation($id: ID!) { removeTask(id: $id) }`, map[string]any{"id": task["id"]})["removeTask"])
	page = mustRun(t, srv, wang, `query($d: ID!) { recordNotes(object: "deal", id: $d) { notes { id } } }`, map[string]any{"d": deal})["recordNotes"].(map[string]any)
	assert.Empty(t, page["notes"])
}
