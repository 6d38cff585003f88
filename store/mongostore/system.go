package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/store"
)

// The system database holds these collections (and counters, counters.go,
// and the due index, due.go).
const (
	collTenants = "tenants"  // {_id: id, name, createdAt, db}
	collAPIKeys = "api_keys" // {_id: id, tenantId, name, hash, prefix, createdAt, revokedAt?}
)

// eq is the filter "key equals value", compared literally whatever the
// value's content.
func eq(key string, value any) bson.D {
	return bson.D{equality(key, value)}
}

// equality is the condition "key equals value". A scalar is written as
// {key: value}, which no server can read as an operator and which
// FerretDB pushes down to its backend (it scans for {key: {$eq: value}});
// anything else is wrapped in $eq, which compares it literally.
func equality(key string, value any) bson.E {
	switch value.(type) {
	case nil, string, bool, int32, int64, float64:
		return bson.E{Key: key, Value: value}
	}
	return bson.E{Key: key, Value: bson.D{{Key: "$eq", Value: value}}}
}

// prepareSystem creates the system collections' indexes (a no-op when
// they exist).
func (s *Store) prepareSystem(ctx context.Context) error {
	tenants := s.system.Collection(collTenants)
	if err := ensureIndexes(ctx, tenants, []mongo.IndexModel{{
		Keys:    bson.D{{Key: "db", Value: int32(1)}},
		Options: options.Index().SetName("ux_db").SetUnique(true),
	}}); err != nil {
		return s.unavailable(ctx, "create index on tenants", err)
	}
	keys := s.system.Collection(collAPIKeys)
	if err := ensureIndexes(ctx, keys, []mongo.IndexModel{
		{Keys: bson.D{{Key: "hash", Value: int32(1)}}, Options: options.Index().SetName("ux_hash").SetUnique(true)},
		{Keys: bson.D{{Key: "tenantId", Value: int32(1)}, {Key: "createdAt", Value: int32(1)}, {Key: keyID, Value: int32(1)}}, Options: options.Index().SetName("ix_tenant")},
	}); err != nil {
		return s.unavailable(ctx, "create indexes on api keys", err)
	}
	s.prepareCounters(ctx)
	return s.prepareDue(ctx)
}

type tenantDoc struct {
	ID        string `bson:"_id"`
	Name      string `bson:"name"`
	CreatedAt string `bson:"createdAt"`
	Database  string `bson:"db"`
}

func (d tenantDoc) tenant() (store.Tenant, error) {
	at, err := store.ParseTime(d.CreatedAt)
	if err != nil {
		return store.Tenant{}, err
	}
	return store.Tenant{ID: d.ID, Name: d.Name, CreatedAt: at}, nil
}

// CreateTenant implements [store.Store]. The tenant's database is prepared
// in the same call; if that fails, the tenant is removed again.
func (s *Store) CreateTenant(ctx context.Context, t store.Tenant) error {
	db, err := DatabaseName(s.cfg.DatabasePrefix, t.ID)
	if err != nil {
		return fmt.Errorf("create tenant %q: %w", t.ID, err)
	}
	octx, cancel := s.op(ctx)
	defer cancel()
	_, err = s.system.Collection(collTenants).InsertOne(octx, tenantDoc{ID: t.ID, Name: t.Name, CreatedAt: store.FormatTime(t.CreatedAt), Database: db})
	if mongo.IsDuplicateKeyError(err) {
		if _, gerr := s.GetTenant(ctx, t.ID); gerr == nil {
			return fmt.Errorf("create tenant %q: %w", t.ID, store.ErrConflict)
		}
		return fmt.Errorf("create tenant %q: database name %s is taken by another tenant: %w", t.ID, db, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create tenant %q: %w", t.ID, s.fail(octx, err))
	}
	if err := s.prepareTenant(ctx, s.client.Database(db)); err != nil {
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.OperationTimeout)
		defer cancel()
		if _, derr := s.system.Collection(collTenants).DeleteOne(bg, eq(keyID, t.ID)); derr != nil {
			return fmt.Errorf("create tenant %q: %w (and removing the half-created tenant: %v)", t.ID, err, derr)
		}
		return fmt.Errorf("create tenant %q: %w", t.ID, err)
	}
	return nil
}

