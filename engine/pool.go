package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The customer pool (公海, docs/pool.md). An object with x-crm-pool may
// hold records that nobody owns: their owner is PoolOwner. Reps who may
// claim see them (whatever the object's sharing) and claim them, at most
// the pool's claim limit in one of the tenant's days; nobody but
// administrators and the pool's managers changes a pooled record until it
// is claimed. Records go back to the pool by hand (their owner, the
// people above the owner, the pool's managers, administrators; with a
// reason) or by the worker (ReturnDue): after the pool's idle days
// without any change, or when the pool's condition holds.
//
// One crmPoolState record per rep and pool counts the rep's claims of the
// day ("q:OBJECT:USER"), and one per returned record remembers who lost
// it on which day ("r:OBJECT:ID"), so that a rep cannot claim back the
// same day what went back from them (unless the pool allows it). Claims
// and returns are audited as changes of ownerId (see AuditPool), and
// notify the new or old owner and their manager.

// PoolOwner is the owner of a record in its object's pool.
const PoolOwner = "pool"

const poolStateObject = "crmPoolState"

// MaxPoolBatch bounds the records of one claim or return call.
const MaxPoolBatch = 100

// poolReturnBatch bounds the records the worker returns per pool and pass.
const poolReturnBatch = 100

// maxPoolReason bounds a free-text reason, in characters.
const maxPoolReason = 200

// An audit entry of a claim or a return has, beside the change of ownerId,
// AuditPool (new: PoolClaim or PoolReturn); a return has AuditPoolReason
// (new: the reason, in Chinese when the pool's reason has it) and, when a
// rule returned it, AuditPoolRule (new: "idle" or "condition"). No field
// name starts with "$".
const (
	AuditPool       = "$pool"
	AuditPoolReason = "$poolReason"
	AuditPoolRule   = "$poolRule"
)

// Pool actions, as the audit trail and notifications name them.
const (
	PoolClaim  = "claim"
	PoolReturn = "return"
)

// PoolInfo is a pool as one caller sees it.
type PoolInfo struct {
	Object string
	Label  schema.Label
	Pool   *schema.Pool
	// MayClaim says whether the caller may claim; ClaimedToday and
	// ClaimsLeft count its claims in the tenant's day.
	MayClaim     bool
	ClaimedToday int
	ClaimsLeft   int
	// Manages says whether the caller changes pooled records and returns
	// anyone's (administrators, the pool's manager roles).
	Manages bool
}

// PoolResult is what became of one record of a claim or return.
type PoolResult struct {
	ID string
	// Record is the record after the change, as the caller sees it; zero
	// when Err is set.
	Record store.Record
	Err    error
}

// Pools lists the pools of the objects the caller may read, by object
// name.
func (e *Engine) Pools(ctx context.Context) ([]PoolInfo, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	var out []PoolInfo
	for _, obj := range sc.snap.catalog.Objects {
		if obj.Pool == nil || sc.snap.mayDo(sc.actor, obj, "read") != nil {
			continue
		}
		info, err := e.poolInfo(ctx, sc, obj)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b PoolInfo) int { return strings.Compare(a.Object, b.Object) })
	return out, nil
}

// Pool describes one object's pool for the caller.
func (e *Engine) Pool(ctx context.Context, object string) (PoolInfo, error) {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return PoolInfo{}, err
	}
	if err := sc.snap.mayDo(sc.actor, sc.obj, "read"); err != nil {
		return PoolInfo{}, err
	}
	if sc.obj.Pool == nil {
		return PoolInfo{}, errorOf(ErrBadRequest, nil, "pool.none", sc.obj.Name, labelZh(sc.obj))
	}
	return e.poolInfo(ctx, sc.scope, sc.obj)
}

func (e *Engine) poolInfo(ctx context.Context, sc scope, obj *schema.Object) (PoolInfo, error) {
	p := obj.Pool
	info := PoolInfo{Object: obj.Name, Label: p.Label, Pool: p, Manages: sc.snap.managesPool(sc.actor, obj)}
	if info.Label == (schema.Label{}) {
		info.Label = schema.Label{Zh: labelZh(obj) + "公海", En: obj.Name + " pool"}
	}
	me, isUser := strings.CutPrefix(sc.actor.ID, "user:")
	info.MayClaim = isUser && sc.snap.mayClaim(sc.actor, obj)
	if !isUser {
		return info, nil
	}
	if st := sc.snap.platform[poolStateObject]; st != nil {
		rec, err := sc.ts.Get(ctx, st, quotaID(obj, me))
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return PoolInfo{}, fmt.Errorf("read the claims of %s in the %s pool: %w", me, obj.Name, err)
		default:
			info.ClaimedToday = claimsOn(rec, sc.snap.clock().today(e.now()))
		}
	}
	info.ClaimsLeft = max(0, p.ClaimLimit-info.ClaimedToday)
	if !info.MayClaim {
		info.ClaimsLeft = 0
	}
	return info, nil
}

