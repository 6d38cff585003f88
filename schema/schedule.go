package schema

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule says when a scheduled script runs: a five-field cron expression
// (minute hour day-of-month month day-of-week, in the tenant's time zone, with *, lists,
// ranges and steps), or @hourly, @daily, @weekly, @monthly, or
// "@every <duration>" of at least a minute.
type Schedule struct {
	every                         time.Duration
	minute, hour, dom, month, dow uint64 // bit sets
	domStar, dowStar              bool
}

// ParseSchedule parses a schedule; the error says what is wrong.
func ParseSchedule(s string) (*Schedule, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "@hourly":
		s = "0 * * * *"
	case "@daily", "@midnight":
		s = "0 0 * * *"
	case "@weekly":
		s = "0 0 * * 0"
	case "@monthly":
		s = "0 0 1 * *"
	}
	if d, ok := strings.CutPrefix(s, "@every "); ok {
		every, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil || every < time.Minute {
			return nil, fmt.Errorf("%q: @every takes a duration of at least 1m, such as \"@every 15m\"", s)
		}
		return &Schedule{every: every}, nil
	}
	parts := strings.Fields(s)
	if len(parts) != 5 {
		return nil, fmt.Errorf("%q is not a schedule: use five cron fields (minute hour day month weekday) or @hourly, @daily, @weekly, @monthly, @every 15m", s)
	}
	sc := &Schedule{}
	var err error
	names := []string{"minute", "hour", "day of month", "month", "day of week"}
	bounds := [][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}
	sets := []*uint64{&sc.minute, &sc.hour, &sc.dom, &sc.month, &sc.dow}
	for i, p := range parts {
		if *sets[i], err = cronField(p, bounds[i][0], bounds[i][1]); err != nil {
			return nil, fmt.Errorf("%q: %s field %q: %v", s, names[i], p, err)
		}
	}
	if sc.dow&(1<<7) != 0 { // 7 is Sunday too
		sc.dow |= 1
	}
	sc.domStar, sc.dowStar = parts[2] == "*", parts[4] == "*"
	return sc, nil
}

func cronField(f string, lo, hi int) (uint64, error) {
	var set uint64
	for _, item := range strings.Split(f, ",") {
		rng, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 {
				return 0, fmt.Errorf("step %q is not a positive number", stepText)
			}
			step = n
		}
		from, to := lo, hi
		if rng != "*" {
			a, b, isRange := strings.Cut(rng, "-")
			x, err := strconv.Atoi(a)
			if err != nil {
				return 0, fmt.Errorf("%q is not a number", a)
			}
			from, to = x, x
			if isRange {
				if to, err = strconv.Atoi(b); err != nil {
					return 0, fmt.Errorf("%q is not a number", b)
				}
			} else if hasStep {
				to = hi
			}
		}
		if from < lo || to > hi || from > to {
			return 0, fmt.Errorf("values must be between %d and %d", lo, hi)
		}
		for v := from; v <= to; v += step {
			set |= 1 << v
		}
	}
	return set, nil
}

// Next returns the first time the schedule fires strictly after t, in
// UTC, whole minutes; the cron fields are read as wall-clock time in zone
// (a tenant's: "0 9 * * *" is nine o'clock there). A wall-clock time a
// daylight-saving change skips does not fire that day; one it repeats
// fires once, the first time.
func (s *Schedule) Next(t time.Time, zone *time.Location) time.Time {
	if s.every > 0 {
		return t.UTC().Truncate(time.Minute).Add(s.every)
	}
	t = t.In(zone).Truncate(time.Minute).Add(time.Minute)
	for limit := 0; limit < 366*24*60; limit++ { // at most a year of minutes
		if s.matches(t) && !repeated(t) {
			return t.UTC()
		}
		// Skip whole hours and days that cannot match.
		switch {
		case s.month&(1<<uint(t.Month())) == 0 || !s.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, zone)
		case s.hour&(1<<uint(t.Hour())) == 0:
			next := time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, zone)
			if !next.After(t) { // a repeated hour: step past it
				next = t.Add(time.Minute)
			}
			t = next
		default:
			t = t.Add(time.Minute)
		}
	}
	return time.Time{} // a schedule such as "0 0 31 2 *" never fires
}

// repeated reports that t's wall-clock time was already read an hour
// earlier (the hour a daylight-saving change repeats).
func repeated(t time.Time) bool {
	u := t.Add(-time.Hour).In(t.Location())
	return u.Day() == t.Day() && u.Hour() == t.Hour() && u.Minute() == t.Minute()
}

func (s *Schedule) matches(t time.Time) bool {
	return s.minute&(1<<uint(t.Minute())) != 0 && s.hour&(1<<uint(t.Hour())) != 0 &&
		s.month&(1<<uint(t.Month())) != 0 && s.dayMatches(t)
}

// dayMatches follows cron: when both day fields are restricted, either
// may match.
func (s *Schedule) dayMatches(t time.Time) bool {
	dom := s.dom&(1<<uint(t.Day())) != 0
	dow := s.dow&(1<<uint(t.Weekday())) != 0
	switch {
	case s.domStar && s.dowStar:
		return true
	case s.domStar:
		return dow
	case s.dowStar:
		return dom
	}
	return dom || dow
}
