package engine

import (
	"context"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// The user directory: what every signed-in caller may know of the
// tenant's active users — to show an owner's name beside user:NAME, or to
// pick the new owner of a record. Administrators have the whole user
// records (Users).

// DirectoryEntry is a user as the directory shows them.
type DirectoryEntry struct {
	Username string
	// DisplayName is the user's name as shown; the user name when none
	// is set.
	DisplayName string
	Team        string
}

// DefaultDirectorySize is how many entries UserDirectory returns when
// first is zero.
const DefaultDirectorySize = 50

// maxDirectorySearch bounds the search text, in characters.
const maxDirectorySearch = 100

// directory is the snapshot's active users in display-name order, made
// once per metadata revision (user changes bump it).
type directory struct {
	once    sync.Once
	entries []DirectoryEntry
	folded  []string // lower-cased "username\x00display name" of each entry
}

func (s *snapshot) directory() *directory {
	d := &s.dir
	d.once.Do(func() {
		for _, u := range s.users {
			if !u.Active {
				continue
			}
			e := DirectoryEntry{Username: u.Username, DisplayName: u.DisplayName, Team: u.Team}
			if e.DisplayName == "" {
				e.DisplayName = u.Username
			}
			d.entries = append(d.entries, e)
		}
		// Chinese names in pinyin order (the order of Chinese address
		// books), Latin ones alphabetically; user names break ties.
		c := collate.New(language.Chinese, collate.IgnoreCase)
		slices.SortFunc(d.entries, func(a, b DirectoryEntry) int {
			if n := c.CompareString(a.DisplayName, b.DisplayName); n != 0 {
				return n
			}
			return strings.Compare(a.Username, b.Username)
		})
		d.folded = make([]string, len(d.entries))
		for i, e := range d.entries {
			d.folded[i] = strings.ToLower(e.Username + "\x00" + e.DisplayName)
		}
	})
	return d
}

// UserDirectory lists the tenant's active users for any signed-in caller
// (users and API keys), in display-name order: those whose user name or
// display name contains search (case-insensitive; "" matches everyone),
// at most first (1–100; zero means [DefaultDirectorySize]).
func (e *Engine) UserDirectory(ctx context.Context, search string, first int) ([]DirectoryEntry, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	snap := sc.snap
	if first == 0 {
		first = DefaultDirectorySize
	}
	if first < 1 || first > MaxPageSize {
		return nil, errorOf(ErrBadRequest, nil, "page.firstOutOfRange", MaxPageSize)
	}
	if n := len([]rune(search)); n > maxDirectorySearch {
		return nil, errorOf(ErrBadRequest, nil, "directory.searchTooLong", n, maxDirectorySearch)
	}
	d := snap.directory()
	needle := strings.ToLower(strings.TrimSpace(search))
	out := []DirectoryEntry{}
	for i, entry := range d.entries {
		if len(out) == first {
			break
		}
		if needle == "" || strings.Contains(d.folded[i], needle) {
			out = append(out, entry)
		}
	}
	return out, nil
}