// claimsOn counts the claims a quota record holds for day.
func claimsOn(rec store.Record, day string) int {
	if d, _ := rec.Data["day"].(string); d != day {
		return 0
	}
	n, _ := rec.Data["count"].(float64)
	return int(n)
}

func quotaID(obj *schema.Object, user string) string  { return "q:" + obj.Name + ":" + user }
func returnedID(obj *schema.Object, id string) string { return "r:" + obj.Name + ":" + id }

// mayClaim reports whether the actor may claim from the object's pool:
// administrators, and users whose role reads the object and is one of
// the pool's claim roles (every role when it names none).
func (s *snapshot) mayClaim(a Actor, obj *schema.Object) bool {
	if obj.Pool == nil {
		return false
	}
	acc, restricted := s.access(a, obj.Name)
	if !restricted {
		return true
	}
	return acc.Allows("read") && acc.Allows("update") && obj.Pool.MayClaim(a.Role)
}

// managesPool reports whether the actor changes the pooled records of obj
// and returns anyone's: administrators and the pool's manager roles.
func (s *snapshot) managesPool(a Actor, obj *schema.Object) bool {
	if obj.Pool == nil {
		return false
	}
	if _, restricted := s.access(a, obj.Name); !restricted {
		return true
	}
	return obj.Pool.Manages(a.Role)
}

// poolSharing adds the pool to the owners whose records the actor sees
// when it may claim from it or manages it.
func (s *snapshot) poolSharing(a Actor, obj *schema.Object, read map[string]bool) map[string]bool {
	if obj.Pool == nil || read == nil || read[PoolOwner] || !(s.mayClaim(a, obj) || s.managesPool(a, obj)) {
		return read
	}
	out := maps.Clone(read)
	out[PoolOwner] = true
	return out
}

// ClaimRecords makes the caller, a user who may claim, the owner of
// records of the object's pool, each in its own transaction, and answers
// one result per id in order: CONFLICT for a record no longer in the pool
// (claimed meanwhile), FORBIDDEN once the day's claims are used up or for
// a record that went back from the caller today.
func (e *Engine) ClaimRecords(ctx context.Context, object string, ids []string) ([]PoolResult, error) {
	sc, obj, me, err := e.poolScope(ctx, object, ids)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(sc.actor.ID, "user:") {
		return nil, errorOf(ErrForbidden, nil, "pool.usersOnly")
	}
	if !sc.snap.mayClaim(sc.actor, obj) {
		return nil, errorOf(ErrForbidden, nil, "pool.mayNotClaim", obj.Name, labelZh(obj))
	}
	w, states, err := e.poolWriter(ctx, sc.scope)
	if err != nil {
		return nil, err
	}
	out := make([]PoolResult, len(ids))
	for i, id := range ids {
		out[i] = PoolResult{ID: id}
		var rec store.Record
		err := sc.ts.WithTx(ctx, func(tx store.Tx) error {
			var err error
			rec, err = e.claimOne(ctx, tx, w, states, obj, me, id)
			return err
		})
		if err != nil {
			out[i].Err = writeFailed(obj, "claim", err)
			continue
		}
		out[i].Record = sc.snap.readRules(sc.actor, obj).ShowOne(rec)
	}
	return out, nil
}

