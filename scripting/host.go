package scripting

import "context"

// Host is the only door from a script to the outside: the engine implements
// it for one tenant and one caller, with the caller's permissions, and hands
// it to [Runner.Run] in [Call.Host]. The sandbox counts every call against
// the run's [Limits] before making it, passes the run's context (cancelled
// when the run's wall time is up), and copies every map in and out, so the
// host never shares memory with a script.
//
// A Host must resolve ids inside its own tenant only: another tenant's id,
// or a forged tenant field, must look exactly like an id that does not exist
// (S10; the engine's job, since the sandbox never sees tenants' data).
type Host interface {
	// Find returns at most opts.Limit records of object matching filter
	// (the engine's filter model, as plain JSON-like values).
	Find(ctx context.Context, object string, filter map[string]any, opts FindOptions) ([]map[string]any, error)
	// Get returns the record, or a nil map and a nil error when there is no
	// such record the caller may see.
	Get(ctx context.Context, object, id string) (map[string]any, error)
	// Create stores a new record and returns it as stored.
	Create(ctx context.Context, object string, data map[string]any) (map[string]any, error)
	// Update applies a patch (absent keys kept, null clears) and returns the
	// record as stored.
	Update(ctx context.Context, object, id string, patch map[string]any) (map[string]any, error)
	// Enqueue hands an action (webhook, notification, task …) to the
	// engine's outbox, written with the triggering change.
	Enqueue(ctx context.Context, action Action) error
}

// FindOptions are the options of crm.find(object, filter, {limit, sort}).
type FindOptions struct {
	Limit int      // never more than the run's remaining read budget + 1
	Sort  []string // field names, "-field" for descending
}

// Action is something a script asks the engine to do after the change
// commits, through crm.enqueue(type, payload).
type Action struct {
	Type    string         `json:"type"`
	Payload map[string]any `json:"payload,omitempty"`
}
