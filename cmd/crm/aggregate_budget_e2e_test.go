package main

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServe_AggregateRowsPerMinuteFlag(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir(), "--aggregate-rows-per-minute", "5")
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(`{"$id": "deal", "type": "object", "properties": {
		"stage": {"type": "string", "enum": ["new", "won"], "x-crm-type": "picklist"}}}`)})
	for _, stage := range []string{"new", "new", "won"} {
		s.ok(t, `mutation($in: DealInput!) { createDeal(input: $in) { id } }`, map[string]any{"in": map[string]any{"stage": stage}})
	}
	limits := s.ok(t, `{ limits { name value } }`, nil)
	values := map[string]any{}
	for _, l := range path(limits, "limits").([]any) {
		values[l.(map[string]any)["name"].(string)] = l.(map[string]any)["value"]
	}
	assert.Equal(t, 5.0, values["aggregate.rowsPerMinute"], "the flag's value is the engine's")

	count := `{ dealsAggregate(groupBy: [{field: stage}]) { groups { keys { value } count } } }`
	first := s.ok(t, count, nil)
	assert.Len(t, path(first, "dealsAggregate", "groups"), 2, "the first aggregation reads 3 of the 5 records a minute")
	again := s.ok(t, `{ dealsAggregate(groupBy: [{field: stage}]) { groups { keys { value } count } cached scanned } }`, nil)
	assert.Equal(t, []any{true, 0.0}, []any{path(again, "dealsAggregate", "cached"), path(again, "dealsAggregate", "scanned")}, "asked again with no deal changed: the kept answer, which reads nothing")
	r := s.gql(t, s.Key, `{ dealsAggregate(groupBy: [{field: stage}], filter: {stage: {in: [new, won]}}) { groups { count } } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "RATE_LIMITED", r.Errors[0].Extensions["code"], "another aggregation would read 3 more of the 2 left")

	scenarios := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"zero would stop every aggregation", []string{"--aggregate-rows-per-minute", "0"}, nil, "--aggregate-rows-per-minute must be at least 1"},
		{"a variable that is no number", nil, map[string]string{"CRM_AGGREGATE_ROWS_PER_MINUTE": "lots"}, `CRM_AGGREGATE_ROWS_PER_MINUTE must be a whole number, got "lots"`},
		{"a negative cache", []string{"--aggregate-cache-mb", "-1"}, nil, "--aggregate-cache-mb must be between 0 (keep no answers) and 1048576, got -1"},
		{"a cache variable that is no number", nil, map[string]string{"CRM_AGGREGATE_CACHE_MB": "32MB"}, `CRM_AGGREGATE_CACHE_MB must be a whole number, got "32MB"`},
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
}

// TestServe_AggregateCacheFlag: with no memory for kept answers, the same
// aggregation asked twice is computed twice.
func TestServe_AggregateCacheFlag(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir(), "--aggregate-cache-mb", "0")
	s.ok(t, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(`{"$id": "deal", "type": "object", "properties": {
		"stage": {"type": "string", "enum": ["new", "won"], "x-crm-type": "picklist"}}}`)})
	s.ok(t, `mutation($in: DealInput!) { createDeal(input: $in) { id } }`, map[string]any{"in": map[string]any{"stage": "new"}})
	for range 2 {
		data := s.ok(t, `{ dealsAggregate(groupBy: [{field: stage}]) { groups { count } cached scanned } }`, nil)
		assert.Equal(t, []any{false, 1.0}, []any{path(data, "dealsAggregate", "cached"), path(data, "dealsAggregate", "scanned")})
	}
}
