package sqlitestore

import (
	"encoding/binary"
	"encoding/json"
	"unicode/utf8"
	"unsafe"
)

// Records keep their data as SQLite's JSONB (https://sqlite.org/jsonb.html).
// Reads selected json(data): SQLite rendered every row's JSONB as JSON
// text, and [decodeDataText] parsed that text again (the rendering was
// about a twentieth of a page's CPU in the store). decodeJSONB reads the
// stored blob itself. It takes only what it can decode exactly as
// decoding json(data) would (the elements strict JSON makes: null, true,
// false, INT and FLOAT in JSON's grammar, TEXT and TEXTRAW of valid UTF-8
// without anything to escape, TEXTJ with JSON's escapes, ARRAY and
// OBJECT whose labels are text) and refuses the rest, for which the
// caller asks SQLite for json(data) as before: JSON5's elements, a
// payload size that does not fit, anything malformed.

// jsonbTextRaw is the JSONB element of raw text, which json() escapes
// (the other types are in jsonb.go).
const jsonbTextRaw = 0xa

// decodeJSONB decodes a record's data blob into the map decoding
// json(data) gives, keeping only the top-level keys named in fields (nil:
// every key), in a map made for size fields when fields is nil. ok is
// false when the blob is not one it takes (the caller then has SQLite
// render it). Strings and keys are slices of blob, which the caller must
// not change afterwards.
func decodeJSONB(blob []byte, fields []string, size int) (m map[string]any, ok bool) {
	if len(blob) == 0 {
		return nil, false
	}
	d := jsonbDecoder{b: blob, src: unsafe.String(unsafe.SliceData(blob), len(blob)), keep: fields, size: size}
	typ, start, end, ok := d.header(0)
	if !ok || typ != jsonbObject || end != len(blob) {
		return nil, false
	}
	return d.object(start, end, 1)
}

type jsonbDecoder struct {
	b   []byte
	src string // b as a string: decoded strings are slices of it
	// keep, when not nil, are the only top-level keys decoded.
	keep []string
	// size is how many fields the top-level map is made for, when keep
	// is nil.
	size int
}

// header reads the header of the element at i: its type and where its
// payload starts and ends. ok is false when the header or the payload
// does not fit in the blob.
func (d *jsonbDecoder) header(i int) (typ byte, start, end int, ok bool) {
	if i >= len(d.b) {
		return 0, 0, 0, false
	}
	x := d.b[i]
	typ = x & 0x0f
	var size uint64
	h := 1
	switch n := x >> 4; {
	case n <= 11:
		size = uint64(n)
	case n == 12:
		h = 2
	case n == 13:
		h = 3
	case n == 14:
		h = 5
	default:
		h = 9
	}
	if h > len(d.b)-i {
		return 0, 0, 0, false
	}
	switch h {
	case 2:
		size = uint64(d.b[i+1])
	case 3:
		size = uint64(binary.BigEndian.Uint16(d.b[i+1:]))
	case 5:
		size = uint64(binary.BigEndian.Uint32(d.b[i+1:]))
	case 9:
		size = binary.BigEndian.Uint64(d.b[i+1:])
	}
	start = i + h
	if size > uint64(len(d.b)-start) {
		return 0, 0, 0, false
	}
	return typ, start, start + int(size), true
}

// value decodes the element at i, returning where the next one starts.
func (d *jsonbDecoder) value(i, depth int) (v any, next int, ok bool) {
	return d.element(i, depth, true)
}

// skip checks the element at i as value does, building nothing, and
// returns where the next one starts.
func (d *jsonbDecoder) skip(i, depth int) (next int, ok bool) {
	_, next, ok = d.element(i, depth, false)
	return next, ok
}

