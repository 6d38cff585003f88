package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

// TestPlatformDefinitions checks that every platform object's definition
// is one the engine accepts, under a reserved name.
func TestPlatformDefinitions(t *testing.T) {
	t.Parallel()
	require.NotEmpty(t, platformDefinitions)
	for name, def := range platformDefinitions {
		obj, err := schema.ParseObject([]byte(def))
		require.NoError(t, err, name)
		assert.Equal(t, name, obj.Name)
		assert.True(t, isPlatformName(name), name)
		_, err = schema.NewValidator(obj)
		require.NoError(t, err, name)
	}
	assert.False(t, isPlatformName("crm"))
	assert.False(t, isPlatformName("crmlead"))
	assert.False(t, isPlatformName("deal"))
}
