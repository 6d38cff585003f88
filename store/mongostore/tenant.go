package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// A tenant's database holds, besides one collection r_<object> per object:
const (
	collObjects   = "meta_objects" // every version of every object definition
	collMeta      = "meta"         // {_id: "revision", value}: the metadata revision
	collSequences = "sequences"    // {_id: name, value}: gap-free counters
	revisionID    = "revision"
)

// prepareTenant creates the collections and indexes of a new tenant's
// database and its revision counter; every step is a no-op when done
// before.
func (s *Store) prepareTenant(ctx context.Context, db *mongo.Database) error {
	for _, name := range []string{collObjects, collMeta, collSequences, collDataVersions} {
		octx, cancel := s.op(ctx)
		err := db.CreateCollection(octx, name)
		cancel()
		if err != nil && serverCode(err) != codeNamespaceExists {
			return fmt.Errorf("create collection %s: %w", name, s.fail(octx, err))
		}
	}
	octx, cancel := s.op(ctx)
	defer cancel()
	if err := ensureIndexes(octx, db.Collection(collObjects), []mongo.IndexModel{{
		Keys:    bson.D{{Key: "name", Value: int32(1)}, {Key: "version", Value: int32(1)}},
		Options: options.Index().SetName("ix_name_version"),
	}}); err != nil {
		return fmt.Errorf("create index on %s: %w", collObjects, s.fail(octx, err))
	}
	_, err := db.Collection(collMeta).UpdateOne(octx, eq(keyID, revisionID),
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "value", Value: int64(0)}}}},
		options.UpdateOne().SetUpsert(true))
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("create metadata revision: %w", s.fail(octx, err))
	}
	return nil
}

// tenantStore is one tenant's database.
type tenantStore struct {
	reader // reads outside transactions
	id     string
	// sem serialises this process's transactions on the tenant, as the
	// port promises; a waiter gives up when its context ends.
	sem chan struct{}
}

var (
	_ store.TenantStore = (*tenantStore)(nil)
	_ store.Summer      = (*tenantStore)(nil)
	_ store.Summer      = (*tx)(nil)
)

func newTenantStore(s *Store, id string, db *mongo.Database) *tenantStore {
	return &tenantStore{reader: reader{s: s, db: db}, id: id, sem: make(chan struct{}, 1)}
}

// objectVersionDoc is one stored version of an object definition.
type objectVersionDoc struct {
	ID         string      `bson:"_id"` // name@version, see versionID
	Name       string      `bson:"name"`
	Version    int64       `bson:"version"`
	Definition string      `bson:"definition"`
	SavedAt    string      `bson:"savedAt"`
	SavedBy    string      `bson:"savedBy"`
	Deleted    bool        `bson:"deleted"`
	Indexes    []indexSpec `bson:"indexes"` // what the version's records are indexed by
}

// versionID is the _id of a version document: one per name and version.
func versionID(name string, version int64) string {
	return fmt.Sprintf("%s@%010d", name, version)
}

func (d objectVersionDoc) objectDoc() (store.ObjectDoc, error) {
	at, err := store.ParseTime(d.SavedAt)
	if err != nil {
		return store.ObjectDoc{}, err
	}
	return store.ObjectDoc{Name: d.Name, Version: d.Version, Definition: []byte(d.Definition), SavedAt: at, SavedBy: d.SavedBy, Deleted: d.Deleted}, nil
}

// MetaRevision implements [store.TenantStore].
func (t *tenantStore) MetaRevision(ctx context.Context) (int64, error) {
	octx, cancel := t.s.op(ctx)
	defer cancel()
	var d struct {
		Value int64 `bson:"value"`
	}
	err := t.db.Collection(collMeta).FindOne(octx, eq(keyID, revisionID)).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, fmt.Errorf("read metadata revision: %w", t.s.fail(octx, err))
	}
	return d.Value, nil
}

