package graphql

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// upperFirst returns s with its first letter upper-cased: the GraphQL type
// name of an object ("deal" → "Deal").
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// irregularPlurals maps the last word of a name (lower case) to its plural.
var irregularPlurals = map[string]string{
	"person": "people",
	"child":  "children",
	"man":    "men",
	"woman":  "women",
	"foot":   "feet",
	"tooth":  "teeth",
	"mouse":  "mice",
	"goose":  "geese",
	"leaf":   "leaves",
	"life":   "lives",
	"knife":  "knives",
	"wife":   "wives",
	"half":   "halves",
	"shelf":  "shelves",
	"thief":  "thieves",
	"datum":  "data",
	"medium": "media",
}

// uncountables are words whose plural is the singular (lower case).
var uncountables = map[string]bool{
	"data": true, "equipment": true, "feedback": true, "information": true,
	"inventory": true, "media": true, "metadata": true, "news": true,
	"series": true, "sheep": true, "fish": true, "species": true, "staff": true,
	"software": true, "hardware": true, "stuff": true, "aircraft": true,
	"people": true, "personnel": true,
}

// plural returns the English plural of a camelCase name: the last word is
// inflected ("opportunity" → "opportunities", "salesPerson" →
// "salesPeople"). Uncountable words come back unchanged.
func plural(name string) string {
	if name == "" {
		return name
	}
	// The last word starts at the last upper-case letter.
	start := 0
	for i, r := range name {
		if unicode.IsUpper(r) {
			start = i
		}
	}
	head, last := name[:start], name[start:]
	lower := strings.ToLower(last)
	if uncountables[lower] {
		return name
	}
	if p, ok := irregularPlurals[lower]; ok {
		if last != lower { // keep the capital of a camelCase word
			p = upperFirst(p)
		}
		return head + p
	}
	switch {
	case strings.HasSuffix(lower, "s"), strings.HasSuffix(lower, "x"), strings.HasSuffix(lower, "z"),
		strings.HasSuffix(lower, "ch"), strings.HasSuffix(lower, "sh"):
		return name + "es"
	case strings.HasSuffix(lower, "y") && len(lower) > 1 && !isVowel(lower[len(lower)-2]):
		return name[:len(name)-1] + "ies"
	}
	return name + "s"
}

func isVowel(b byte) bool {
	switch b {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// listName is the name of an object's root list field: its plural, or
// "<name>List" when the plural equals the singular.
func listName(name string) string {
	if p := plural(name); p != name {
		return p
	}
	return name + "List"
}
