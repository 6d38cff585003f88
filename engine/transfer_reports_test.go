package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

// Saved reports and dashboards in an imported file are checked as
// SaveReport and SaveDashboard check them, and keep their owners through
// the copy.
func TestTransfer_ImportChecksReportsAndDashboards(t *testing.T) {
	t.Parallel()
	src, ctx, _ := newPipelineEngine(t)
	withStarter(t, src, ctx)
	require.NoError(t, src.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"deal": {Read: true, Create: true}}}))
	_, err := src.CreateUser(ctx, "acme", engine.NewUser{Username: "rep", Role: "sales", Password: "a long enough password"})
	require.NoError(t, err)
	rep := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:rep", Role: "sales"})
	_, err = src.SaveReport(ctx, pipelineReport(), false)
	require.NoError(t, err)
	mine := pipelineReport()
	mine.Name, mine.Filter = "mine", &store.Filter{Field: "amount", Op: store.OpGte, Value: 10.0}
	_, err = src.SaveReport(rep, mine, true)
	require.NoError(t, err)
	_, err = src.SaveDashboard(ctx, engine.Dashboard{Name: "overview", Cards: []engine.DashboardCard{{Report: "pipelineByStage", Width: 24}}}, false)
	require.NoError(t, err)
	_, file := exportLines(t, src, "acme")
	lines := strings.Split(strings.TrimSpace(string(file)), "\n")

	edit := exportEditor(t, lines)
	recordID := func(id string) func(l map[string]any) bool {
		return func(l map[string]any) bool { return l["type"] == "record" && l["id"] == id }
	}
	definition := func(l map[string]any) map[string]any {
		return l["data"].(map[string]any)["definition"].(map[string]any)
	}
	scenarios := []struct {
		name, file, message string
	}{
		{"a report of an object the file does not define",
			edit(recordID("pipelineByStage"), func(l map[string]any) { definition(l)["object"] = "invoice" }),
			`report "pipelineByStage" is a report of "invoice", an object the file does not define`},
		{"a report named otherwise than its id",
			edit(recordID("pipelineByStage"), func(l map[string]any) { definition(l)["name"] = "other" }),
			`report "pipelineByStage" is named "other" inside`},
		{"a group field that is no field",
			edit(recordID("pipelineByStage"), func(l map[string]any) { definition(l)["groupBy"] = []any{map[string]any{"field": "ghost"}} }),
			"/groupBy/0: ghost"},
		{"a chart type that is none",
			edit(recordID("pipelineByStage"), func(l map[string]any) { definition(l)["chart"] = map[string]any{"type": "radar"} }),
			`unknown chart type "radar"`},
		{"a member reports do not have",
			edit(recordID("pipelineByStage"), func(l map[string]any) { definition(l)["script"] = "x" }),
			`unknown field "script"`},
		{"a personal report made shared",
			edit(recordID("mine@user:rep"), func(l map[string]any) { l["ownerId"] = "" }),
			`report "mine@user:rep": its owner is "", its definition says "user:rep"`},
		{"a dashboard card too wide",
			edit(recordID("overview"), func(l map[string]any) {
				definition(l)["cards"] = []any{map[string]any{"report": "pipelineByStage", "width": 30}}
			}),
			"/cards/0/width"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			dst, _, err := importCopy(t, []byte(s.file))
			require.Error(t, err)
			assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), err.Error())
			assert.Contains(t, err.Error(), s.message)
			assert.Regexp(t, `line \d+: `, err.Error())
			assert.Empty(t, tenantIDs(t, dst), "nothing is left behind")
		})
	}

	t.Run("the file as exported", func(t *testing.T) {
		t.Parallel()
		dst, _, err := importCopy(t, file)
		require.NoError(t, err)
		list, err := dst.Reports(engine.WithActor(context.Background(), engine.Actor{TenantID: "copy", ID: "user:rep", Role: "sales"}), "")
		require.NoError(t, err)
		var names []string
		for _, r := range list {
			names = append(names, r.Name+"@"+r.Owner)
		}
		assert.Equal(t, []string{"pipelineByStage@", "mine@user:rep"}, names, "the shared report and rep's own")
		d, err := dst.Dashboard(engine.WithActor(context.Background(), engine.Actor{TenantID: "copy", ID: "user:x", Admin: true}), "overview")
		require.NoError(t, err)
		assert.Len(t, d.Cards, 1)
	})
}