// tenantDoc reads a tenant's document.
func (s *Store) tenantDoc(ctx context.Context, id string) (tenantDoc, error) {
	octx, cancel := s.op(ctx)
	defer cancel()
	var d tenantDoc
	err := s.system.Collection(collTenants).FindOne(octx, eq(keyID, id)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return tenantDoc{}, fmt.Errorf("tenant %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return tenantDoc{}, fmt.Errorf("read tenant %q: %w", id, s.fail(octx, err))
	}
	return d, nil
}

// GetTenant implements [store.Store].
func (s *Store) GetTenant(ctx context.Context, id string) (store.Tenant, error) {
	d, err := s.tenantDoc(ctx, id)
	if err != nil {
		return store.Tenant{}, fmt.Errorf("get tenant %q: %w", id, err)
	}
	t, err := d.tenant()
	if err != nil {
		return store.Tenant{}, fmt.Errorf("get tenant %q: %w", id, err)
	}
	return t, nil
}

// ListTenants implements [store.Store].
func (s *Store) ListTenants(ctx context.Context) ([]store.Tenant, error) {
	octx, cancel := s.op(ctx)
	defer cancel()
	cur, err := s.system.Collection(collTenants).Find(octx, bson.D{}, options.Find().SetSort(bson.D{{Key: keyID, Value: int32(1)}}))
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", s.fail(octx, err))
	}
	var docs []tenantDoc
	if err := cur.All(octx, &docs); err != nil {
		return nil, fmt.Errorf("list tenants: %w", s.fail(octx, err))
	}
	out := make([]store.Tenant, 0, len(docs))
	for _, d := range docs {
		t, err := d.tenant()
		if err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		out = append(out, t)
	}
	return out, nil
}

type apiKeyDoc struct {
	ID        string `bson:"_id"`
	TenantID  string `bson:"tenantId"`
	Name      string `bson:"name"`
	Hash      string `bson:"hash"`
	Prefix    string `bson:"prefix"`
	CreatedAt string `bson:"createdAt"`
	RevokedAt string `bson:"revokedAt,omitempty"`
	ExpiresAt string `bson:"expiresAt,omitempty"`
	Role      string `bson:"role,omitempty"`
}

func (d apiKeyDoc) key() (store.APIKey, error) {
	k := store.APIKey{ID: d.ID, TenantID: d.TenantID, Name: d.Name, Hash: d.Hash, Prefix: d.Prefix, Role: d.Role}
	var err error
	if k.CreatedAt, err = store.ParseTime(d.CreatedAt); err != nil {
		return store.APIKey{}, err
	}
	if d.RevokedAt != "" {
		if k.RevokedAt, err = store.ParseTime(d.RevokedAt); err != nil {
			return store.APIKey{}, err
		}
	}
	if d.ExpiresAt != "" {
		if k.ExpiresAt, err = store.ParseTime(d.ExpiresAt); err != nil {
			return store.APIKey{}, err
		}
	}
	return k, nil
}

// CreateAPIKey implements [store.Store].
func (s *Store) CreateAPIKey(ctx context.Context, k store.APIKey) error {
	if _, err := s.tenantDoc(ctx, k.TenantID); err != nil {
		return fmt.Errorf("create api key %q: %w", k.ID, err)
	}
	d := apiKeyDoc{ID: k.ID, TenantID: k.TenantID, Name: k.Name, Hash: k.Hash, Prefix: k.Prefix, CreatedAt: store.FormatTime(k.CreatedAt), Role: k.Role}
	if !k.RevokedAt.IsZero() {
		d.RevokedAt = store.FormatTime(k.RevokedAt)
	}
	if !k.ExpiresAt.IsZero() {
		d.ExpiresAt = store.FormatTime(k.ExpiresAt)
	}
	octx, cancel := s.op(ctx)
	defer cancel()
	_, err := s.system.Collection(collAPIKeys).InsertOne(octx, d)
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("create api key %q: id or hash taken: %w", k.ID, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create api key %q: %w", k.ID, s.fail(octx, err))
	}
	return nil
}

// APIKeyByHash implements [store.Store].
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (store.APIKey, error) {
	octx, cancel := s.op(ctx)
	defer cancel()
	var d apiKeyDoc
	err := s.system.Collection(collAPIKeys).FindOne(octx, eq("hash", hash)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.APIKey{}, fmt.Errorf("find api key by hash: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.APIKey{}, fmt.Errorf("find api key by hash: %w", s.fail(octx, err))
	}
	k, err := d.key()
	if err != nil {
		return store.APIKey{}, fmt.Errorf("find api key by hash: %w", err)
	}
	return k, nil
}

// ListAPIKeys implements [store.Store]. An unknown tenant has no keys.
func (s *Store) ListAPIKeys(ctx context.Context, tenantID string) ([]store.APIKey, error) {
	octx, cancel := s.op(ctx)
	defer cancel()
	cur, err := s.system.Collection(collAPIKeys).Find(octx, eq("tenantId", tenantID),
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: int32(1)}, {Key: keyID, Value: int32(1)}}))
	if err != nil {
		return nil, fmt.Errorf("list api keys of tenant %q: %w", tenantID, s.fail(octx, err))
	}
	var docs []apiKeyDoc
	if err := cur.All(octx, &docs); err != nil {
		return nil, fmt.Errorf("list api keys of tenant %q: %w", tenantID, s.fail(octx, err))
	}
	out := make([]store.APIKey, 0, len(docs))
	for _, d := range docs {
		k, err := d.key()
		if err != nil {
			return nil, fmt.Errorf("list api keys of tenant %q: %w", tenantID, err)
		}
		out = append(out, k)
	}
	return out, nil
}

