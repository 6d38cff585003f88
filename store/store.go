package store

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm/schema"
)

// TimeLayout is how adapters store and compare record timestamps
// (createdAt, updatedAt): UTC with a fixed number of fraction digits, so that
// text order is time order. Filter values on those fields use it too.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime is t as adapters store it: UTC text in [TimeLayout].
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a time that [FormatTime] wrote.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t, nil
}

// Tenant is one isolated customer of the platform.
type Tenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
}

// APIKey is a stored API key. Only a hash of the secret is kept; the secret
// is shown once when the key is created.
type APIKey struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenantId"`
	Name      string    `json:"name"`
	Hash      string    `json:"hash"`   // hex SHA-256 of the secret
	Prefix    string    `json:"prefix"` // first characters of the secret, to recognise it in lists
	CreatedAt time.Time `json:"createdAt"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
	// ExpiresAt, when set, is when the key stops working.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// Role is the role the key acts with; "" makes it an administrator.
	Role string `json:"role,omitempty"`
}

// ObjectDoc is one version of an object definition as stored: the JSON
// Schema document the administrator saved.
type ObjectDoc struct {
	Name       string    `json:"name"`
	Version    int64     `json:"version"`
	Definition []byte    `json:"definition"`
	SavedAt    time.Time `json:"savedAt"`
	SavedBy    string    `json:"savedBy"`
	Deleted    bool      `json:"deleted,omitempty"`
}

// Store is the system-wide entry point of an adapter: tenants, API keys and
// access to each tenant's own store. Implementations are safe for
// concurrent use.
type Store interface {
	// CreateTenant stores a new tenant and prepares its storage. Returns
	// [ErrConflict] if the id is taken.
	CreateTenant(ctx context.Context, t Tenant) error
	// GetTenant returns [ErrNotFound] for an unknown id.
	GetTenant(ctx context.Context, id string) (Tenant, error)
	// ListTenants returns all tenants ordered by id.
	ListTenants(ctx context.Context) ([]Tenant, error)
	// DeleteTenant removes a tenant with everything it holds (definitions,
	// records, counters) and its API keys. [ErrNotFound] for an unknown
	// id. A tenant created again under the id starts empty.
	DeleteTenant(ctx context.Context, id string) error
	// MoveAPIKeys gives every API key of tenant from to tenant to, which
	// must exist ([ErrNotFound] otherwise); their secrets keep working.
	MoveAPIKeys(ctx context.Context, from, to string) error

	// CreateAPIKey stores a key. Returns [ErrNotFound] if its tenant does not
	// exist and [ErrConflict] if the id or hash is taken.
	CreateAPIKey(ctx context.Context, k APIKey) error
	// APIKeyByHash returns the key with that hash, revoked or not, or
	// [ErrNotFound].
	APIKeyByHash(ctx context.Context, hash string) (APIKey, error)
	// ListAPIKeys returns a tenant's keys ordered by creation.
	ListAPIKeys(ctx context.Context, tenantID string) ([]APIKey, error)
	// RevokeAPIKey marks a key revoked; [ErrNotFound] if the tenant has no
	// such key.
	RevokeAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error

	// Tenant opens the store of one existing tenant ([ErrNotFound]
	// otherwise). The result may be cached by the adapter and is valid until
	// Close.
	Tenant(ctx context.Context, id string) (TenantStore, error)

	// Close releases every resource of the adapter.
	Close() error
}

// TenantStore holds one tenant's metadata and records. Nothing reachable
// through it belongs to another tenant.
type TenantStore interface {
	// MetaRevision returns a number that grows with every metadata change of
	// the tenant (any object saved or deleted). Caches of derived artefacts
	// (compiled schemas, GraphQL schemas) key on it. It is cheap.
	MetaRevision(ctx context.Context) (int64, error)
	// Objects returns the current version of every live object definition,
	// ordered by name.
	Objects(ctx context.Context) ([]ObjectDoc, error)
	// Object returns the current version of one object, or [ErrNotFound].
	Object(ctx context.Context, name string) (ObjectDoc, error)
	// ObjectHistory returns every stored version of an object, oldest first.
	ObjectHistory(ctx context.Context, name string) ([]ObjectDoc, error)

	// WithTx runs fn in one atomic transaction: either every write fn made
	// is kept, or (fn returned an error, or the commit failed) none is.
	// Writes are serialised; fn must not hold the transaction beyond its
	// return. When ctx ends, WithTx returns at once; a store that undoes
	// by compensation may complete the undo after returning, before the
	// tenant's next transaction starts.
	WithTx(ctx context.Context, fn func(tx Tx) error) error

	// Reader: the read operations, also outside a transaction.
	Reader
}

// Reader is the read half of a tenant's records. Each call takes the
// object's parsed definition, which tells the adapter the fields' types.
type Reader interface {
	// Get returns one record or [ErrNotFound].
	Get(ctx context.Context, obj *schema.Object, id string) (Record, error)
	// GetMany returns the records with the given ids that exist, in no
	// particular order; missing ids are left out.
	GetMany(ctx context.Context, obj *schema.Object, ids []string) ([]Record, error)
	// GetFields is GetMany for a caller that reads only some fields of
	// the records' data ([Query.Fields]; nil: every field).
	GetFields(ctx context.Context, obj *schema.Object, ids []string, fields []string) ([]Record, error)
	// Find returns one page of records matching q. Returns a [*QueryError]
	// for unknown fields or operators the field type does not support.
	Find(ctx context.Context, obj *schema.Object, q Query) (Page, error)
	// Count returns how many records match the filter (nil: all).
	Count(ctx context.Context, obj *schema.Object, f *Filter) (int64, error)
}

// Tx is a write transaction on one tenant. Reads inside it see its own
// writes.
type Tx interface {
	Reader

	// SaveObject stores a new version of an object definition and brings
	// the physical storage in line with it (tables, collections, indexes
	// for x-crm-indexes, unique fields and lookups; indexes no longer
	// declared are dropped). doc.Version must be one more than the current
	// version (1 for a new object), else [ErrConflict]. Creating a unique
	// index over data that already has duplicates returns a [*UniqueError].
	SaveObject(ctx context.Context, doc ObjectDoc, obj *schema.Object) error
	// DeleteObject marks an object deleted (a new version with Deleted set)
	// and drops its records.
	DeleteObject(ctx context.Context, doc ObjectDoc) error

	// Insert stores a new record. Returns [ErrConflict] if the id exists and
	// a [*UniqueError] if a unique field's value is taken.
	Insert(ctx context.Context, obj *schema.Object, rec Record) error
	// Update replaces the record with rec.ID if its stored version is
	// expectedVersion; [ErrNotFound] if there is no such record,
	// [ErrConflict] if the version differs, [*UniqueError] as for Insert.
	Update(ctx context.Context, obj *schema.Object, rec Record, expectedVersion int64) error
	// Delete removes a record; [ErrNotFound] if missing.
	Delete(ctx context.Context, obj *schema.Object, id string) error

	// BumpMetaRevision makes the tenant's metadata revision grow when the
	// transaction commits, for metadata kept outside object definitions
	// (roles), so that caches keyed on the revision are rebuilt.
	BumpMetaRevision(ctx context.Context) error

	// NextSequence increments the named counter and returns its new value
	// (1 the first time). Used inside the transaction that inserts the
	// record, it gives gap-free numbers: a rolled-back transaction gives its
	// number back.
	NextSequence(ctx context.Context, name string) (int64, error)
}

// Sizer is an optional capability of a [Store]: the space a tenant's data
// takes, in bytes, for monitoring.
type Sizer interface {
	TenantSize(ctx context.Context, id string) (int64, error)
}