// versions reads version documents matching filter in the given order.
func (r reader) versions(ctx context.Context, filter bson.D, sort bson.D, limit int64, withDefinition bool) ([]objectVersionDoc, error) {
	octx, cancel := r.s.op(ctx)
	defer cancel()
	opts := options.Find().SetSort(sort)
	if limit > 0 {
		opts.SetLimit(limit)
	}
	if !withDefinition {
		opts.SetProjection(bson.D{{Key: "definition", Value: int32(0)}})
	}
	cur, err := r.db.Collection(collObjects).Find(r.sessCtx(octx), filter, opts)
	if err != nil {
		return nil, r.s.fail(octx, err)
	}
	docs := []objectVersionDoc{}
	if err := cur.All(r.sessCtx(octx), &docs); err != nil {
		return nil, r.s.fail(octx, err)
	}
	return docs, nil
}

var newestFirst = bson.D{{Key: "version", Value: int32(-1)}}

// latest returns the newest stored version of an object, ok false if it
// has none.
func (r reader) latest(ctx context.Context, name string, withDefinition bool) (objectVersionDoc, bool, error) {
	docs, err := r.versions(ctx, eq("name", name), newestFirst, 1, withDefinition)
	if err != nil || len(docs) == 0 {
		return objectVersionDoc{}, false, err
	}
	return docs[0], true, nil
}

// Objects implements [store.TenantStore]: it reads the version numbers of
// every object, then the newest version of the live ones.
func (t *tenantStore) Objects(ctx context.Context) ([]store.ObjectDoc, error) {
	heads, err := t.versions(ctx, bson.D{}, bson.D{{Key: "name", Value: int32(1)}, {Key: "version", Value: int32(1)}}, 0, false)
	if err != nil {
		return nil, fmt.Errorf("list objects: %w", err)
	}
	newest := map[string]objectVersionDoc{}
	for _, h := range heads {
		if cur, ok := newest[h.Name]; !ok || h.Version > cur.Version {
			newest[h.Name] = h
		}
	}
	live := bson.A{}
	for _, h := range newest {
		if !h.Deleted {
			live = append(live, h.ID)
		}
	}
	out := []store.ObjectDoc{}
	if len(live) == 0 {
		return out, nil
	}
	docs, err := t.versions(ctx, bson.D{{Key: keyID, Value: bson.D{{Key: "$in", Value: live}}}}, bson.D{{Key: "name", Value: int32(1)}}, 0, true)
	if err != nil {
		return nil, fmt.Errorf("list objects: %w", err)
	}
	for _, d := range docs {
		od, err := d.objectDoc()
		if err != nil {
			return nil, fmt.Errorf("list objects: %w", err)
		}
		out = append(out, od)
	}
	return out, nil
}

// Object implements [store.TenantStore].
func (t *tenantStore) Object(ctx context.Context, name string) (store.ObjectDoc, error) {
	d, ok, err := t.latest(ctx, name, true)
	if err != nil {
		return store.ObjectDoc{}, fmt.Errorf("read object %q: %w", name, err)
	}
	if !ok || d.Deleted {
		return store.ObjectDoc{}, fmt.Errorf("read object %q: %w", name, store.ErrNotFound)
	}
	od, err := d.objectDoc()
	if err != nil {
		return store.ObjectDoc{}, fmt.Errorf("read object %q: %w", name, err)
	}
	return od, nil
}

// ObjectHistory implements [store.TenantStore]. An unknown object has an
// empty history.
func (t *tenantStore) ObjectHistory(ctx context.Context, name string) ([]store.ObjectDoc, error) {
	docs, err := t.versions(ctx, eq("name", name), bson.D{{Key: "version", Value: int32(1)}}, 0, true)
	if err != nil {
		return nil, fmt.Errorf("read history of object %q: %w", name, err)
	}
	out := make([]store.ObjectDoc, 0, len(docs))
	for _, d := range docs {
		od, err := d.objectDoc()
		if err != nil {
			return nil, fmt.Errorf("read history of object %q: %w", name, err)
		}
		out = append(out, od)
	}
	return out, nil
}

// getManyChunk is how many ids one $in of GetMany holds.
const getManyChunk = 1000

