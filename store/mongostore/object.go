package mongostore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// indexSpec is one index an object definition asks for. The specs of a
// version are stored with it, so that the indexes can be brought back in
// line with the committed definition after a failure.
type indexSpec struct {
	Name   string   `bson:"name"`
	Keys   []string `bson:"keys"` // document paths, ascending
	Unique bool     `bson:"unique"`
	Fields []string `bson:"fields"` // the field names a UniqueError reports
}

// indexSpecs renders the indexes [store.IndexSpecs] lists for an
// object's collection, with multikey indexes over list elements
// (relations are followed backwards by element). Non-unique indexes on
// scalars end with _id, so that keyset pages are range scans. Names are
// ix_/ux_<first field>_<hash of the keys>: an unchanged index keeps its
// name from one version to the next.
func indexSpecs(obj *schema.Object) ([]indexSpec, error) {
	planned, err := store.IndexSpecs(obj, true)
	if err != nil {
		return nil, err
	}
	specs := make([]indexSpec, 0, len(planned))
	seen := map[string]bool{}
	for _, p := range planned {
		keys := make([]string, 0, len(p.Columns)+1)
		for _, c := range p.Columns {
			keys = append(keys, mongoColumn(c).path)
		}
		if !p.Unique && !p.Elements && !slices.Contains(keys, keyID) {
			keys = append(keys, keyID)
		}
		spec := newIndexSpec(p.Unique, p.Fields, keys)
		if !seen[spec.Name] {
			seen[spec.Name] = true
			specs = append(specs, spec)
		}
	}
	return specs, nil
}

// newIndexSpec describes the index over keys (document paths) that
// indexes fields.
func newIndexSpec(unique bool, fields, keys []string) indexSpec {
	prefix := "ix_"
	if unique {
		prefix = "ux_"
	}
	sum := sha256.Sum256([]byte(prefix + strings.Join(keys, ",")))
	label := strings.ReplaceAll(fields[0], ".", "_")
	if len(label) > 30 {
		label = label[:30]
	}
	name := prefix + label + "_" + hex.EncodeToString(sum[:5])
	return indexSpec{Name: name, Keys: keys, Unique: unique, Fields: slices.Clone(fields)}
}

// ownerIndex is the index on ownerId that indexSpecs gives every object.
// Versions stored before owners do not list it, so it is created when a
// tenant is opened (see migrateTenant) and kept by reconcile while the
// object lives.
func ownerIndex() indexSpec {
	return newIndexSpec(false, []string{"ownerId"}, []string{keyOwnerID, keyID})
}

// model is the driver's description of spec. A unique index covers only
// records that have the field: missing values are not values, and the
// adapter never stores a top-level null (see keyNulls). FerretDB has no
// partial indexes, but its unique indexes skip missing fields by
// themselves.
func (s *Store) model(spec indexSpec) mongo.IndexModel {
	keys := bson.D{}
	for _, k := range spec.Keys {
		keys = append(keys, bson.E{Key: k, Value: int32(1)})
	}
	opts := options.Index().SetName(spec.Name)
	if spec.Unique {
		opts.SetUnique(true)
		if s.caps.partialIndexes {
			partial := bson.D{}
			for _, k := range spec.Keys {
				partial = append(partial, bson.E{Key: k, Value: bson.D{{Key: "$exists", Value: true}}})
			}
			opts.SetPartialFilterExpression(partial)
		}
	}
	return mongo.IndexModel{Keys: keys, Options: opts}
}

// pendingVersion is what this transaction has saved of an object.
type pendingVersion struct {
	version int64
	deleted bool
}

// currentVersion returns the newest version of an object as this
// transaction sees it (0 if none) and whether it marks the object deleted.
func (t *tx) currentVersion(ctx context.Context, name string) (int64, bool, error) {
	if p, ok := t.pendingVersions[name]; ok {
		return p.version, p.deleted, nil
	}
	d, ok, err := t.latest(ctx, name, false)
	if err != nil || !ok {
		return 0, false, err
	}
	return d.Version, d.Deleted, nil
}

// SaveObject implements [store.Tx]. The version is checked at once and
// stored when the transaction commits. The collection and the indexes
// that are new are created at once (outside a server transaction unless
// the collection itself is new in it); indexes the definition no longer
// declares are dropped after the commit, so that a rolled-back save keeps
// every index the committed definition needs. A save that fails leaves
// nothing behind.
func (t *tx) SaveObject(ctx context.Context, doc store.ObjectDoc, obj *schema.Object) error {
	if obj == nil || doc.Name != obj.Name {
		return fmt.Errorf("save object %q: definition is for another object", doc.Name)
	}
	if err := store.CheckObjectName(obj.Name); err != nil {
		return fmt.Errorf("save object: %w", err)
	}
	specs, err := indexSpecs(obj)
	if err != nil {
		return fmt.Errorf("save object %q: %w", obj.Name, err)
	}
	if err := t.saveObject(ctx, doc, obj, specs); err != nil {
		return fmt.Errorf("save object %q version %d: %w", doc.Name, doc.Version, err)
	}
	return nil
}

