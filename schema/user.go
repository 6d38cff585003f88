package schema

import (
	"regexp"
	"strings"
)

// UserPrefix starts the stored value of a user field and a record's
// ownerId: "user:USERNAME".
const UserPrefix = "user:"

// usernamePattern is the form of a user name (engine/identity checks the
// same when a user is created).
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// CurrentUser, given as the value of a user field (in a write, as its
// default, in an automation's setFields) or compared with one in a
// filter, stands for the user who acts or views: the engine puts their
// id ("user:NAME") in its place.
const CurrentUser = "$user"

// UserID returns the stored form of the user named username:
// "user:USERNAME".
func UserID(username string) string { return UserPrefix + username }

// IsUserID reports whether s has the stored form of a user field's value,
// "user:" and a well-formed user name. It says nothing of whether that
// user exists.
func IsUserID(s string) bool {
	name, ok := strings.CutPrefix(s, UserPrefix)
	return ok && usernamePattern.MatchString(name)
}

// userProblem is the problem of a user field's value that is not in the
// stored form, or nil. The engine turns the user names and display names
// writes give into that form before it validates; what reaches the
// validator otherwise names nobody.
func userProblem(f *Field, v any) *FieldError {
	s, ok := v.(string)
	if f.Type != TypeUser || !ok || s == "" || IsUserID(s) {
		return nil
	}
	fe := NewFieldError(f.Name, CodeUser, "field.userNotFound", s)
	return &fe
}
