package engine

import (
	"net/mail"
	"regexp"
	"strings"
)

// A user's e-mail address and mobile number, where notifications reach
// them outside the app. Both are optional; a value that is set must be
// one that a channel can use.

const maxEmailBytes = 254 // RFC 5321's limit on a forward path

// mobilePattern is a phone number once spaces and hyphens are gone: an
// optional "+" and country code, then 6–15 digits (E.164 allows 15).
var mobilePattern = regexp.MustCompile(`^\+?[0-9]{6,15}$`)

// checkContacts normalises u's e-mail address (trimmed) and mobile number
// (trimmed, without spaces or hyphens) and refuses values no channel can
// use.
func checkContacts(u *User) error {
	u.Email = strings.TrimSpace(u.Email)
	if u.Email != "" {
		a, err := mail.ParseAddress(u.Email)
		if len(u.Email) > maxEmailBytes || err != nil || a.Address != u.Email || !strings.Contains(u.Email[strings.LastIndexByte(u.Email, '@')+1:], ".") {
			return errorOf(ErrBadRequest, err, "user.badEmail", u.Email)
		}
	}
	m := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(u.Mobile))
	if m != "" && !mobilePattern.MatchString(m) {
		return errorOf(ErrBadRequest, nil, "user.badMobile", u.Mobile)
	}
	u.Mobile = m
	return nil
}
