package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store/sqlitestore"
)

// within runs fn and fails the test if it does not return within a
// minute: a guard against a hang, not a measure of speed.
func within(t *testing.T, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatalf("%s never returned", what)
		return nil
	}
}

// A tenant with sensitive fields is first used by a server (not checked
// yet) through the transfer paths, which open the tenant's store directly
// and write inside a transaction on it: export, import under another id,
// rename; each first use checks the tenant (and may write its key check)
// outside that transaction, and none waits for its own transaction.
func TestSensitive_FirstUseThroughTransfer(t *testing.T) {
	t.Parallel()
	st := sqlitestore.NewForTest(t)
	maker, ctx := keyed(t, st, 7)
	_, err := maker.CreateTenant(context.Background(), "clinic", "")
	require.NoError(t, err)
	_, err = maker.SaveObject(ctx, []byte(patientDef), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = maker.CreateRecord(ctx, "patient", map[string]any{"name": "a", "notes": "机密"})
	require.NoError(t, err)
	require.NoError(t, maker.Close())

	var file bytes.Buffer
	fresh, _ := keyed(t, st, 7) // a new server: it checked no tenant yet
	require.NoError(t, within(t, "export", func() error {
		_, err := fresh.ExportTenant(context.Background(), "clinic", &file)
		return err
	}))
	require.NoError(t, fresh.Close())

	fresh, _ = keyed(t, st, 7)
	require.NoError(t, within(t, "import under another id", func() error {
		_, err := fresh.ImportTenant(context.Background(), "clinic2", bytes.NewReader(file.Bytes()))
		return err
	}))
	require.NoError(t, within(t, "first request after the import", func() error {
		return readsNotes(fresh, "clinic2")
	}))
	require.NoError(t, fresh.Close())

	fresh, _ = keyed(t, st, 7)
	require.NoError(t, within(t, "rename", func() error {
		_, err := fresh.RenameTenant(context.Background(), "clinic", "clinic3")
		return err
	}))
	require.NoError(t, within(t, "first request after the rename", func() error {
		return readsNotes(fresh, "clinic3")
	}))
	require.NoError(t, fresh.Close())
}

// readsNotes is the first request of a tenant: it lists its patients and
// finds the one sensitive value.
func readsNotes(eng *engine.Engine, tenant string) error {
	page, err := eng.ListRecords(engine.WithRequest(engine.WithActor(context.Background(),
		engine.Actor{TenantID: tenant, ID: "user:doc", Admin: true})), "patient", engine.ListQuery{})
	if err != nil {
		return err
	}
	if len(page.Records) != 1 || page.Records[0].Data["notes"] != "机密" {
		return fmt.Errorf("tenant %s: want the one patient with its notes, got %v", tenant, page.Records)
	}
	return nil
}
