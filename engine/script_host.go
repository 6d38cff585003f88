package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
)

// scriptHost is the engine's side of a script's crm.* calls: reads and
// writes in the caller's tenant, in the write's transaction when there is
// one, with the writer's actor. An id of another tenant is indistinguishable
// from one that does not exist (S10): every call goes to the actor's own
// tenant store.
type scriptHost struct {
	w      *writer
	tx     store.Tx // nil: reads outside a transaction, no writes
	writes bool     // whether this kind of script may write
	script string
}

var _ scripting.Host = (*scriptHost)(nil)

func (h *scriptHost) reader() store.Reader {
	if h.tx != nil {
		return h.tx
	}
	return h.w.ts
}

// object resolves an object the script's actor may use for op.
func (h *scriptHost) object(name, op string) (*schema.Object, error) {
	obj := h.w.snap.catalog.Object(name)
	if obj == nil {
		return nil, refuse("unknown object %q", name)
	}
	if err := h.w.snap.mayDo(h.w.actor, obj, op); err != nil {
		return nil, err
	}
	return obj, nil
}

// Find implements [scripting.Host]: filter is the query model's JSON form.
func (h *scriptHost) Find(ctx context.Context, object string, filter map[string]any, opts scripting.FindOptions) ([]map[string]any, error) {
	obj, err := h.object(object, "read")
	if err != nil {
		return nil, err
	}
	var f *store.Filter
	if len(filter) > 0 {
		b, err := json.Marshal(filter)
		if err != nil {
			return nil, refuse("crm.find %s: filter: %v", object, err)
		}
		f = &store.Filter{}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f); err != nil {
			return nil, refuse("crm.find %s: the filter is {field, op, value} under and/or/not: %v", object, err)
		}
	}
	var sorts []store.Sort
	for _, s := range opts.Sort {
		name, desc := strings.CutPrefix(s, "-")
		sorts = append(sorts, store.Sort{Field: name, Desc: desc})
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	rules := h.w.snap.readRules(h.w.actor, obj)
	if err := rules.check(f, sorts); err != nil {
		return nil, err
	}
	if f, err = normalizeFilter(obj, withCurrentUser(obj, f, h.w.actorUser())); err != nil {
		return nil, err
	}
	page, err := h.reader().Find(ctx, obj, store.Query{Filter: rules.Scope(f), Sort: sorts, Limit: limit})
	if err != nil {
		return nil, queryFailed(obj, err)
	}
	page.Records = rules.Show(page.Records)
	out := make([]map[string]any, len(page.Records))
	for i := range page.Records {
		out[i] = recordMap(&page.Records[i], page.Records[i].Data)
	}
	return out, nil
}

