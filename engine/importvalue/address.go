package importvalue

import "strings"

// municipalities are the provincial-level cities: their province and
// city are the same name.
var municipalities = []string{"北京市", "天津市", "上海市", "重庆市", "北京", "天津", "上海", "重庆"}

// Address splits an address written in one cell into its parts: the
// province (…省, …自治区, …特别行政区, or a municipality, which is also the
// city), the city (…市, …自治州, …地区, …盟), the district (…区, …县, …旗,
// or a county-level …市) and the rest as the street. Parts it cannot find
// stay out; text with no part it knows is all street.
func Address(s string) map[string]any {
	s = strings.TrimFunc(s, isBlank)
	out := map[string]any{}
	rest := s
	for _, m := range municipalities {
		if strings.HasPrefix(rest, m) {
			name := m
			if !strings.HasSuffix(name, "市") {
				name += "市"
			}
			out["province"], out["city"] = name, name
			rest = strings.TrimPrefix(rest, m)
			rest = strings.TrimPrefix(rest, "市")
			break
		}
	}
	if _, ok := out["province"]; !ok {
		if p, r, ok := cutAfter(rest, "特别行政区", "自治区", "省"); ok {
			out["province"], rest = p, r
		}
	}
	if _, ok := out["city"]; !ok {
		if c, r, ok := cutAfter(rest, "自治州", "地区", "盟", "市"); ok {
			out["city"], rest = c, r
		}
	}
	if d, r, ok := cutAfter(rest, "区", "县", "旗", "市"); ok && d != "" {
		out["district"], rest = d, r
	}
	if rest = strings.TrimFunc(rest, isBlank); rest != "" {
		out["street"] = rest
	}
	return out
}

// cutAfter cuts s after the first of the suffixes found within its first
// twelve characters (a name of a region is short): the part up to and
// including it, and the rest.
func cutAfter(s string, suffixes ...string) (string, string, bool) {
	head := []rune(s)
	if len(head) > 12 {
		head = head[:12]
	}
	best := -1
	var found string
	for _, suf := range suffixes {
		if i := strings.Index(string(head), suf); i > 0 && (best < 0 || i < best) {
			best, found = i, suf
		}
	}
	if best < 0 {
		return "", s, false
	}
	end := best + len(found)
	return s[:end], s[end:], true
}
