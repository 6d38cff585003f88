package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Page sizes of the recycle bin's list.
const (
	DefaultBinPage = 50
	MaxBinPage     = 200
	// maxBinScan bounds the entries one list call reads for a caller who
	// is not an administrator and sees only some of them: a page may then
	// come back short, with HasMore and a cursor to go on from.
	maxBinScan = 2_000
	// binBatch is how many entries one transaction of a purge deletes.
	binBatch = 500
)

// BinEntry is a deleted record in the recycle bin, as the caller may see
// it.
type BinEntry struct {
	ID     string // the record's id
	Object string
	// Title names the record: the value of its title field (see
	// titleField) that the caller may read; "" when there is none.
	Title string
	// Record is the record as it was deleted, with the caller's field
	// rules applied.
	Record    store.Record
	Reason    string // RecycleDeleted or RecycleMerged
	DeletedBy string
	DeletedAt time.Time
	// ExpiresAt is when the worker purges it: DeletedAt plus the tenant's
	// retention now.
	ExpiresAt time.Time
	// References counts the references to it that its delete cleared.
	References int
}

// BinQuery selects entries of the recycle bin: of one object ("" all),
// First (default [DefaultBinPage], at most [MaxBinPage]) after the cursor
// After.
type BinQuery struct {
	Object string
	First  int
	After  string
}

// BinPage is a page of the recycle bin, the last deleted first.
type BinPage struct {
	Entries   []BinEntry
	HasMore   bool
	EndCursor string // "" when the page is empty
	// RetentionDays is the tenant's retention.
	RetentionDays int
}

type binCursor struct {
	DeletedAt string `json:"d"`
	ID        string `json:"id"`
}

// RecycleBin lists the deleted records the caller may restore (see
// [Engine.RestoreDeleted] for who may), the last deleted first.
// Administrators see every entry; for others a page may come back short
// (HasMore tells), as one call reads at most 2,000 entries.
func (e *Engine) RecycleBin(ctx context.Context, q BinQuery) (*BinPage, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	first := q.First
	if first == 0 {
		first = DefaultBinPage
	}
	if first < 1 || first > MaxBinPage {
		return nil, errorOf(ErrBadRequest, nil, "recycle.pageSize", first, MaxBinPage)
	}
	var filter *store.Filter
	if q.Object != "" {
		obj, err := objectIn(snap.catalog, q.Object)
		if err != nil {
			return nil, err
		}
		if !a.Admin {
			if err := snap.mayDo(a, obj, "delete"); err != nil {
				return nil, err
			}
		}
		f := store.Leaf("object", store.OpEq, q.Object)
		filter = &f
	}
	days, err := retentionIn(ctx, ts, snap.platform[settingObject])
	if err != nil {
		return nil, err
	}
	out := &BinPage{RetentionDays: days, Entries: []BinEntry{}}
	bin := snap.platform[recycleObject]
	if bin == nil {
		return out, nil
	}
	sorts := []store.Sort{{Field: "deletedAt", Desc: true}}
	query := store.Query{Filter: filter, Sort: sorts, Limit: first}
	if q.After != "" {
		c, err := decodeBinCursor(q.After)
		if err != nil {
			return nil, err
		}
		query.After = &store.Position{Values: []any{c.DeletedAt}, ID: c.ID}
	}
	if !a.Admin {
		query.Limit = MaxBinPage
	}
	scanned := 0
	var last *store.Record
	for {
		page, err := ts.Find(ctx, bin, query)
		if err != nil {
			return nil, fmt.Errorf("read the recycle bin: %w", err)
		}
		for i := range page.Records {
			r := page.Records[i]
			scanned++
			last = &page.Records[i]
			en, err := e.openEntry(a.TenantID, snap, r)
			if err != nil {
				return nil, err
			}
			if en.obj != nil && snap.mayRecycle(a, en.obj, en.deletedBy, &en.record) == nil {
				out.Entries = append(out.Entries, e.binEntry(a, snap, en, days))
			}
			if len(out.Entries) == first || scanned >= maxBinScan {
				out.HasMore = i < len(page.Records)-1 || page.HasMore
				out.EndCursor = encodeBinCursor(last)
				return out, nil
			}
		}
		if !page.HasMore || len(page.Records) == 0 {
			if last != nil {
				out.EndCursor = encodeBinCursor(last)
			}
			return out, nil
		}
		query.After = &store.Position{Values: []any{last.Data["deletedAt"]}, ID: last.ID}
	}
}

