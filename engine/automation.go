package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// DefaultMaxAutomationDepth is how deeply writes caused by automations may
// nest (a rule creating a record whose rule creates another ...) before the
// write fails as a loop.
const DefaultMaxAutomationDepth = 5

type chainKey struct{}

// automationChain returns the automations whose effects caused the write
// running in ctx, outermost first.
func automationChain(ctx context.Context) []string {
	c, _ := ctx.Value(chainKey{}).([]string)
	return c
}

// triggered reports whether a write from old (nil: created) to data fires
// the automation's event.
func triggered(au *schema.Automation, old, data map[string]any) bool {
	switch au.Event {
	case schema.EventCreated:
		return old == nil
	case schema.EventUpdated:
		return old != nil
	case schema.EventSaved:
		return true
	case schema.EventFieldChanged:
		for _, f := range au.Fields {
			if old == nil && !isEmpty(data[f]) || old != nil && !reflect.DeepEqual(old[f], data[f]) {
				return true
			}
		}
	case schema.EventStageEntered:
		to, _ := data[au.Field].(string)
		from, _ := old[au.Field].(string)
		return to != from && slices.Contains(au.Stages, to)
	}
	return false
}

// conditionHolds evaluates the automation's condition on a record.
// "$user" (CurrentUser) in it is actorID, the acting user.
func conditionHolds(obj *schema.Object, au *schema.Automation, rec store.Record, actorID string) (bool, error) {
	if len(au.Condition) == 0 {
		return true, nil
	}
	var f store.Filter
	dec := json.NewDecoder(strings.NewReader(string(au.Condition)))
	if err := dec.Decode(&f); err != nil {
		return false, fmt.Errorf("condition of automation %s.%s: %w", obj.Name, au.Name, err)
	}
	nf, err := normalizeFilter(obj, withCurrentUser(obj, &f, actorID))
	if err != nil {
		return false, err
	}
	return store.Match(nf, &rec), nil
}

// beforeSave runs, on a record about to be stored, the automations whose
// event the write fires and whose condition holds, in order: their field
// changes (setFields, assignRoundRobin) become part of the write. Later
// rules see the changes of earlier ones. Each rule fires at most once per
// write; the fired rules are returned for afterSave.
func (w *writer) beforeSave(ctx context.Context, tx store.Tx, obj *schema.Object, old *store.Record, rec *store.Record) ([]*schema.Automation, error) {
	if len(obj.Automations) == 0 || w.skipAutomations {
		return nil, nil
	}
	var oldData map[string]any
	if old != nil {
		oldData = old.Data
	}
	var fired []*schema.Automation
	for i := range obj.Automations {
		au := &obj.Automations[i]
		if !au.Active || au.Event == schema.EventTime || !triggered(au, oldData, rec.Data) {
			continue
		}
		ok, err := conditionHolds(obj, au, *rec, w.actorUser())
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if err := w.applyFieldActions(ctx, tx, obj, au, oldData, rec); err != nil {
			return nil, err
		}
		fired = append(fired, au)
	}
	return fired, nil
}

// applyFieldActions applies the automation's changes to the record itself
// and checks that they leave it valid.
func (w *writer) applyFieldActions(ctx context.Context, tx store.Tx, obj *schema.Object, au *schema.Automation, oldData map[string]any, rec *store.Record) error {
	changed := false
	for j, act := range au.Actions {
		switch act.Type {
		case schema.ActionSetFields:
			for _, k := range sortedKeys(act.Values) {
				if v := fill(act.Values[k], *rec); v == nil {
					delete(rec.Data, k)
				} else {
					rec.Data[k] = v
				}
			}
			changed = true
		case schema.ActionAssignRoundRobin:
			n, err := tx.NextSequence(ctx, fmt.Sprintf("roundrobin:%s.%s.%d", obj.Name, au.Name, j))
			if err != nil {
				return fmt.Errorf("automation %s.%s: %w", obj.Name, au.Name, err)
			}
			if act.Field == "ownerId" {
				owner, err := w.nextOwner(act.Rotation, n)
				if err != nil {
					return automationFailed(obj, au, message.New("automation.noOwner"), err)
				}
				rec.OwnerID = owner
				continue
			}
			if f := obj.Field(act.Field); f != nil && f.Type == schema.TypeUser {
				// Users take turns as owners do: a deactivated one is
				// skipped.
				user, err := w.nextOwner(act.Rotation, n)
				if err != nil {
					return automationFailed(obj, au, message.New("automation.noOwner"), err)
				}
				rec.Data[act.Field] = user
			} else {
				rec.Data[act.Field] = act.Rotation[(n-1)%int64(len(act.Rotation))]
			}
			changed = true
		}
	}
	if !changed {
		return nil
	}
	var old *store.Record
	if oldData != nil {
		old = &store.Record{ID: rec.ID, Version: rec.Version, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt,
			CreatedBy: rec.CreatedBy, UpdatedBy: rec.UpdatedBy, Data: oldData}
	}
	moneyProblems, err := w.money(ctx, tx, obj, oldData, rec.CreatedAt, rec.Data)
	if err != nil {
		return err
	}
	if err := w.formulas(ctx, obj, old, rec.Data); err != nil {
		return err
	}
	problems := append(moneyProblems, w.snap.resolveUsers(obj, oldData, rec.Data, w.actorUser())...)
	problems = append(problems, pipelineProblems(obj, stageMoves(obj, oldData, rec.Data), rec.Data)...)
	problems = append(problems, w.approvalGate(ctx, obj, stageMoves(obj, oldData, rec.Data))...)
	if err := w.e.validate(w.snap, obj, rec.Data, problems); err != nil {
		return automationFailed(obj, au, message.New("automation.leftInvalid"), err)
	}
	rec.Data = schema.Normalize(obj, rec.Data)
	if err := checkLookups(ctx, tx, w, obj, rec.Data, oldData, true); err != nil {
		return automationFailed(obj, au, message.New("automation.badReference"), err)
	}
	return nil
}

