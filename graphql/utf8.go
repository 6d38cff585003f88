package graphql

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
)

// Text that is not UTF-8. encoding/json replaces each invalid byte of a
// string with U+FFFD, which would store text the client did not send; a
// request error for the whole body would not say which field is wrong,
// and a form sends many fields at once (issue 13, item 15). So:
//
//   - bytes that are not UTF-8 outside the value of "variables" (the query
//     text, the operation name, extensions) make the request a 400 naming
//     the first one's offset (badBytesOutsideVariables);
//   - variable values are decoded keeping such strings as they were sent
//     (decodeKeepingBytes), and so are JSON values in inputs
//     (appendJSONValue);
//   - an argument may hold such text only inside a record input (XInput,
//     XPatch): the engine then refuses every field that holds it, by name,
//     with code "encoding", all in one VALIDATION_FAILED answer, and writes
//     nothing. Anywhere else (a filter, an id, a definition) the field is a
//     BAD_REQUEST naming the argument (textProblem).

// maxKeepDepth is the nesting json.Valid allows (and decodeKeepingBytes
// follows).
const maxKeepDepth = 10000

// badBytesOutsideVariables returns the offset of the first byte of a JSON
// request body that is not UTF-8 and is not inside the value of its
// top-level "variables" member, or -1 when every such byte is there (or
// the body is UTF-8). For a body that is not a JSON object it is the first
// such byte anywhere. One pass, nothing allocated.
func badBytesOutsideVariables(body []byte) int {
	if utf8.Valid(body) {
		return -1
	}
	first := func(b []byte, at int) int {
		for i := 0; i < len(b); {
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return at + i
			}
			i += size
		}
		return -1
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if !json.Valid(body) || len(trimmed) == 0 || trimmed[0] != '{' {
		return first(body, 0)
	}
	// The body is a JSON object: bytes that are not UTF-8 can only be in
	// its strings.
	depth := 0
	key := false       // at depth 1, the next string is a member's name
	variables := false // the last name read at depth 1 was "variables"
	inside := false    // within the value of "variables"
	for i := 0; i < len(body); {
		switch c := body[i]; c {
		case '"':
			end := stringEnd(body, i)
			str := body[i:end]
			if depth == 1 && key {
				variables = string(str) == `"variables"`
				key = false
			}
			if !utf8.Valid(str) && !inside {
				return first(str, i)
			}
			i = end
			continue
		case '{', '[':
			depth++
			key = depth == 1 && c == '{'
		case '}', ']':
			depth--
			if depth == 0 {
				inside = false
			}
		case ':':
			if depth == 1 {
				inside = variables
			}
		case ',':
			if depth == 1 {
				key, inside = true, false
			}
		}
		i++
	}
	return -1
}

// stringEnd returns the offset just past the string of valid JSON that
// starts (with its quote) at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// decodeKeepingBytes decodes one JSON value as encoding/json does into an
// any (with json.Number for numbers when useNumber is set), except that a
// string (or object key) whose bytes are not UTF-8 keeps them as they were
// sent instead of getting U+FFFD in their place, so that what uses the
// value can refuse it by name. FuzzDecodeKeepingBytes holds it to
// encoding/json.
func decodeKeepingBytes(text []byte, useNumber bool) (any, error) {
	if s, ok := plainString(text); ok {
		return s, nil
	}
	if json.Valid(text) { // also bounds the nesting (10,000 levels)
		// keeper, not a json.Decoder: one pass that builds the values,
		// where the decoder scanned the text twice more (a bulk write's
		// 500 inputs: 5 % of its server CPU).
		k := &keeper{s: text, useNumber: useNumber}
		k.space()
		return k.value()
	}
	// Refused: say why as encoding/json does.
	if utf8.Valid(text) {
		dec := json.NewDecoder(bytes.NewReader(text))
		if useNumber {
			dec.UseNumber()
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, errors.New("invalid character after top-level value")
		}
		return nil, errors.New("not JSON")
	}
	var v any
	err := json.Unmarshal(text, &v) // says why
	if err == nil {
		err = errors.New("not JSON")
	}
	return nil, err
}

