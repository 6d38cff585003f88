package schema

import (
	"math"
	"strings"
	"time"
)

// Normalize returns data in canonical stored form, as a new map (data is
// not changed):
//   - nulls are removed, and so are empty strings (after trimming), empty
//     lists and empty addresses of optional fields;
//   - strings of text, email, phone, url, picklist, lookup, date and
//     datetime fields are trimmed of surrounding white space;
//   - datetimes (RFC 3339, any offset) become DateTimeLayout in UTC;
//   - cn-mobile, cn-resident-id and cn-uscc values take their canonical
//     form (see [CanonicalValue]);
//   - numbers become float64 (json.Number and Go integers included), and
//     integer fields hold whole numbers;
//   - multipicklist and multilookup lists lose duplicates, keeping the
//     first of each;
//   - address parts are trimmed and empty ones removed.
//
// Call it after [Validator.Validate]: values Validate would refuse are
// passed through as they are. Fields obj does not declare are copied.
func Normalize(obj *Object, data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for name, v := range data {
		var f *Field
		if obj != nil {
			f = obj.Field(name)
		}
		cv, ok := canonical(v)
		if !ok {
			out[name] = v
			continue
		}
		if cv == nil {
			continue
		}
		if f == nil {
			out[name] = cv
			continue
		}
		cv = normalizeValue(f, CanonicalValue(f, trimValue(f, cv)))
		if !f.Required && blank(cv) {
			continue
		}
		out[name] = cv
	}
	return out
}

func normalizeValue(f *Field, v any) any {
	switch f.Kind() {
	case KindDateTime:
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s)); err == nil {
				return t.UTC().Format(DateTimeLayout)
			}
		}
	case KindInteger:
		if n, ok := v.(float64); ok {
			return math.Round(n)
		}
	case KindStringList, KindLookupList:
		if l, ok := v.([]any); ok {
			return dedupe(l)
		}
	case KindAddress:
		if m, ok := v.(map[string]any); ok {
			for k, p := range m {
				if s, ok := p.(string); ok && s == "" {
					delete(m, k) // m is a copy made by trimValue
				}
			}
			return m
		}
	}
	return v
}

// dedupe returns l without repeated strings, keeping the first of each.
func dedupe(l []any) []any {
	seen := make(map[string]bool, len(l))
	out := make([]any, 0, len(l))
	for _, e := range l {
		if s, ok := e.(string); ok {
			if seen[s] {
				continue
			}
			seen[s] = true
		}
		out = append(out, e)
	}
	return out
}
