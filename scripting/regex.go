package scripting

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// Regular expressions. goja runs a pattern with Go's regexp (RE2, linear
// time) when it can, and with regexp2, a backtracking engine, for
// look-arounds, back-references and every match that starts past the
// beginning of the string (exec and test of a global or sticky RegExp, and
// so every iteration of split, replace, match and matchAll). A regexp2
// match cannot be stopped from outside: Interrupt reaches the VM only
// between instructions. And regexp2's own timeout cannot be the bound:
// goja answers "no match" when it fires, and its clock is a goroutine that
// ticks on its own, which a busy machine delays, so a small timeout made
// matches "time out" early and scripts silently got false for a true.
//
// So the guards here decide, before goja runs a match, whether it may:
//
//   - RegExp.prototype.exec and test are replaced by guards. That turns off
//     goja's fast paths (the prototype is no longer the standard one), so
//     split, replace, replaceAll, match, matchAll and search call exec once
//     per match, through the guard;
//   - the guard ends the run, uncatchably, when the budget is spent, before
//     and after every match;
//   - when goja would use regexp2, the guard first runs the same match on
//     its own regexp2 copy of the pattern, with a timeout of half of what
//     is left of the budget and with the timeout reported as an error: if
//     it times out, the run ends with ErrTimeout ("regex match time");
//     else goja's match does the same work and ends within the budget too;
//   - goja's own regexp2 timeout (regexSafetyTimeout) is a safety net far
//     beyond any budget, never the limit.
//
// Nothing here measures how long a call took, so a busy machine never
// turns a match into a timeout. The price is that a match that needs
// regexp2 runs twice.
//
// regexp2 checks its timeouts against a clock that ticks every
// regexClockPeriod, so a check that times out ends up to two ticks after
// its timeout: with half the remaining budget as the timeout, a run ends
// at most about 10 ms past its budget.
const (
	regexSafetyTimeout = time.Minute
	regexClockPeriod   = 5 * time.Millisecond
)

func init() {
	// Note: process-wide settings of the module goja imports; nothing else
	// in this program uses regexp2.
	regexp2.DefaultMatchTimeout = regexSafetyTimeout
	regexp2.SetTimeoutCheckPeriod(regexClockPeriod)
}

// regexGuard is one run's state for the guards: the original getters of
// RegExp.prototype (a script may redefine them, so they are taken before
// it runs), the patterns compiled for the checks, and the last input as
// runes.
type regexGuard struct {
	getters  map[string]goja.Callable
	compiled map[string]*regexCheck
	input    goja.String
	runes    []rune
	unicode  bool
	starts   []int // UTF-16 position of each rune, for unicode input
}

type regexCheck struct {
	re2 bool            // goja matches from position 0 with RE2
	rx  *regexp2.Regexp // the pattern as goja compiles it for regexp2
}

var regexFlagGetters = []string{"source", "global", "ignoreCase", "multiline", "dotAll", "sticky", "unicode"}

var regexDescriptors = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("regexDescriptors", `(function(p) {
  const out = {};
  for (const n of `+"[\"source\", \"global\", \"ignoreCase\", \"multiline\", \"dotAll\", \"sticky\", \"unicode\"]"+`) {
    const d = Object.getOwnPropertyDescriptor(p, n);
    out[n] = d && d.get;
  }
  return out;
})(RegExp.prototype)`, true)
})

// newRegexGuard takes the getters before any script code runs.
func (x *run) newRegexGuard() (*regexGuard, error) {
	v, err := x.vm.RunProgram(regexDescriptors())
	if err != nil {
		return nil, err
	}
	o := v.(*goja.Object)
	g := &regexGuard{getters: map[string]goja.Callable{}, compiled: map[string]*regexCheck{}}
	for _, n := range regexFlagGetters {
		fn, ok := goja.AssertFunction(o.Get(n))
		if !ok {
			return nil, errors.New("scripting: RegExp.prototype." + n + " has no getter")
		}
		g.getters[n] = fn
	}
	return g, nil
}

// checkMatch is called by the exec and test guards before goja's match
// of rx on input. It fixes lastIndex to a number (so that a valueOf of
// the script's runs once), and when goja will use regexp2 it runs the
// match first with a timeout of half the remaining budget, ending the run
// if that times out.
func (x *run) checkMatch(rx *goja.Object, input goja.String) {
	g := x.regex
	read := func(name string) (goja.Value, bool) {
		var v goja.Value
		err := guard(func() error {
			var err error
			v, err = g.getters[name](rx)
			return err
		})
		return v, err == nil
	}
	src, ok := read("source")
	if !ok {
		return // not a RegExp: goja's exec says so
	}
	flag := func(name string) bool {
		v, _ := read(name)
		return v != nil && v.ToBoolean()
	}
	global, sticky, unicode := flag("global"), flag("sticky"), flag("unicode")
	ignoreCase, multiline, dotAll := flag("ignoreCase"), flag("multiline"), flag("dotAll")

	start := int64(0)
	if global || sticky {
		li := rx.Get("lastIndex")
		n := toLength(li)
		if _, plain := li.Export().(int64); !plain {
			_ = rx.Set("lastIndex", n) // ToLength ran the script's valueOf once
		}
		start = n
		if start > int64(input.Length()) {
			return // no match without running the engine
		}
	}
	key := src.String() + "/" + strconv.FormatBool(ignoreCase) + strconv.FormatBool(multiline) + strconv.FormatBool(dotAll) + strconv.FormatBool(unicode)
	c := g.compiled[key]
	if c == nil {
		var err error
		if c, err = compileCheck(src.String(), ignoreCase, multiline, dotAll, unicode); err != nil {
			return // goja compiled it; if this copy cannot be, goja's error stands
		}
		g.compiled[key] = c
	}
	if c.re2 && start == 0 {
		return // RE2: linear in the input
	}
	left := time.Duration(0)
	if d, ok := x.ctx.Deadline(); ok {
		left = time.Until(d)
	}
	if left < 2*time.Millisecond {
		x.abort(timeoutError(x.lim.WallTime)) // no room left for a check
	}
	runes, at := g.runesOf(input, unicode, int(start))
	c.rx.MatchTimeout = left / 2
	if _, err := c.rx.FindRunesMatchStartingAt(runes, at); err != nil {
		x.abort(newLimitError(LimitRegexTime, (left / 2).Milliseconds(), "ms", ErrTimeout))
	}
}

