package sqlitestore

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
	"unsafe"
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
	return dataDecoder{b: text}.data()
}

// decodeDataFields is [decodeData] keeping only the top-level keys
// named in fields ([store.Query.Fields]): the values of the others are
// stepped over, neither allocated nor stored. Text it does not take goes
// to json.Unmarshal whole, as in decodeData, and is then cut to fields.
func decodeDataFields(text []byte, fields []string) (map[string]any, error) {
	return dataDecoder{b: text, keep: fields}.data()
}

// decodeDataText is [decodeData] (fields nil) or [decodeDataFields] of
// text held as a string, as a row's `json(data)` column comes from the
// driver: the keys and the strings without escapes of the map are slices
// of text, not copies of their bytes (about a tenth of a get by id's
// allocations), so any of them keeps the whole text in memory as long as
// it is referenced. size is how many fields the map is made for (a
// hint: it grows past it as needed).
func decodeDataText(text string, fields []string, size int) (map[string]any, error) {
	return dataDecoder{b: unsafe.Slice(unsafe.StringData(text), len(text)), src: text, keep: fields, size: size}.data()
}

func (d dataDecoder) data() (map[string]any, error) {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '{' {
		if m, ok := d.object(1); ok {
			if d.space(); d.i == len(d.b) {
				return m, nil
			}
		}
	}
	var all map[string]any
	if err := json.Unmarshal(d.text(), &all); err != nil {
		return nil, err
	}
	if d.keep == nil {
		return all, nil
	}
	m := make(map[string]any, len(d.keep))
	for _, f := range d.keep {
		if v, ok := all[f]; ok {
			m[f] = v
		}
	}
	return m, nil
}

// text is the whole text being decoded, as bytes the caller may keep.
func (d *dataDecoder) text() []byte {
	if d.src != "" {
		return []byte(d.src)
	}
	return d.b
}

// maxDataDepth is encoding/json's limit of nesting: deeper text is its
// error.
const maxDataDepth = 10000

type dataDecoder struct {
	b []byte
	i int
	// keep, when not nil, are the only keys of the top-level object
	// decoded ([decodeDataFields]).
	keep []string
	// src, when not empty, is b as a string (b is a view of its bytes,
	// never written): decoded strings are slices of it.
	src string
	// size is how many fields the top-level object's map is made for,
	// when keep is nil.
	size int
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
		s, ok := d.string()
		return s, ok
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
	var m map[string]any
	filter := depth == 1 && d.keep != nil
	switch {
	case filter:
		m = make(map[string]any, len(d.keep))
	case depth == 1:
		m = make(map[string]any, d.size)
	default:
		m = map[string]any{}
	}
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
		// Keys stay strings, never boxed in an interface (an allocation
		// each: a third of a page's).
		var (
			k        string
			skip, ok bool
		)
		if filter {
			k, skip, ok = d.keptKey()
		} else {
			k, ok = d.string()
		}
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, false
		}
		d.i++
		if skip {
			if !d.skip(depth) {
				return nil, false
			}
		} else {
			v, ok := d.value(depth)
			if !ok {
				return nil, false
			}
			m[k] = v
		}
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

// keptKey reads the key at d.i (its opening quote) and returns it if
// d.keep names it, else skip is true; ok is false for text it does not
// take. A plain key is compared where it lies, without a copy.
func (d *dataDecoder) keptKey() (key string, skip, ok bool) {
	start := d.i
	for j := start + 1; j < len(d.b); j++ {
		c := d.b[j]
		if c == '"' {
			raw := d.b[start+1 : j]
			d.i = j + 1
			for _, f := range d.keep {
				if string(raw) == f {
					return f, false, true
				}
			}
			return "", true, true
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			break // decoded in full below
		}
	}
	d.i = start
	k, ok := d.string()
	if !ok {
		return "", false, false
	}
	for _, f := range d.keep {
		if k == f {
			return f, false, true
		}
	}
	return "", true, true
}

// skip steps over the value at d.i without decoding it; false for text
// [dataDecoder.value] would not take either.
func (d *dataDecoder) skip(depth int) bool {
	d.space()
	if d.i >= len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '{' || c == '[':
		if depth+1 > maxDataDepth {
			return false
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		d.i++
		d.space()
		if d.i < len(d.b) && d.b[d.i] == closing {
			d.i++
			return true
		}
		for {
			if c == '{' {
				d.space()
				if d.i >= len(d.b) || d.b[d.i] != '"' || !d.skipString() {
					return false
				}
				d.space()
				if d.i >= len(d.b) || d.b[d.i] != ':' {
					return false
				}
				d.i++
			}
			if !d.skip(depth + 1) {
				return false
			}
			d.space()
			if d.i >= len(d.b) {
				return false
			}
			switch d.b[d.i] {
			case ',':
				d.i++
			case closing:
				d.i++
				return true
			default:
				return false
			}
		}
	case c == '"':
		return d.skipString()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		_, ok := d.float()
		return ok
	}
	return false
}

// skipString steps over the string at d.i (its opening quote). A string
// with an escape or bytes that are not UTF-8 is checked by decoding it.
func (d *dataDecoder) skipString() bool {
	start := d.i
	for j := start + 1; j < len(d.b); j++ {
		c := d.b[j]
		switch {
		case c == '"':
			d.i = j + 1
			return true
		case c == '\\' || c < 0x20 || c >= 0x80:
			_, ok := d.string()
			return ok
		}
	}
	return false
}

// string decodes the string at d.i (its opening quote). A string with an
// escape or bytes that are not UTF-8 is decoded by encoding/json.
func (d *dataDecoder) string() (string, bool) {
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
				if d.src != "" {
					return d.src[start+1 : d.i-1], true
				}
				return string(text), true
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return "", false
			}
			return s, true
		case c == '\\':
			plain = false
			d.i += 2
		case c < 0x20:
			return "", false
		default:
			d.i++
		}
	}
	return "", false
}

// number decodes a number of JSON's grammar as a float64.
func (d *dataDecoder) number() (any, bool) {
	f, ok := d.float()
	if !ok {
		return nil, false
	}
	return f, true
}

// float is number without putting the float64 in an interface.
func (d *dataDecoder) float() (float64, bool) {
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
		return 0, false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if !digits() {
			return 0, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if !digits() {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	if err != nil {
		return 0, false
	}
	return f, true
}