// RevokeAPIKey implements [store.Store]. Revoking a revoked key keeps the
// first time.
func (s *Store) RevokeAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error {
	octx, cancel := s.op(ctx)
	defer cancel()
	keys := s.system.Collection(collAPIKeys)
	filter := bson.D{
		equality("_id", keyID),
		equality("tenantId", tenantID),
	}
	notRevoked := append(filter, bson.E{Key: "revokedAt", Value: bson.D{{Key: "$exists", Value: false}}})
	res, err := keys.UpdateOne(octx, notRevoked, bson.D{{Key: "$set", Value: bson.D{{Key: "revokedAt", Value: store.FormatTime(at)}}}})
	if err != nil {
		return fmt.Errorf("revoke api key %q of tenant %q: %w", keyID, tenantID, s.fail(octx, err))
	}
	if res.MatchedCount > 0 {
		return nil
	}
	n, err := keys.CountDocuments(octx, filter)
	if err != nil {
		return fmt.Errorf("revoke api key %q of tenant %q: %w", keyID, tenantID, s.fail(octx, err))
	}
	if n == 0 {
		return fmt.Errorf("revoke api key %q of tenant %q: %w", keyID, tenantID, store.ErrNotFound)
	}
	return nil
}

// DeleteTenant implements [store.Store]: the tenant's database is dropped,
// then its API keys and its document.
func (s *Store) DeleteTenant(ctx context.Context, id string) error {
	d, err := s.tenantDoc(ctx, id)
	if err != nil {
		return fmt.Errorf("delete tenant %q: %w", id, err)
	}
	s.mu.Lock()
	delete(s.tenants, id)
	s.mu.Unlock()
	octx, cancel := s.op(ctx)
	defer cancel()
	if err := s.client.Database(d.Database).Drop(octx); err != nil {
		return fmt.Errorf("delete tenant %q: drop database %s: %w", id, d.Database, s.fail(octx, err))
	}
	if _, err := s.system.Collection(collAPIKeys).DeleteMany(octx, eq("tenantId", id)); err != nil {
		return fmt.Errorf("delete tenant %q: api keys: %w", id, s.fail(octx, err))
	}
	if _, err := s.system.Collection(collDue).DeleteOne(octx, eq(keyID, id)); err != nil {
		return fmt.Errorf("delete tenant %q: due index: %w", id, s.fail(octx, err))
	}
	if _, err := s.system.Collection(collTenants).DeleteOne(octx, eq(keyID, id)); err != nil {
		return fmt.Errorf("delete tenant %q: %w", id, s.fail(octx, err))
	}
	return nil
}

// MoveAPIKeys implements [store.Store].
func (s *Store) MoveAPIKeys(ctx context.Context, from, to string) error {
	if _, err := s.tenantDoc(ctx, to); err != nil {
		return fmt.Errorf("move api keys of tenant %q to %q: %w", from, to, err)
	}
	octx, cancel := s.op(ctx)
	defer cancel()
	_, err := s.system.Collection(collAPIKeys).UpdateMany(octx, eq("tenantId", from), bson.D{{Key: "$set", Value: bson.D{{Key: "tenantId", Value: to}}}})
	if err != nil {
		return fmt.Errorf("move api keys of tenant %q to %q: %w", from, to, s.fail(octx, err))
	}
	return nil
}

var _ store.Sizer = (*Store)(nil)

// TenantSize implements [store.Sizer]: dbStats' dataSize and indexSize of
// the tenant's database.
func (s *Store) TenantSize(ctx context.Context, id string) (int64, error) {
	d, err := s.tenantDoc(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("tenant size %q: %w", id, err)
	}
	octx, cancel := s.op(ctx)
	defer cancel()
	var stats struct {
		DataSize  float64 `bson:"dataSize"`
		IndexSize float64 `bson:"indexSize"`
	}
	if err := s.client.Database(d.Database).RunCommand(octx, bson.D{{Key: "dbStats", Value: 1}}).Decode(&stats); err != nil {
		return 0, fmt.Errorf("tenant size %q: %w", id, s.fail(octx, err))
	}
	return int64(stats.DataSize + stats.IndexSize), nil
}
