package graphql_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// One request shares one scope, and its later root fields see the
// metadata its earlier ones changed.
func TestServer_RequestSeesItsOwnChanges(t *testing.T) {
	t.Parallel()
	s := newHTTPStack(t, "b2b-sales")
	cat, err := s.eng.Catalog(s.ctx)
	require.NoError(t, err)
	var def map[string]any
	require.NoError(t, json.Unmarshal(cat.Object("opportunity").Definition, &def))
	def["properties"].(map[string]any)["region"] = map[string]any{"type": "string", "x-crm-type": "text"}
	def["required"] = append(def["required"].([]any), "region")
	d, err := json.Marshal(def)
	require.NoError(t, err)
	vars, err := json.Marshal(map[string]any{"d": json.RawMessage(d)})
	require.NoError(t, err)

	reply := s.post(t, s.admin, `mutation($d: JSON!) { saveObject(definition: $d) { version } createOpportunity(input: {name: "x"}) { id } }`, string(vars), "")
	require.Equal(t, 200, reply.status, string(reply.body))
	body := reply.json(t)
	assert.NotNil(t, body["data"].(map[string]any)["saveObject"])
	assert.Contains(t, string(reply.body), "region", "createOpportunity ran against the definition saved before it")
}
