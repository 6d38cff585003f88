package graphql

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bytes that are not UTF-8 may sit in the value of "variables" only; the
// offset of the first one elsewhere is named.
func TestBadBytesOutsideVariables(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		body string
		want int
	}{
		{"UTF-8", `{"query":"{ a }","variables":{"x":"上海"}}`, -1},
		{"in a variable", "{\"query\":\"{ a }\",\"variables\":{\"x\":\"a\xffb\"}}", -1},
		{"deep in variables", "{\"variables\":{\"in\":{\"address\":{\"city\":\"\xe4\xb8\"},\"tags\":[\"\xff\"]}},\"query\":\"q\"}", -1},
		{"in a variable's name", "{\"variables\":{\"\xff\":1},\"query\":\"q\"}", -1},
		{"variables given twice", "{\"variables\":{\"x\":\"\xff\"},\"query\":\"q\",\"variables\":{\"y\":\"\xfe\"}}", -1},
		{"in the query", "{\"query\":\"{ a } #\xff\",\"variables\":{}}", 17},
		{"in the query after variables", "{\"variables\":{\"x\":\"\xff\"},\"query\":\"#\xfe\"}", 33},
		{"in the operation name", "{\"query\":\"q\",\"operationName\":\"\xc3\"}", 30},
		{"in extensions", "{\"query\":\"q\",\"extensions\":{\"variables\":\"\xff\"}}", 40},
		{"in a member's name", "{\"\xff\":1}", 2},
		{"a variables member nested elsewhere", "{\"extensions\":{\"variables\":{\"x\":\"\xff\"}}}", 33},
		{"a body that is not JSON: the first anywhere", "{\"variables\":{\"x\":\"\xff\"}, oops \xfe", 19},
		{"a list, not an object", "[{\"variables\":{\"x\":\"\xff\"}}]", 20},
		{"outside any string", "{\"variables\":{\"x\":1}\xff}", 20},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, badBytesOutsideVariables([]byte(s.body)))
		})
	}
}

// FuzzBadBytesOutsideVariables: a body let through has no byte that is not
// UTF-8 in any member but "variables", and an offset named is such a byte.
func FuzzBadBytesOutsideVariables(f *testing.F) {
	for _, seed := range []string{
		"{\"query\":\"q\",\"variables\":{\"x\":\"a\xffb\"}}", "{\"query\":\"#\xff\"}", "{\"\xff\":1,\"variables\":\"\xfe\"}",
		"{\"variables\":[\"\\\"\xff\"],\"extensions\":{\"variables\":\"\xc3\"}}", " { \"variables\" : \"\xff\" , \"query\" : \"\xfe\" } ",
		"[\"\xff\"]", "{\"variables\":{}}\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		off := badBytesOutsideVariables(body)
		if off >= 0 {
			require.Less(t, off, len(body))
			r, size := utf8.DecodeRune(body[off:])
			require.True(t, r == utf8.RuneError && size == 1, "byte %d is UTF-8", off)
			return
		}
		var req map[string]json.RawMessage
		if json.Unmarshal(body, &req) != nil {
			return
		}
		for name, raw := range req {
			if name != "variables" {
				assert.True(t, utf8.Valid(raw), "member %q let through", name)
			}
		}
	})
}

// Decoding keeps the bytes of strings that are not UTF-8 and otherwise
// decodes as encoding/json does.
func TestDecodeKeepingBytes(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		text string
		want any
	}{
		{"a string", "\"a\xffb\"", "a\xffb"},
		{"nested", "{\"in\":{\"name\":\"云\xfe\",\"n\":1.5,\"ok\":true,\"none\":null,\"l\":[\"\xc3\",\"x\"]}}",
			map[string]any{"in": map[string]any{"name": "云\xfe", "n": json.Number("1.5"), "ok": true, "none": nil, "l": []any{"\xc3", "x"}}}},
		{"escapes beside bad bytes", "\"\\n\\t\\\"\\\\\\/\\u4e0a\\ud83d\\ude00\xff\"", "\n\t\"\\/上😀\xff"},
		{"a lone surrogate beside bad bytes", "\"\\ud800x\xff\"", "\ufffdx\xff"},
		{"a key", "{\"\xffk\":\"v\"}", map[string]any{"\xffk": "v"}},
		{"a later duplicate wins", "{\"a\":\"\xff\",\"a\":\"\xfe\"}", map[string]any{"a": "\xfe"}},
		{"UTF-8 text", `{"a":["上海",2]}`, map[string]any{"a": []any{"上海", json.Number("2")}}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeKeepingBytes([]byte(s.text), true)
			require.NoError(t, err)
			assert.Equal(t, s.want, got)
		})
	}
	for _, bad := range []string{"\"\xff", "{\"a\":\"\xff\"} x", "[\"\xff\",]", "", "{\"a\" \"\xff\"}"} {
		_, err := decodeKeepingBytes([]byte(bad), true)
		assert.Error(t, err, "%q", bad)
	}
	deep := strings.Repeat("[", maxKeepDepth+2) + "\"\xff\"" + strings.Repeat("]", maxKeepDepth+2)
	_, err := decodeKeepingBytes([]byte(deep), true)
	assert.ErrorContains(t, err, "exceeded max depth")
}

