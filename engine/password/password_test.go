package password_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/password"
)

func TestHasher_HashCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := password.New(password.Config{Slots: 1, Queue: 1, Wait: time.Minute})
	hash, err := h.Hash(ctx, "correct horse battery")
	require.NoError(t, err)
	assert.True(t, password.Valid(hash))
	ok, err := h.Check(ctx, hash, "correct horse battery")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = h.Check(ctx, hash, "wrong")
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = h.Check(ctx, "not a hash", "")
	require.NoError(t, err)
	assert.False(t, ok, "a malformed hash never matches")
	assert.False(t, password.Valid("argon2id$x$y"))
	assert.Zero(t, h.InUse())
}

func TestHasher_Busy(t *testing.T) {
	t.Parallel()
	h := password.New(password.Config{Slots: 1, Queue: 1, Wait: time.Millisecond})
	release, err := h.Acquire(context.Background())
	require.NoError(t, err)
	defer release()
	_, err = h.Hash(context.Background(), "x")
	require.ErrorIs(t, err, password.ErrBusy, "the wait for the one slot runs out")
}
