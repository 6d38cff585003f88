package graphql

import (
	"context"
	"encoding/json"
	"time"

	"github.com/crmkit/crm/engine"
)

// automationQueryResolvers serve the admin fields about automations. The
// engine refuses non-administrators itself, saying what they may not do.
func (s *execSchema) automationQueryResolvers(rs map[string]resolver) {
	eng := s.srv.ops
	rs["outbox"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		status, _ := fc.args["status"].(string)
		first, _ := fc.args["first"].(int64)
		entries, err := eng.Outbox(ctx, status, int(first))
		if err != nil {
			return nil, err
		}
		out := make([]any, len(entries))
		for i := range entries {
			out[i] = &entries[i]
		}
		return out, nil
	}
	rs["notifications"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		recipient, _ := fc.args["recipient"].(string)
		first, _ := fc.args["first"].(int64)
		notes, err := eng.Notifications(ctx, recipient, int(first))
		if err != nil {
			return nil, err
		}
		out := make([]any, len(notes))
		for i := range notes {
			out[i] = &notes[i]
		}
		return out, nil
	}
	rs["webhookSecret"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		return eng.WebhookSecret(ctx)
	}
}

func (s *execSchema) automationMutationResolvers(rs map[string]resolver) {
	rs["retryOutboxEntry"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		e, err := s.srv.ops.RetryOutbox(ctx, fc.args["id"].(string))
		if err != nil {
			return nil, err
		}
		return &e, nil
	}
}

func (s *execSchema) rollupMutationResolvers(rs map[string]resolver) {
	rs["rebuildRollup"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		n, err := s.srv.ops.RebuildRollup(ctx, fc.args["object"].(string), fc.args["field"].(string))
		if err != nil {
			return nil, err
		}
		return int32(min(n, 1<<31-1)), nil
	}
	rs["recomputeCustomerValue"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		job, err := s.srv.ops.RecomputeCustomerValue(ctx, fc.args["object"].(string))
		if err != nil {
			return nil, err
		}
		return &job, nil
	}
}

// auditValue is one page of the audit trail.
type auditValue struct {
	entries []engine.AuditEntry
	hasNext bool
}

func (s *execSchema) auditQueryResolvers(rs map[string]resolver) {
	rs["auditTrail"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		q := engine.AuditQuery{}
		q.Object, _ = fc.args["object"].(string)
		q.RecordID, _ = fc.args["recordId"].(string)
		q.Actor, _ = fc.args["actor"].(string)
		q.Action, _ = fc.args["action"].(string)
		q.After, _ = fc.args["after"].(string)
		if n, ok := fc.args["first"].(int64); ok {
			q.First = int(n)
		}
		for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
			if v, ok := fc.args[name].(string); ok {
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					return nil, badRequestf("%s: %q is not an RFC 3339 date-time", name, v)
				}
				*dst = t
			}
		}
		entries, more, err := s.srv.records.Audit(ctx, q)
		if err != nil {
			return nil, err
		}
		return &auditValue{entries: entries, hasNext: more}, nil
	}
}

func auditResolvers() (page, entry map[string]resolver) {
	pv := func(p any) *auditValue { return p.(*auditValue) }
	page = map[string]resolver{
		"entries": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(pv(p).entries))
			for i := range pv(p).entries {
				out[i] = &pv(p).entries[i]
			}
			return out, nil
		},
		"hasNextPage": func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).hasNext, nil },
		"endCursor": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if es := pv(p).entries; len(es) > 0 {
				return es[len(es)-1].ID, nil
			}
			return nil, nil
		},
	}
	ae := func(p any) *engine.AuditEntry { return p.(*engine.AuditEntry) }
	entry = map[string]resolver{
		"id":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return ae(p).ID, nil },
		"at":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return formatTime(ae(p).At), nil },
		"actor":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return ae(p).Actor, nil },
		"door":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return ae(p).Door, nil },
		"action":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return ae(p).Action, nil },
		"object":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return ae(p).Object, nil },
		"recordId": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(ae(p).RecordID), nil },
		"version":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(ae(p).Version), nil },
		"changes": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			b, err := json.Marshal(ae(p).Changes)
			if err != nil {
				return nil, err
			}
			return json.RawMessage(b), nil
		},
	}
	return page, entry
}

func outboxResolvers() map[string]resolver {
	oe := func(p any) *engine.OutboxEntry { return p.(*engine.OutboxEntry) }
	optTime := func(v string) any {
		if v == "" {
			return nil
		}
		return outDateTime(v)
	}
	return map[string]resolver{
		"id":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return oe(p).ID, nil },
		"kind":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return oe(p).Kind, nil },
		"channel":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(oe(p).Channel), nil },
		"object":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return oe(p).Object, nil },
		"recordId": func(_ context.Context, p any, _ *fieldCall) (any, error) { return oe(p).RecordID, nil },
		"rule":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return oe(p).Rule, nil },
		"url":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(oe(p).URL), nil },
		"payload": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			b, err := json.Marshal(oe(p).Payload)
			if err != nil {
				return nil, err
			}
			return json.RawMessage(b), nil
		},
		"status":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return oe(p).Status, nil },
		"attempts":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return int32(oe(p).Attempts), nil },
		"nextAttemptAt": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optTime(oe(p).NextAttemptAt), nil },
		"deliveredAt":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return optTime(oe(p).DeliveredAt), nil },
		"lastError":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(oe(p).LastError), nil },
		"createdAt":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return outDateTime(oe(p).CreatedAt), nil },
	}
}

func notificationResolvers() map[string]resolver {
	n := func(p any) *engine.Notification { return p.(*engine.Notification) }
	return map[string]resolver{
		"id":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).ID, nil },
		"recipient": func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).Recipient, nil },
		"message":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).Message, nil },
		"object":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).Object, nil },
		"recordId":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).RecordID, nil },
		"rule":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).Rule, nil },
		"read":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return n(p).Read, nil },
		"createdAt": func(_ context.Context, p any, _ *fieldCall) (any, error) { return outDateTime(n(p).CreatedAt), nil },
	}
}
