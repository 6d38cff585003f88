package apiname

import (
	"strings"
	"unicode"
)

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

// Plural returns the English plural of a camelCase name: the last word is
// inflected ("opportunity" → "opportunities", "salesPerson" →
// "salesPeople"). Uncountable words come back unchanged.
func Plural(name string) string {
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
			p = UpperFirst(p)
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
