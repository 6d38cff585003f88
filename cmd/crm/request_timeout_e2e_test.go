package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_RequestTimeoutFlag: the request deadline is the operator's to
// set, within bounds that keep it meaningful; every other end-to-end test
// runs with it at five minutes (serveArgs).
func TestServe_RequestTimeoutFlag(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"shorter than a second", []string{"--request-timeout", "500ms"}, nil, "--request-timeout must be between 1s and 1h, got 500ms"},
		{"longer than an hour", []string{"--request-timeout", "2h"}, nil, "--request-timeout must be between 1s and 1h, got 2h0m0s"},
		{"a variable that is no duration", nil, map[string]string{"CRM_REQUEST_TIMEOUT": "30"}, `CRM_REQUEST_TIMEOUT: "30" is not a duration such as 30s or 2m`},
		{"a flag that is no duration", []string{"--request-timeout", "soon"}, nil, `invalid value "soon" for flag -request-timeout`},
		{"no open tenant", []string{"--open-tenants", "0"}, nil, "--open-tenants must be between 1 and 100000, got 0"},
		{"open tenants that are no number", nil, map[string]string{"CRM_OPEN_TENANTS": "many"}, "CRM_OPEN_TENANTS"},
		{"negative tenant states", []string{"--tenant-states", "-1"}, nil, "--tenant-states must be between 1 and 1000000 (0: four times --open-tenants), got -1"},
		{"tenant states that are no number", nil, map[string]string{"CRM_TENANT_STATES": "all"}, "CRM_TENANT_STATES must be a whole number"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return sc.env[k] }}
			err := m.Run(t.Context(), append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, sc.args...))
			require.Error(t, err)
			assert.Contains(t, err.Error(), sc.want)
		})
	}
	s := startServer(t, t.TempDir(), "--request-timeout", "2m", "--tenant-states", "1")
	assert.NotEmpty(t, s.ok(t, `{ __typename }`, nil), "a server with its own deadline answers")
}
