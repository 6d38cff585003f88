package graphql

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Response.marshal skips encoding/json for responses without errors; the
// bytes must be the ones encoding/json would write.
func TestResponse_MarshalAsEncodingJSON(t *testing.T) {
	t.Parallel()
	values := []any{
		nil, "plain", "<b>&amp;</b>", "line\nbreak\t\"quoted\" \\ \u2028\u2029", "bad \xff utf-8", "汉字",
		int64(-42), 0.1, 1e21, 123456789.125, true, false,
		json.RawMessage(`{ "a" : [1, 2,  3], "html": "<x>&", "sep": "\u2028" }`),
		json.RawMessage("{\"raw\": \"\u2028 <&>\"}"),
		json.RawMessage(` "spaced" `),
		[]any{"a", int64(1), json.RawMessage(`[ null ]`)},
		map[string]any{"id": "x", "<key>": json.RawMessage(`{"n": 1}`)},
		1e-7, -1e-7, 1e-6, 9.99e-7, 1e20, 1e21, -1e21, 1.5e300, 5e-324, math.Copysign(0, -1), 0.0, 1.0, -123.456, 1e100, 12345678901234567890.0,
		map[string]any{"z": 1, "a": "<"},
	}
	for _, v := range values {
		var buf bytes.Buffer
		buf.WriteByte('{')
		buf.Write(newCollected("deal", nil).keyJSON())
		writeJSON(&buf, v)
		buf.WriteByte('}')
		resp := &Response{Data: buf.Bytes()}
		want, err := json.Marshal(resp)
		require.NoError(t, err)
		got, err := resp.marshal()
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%#v", v)
	}
	withErrors := &Response{Data: json.RawMessage(`null`), Errors: []*QueryError{{Message: "m", Path: []any{"deal"}}}}
	want, err := json.Marshal(withErrors)
	require.NoError(t, err)
	got, err := withErrors.marshal()
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	noData := &Response{Errors: []*QueryError{{Message: "m"}}}
	got, err = noData.marshal()
	require.NoError(t, err)
	assert.JSONEq(t, `{"errors":[{"message":"m"}]}`, string(got))
}
