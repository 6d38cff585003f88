package mongostore

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/store"
)

var (
	_ store.SequenceReader = (*tenantStore)(nil)
	_ store.SequenceSetter = (*tx)(nil)
)

// Sequences implements [store.SequenceReader].
func (t *tenantStore) Sequences(ctx context.Context) (map[string]int64, error) {
	octx, cancel := t.s.op(ctx)
	defer cancel()
	cur, err := t.db.Collection(collSequences).Find(octx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read sequences: %w", t.s.fail(octx, err))
	}
	var docs []struct {
		Name  string `bson:"_id"`
		Value int64  `bson:"value"`
	}
	if err := cur.All(octx, &docs); err != nil {
		return nil, fmt.Errorf("read sequences: %w", t.s.fail(octx, err))
	}
	out := make(map[string]int64, len(docs))
	for _, d := range docs {
		out[d.Name] = d.Value
	}
	return out, nil
}

// SetSequence implements [store.SequenceSetter]: the counter becomes the
// larger of its value and atLeast.
func (t *tx) SetSequence(ctx context.Context, name string, atLeast int64) error {
	seqs := t.db.Collection(collSequences)
	var before struct {
		Value int64 `bson:"value"`
	}
	existed := true
	err := t.inTx(ctx, func(ctx context.Context) error {
		return seqs.FindOneAndUpdate(ctx, eq(keyID, name),
			bson.D{{Key: "$max", Value: bson.D{{Key: "value", Value: atLeast}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.Before)).Decode(&before)
	})
	if errors.Is(err, mongo.ErrNoDocuments) {
		existed, err = false, nil
	}
	if err != nil {
		return fmt.Errorf("set sequence %q: %w", name, err)
	}
	after := max(before.Value, atLeast)
	if existed && after == before.Value {
		return nil
	}
	t.onUndo(fmt.Sprintf("move sequence %q to %d", name, after), func(ctx context.Context) error {
		filter := bson.D{
			equality(keyID, name),
			equality("value", after),
		}
		if !existed {
			_, err := seqs.DeleteOne(ctx, filter)
			return err
		}
		_, err := seqs.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "value", Value: before.Value}}}})
		return err
	})
	return nil
}