// Get implements [scripting.Host].
func (h *scriptHost) Get(ctx context.Context, object, id string) (map[string]any, error) {
	obj, err := h.object(object, "read")
	if err != nil {
		return nil, err
	}
	rec, err := h.reader().Get(ctx, obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rules := h.w.snap.readRules(h.w.actor, obj)
	if !rules.Sees(&rec) {
		return nil, nil
	}
	rec = rules.ShowOne(rec)
	return recordMap(&rec, rec.Data), nil
}

func (h *scriptHost) mayWrite(string) error {
	if !h.writes {
		return refuse("only afterSave, onStageChange and scheduled scripts may write; this one may read")
	}
	return nil
}

// chained returns ctx one level deeper in the chain of writes, or the
// loop error.
func (h *scriptHost) chained(ctx context.Context) (context.Context, error) {
	chain := append(slices.Clone(automationChain(ctx)), "script:"+h.script)
	if len(chain) > h.w.e.maxDepth {
		trail := strings.Join(chain, " → ")
		return nil, errorOf(ErrConflict, nil, "script.tooDeep", h.w.e.maxDepth, trail)
	}
	return context.WithValue(ctx, chainKey{}, chain), nil
}

// Create implements [scripting.Host]: the record is checked and written
// like any other, in the same transaction, with its own automations.
func (h *scriptHost) Create(ctx context.Context, object string, data map[string]any) (map[string]any, error) {
	if err := h.mayWrite("crm.create"); err != nil {
		return nil, err
	}
	obj, err := h.object(object, "create")
	if err != nil {
		return nil, err
	}
	if ctx, err = h.chained(ctx); err != nil {
		return nil, err
	}
	if problems := h.w.snap.writeProblems(h.w.actor, obj, data); len(problems) > 0 {
		return nil, hostError(obj.Invalid(problems))
	}
	prepared, err := h.w.prepareIn(ctx, h.tx, obj, data)
	if err != nil {
		return nil, hostError(err)
	}
	rec, err := h.w.create(ctx, h.tx, obj, prepared)
	if err != nil {
		return nil, hostError(err)
	}
	return recordMap(&rec, rec.Data), nil
}

// Update implements [scripting.Host].
func (h *scriptHost) Update(ctx context.Context, object, id string, patch map[string]any) (map[string]any, error) {
	if err := h.mayWrite("crm.update"); err != nil {
		return nil, err
	}
	obj, err := h.object(object, "update")
	if err != nil {
		return nil, err
	}
	if ctx, err = h.chained(ctx); err != nil {
		return nil, err
	}
	if problems := h.w.snap.writeProblems(h.w.actor, obj, patch); len(problems) > 0 {
		return nil, hostError(obj.Invalid(problems))
	}
	cur, err := h.tx.Get(ctx, obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse("crm.update: no %s record with id %q", object, id)
	}
	if err != nil {
		return nil, err
	}
	if err := h.w.snap.mayChange(h.w.actor, obj, &cur); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, refuse("crm.update: no %s record with id %q", object, id)
		}
		return nil, hostError(err)
	}
	rules := h.w.snap.readRules(h.w.actor, obj)
	rec, err := h.w.update(ctx, h.tx, obj, cur, rules.KeepMasked(patch, &cur))
	if err != nil {
		return nil, hostError(err)
	}
	rec = rules.ShowOne(rec)
	return recordMap(&rec, rec.Data), nil
}

// Enqueue implements [scripting.Host]: "webhook" ({url, ...payload}) goes
// to the outbox with the write; "notify" ({recipients, message: {zh, en},
// object, record}) to people's inboxes (see scriptHost.notify).
func (h *scriptHost) Enqueue(ctx context.Context, a scripting.Action) error {
	if err := h.mayWrite("crm.enqueue"); err != nil {
		return err
	}
	if h.w.outbox == nil {
		return fmt.Errorf("crm.enqueue: the outbox is not prepared")
	}
	now := h.w.e.stamp()
	data := map[string]any{"rule": "script:" + h.script, "status": OutboxPending, "attempts": 0.0,
		"nextAttemptAt": now.Format(schema.DateTimeLayout)}
	payload := map[string]any{}
	for k, v := range a.Payload {
		payload[k] = v
	}
	switch a.Type {
	case "webhook":
		url, _ := a.Payload["url"].(string)
		if !schema.IsWebURL(url) {
			return refuse("crm.enqueue webhook: payload.url must be an absolute http or https URL")
		}
		data["kind"], data["url"] = worker.KindWebhook, url
	case "notify":
		return h.notify(ctx, a.Payload)
	default:
		return refuse("crm.enqueue: unknown action %q (webhook, notify)", a.Type)
	}
	id := h.w.e.newID()
	payload["id"], payload["tenant"], payload["rule"] = id, h.w.actor.TenantID, "script:"+h.script
	data["payload"] = payload
	entry := store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: h.w.actor.ID, UpdatedBy: h.w.actor.ID, Data: data}
	return h.tx.Insert(ctx, h.w.outbox, entry)
}

// hostError turns a refused write into an error a script can catch and
// read, which still carries the record's problems in both languages for
// the write the script runs in (see [writer.scriptRunFailed]); loops and
// other engine errors stay what they are.
func hostError(err error) error {
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		return refusedWrite{ve}
	}
	return err
}

// refusedWrite is a write of a script that the engine refused: the
// script reads its problems in English words (e.message); the record's
// validation error is underneath.
type refusedWrite struct{ ve *schema.ValidationError }

func (r refusedWrite) Error() string { return describe(r.ve) }
func (r refusedWrite) Unwrap() error { return r.ve }

// publicHost is the host a script gets. What a crm.* call refuses reaches
// the script, and an uncaught refusal the caller, in words meant for
// them: the record's field problems (a duplicate value too), the engine's
// own errors, the host's own refusals. Any other error (a store or driver
// failure) is logged with the script's name and reaches the script only as
// "internal error", so that its text (paths, SQL, record ids) stays on the
// server.
type publicHost struct{ h *scriptHost }

