package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ensureIndexes makes coll have the indexes of models, comparing with what
// exists first: an index of the same name, keys and uniqueness is left
// alone, one of the same name that differs is dropped and made again, and
// a missing one is made. Asking the server to create an index that exists
// is not reliably a no-op: FerretDB v1.24 panics on a second createIndexes
// of an index whose keys include _id, so a server restart against the same
// database failed. Every model must have a name.
func ensureIndexes(ctx context.Context, coll *mongo.Collection, models []mongo.IndexModel) error {
	specs, err := coll.Indexes().ListSpecifications(ctx)
	if err != nil && serverCode(err) != codeNamespaceNotFound {
		return fmt.Errorf("list indexes of %s: %w", coll.Name(), err)
	}
	have := make(map[string]mongo.IndexSpecification, len(specs))
	for _, s := range specs {
		have[s.Name] = s
	}
	for _, m := range models {
		name, keys, unique, err := describeModel(m)
		if err != nil {
			return fmt.Errorf("index on %s: %w", coll.Name(), err)
		}
		if cur, ok := have[name]; ok {
			if sameIndex(cur, keys, unique) {
				continue
			}
			if err := coll.Indexes().DropOne(ctx, name); err != nil && serverCode(err) != codeIndexNotFound {
				return fmt.Errorf("drop index %s of %s, which differs from this build's: %w", name, coll.Name(), err)
			}
		}
		if _, err := coll.Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("create index %s on %s: %w", name, coll.Name(), err)
		}
	}
	return nil
}

// describeModel returns the name, keys and uniqueness of an index model
// built with bson.D keys and options.Index().
func describeModel(m mongo.IndexModel) (name string, keys bson.D, unique bool, err error) {
	keys, ok := m.Keys.(bson.D)
	if !ok {
		return "", nil, false, fmt.Errorf("keys of type %T, want bson.D", m.Keys)
	}
	if m.Options == nil {
		return "", nil, false, fmt.Errorf("index without a name")
	}
	var o options.IndexOptions
	for _, set := range m.Options.List() {
		if err := set(&o); err != nil {
			return "", nil, false, err
		}
	}
	if o.Name == nil || *o.Name == "" {
		return "", nil, false, fmt.Errorf("index without a name")
	}
	return *o.Name, keys, o.Unique != nil && *o.Unique, nil
}

// sameIndex compares an existing index with wanted keys and uniqueness.
func sameIndex(cur mongo.IndexSpecification, keys bson.D, unique bool) bool {
	var got bson.D
	if err := bson.Unmarshal(cur.KeysDocument, &got); err != nil || len(got) != len(keys) {
		return false
	}
	for i := range keys {
		if got[i].Key != keys[i].Key || !sameDirection(got[i].Value, keys[i].Value) {
			return false
		}
	}
	return (cur.Unique != nil && *cur.Unique) == unique
}

func sameDirection(a, b any) bool {
	num := func(v any) (float64, bool) {
		switch x := v.(type) {
		case int32:
			return float64(x), true
		case int64:
			return float64(x), true
		case float64:
			return x, true
		}
		return 0, false
	}
	x, ok1 := num(a)
	y, ok2 := num(b)
	return ok1 && ok2 && x == y
}