// reader implements [store.Reader] on a tenant's database, inside a
// server transaction when sess is set.
type reader struct {
	s    *Store
	db   *mongo.Database
	sess *mongo.Session
}

// sessCtx attaches the transaction's session to ctx, if there is one.
func (r reader) sessCtx(ctx context.Context) context.Context {
	if r.sess == nil {
		return ctx
	}
	return mongo.NewSessionContext(ctx, r.sess)
}

func (r reader) records(obj *schema.Object) *mongo.Collection {
	return r.db.Collection(collectionName(obj.Name))
}

// Get implements [store.Reader].
func (r reader) Get(ctx context.Context, obj *schema.Object, id string) (store.Record, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return store.Record{}, fmt.Errorf("get record %q: %w", id, err)
	}
	octx, cancel := r.s.op(ctx)
	defer cancel()
	raw, err := r.records(obj).FindOne(r.sessCtx(octx), eq(keyID, id)).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Record{}, fmt.Errorf("get %s record %q: %w", obj.Name, id, store.ErrNotFound)
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("get %s record %q: %w", obj.Name, id, r.s.fail(octx, err))
	}
	rec, err := decodeRecord(raw)
	if err != nil {
		return store.Record{}, fmt.Errorf("get %s record %q: %w", obj.Name, id, err)
	}
	return rec, nil
}

// GetMany implements [store.Reader].
func (r reader) GetMany(ctx context.Context, obj *schema.Object, ids []string) ([]store.Record, error) {
	return r.GetFields(ctx, obj, ids, nil)
}

// GetFields implements [store.Reader].
func (r reader) GetFields(ctx context.Context, obj *schema.Object, ids []string, fields []string) ([]store.Record, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return nil, fmt.Errorf("get records: %w", err)
	}
	fields, err := store.PlanFields(obj, fields)
	if err != nil {
		return nil, fmt.Errorf("get %s records: %w", obj.Name, err)
	}
	var opts *options.FindOptionsBuilder
	if fields != nil {
		opts = options.Find().SetProjection(fieldsProjection(fields))
	}
	uniq := make(bson.A, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	out := make([]store.Record, 0, len(uniq))
	for start := 0; start < len(uniq); start += getManyChunk {
		chunk := uniq[start:min(start+getManyChunk, len(uniq))]
		recs, err := r.query(ctx, obj, bson.D{{Key: keyID, Value: bson.D{{Key: "$in", Value: chunk}}}}, opts)
		if err != nil {
			return nil, fmt.Errorf("get %s records: %w", obj.Name, err)
		}
		out = append(out, recs...)
	}
	return out, nil
}

// Find implements [store.Reader].
func (r reader) Find(ctx context.Context, obj *schema.Object, q store.Query) (store.Page, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return store.Page{}, fmt.Errorf("find records: %w", err)
	}
	p, err := store.PlanQuery(obj, q)
	if err != nil {
		return store.Page{}, fmt.Errorf("find %s records: %w", obj.Name, err)
	}
	filter, opts := findOptions(p)
	hint, hinted := "", false
	if r.sess == nil {
		// In a transaction a failed command ends the transaction: no
		// hint there, so that no missing index can fail it.
		hint, hinted = orderHint(obj, p)
	}
	if hinted {
		opts.SetHint(hint)
	}
	recs, err := r.query(ctx, obj, filter, opts)
	if err != nil && hinted && ctx.Err() == nil {
		// The index may be missing (still being built, dropped by
		// hand): the hint only speeds the page up, so the page is read
		// again as the server plans it.
		_, opts = findOptions(p)
		recs, err = r.query(ctx, obj, filter, opts)
	}
	if err != nil {
		return store.Page{}, fmt.Errorf("find %s records: %w", obj.Name, err)
	}
	return p.Page(recs), nil
}