// FuzzDecodeKeepingBytes: decodeKeepingBytes accepts exactly what
// encoding/json accepts, and gives what it gives once each byte that is
// not UTF-8 is replaced with U+FFFD.
func FuzzDecodeKeepingBytes(f *testing.F) {
	for _, seed := range []string{
		"\"a\xffb\"", "{\"in\":{\"name\":\"云\xfe\",\"l\":[\"\xc3\",1e3,true,null]}}", "\"\\ud800\\udc00\xe4\xb8\"",
		"{\"\xff\":{\"\xfe\":[]}}", "[\"\\u00e9\xc3\xa9\xc3\"]", " \"01J plain\" ", "\"a\x01\"", "\"云\"\t", "\"\xed\xa0\x80\"", "{\"a\":1} ", "[1,]", "\"\\x\xff\"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		var want any
		werr := json.Unmarshal(text, &want)
		got, err := decodeKeepingBytes(text, false)
		if werr != nil {
			require.Error(t, err, "encoding/json refused it: %v", werr)
			return
		}
		require.NoError(t, err, "encoding/json took it")
		assert.Equal(t, want, replaced(got))
	})
}

// replaced replaces each byte of v's strings that is not UTF-8 with U+FFFD,
// as encoding/json does.
func replaced(v any) any {
	fix := func(s string) string {
		if utf8.ValidString(s) {
			return s
		}
		var b strings.Builder
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r) // RuneError for a bad byte
			i += size
		}
		return b.String()
	}
	switch x := v.(type) {
	case string:
		return fix(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replaced(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fix(k)] = replaced(e)
		}
		return out
	}
	return v
}

// BenchmarkInvalidUTF8Body is the worst body the limits let through: 2 MiB
// of variables, every string holding a byte that is not UTF-8, found and
// decoded with the bytes kept; beside it the same body in UTF-8, which
// encoding/json decodes.
func BenchmarkInvalidUTF8Body(b *testing.B) {
	for _, bc := range []struct{ name, item string }{{"not UTF-8", "\"a\xff\","}, {"UTF-8", "\"ab\","}} {
		b.Run(bc.name, func(b *testing.B) {
			var sb strings.Builder
			sb.WriteString(`{"query":"q","variables":{"l":[`)
			for sb.Len() < 2<<20-16 {
				sb.WriteString(bc.item)
			}
			sb.WriteString("\"\"]}}")
			body := []byte(sb.String())
			var req map[string]json.RawMessage
			require.NoError(b, json.Unmarshal(body, &req))
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for b.Loop() {
				if badBytesOutsideVariables(body) != -1 {
					b.Fatal("a bad byte outside variables")
				}
				if _, err := decodeKeepingBytes(req["variables"], true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPlainString_AsEncodingJSON: the short cut for strings without
// escapes takes only texts encoding/json decodes to the same string, and
// leaves every other text to the decoder.
func TestPlainString_AsEncodingJSON(t *testing.T) {
	for _, text := range []string{
		`"01JABCDEF"`, ` "a b" `, "\t\"云\"\n", `""`, `"é€😀"`, "\"\u2028\"",
		`"a\"b"`, `"a\nb"`, `"\u0041"`, "\"a\tb\"", "\"a\x01\"", "\"\xff\"", `"abc`, `abc"`, `"`, `"a" "b"`,
		`"a"x`, `x"a"`, `1`, `null`, `["a"]`, ` `, ``, "\"a\"\v",
	} {
		got, ok := plainString([]byte(text))
		var want string
		err := json.Unmarshal([]byte(text), &want)
		if ok {
			require.NoError(t, err, "%q taken, refused by encoding/json", text)
			assert.Equal(t, want, got, "%q", text)
		}
		var anyWant any
		werr := json.Unmarshal([]byte(text), &anyWant)
		if _, isString := anyWant.(string); werr == nil && isString && utf8.ValidString(text) && !strings.Contains(text, "\\") {
			assert.True(t, ok, "%q left to the decoder", text)
		}
		v, err := decodeKeepingBytes([]byte(text), true)
		if werr != nil {
			assert.Error(t, err, "%q", text)
			continue
		}
		require.NoError(t, err, "%q", text)
		if s, isString := anyWant.(string); isString {
			assert.Equal(t, s, replaced(v), "%q", text)
		}
	}
}

// FuzzSplitObject holds splitObject to encoding/json's unmarshalling into
// a map[string]json.RawMessage, for every text json.Valid accepts.
func FuzzSplitObject(f *testing.F) {
	for _, seed := range []string{
		`{}`, ` { "query" : "q" , "variables" : { "in" : [ {"a":1}, {"b":"}"} ] } } `, `{"a":1,"a":2}`, `{"a":-1.5e3}`,
		`{"\u0061":true,"b":null,"c":"\"}"}`, `null`, `[1]`, `"x"`, "{\"\xff\":1}", `{"a":{"b":[]},"c":[{},[]]}`, `{"a":1 }`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		if !json.Valid(text) {
			return
		}
		var want map[string]json.RawMessage
		werr := json.Unmarshal(text, &want)
		got, ok := splitObject(text)
		if werr != nil || want == nil {
			require.False(t, ok, "encoding/json took no object")
			return
		}
		require.True(t, ok)
		require.Len(t, got, len(want))
		for k, v := range want {
			require.Contains(t, got, k)
			assert.Equal(t, string(v), string(got[k]), k)
		}
	})
}
