package seal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// sealRecord returns rec with its sensitive values encrypted and their
// hashes set.
func sealRecord(cfg Config, obj *schema.Object, rec store.Record) (store.Record, error) {
	s, tenant := cfg.Sealer, cfg.Tenant
	if !HasSensitive(obj) {
		return rec, nil
	}
	if s == nil {
		return rec, cfg.refuse(NoKey(obj))
	}
	data := make(map[string]any, len(rec.Data)+2)
	for k, v := range rec.Data {
		data[k] = v
	}
	for _, f := range obj.Fields {
		if !f.Sensitive {
			continue
		}
		v, ok := data[f.Name]
		if f.Searchable {
			delete(data, schema.SearchField(f.Name))
		}
		if !ok || v == nil {
			continue
		}
		sealed, err := s.Seal(AAD(tenant, obj.Name, f.Name, rec.ID), v)
		if err != nil {
			return rec, fmt.Errorf("seal %s.%s: %w", obj.Name, f.Name, err)
		}
		data[f.Name] = sealed
		if f.Searchable {
			data[schema.SearchField(f.Name)] = s.hash(hashScope(tenant, obj.Name, f.Name), v)
		}
	}
	rec.Data = data
	return rec, nil
}

// OpenRecord returns rec with its sensitive values decrypted and the
// hidden hashes removed, as reads through a [Store] do; for records read
// elsewhere, such as an export of another tenant (cfg.Tenant).
func OpenRecord(cfg Config, obj *schema.Object, rec store.Record) (store.Record, error) {
	s, tenant := cfg.Sealer, cfg.Tenant
	if !HasSensitive(obj) {
		return rec, nil
	}
	data := make(map[string]any, len(rec.Data))
	for k, v := range rec.Data {
		data[k] = v
	}
	for _, f := range obj.Fields {
		if f.Hidden {
			delete(data, f.Name)
			continue
		}
		text, ok := data[f.Name].(string)
		if !f.Sensitive || !ok || !strings.HasPrefix(text, sealPrefix) {
			continue
		}
		if s == nil {
			return rec, cfg.refuse(NoKey(obj))
		}
		v, err := s.Open(AAD(tenant, obj.Name, f.Name, rec.ID), text)
		if err != nil {
			return rec, cfg.refuse(&KeyError{Object: obj, Field: f.Name, Record: rec.ID, Err: err})
		}
		data[f.Name] = v
	}
	rec.Data = data
	return rec, nil
}

// sealFilter rewrites conditions on sensitive fields: equality on a
// searchable one compares hashes; isNull looks at the ciphertext; anything
// else cannot be answered and is refused.
func sealFilter(cfg Config, obj *schema.Object, f *store.Filter) (*store.Filter, error) {
	s, tenant := cfg.Sealer, cfg.Tenant
	if f == nil || !HasSensitive(obj) {
		return f, nil
	}
	out := *f
	if f.IsLeaf() {
		field := obj.Field(f.Field)
		if field == nil || !field.Sensitive || f.Op == store.OpIsNull {
			return &out, nil
		}
		if !field.Searchable || s == nil {
			return nil, &store.QueryError{Field: f.Field, Message: "is encrypted: only isNull filters work on it (make it x-crm-searchable for equality)"}
		}
		scope := hashScope(tenant, obj.Name, field.Name)
		switch f.Op {
		case store.OpEq, store.OpNe:
			out.Field, out.Value = schema.SearchField(field.Name), s.hash(scope, f.Value)
		case store.OpIn, store.OpNin:
			list, _ := f.Value.([]any)
			hashed := make([]any, len(list))
			for i, v := range list {
				hashed[i] = s.hash(scope, v)
			}
			out.Field, out.Value = schema.SearchField(field.Name), hashed
		default:
			return nil, &store.QueryError{Field: f.Field, Message: fmt.Sprintf("is encrypted: %s does not work on it, only eq, ne, in, nin and isNull", f.Op)}
		}
		return &out, nil
	}
	out.And, out.Or = nil, nil
	for i := range f.And {
		sub, err := sealFilter(cfg, obj, &f.And[i])
		if err != nil {
			return nil, err
		}
		out.And = append(out.And, *sub)
	}
	for i := range f.Or {
		sub, err := sealFilter(cfg, obj, &f.Or[i])
		if err != nil {
			return nil, err
		}
		out.Or = append(out.Or, *sub)
	}
	if f.Not != nil {
		sub, err := sealFilter(cfg, obj, f.Not)
		if err != nil {
			return nil, err
		}
		out.Not = sub
	}
	return &out, nil
}

