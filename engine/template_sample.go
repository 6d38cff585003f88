package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// installSample writes a template's sample data as the template's sample
// actor, in batches of one transaction each, through the same write path
// as CreateRecord (checks, autonumbers, automations, audit, roll-ups).
// Records are then given the creation time and stage history the generator
// chose, so that sample data spans months; customer values
// (x-crm-customerValue) are computed from the sample orders. It writes nothing when the
// tenant already has sample records of the template (note says so).
func (e *Engine) installSample(ctx context.Context, ts store.TenantStore, admin Actor, name string, sample *template.SampleData, progress func(template.Progress)) (int, string, error) {
	actor := Actor{TenantID: admin.TenantID, ID: template.SampleActor(name)}
	snap, err := e.state(ctx, admin.TenantID, ts)
	if err != nil {
		return 0, "", err
	}
	for _, obj := range snap.catalog.Objects {
		n, err := ts.Count(ctx, obj, &store.Filter{Field: "createdBy", Op: store.OpEq, Value: actor.ID})
		if err != nil {
			return 0, "", fmt.Errorf("count sample records of %s: %w", obj.Name, err)
		}
		if n > 0 {
			return 0, fmt.Sprintf("sample data of %q is already there (%s has %d sample records); reset it first to generate it again", name, obj.Name, n), nil
		}
	}
	wr, err := e.newWriter(ctx, ts, snap, actor)
	if err != nil {
		return 0, "", err
	}
	// User fields get the tenant's active users, never invented people.
	var active []string
	for _, u := range snap.users {
		if u.Active {
			active = append(active, u.Username)
		}
	}
	// The writer records no stage history: the generated path replaces it.
	w := &sampleWriter{w: wr, hist: wr.hist, users: template.NewSampleUsers(active)}
	if slices.ContainsFunc(snap.catalog.Objects, func(o *schema.Object) bool { return o.Pool != nil }) {
		if w.states, err = e.platformObject(ctx, ts, snap, poolStateObject); err != nil {
			return 0, "", err
		}
	}
	wr.hist = nil
	n, err := sample.Write(ctx, name, w, progress)
	if err != nil {
		return n, "", err
	}
	// Customer values follow from the orders just written.
	for _, obj := range snap.catalog.Objects {
		if obj.CustomerValue == nil {
			continue
		}
		if err := e.computeValuesNow(ctx, ts, snap, admin.TenantID, obj); err != nil {
			return n, "", fmt.Errorf("customer value of the sample %s records: %w", obj.Name, err)
		}
	}
	e.log.InfoContext(ctx, "template sample data written", "tenant", admin.TenantID, "template", name, "records", n)
	return n, "", nil
}

// sampleWriter writes batches of sample records, one transaction each.
type sampleWriter struct {
	w     *writer
	hist  *schema.Object // stage history; nil when no object has a pipeline
	users *template.SampleUsers
	// states counts claims of the pools (pool.go); nil when no object has
	// a pool.
	states *schema.Object
}

var _ template.BatchWriter = (*sampleWriter)(nil)