// element is value, or skip when build is false.
func (d *jsonbDecoder) element(i, depth int, build bool) (v any, next int, ok bool) {
	typ, start, end, ok := d.header(i)
	if !ok {
		return nil, 0, false
	}
	switch typ {
	case jsonbNull, jsonbTrue, jsonbFalse:
		// Note: SQLite's json() steps over one byte whatever the header
		// says (a byte of size that follows is the next element to it):
		// any header but the one-byte one of size 0 is left to it.
		if d.b[i]>>4 != 0 {
			return nil, 0, false
		}
		switch {
		case !build:
			return nil, end, true
		case typ == jsonbTrue:
			return true, end, true
		case typ == jsonbFalse:
			return false, end, true
		}
		return nil, end, true
	case jsonbInt, jsonbFloat:
		if start == end {
			return nil, 0, false
		}
		num := dataDecoder{b: d.b[start:end]}
		f, ok := num.float()
		if !ok || num.i != end-start {
			return nil, 0, false
		}
		if !build {
			return nil, end, true
		}
		return f, end, true
	case jsonbText, jsonbTextJ, jsonbTextRaw:
		s, ok := d.text(typ, start, end, build)
		if !ok || !build {
			return nil, end, ok
		}
		return s, end, true
	case jsonbArray:
		if depth+1 > maxDataDepth {
			return nil, 0, false
		}
		var out []any
		if build {
			out = []any{}
		}
		for j := start; j < end; {
			var e any
			if e, j, ok = d.element(j, depth+1, build); !ok || j > end {
				return nil, 0, false
			}
			if build {
				out = append(out, e)
			}
		}
		if !build {
			return nil, end, true
		}
		return out, end, true
	case jsonbObject:
		if depth+1 > maxDataDepth {
			return nil, 0, false
		}
		if !build {
			return nil, end, d.labels(start, end, depth+1)
		}
		m, ok := d.object(start, end, depth+1)
		return m, end, ok
	}
	return nil, 0, false // JSON5's elements and reserved types
}

// object decodes the labels and values of an object's payload, b[start:end].
func (d *jsonbDecoder) object(start, end, depth int) (map[string]any, bool) {
	filter := depth == 1 && d.keep != nil
	var m map[string]any
	switch {
	case filter:
		m = make(map[string]any, len(d.keep))
	case depth == 1:
		m = make(map[string]any, d.size)
	default:
		m = map[string]any{}
	}
	for j := start; j < end; {
		typ, ks, ke, ok := d.header(j)
		if !ok || ke > end {
			return nil, false
		}
		if typ != jsonbText && typ != jsonbTextJ && typ != jsonbTextRaw {
			return nil, false
		}
		key, ok := d.text(typ, ks, ke, true)
		if !ok {
			return nil, false
		}
		j = ke
		if filter && !d.kept(&key) {
			// Not decoded, but checked, so that a blob is taken or
			// refused whatever the fields.
			if j, ok = d.skip(j, depth); !ok || j > end {
				return nil, false
			}
			continue
		}
		var v any
		if v, j, ok = d.value(j, depth); !ok || j > end {
			return nil, false
		}
		m[key] = v
	}
	return m, true
}

// labels checks an object's payload, b[start:end], as object does,
// building nothing.
func (d *jsonbDecoder) labels(start, end, depth int) bool {
	for j := start; j < end; {
		typ, ks, ke, ok := d.header(j)
		if !ok || ke > end {
			return false
		}
		if typ != jsonbText && typ != jsonbTextJ && typ != jsonbTextRaw {
			return false
		}
		if _, ok := d.text(typ, ks, ke, false); !ok {
			return false
		}
		if j, ok = d.skip(ke, depth); !ok || j > end {
			return false
		}
	}
	return true
}

// kept tells whether d.keep names *key, and makes *key the name in
// d.keep (so that the map's keys do not hold on to the blob).
func (d *jsonbDecoder) kept(key *string) bool {
	for _, f := range d.keep {
		if *key == f {
			*key = f
			return true
		}
	}
	return false
}

// text decodes a string element's payload, b[start:end], as decoding its
// rendering by json() would; ok is false for what it leaves to SQLite.
// Unless build, it only checks the payload.
func (d *jsonbDecoder) text(typ byte, start, end int, build bool) (string, bool) {
	raw := d.b[start:end]
	switch typ {
	case jsonbText:
		// Nothing to escape: json() writes it between quotes as it is.
		for _, c := range raw {
			if c < 0x20 || c == '"' || c == '\\' {
				return "", false
			}
		}
	case jsonbTextJ:
		// JSON's escapes, written as they are between quotes.
		q := make([]byte, 0, len(raw)+2)
		q = append(append(append(q, '"'), raw...), '"')
		if !build {
			return "", json.Valid(q)
		}
		var s string
		if err := json.Unmarshal(q, &s); err != nil {
			return "", false
		}
		return s, true
	}
	// TEXT, and TEXTRAW, which json() escapes and decoding unescapes.
	if !utf8.Valid(raw) {
		return "", false
	}
	return d.src[start:end], true
}