// nextOwner is the n-th (from 1) turn of an owner rotation: the user at
// that place or, when that user is deactivated or gone, the next active
// one after it.
func (w *writer) nextOwner(rotation []string, n int64) (string, error) {
	for i := range rotation {
		owner := rotation[(int(n-1)+i)%len(rotation)]
		if u, ok := w.snap.users[strings.TrimPrefix(owner, "user:")]; ok && u.Active {
			return owner, nil
		}
	}
	return "", errorOf(ErrBadRequest, nil, "automation.noActiveOwner", strings.Join(rotation, ", "), strings.Join(rotation, "、"))
}

// effects runs the automation's effects beyond the record: records it
// creates (in the same transaction, with their own automations) and
// actions delivered through the outbox.
func (w *writer) effects(ctx context.Context, tx store.Tx, obj *schema.Object, rec store.Record, au *schema.Automation) error {
	for j, act := range au.Actions {
		switch act.Type {
		case schema.ActionCreateRecord:
			if err := w.createFor(ctx, tx, obj, rec, au, act); err != nil {
				return err
			}
		case schema.ActionWebhook, schema.ActionNotify:
			if err := w.enqueue(ctx, tx, obj, rec, au, j, act); err != nil {
				return err
			}
		case schema.ActionRunScript:
			for _, s := range obj.Scripts {
				if s.Name == act.Script {
					if _, err := w.runScriptOn(ctx, tx, obj, s, nil, rec, nil); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// createFor creates the record a createRecord action asks for, one level
// deeper in the chain of automations.
func (w *writer) createFor(ctx context.Context, tx store.Tx, obj *schema.Object, rec store.Record, au *schema.Automation, act schema.Action) error {
	chain := append(slices.Clone(automationChain(ctx)), obj.Name+"."+au.Name)
	if len(chain) > w.e.maxDepth {
		trail := strings.Join(chain, " → ")
		return errorOf(ErrConflict, nil, "automation.tooDeep", w.e.maxDepth, trail)
	}
	target := w.snap.catalog.Object(act.Object)
	if target == nil {
		return automationFailed(obj, au, message.New("automation.noSuchObject", act.Object), nil)
	}
	input := map[string]any{}
	for k, v := range act.Values {
		if fv := fill(v, rec); fv != nil {
			input[k] = fv
		}
	}
	data, err := w.prepareIn(ctx, tx, target, input)
	if err != nil {
		return automationFailed(obj, au, message.New("automation.createFailed", target.Name, labelZh(target)), err)
	}
	if _, err := w.create(context.WithValue(ctx, chainKey{}, chain), tx, target, data); err != nil {
		var ee *Error
		if errors.As(err, &ee) {
			return err
		}
		return automationFailed(obj, au, message.New("automation.createFailed", target.Name, labelZh(target)), err)
	}
	return nil
}

// automationFailed says that an automation of obj failed, and what it did.
func automationFailed(obj *schema.Object, au *schema.Automation, what message.Message, cause error) error {
	detail := message.New("text.perLanguage", "", "")
	if cause != nil {
		detail = message.New("text.perLanguage", ": "+describeIn(cause, message.En), "："+describeIn(cause, message.Zh))
	}
	return errorOf(ErrConflict, cause, "automation.failed", au.Name, obj.Name, what, detail, labelZh(obj), automationLabel(au))
}

func automationLabel(au *schema.Automation) string {
	if au.Label.Zh != "" {
		return au.Label.Zh
	}
	return au.Name
}

// describe words a cause for a script: the field problems of a
// validation error, the message of anything else.
func describe(err error) string {
	return describeIn(err, message.En)
}

// describeIn words a cause for an automation or approval error in lang
// ("zh" or "en"): the field problems of a validation error in lang, the
// engine's public message of its own errors, the message of anything
// else.
func describeIn(err error, lang string) string {
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		parts := make([]string, len(ve.Fields))
		for i, f := range ve.Fields {
			msg := f.Message
			if lang == message.Zh {
				msg = cmp.Or(f.MessageZh, f.Message)
			}
			parts[i] = strings.TrimSpace(f.Field + " " + msg)
		}
		return ve.Object + " " + strings.Join(parts, "; ")
	}
	var ee *Error
	if errors.As(err, &ee) {
		return PublicMessage(err, lang)
	}
	return err.Error()
}

var placeholder = regexp.MustCompile(`\{\{\s*([a-zA-Z][a-zA-Z0-9.]*)\s*\}\}`)

// fill resolves {{field}} placeholders in an action's value from the
// record: a value that is one placeholder takes the field's value as it is
// (nil when missing); placeholders inside text become the field's text.
func fill(v any, rec store.Record) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	if m := placeholder.FindStringSubmatch(s); m != nil && m[0] == s {
		val, _ := rec.Value(m[1])
		if t, ok := val.(time.Time); ok {
			return t.UTC().Format(schema.DateTimeLayout)
		}
		return val
	}
	return placeholder.ReplaceAllStringFunc(s, func(ph string) string {
		val, _ := rec.Value(placeholder.FindStringSubmatch(ph)[1])
		switch x := val.(type) {
		case nil:
			return ""
		case string:
			return x
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case time.Time:
			return x.UTC().Format(schema.DateTimeLayout)
		}
		b, _ := json.Marshal(val)
		return string(b)
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
