package access

import (
	"strings"

	"github.com/crmkit/crm/schema"
)

// Member is a user as sharing sees them: whom they report to and their
// team.
type Member struct {
	Username string
	Manager  string // user name of the manager; "" for none
	Team     string // "" for none
}

// Circle is whose records one caller reaches through the management chain
// and its team, by owner id (user:NAME).
type Circle struct {
	Edit map[string]bool // the caller and everyone below it
	Read map[string]bool // Edit and the caller's team
}

// CircleOf computes the circle of the caller actorID among members. A
// caller that is not a user (an API key) reaches only its own records.
func CircleOf(actorID string, members []Member) Circle {
	c := Circle{Edit: map[string]bool{actorID: true}, Read: map[string]bool{actorID: true}}
	me, ok := strings.CutPrefix(actorID, "user:")
	if !ok {
		return c
	}
	reports := map[string][]string{}
	team := ""
	for _, m := range members {
		if m.Manager != "" {
			reports[m.Manager] = append(reports[m.Manager], m.Username)
		}
		if m.Username == me {
			team = m.Team
		}
	}
	for queue := []string{me}; len(queue) > 0; queue = queue[1:] {
		for _, r := range reports[queue[0]] {
			id := "user:" + r
			if !c.Edit[id] {
				c.Edit[id], c.Read[id] = true, true
				queue = append(queue, r)
			}
		}
	}
	if team != "" {
		for _, m := range members {
			if m.Team == team {
				c.Read["user:"+m.Username] = true
			}
		}
	}
	return c
}

// Sharing returns, for a restricted caller and an object shared as
// sharing (x-crm-sharing), the owners of the records it sees and those
// whose records it may change; nil means every record. circle is called
// only when the sharing needs it.
func Sharing(sharing string, circle func() Circle) (read, edit map[string]bool) {
	switch sharing {
	case schema.SharingReadOnly:
		return nil, circle().Edit
	case schema.SharingPrivate:
		c := circle()
		return c.Read, c.Edit
	}
	return nil, nil
}
