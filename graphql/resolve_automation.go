package graphql

import (
	"context"
	"encoding/json"

	"github.com/crmkit/crm/engine"
)

// automationQueryResolvers serve the admin fields about automations.
func (s *execSchema) automationQueryResolvers(rs map[string]resolver) {
	eng := s.srv.eng
	rs["outbox"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
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
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
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
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		return eng.WebhookSecret(ctx)
	}
}

func (s *execSchema) automationMutationResolvers(rs map[string]resolver) {
	rs["retryOutboxEntry"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		e, err := s.srv.eng.RetryOutbox(ctx, fc.args["id"].(string))
		if err != nil {
			return nil, err
		}
		return &e, nil
	}
}

func (s *execSchema) rollupMutationResolvers(rs map[string]resolver) {
	rs["rebuildRollup"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		n, err := s.srv.eng.RebuildRollup(ctx, fc.args["object"].(string), fc.args["field"].(string))
		if err != nil {
			return nil, err
		}
		return int32(min(n, 1<<31-1)), nil
	}
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
