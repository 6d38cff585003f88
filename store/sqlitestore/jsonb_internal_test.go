package sqlitestore

import (
	"database/sql"
	"encoding/json"
	"math"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	jsonbDBOnce sync.Once
	jsonbDB     *sql.DB
	jsonbDBErr  error
)

// sqliteJSON is an in-memory SQLite database to hold appendJSONB to.
func sqliteJSON(t testing.TB) *sql.DB {
	t.Helper()
	jsonbDBOnce.Do(func() {
		jsonbDB, jsonbDBErr = sql.Open("sqlite", ":memory:")
		if jsonbDBErr == nil {
			jsonbDB.SetMaxOpenConns(1)
		}
	})
	require.NoError(t, jsonbDBErr)
	return jsonbDB
}

// checkJSONB holds appendJSONB's blob of v to what SQLite makes of
// appendJSON's text of v: the same bytes as jsonb(text), the same
// json(), json_valid(blob, 8), and the same value at every member.
func checkJSONB(t *testing.T, v any) {
	t.Helper()
	text, textErr := appendJSON(nil, v)
	blob, err := appendJSONB(nil, v)
	if textErr != nil {
		require.Error(t, err, "%#v", v)
		return
	}
	require.NoError(t, err, "%#v", v)
	db := sqliteJSON(t)
	var (
		fromText      []byte
		jsonOfBlob    string
		jsonOfText    string
		validBlob     bool
		jsonbOfBlob   []byte
		typeOfBlobArg string
	)
	require.NoError(t, db.QueryRow(`SELECT jsonb(?1), json(?2), json(jsonb(?1)), json_valid(?2, 8), jsonb(?2), typeof(?2)`, string(text), blob).
		Scan(&fromText, &jsonOfBlob, &jsonOfText, &validBlob, &jsonbOfBlob, &typeOfBlobArg))
	require.Equal(t, "blob", typeOfBlobArg)
	assert.Equal(t, fromText, blob, "%s", text)
	assert.Equal(t, jsonOfText, jsonOfBlob, "%s", text)
	assert.True(t, validBlob, "%s", text)
	assert.Equal(t, blob, jsonbOfBlob, "jsonb() keeps the blob: %s", text)
	if m, ok := v.(map[string]any); ok {
		for k := range m {
			if !utf8.ValidString(k) || strings.ContainsAny(k, "\"\\") || strings.ContainsFunc(k, func(r rune) bool { return r < 0x20 }) {
				continue // no JSON path names it plainly
			}
			path := `$."` + strings.ReplaceAll(k, `"`, `\"`) + `"`
			var fromBlob, fromTextVal any
			var typeBlob, typeText string
			require.NoError(t, db.QueryRow(`SELECT ?1 ->> ?3, jsonb(?2) ->> ?3, json_type(?1, ?3), json_type(jsonb(?2), ?3)`, blob, string(text), path).
				Scan(&fromBlob, &fromTextVal, &typeBlob, &typeText))
			assert.Equal(t, fromTextVal, fromBlob, "%s at %s", text, path)
			assert.Equal(t, typeText, typeBlob, "%s at %s", text, path)
		}
	}
}

var jsonbSeeds = []any{
	nil, true, false, "", "a", "商机", 0.0, math.Copysign(0, -1), 1.0, -1.0, 1.5, 1e21, 1e20, 1e-7, 123456789.25, math.MaxFloat64, math.SmallestNonzeroFloat64,
	-1e300, 5e-324, int(7), int64(-42), json.Number("12"), json.Number("-1.5e3"),
	map[string]any{}, []any{}, []string{}, []string(nil), []any(nil), map[string]any(nil),
	"<a href=\"x\">&amp;</a>", "tab\there\nnew", "\x00\x01\x1f", "\u2028\u2029", "bad \xff utf8 \xc3", `back\slash "quoted"`, "é",
	strings.Repeat("x", 11), strings.Repeat("x", 12), strings.Repeat("x", 255), strings.Repeat("x", 256), strings.Repeat("中", 30000),
	map[string]any{"title": "商机 000001", "stage": "won", "amount": 12345.67, "closeDate": "2026-03-04", "forecast": true, "probability": 40.0,
		"description": "客户关注交付周期和售后服务，需要安排技术交流。", "tags": []any{"a", 1.0, nil, false, map[string]any{"k": []string{"x", "<"}}},
		"a\"b": "key with quote", "中": map[string]any{"deep": map[string]any{"er": []any{[]any{}, map[string]any{}}}}, "empty": ""},
	map[string]any{"big": strings.Repeat("长", 100), "list": []any{strings.Repeat("y", 70000)}},
}

func TestAppendJSONB_AsSQLite(t *testing.T) {
	for _, v := range jsonbSeeds {
		checkJSONB(t, v)
		checkJSONB(t, map[string]any{"v": v})
		checkJSONB(t, []any{v, v})
	}
}

func TestAppendJSONB_Refuses(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), map[string]any{"x": []any{math.Inf(-1)}}} {
		_, err := appendJSONB(nil, v)
		require.Error(t, err)
		assert.NotErrorIs(t, err, errNotJSONB)
	}
	for _, v := range []any{struct{ A int }{1}, map[string]string{"a": "b"}, []int{1}, json.Number("x"), json.Number(""), map[string]any{"t": struct{}{}}} {
		_, err := appendJSONB(nil, v)
		assert.ErrorIs(t, err, errNotJSONB, "%#v", v)
	}
}

// FuzzAppendJSONB builds record data from JSON text (as encoding/json
// decodes it: the values record data holds), a string of any bytes and a
// number, and holds appendJSONB's blob of it to SQLite's jsonb().
func FuzzAppendJSONB(f *testing.F) {
	f.Add([]byte(`{"a":[1,"x",null,true,{"b":-0.5}],"c":"\u003c\ud83d\ude00"}`), "plain", 1.25)
	f.Add([]byte(`[1e400]`), "\xff\x00\"", -1e-9)
	f.Add([]byte(`"`+strings.Repeat("z", 300)+`"`), strings.Repeat("中", 5), 1e21)
	f.Add([]byte(`{"":{},"":[]}`), "\u2028", 0.0)
	f.Fuzz(func(t *testing.T, text []byte, s string, n float64) {
		var decoded any
		if json.Unmarshal(text, &decoded) != nil {
			decoded = string(text)
		}
		checkJSONB(t, decoded)
		checkJSONB(t, map[string]any{"j": decoded, s: s, "n": n, "l": []string{s, ""}})
	})
}