var _ scripting.Host = publicHost{}

func (p publicHost) Find(ctx context.Context, object string, filter map[string]any, opts scripting.FindOptions) ([]map[string]any, error) {
	out, err := p.h.Find(ctx, object, filter, opts)
	return out, p.public(ctx, "crm.find", object, err)
}

func (p publicHost) Get(ctx context.Context, object, id string) (map[string]any, error) {
	out, err := p.h.Get(ctx, object, id)
	return out, p.public(ctx, "crm.get", object, err)
}

func (p publicHost) Create(ctx context.Context, object string, data map[string]any) (map[string]any, error) {
	out, err := p.h.Create(ctx, object, data)
	return out, p.public(ctx, "crm.create", object, err)
}

func (p publicHost) Update(ctx context.Context, object, id string, patch map[string]any) (map[string]any, error) {
	out, err := p.h.Update(ctx, object, id, patch)
	return out, p.public(ctx, "crm.update", object, err)
}

func (p publicHost) Enqueue(ctx context.Context, a scripting.Action) error {
	return p.public(ctx, "crm.enqueue", a.Type, p.h.Enqueue(ctx, a))
}

// public words err for the script (see [publicHost]).
func (p publicHost) public(ctx context.Context, call, object string, err error) error {
	var ve *schema.ValidationError
	var ue *store.UniqueError
	var ee *Error
	var he hostRefusal
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ve), errors.As(err, &ee), errors.As(err, &he),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &ue):
		if obj := p.h.w.snap.catalog.Object(object); obj != nil {
			return hostError(writeFailed(obj, call, err))
		}
	}
	p.h.w.e.log.ErrorContext(ctx, "script host call failed", "script", p.h.script, "call", call, "object", object, "err", err)
	return fmt.Errorf("%s %s: internal error (the server's log has the cause)", call, object)
}

// hostRefusal is a refusal the host words itself (a wrong argument, a
// call the script's kind may not make): its text is for the script.
type hostRefusal struct{ msg string }

func (r hostRefusal) Error() string { return r.msg }

// refuse returns a [hostRefusal] worded by format and args.
func refuse(format string, args ...any) error {
	return hostRefusal{msg: fmt.Sprintf(format, args...)}
}

// maxScriptRecipients bounds the recipients one crm.enqueue("notify")
// names.
const maxScriptRecipients = 50

// notify writes a script's notification through notify, in the script's
// transaction: payload.recipients lists typed recipients ("user:NAME",
// "role:NAME", "team:NAME", and "owner" or "manager" of payload.object's
// record payload.record), payload.message is {zh, en}.
func (h *scriptHost) notify(ctx context.Context, payload map[string]any) error {
	list, ok := payload["recipients"].([]any)
	if !ok || len(list) == 0 {
		return refuse("crm.enqueue notify: payload.recipients must be a non-empty list")
	}
	if len(list) > maxScriptRecipients {
		return refuse("crm.enqueue notify: payload.recipients names %d recipients; at most %d", len(list), maxScriptRecipients)
	}
	n := notice{Kind: NoticeAutomation, Actor: h.w.actorUser(), Rule: "script:" + h.script}
	for i, r := range list {
		s, _ := r.(string)
		kind, value, ok := schema.ParseRecipient(s)
		if !ok {
			return refuse("crm.enqueue notify: payload.recipients[%d] %q is not a recipient: write user:NAME, role:NAME, team:NAME, owner or manager", i, s)
		}
		n.To = append(n.To, recipient{Kind: kind, Value: value})
	}
	m, _ := payload["message"].(map[string]any)
	n.Message.Zh, _ = m["zh"].(string)
	n.Message.En, _ = m["en"].(string)
	if n.Message.Zh == "" && n.Message.En == "" {
		return refuse("crm.enqueue notify: payload.message must be {zh, en} with at least one text")
	}
	n.Object, _ = payload["object"].(string)
	n.Record, _ = payload["record"].(string)
	if n.Object != "" && h.w.snap.catalog.Object(n.Object) == nil {
		return refuse("crm.enqueue notify: payload.object %q is not an object", n.Object)
	}
	if (n.Object == "") != (n.Record == "") {
		return refuse("crm.enqueue notify: payload.object and payload.record go together")
	}
	return hostError(h.w.notify(ctx, h.tx, n))
}