func (t *tx) saveObject(ctx context.Context, doc store.ObjectDoc, obj *schema.Object, specs []indexSpec) error {
	cur, deleted, err := t.currentVersion(ctx, doc.Name)
	if err != nil {
		return err
	}
	if doc.Version != cur+1 {
		return fmt.Errorf("version %d does not follow stored version %d: %w", doc.Version, cur, store.ErrConflict)
	}
	if t.deletedHere[doc.Name] {
		return errors.New("an object deleted in a transaction cannot be saved again in the same transaction")
	}
	live := cur > 0 && !deleted
	coll := t.records(obj)
	t.touched[doc.Name] = true
	inTx := false // the collection is new in this server transaction
	existing := map[string]bool{}
	switch {
	case t.createdHere[doc.Name] != nil:
		inTx = t.sess != nil
		existing = t.createdHere[doc.Name]
	default:
		exists, err := t.collectionExists(ctx, coll.Name())
		if err != nil {
			return err
		}
		if exists && !live {
			// Left by an earlier incarnation of the object whose drop did
			// not happen (a crash after a delete): a new object starts
			// without records.
			if err := t.ddl(ctx, func(ctx context.Context) error { return coll.Drop(ctx) }); err != nil {
				return fmt.Errorf("drop stale collection %s: %w", coll.Name(), err)
			}
			exists = false
		}
		if !exists {
			if t.sess != nil {
				// Created inside the transaction (MongoDB 4.4+): it
				// disappears if the transaction aborts.
				err = t.inTx(ctx, func(ctx context.Context) error { return t.db.CreateCollection(ctx, coll.Name()) })
				inTx = true
			} else {
				err = t.ddl(ctx, func(ctx context.Context) error { return t.db.CreateCollection(ctx, coll.Name()) })
			}
			if err != nil && serverCode(err) != codeNamespaceExists {
				return fmt.Errorf("create collection %s: %w", coll.Name(), err)
			}
			t.createdHere[doc.Name] = existing
		} else if existing, err = t.indexNames(ctx, coll); err != nil {
			return err
		}
	}
	var created []string
	for _, spec := range specs {
		if existing[spec.Name] {
			continue
		}
		if t.sess != nil && !inTx && t.wrote[doc.Name] {
			// The build would wait for this very transaction to end.
			return fmt.Errorf("index %s cannot be built: this transaction already wrote %s records, and MongoDB builds an index only once the transactions on the collection have ended; save the definition in a transaction of its own", spec.Name, doc.Name)
		}
		run := t.ddl
		if inTx {
			run = t.inTx
		}
		err := run(ctx, func(ctx context.Context) error {
			_, err := coll.Indexes().CreateOne(ctx, t.s.model(spec))
			return err
		})
		if err != nil {
			err = t.indexError(ctx, obj, coll, spec, err)
			if !inTx {
				// Give back what this call made, so that a caller that
				// goes on after the error keeps nothing of it.
				for _, name := range created {
					if derr := t.ddl(context.WithoutCancel(ctx), func(ctx context.Context) error { return coll.Indexes().DropOne(ctx, name) }); derr != nil {
						t.s.log.Warn("drop index after a failed save", "tenant", t.ts.id, "index", name, "err", derr)
					}
				}
			}
			return err
		}
		created = append(created, spec.Name)
		existing[spec.Name] = true
	}
	t.pending = append(t.pending, objectVersionDoc{
		ID:         versionID(doc.Name, doc.Version),
		Name:       doc.Name,
		Version:    doc.Version,
		Definition: string(doc.Definition),
		SavedAt:    store.FormatTime(doc.SavedAt),
		SavedBy:    doc.SavedBy,
		Indexes:    specs,
	})
	t.pendingVersions[doc.Name] = pendingVersion{version: doc.Version}
	return nil
}

// indexError explains why creating spec failed: a unique index over
// duplicates is a [*store.UniqueError]. FerretDB reports that case as an
// internal error, so duplicates are looked for when the code does not
// say.
func (t *tx) indexError(ctx context.Context, obj *schema.Object, coll *mongo.Collection, spec indexSpec, err error) error {
	if !spec.Unique || ctx.Err() != nil {
		return fmt.Errorf("create index %s: %w", spec.Name, t.s.fail(ctx, err))
	}
	if mongo.IsDuplicateKeyError(err) {
		return &store.UniqueError{Object: obj.Name, Fields: spec.Fields}
	}
	if dup, derr := t.hasDuplicates(ctx, coll, spec); derr == nil && dup {
		return &store.UniqueError{Object: obj.Name, Fields: spec.Fields}
	}
	return fmt.Errorf("create index %s: %w", spec.Name, t.s.fail(ctx, err))
}