func (e *Engine) claimOne(ctx context.Context, tx store.Tx, w *writer, states *schema.Object, obj *schema.Object, me, id string) (store.Record, error) {
	p, snap := obj.Pool, w.snap
	cur, err := tx.Get(ctx, obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Record{}, notFound(obj, id, err)
	} else if err != nil {
		return store.Record{}, err
	}
	if cur.OwnerID != PoolOwner {
		if !snap.readRules(w.actor, obj).Sees(&cur) {
			return store.Record{}, notFound(obj, id, nil)
		}
		return store.Record{}, errorOf(ErrConflict, nil, "pool.notInPool", id)
	}
	today := snap.clock().today(e.now())
	if !p.ReclaimSameDay {
		back, err := tx.Get(ctx, states, returnedID(obj, id))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return store.Record{}, fmt.Errorf("read who returned %s %q: %w", obj.Name, id, err)
		}
		if err == nil && back.Data["user"] == me && back.Data["day"] == today {
			return store.Record{}, errorOf(ErrForbidden, nil, "pool.returnedToday", id)
		}
	}
	if err := e.countClaim(ctx, tx, states, obj, me, today, "user:"+me); err != nil {
		return store.Record{}, err
	}
	if err := w.approvalLock(ctx, tx, obj, cur, []string{"ownerId"}, false); err != nil {
		return store.Record{}, err
	}
	next := cur
	next.OwnerID = "user:" + me
	next.Version = cur.Version + 1
	next.UpdatedAt = e.stamp()
	next.UpdatedBy = w.actor.ID
	if err := tx.Update(ctx, obj, next, cur.Version); err != nil {
		return store.Record{}, err
	}
	changes := map[string]any{"ownerId": map[string]any{"old": PoolOwner, "new": next.OwnerID}, AuditPool: map[string]any{"old": nil, "new": PoolClaim}}
	if err := w.audit(ctx, tx, AuditUpdate, obj, id, next.Version, changes); err != nil {
		return store.Record{}, err
	}
	title := recordTitle(snap, obj, next)
	who := snap.displayName(me)
	msg := schema.Label{Zh: message.Text(message.Zh, "pool.claimNotice", who, poolName(obj).Zh, title),
		En: message.Text(message.En, "pool.claimNotice", who, poolName(obj).En, title)}
	return next, w.notify(ctx, tx, notice{Kind: NoticeAssignment, To: poolRecipients(snap, me), Object: obj.Name, Record: id,
		Message: msg, Actor: w.actor.ID, Rule: "pool:" + PoolClaim})
}

// countClaim counts one more claim of user on day, refusing it past the
// pool's limit; by ("user:NAME", or the sample data's actor) writes the
// count. Two claims of one rep at once meet on the quota record's
// version: one of them fails with CONFLICT.
func (e *Engine) countClaim(ctx context.Context, tx store.Tx, states *schema.Object, obj *schema.Object, user, day, by string) error {
	id := quotaID(obj, user)
	now := e.stamp()
	cur, err := tx.Get(ctx, states, id)
	if errors.Is(err, store.ErrNotFound) {
		if obj.Pool.ClaimLimit < 1 {
			return errorOf(ErrForbidden, nil, "pool.limitReached", obj.Pool.ClaimLimit)
		}
		rec := store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: by, UpdatedBy: by,
			Data: map[string]any{"object": obj.Name, "user": user, "day": day, "count": 1.0}}
		if err := tx.Insert(ctx, states, rec); err != nil {
			return fmt.Errorf("count a claim of %s: %w", user, err)
		}
		return nil
	} else if err != nil {
		return fmt.Errorf("read the claims of %s: %w", user, err)
	}
	n := claimsOn(cur, day)
	if n >= obj.Pool.ClaimLimit {
		return errorOf(ErrForbidden, nil, "pool.limitReached", obj.Pool.ClaimLimit)
	}
	next := cur
	next.Data = map[string]any{"object": obj.Name, "user": user, "day": day, "count": float64(n + 1)}
	next.Version = cur.Version + 1
	next.UpdatedAt, next.UpdatedBy = now, by
	if err := tx.Update(ctx, states, next, cur.Version); err != nil {
		return fmt.Errorf("count a claim of %s: %w", user, err)
	}
	return nil
}

