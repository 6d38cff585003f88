package schema

import (
	"strings"
	"unicode/utf8"
)

// Canonical forms of the Chinese identifier formats. One number written
// several ways must be stored one way, or a unique field holds it twice
// ("11010519491231002x" and "…002X"): values are rewritten before they are
// checked and stored, and filter values on such fields are rewritten the
// same way so that a search finds what was stored.
//
//   - cn-mobile: spaces, hyphens and dots go, and so does a country code
//     (+86, 0086, 86) before the 11 digits: "+86 138-0013-8000" is
//     "13800138000";
//   - cn-resident-id: spaces go and the check character is upper-case;
//   - cn-uscc: spaces go and letters are upper-case.
//
// Full-width digits, letters, "+" and the ideographic space, which Chinese
// input methods produce, count as their ASCII forms in all three. A value
// that does not become a valid number is left as it was, so its error
// quotes what the user typed.

// CanonicalValue returns v in the canonical form of f's format, or v as it
// is for other fields and values that are not strings.
func CanonicalValue(f *Field, v any) any {
	s, ok := v.(string)
	if !ok || f == nil {
		return v
	}
	switch f.Format {
	case FormatCNMobile:
		return canonicalMobile(s)
	case FormatCNResidentID:
		return canonicalID(s, isCNResidentID)
	case FormatCNUSCC:
		return canonicalID(s, isCNUSCC)
	}
	return v
}

// halfWidth maps full-width ASCII forms (U+FF01–U+FF5E) to ASCII and the
// ideographic space to a space, dropping the separators in drop.
func halfWidth(s, drop string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFF01 - '!'
		case r == 0x3000:
			r = ' '
		}
		if r < utf8.RuneSelf && strings.IndexByte(drop, byte(r)) >= 0 {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func canonicalMobile(s string) string {
	c := halfWidth(s, " -.\t()")
	for _, prefix := range []string{"+86", "0086", "86"} {
		if rest, ok := strings.CutPrefix(c, prefix); ok && len(rest) == 11 && isCNMobile(rest) {
			c = rest
			break
		}
	}
	if isCNMobile(c) {
		return c
	}
	return s
}

func canonicalID(s string, valid func(any) bool) string {
	c := strings.ToUpper(halfWidth(s, " -\t"))
	if valid(c) {
		return c
	}
	return s
}
