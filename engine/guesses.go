package engine

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/crmkit/crm/schema"
)

// A unique field is an oracle: a write that another record's value makes
// fail says that the value exists. For a value the writer may see, that is
// the point (a duplicate customer); for one it may not — a masked value
// (150****9778), or a record out of its sight on a private object — it
// lets the writer find the value by trying: a role that saw 150****9778
// recovered the number in 2,219 updates (7.4 s). So, for a principal
// restricted by a role, every write that gives such a field a new value is
// a guess, and guesses are rate-limited per principal and field (a token
// bucket of Config.UniqueGuesses, refilled over an hour); and a clash on
// such a field is reported as "this value cannot be used", which does not
// say that another record holds it. Administrators and principals without
// a role see every value and are not limited.

// DefaultUniqueGuesses is how many new values a restricted principal may
// give one guarded unique field per hour.
const DefaultUniqueGuesses = 60

// guessKeys bounds the buckets kept; past it the idlest are forgotten.
const guessKeys = 10_000

// guesses is a token bucket per principal and field.
type guesses struct {
	perHour int
	mu      sync.Mutex
	buckets map[string]*guessBucket
}

type guessBucket struct {
	tokens float64
	last   time.Time
}

// take spends a guess of key; false when none is left, with the wait until
// the next one.
func (g *guesses) take(key string, now time.Time) (bool, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.buckets == nil {
		g.buckets = map[string]*guessBucket{}
	}
	rate := float64(g.perHour) / float64(time.Hour) // tokens per nanosecond
	b := g.buckets[key]
	if b == nil {
		if len(g.buckets) >= guessKeys {
			g.forgetIdle(now)
		}
		b = &guessBucket{tokens: float64(g.perHour), last: now}
		g.buckets[key] = b
	}
	b.tokens = min(float64(g.perHour), b.tokens+float64(now.Sub(b.last))*rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / rate)
}

// forgetIdle drops full buckets and, if that is not enough, the half
// used longest ago.
func (g *guesses) forgetIdle(now time.Time) {
	for k, b := range g.buckets {
		if now.Sub(b.last) >= time.Hour {
			delete(g.buckets, k)
		}
	}
	if len(g.buckets) < guessKeys {
		return
	}
	last := make([]time.Time, 0, len(g.buckets))
	for _, b := range g.buckets {
		last = append(last, b.last)
	}
	slices.SortFunc(last, func(a, b time.Time) int { return a.Compare(b) })
	median := last[len(last)/2]
	for k, b := range g.buckets {
		if !b.last.After(median) {
			delete(g.buckets, k)
		}
	}
}

// guardedUnique returns the unique fields of obj whose values the actor
// may not all see: masked for its role, or on an object whose sharing
// hides records from it. Nil for unrestricted principals.
func (s *snapshot) guardedUnique(a Actor, obj *schema.Object) map[string]bool {
	acc, restricted := s.access(a, obj.Name)
	if !restricted {
		return nil
	}
	read, _ := s.sharing(a, obj)
	var out map[string]bool
	for _, f := range obj.Fields {
		if !f.Unique {
			continue
		}
		if l := acc.Fields[f.Name]; read != nil || l == FieldMasked || l == FieldHidden {
			if out == nil {
				out = map[string]bool{}
			}
			out[f.Name] = true
		}
	}
	return out
}

// chargeGuesses spends a guess for each guarded unique field the write
// gives a new value, refusing the write with RATE_LIMITED when the
// principal has none left. Writes made by automations are the system's
// and are not charged.
func (w *writer) chargeGuesses(ctx context.Context, automated bool, obj *schema.Object, old, data map[string]any) error {
	guarded := w.snap.guardedUnique(w.actor, obj)
	if len(guarded) == 0 || automated {
		return nil
	}
	now := w.e.now()
	for _, f := range slices.Sorted(maps.Keys(guarded)) {
		v, set := data[f]
		if !set || v == nil || reflect.DeepEqual(v, old[f]) {
			continue
		}
		if ok, wait := w.e.takeGuess(ctx, w.actor.TenantID+"|"+w.actor.ID+"|"+obj.Name+"|"+f, now); !ok {
			mins := max(1, int(wait.Minutes()+0.999))
			return errorOf(ErrRateLimited, nil, "guess.tooMany", obj.Name, f, mins, labelZh(obj))
		}
	}
	return nil
}

// vagueUnique rewords the unique-value errors of guarded fields so that
// they do not confirm that another record holds the value.
func (s *snapshot) vagueUnique(a Actor, obj *schema.Object, err error) error {
	guarded := s.guardedUnique(a, obj)
	var ve *schema.ValidationError
	if len(guarded) == 0 || !errors.As(err, &ve) {
		return err
	}
	fields := slices.Clone(ve.Fields)
	changed := false
	for i, fe := range fields {
		if fe.Code == "unique" && guarded[fe.Field] {
			vague := schema.NewFieldError(fe.Field, fe.Code, "value.cannotBeUsed")
			fields[i].Message, fields[i].MessageZh = vague.Message, vague.MessageZh
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &schema.ValidationError{Object: ve.Object, Label: ve.Label, Fields: fields}
}
