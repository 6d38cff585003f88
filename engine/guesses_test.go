package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
)

// uniqueMessage returns the message of the field error on field.
func uniqueMessage(t *testing.T, err error, field string) (code, msg string) {
	t.Helper()
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	for _, fe := range ve.Fields {
		if fe.Field == field {
			return fe.Code, fe.Message
		}
	}
	t.Fatalf("no error on %s: %v", field, err)
	return "", ""
}

// A unique field is no oracle for what a role may not see: a clash on a
// masked value or on a private object does not say that another record
// holds the value, and new values of such a field are rate-limited per
// principal; administrators and values the role sees keep the plain
// answer (issue 13, item 7: a role that saw 150****9778 recovered the
// number in 2,219 updates).
func TestUnique_NoOracle(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.AsActor("user:admin"), testkit.WithClock(clk),
		testkit.WithConfig(func(c *engine.Config) { c.UniqueGuesses = 5 }),
		testkit.WithObjects(
			`{"$id": "contact", "type": "object", "properties": {
		   "name":   {"type": "string", "x-crm-type": "text"},
		   "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-unique": true},
		   "code":   {"type": "string", "x-crm-type": "text", "x-crm-unique": true}}}`,
			`{"$id": "lead", "type": "object", "x-crm-sharing": "private", "properties": {
		   "name":   {"type": "string", "x-crm-type": "text"},
		   "mobile": {"type": "string", "x-crm-type": "phone", "x-crm-unique": true}}}`))
	eng, ctx := tn.Engine, tn.Admin
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"contact": {Read: true, Create: true, Update: true, Fields: map[string]string{"mobile": engine.FieldMasked}},
		"lead":    {Read: true, Create: true, Update: true}}}))
	_, err := eng.CreateUser(ctx, "acme", engine.NewUser{Username: "rep", Role: "sales", Password: "a long enough password"})
	require.NoError(t, err)
	rep := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:rep", Role: "sales"})

	_, err = eng.CreateRecord(ctx, "contact", map[string]any{"name": "target", "mobile": "15012349778", "code": "T-1"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "lead", map[string]any{"name": "someone else's", "mobile": "13911112222"})
	require.NoError(t, err)

	t.Run("a masked value", func(t *testing.T) {
		mine, err := eng.CreateRecord(rep, "contact", map[string]any{"name": "mine", "mobile": "13800000000", "code": "M-1"})
		require.NoError(t, err)
		guesses := 1 // the create gave mobile a value
		var clash error
		for i := 9776; ; i++ {
			_, err := eng.UpdateRecord(rep, "contact", mine.ID, map[string]any{"mobile": fmt.Sprintf("1501234%04d", i)}, nil)
			if engine.CodeOf(err) == engine.CodeRateLimited {
				break
			}
			guesses++
			if err != nil {
				clash = err
			}
			require.Less(t, guesses, 100, "the guessing is never stopped")
		}
		assert.Equal(t, 5, guesses, "five new values an hour")
		require.Error(t, clash, "the true number was among the guesses")
		code, msg := uniqueMessage(t, clash, "mobile")
		assert.Equal(t, "unique", code)
		assert.Equal(t, "this value cannot be used", msg, "the clash does not say another record holds it")
		assert.Contains(t, engine.PublicMessage(func() error {
			_, err := eng.UpdateRecord(rep, "contact", mine.ID, map[string]any{"mobile": "15000000000"}, nil)
			return err
		}(), "en"), "try again in")

		// A field the role sees whole keeps the plain answer and no limit.
		for i := range 10 {
			_, err := eng.UpdateRecord(rep, "contact", mine.ID, map[string]any{"code": fmt.Sprintf("M-%d", i+2)}, nil)
			require.NoError(t, err)
		}
		_, err = eng.UpdateRecord(rep, "contact", mine.ID, map[string]any{"code": "T-1"}, nil)
		_, msg = uniqueMessage(t, err, "code")
		assert.Equal(t, "this value is already used by another record", msg)

		clk.Advance(time.Hour)
		_, err = eng.UpdateRecord(rep, "contact", mine.ID, map[string]any{"mobile": "15000000001"}, nil)
		assert.NoError(t, err, "guesses come back over the hour")
	})

	t.Run("a record out of sight", func(t *testing.T) {
		_, err := eng.CreateRecord(rep, "lead", map[string]any{"name": "probe", "mobile": "13911112222"})
		code, msg := uniqueMessage(t, err, "mobile")
		assert.Equal(t, "unique", code)
		assert.Equal(t, "this value cannot be used", msg)
		created := 0
		for i := range 20 {
			_, err := eng.CreateRecord(rep, "lead", map[string]any{"name": "probe", "mobile": fmt.Sprintf("1390000%04d", i)})
			if engine.CodeOf(err) == engine.CodeRateLimited {
				break
			}
			require.NoError(t, err)
			created++
		}
		assert.Equal(t, 4, created, "the clash counted as one of five guesses")
	})

	t.Run("administrators are not limited", func(t *testing.T) {
		for i := range 20 {
			_, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "admin", "mobile": fmt.Sprintf("1370000%04d", i)})
			require.NoError(t, err)
		}
		_, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "dup", "mobile": "13911112222"})
		_, msg := uniqueMessage(t, err, "mobile")
		assert.Equal(t, "this value is already used by another record", msg)
	})
}
