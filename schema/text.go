package schema

import (
	"unicode/utf8"
)

// Characters a record's text may not hold. Stored text is shown to other
// people: a NUL cuts it short in some clients and files, other control
// characters corrupt exports and terminals, and bidi overrides (U+202E)
// display text in another order than it is stored ("Trojan Source"), so
// that a file name or an amount reads as something else. Invalid UTF-8 is
// refused rather than replaced with U+FFFD, which would store something
// the sender did not send.
//
//   - every string value of every field must be valid UTF-8;
//   - single-line text (all string types but textarea and rich text,
//     list items and address parts included) may hold no control
//     character (U+0000–U+001F, U+007F–U+009F);
//   - textarea and rich text may hold line feed, carriage return and tab,
//     and no other control character;
//   - no text may hold a bidi embedding, override or isolate (U+202A–U+202E,
//     U+2066–U+2069). The marks U+200E and U+200F, which right-to-left text
//     needs, are allowed.
//
// Values of json fields are only checked for valid UTF-8.

// Codes of text problems, checked before the record schema.
const (
	CodeEncoding   = "encoding"
	CodeCharacters = "characters"
)

// textProblems checks the strings of a canonical value of f: the first
// problem of the field, or, for an address, the first of each part (its
// path "address.city"). Nil when there is none. With encodingOnly set,
// only text that is not UTF-8 is a problem.
func textProblems(f *Field, v any, encodingOnly bool) []FieldError {
	multiline := f.Type == TypeTextarea || f.Type == TypeRichText
	controls := f.Kind() != KindJSON && !encodingOnly
	if parts, ok := v.(map[string]any); ok && f.Kind() == KindAddress {
		var out []FieldError
		for _, k := range sortedKeys(parts) {
			path := f.Name + "." + k
			if !utf8.ValidString(k) {
				out = append(out, *encodingProblem(f.Name))
				continue
			}
			if s, ok := parts[k].(string); ok {
				if p := stringProblem(path, s, controls, multiline); p != nil {
					out = append(out, *p)
				}
			}
		}
		return out
	}
	var walk func(v any) *FieldError
	walk = func(v any) *FieldError {
		switch x := v.(type) {
		case string:
			return stringProblem(f.Name, x, controls, multiline)
		case []any:
			for _, e := range x {
				if p := walk(e); p != nil {
					return p
				}
			}
		case map[string]any:
			for k, e := range x {
				if !utf8.ValidString(k) {
					return encodingProblem(f.Name)
				}
				if p := walk(e); p != nil {
					return p
				}
			}
		}
		return nil
	}
	if p := walk(v); p != nil {
		return []FieldError{*p}
	}
	return nil
}

// EncodingProblems returns a problem with code "encoding" for every field
// of data (every part of an address) holding text that is not UTF-8. The
// engine calls it before scripts run, which would see such text with
// U+FFFD in place of the bad bytes; [Validator.Validate] reports the same
// problems.
func EncodingProblems(obj *Object, data map[string]any) []FieldError {
	var out []FieldError
	for _, name := range sortedKeys(data) {
		if f := obj.Field(name); f != nil {
			out = append(out, textProblems(f, data[name], true)...)
		}
	}
	return out
}

func stringProblem(field, s string, controls, multiline bool) *FieldError {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return encodingProblem(field)
			}
		}
		if !controls {
			continue
		}
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case r < 0x20 || (r >= 0x7F && r <= 0x9F):
			fe := NewFieldError(field, CodeCharacters, "value.controlCharacter", r)
			return &fe
		case (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
			fe := NewFieldError(field, CodeCharacters, "value.bidiCharacter", r)
			return &fe
		}
	}
	return nil
}

func encodingProblem(field string) *FieldError {
	fe := NewFieldError(field, CodeEncoding, "value.notUTF8")
	return &fe
}
