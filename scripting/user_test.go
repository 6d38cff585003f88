package scripting_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/scripting"
)

// TestRunner_User: every kind of script sees who is acting in ctx.user, and
// null when the caller names nobody.
func TestRunner_User(t *testing.T) {
	t.Parallel()
	r := newRunner(t, scripting.Config{})
	u := &scripting.User{ID: "user:li", Name: "李雷", Role: "sales", Team: "east", Manager: "user:wang"}
	for _, kind := range []scripting.Kind{scripting.KindValidate, scripting.KindBeforeSave, scripting.KindAfterSave, scripting.KindStageChange, scripting.KindScheduled} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			call := scripting.Call{Script: script(t, kind, `log(JSON.stringify(ctx.user))`), Object: "deal", User: u, Host: newFakeHost()}
			if kind != scripting.KindScheduled {
				call.Record = map[string]any{"id": "d1"}
			}
			if kind == scripting.KindStageChange {
				call.Stage = &scripting.StageChange{From: "a", To: "b"}
			}
			res, err := r.Run(context.Background(), call)
			require.NoError(t, err)
			require.Len(t, res.Logs, 1)
			assert.JSONEq(t, `{"id":"user:li","name":"李雷","role":"sales","team":"east","manager":"user:wang","isAdmin":false}`, res.Logs[0].Message)
		})
	}
	res, err := r.Run(context.Background(), scripting.Call{Script: script(t, scripting.KindValidate, `log(ctx.user === null)`), Object: "deal", Record: map[string]any{}})
	require.NoError(t, err)
	assert.Equal(t, "true", res.Logs[0].Message)
	// A script changing ctx.user changes nothing outside its run.
	res, err = r.Run(context.Background(), scripting.Call{Script: script(t, scripting.KindValidate, `ctx.user.role = "admin"; log(ctx.user.role)`), Object: "deal", Record: map[string]any{}, User: u})
	require.NoError(t, err)
	assert.Equal(t, "admin", res.Logs[0].Message)
	assert.Equal(t, "sales", u.Role)
}
