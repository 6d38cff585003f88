package engine

import (
	"context"
	"sync"

	"github.com/crmkit/crm/engine/identity"
)

// The user directory: what every signed-in caller may know of the
// tenant's active users — to show an owner's name beside user:NAME, or to
// pick the new owner of a record. Administrators have the whole user
// records (Users).

// DirectoryEntry is a user as the directory shows them; see
// [identity.Entry].
type DirectoryEntry = identity.Entry

// DefaultDirectorySize is how many entries UserDirectory returns when
// first is zero.
const DefaultDirectorySize = 50

// maxDirectorySearch bounds the search text, in characters.
const maxDirectorySearch = 100

// directory is the snapshot's active users in display-name order, made
// once per metadata revision (user changes bump it).
type directory struct {
	once sync.Once
	dir  *identity.Directory
}

func (s *snapshot) directory() *identity.Directory {
	d := &s.dir
	d.once.Do(func() {
		var entries []DirectoryEntry
		for _, u := range s.users {
			if u.Active {
				entries = append(entries, DirectoryEntry{Username: u.Username, DisplayName: u.DisplayName, Team: u.Team})
			}
		}
		d.dir = identity.NewDirectory(entries)
	})
	return d.dir
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
	return snap.directory().Search(search, first), nil
}
