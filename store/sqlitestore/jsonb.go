package sqlitestore

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SQLite's JSONB (https://sqlite.org/jsonb.html): every element is a
// header and a payload. The header's first byte holds the element's type
// in its low four bits and, in its high four, the payload's size (0–11)
// or how many bytes after it hold the size, big-endian (12: one, 13: two,
// 14: four, 15: eight). Containers hold their elements one after another.
const (
	jsonbNull   = 0x0
	jsonbTrue   = 0x1
	jsonbFalse  = 0x2
	jsonbInt    = 0x3
	jsonbFloat  = 0x5
	jsonbText   = 0x7 // UTF-8 needing no escape
	jsonbTextJ  = 0x8 // JSON's escapes, as written in the text
	jsonbArray  = 0xb
	jsonbObject = 0xc
)

// errNotJSONB is appendJSONB's answer for a value it does not encode
// itself (anything but what appendJSON encodes without encoding/json);
// the caller stores the value's JSON text instead, which SQLite's jsonb()
// turns into the same blob.
var errNotJSONB = errors.New("value has no JSONB encoding of its own")

// appendJSONB appends v as the JSONB blob SQLite's jsonb() makes of
// appendJSON's text of v, byte for byte: object members in the text's
// (sorted) order, headers as small as their payloads allow, numbers as
// their text (INT without '.' or exponent, else FLOAT), strings as TEXT
// when appendJSONString escapes nothing in them and as TEXTJ holding the
// escaped text otherwise. So the rows SQLite reads, indexes and answers
// json() of do not change; only the parse of the text moves off the
// writer connection. Values outside its types are errNotJSONB, values
// JSON cannot hold (NaN, infinities) an error.
func appendJSONB(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, jsonbNull), nil
	case bool:
		if x {
			return append(b, jsonbTrue), nil
		}
		return append(b, jsonbFalse), nil
	case string:
		return appendJSONBString(b, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, errors.New("encode JSONB: a number JSON cannot hold: " + strconv.FormatFloat(x, 'g', -1, 64))
		}
		return appendJSONBNumber(b, func(b []byte) []byte { return appendJSONFloat(b, x) }), nil
	case int:
		return appendJSONBNumber(b, func(b []byte) []byte { return strconv.AppendInt(b, int64(x), 10) }), nil
	case int64:
		return appendJSONBNumber(b, func(b []byte) []byte { return strconv.AppendInt(b, x, 10) }), nil
	case []any:
		if x == nil {
			return append(b, jsonbNull), nil
		}
		start := len(b)
		b = append(b, 0, 0, 0) // the header, fixed below
		for _, el := range x {
			var err error
			if b, err = appendJSONB(b, el); err != nil {
				return nil, err
			}
		}
		return closeJSONB(b, start, 3, jsonbArray), nil
	case []string:
		if x == nil {
			return append(b, jsonbNull), nil
		}
		start := len(b)
		b = append(b, 0, 0, 0)
		for _, el := range x {
			b = appendJSONBString(b, el)
		}
		return closeJSONB(b, start, 3, jsonbArray), nil
	case map[string]any:
		if x == nil {
			return append(b, jsonbNull), nil
		}
		var keyBuf [32]string
		keys := keyBuf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		start := len(b)
		b = append(b, 0, 0, 0)
		for _, k := range keys {
			b = appendJSONBString(b, k)
			var err error
			if b, err = appendJSONB(b, x[k]); err != nil {
				return nil, err
			}
		}
		return closeJSONB(b, start, 3, jsonbObject), nil
	case json.Number:
		if !json.Valid([]byte(x)) || x == "" || (x[0] != '-' && (x[0] < '0' || x[0] > '9')) {
			return nil, errNotJSONB
		}
		return appendJSONBNumber(b, func(b []byte) []byte { return append(b, x...) }), nil
	}
	return nil, errNotJSONB
}

// appendJSONBNumber appends a number whose JSON text text appends.
func appendJSONBNumber(b []byte, text func([]byte) []byte) []byte {
	start := len(b)
	b = text(append(b, 0))
	typ := byte(jsonbInt)
	for _, c := range b[start+1:] {
		if c == '.' || c == 'e' || c == 'E' {
			typ = jsonbFloat
			break
		}
	}
	return closeJSONB(b, start, 1, typ)
}

// appendJSONBString appends s as TEXT, or as TEXTJ holding
// appendJSONString's escapes when it needs any (every escape is longer
// than what it stands for, so the text's length tells).
func appendJSONBString(b []byte, s string) []byte {
	if plainJSONString(s) {
		n := len(s)
		switch {
		case n <= 11:
			b = append(b, byte(n)<<4|jsonbText)
		case n <= 0xff:
			b = append(b, 12<<4|jsonbText, byte(n))
		case n <= 0xffff:
			b = append(b, 13<<4|jsonbText, byte(n>>8), byte(n))
		default:
			return appendJSONBEscaped(b, s)
		}
		return append(b, s...)
	}
	return appendJSONBEscaped(b, s)
}

// plainJSONString reports whether appendJSONString writes s between its
// quotes as it is: no byte below 0x20, no '"', '\\', '<', '>' or '&',
// valid UTF-8 without U+2028 or U+2029 (E2 80 A8, E2 80 A9).
func plainJSONString(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			ascii = false
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return ascii || (utf8.ValidString(s) && !strings.Contains(s, "\u2028") && !strings.Contains(s, "\u2029"))
}

// appendJSONBEscaped is appendJSONBString for any s.
func appendJSONBEscaped(b []byte, s string) []byte {
	start := len(b)
	reserved := jsonbHeaderLen(len(s))
	b = append(b, make([]byte, reserved)...)
	b = appendJSONString(b, s)
	// appendJSONString quoted it: drop the quotes.
	open := start + reserved
	copy(b[open:], b[open+1:len(b)-1])
	b = b[:len(b)-2]
	typ := byte(jsonbText)
	if len(b)-open != len(s) {
		typ = jsonbTextJ
	}
	return closeJSONB(b, start, reserved, typ)
}

// jsonbHeaderLen is the length of the smallest header for a payload of
// size bytes.
func jsonbHeaderLen(size int) int {
	switch {
	case size <= 11:
		return 1
	case size <= 0xff:
		return 2
	case size <= 0xffff:
		return 3
	case size <= 0xffffffff:
		return 5
	}
	return 9
}

// closeJSONB writes the header of the element at b[start:], whose
// payload follows reserved header bytes, moving the payload when the
// smallest header for its size is of another length.
func closeJSONB(b []byte, start, reserved int, typ byte) []byte {
	size := len(b) - start - reserved
	need := jsonbHeaderLen(size)
	if need != reserved {
		end := len(b)
		if need > reserved {
			b = append(b, make([]byte, need-reserved)...)
		}
		copy(b[start+need:], b[start+reserved:end])
		b = b[:start+need+size]
	}
	switch need {
	case 1:
		b[start] = byte(size)<<4 | typ
	case 2:
		b[start], b[start+1] = 12<<4|typ, byte(size)
	case 3:
		b[start], b[start+1], b[start+2] = 13<<4|typ, byte(size>>8), byte(size)
	case 5:
		b[start] = 14<<4 | typ
		for i := range 4 {
			b[start+1+i] = byte(size >> (24 - 8*i))
		}
	default:
		b[start] = 15<<4 | typ
		for i := range 8 {
			b[start+1+i] = byte(uint64(size) >> (56 - 8*i))
		}
	}
	return b
}