// hasDuplicates reports whether two records share the values of spec's
// keys.
func (t *tx) hasDuplicates(ctx context.Context, coll *mongo.Collection, spec indexSpec) (bool, error) {
	group := bson.D{}
	match := bson.D{}
	for i, k := range spec.Keys {
		group = append(group, bson.E{Key: fmt.Sprintf("k%d", i), Value: "$" + k})
		match = append(match, bson.E{Key: k, Value: bson.D{{Key: "$exists", Value: true}}})
	}
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: match}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: group}, {Key: "n", Value: bson.D{{Key: "$sum", Value: int32(1)}}}}}},
		{{Key: "$match", Value: bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: int32(1)}}}}}},
		{{Key: "$limit", Value: int32(1)}},
	}
	octx, cancel := t.s.op(ctx)
	defer cancel()
	cur, err := coll.Aggregate(octx, pipeline)
	if err != nil {
		return false, err
	}
	defer func() { _ = cur.Close(context.WithoutCancel(octx)) }()
	return cur.Next(octx), cur.Err()
}

// DeleteObject implements [store.Tx]: the deleted version is stored when
// the transaction commits, and the records' collection is dropped after
// that. Reads later in the same transaction still see the records.
// Returns [store.ErrNotFound] if the object is not live and
// [store.ErrConflict] if doc.Version does not follow the stored version.
func (t *tx) DeleteObject(ctx context.Context, doc store.ObjectDoc) error {
	if err := store.CheckObjectName(doc.Name); err != nil {
		return fmt.Errorf("delete object: %w", err)
	}
	cur, deleted, err := t.currentVersion(ctx, doc.Name)
	if err != nil {
		return fmt.Errorf("delete object %q: %w", doc.Name, err)
	}
	if cur == 0 || deleted {
		return fmt.Errorf("delete object %q: %w", doc.Name, store.ErrNotFound)
	}
	if doc.Version != cur+1 {
		return fmt.Errorf("delete object %q: version %d does not follow stored version %d: %w", doc.Name, doc.Version, cur, store.ErrConflict)
	}
	t.pending = append(t.pending, objectVersionDoc{
		ID:         versionID(doc.Name, doc.Version),
		Name:       doc.Name,
		Version:    doc.Version,
		Definition: string(doc.Definition),
		SavedAt:    store.FormatTime(doc.SavedAt),
		SavedBy:    doc.SavedBy,
		Deleted:    true,
	})
	t.pendingVersions[doc.Name] = pendingVersion{version: doc.Version, deleted: true}
	t.deletedHere[doc.Name] = true
	t.touched[doc.Name] = true
	return nil
}

// collectionExists asks the server outside any transaction (listing
// collections is not allowed inside one).
func (t *tx) collectionExists(ctx context.Context, name string) (bool, error) {
	var names []string
	err := t.ddl(ctx, func(ctx context.Context) error {
		var err error
		names, err = t.db.ListCollectionNames(ctx, eq("name", name))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("list collections: %w", err)
	}
	return slices.Contains(names, name), nil
}

// indexNames lists the indexes of coll, outside any transaction.
func (t *tx) indexNames(ctx context.Context, coll *mongo.Collection) (map[string]bool, error) {
	out := map[string]bool{}
	err := t.ddl(ctx, func(ctx context.Context) error {
		specs, err := coll.Indexes().ListSpecifications(ctx)
		for _, s := range specs {
			out[s.Name] = true
		}
		return err
	})
	if err != nil && serverCode(err) != codeNamespaceNotFound {
		return nil, fmt.Errorf("list indexes of %s: %w", coll.Name(), err)
	}
	return out, nil
}

// reconcile brings an object's collection in line with its committed
// definition: it drops the collection of an object that is not live, and
// the indexes the newest version does not declare. It runs after every
// transaction that touched the object's definition, committed or not.
func (ts *tenantStore) reconcile(ctx context.Context, name string) error {
	r := reader{s: ts.s, db: ts.db}
	coll := ts.db.Collection(collectionName(name))
	d, ok, err := r.latest(ctx, name, false)
	if err != nil {
		return err
	}
	octx, cancel := ts.s.op(ctx)
	defer cancel()
	if !ok || d.Deleted {
		if err := coll.Drop(octx); err != nil && serverCode(err) != codeNamespaceNotFound {
			return fmt.Errorf("drop collection %s: %w", coll.Name(), ts.s.fail(octx, err))
		}
		return nil
	}
	if d.Indexes == nil {
		return nil // a version stored without its index list: leave the indexes
	}
	want := map[string]bool{"_id_": true, ownerIndex().Name: true}
	for _, s := range d.Indexes {
		want[s.Name] = true
	}
	specs, err := coll.Indexes().ListSpecifications(octx)
	if err != nil {
		if serverCode(err) == codeNamespaceNotFound {
			return nil
		}
		return fmt.Errorf("list indexes of %s: %w", coll.Name(), ts.s.fail(octx, err))
	}
	for _, s := range specs {
		if want[s.Name] {
			continue
		}
		if err := coll.Indexes().DropOne(octx, s.Name); err != nil && serverCode(err) != codeIndexNotFound {
			return fmt.Errorf("drop index %s of %s: %w", s.Name, coll.Name(), ts.s.fail(octx, err))
		}
	}
	return nil
}