func checkSort(obj *schema.Object, sorts []store.Sort) error {
	for _, so := range sorts {
		if f := obj.Field(so.Field); f != nil && f.Sensitive {
			return &store.QueryError{Field: so.Field, Message: "is encrypted and cannot be sorted on"}
		}
	}
	return nil
}

// Config says how a [Store] or [Tx] seals.
type Config struct {
	// Sealer seals and opens values. If nil (no key is configured),
	// records of objects with sensitive fields are refused.
	Sealer *Sealer
	// Tenant is the tenant whose store is wrapped; sealed values are bound
	// to it.
	Tenant string
	// Refuse turns a [KeyError] into the error returned to the caller. If
	// nil, the KeyError is returned as it is.
	Refuse func(*KeyError) error
	// MetaChanged, if not nil, is called when a transaction of a [Store]
	// that changed metadata (saved or deleted an object definition, bumped
	// the metadata revision) has ended, committed or not.
	MetaChanged func()
}

func (c Config) refuse(err *KeyError) error {
	if c.Refuse == nil {
		return err
	}
	return c.Refuse(err)
}

// Store is a tenant's store with sensitive values plain: it seals what
// its transactions write and opens what it and they read.
type Store struct {
	store.TenantStore
	cfg Config
}

// NewStore wraps a tenant's store.
func NewStore(ts store.TenantStore, cfg Config) *Store {
	return &Store{TenantStore: ts, cfg: cfg}
}

// NewTx wraps a transaction of a tenant's store like [Store] wraps the
// store, for callers that hold a raw transaction.
func NewTx(tx store.Tx, cfg Config) *Tx {
	return &Tx{Tx: tx, r: reader{r: tx, cfg: cfg}}
}

var (
	_ store.TenantStore     = (*Store)(nil)
	_ store.Summer          = (*Store)(nil)
	_ store.Tx              = (*Tx)(nil)
	_ store.Summer          = (*Tx)(nil)
	_ store.Aggregator      = (*Store)(nil)
	_ store.Aggregator      = (*Tx)(nil)
	_ store.DataVersioner   = (*Store)(nil)
	_ store.DataEncoder     = (*Store)(nil)
	_ store.EncodedInserter = (*Tx)(nil)
)

// reader is the read half, over a store or a transaction.
type reader struct {
	r   store.Reader
	cfg Config
}

func (r reader) Get(ctx context.Context, obj *schema.Object, id string) (store.Record, error) {
	rec, err := r.r.Get(ctx, obj, id)
	if err != nil {
		return rec, err
	}
	return OpenRecord(r.cfg, obj, rec)
}

func (r reader) GetMany(ctx context.Context, obj *schema.Object, ids []string) ([]store.Record, error) {
	recs, err := r.r.GetMany(ctx, obj, ids)
	if err != nil {
		return nil, err
	}
	return r.openAll(obj, recs)
}

func (r reader) GetFields(ctx context.Context, obj *schema.Object, ids []string, fields []string) ([]store.Record, error) {
	recs, err := r.r.GetFields(ctx, obj, ids, fields)
	if err != nil {
		return nil, err
	}
	return r.openAll(obj, recs)
}

func (r reader) Find(ctx context.Context, obj *schema.Object, q store.Query) (store.Page, error) {
	if HasSensitive(obj) {
		if err := checkSort(obj, q.Sort); err != nil {
			return store.Page{}, err
		}
		f, err := sealFilter(r.cfg, obj, q.Filter)
		if err != nil {
			return store.Page{}, err
		}
		q.Filter = f
	}
	page, err := r.r.Find(ctx, obj, q)
	if err != nil {
		return page, err
	}
	page.Records, err = r.openAll(obj, page.Records)
	return page, err
}

func (r reader) Count(ctx context.Context, obj *schema.Object, f *store.Filter) (int64, error) {
	sf, err := sealFilter(r.cfg, obj, f)
	if err != nil {
		return 0, err
	}
	return r.r.Count(ctx, obj, sf)
}

// ErrCannotSum: the wrapped store lacks the optional [store.Summer].
var ErrCannotSum = errors.New("sum records: the store cannot sum (it does not implement store.Summer)")

// Sum passes [store.Summer] through, with the filter sealed like Count's.
func (r reader) Sum(ctx context.Context, obj *schema.Object, f *store.Filter, field string) (float64, bool, error) {
	summer, ok := r.r.(store.Summer)
	if !ok {
		return 0, false, ErrCannotSum
	}
	sf, err := sealFilter(r.cfg, obj, f)
	if err != nil {
		return 0, false, err
	}
	return summer.Sum(ctx, obj, sf, field)
}

