package templates_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/templates"
)

func TestTemplates_EveryDefinitionParses(t *testing.T) {
	t.Parallel()
	ms, err := templates.List()
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	for _, m := range ms {
		tpl, err := templates.Get(m.Name)
		require.NoError(t, err)
		assert.NotEmpty(t, m.Label.Zh, "template %s needs a Chinese label", m.Name)
		assert.NotEmpty(t, m.Label.En, "template %s needs an English label", m.Name)
		require.Len(t, tpl.Definitions, len(m.Objects))
		for i, def := range tpl.Definitions {
			obj, err := schema.ParseObject(def)
			require.NoError(t, err, "%s/%s", m.Name, m.Objects[i])
			assert.Equal(t, m.Objects[i], obj.Name, "file name and $id of %s/%s", m.Name, m.Objects[i])
			_, err = schema.NewValidator(obj)
			require.NoError(t, err)
		}
	}
}

func TestTemplates_UnknownName(t *testing.T) {
	t.Parallel()
	_, err := templates.Get("nope")
	require.Error(t, err)
}
