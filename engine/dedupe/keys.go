package dedupe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm/schema"
)

// Key is one match key of a record under a rule: Key is what an index
// finds (the whole normalised value of an exact rule, a blocking key of a
// fuzzy one), Value what is compared (the normalised name of a fuzzy rule;
// Key otherwise).
type Key struct {
	Key   string
	Value string
}

// sep joins the parts of a rule with several fields; it is never part of
// a normalised value (control characters are dropped or refused).
const sep = "\x1f"

// Keys returns the keys of data under rule: none when a matched field is
// empty or normalises to nothing. An exact or normalized rule has one
// key (its fields' values joined); a fuzzy rule has blocking keys (see
// [Blocks]).
func Keys(rule *schema.DuplicateRule, data map[string]any) []Key {
	parts := make([]string, 0, len(rule.Match))
	for _, m := range rule.Match {
		s := valueText(data[m.Field])
		if m.Method != schema.MatchExact {
			s = Normalize(m.Normalizer, s)
		} else {
			s = cut(strings.TrimSpace(s))
		}
		if s == "" {
			return nil
		}
		parts = append(parts, s)
	}
	if rule.Fuzzy() {
		var out []Key
		for _, b := range Blocks(parts[0]) {
			out = append(out, Key{Key: b, Value: parts[0]})
		}
		return out
	}
	k := strings.Join(parts, sep)
	return []Key{{Key: k, Value: k}}
}

// valueText is the text of a stored value: a string as it is, a number or
// boolean written out, anything else "".
func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64, bool, int, int64:
		return fmt.Sprint(x)
	}
	return ""
}

// Blocks returns the blocking keys of a normalised name: its first two
// characters and its last two ("f:华为", "l:技术"; three letters for
// names in Latin letters), so that a name with a typo at one end still
// shares a key with the right one. A name shorter than a block is its own
// key.
func Blocks(v string) []string {
	runes := []rune(v)
	n := 2
	if len(runes) > 0 && runes[0] < unicode.MaxLatin1 {
		n = 3
	}
	if len(runes) <= n {
		return []string{"f:" + v}
	}
	first, last := "f:"+string(runes[:n]), "l:"+string(runes[len(runes)-n:])
	return []string{first, last}
}

// Similarity is the Sørensen–Dice coefficient of the character bigrams
// of two normalised names, between 0 (nothing shared) and 1 (the same
// bigrams): 华为技术 and 华为科技 share one bigram of three each, 0.33;
// 华为技术 and 华为技术股份 three of three and five, 0.75. Names of one
// character are similar only when equal.
func Similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) < 2 || len(rb) < 2 {
		return 0
	}
	counts := make(map[[2]rune]int, len(ra))
	for i := 0; i+1 < len(ra); i++ {
		counts[[2]rune{ra[i], ra[i+1]}]++
	}
	shared := 0
	for i := 0; i+1 < len(rb); i++ {
		k := [2]rune{rb[i], rb[i+1]}
		if counts[k] > 0 {
			counts[k]--
			shared++
		}
	}
	return 2 * float64(shared) / float64(len(ra)-1+len(rb)-1)
}

// Matches reports whether two values of a rule's key match: equal, or for
// a fuzzy rule at least the rule's threshold similar; score is the
// similarity (1 for equal values).
func Matches(rule *schema.DuplicateRule, a, b string) (score float64, ok bool) {
	if a == b {
		return 1, true
	}
	if !rule.Fuzzy() {
		return 0, false
	}
	s := Similarity(a, b)
	return s, s >= rule.Threshold
}

// Display turns a key back into words for people: the parts of a
// composite key joined with " + ", a blocking prefix removed.
func Display(key string) string {
	if len(key) > 2 && key[1] == ':' && (key[0] == 'f' || key[0] == 'l') {
		key = key[2:]
	}
	if !utf8.ValidString(key) {
		return ""
	}
	return strings.ReplaceAll(key, sep, " + ")
}
