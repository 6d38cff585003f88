package identity

import (
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Entry is a user as the directory shows them.
type Entry struct {
	Username string
	// DisplayName is the user's name as shown; the user name when none
	// is set.
	DisplayName string
	Team        string
}

// Directory is a tenant's active users in display-name order, for any
// signed-in caller to find a user by name.
type Directory struct {
	entries []Entry
	folded  []string // lower-cased "username\x00display name" of each entry
}

// NewDirectory orders entries for the directory, giving an entry without
// a display name its user name.
func NewDirectory(entries []Entry) *Directory {
	d := &Directory{entries: entries}
	for i := range d.entries {
		if d.entries[i].DisplayName == "" {
			d.entries[i].DisplayName = d.entries[i].Username
		}
	}
	// Chinese names in pinyin order (the order of Chinese address books),
	// Latin ones alphabetically; user names break ties.
	c := collate.New(language.Chinese, collate.IgnoreCase)
	slices.SortFunc(d.entries, func(a, b Entry) int {
		if n := c.CompareString(a.DisplayName, b.DisplayName); n != 0 {
			return n
		}
		return strings.Compare(a.Username, b.Username)
	})
	d.folded = make([]string, len(d.entries))
	for i, e := range d.entries {
		d.folded[i] = strings.ToLower(e.Username + "\x00" + e.DisplayName)
	}
	return d
}

// Search returns, in directory order, at most first entries whose user
// name or display name contains search (case-insensitive, surrounding
// spaces ignored; "" matches everyone); never nil.
func (d *Directory) Search(search string, first int) []Entry {
	needle := strings.ToLower(strings.TrimSpace(search))
	out := []Entry{}
	for i, entry := range d.entries {
		if len(out) == first {
			break
		}
		if needle == "" || strings.Contains(d.folded[i], needle) {
			out = append(out, entry)
		}
	}
	return out
}
