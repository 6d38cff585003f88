package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/store"
)

func TestContextError(t *testing.T) {
	t.Parallel()
	driver := errors.New("interrupted")
	ended, cancel := context.WithCancel(t.Context())
	cancel()

	assert.NoError(t, store.ContextError(ended, nil))
	assert.Same(t, driver, store.ContextError(t.Context(), driver), "a live context leaves the error alone")
	err := store.ContextError(ended, driver)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, driver)
	already := store.ContextError(ended, context.Canceled)
	assert.Equal(t, context.Canceled, already, "an error that already says so is kept")
}
