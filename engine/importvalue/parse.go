package importvalue

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
)

// Problem is why a cell's text is not a value of its field: Code names
// it for the engine's messages (importValue.<Code>), Text is the cell as
// written.
type Problem struct {
	Code string
	Text string
}

// Problem codes.
const (
	NotNumber   = "notNumber"   // not a number, an amount or a percentage
	NotInteger  = "notInteger"  // a number with a fraction for an integer field
	NotBoolean  = "notBoolean"  // none of the words for yes and no
	NotDate     = "notDate"     // no date in a known form, or no such day
	NotDateTime = "notDateTime" // no date and time in a known form
	NoOption    = "noOption"    // no option of the picklist has that value or label
	NotJSON     = "notJSON"     // a JSON field's text is not JSON
)

// Parse reads text as a value of f, in the shape records hold (string,
// float64, bool, []any, map[string]any; dates "2006-01-02", date-times
// in [schema.DateTimeLayout], UTC, read in zone when they carry no
// offset). An empty cell (after trimming) is nil with no problem: the
// caller decides whether it clears the field or leaves it. Lookups are
// the trimmed text (or texts, split) for the caller to resolve; an
// address cell is split into its parts.
func Parse(f *schema.Field, text string, zone *time.Location) (any, *Problem) {
	t := strings.TrimFunc(text, isBlank)
	if t == "" {
		return nil, nil
	}
	problem := func(code string) (any, *Problem) { return nil, &Problem{Code: code, Text: t} }
	switch f.Kind() {
	case schema.KindNumber:
		n, ok := number(t, f.Type == schema.TypePercent)
		if !ok {
			return problem(NotNumber)
		}
		return n, nil
	case schema.KindInteger:
		n, ok := number(t, false)
		switch {
		case !ok:
			return problem(NotNumber)
		case n != math.Trunc(n):
			return problem(NotInteger)
		}
		return n, nil
	case schema.KindBoolean:
		b, ok := boolean(t)
		if !ok {
			return problem(NotBoolean)
		}
		return b, nil
	case schema.KindDate:
		d, ok := date(t)
		if !ok {
			return problem(NotDate)
		}
		return d, nil
	case schema.KindDateTime:
		d, ok := dateTime(t, zone)
		if !ok {
			return problem(NotDateTime)
		}
		return d, nil
	case schema.KindString:
		if len(f.Options) == 0 {
			return t, nil
		}
		v, ok := option(f, t)
		if !ok {
			return problem(NoOption)
		}
		return v, nil
	case schema.KindStringList:
		var out []any
		for _, part := range split(t) {
			v := part
			if len(f.Options) > 0 {
				var ok bool
				if v, ok = option(f, part); !ok {
					return nil, &Problem{Code: NoOption, Text: part}
				}
			}
			out = append(out, v)
		}
		return out, nil
	case schema.KindLookupList:
		var out []any
		for _, part := range split(t) {
			out = append(out, part)
		}
		return out, nil
	case schema.KindAddress:
		return Address(t), nil
	case schema.KindJSON:
		return problem(NotJSON) // JSON is not typed into spreadsheets; the engine reads it as JSON first
	}
	return t, nil // lookups and the rest: the text
}

// isBlank is what trimming takes off a cell.
func isBlank(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000' || r == '\u00a0' || r == '\u200b' || r == '\ufeff'
}

// number reads a number as written in a spreadsheet: full-width digits,
// ¥ ￥ $ and RMB before it, 元 after, thousands separators, a trailing
// 万 or 亿, a sign or accounting brackets; "12.5%" is 12.5 for a percent
// field and 0.125 for any other.
func number(s string, percentField bool) (float64, bool) {
	s = narrow(s)
	s = strings.ReplaceAll(s, " ", "")
	negative := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		negative, s = true, s[1:len(s)-1]
	}
	if strings.HasPrefix(s, "-") {
		negative, s = !negative, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	for _, prefix := range []string{"¥", "RMB", "CNY", "$", "US$", "€"} {
		s = strings.TrimPrefix(s, prefix)
	}
	if strings.HasPrefix(s, "-") { // ¥-1,200
		negative, s = !negative, s[1:]
	}
	s = strings.TrimSuffix(s, "元")
	scale := 1.0
	switch {
	case strings.HasSuffix(s, "%"):
		s = strings.TrimSuffix(s, "%")
		if !percentField {
			scale = 0.01
		}
	case strings.HasSuffix(s, "万"):
		s, scale = strings.TrimSuffix(s, "万"), 1e4
	case strings.HasSuffix(s, "亿"):
		s, scale = strings.TrimSuffix(s, "亿"), 1e8
	}
	if !thousands(s) {
		return 0, false
	}
	s = strings.ReplaceAll(s, ",", "")
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) || strings.ContainsAny(s, "eEnNxXpP_") {
		return 0, false
	}
	n *= scale
	if scale != 1 {
		n = math.Round(n*1e8) / 1e8 // 1.2万 is 12000, not 12000.000000000002
	}
	if negative {
		n = -n
	}
	return n, true
}

