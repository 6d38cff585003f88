package sqlitestore

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeData must give what encoding/json gives, value for value, or fail
// where it fails.
func checkDecodeData(t *testing.T, text []byte) {
	t.Helper()
	var want map[string]any
	wantErr := json.Unmarshal(text, &want)
	got, err := decodeData(text)
	fromText, errText := decodeDataText(string(text), nil, 0)
	if wantErr != nil {
		require.Error(t, err, "%q", text)
		assert.Equal(t, wantErr.Error(), err.Error())
		require.Error(t, errText, "%q", text)
		assert.Equal(t, wantErr.Error(), errText.Error())
		return
	}
	require.NoError(t, err, "%q", text)
	assert.Equal(t, want, got, "%q", text)
	require.NoError(t, errText, "%q", text)
	assert.Equal(t, want, fromText, "%q", text)
}

// decodeDataText's keys and plain strings are slices of its text, not
// copies: one record's text is the only copy of its strings.
func TestDecodeDataText_SharesItsText(t *testing.T) {
	text := `{"title":"商机 1","stage":"won","esc":"a\nb","list":["x"],"amount":12}`
	got, err := decodeDataText(text, nil, 0)
	require.NoError(t, err)
	inside := func(s string) bool {
		start := uintptr(unsafe.Pointer(unsafe.StringData(text)))
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return p >= start && p+uintptr(len(s)) <= start+uintptr(len(text))
	}
	for k, v := range got {
		assert.True(t, inside(k), "key %q", k)
		if s, ok := v.(string); ok && k != "esc" {
			assert.True(t, inside(s), "%s: %q", k, s)
		}
	}
	assert.Equal(t, "a\nb", got["esc"])
	assert.False(t, inside(got["esc"].(string)), "a string with an escape is decoded, so a copy")
	assert.True(t, inside(got["list"].([]any)[0].(string)))
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = decodeDataText(text, nil, 0)
	})
	copied := testing.AllocsPerRun(100, func() {
		_, _ = decodeData([]byte(text))
	})
	// decodeData copies the 5 keys and the 3 plain strings (and here its
	// input); decodeDataText none of them.
	assert.LessOrEqual(t, allocs, copied-8, "keys and plain strings are not copied")
}

var decodeDataSeeds = []string{
	`{}`, ` { } `, `null`, `[]`, `"x"`, `1`, ``, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a":1}x`,
	`{"title":"商机 1","amount":123456.5,"stage":"won","closeDate":"2026-01-02","won":true,"lost":false,"note":null}`,
	`{"n":-0,"z":0,"e":1e21,"E":-1.5E-7,"big":1e400,"lead":01,"dot":1.,"exp":1e,"minus":-,"plus":+1}`,
	`{"list":["a","b",[],[1,[2,[3]]],{}],"addr":{"city":"上海","street":"路 1 号"}}`,
	`{"esc":"a\"b\\c\/d\b\f\n\r\t\u00e9\u4e2d\ud83d\ude00\ud800x\udc00"}`,
	"{\"bad\":\"\xff\xfe\",\"ok\":\"\u2028\"}",
	"{\"ctl\":\"a\x01b\"}",
	`{"dup":1,"dup":"two"}`,
	"{\"ws\" :\t[ 1 ,\n2 ]\r}",
	`{"tru":tru,"t":true}`, `{"n":nul}`, `{"u":"\u12"}`, `{"u":"\x"}`,
	`{"deep":` + strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001) + `}`,
	`{"deep":` + strings.Repeat(`[`, 9990) + strings.Repeat(`]`, 9990) + `}`,
}

func TestDecodeData_AsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range decodeDataSeeds {
		checkDecodeData(t, []byte(s))
	}
}

func FuzzDecodeData(f *testing.F) {
	for _, s := range decodeDataSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) { checkDecodeData(t, text) })
}

// decodeDataFields must give what encoding/json gives for the fields it
// keeps, and nothing else, or fail where it fails.
func checkDecodeDataFields(t *testing.T, text []byte, fields []string) {
	t.Helper()
	var all map[string]any
	wantErr := json.Unmarshal(text, &all)
	got, err := decodeDataFields(text, fields)
	fromText, errText := decodeDataText(string(text), fields, 0)
	if wantErr != nil {
		require.Error(t, err, "%q", text)
		assert.Equal(t, wantErr.Error(), err.Error())
		require.Error(t, errText, "%q", text)
		assert.Equal(t, wantErr.Error(), errText.Error())
		return
	}
	require.NoError(t, err, "%q", text)
	want := map[string]any{}
	for _, f := range fields {
		if v, ok := all[f]; ok {
			want[f] = v
		}
	}
	assert.Equal(t, want, got, "%q keeping %q", text, fields)
	require.NoError(t, errText, "%q", text)
	assert.Equal(t, want, fromText, "%q keeping %q", text, fields)
}

var fieldsSeeds = [][]string{{}, {"title"}, {"amount", "won", "note"}, {"list", "addr"}, {"esc", "ok", "bad"}, {"dup"}, {"deep"}, {"中", "a\"b"}, {"t", "n", "u", "ws"}}

func TestDecodeDataFields_AsEncodingJSON(t *testing.T) {
	t.Parallel()
	seeds := append(slices.Clone(decodeDataSeeds),
		`{"中":1,"a\"b":2,"\u4e2d":3,"x":{"中":[1,"\"",{"k":null}]},"title":"t"}`,
		`{"skip":{"a":[1,2,{"b":"c\\"}]},"title":"kept","after":[[],{}]}`,
		`{"skip":{"a":1,},"title":"t"}`, `{"skip":[1 2],"title":"t"}`, `{"skip":"a`+"\x01"+`","title":"t"}`,
		`{"skip":`+strings.Repeat(`{"a":`, 10001)+`1`+strings.Repeat(`}`, 10001)+`,"title":"t"}`,
	)
	for _, s := range seeds {
		for _, fields := range fieldsSeeds {
			checkDecodeDataFields(t, []byte(s), fields)
		}
	}
}

func FuzzDecodeDataFields(f *testing.F) {
	for _, s := range decodeDataSeeds {
		f.Add([]byte(s), "title,amount")
	}
	f.Fuzz(func(t *testing.T, text []byte, fields string) {
		checkDecodeDataFields(t, text, strings.Split(fields, ","))
	})
}
