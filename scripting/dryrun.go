package scripting

import (
	"context"
	"strconv"
	"sync"
)

// DryRun is a [Host] for testing a script before it is saved: reads go to
// Reader (or find nothing when it is nil), writes and actions are recorded
// and never made. Create returns the data with a made-up id, Update returns
// the patch over the record Reader has (or the patch alone).
type DryRun struct {
	Reader Host // reads only: its Create, Update and Enqueue are never called

	mu      sync.Mutex
	writes  []DryWrite
	actions []Action
}

var _ Host = (*DryRun)(nil)

// DryWrite is a write a script would have made.
type DryWrite struct {
	Op     string         `json:"op"` // "create" or "update"
	Object string         `json:"object"`
	ID     string         `json:"id,omitempty"`
	Data   map[string]any `json:"data"`
}

// NewDryRun returns a DryRun reading through reader.
func NewDryRun(reader Host) *DryRun { return &DryRun{Reader: reader} }

// Find reads through Reader.
func (d *DryRun) Find(ctx context.Context, object string, filter map[string]any, opts FindOptions) ([]map[string]any, error) {
	if d.Reader == nil {
		return nil, nil
	}
	return d.Reader.Find(ctx, object, filter, opts)
}

// Get reads through Reader.
func (d *DryRun) Get(ctx context.Context, object, id string) (map[string]any, error) {
	if d.Reader == nil {
		return nil, nil
	}
	return d.Reader.Get(ctx, object, id)
}

// Create records the write and returns data with a made-up id.
func (d *DryRun) Create(_ context.Context, object string, data map[string]any) (map[string]any, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writes = append(d.writes, DryWrite{Op: "create", Object: object, Data: data})
	out := make(map[string]any, len(data)+1)
	for k, v := range data {
		out[k] = v
	}
	out["id"] = "dry-run-" + strconv.Itoa(len(d.writes))
	return out, nil
}

// Update records the write and returns the patch applied over the record
// Reader returns, if any.
func (d *DryRun) Update(ctx context.Context, object, id string, patch map[string]any) (map[string]any, error) {
	var out map[string]any
	if d.Reader != nil {
		cur, err := d.Reader.Get(ctx, object, id)
		if err != nil {
			return nil, err
		}
		if cur != nil {
			out = make(map[string]any, len(cur))
			for k, v := range cur {
				out[k] = v
			}
		}
	}
	if out == nil {
		out = map[string]any{"id": id}
	}
	for k, v := range patch {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writes = append(d.writes, DryWrite{Op: "update", Object: object, ID: id, Data: patch})
	return out, nil
}

// Enqueue records the action.
func (d *DryRun) Enqueue(_ context.Context, a Action) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.actions = append(d.actions, a)
	return nil
}

// Writes returns the writes the script would have made, in order.
func (d *DryRun) Writes() []DryWrite {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]DryWrite(nil), d.writes...)
}

// Actions returns the actions the script would have enqueued, in order.
func (d *DryRun) Actions() []Action {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Action(nil), d.actions...)
}
