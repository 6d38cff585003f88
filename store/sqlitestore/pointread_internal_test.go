package sqlitestore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// TestGet_DoneContextRefused: a get by id runs without its context's
// cancellation (pointRow), but a context already done is still refused.
func TestGet_DoneContextRefused(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	ts := acmeTenant(t)
	obj := planDeal()
	now := time.Now()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, SavedAt: now}, obj); err != nil {
			return err
		}
		return tx.Insert(ctx, obj, store.Record{ID: "d1", Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "u", UpdatedBy: "u", Data: map[string]any{"name": "one"}})
	}))
	rec, err := ts.Get(ctx, obj, "d1")
	require.NoError(t, err)
	assert.Equal(t, "one", rec.Data["name"])

	done, cancel := context.WithCancel(ctx)
	cancel()
	_, err = ts.Get(done, obj, "d1")
	require.ErrorIs(t, err, context.Canceled)
	expired, cancel := context.WithDeadline(ctx, now.Add(-time.Second))
	defer cancel()
	_, err = ts.Get(expired, obj, "d1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
