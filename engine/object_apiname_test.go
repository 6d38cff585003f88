package engine_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
)

// namedObject is a small object definition of that name.
func namedObject(name string) string {
	return `{"$id": "` + name + `", "type": "object", "x-crm-label": {"zh": "测试", "en": "Test"},
  "properties": {"title": {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "标题", "en": "Title"}}}}`
}

// An object whose names in the generated API would be the API's own
// (report → Query.report, reports, type Report …) or another object's
// is refused at save, naming the object and the name in both languages,
// and nothing is saved.
func TestSaveObject_APINamesMustBeFree(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		object string
		// says are words both messages hold; with the object that has the
		// name already, or "" for the platform.
		says []string
		with string
	}{
		{"the fixed report queries", "report", []string{`"report"`, "type Report"}, ""},
		{"the fixed dashboard queries", "dashboard", []string{`"dashboard"`, "type Dashboard"}, ""},
		{"a fixed query field and type", "campaignEffect", []string{`"campaignEffect"`, "type CampaignEffect"}, ""},
		{"the users query and the user mutations", "user", []string{`"user"`, "type User"}, ""},
		{"a fixed type", "pageInfo", []string{`"pageInfo"`, "type PageInfo"}, ""},
		{"a scalar", "date", []string{`"date"`, "type Date"}, ""},
		{"the root type", "query", []string{`"query"`, "type Query"}, ""},
		{"another object's enum", "ticketStatus", []string{`"ticketStatus"`, "type TicketStatus", `"ticket"`}, "ticket"},
		{"another object's board", "ticketsByStatus", []string{`"ticketsByStatus"`, "Query.ticketsByStatus", `"ticket"`}, "ticket"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			eng, ctx, _ := newEngine(t)
			_, err := eng.SaveObject(ctx, json.RawMessage(ticketV1), engine.SaveOptions{})
			require.NoError(t, err)

			_, err = eng.SaveObject(ctx, json.RawMessage(namedObject(s.object)), engine.SaveOptions{})
			require.Error(t, err)
			assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "%v", err)
			var de *schema.DefinitionError
			require.ErrorAs(t, err, &de)
			require.NotEmpty(t, de.Problems)
			assert.Equal(t, "/$id", de.Problems[0].Path)
			en, zh := engine.PublicMessage(err, "en"), engine.PublicMessage(err, "zh")
			for _, w := range s.says {
				assert.Contains(t, en, w)
				assert.Contains(t, zh, w)
			}
			if s.with == "" {
				assert.Contains(t, en, "the platform's own")
				assert.Contains(t, zh, "平台自有")
			} else {
				assert.Contains(t, en, "which object")
				assert.Contains(t, zh, "已在使用")
			}
			cat, err := eng.Catalog(ctx)
			require.NoError(t, err)
			assert.Nil(t, cat.Object(s.object), "nothing saved")
		})
	}

	t.Run("a free name saves, and so does the same object again", func(t *testing.T) {
		t.Parallel()
		eng, ctx, _ := newEngine(t)
		for range 2 {
			_, err := eng.SaveObject(ctx, json.RawMessage(ticketV1), engine.SaveOptions{})
			require.NoError(t, err)
		}
		_, err := eng.SaveObject(ctx, json.RawMessage(namedObject("reportCard")), engine.SaveOptions{})
		require.NoError(t, err)
	})
}

// A template with such an object fails its check (the dry run too) and
// installs nothing.
func TestInstallTemplate_APINamesMustBeFree(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	bad := tpl("1.0.0", ticketV1, namedObject("dashboard"))
	for _, dry := range []bool{true, false} {
		_, err := eng.InstallTemplate(ctx, bad, template.InstallOptions{DryRun: dry})
		require.Error(t, err, "dry run %v", dry)
		assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "%v", err)
		assert.Contains(t, engine.PublicMessage(err, "en"), `object "dashboard" cannot be saved`)
		assert.Contains(t, engine.PublicMessage(err, "zh"), `对象 "dashboard" 无法保存`)
	}
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Empty(t, cat.Objects, "nothing installed, not even the ticket")

	clash := tpl("1.0.0", ticketV1, namedObject("tickets"))
	_, err = eng.InstallTemplate(ctx, clash, template.InstallOptions{DryRun: true})
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err), "two objects of the template: %v", err)
	assert.Contains(t, engine.PublicMessage(err, "en"), "the API would give it the name Query.tickets")
}
