package engine

import (
	"context"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Rules on roll-ups. A parent's validation rules are checked again when a
// child's write changes one of its roll-ups, in that write's transaction:
// a rule that held before the change and fails after it refuses the
// child's write, on the child's lookup field, with the rule's message
// (a class whose active enrolments may not pass its capacity refuses the
// enrolment that would). A rule that already failed before the change
// does not refuse it (fewer enrolments in an overfull class are welcome).
//
// On SQLite the writes of a tenant are serialised (one writer connection,
// immediate transactions), so two concurrent children cannot both pass.
// On MongoDB the parent's roll-up is written with its version checked, so
// of two concurrent children changing the same parent one fails with a
// conflict and is retried by its caller; without multi-document
// transactions the store's compensating rollback removes the child
// inserted before that conflict (other readers may see it until then:
// docs/deploy.md, Transactions).

// rollupRules checks parent's rules against value as the new value of the
// roll-up field ref, for a write of child through the lookup via.
func (w *writer) rollupRules(ctx context.Context, child *schema.Object, ref rollupRef, parent store.Record, value any) error {
	pobj := ref.parent
	if len(pobj.Validations) == 0 {
		return nil
	}
	next := cloneMap(parent.Data)
	if value == nil {
		delete(next, ref.field.Name)
	} else {
		next[ref.field.Name] = value
	}
	if err := w.formulas(ctx, pobj, &parent, next); err != nil {
		return err
	}
	before, err := w.validationRules(ctx, pobj, &parent, parent.Data)
	if err != nil {
		return err
	}
	after, err := w.validationRules(ctx, pobj, &parent, next)
	if err != nil {
		return err
	}
	var problems []schema.FieldError
	for _, fe := range after {
		if containsRuleError(before, fe) {
			continue
		}
		problems = append(problems, schema.FieldError{Field: ref.field.Rollup.Via, Code: "rule", Message: fe.Message, MessageZh: fe.MessageZh})
	}
	if len(problems) == 0 {
		return nil
	}
	return child.Invalid(problems)
}

func containsRuleError(list []schema.FieldError, fe schema.FieldError) bool {
	for _, x := range list {
		if x.Field == fe.Field && x.Message == fe.Message {
			return true
		}
	}
	return false
}
