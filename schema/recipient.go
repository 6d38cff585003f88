package schema

import "strings"

// Recipient kinds of a notify action (x-crm-automations actions of type
// "notify", "recipients"): "user:NAME", "role:NAME", "team:NAME", "owner"
// (the record's owner) and "manager" (the owner's manager). NAME may hold
// {{field}} placeholders, filled from the record when the action runs:
// "user:{{consultant}}" is the user whose user name (or, when no user has
// that name, whose display name) the record's consultant field holds.
const (
	RecipientUser    = "user"
	RecipientRole    = "role"
	RecipientTeam    = "team"
	RecipientOwner   = "owner"
	RecipientManager = "manager"
)

// ParseRecipient splits a notify action's recipient into its kind and
// value; ok is false for anything else, such as the free-text names that
// notify actions took before recipients were typed.
func ParseRecipient(s string) (kind, value string, ok bool) {
	s = strings.TrimSpace(s)
	switch s {
	case RecipientOwner, RecipientManager:
		return s, "", true
	}
	kind, value, found := strings.Cut(s, ":")
	value = strings.TrimSpace(value)
	if !found || value == "" || len(value) > 200 {
		return "", "", false
	}
	switch kind {
	case RecipientUser, RecipientRole, RecipientTeam:
		return kind, value, true
	}
	return "", "", false
}