// plainString decodes the commonest variable, a string without escapes
// (an id, a name), without a json.Decoder and its buffer: text is a quoted
// run of UTF-8 with no quote, backslash or control character inside, and
// only JSON white space around. Anything else is not ok.
func plainString(text []byte) (string, bool) {
	start, end := 0, len(text)
	for start < end && isJSONSpace(text[start]) {
		start++
	}
	for end > start && isJSONSpace(text[end-1]) {
		end--
	}
	if end-start < 2 || text[start] != '"' || text[end-1] != '"' {
		return "", false
	}
	inner := text[start+1 : end-1]
	for _, c := range inner {
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
	}
	if !utf8.Valid(inner) {
		return "", false
	}
	return string(inner), true
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// splitObject returns the members of the JSON object in text, which
// json.Valid accepted, as encoding/json would unmarshal it into a
// map[string]json.RawMessage (the last of members of one name wins), but
// with each value a slice of text rather than a copy, and in one pass
// that only finds where values end: a request body's variables were
// scanned twice over (checked, then skipped) for the body and twice
// again for its variables. ok is false when text is not an object.
func splitObject(text []byte) (members map[string]json.RawMessage, ok bool) {
	k := &keeper{s: text}
	k.space()
	if k.i >= len(text) || text[k.i] != '{' {
		return nil, false
	}
	members = map[string]json.RawMessage{}
	k.i++
	k.space()
	for k.i < len(text) && text[k.i] != '}' {
		start := k.i
		end := stringEnd(text, start)
		name, plain := plainString(text[start:end])
		if !plain {
			if json.Unmarshal(text[start:end], &name) != nil {
				return nil, false
			}
		}
		k.i = end
		k.space()
		k.i++ // ':'
		k.space()
		from := k.i
		k.skip()
		members[name] = json.RawMessage(text[from:k.i])
		k.space()
		if k.i < len(text) && text[k.i] == ',' {
			k.i++
			k.space()
		}
	}
	return members, true
}

// skip moves k.i past the value at k.i (valid JSON), not its white space
// after.
func (k *keeper) skip() {
	depth := 0
	for k.i < len(k.s) {
		switch c := k.s[k.i]; c {
		case '"':
			k.i = stringEnd(k.s, k.i)
			if depth == 0 {
				return
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return // the end of the object a scalar was in
			}
			depth--
			if depth == 0 {
				k.i++
				return
			}
		case ',', ' ', '\t', '\r', '\n':
			if depth == 0 {
				return
			}
		}
		k.i++
	}
}

// keeper decodes JSON text that json.Valid accepted.
type keeper struct {
	s         []byte
	i         int
	useNumber bool
}

func (k *keeper) space() {
	for k.i < len(k.s) {
		switch k.s[k.i] {
		case ' ', '\t', '\r', '\n':
			k.i++
		default:
			return
		}
	}
}

// value decodes the value at k.i and the white space after it.
func (k *keeper) value() (any, error) {
	if k.i >= len(k.s) {
		return nil, io.ErrUnexpectedEOF
	}
	var v any
	switch c := k.s[k.i]; {
	case c == '{':
		m := map[string]any{}
		k.i++
		k.space()
		for k.i < len(k.s) && k.s[k.i] != '}' {
			name := k.str()
			k.space()
			k.i++ // ':'
			k.space()
			item, err := k.value()
			if err != nil {
				return nil, err
			}
			m[name] = item
			if k.i < len(k.s) && k.s[k.i] == ',' {
				k.i++
				k.space()
			}
		}
		k.i++
		v = m
	case c == '[':
		l := []any{}
		k.i++
		k.space()
		for k.i < len(k.s) && k.s[k.i] != ']' {
			item, err := k.value()
			if err != nil {
				return nil, err
			}
			l = append(l, item)
			if k.i < len(k.s) && k.s[k.i] == ',' {
				k.i++
				k.space()
			}
		}
		k.i++
		v = l
	case c == '"':
		v = k.str()
	case c == 't':
		v, k.i = true, k.i+4
	case c == 'f':
		v, k.i = false, k.i+5
	case c == 'n':
		v, k.i = nil, k.i+4
	default:
		start := k.i
		for k.i < len(k.s) && strings.IndexByte("+-.0123456789eE", k.s[k.i]) >= 0 {
			k.i++
		}
		text := string(k.s[start:k.i])
		if k.useNumber {
			v = json.Number(text)
		} else {
			f, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return nil, fmt.Errorf("number %s does not fit a float64", text)
			}
			v = f
		}
	}
	k.space()
	return v, nil
}

// str decodes the string at k.i.
func (k *keeper) str() string {
	end := stringEnd(k.s, k.i)
	inner := k.s[k.i+1 : end-1]
	k.i = end
	return unquoteKeepingBytes(inner)
}

// unquoteKeepingBytes unquotes the inside of a well-formed JSON string,
// copying bytes that are not UTF-8 as they are. Escaped surrogates that
// make no pair become U+FFFD, as in encoding/json.
func unquoteKeepingBytes(s []byte) string {
	if bytes.IndexByte(s, '\\') < 0 {
		return string(s) // nothing escaped: the commonest string
	}
	b := make([]byte, 0, len(s))
	hex4 := func(h []byte) rune {
		n, err := strconv.ParseUint(string(h), 16, 16)
		if err != nil {
			return utf8.RuneError
		}
		return rune(n)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			i++
			continue
		}
		e := s[i+1]
		i += 2
		switch e {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			if i+4 > len(s) {
				b = utf8.AppendRune(b, utf8.RuneError)
				i = len(s)
				continue
			}
			r := hex4(s[i : i+4])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2 = hex4(s[i+2 : i+6])
				}
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					r = pair
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default: // '"', '\\', '/'
			b = append(b, e)
		}
	}
	return string(b)
}

// textProblem returns a BAD_REQUEST for an argument value (of type t)
// holding text that is not UTF-8 outside the record inputs, which the
// engine checks field by field; nil when there is none. at names the
// argument.
func (s *execSchema) textProblem(t *ast.Type, v any, at string) error {
	if v == nil {
		return nil
	}
	if t.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			return nil
		}
		for i, item := range items {
			if err := s.textProblem(t.Elem, item, at+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil
	}
	if s.recordInputs[t.NamedType] {
		return nil
	}
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return badRequestf("%s is not valid UTF-8 text", at)
		}
	case json.RawMessage:
		if !utf8.Valid(x) {
			return badRequestf("%s holds text that is not valid UTF-8", at)
		}
	case map[string]any:
		def := s.ast.Types[t.NamedType]
		if def == nil || def.Kind != ast.InputObject {
			return nil
		}
		for _, fd := range def.Fields {
			if err := s.textProblem(fd.Type, x[fd.Name], at+"."+fd.Name); err != nil {
				return err
			}
		}
	}
	return nil
}