// ReturnToPool puts records back in the object's pool, each in its own
// transaction, with a reason: one of the pool's reasons (its Chinese or
// English wording) when it lists some, else any text up to 200
// characters. The owner, the people above the owner, the pool's managers
// and administrators may return a record; its pool's clear fields are
// emptied.
func (e *Engine) ReturnToPool(ctx context.Context, object string, ids []string, reason string) ([]PoolResult, error) {
	sc, obj, _, err := e.poolScope(ctx, object, ids)
	if err != nil {
		return nil, err
	}
	why, err := poolReason(obj, reason)
	if err != nil {
		return nil, err
	}
	w, states, err := e.poolWriter(ctx, sc.scope)
	if err != nil {
		return nil, err
	}
	out := make([]PoolResult, len(ids))
	for i, id := range ids {
		out[i] = PoolResult{ID: id}
		var rec store.Record
		err := sc.ts.WithTx(ctx, func(tx store.Tx) error {
			cur, err := tx.Get(ctx, obj, id)
			if errors.Is(err, store.ErrNotFound) {
				return notFound(obj, id, err)
			} else if err != nil {
				return err
			}
			if err := mayReturn(sc.snap, sc.actor, obj, &cur); err != nil {
				return err
			}
			rec, err = e.returnOne(ctx, tx, w, states, obj, cur, why, "")
			return err
		})
		if err != nil {
			out[i].Err = writeFailed(obj, "return", err)
			continue
		}
		out[i].Record = sc.snap.readRules(sc.actor, obj).ShowOne(rec)
	}
	return out, nil
}

// mayReturn refuses a return by hand of rec by the actor: NOT_FOUND for a
// record it does not see, CONFLICT for one already in the pool, FORBIDDEN
// unless it owns the record, is above its owner, or manages the pool.
func mayReturn(snap *snapshot, a Actor, obj *schema.Object, rec *store.Record) error {
	if !snap.readRules(a, obj).Sees(rec) {
		return notFound(obj, rec.ID, nil)
	}
	if rec.OwnerID == PoolOwner {
		return errorOf(ErrConflict, nil, "pool.alreadyInPool", rec.ID)
	}
	if snap.managesPool(a, obj) || rec.OwnerID == a.ID || snap.circle(a).Edit[rec.OwnerID] {
		return nil
	}
	return errorOf(ErrForbidden, nil, "pool.mayNotReturn", obj.Name, labelZh(obj))
}

// poolReason checks a reason for a return by hand.
func poolReason(obj *schema.Object, reason string) (schema.Label, error) {
	reason = strings.TrimSpace(reason)
	p := obj.Pool
	if len(p.Reasons) > 0 {
		if r, ok := p.Reason(reason); ok {
			return r, nil
		}
		names := make([]string, len(p.Reasons))
		for i, r := range p.Reasons {
			names[i] = r.Zh
			if names[i] == "" {
				names[i] = r.En
			}
		}
		return schema.Label{}, errorOf(ErrBadRequest, nil, "pool.badReason", reason, strings.Join(names, "、"))
	}
	if reason == "" {
		return schema.Label{}, errorOf(ErrBadRequest, nil, "pool.noReason")
	}
	if utf8.RuneCountInString(reason) > maxPoolReason {
		return schema.Label{}, errorOf(ErrBadRequest, nil, "pool.longReason", maxPoolReason)
	}
	return schema.Label{Zh: reason, En: reason}, nil
}

