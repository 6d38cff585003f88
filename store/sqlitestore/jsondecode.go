package sqlitestore

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeData decodes the JSON text of record data, an object as json(data)
// gives it, into the map encoding/json.Unmarshal makes of it (numbers as
// float64, arrays as []any, objects as map[string]any), without its
// reflection and its validating pass over the text first: decoding was
// about a tenth of the CPU of a get by id. Text it does not take on its
// own way (a syntax error, a number out of float64's range, nesting
// deeper than encoding/json allows, anything but an object) goes to
// json.Unmarshal, whose answer or error it then is; so does a string with
// an escape or invalid UTF-8, one string at a time. A null object is an
// empty map.
func decodeData(text []byte) (map[string]any, error) {
	d := dataDecoder{b: text}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '{' {
		if m, ok := d.object(1); ok {
			if d.space(); d.i == len(d.b) {
				return m, nil
			}
		}
	}
	var m map[string]any
	if err := json.Unmarshal(text, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeValue decodes the JSON text of one value, as `data -> path`
// gives it, the way [decodeData] decodes a value inside data.
func decodeValue(text []byte) (any, error) {
	d := dataDecoder{b: text}
	if v, ok := d.value(1); ok {
		if d.space(); d.i == len(d.b) {
			return v, nil
		}
	}
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// maxDataDepth is encoding/json's limit of nesting: deeper text is its
// error.
const maxDataDepth = 10000

type dataDecoder struct {
	b []byte
	i int
}

func (d *dataDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value at d.i; ok is false when the text is not one
// this decoder takes.
func (d *dataDecoder) value(depth int) (v any, ok bool) {
	d.space()
	if d.i >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		m, ok := d.object(depth + 1)
		return m, ok
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		return d.string()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return nil, false
}

func (d *dataDecoder) literal(word string) bool {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return false
	}
	d.i += len(word)
	return true
}

func (d *dataDecoder) object(depth int) (map[string]any, bool) {
	if depth > maxDataDepth {
		return nil, false
	}
	d.i++ // {
	m := map[string]any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, false
		}
		d.i++
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		m[k.(string)] = v
		d.space()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (d *dataDecoder) array(depth int) (any, bool) {
	if depth > maxDataDepth {
		return nil, false
	}
	d.i++ // [
	out := []any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return out, true
	}
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		out = append(out, v)
		d.space()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return out, true
		default:
			return nil, false
		}
	}
}

// string decodes the string at d.i (its opening quote). A string with an
// escape or bytes that are not UTF-8 is decoded by encoding/json.
func (d *dataDecoder) string() (any, bool) {
	start := d.i
	d.i++
	plain := true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			text := d.b[start+1 : d.i-1]
			if plain && utf8.Valid(text) {
				return string(text), true
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return nil, false
			}
			return s, true
		case c == '\\':
			plain = false
			d.i += 2
		case c < 0x20:
			return nil, false
		default:
			d.i++
		}
	}
	return nil, false
}

// number decodes a number of JSON's grammar as a float64.
func (d *dataDecoder) number() (any, bool) {
	start := d.i
	digits := func() bool {
		n := d.i
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
		}
		return d.i > n
	}
	if d.b[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else if !digits() {
		return nil, false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if !digits() {
			return nil, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if !digits() {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	if err != nil {
		return nil, false
	}
	return f, true
}
