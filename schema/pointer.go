package schema

import (
	"net/url"
	"strconv"
	"strings"
)

// JSON pointers (RFC 6901). The jsonschema library writes locations with
// each token also URL-path-escaped; splitPointer undoes both escapes and
// pointer writes plain RFC 6901 pointers, which is what Problem.Path holds.

// splitPointer returns the unescaped tokens of a pointer ("" has none).
func splitPointer(p string) []string {
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[i+1:]
	}
	if p == "" {
		return nil
	}
	p = strings.TrimPrefix(p, "/")
	toks := strings.Split(p, "/")
	for i, t := range toks {
		if u, err := url.PathUnescape(t); err == nil {
			t = u
		}
		t = strings.ReplaceAll(t, "~1", "/")
		toks[i] = strings.ReplaceAll(t, "~0", "~")
	}
	return toks
}

// pointer joins tokens into an RFC 6901 pointer.
func pointer(toks ...string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}

// child appends tokens to pointer p.
func child(p string, toks ...string) string { return p + pointer(toks...) }

// resolve returns the value at the tokens in a decoded JSON document.
func resolve(doc any, toks []string) (any, bool) {
	cur := doc
	for _, t := range toks {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[t]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