// returnOne puts cur back in the pool in tx: no owner, the pool's clear
// fields emptied, audited, its former owner and their manager told. rule
// is "" for a return by hand, else the rule that returned it ("idle",
// "condition").
func (e *Engine) returnOne(ctx context.Context, tx store.Tx, w *writer, states *schema.Object, obj *schema.Object, cur store.Record, why schema.Label, rule string) (store.Record, error) {
	if err := w.approvalLock(ctx, tx, obj, cur, append([]string{"ownerId"}, obj.Pool.ClearFields...), false); err != nil {
		return store.Record{}, err
	}
	next := cur
	next.Data = maps.Clone(cur.Data)
	changes := map[string]any{}
	for _, f := range obj.Pool.ClearFields {
		if v, ok := next.Data[f]; ok {
			changes[f] = map[string]any{"old": v, "new": nil}
			delete(next.Data, f)
		}
	}
	next.OwnerID = PoolOwner
	next.Version = cur.Version + 1
	next.UpdatedAt = e.stamp()
	next.UpdatedBy = w.actor.ID
	if err := tx.Update(ctx, obj, next, cur.Version); err != nil {
		return store.Record{}, err
	}
	changes["ownerId"] = map[string]any{"old": cur.OwnerID, "new": PoolOwner}
	changes[AuditPool] = map[string]any{"old": nil, "new": PoolReturn}
	changes[AuditPoolReason] = map[string]any{"old": nil, "new": why.Zh}
	if rule != "" {
		changes[AuditPoolRule] = map[string]any{"old": nil, "new": rule}
	}
	if err := w.audit(ctx, tx, AuditUpdate, obj, cur.ID, next.Version, changes); err != nil {
		return store.Record{}, err
	}
	old, isUser := strings.CutPrefix(cur.OwnerID, "user:")
	if !isUser {
		return next, nil
	}
	today := w.snap.clock().today(e.now())
	mark := store.Record{ID: returnedID(obj, cur.ID), CreatedAt: next.UpdatedAt, UpdatedAt: next.UpdatedAt, CreatedBy: w.actor.ID, UpdatedBy: w.actor.ID,
		Data: map[string]any{"object": obj.Name, "user": old, "day": today}}
	prev, err := tx.Get(ctx, states, mark.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		mark.Version = 1
		err = tx.Insert(ctx, states, mark)
	case err == nil:
		mark.Version, mark.CreatedAt, mark.CreatedBy = prev.Version+1, prev.CreatedAt, prev.CreatedBy
		err = tx.Update(ctx, states, mark, prev.Version)
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("remember who returned %s %q: %w", obj.Name, cur.ID, err)
	}
	title := recordTitle(w.snap, obj, next)
	by := schema.Label{Zh: "系统规则", En: "a pool rule"}
	if u, ok := strings.CutPrefix(w.actor.ID, "user:"); ok {
		by = schema.Label{Zh: w.snap.displayName(u), En: w.snap.displayName(u)}
	} else if rule == "" {
		by = schema.Label{Zh: "API 密钥", En: "an API key"}
	}
	was := w.snap.displayName(old)
	msg := schema.Label{Zh: message.Text(message.Zh, "pool.returnNotice", title, poolName(obj).Zh, why.Zh, was, by.Zh),
		En: message.Text(message.En, "pool.returnNotice", title, poolName(obj).En, why.En, was, by.En)}
	return next, w.notify(ctx, tx, notice{Kind: NoticeAssignment, To: poolRecipients(w.snap, old), Object: obj.Name, Record: cur.ID,
		Message: msg, Actor: w.actor.ID, Rule: "pool:" + PoolReturn})
}

// poolRecipients are a user and their manager.
func poolRecipients(snap *snapshot, user string) []recipient {
	to := []recipient{{Kind: RecipientUser, Value: user}}
	if m := activeManager(snap.users, user); m != "" {
		to = append(to, recipient{Kind: RecipientUser, Value: m})
	}
	return to
}

// poolName is how messages name an object's pool.
func poolName(obj *schema.Object) schema.Label {
	l := obj.Pool.Label
	if l.Zh == "" {
		l.Zh = labelZh(obj) + "公海"
	}
	if l.En == "" {
		l.En = obj.Name + " pool"
	}
	return l
}

// displayName is a user's display name, else the user name.
func (s *snapshot) displayName(name string) string {
	if u, ok := s.users[name]; ok && u.DisplayName != "" {
		return u.DisplayName
	}
	return name
}

// poolScope checks what claims and returns share: a pooled object the
// caller reads, 1 to MaxPoolBatch distinct ids; it answers the caller's
// user name ("" for an API key).
func (e *Engine) poolScope(ctx context.Context, object string, ids []string) (objectScope, *schema.Object, string, error) {
	sc, err := e.writeScope(ctx, object)
	if err != nil {
		return objectScope{}, nil, "", err
	}
	obj := sc.obj
	if obj.Pool == nil {
		return objectScope{}, nil, "", errorOf(ErrBadRequest, nil, "pool.none", obj.Name, labelZh(obj))
	}
	if err := sc.snap.mayDo(sc.actor, obj, "read"); err != nil {
		return objectScope{}, nil, "", err
	}
	me, _ := strings.CutPrefix(sc.actor.ID, "user:")
	if len(ids) == 0 || len(ids) > MaxPoolBatch {
		return objectScope{}, nil, "", errorOf(ErrBadRequest, nil, "pool.batch", MaxPoolBatch)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == "" || seen[id] {
			return objectScope{}, nil, "", errorOf(ErrBadRequest, nil, "pool.badIDs", id)
		}
		seen[id] = true
	}
	return sc, obj, me, nil
}

// poolWriter makes the writer of claims and returns, ready to notify, and
// the pool state object.
func (e *Engine) poolWriter(ctx context.Context, sc scope) (*writer, *schema.Object, error) {
	w, err := e.newWriter(ctx, sc.ts, sc.snap, sc.actor)
	if err != nil {
		return nil, nil, err
	}
	if err := w.prepareNotify(ctx); err != nil {
		return nil, nil, err
	}
	states, err := e.platformObject(ctx, sc.ts, sc.snap, poolStateObject)
	if err != nil {
		return nil, nil, err
	}
	return w, states, nil
}