// ErrCannotAggregate: the wrapped store lacks the optional
// [store.Aggregator].
var ErrCannotAggregate = errors.New("aggregate records: the store cannot aggregate (it does not implement store.Aggregator)")

// Aggregate passes [store.Aggregator] through, with the filter sealed like
// Count's. Sensitive fields are neither keys nor measures: the plan
// refuses them.
func (r reader) Aggregate(ctx context.Context, obj *schema.Object, a store.Aggregation) ([]store.Group, error) {
	agg, ok := r.r.(store.Aggregator)
	if !ok {
		return nil, ErrCannotAggregate
	}
	sf, err := sealFilter(r.cfg, obj, a.Filter)
	if err != nil {
		return nil, err
	}
	a.Filter = sf
	return agg.Aggregate(ctx, obj, a)
}

// ErrNoDataVersion: the wrapped store lacks the optional
// [store.DataVersioner]. It wraps [store.ErrNoDataVersion].
var ErrNoDataVersion = fmt.Errorf("read data version: the store does not implement store.DataVersioner: %w", store.ErrNoDataVersion)

// DataVersion passes [store.DataVersioner] through: sealing changes no
// record's version.
func (s *Store) DataVersion(ctx context.Context, object string) (int64, error) {
	dv, ok := s.TenantStore.(store.DataVersioner)
	if !ok {
		return 0, ErrNoDataVersion
	}
	return dv.DataVersion(ctx, object)
}