func (sw *sampleWriter) WriteBatch(ctx context.Context, batch []template.SampleRecord, earlier func(key string) (string, bool)) (map[string]string, error) {
	added := map[string]string{}
	idOf := func(key string) (string, bool) {
		if id, ok := added[key]; ok {
			return id, true
		}
		return earlier(key)
	}
	err := sw.w.ts.WithTx(ctx, func(tx store.Tx) error {
		for _, r := range batch {
			id, err := sw.write(ctx, tx, r, idOf)
			if err != nil {
				return err
			}
			if r.Key != "" {
				added[r.Key] = id
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// write creates one sample record in tx and returns its id; idOf gives the
// ids of the records written before it.
func (sw *sampleWriter) write(ctx context.Context, tx store.Tx, r template.SampleRecord, idOf func(key string) (string, bool)) (string, error) {
	w := sw.w
	obj, err := objectIn(w.snap.catalog, r.Object)
	if err != nil {
		return "", err
	}
	data, err := r.Resolved(obj, idOf)
	if err != nil {
		return "", err
	}
	data = sw.users.Assign(obj, data)
	created := r.CreatedAt.UTC().Truncate(time.Microsecond)
	if r.CreatedAt.IsZero() {
		created = w.e.stamp()
	}
	stages, err := template.StagePath(obj, data, r.Stages, created)
	if err != nil {
		return "", fmt.Errorf("sample %s record %q: %w", obj.Name, r.Key, err)
	}
	// Inside the batch's transaction, so that scripts reading the records
	// the sample refers to find those written in the same batch.
	data, err = w.prepareIn(ctx, tx, obj, data)
	if err != nil {
		return "", fmt.Errorf("sample %s record %q: %w", obj.Name, r.Key, err)
	}
	rec, err := w.create(ctx, tx, obj, data)
	if err != nil {
		return "", fmt.Errorf("sample %s record %q: %w", obj.Name, r.Key, writeFailed(obj, "create", err))
	}
	// Back-date the record and record the generated path as its history:
	// the record as its write left it (its scripts' children may have
	// changed its roll-ups since).
	cur, err := committed(ctx, tx, obj, rec)
	if err != nil {
		return "", fmt.Errorf("sample %s record %q: %w", obj.Name, r.Key, err)
	}
	updated := created
	for _, s := range stages {
		if s.At.After(updated) {
			updated = s.At
		}
	}
	cur.CreatedAt, cur.UpdatedAt = created, updated
	if err := tx.Update(ctx, obj, cur, cur.Version); err != nil {
		return "", fmt.Errorf("date sample %s record %q: %w", obj.Name, r.Key, err)
	}
	if err := sw.own(ctx, tx, obj, cur, r); err != nil {
		return "", fmt.Errorf("sample %s record %q: %w", obj.Name, r.Key, err)
	}
	if sw.hist != nil && len(stages) > 0 {
		if err := sw.writeHistory(ctx, tx, obj, rec.ID, stages); err != nil {
			return "", err
		}
	}
	return rec.ID, nil
}

// own gives a sample record its owner: the object's pool, or the user its
// generated owner's name is given (the installer's when the tenant has no
// user); a claim from the pool counts toward the owner's claims of its
// day, in the tenant's time zone. The change of owner is audited.
func (sw *sampleWriter) own(ctx context.Context, tx store.Tx, obj *schema.Object, cur store.Record, r template.SampleRecord) error {
	if r.Owner == "" {
		if !r.ClaimedAt.IsZero() {
			return fmt.Errorf("claimed at %s by nobody", r.ClaimedAt.Format(time.RFC3339))
		}
		return nil
	}
	owner := PoolOwner
	if r.Owner != template.SamplePoolOwner {
		var ok bool
		if owner, ok = sw.users.Give(r.Owner); !ok {
			return nil // no user to give it: the installer keeps it
		}
	}
	if obj.Pool == nil && owner == PoolOwner {
		return fmt.Errorf("in the pool, but %s has no pool", obj.Name)
	}
	changes := map[string]any{"ownerId": map[string]any{"old": cur.OwnerID, "new": owner}}
	next := cur
	next.OwnerID = owner
	next.Version = cur.Version + 1
	if owner == PoolOwner { // as a return leaves it: the pool's clear fields empty
		next.Data = maps.Clone(cur.Data)
		for _, f := range obj.Pool.ClearFields {
			if v, ok := next.Data[f]; ok {
				changes[f] = map[string]any{"old": v, "new": nil}
				delete(next.Data, f)
			}
		}
	}
	if !r.ClaimedAt.IsZero() {
		user, isUser := strings.CutPrefix(owner, "user:")
		if obj.Pool == nil || !isUser {
			return fmt.Errorf("claimed by %q, but only a user claims from a pool", r.Owner)
		}
		at := r.ClaimedAt.UTC().Truncate(time.Microsecond)
		if err := sw.countClaim(ctx, tx, obj, user, sw.w.snap.clock().today(at)); err != nil {
			return err
		}
		if at.After(next.UpdatedAt) {
			next.UpdatedAt = at
		}
		changes["ownerId"] = map[string]any{"old": PoolOwner, "new": owner}
		changes[AuditPool] = map[string]any{"old": nil, "new": PoolClaim}
	}
	if err := tx.Update(ctx, obj, next, cur.Version); err != nil {
		return fmt.Errorf("give it its owner: %w", err)
	}
	return sw.w.audit(ctx, tx, AuditUpdate, obj, cur.ID, next.Version, changes)
}

// countClaim counts a sample claim of user on day as a claim is counted
// (Engine.countClaim), written by the sample data's actor. The count keeps
// the latest day, so a claim of an earlier day than the one counted
// changes nothing; a day past the pool's limit is a mistake of the sample
// data.
func (sw *sampleWriter) countClaim(ctx context.Context, tx store.Tx, obj *schema.Object, user, day string) error {
	prev, err := tx.Get(ctx, sw.states, quotaID(obj, user))
	switch {
	case err == nil:
		if d, _ := prev.Data["day"].(string); d > day {
			return nil // a later day counts already
		}
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("read the claims of %s: %w", user, err)
	}
	err = sw.w.e.countClaim(ctx, tx, sw.states, obj, user, day, sw.w.actor.ID)
	if errors.Is(err, ErrForbidden) {
		return fmt.Errorf("more than the pool's %d claims for %s on %s", obj.Pool.ClaimLimit, user, day)
	}
	return err
}

// writeHistory writes a sample record's stage history.
func (sw *sampleWriter) writeHistory(ctx context.Context, tx store.Tx, obj *schema.Object, id string, stages []template.SampleStage) error {
	prev := map[string]template.SampleStage{}
	for _, s := range stages {
		data := map[string]any{
			"object": obj.Name, "record": id, "field": s.Field, "to": s.Stage,
			"at": s.At.Format(schema.DateTimeLayout), "by": sw.w.actor.ID,
		}
		if before, ok := prev[s.Field]; ok {
			data["from"] = before.Stage
			data["seconds"] = max(0, s.At.Sub(before.At).Seconds())
		}
		prev[s.Field] = s
		h := store.Record{ID: sw.w.e.newID(), Version: 1, CreatedAt: s.At, UpdatedAt: s.At, CreatedBy: sw.w.actor.ID, UpdatedBy: sw.w.actor.ID, Data: data}
		if err := tx.Insert(ctx, sw.hist, h); err != nil {
			return fmt.Errorf("write stage history of %s %q: %w", obj.Name, id, err)
		}
	}
	return nil
}

// ResetSampleData deletes the records the template's sample data created
// (those whose createdBy is [template.SampleActor]) and nothing else, through the
// same path as DeleteRecord: the tenant's own records that point at a
// sample record lose that reference. A sample record that a tenant's
// record requires is kept, and counted in kept. Only administrators may.
func (e *Engine) ResetSampleData(ctx context.Context, name string, progress func(template.Progress)) (deleted, kept int, err error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return 0, 0, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	if !a.Admin {
		return 0, 0, errorOf(ErrForbidden, nil, "template.adminOnlyResetSamples")
	}
	w, err := e.newWriter(ctx, ts, snap, a)
	if err != nil {
		return 0, 0, err
	}
	mine := store.Leaf("createdBy", store.OpEq, template.SampleActor(name))
	total := 0
	for _, obj := range snap.catalog.Objects {
		n, err := ts.Count(ctx, obj, &mine)
		if err != nil {
			return 0, 0, fmt.Errorf("count sample records of %s: %w", obj.Name, err)
		}
		total += int(n)
	}
	// Objects that refer to others go first, so that most references are
	// gone with their records before their targets are deleted.
	for _, obj := range slices.Backward(template.DependencyOrder(snap.catalog.Objects)) {
		var refObjs []*schema.Object
		var refs []*schema.Field
		for _, src := range snap.catalog.Objects {
			for _, f := range src.Fields {
				if f.Target == obj.Name && f.Required && (f.Kind() == schema.KindLookup || f.Kind() == schema.KindLookupList) {
					refObjs, refs = append(refObjs, src), append(refs, f)
				}
			}
		}
		var after *store.Position
		for {
			page, err := ts.Find(ctx, obj, store.Query{Filter: &mine, Limit: 500, After: after})
			if err != nil {
				return deleted, kept, fmt.Errorf("find sample records of %s: %w", obj.Name, err)
			}
			if len(page.Records) == 0 {
				break
			}
			var d, k int
			err = ts.WithTx(ctx, func(tx store.Tx) error {
				d, k = 0, 0
				for _, r := range page.Records {
					held, err := requiredBy(ctx, tx, refObjs, refs, r.ID)
					if err != nil {
						return err
					}
					if held {
						k++
						continue
					}
					if err := w.removeAs(ctx, tx, obj, r.ID, ""); err != nil && !errors.Is(err, ErrNotFound) { // sample data skips the recycle bin
						return fmt.Errorf("delete sample %s record %q: %w", obj.Name, r.ID, err)
					}
					d++
				}
				return nil
			})
			if err != nil {
				return deleted, kept, err
			}
			deleted, kept = deleted+d, kept+k
			if progress != nil {
				progress(template.Progress{Phase: "reset", Object: obj.Name, Done: deleted + kept, Total: total})
			}
			if !page.HasMore {
				break
			}
			after = &store.Position{ID: page.Records[len(page.Records)-1].ID}
		}
	}
	if err := forgetSampleClaims(ctx, ts, snap, template.SampleActor(name)); err != nil {
		return deleted, kept, err
	}
	e.log.InfoContext(ctx, "template sample data reset", "tenant", a.TenantID, "template", name, "deleted", deleted, "kept", kept)
	return deleted, kept, nil
}

// forgetSampleClaims deletes the day's claim counts the sample data wrote
// (pool.go) that no user's claim has changed since, at most one per user
// and pool.
func forgetSampleClaims(ctx context.Context, ts store.TenantStore, snap *snapshot, actor string) error {
	states := snap.platform[poolStateObject]
	if states == nil {
		return nil
	}
	mine := store.Filter{And: []store.Filter{store.Leaf("createdBy", store.OpEq, actor), store.Leaf("updatedBy", store.OpEq, actor)}}
	for {
		page, err := ts.Find(ctx, states, store.Query{Filter: &mine, Limit: 500})
		if err != nil {
			return fmt.Errorf("find the sample data's claim counts: %w", err)
		}
		if len(page.Records) == 0 {
			return nil
		}
		err = ts.WithTx(ctx, func(tx store.Tx) error {
			for _, r := range page.Records {
				if err := tx.Delete(ctx, states, r.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("delete the sample claim count %q: %w", r.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}

// requiredBy reports whether a record's required lookup refers to id.
func requiredBy(ctx context.Context, tx store.Tx, objs []*schema.Object, fields []*schema.Field, id string) (bool, error) {
	for i, f := range fields {
		ref := store.Leaf(f.Name, store.OpEq, id)
		n, err := tx.Count(ctx, objs[i], &ref)
		if err != nil {
			return false, fmt.Errorf("count %s records referring to %q: %w", objs[i].Name, id, err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}
