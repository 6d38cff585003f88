package ferrettest_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// TestB2BSalesPool_OnMongo: the b2b-sales sample data on MongoDB, through
// FerretDB, puts leads in the lead pool and counts the morning's claims
// of its rep (8 of 10) in the batches' transactions; the rep then claims
// two more and is refused the third.
func TestB2BSalesPool_OnMongo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, err := engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: slog.New(slog.DiscardHandler),
		EncryptionKey: []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	_, err = eng.CreateTenant(ctx, "acme", "Acme")
	require.NoError(t, err)
	admin := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:admin", Admin: true})
	_, err = eng.CreateUser(admin, "acme", engine.NewUser{Username: "admin", DisplayName: "管理员", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("b2b-sales")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(admin, tpl, template.InstallOptions{Sample: install.Sample("b2b-sales", sample.Options{Records: 120, Seed: 5})})
	require.NoError(t, err)

	info, err := eng.Pool(admin, "lead")
	require.NoError(t, err)
	assert.Equal(t, 8, info.ClaimedToday, "the only user is the sample's rep")
	assert.Equal(t, 2, info.ClaimsLeft)
	pooled, err := eng.ListRecords(admin, "lead", engine.ListQuery{Filter: &store.Filter{Field: "ownerId", Op: store.OpEq, Value: engine.PoolOwner}, First: 3})
	require.NoError(t, err)
	require.Len(t, pooled.Records, 3)
	res, err := eng.ClaimRecords(admin, "lead", []string{pooled.Records[0].ID, pooled.Records[1].ID, pooled.Records[2].ID})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	require.NoError(t, res[1].Err)
	require.Error(t, res[2].Err, "the eleventh claim of the day")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(res[2].Err))
}
