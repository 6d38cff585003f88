package graphql_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/worker"
)

func TestRecomputeCustomerValue_ThroughGraphQL(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t)
	for _, def := range []string{
		`{"$id": "customer", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"},
		  "ltv": {"type": "number", "x-crm-type": "currency"},
		  "stage": {"type": "string", "x-crm-type": "picklist", "enum": ["prospect", "acquisition", "growth", "maturity", "churn"]}},
		 "x-crm-customerValue": {"orders": {"object": "sale", "customer": "customer", "amount": "amount", "date": "soldOn"},
		  "fields": {"lifetimeValue": "ltv", "lifecycle": "stage"}}}`,
		`{"$id": "sale", "type": "object", "properties": {"amount": {"type": "number", "x-crm-type": "currency"},
		  "soldOn": {"type": "string", "format": "date", "x-crm-type": "date"},
		  "customer": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "customer"}}}`,
	} {
		mustRun(t, srv, admin, `mutation($d: JSON!) { saveObject(definition: $d) { name } }`, map[string]any{"d": json.RawMessage(def)})
	}
	c := mustRun(t, srv, admin, `mutation { createCustomer(input: {name: "王"}) { id } }`, nil)
	id := path(c, "createCustomer", "id")
	today := time.Now().Format(time.DateOnly)
	mustRun(t, srv, admin, `mutation($c: ID, $d: Date) { createSale(input: {amount: 88.5, customer: $c, soldOn: $d}) { id } }`, map[string]any{"c": id, "d": today})

	r := run(t, srv, user, `mutation { recomputeCustomerValue(object: "customer") { id } }`, nil)
	assert.Equal(t, []string{"FORBIDDEN"}, r.codes(), "administrators only")
	r = run(t, srv, admin, `mutation { recomputeCustomerValue(object: "sale") { id } }`, nil)
	assert.Equal(t, []string{"BAD_REQUEST"}, r.codes(), "sale has no customer value")

	data := mustRun(t, srv, admin, `mutation { recomputeCustomerValue(object: "customer") { id kind object status } }`, nil)
	assert.Equal(t, "customerValue", path(data, "recomputeCustomerValue", "kind"))
	assert.Equal(t, "customer", path(data, "recomputeCustomerValue", "object"))
	assert.Equal(t, "pending", path(data, "recomputeCustomerValue", "status"))
	for range 10 {
		_, err := worker.RunDue(tn.Background, tn.Engine.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	data = mustRun(t, srv, admin, `{ jobs { kind status total done changed } }`, nil)
	assert.Equal(t, map[string]any{"kind": "customerValue", "status": "done", "total": 1.0, "done": 1.0, "changed": 1.0}, path(data, "jobs", 0))
	data = mustRun(t, srv, admin, `query($id: ID!) { customer(id: $id) { ltv stage } }`, map[string]any{"id": id})
	assert.Equal(t, map[string]any{"ltv": 88.5, "stage": "acquisition"}, path(data, "customer"))
}