// orderHint names the index that gives p's order once its equalities
// are fixed ([store.Plan.OrderIndex]) as this adapter creates it, for
// find's hint, when walking it is sure to be the better plan: no part
// of the filter at its top is a range (gt, gte, lt, lte, startsWith, in)
// on a field other than the order's, which another index could serve
// (the SQLite adapter then counts the records in that range first, see
// docs/performance.md "Lists (issue 20)"; here MongoDB's planner, which
// races the candidate plans, decides those). ok is false otherwise.
func orderHint(obj *schema.Object, p *store.Plan) (name string, ok bool) {
	if p.Filter == nil || p.Limit <= 0 || len(p.Sort) == 0 {
		return "", false
	}
	planned, err := store.IndexSpecs(obj, false)
	if err != nil {
		return "", false
	}
	spec, ok := p.OrderIndex(planned)
	if !ok {
		return "", false
	}
	pinned := p.Pinned()
	sorted := ""
	for _, c := range spec.Columns {
		if !pinned[c.Field] {
			sorted = c.Field
			break
		}
	}
	if otherRange(p.Filter, pinned, sorted) {
		return "", false
	}
	keys := make([]string, 0, len(spec.Columns)+1)
	for _, c := range spec.Columns {
		keys = append(keys, mongoColumn(c).path)
	}
	if !slices.Contains(keys, keyID) {
		keys = append(keys, keyID)
	}
	want := newIndexSpec(false, spec.Fields, keys)
	specs, err := indexSpecs(obj)
	if err != nil {
		return "", false
	}
	for _, s := range specs {
		if s.Name == want.Name && slices.Equal(s.Keys, want.Keys) {
			return s.Name, true
		}
	}
	return "", false
}

// otherRange tells whether the conjunction at the top of c has a range
// on a field neither pinned nor sorted.
func otherRange(c *store.Cond, pinned map[string]bool, sorted string) bool {
	if c == nil || c.Not != nil || len(c.Or) > 0 {
		return false
	}
	if !c.IsLeaf() {
		for i := range c.And {
			if otherRange(&c.And[i], pinned, sorted) {
				return true
			}
		}
		return false
	}
	switch c.Op {
	case store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpStartsWith, store.OpIn:
		return c.Column.Field != sorted && !pinned[c.Column.Field]
	}
	return false
}

// findOptions renders a find plan: the filter and the find options (its
// order, one more than its limit).
func findOptions(p *store.Plan) (bson.D, *options.FindOptionsBuilder) {
	keys := sortKeys(p)
	c := condOf(p.Filter)
	if p.After != nil {
		c = allOf(c, afterCond(keys, p.After, p.TieDesc()))
	}
	opts := options.Find().SetSort(sortDoc(keys, p.TieDesc()))
	if p.Limit > 0 {
		opts.SetLimit(int64(p.Limit) + 1)
	}
	if p.Fields != nil {
		opts.SetProjection(fieldsProjection(p.Fields))
	}
	return c.render(), opts
}

// fieldsProjection keeps the system keys of record documents and the
// data fields named ([store.Plan.Fields]).
func fieldsProjection(fields []string) bson.D {
	proj := bson.D{}
	for _, k := range []string{keyID, keyVersion, keyCreatedAt, keyUpdatedAt, keyCreatedBy, keyUpdatedBy, keyOwnerID, keyNulls} {
		proj = append(proj, bson.E{Key: k, Value: 1})
	}
	for _, f := range fields {
		proj = append(proj, bson.E{Key: keyData + "." + escapeKey(f), Value: 1})
	}
	return proj
}

// Count implements [store.Reader].
func (r reader) Count(ctx context.Context, obj *schema.Object, f *store.Filter) (int64, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	c, err := compileFilter(obj, f)
	if err != nil {
		return 0, fmt.Errorf("count %s records: %w", obj.Name, err)
	}
	octx, cancel := r.s.op(ctx)
	defer cancel()
	n, err := r.records(obj).CountDocuments(r.sessCtx(octx), c.render())
	if err != nil {
		return 0, fmt.Errorf("count %s records: %w", obj.Name, r.s.fail(octx, err))
	}
	return n, nil
}