func (r reader) openAll(obj *schema.Object, recs []store.Record) ([]store.Record, error) {
	if !HasSensitive(obj) {
		return recs, nil
	}
	out := make([]store.Record, len(recs))
	for i, rec := range recs {
		o, err := OpenRecord(r.cfg, obj, rec)
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

func (st *Store) reader() reader {
	return reader{r: st.TenantStore, cfg: st.cfg}
}

func (st *Store) Get(ctx context.Context, obj *schema.Object, id string) (store.Record, error) {
	return st.reader().Get(ctx, obj, id)
}

func (st *Store) GetMany(ctx context.Context, obj *schema.Object, ids []string) ([]store.Record, error) {
	return st.reader().GetMany(ctx, obj, ids)
}

// GetFields reads through the seal like GetMany: without it, the
// embedded store's own would hand out ciphertext.
func (st *Store) GetFields(ctx context.Context, obj *schema.Object, ids []string, fields []string) ([]store.Record, error) {
	return st.reader().GetFields(ctx, obj, ids, fields)
}

func (st *Store) Find(ctx context.Context, obj *schema.Object, q store.Query) (store.Page, error) {
	return st.reader().Find(ctx, obj, q)
}

func (st *Store) Count(ctx context.Context, obj *schema.Object, f *store.Filter) (int64, error) {
	return st.reader().Count(ctx, obj, f)
}

func (st *Store) Sum(ctx context.Context, obj *schema.Object, f *store.Filter, field string) (float64, bool, error) {
	return st.reader().Sum(ctx, obj, f, field)
}

func (st *Store) Aggregate(ctx context.Context, obj *schema.Object, a store.Aggregation) ([]store.Group, error) {
	return st.reader().Aggregate(ctx, obj, a)
}

func (st *Store) WithTx(ctx context.Context, fn func(tx store.Tx) error) error {
	var changed atomic.Bool
	err := st.TenantStore.WithTx(ctx, func(tx store.Tx) error {
		t := NewTx(tx, st.cfg)
		t.changed = &changed
		if sp, ok := tx.(store.Savepointer); ok {
			return fn(savepointTx{Tx: t, Savepointer: sp})
		}
		return fn(t)
	})
	if changed.Load() && st.cfg.MetaChanged != nil {
		st.cfg.MetaChanged()
	}
	return err
}

// savepointTx is a [Tx] over a transaction with savepoints, which it
// passes through: a savepoint holds no values to seal.
type savepointTx struct {
	*Tx
	store.Savepointer
}

// Tx seals what it writes and opens what it reads.
type Tx struct {
	store.Tx
	r       reader
	changed *atomic.Bool // set when the transaction changes metadata; nil outside a Store
}

func (t *Tx) touch() {
	if t.changed != nil {
		t.changed.Store(true)
	}
}

func (t *Tx) SaveObject(ctx context.Context, doc store.ObjectDoc, obj *schema.Object) error {
	t.touch()
	return t.Tx.SaveObject(ctx, doc, obj)
}

func (t *Tx) DeleteObject(ctx context.Context, doc store.ObjectDoc) error {
	t.touch()
	return t.Tx.DeleteObject(ctx, doc)
}

func (t *Tx) BumpMetaRevision(ctx context.Context) error {
	t.touch()
	return t.Tx.BumpMetaRevision(ctx)
}

func (t *Tx) Get(ctx context.Context, obj *schema.Object, id string) (store.Record, error) {
	return t.r.Get(ctx, obj, id)
}

func (t *Tx) GetMany(ctx context.Context, obj *schema.Object, ids []string) ([]store.Record, error) {
	return t.r.GetMany(ctx, obj, ids)
}

func (t *Tx) GetFields(ctx context.Context, obj *schema.Object, ids []string, fields []string) ([]store.Record, error) {
	return t.r.GetFields(ctx, obj, ids, fields)
}

func (t *Tx) Find(ctx context.Context, obj *schema.Object, q store.Query) (store.Page, error) {
	return t.r.Find(ctx, obj, q)
}

func (t *Tx) Count(ctx context.Context, obj *schema.Object, f *store.Filter) (int64, error) {
	return t.r.Count(ctx, obj, f)
}

func (t *Tx) Sum(ctx context.Context, obj *schema.Object, f *store.Filter, field string) (float64, bool, error) {
	return t.r.Sum(ctx, obj, f, field)
}

func (t *Tx) Aggregate(ctx context.Context, obj *schema.Object, a store.Aggregation) ([]store.Group, error) {
	return t.r.Aggregate(ctx, obj, a)
}

func (t *Tx) Insert(ctx context.Context, obj *schema.Object, rec store.Record) error {
	sealed, err := sealRecord(t.r.cfg, obj, rec)
	if err != nil {
		return err
	}
	return t.Tx.Insert(ctx, obj, sealed)
}

func (t *Tx) Update(ctx context.Context, obj *schema.Object, rec store.Record, expectedVersion int64) error {
	sealed, err := sealRecord(t.r.cfg, obj, rec)
	if err != nil {
		return err
	}
	return t.Tx.Update(ctx, obj, sealed, expectedVersion)
}

// InsertMany seals each record and stores them through the inner
// transaction's [store.BatchInserter], or one Insert each without one.
func (t *Tx) InsertMany(ctx context.Context, obj *schema.Object, recs []store.Record) error {
	sealed := make([]store.Record, len(recs))
	for i, rec := range recs {
		var err error
		if sealed[i], err = sealRecord(t.r.cfg, obj, rec); err != nil {
			return err
		}
	}
	return store.InsertMany(ctx, t.Tx, obj, sealed)
}

// IsolatedTx passes on the inner store's [store.TxIsolation]; a store
// without it is taken as not isolated.
func (st *Store) IsolatedTx() bool {
	iso, ok := st.TenantStore.(store.TxIsolation)
	return ok && iso.IsolatedTx()
}

// SetSequence passes on the inner transaction's [store.SequenceSetter]
// (a counter holds no values to seal); see CanSetSequence.
func (t *Tx) SetSequence(ctx context.Context, name string, atLeast int64) error {
	setter, ok := t.Tx.(store.SequenceSetter)
	if !ok {
		return fmt.Errorf("set sequence %q: the store cannot set counters", name)
	}
	return setter.SetSequence(ctx, name, atLeast)
}

// CanSetSequence reports whether SetSequence reaches a store that has
// it.
func (t *Tx) CanSetSequence() bool {
	_, ok := t.Tx.(store.SequenceSetter)
	return ok
}

// Blobs returns the wrapped store's blobs (attached files), which are
// kept as they came, not sealed; ok is false for a store that keeps none.
func (s *Store) Blobs() (b store.Blobs, ok bool) {
	b, ok = s.TenantStore.(store.Blobs)
	return b, ok
}

// EncodeData passes on the inner store's [store.DataEncoder] for objects
// without sensitive fields; a sensitive record's data changes when it is
// sealed (with its id), so it is encoded when it is written.
func (s *Store) EncodeData(obj *schema.Object, data map[string]any) any {
	if HasSensitive(obj) {
		return nil
	}
	return store.EncodeData(s.TenantStore, obj, data)
}

// InsertEncoded passes an insert with data encoded ahead on to the inner
// transaction's [store.EncodedInserter]; a sensitive record is sealed and
// inserted as Insert does.
func (t *Tx) InsertEncoded(ctx context.Context, obj *schema.Object, rec store.Record, encoded any) error {
	if HasSensitive(obj) {
		return t.Insert(ctx, obj, rec)
	}
	return store.InsertEncoded(ctx, t.Tx, obj, rec, encoded)
}