// binEntry is en as a caller sees it.
func (e *Engine) binEntry(a Actor, snap *snapshot, en binEntry, days int) BinEntry {
	rules := snap.readRules(a, en.obj)
	rec := rules.ShowOne(en.record)
	out := BinEntry{ID: en.rec.ID, Object: en.obj.Name, Record: rec, DeletedBy: en.deletedBy}
	if f := titleField(en.obj, rules); f != "" {
		out.Title, _ = rec.Data[f].(string)
	}
	out.Reason, _ = en.rec.Data["reason"].(string)
	at, _ := en.rec.Data["deletedAt"].(string)
	out.DeletedAt, _ = time.Parse(schema.DateTimeLayout, at)
	out.ExpiresAt = out.DeletedAt.AddDate(0, 0, days)
	refs, _ := en.rec.Data["references"].([]any)
	out.References = len(refs) + int(number(en.rec.Data["referencesLost"]))
	return out
}

func encodeBinCursor(r *store.Record) string {
	at, _ := r.Data["deletedAt"].(string)
	b, _ := json.Marshal(binCursor{DeletedAt: at, ID: r.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeBinCursor(s string) (binCursor, error) {
	var c binCursor
	if len(s) > 1024 {
		return c, errorOf(ErrBadRequest, nil, "query.cursorTooLong")
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(raw, &c) != nil || c.ID == "" {
		return c, errorOf(ErrBadRequest, nil, "query.cursorForeign")
	}
	if _, err := time.Parse(schema.DateTimeLayout, c.DeletedAt); err != nil {
		return c, errorOf(ErrBadRequest, nil, "query.cursorForeign")
	}
	return c, nil
}

// PurgeDeleted removes entries from the recycle bin for good, all or none
// in one transaction, and returns how many. Administrators may purge any
// entry, others only the records they deleted; an id that names no entry
// the caller may purge refuses the call (NOT_FOUND or FORBIDDEN, naming
// it). Each purge is audited. At most [MaxRecycleIDs] ids.
func (e *Engine) PurgeDeleted(ctx context.Context, ids []string) (int, error) {
	if err := checkRecycleIDs(ids); err != nil {
		return 0, err
	}
	sc, err := e.scope(ctx)
	if err != nil {
		return 0, err
	}
	bin := sc.snap.platform[recycleObject]
	if bin == nil {
		return 0, errorOf(ErrNotFound, nil, "recycle.notFound", ids[0])
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return 0, err
	}
	n := 0
	err = sc.ts.WithTx(ctx, func(tx store.Tx) error {
		n = 0
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			r, err := tx.Get(ctx, bin, id)
			if errors.Is(err, store.ErrNotFound) {
				return errorOf(ErrNotFound, nil, "recycle.notFound", id)
			} else if err != nil {
				return fmt.Errorf("read recycle bin entry %q: %w", id, err)
			}
			en, err := e.openEntry(sc.actor.TenantID, sc.snap, r)
			if err != nil {
				return err
			}
			if !sc.actor.Admin {
				if en.obj == nil || sc.snap.mayRecycle(sc.actor, en.obj, en.deletedBy, &en.record) != nil {
					return errorOf(ErrNotFound, nil, "recycle.notFound", id)
				}
				if en.deletedBy != sc.actor.ID {
					return errorOf(ErrForbidden, nil, "recycle.purgeNotYours", id)
				}
			}
			if err := tx.Delete(ctx, bin, id); err != nil {
				return fmt.Errorf("purge recycle bin entry %q: %w", id, err)
			}
			if err := w.forgetFiles(ctx, tx, id); err != nil {
				return err
			}
			object, _ := r.Data["object"].(string)
			if err := w.auditAs(ctx, tx, AuditPurge, object, id, 0, map[string]any{}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	w.dropDeadBlobs(ctx)
	return n, nil
}

// EmptyRecycleBin purges every entry of the recycle bin, or of one
// object's records, in transactions of 500, and returns how many went; a
// call that fails part-way has purged the batches before. Each batch is
// audited as one purge. Administrators only.
func (e *Engine) EmptyRecycleBin(ctx context.Context, object string) (int, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return 0, err
	}
	if !sc.actor.Admin {
		return 0, errorOf(ErrForbidden, nil, "recycle.adminOnlyEmpty")
	}
	var filter *store.Filter
	if object != "" {
		if _, err := objectIn(sc.snap.catalog, object); err != nil {
			return 0, err
		}
		f := store.Leaf("object", store.OpEq, object)
		filter = &f
	}
	bin := sc.snap.platform[recycleObject]
	if bin == nil {
		return 0, nil
	}
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return 0, err
	}
	total := 0
	for {
		n, more, err := w.purgeBatch(ctx, sc.ts, bin, filter, binBatch, object, "empty")
		total += n
		if err != nil || !more {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// purgeBatch deletes up to limit entries that filter (nil: all) matches,
// the oldest first, in one transaction, audited as one purge of object
// ("" for several) saying why; more says whether others matched.
func (w *writer) purgeBatch(ctx context.Context, ts store.TenantStore, bin *schema.Object, filter *store.Filter, limit int, object, why string) (n int, more bool, err error) {
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		page, err := tx.Find(ctx, bin, store.Query{Filter: filter, Sort: []store.Sort{{Field: "deletedAt"}}, Limit: limit})
		if err != nil {
			return fmt.Errorf("read the recycle bin: %w", err)
		}
		for _, r := range page.Records {
			if err := tx.Delete(ctx, bin, r.ID); err != nil {
				return fmt.Errorf("purge recycle bin entry %q: %w", r.ID, err)
			}
			if err := w.forgetFiles(ctx, tx, r.ID); err != nil {
				return err
			}
		}
		n, more = len(page.Records), page.HasMore
		if n == 0 {
			return nil
		}
		return w.auditAs(ctx, tx, AuditPurge, object, "", 0, map[string]any{why: map[string]any{"old": float64(n), "new": nil}})
	})
	if err != nil {
		w.deadBlobs = nil
		return 0, false, err
	}
	w.dropDeadBlobs(ctx)
	return n, more, nil
}

// binDueRecheck bounds how long the worker trusts what it knows of a
// tenant's next expiry: another server process may have changed the
// retention meanwhile.
const binDueRecheck = time.Minute

// binDueAt is what the worker knows of a tenant's recycle bin: nothing
// expires before next; it was worked out at checked.
type binDueAt struct{ next, checked time.Time }

// purgeExpired purges, for the worker, up to limit entries of a tenant's
// recycle bin whose retention has passed, and returns how many. When
// none is left due it notes when the next one will be, and later passes
// skip the tenant until then (or a minute, or a change of retention): a
// tenant with nothing due costs a map look-up.
func (e *Engine) purgeExpired(ctx context.Context, tenant string, limit int) (int, error) {
	now := e.stamp()
	if v, ok := e.binDue.Load(tenant); ok {
		if d := v.(binDueAt); now.Before(d.next) && now.Before(d.checked.Add(binDueRecheck)) {
			return 0, nil
		}
	}
	ts, snap, err := e.tenantScope(ctx, tenant)
	if err != nil {
		return 0, err
	}
	bin := snap.platform[recycleObject]
	if bin == nil {
		e.binDue.Store(tenant, binDueAt{next: now.Add(binDueRecheck), checked: now})
		return 0, nil
	}
	days, err := retentionIn(ctx, ts, snap.platform[settingObject])
	if err != nil {
		return 0, err
	}
	cutoff := now.AddDate(0, 0, -days).Format(schema.DateTimeLayout)
	f := store.Leaf("deletedAt", store.OpLte, cutoff)
	w, err := e.newWriter(WithDoor(ctx, "job"), ts, snap, automationActor(tenant))
	if err != nil {
		return 0, err
	}
	n, more, err := w.purgeBatch(WithDoor(ctx, "job"), ts, bin, &f, min(limit, binBatch), "", "expired")
	if err != nil || more {
		return n, err
	}
	// Nothing more is due: the oldest entry left says when something is.
	next := now.AddDate(0, 0, days)
	page, err := ts.Find(ctx, bin, store.Query{Sort: []store.Sort{{Field: "deletedAt"}}, Limit: 1})
	if err != nil {
		return n, fmt.Errorf("read the recycle bin: %w", err)
	}
	if len(page.Records) > 0 {
		at, _ := page.Records[0].Data["deletedAt"].(string)
		if t, err := time.Parse(schema.DateTimeLayout, at); err == nil {
			next = t.AddDate(0, 0, days)
		}
	}
	e.binDue.Store(tenant, binDueAt{next: next, checked: now})
	return n, nil
}

// eraseFromBin deletes the bin entry of obj's record id, if there is one,
// in tx, and reports whether there was.
func (w *writer) eraseFromBin(ctx context.Context, tx store.Tx, obj *schema.Object, id string) (bool, error) {
	if w.bin == nil {
		return false, nil
	}
	r, err := tx.Get(ctx, w.bin, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("read recycle bin entry %q: %w", id, err)
	}
	if object, _ := r.Data["object"].(string); object != obj.Name {
		return false, nil
	}
	if err := tx.Delete(ctx, w.bin, id); err != nil {
		return false, fmt.Errorf("erase recycle bin entry %q: %w", id, err)
	}
	if err := w.forgetFiles(ctx, tx, id); err != nil {
		return false, err
	}
	return true, nil
}