// moneySum is Sum of a currency field: exact, as the sum measure of an
// aggregation without keys adds amounts (integers of minor units, on the
// server or here).
func (r reader) moneySum(ctx context.Context, obj *schema.Object, f *store.Filter, field string) (float64, bool, error) {
	groups, err := r.Aggregate(ctx, obj, store.Aggregation{Filter: f, Measures: []store.Measure{{Op: store.MeasureSum, Field: field}}})
	if err != nil {
		return 0, false, fmt.Errorf("sum %s.%s: %w", obj.Name, field, err)
	}
	if len(groups) == 0 {
		return 0, false, nil
	}
	sum, ok := groups[0].Values[0].(float64)
	return sum, ok, nil
}

// Sum implements [store.Summer] with $match and $group/$sum (which the
// embedded FerretDB of the tests supports too). Records without a value
// are matched out first (nulls are not stored in d, see keyNulls), so the
// group has a document exactly when some record had a value. (A count in
// the group would say so too, but FerretDB v1.24 answers 0 for every
// accumulator of a $group after the first.)
func (r reader) Sum(ctx context.Context, obj *schema.Object, f *store.Filter, field string) (float64, bool, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return 0, false, fmt.Errorf("sum records: %w", err)
	}
	p, err := store.PlanSum(obj, f, field)
	if err != nil {
		return 0, false, fmt.Errorf("sum %s.%s: %w", obj.Name, field, err)
	}
	if p.Scale > 0 {
		return r.moneySum(ctx, obj, f, field)
	}
	c, match := mongoColumn(p.Column), condOf(p.Filter)
	present := bson.D{{Key: c.path, Value: bson.D{{Key: "$exists", Value: true}}}}
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "$and", Value: bson.A{match.render(), present}}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: nil}, {Key: "sum", Value: bson.D{{Key: "$sum", Value: "$" + c.path}}}}}},
	}
	octx, cancel := r.s.op(ctx)
	defer cancel()
	sctx := r.sessCtx(octx)
	cur, err := r.records(obj).Aggregate(sctx, pipeline)
	if err != nil {
		return 0, false, fmt.Errorf("sum %s.%s: %w", obj.Name, field, r.s.fail(octx, err))
	}
	defer func() { _ = cur.Close(context.WithoutCancel(sctx)) }()
	if !cur.Next(sctx) {
		if err := cur.Err(); err != nil {
			return 0, false, fmt.Errorf("sum %s.%s: %w", obj.Name, field, r.s.fail(octx, err))
		}
		return 0, false, nil // no record has a value
	}
	var out struct {
		Sum bson.RawValue `bson:"sum"`
	}
	if err := cur.Decode(&out); err != nil {
		return 0, false, fmt.Errorf("sum %s.%s: decode: %w", obj.Name, field, err)
	}
	sum, ok := out.Sum.AsFloat64OK() // a double, or an int32 or int64 when every value was whole
	if !ok {
		return 0, false, fmt.Errorf("sum %s.%s: the server returned a %s", obj.Name, field, out.Sum.Type)
	}
	return sum, true, nil
}

func (r reader) query(ctx context.Context, obj *schema.Object, filter bson.D, opts *options.FindOptionsBuilder) ([]store.Record, error) {
	octx, cancel := r.s.op(ctx)
	defer cancel()
	sctx := r.sessCtx(octx)
	var cur *mongo.Cursor
	var err error
	if opts == nil {
		cur, err = r.records(obj).Find(sctx, filter)
	} else {
		cur, err = r.records(obj).Find(sctx, filter, opts)
	}
	if err != nil {
		return nil, r.s.fail(octx, err)
	}
	defer func() { _ = cur.Close(context.WithoutCancel(octx)) }()
	out := []store.Record{}
	for cur.Next(sctx) {
		rec, err := decodeRecord(cur.Current)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	if err := cur.Err(); err != nil {
		return nil, r.s.fail(octx, err)
	}
	return out, nil
}

var _ store.TxIsolation = (*tenantStore)(nil)

// IsolatedTx implements [store.TxIsolation]: true where the server runs
// multi-document transactions, false where WithTx undoes by compensation
// (FerretDB, a standalone server, Config.DisableTransactions).
func (ts *tenantStore) IsolatedTx() bool { return ts.s.caps.transactions }