// thousands reports whether the commas of s, if any, separate groups of
// three digits in its integer part ("1,200.5"; not "1,2" or "12,00").
func thousands(s string) bool {
	whole, _, _ := strings.Cut(s, ".")
	if !strings.Contains(whole, ",") {
		return !strings.Contains(s, ",")
	}
	groups := strings.Split(whole, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

// boolean reads the words for yes and no.
func boolean(s string) (bool, bool) {
	switch strings.ToLower(narrow(s)) {
	case "是", "对", "真", "有", "y", "yes", "true", "t", "1", "√", "✓", "✔":
		return true, true
	case "否", "错", "假", "无", "n", "no", "false", "f", "0", "×", "✗", "✘":
		return false, true
	}
	return false, false
}

// dateLayouts are the date forms [date] reads, after full-width digits
// and 年/月/日 are made ASCII ("2026年3月1日" → "2026-3-1").
var dateLayouts = []string{"2006-1-2", "2006/1/2", "2006.1.2", "20060102"}

// date reads a date: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日,
// 20260301, or one of those with a midnight time after it (what a
// spreadsheet shows for a date cell).
func date(s string) (string, bool) {
	s = dateText(s)
	if d, rest, ok := strings.Cut(s, " "); ok && (rest == "00:00:00" || rest == "00:00" || rest == "0:00") {
		s = d
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(schema.DateLayout), true
		}
	}
	return "", false
}

// dateTimeLayouts are the date-time forms [dateTime] reads without an
// offset, in the zone; RFC 3339 (with an offset) is read too.
var dateTimeLayouts = []string{
	"2006-1-2 15:04:05", "2006-1-2 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04",
	"2006.1.2 15:04:05", "2006.1.2 15:04", "2006-1-2T15:04:05", "2006-1-2T15:04",
}

// dateTime reads a date and time; a date alone is its midnight in zone.
func dateTime(s string, zone *time.Location) (string, bool) {
	s = dateText(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format(schema.DateTimeLayout), true
	}
	for _, layout := range dateTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t.UTC().Format(schema.DateTimeLayout), true
		}
	}
	if d, ok := date(s); ok {
		t, _ := time.ParseInLocation(schema.DateLayout, d, zone) // date gives this layout
		return t.UTC().Format(schema.DateTimeLayout), true
	}
	return "", false
}

// dateText makes the Chinese forms of dates and times ASCII: full-width
// characters narrow, 年 and 月 hyphens, 日 and 号 gone, 时/点 and 分
// colons, 秒 gone, runs of spaces one.
func dateText(s string) string {
	s = dateWords.Replace(narrow(s))
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimSuffix(strings.ReplaceAll(s, ": ", ":"), ":")
}

// dateWords turns the words of a date and time written in Chinese into
// the separators of the layouts (built once: a Replacer is safe for
// concurrent use, and building one cost more than reading the date).
var dateWords = strings.NewReplacer("年", "-", "月", "-", "日", " ", "号", " ", "时", ":", "点", ":", "分", ":", "秒", "")

// option finds the option of f whose value or label (either language) is
// s, ignoring case and width, or else the one option whose label begins
// with s.
func option(f *schema.Field, s string) (string, bool) {
	want := fold(s)
	for _, o := range f.Options {
		if fold(o) == want {
			return o, true
		}
	}
	for _, o := range f.Options {
		l := f.OptionLabels[o]
		if (l.Zh != "" && fold(l.Zh) == want) || (l.En != "" && fold(l.En) == want) {
			return o, true
		}
	}
	// A label's beginning names it when it names no other: "金卡" is
	// "金卡会员" where no other option's label starts so.
	found := ""
	for _, o := range f.Options {
		l := f.OptionLabels[o]
		if want != "" && ((l.Zh != "" && strings.HasPrefix(fold(l.Zh), want)) || (l.En != "" && strings.HasPrefix(fold(l.En), want))) {
			if found != "" && found != o {
				return "", false
			}
			found = o
		}
	}
	return found, found != ""
}

// split cuts a cell of several values at ; ； , ， 、 | and line breaks,
// leaving out empty pieces.
func split(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(";；,，、|\n\r", r)
	})
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimFunc(p, isBlank); p != "" {
			out = append(out, p)
		}
	}
	return out
}