// toLength is ToLength(ToNumber(v)) (it may run a valueOf).
func toLength(v goja.Value) int64 {
	if v == nil {
		return 0
	}
	f := v.ToFloat()
	if f != f || f <= 0 { // NaN or not positive
		return 0
	}
	return int64(min(f, 1<<53-1))
}

// runesOf returns the input as goja gives it to regexp2 (UTF-16 code units,
// or code points with the u flag) and the rune index of the UTF-16
// position start. The last input is kept: a global iteration matches one
// string over and over.
func (g *regexGuard) runesOf(s goja.String, unicode bool, start int) ([]rune, int) {
	if g.input == nil || g.unicode != unicode || !g.input.SameAs(s) {
		n := s.Length()
		g.runes, g.starts = g.runes[:0], g.starts[:0]
		for i := 0; i < n; i++ {
			c := rune(s.CharAt(i))
			if unicode && utf16.IsSurrogate(c) && i+1 < n {
				if r := utf16.DecodeRune(c, rune(s.CharAt(i+1))); r != utf8.RuneError {
					g.runes = append(g.runes, r)
					g.starts = append(g.starts, i)
					i++
					continue
				}
			}
			g.runes = append(g.runes, c)
			if unicode {
				g.starts = append(g.starts, i)
			}
		}
		g.input, g.unicode = s, unicode
	}
	if !unicode {
		return g.runes, start
	}
	at := 0
	for at < len(g.starts) && g.starts[at] < start {
		at++
	}
	if at < len(g.starts) && g.starts[at] > start && at > 0 {
		at-- // start splits a surrogate pair
	}
	return g.runes, at
}

// compileCheck compiles a pattern the way goja does: its source adapted to
// UTF-16 or to code points, tried with RE2 first (re2 reports whether
// that worked), and with regexp2 and the same options.
func compileCheck(src string, ignoreCase, multiline, dotAll, unicode bool) (*regexCheck, error) {
	if unicode {
		src = surrogateEscapesToRunes(src)
	} else {
		src = astralToSurrogateEscapes(src)
	}
	c := &regexCheck{}
	if re2, err := parser.TransformRegExp(src, dotAll, unicode); err == nil {
		flags := ""
		if multiline {
			flags += "m"
		}
		if dotAll {
			flags += "s"
		}
		if ignoreCase {
			flags += "i"
		}
		if flags != "" {
			re2 = "(?" + flags + ":" + re2 + ")"
		}
		if _, err := regexp.Compile(re2); err == nil {
			c.re2 = true
		}
	}
	opts := regexp2.ECMAScript
	if multiline {
		opts |= regexp2.Multiline
	}
	if dotAll {
		opts |= regexp2.Singleline
	}
	if ignoreCase {
		opts |= regexp2.IgnoreCase
	}
	if unicode {
		opts |= regexp2.Unicode
	}
	rx, err := regexp2.Compile(src, opts)
	if err != nil {
		return nil, err
	}
	c.rx = rx
	return c, nil
}

// astralToSurrogateEscapes writes every character beyond U+FFFF as the
// \uXXXX\uXXXX escape of its surrogate pair, as goja does for patterns
// without the u flag (including its doubling of a backslash before one).
func astralToSurrogateEscapes(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r > 0xFFFF }) {
		return s
	}
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if r > 0xFFFF {
			if prev == '\\' {
				b.WriteByte('\\')
			}
			hi, lo := utf16.EncodeRune(r)
			b.WriteString(`\u` + hex4(hi) + `\u` + hex4(lo))
		} else {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// surrogateEscapesToRunes turns \uXXXX\uXXXX escapes of a surrogate pair
// into the character, as goja does for patterns with the u flag.
func surrogateEscapesToRunes(s string) string {
	var b strings.Builder
	pos := 0
	for i := 0; i+12 <= len(s); {
		if s[i] != '\\' {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		if s[i+1] == 'u' && s[i+6] == '\\' && s[i+7] == 'u' {
			hi, err1 := strconv.ParseUint(s[i+2:i+6], 16, 16)
			lo, err2 := strconv.ParseUint(s[i+8:i+12], 16, 16)
			if err1 == nil && err2 == nil && utf16.IsSurrogate(rune(hi)) && hi < 0xDC00 && lo >= 0xDC00 && lo <= 0xDFFF {
				b.WriteString(s[pos:i])
				b.WriteRune(utf16.DecodeRune(rune(hi), rune(lo)))
				i += 12
				pos = i
				continue
			}
		}
		i += 2 // an escape: the next character is not a backslash of its own
	}
	if pos == 0 {
		return s
	}
	b.WriteString(s[pos:])
	return b.String()
}

func hex4(r rune) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[r>>12&15], digits[r>>8&15], digits[r>>4&15], digits[r&15]})
}
