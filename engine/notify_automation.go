package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The automation notify action and scripts' crm.enqueue("notify") tell
// people through notify, in the transaction of the write that fired them.
// Their recipients are typed (see [schema.ParseRecipient]); a definition
// with another kind of recipient is refused when saved. Definitions saved
// before recipients were typed still load and run: a free-text recipient
// that names a user (by user name or display name) or a role reaches
// them, as "{{field}}" does with the user the field names; anything else
// reaches nobody and is logged.

// recipientProblems refuses the notify actions' recipients that are not
// typed, saying how to write them.
func recipientProblems(obj *schema.Object) []schema.Problem {
	var out []schema.Problem
	for i, au := range obj.Automations {
		for j, act := range au.Actions {
			if act.Type != schema.ActionNotify {
				continue
			}
			if len(act.Recipients) == 0 {
				out = append(out, schema.Problem{Path: fmt.Sprintf("/x-crm-automations/%d/actions/%d/recipients", i, j),
					Message: "must name at least one recipient"})
			}
			for k, r := range act.Recipients {
				if _, _, ok := schema.ParseRecipient(r); ok {
					continue
				}
				hint := ""
				if strings.HasPrefix(strings.TrimSpace(r), "{{") {
					hint = fmt.Sprintf(" (for the user a field names, write \"user:%s\")", strings.TrimSpace(r))
				}
				out = append(out, schema.Problem{Path: fmt.Sprintf("/x-crm-automations/%d/actions/%d/recipients/%d", i, j, k),
					Message: fmt.Sprintf("%s is not a recipient: write user:NAME, role:NAME, team:NAME, owner or manager%s", strconv.Quote(r), hint)})
			}
		}
	}
	return out
}

// notifyAutomation writes an automation's notify action through notify.
func (w *writer) notifyAutomation(ctx context.Context, tx store.Tx, obj *schema.Object, rec store.Record, au *schema.Automation, act schema.Action) error {
	// The message names the users of user fields by display name; the
	// recipients read their ids.
	text := w.snap.withDisplayNames(obj, rec)
	n := notice{Kind: NoticeAutomation, Object: obj.Name, Record: rec.ID, Actor: w.actorUser(), Rule: au.Name,
		Message: schema.Label{Zh: fmt.Sprint(fillText(act.Message.Zh, text)), En: fmt.Sprint(fillText(act.Message.En, text))}}
	for _, r := range act.Recipients {
		to, ok := w.recipientOf(fillText(r, rec))
		if !ok {
			w.e.log.WarnContext(ctx, "notify: a recipient that names nobody is skipped", "tenant", w.actor.TenantID,
				"object", obj.Name, "automation", au.Name, "recipient", r)
			continue
		}
		n.To = append(n.To, to)
	}
	if err := w.notify(ctx, tx, n); err != nil {
		return fmt.Errorf("automation %s.%s: %w", obj.Name, au.Name, err)
	}
	return nil
}

// fillText fills the placeholders of s from rec as text.
func fillText(s string, rec store.Record) string {
	v := fill(s, rec)
	if v == nil {
		return ""
	}
	if t, ok := v.(string); ok {
		return t
	}
	return fmt.Sprint(v)
}

// actorUser is the writer's actor when a user ("user:NAME"), else "".
func (w *writer) actorUser() string {
	if strings.HasPrefix(w.actor.ID, "user:") {
		return w.actor.ID
	}
	return ""
}

// recipientOf reads a filled recipient: a typed one, or a legacy free-text
// one that names a user or a role.
func (w *writer) recipientOf(s string) (recipient, bool) {
	if kind, value, ok := schema.ParseRecipient(s); ok {
		return recipient{Kind: kind, Value: value}, true
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return recipient{}, false
	}
	if _, ok := w.snap.users[s]; ok {
		return recipient{Kind: RecipientUser, Value: s}, true
	}
	if _, ok := w.snap.roles[s]; ok || s == AdminRole {
		return recipient{Kind: RecipientRole, Value: s}, true
	}
	if name := userByDisplayName(w.snap.users, s); name != "" {
		return recipient{Kind: RecipientUser, Value: name}, true
	}
	return recipient{}, false
}

// userByDisplayName is the one active user whose display name is name;
// "" when none or several have it.
func userByDisplayName(users map[string]User, name string) string {
	found := ""
	for _, u := range users {
		if u.Active && u.DisplayName == name {
			if found != "" {
				return ""
			}
			found = u.Username
		}
	}
	return found
}
