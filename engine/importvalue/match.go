package importvalue

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/crmkit/crm/schema"
)

// IDColumn is the Field of a column of record ids ("id", "ID", "记录ID"):
// no field is called id.
const IDColumn = "id"

// Column is what a file's column is read as: a field, a part of an
// address field, or the records' ids (IDColumn); empty when it matches
// nothing.
type Column struct {
	Field string // the field's name
	Part  string // an address part ("province"), or ""
}

// Target returns the column's dotted target ("address.province"), or the
// field's name.
func (c Column) Target() string {
	if c.Part == "" {
		return c.Field
	}
	return c.Field + "." + c.Part
}

// MatchColumns matches each header to a field that clients may set (or
// to IDColumn), by
// the field's name, its Chinese or English label, or for an address part
// "<label>（<part label>）", "<label>-<part label>", "<name>.<part>" or the
// part's label alone when the object has one address field. Case, width
// (full-width letters and brackets), spaces and punctuation do not
// matter. A field is matched by at most one column: the first.
func MatchColumns(obj *schema.Object, header []string) []Column {
	names := map[string]Column{}
	addresses := 0
	for _, f := range obj.Fields {
		if f != nil && settable(f) && f.Kind() == schema.KindAddress {
			addresses++
		}
	}
	add := func(key string, c Column) {
		if k := fold(key); k != "" {
			if _, taken := names[k]; !taken {
				names[k] = c
			}
		}
	}
	for _, f := range obj.Fields {
		if f == nil || !settable(f) {
			continue
		}
		for _, key := range []string{f.Name, f.Label.Zh, f.Label.En} {
			add(key, Column{Field: f.Name})
		}
		if f.Kind() != schema.KindAddress {
			continue
		}
		for _, part := range schema.AddressParts {
			pl := schema.AddressPartLabels[part]
			c := Column{Field: f.Name, Part: part}
			for _, base := range []string{f.Name, f.Label.Zh, f.Label.En} {
				for _, p := range []string{part, pl.Zh, pl.En} {
					add(base+" "+p, c) // "地址（省份）", "address.province": punctuation folds away
				}
			}
			if addresses == 1 {
				add(pl.Zh, c)
				add(pl.En, c)
			}
		}
	}
	for _, key := range []string{"id", "记录id", "recordid"} {
		add(key, Column{Field: IDColumn})
	}
	out := make([]Column, len(header))
	used := map[Column]bool{}
	for i, h := range header {
		c, ok := names[fold(h)]
		if ok && !used[c] {
			out[i] = c
			used[c] = true
		}
	}
	return out
}

// settable reports a field clients may give a value.
func settable(f *schema.Field) bool { return !f.Hidden && !f.ReadOnly() }

// fold is the form in which headers and labels are compared: narrow,
// lower case, without spaces and punctuation. A text already in that form
// (most labels and option values) is returned as it is, with no copy:
// imports fold every option of a picklist for each of its cells.
func fold(s string) string {
	s = strings.ToLower(narrow(s)) // s itself when nothing changes
	kept := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			kept = false
			break
		}
	}
	if kept {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// narrow is width.Narrow.String(s), without its copy when no rune of s
// has a narrow form.
func narrow(s string) string {
	for _, r := range s {
		if r >= utf8.RuneSelf && width.LookupRune(r).Narrow() != 0 {
			return width.Narrow.String(s)
		}
	}
	return s
}
