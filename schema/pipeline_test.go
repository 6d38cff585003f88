package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

// withPipeline returns the deal definition whose stage field carries a
// sales pipeline.
func withPipeline(t testing.TB) doc {
	d := dealDoc(t)
	prop(d, "stage")["x-crm-pipeline"] = doc{
		"label": doc{"zh": "销售流程", "en": "Sales"},
		"stages": []any{
			doc{"value": "new", "category": "open", "probability": 10, "next": []any{"qualified", "lost"}},
			doc{"value": "qualified", "category": "open", "probability": 40, "required": []any{"amount", "closeDate"}},
			doc{"value": "won", "category": "won", "probability": 100, "required": []any{"amount", "account"}, "next": []any{}},
			doc{"value": "lost", "category": "lost", "probability": 0},
		},
	}
	return d
}

func TestParseObject_Pipeline(t *testing.T) {
	t.Parallel()
	obj, err := schema.ParseObject(encode(t, withPipeline(t)))
	require.NoError(t, err)
	p := obj.Field("stage").Pipeline
	require.NotNil(t, p)
	assert.Equal(t, "销售流程", p.Label.Zh)
	require.Len(t, p.Stages, 4)
	assert.Equal(t, schema.StageWon, p.Stage("won").Category)
	assert.InDelta(t, 40, *p.Stage("qualified").Probability, 0)
	assert.Equal(t, []string{"amount", "closeDate"}, p.Stage("qualified").Required)
	assert.Nil(t, p.Stage("nope"))
	assert.Nil(t, obj.Field("title").Pipeline)
	assert.Empty(t, p.Amount+p.CloseDate, "the analytics choose")

	d := withPipeline(t)
	prop(d, "stage")["x-crm-pipeline"].(doc)["amount"] = "amount"
	prop(d, "stage")["x-crm-pipeline"].(doc)["closeDate"] = "closeDate"
	named, err := schema.ParseObject(encode(t, d))
	require.NoError(t, err)
	assert.Equal(t, [2]string{"amount", "closeDate"}, [2]string{named.Field("stage").Pipeline.Amount, named.Field("stage").Pipeline.CloseDate})

	assert.True(t, p.Allows("new", "qualified"))
	assert.False(t, p.Allows("new", "won"), "new lists its next stages")
	assert.True(t, p.Allows("qualified", "won"), "no next: any stage")
	assert.False(t, p.Allows("won", "lost"), "next: [] makes a final stage")
	assert.True(t, p.Allows("won", "won"), "staying is always allowed")
	assert.True(t, p.Allows("", "won"), "a record without a stage may enter any")
	assert.True(t, p.Allows("gone", "new"), "a stage no longer in the pipeline may be left")
}

func TestParseObject_PipelineRefused(t *testing.T) {
	t.Parallel()
	stages := func(d doc) []any { return prop(d, "stage")["x-crm-pipeline"].(doc)["stages"].([]any) }
	stage := func(d doc, i int) doc { return stages(d)[i].(doc) }
	scenarios := []struct {
		name   string
		change func(d doc)
		path   string
		msg    string
	}{
		{"on a text field", func(d doc) { prop(d, "title")["x-crm-pipeline"] = prop(d, "stage")["x-crm-pipeline"] },
			"/properties/title/x-crm-pipeline", "does not apply to a text field"},
		{"no stages", func(d doc) { delete(prop(d, "stage")["x-crm-pipeline"].(doc), "stages") },
			"/properties/stage/x-crm-pipeline/stages", "is required"},
		{"unknown key", func(d doc) { prop(d, "stage")["x-crm-pipeline"].(doc)["colour"] = "red" },
			"/properties/stage/x-crm-pipeline/colour", ""},
		{"bad category", func(d doc) { stage(d, 0)["category"] = "pending" },
			"/properties/stage/x-crm-pipeline/stages/0/category", `must be "open", "won", "lost" or "closed"`},
		{"probability over 100", func(d doc) { stage(d, 0)["probability"] = 120 },
			"/properties/stage/x-crm-pipeline/stages/0/probability", "100"},
		{"stage not an option", func(d doc) { stage(d, 3)["value"] = "dropped" },
			"/properties/stage/x-crm-pipeline/stages/3/value", `"dropped" is not one of the field's options`},
		{"option without a stage", func(d doc) {
			prop(d, "stage")["x-crm-pipeline"].(doc)["stages"] = stages(d)[:3]
		}, "/properties/stage/x-crm-pipeline/stages", `no stage for the option "lost"`},
		{"stage twice", func(d doc) { stage(d, 1)["value"] = "new" },
			"/properties/stage/x-crm-pipeline/stages/1/value", `"new" is a stage more than once`},
		{"no open stage", func(d doc) {
			for i := range stages(d) {
				stage(d, i)["category"] = "lost"
			}
		}, "/properties/stage/x-crm-pipeline/stages", "no open stage"},
		{"closed mixed with won", func(d doc) { stage(d, 3)["category"] = "closed" },
			"/properties/stage/x-crm-pipeline/stages", `mixes "closed" with "won"/"lost"`},
		{"required field missing", func(d doc) { stage(d, 1)["required"] = []any{"budget"} },
			"/properties/stage/x-crm-pipeline/stages/1/required/0", `"budget", which is not a property`},
		{"required itself", func(d doc) { stage(d, 1)["required"] = []any{"stage"} },
			"/properties/stage/x-crm-pipeline/stages/1/required/0", "the pipeline's own field"},
		{"next unknown", func(d doc) { stage(d, 0)["next"] = []any{"closedWon"} },
			"/properties/stage/x-crm-pipeline/stages/0/next/0", `"closedWon" is not a stage`},
		{"next itself", func(d doc) { stage(d, 0)["next"] = []any{"new"} },
			"/properties/stage/x-crm-pipeline/stages/0/next/0", "names the stage itself"},
		{"amount not a property", func(d doc) { prop(d, "stage")["x-crm-pipeline"].(doc)["amount"] = "revenue" },
			"/properties/stage/x-crm-pipeline/amount", `"revenue", which is not a property`},
		{"amount not a number", func(d doc) { prop(d, "stage")["x-crm-pipeline"].(doc)["amount"] = "title" },
			"/properties/stage/x-crm-pipeline/amount", "the amount is a currency, number or integer field"},
		{"close date not a date", func(d doc) { prop(d, "stage")["x-crm-pipeline"].(doc)["closeDate"] = "amount" },
			"/properties/stage/x-crm-pipeline/closeDate", "the close date is a date field"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := withPipeline(t)
			s.change(d)
			_, err := schema.ParseObject(encode(t, d))
			problems := problemsOf(t, err)
			var found bool
			for _, p := range problems {
				if p.Path == s.path {
					found = true
					assert.Contains(t, p.Message, s.msg)
				}
			}
			assert.True(t, found, "no problem at %s in %v", s.path, problems)
		})
	}
}
