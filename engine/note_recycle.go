package engine

import (
	"context"
	"fmt"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// A record's notes and related tasks go with it. A delete into the
// recycle bin keeps them in the bin entry ("attached", at most
// maxBinAttached; "attachedLost" counts the rest) and a restore puts them
// back, with the reminders of open tasks still due; a delete for good
// (or a purge of the entry) drops them. Task reminders go with their
// task.

// attachedObjects are the platform objects whose records belong to a
// record (fields object and record).
var attachedObjects = []string{noteObject, taskObject}

// maxBinAttached bounds the notes and tasks one bin entry keeps.
const maxBinAttached = 10_000

// detachAttached deletes the notes and tasks of obj's record id in tx;
// with keep, it returns them as the bin entry keeps them, and how many it
// could not keep.
func (w *writer) detachAttached(ctx context.Context, tx store.Tx, obj *schema.Object, id string, keep bool) (kept []any, lost int, err error) {
	for _, name := range attachedObjects {
		p := w.snap.platform[name]
		if p == nil {
			continue
		}
		f := store.Filter{And: []store.Filter{store.Leaf("record", store.OpEq, id), store.Leaf("object", store.OpEq, obj.Name)}}
		for {
			page, err := tx.Find(ctx, p, store.Query{Filter: &f, Sort: []store.Sort{{Field: "at"}}, Limit: 500})
			if err != nil {
				return nil, 0, fmt.Errorf("read %s of %s %q: %w", name, obj.Name, id, err)
			}
			for _, r := range page.Records {
				if keep && len(kept) < maxBinAttached {
					kept = append(kept, map[string]any{"object": name, "record": storedRecordJSON(r)})
				} else if keep {
					lost++
				}
				if name == taskObject {
					if timers := w.snap.platform[timerObject]; timers != nil {
						if err := deleteByRecord(ctx, tx, timers, r.ID); err != nil {
							return nil, 0, err
						}
					}
				}
				if err := tx.Delete(ctx, p, r.ID); err != nil {
					return nil, 0, fmt.Errorf("delete %s %q of %s %q: %w", name, r.ID, obj.Name, id, err)
				}
			}
			if !page.HasMore {
				break
			}
		}
	}
	return kept, lost, nil
}

// restoreAttached puts back the notes and tasks a bin entry kept (v) and
// schedules the reminders of open tasks due in the future; lost counts
// those that could not come back (their platform object is gone).
func (w *writer) restoreAttached(ctx context.Context, tx store.Tx, v any) (lost int, err error) {
	list, _ := v.([]any)
	for _, el := range list {
		m, _ := el.(map[string]any)
		name, _ := m["object"].(string)
		p := w.snap.platform[name]
		if p == nil || !contains(attachedObjects, name) {
			lost++
			continue
		}
		r, err := storedRecord(m["record"])
		if err != nil {
			return lost, fmt.Errorf("%s in the recycle bin: %w", name, err)
		}
		if err := tx.Insert(ctx, p, r); err != nil {
			return lost, fmt.Errorf("put back %s %q: %w", name, r.ID, err)
		}
		if timers := w.snap.platform[timerObject]; name == taskObject && timers != nil {
			if err := w.scheduleReminder(ctx, tx, timers, r); err != nil {
				return lost, err
			}
		}
	}
	return lost, nil
}

// keepAttached adds the notes and tasks of a deleted record to its bin
// entry, just written in tx.
func (w *writer) keepAttached(ctx context.Context, tx store.Tx, id string, attached []any, lost int) error {
	if len(attached) == 0 && lost == 0 {
		return nil
	}
	entry, err := tx.Get(ctx, w.bin, id)
	if err != nil {
		return fmt.Errorf("read recycle bin entry %q: %w", id, err)
	}
	next := entry
	next.Data = cloneMap(entry.Data)
	next.Data["attached"] = attached
	next.Data["attachedLost"] = float64(lost)
	next.Version++
	if err := tx.Update(ctx, w.bin, next, entry.Version); err != nil {
		return fmt.Errorf("keep the notes and tasks of %q in the recycle bin: %w", id, err)
	}
	return nil
}