// returnDue returns to their pools the records the pools' rules return,
// at most poolReturnBatch per pool and rule in one pass, each in its own
// transaction; it answers how many went back. A record idle for the
// pool's idle days is one whose last change (by anyone: its owner's
// edits, a claim or transfer, an automation, a roll-up of its activities)
// is at least that many days (of 24 hours) old, and that meets the pool's
// idle condition when it has one.
func (e *Engine) returnDue(ctx context.Context, tenantID string) (int, error) {
	ts, snap, err := e.tenantScope(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	var pooled []*schema.Object
	for _, o := range snap.catalog.Objects {
		if o.Pool != nil && (o.Pool.IdleDays > 0 || len(o.Pool.ReturnWhen) > 0) {
			pooled = append(pooled, o)
		}
	}
	if len(pooled) == 0 {
		return 0, nil
	}
	ctx = WithDoor(ctx, "pool")
	w, states, err := e.poolWriter(ctx, scope{actor: automationActor(tenantID), ts: ts, snap: snap})
	if err != nil {
		return 0, err
	}
	returned := 0
	owned := store.Leaf("ownerId", store.OpNe, PoolOwner)
	for _, obj := range pooled {
		p := obj.Pool
		type rule struct {
			name   string
			filter store.Filter
			why    schema.Label
		}
		var rules []rule
		if p.IdleDays > 0 {
			cutoff := e.stamp().Add(-time.Duration(p.IdleDays) * 24 * time.Hour)
			idle := store.Filter{And: []store.Filter{owned, store.Leaf("updatedAt", store.OpLt, cutoff.Format(schema.DateTimeLayout))}}
			if len(p.IdleWhen) > 0 {
				var f store.Filter
				if err := json.Unmarshal(p.IdleWhen, &f); err != nil {
					return returned, fmt.Errorf("idle condition of the %s pool: %w", obj.Name, err)
				}
				idle.And = append(idle.And, f)
			}
			rules = append(rules, rule{name: "idle", why: schema.Label{Zh: fmt.Sprintf("%d 天未跟进", p.IdleDays), En: fmt.Sprintf("no follow-up in %d days", p.IdleDays)},
				filter: idle})
		}
		if len(p.ReturnWhen) > 0 {
			var f store.Filter
			if err := json.Unmarshal(p.ReturnWhen, &f); err != nil {
				return returned, fmt.Errorf("return condition of the %s pool: %w", obj.Name, err)
			}
			rules = append(rules, rule{name: "condition", why: schema.Label{Zh: "满足退回条件", En: "the pool's return condition holds"},
				filter: store.Filter{And: []store.Filter{owned, f}}})
		}
		for i := range rules {
			nf, err := normalizeFilter(obj, &rules[i].filter)
			if err != nil {
				return returned, fmt.Errorf("the %s pool's %s rule: %w", obj.Name, rules[i].name, err)
			}
			rules[i].filter = *nf
		}
		for _, r := range rules {
			page, err := ts.Find(ctx, obj, store.Query{Filter: &r.filter, Sort: []store.Sort{{Field: "updatedAt"}}, Limit: poolReturnBatch})
			if err != nil {
				return returned, fmt.Errorf("find the %s records the pool's %s rule returns: %w", obj.Name, r.name, err)
			}
			for _, cand := range page.Records {
				err := ts.WithTx(ctx, func(tx store.Tx) error {
					cur, err := tx.Get(ctx, obj, cand.ID)
					if err != nil {
						return err
					}
					if cur.OwnerID == PoolOwner || !store.Match(&r.filter, &cur) {
						return errNoLongerDue // changed since the query
					}
					_, err = e.returnOne(ctx, tx, w, states, obj, cur, r.why, r.name)
					return err
				})
				switch {
				case err == nil:
					returned++
				case errors.Is(err, errNoLongerDue), errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict), errors.As(err, new(*Error)):
					// gone, changed meanwhile, or held (an approval's lock): the next pass looks again
				default:
					return returned, fmt.Errorf("return %s %q to the pool: %w", obj.Name, cand.ID, err)
				}
			}
		}
	}
	return returned, nil
}

var errNoLongerDue = errors.New("no longer due")
