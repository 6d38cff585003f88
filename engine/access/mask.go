package access

import "strings"

// Mask hides the middle of a value shown to a role that may see only part
// of it: 13812345678 → 138****5678, 110101199003071234 →
// 110***********1234, zhang.san@example.com → z***@example.com.
func Mask(s string) string {
	if local, domain, ok := strings.Cut(s, "@"); ok && local != "" && domain != "" {
		r := []rune(local)
		return string(r[0]) + "***@" + domain
	}
	r := []rune(s)
	n := len(r)
	keep := func(head, tail int) string {
		return string(r[:head]) + strings.Repeat("*", n-head-tail) + string(r[n-tail:])
	}
	switch {
	case n >= 11:
		return keep(3, 4)
	case n >= 7:
		return keep(2, 2)
	case n >= 3:
		return keep(1, 1)
	}
	return strings.Repeat("*", n)
}
