package schema

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Formats of our own, registered on every compiler this package creates
// (never on the jsonschema package's global registry). A format function
// gets any JSON value and, as JSON Schema wants, accepts values that are not
// strings: "type" reports those.
const (
	// FormatPhone is a permissive telephone number: digits, spaces, "-",
	// parentheses and a leading "+", 5 to 20 characters with at least 5
	// digits.
	FormatPhone = "phone"
	// FormatCNMobile is a mainland China mobile number: 11 digits, 1[3-9]….
	FormatCNMobile = "cn-mobile"
	// FormatCNLandline is a mainland China landline number: area code
	// 0 + 2–3 digits, an optional "-", 7–8 digits, an optional extension
	// ("-123", "转123", "#123", "ext123", "x123").
	FormatCNLandline = "cn-landline"
	// FormatCNResidentID is an 18-character resident identity card number
	// (GB 11643-1999): valid birth date and ISO 7064 MOD 11-2 check
	// character (0–9 or X).
	FormatCNResidentID = "cn-resident-id"
	// FormatCNUSCC is an 18-character unified social credit code
	// (GB 32100-2015) with its check character.
	FormatCNUSCC = "cn-uscc"
	// FormatURI, the format of url fields, is narrower here than in JSON
	// Schema: an absolute http or https URL with a host, at most 2,048
	// characters, without spaces or control characters. Other schemes
	// ("javascript:", "data:", "file:") are refused, because a url field's
	// value becomes a link that users click.
	FormatURI = "uri"
)

// maxURLLength is the longest url field value accepted.
const maxURLLength = 2048

// customFormats are registered on each compiler.
var customFormats = map[string]func(any) bool{
	FormatPhone:        isPhone,
	FormatCNMobile:     isCNMobile,
	FormatCNLandline:   isCNLandline,
	FormatCNResidentID: isCNResidentID,
	FormatCNUSCC:       isCNUSCC,
	FormatURI:          isWebURL,
}

func isWebURL(v any) bool {
	s, ok := v.(string)
	if !ok {
		return true
	}
	if len(s) > maxURLLength || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.Hostname() == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}

func isPhone(v any) bool {
	s, ok := v.(string)
	if !ok {
		return true
	}
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ' || c == '-' || c == '(' || c == ')':
		case c == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 5
}

var (
	cnMobileRE   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	cnLandlineRE = regexp.MustCompile(`^0[0-9]{2,3}-?[0-9]{7,8}(?:(?:-|转|#|ext\.?|x)[0-9]{1,6})?$`)
)

func isCNMobile(v any) bool {
	s, ok := v.(string)
	return !ok || cnMobileRE.MatchString(s)
}

func isCNLandline(v any) bool {
	s, ok := v.(string)
	return !ok || cnLandlineRE.MatchString(s)
}

// residentWeights are 2^(17-i) mod 11 (ISO 7064 MOD 11-2).
var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const residentCheck = "10X98765432"

// now is the clock of the birth-date check; overridable in tests.
var now = time.Now

func isCNResidentID(v any) bool {
	s, ok := v.(string)
	if !ok {
		return true
	}
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * residentWeights[i]
	}
	if s[0] == '0' {
		return false // no region code starts with 0
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1800 || birth.After(now()) {
		return false
	}
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	return last == residentCheck[sum%11]
}

// usccAlphabet is the character set of unified social credit codes: digits
// and upper-case letters without I, O, Z, S and V.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^i mod 31.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

func isCNUSCC(v any) bool {
	s, ok := v.(string)
	if !ok {
		return true
	}
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		n := strings.IndexByte(usccAlphabet, s[i])
		if n < 0 {
			return false
		}
		sum += n * usccWeights[i]
	}
	check := (31 - sum%31) % 31
	return s[17] == usccAlphabet[check]
}

// IsWebURL reports whether s is an absolute http or https URL that url
// fields accept (see [FormatURI]).
func IsWebURL(s string) bool {
	return s != "" && isWebURL(s)
}
