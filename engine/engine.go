package engine

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/crmkit/crm/store"
)

// Config wires an [Engine].
type Config struct {
	// Store is the storage adapter. Required.
	Store store.Store
	// Logger; if nil, slog.Default().
	Logger *slog.Logger
	// Now returns the current time; if nil, time.Now. Overridable in tests.
	Now func() time.Time
	// NewID returns a new record id; if nil, a time-ordered random id.
	NewID func() string
}

// Engine runs the use cases. It is safe for concurrent use.
type Engine struct {
	cfg Config
}

var errTODO = errors.New("engine: under construction")

// New returns an engine over cfg.Store.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil {
		return nil, errors.New("engine: Config.Store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Engine{cfg: cfg}, nil
}

func (e *Engine) Catalog(ctx context.Context) (*Catalog, error) { return nil, errTODO }
func (e *Engine) SaveObject(ctx context.Context, definition json.RawMessage, opts SaveOptions) (*ObjectInfo, error) {
	return nil, errTODO
}
func (e *Engine) ObjectHistory(ctx context.Context, name string) ([]ObjectInfo, error) {
	return nil, errTODO
}
func (e *Engine) GetRecord(ctx context.Context, object, id string) (store.Record, error) {
	return store.Record{}, errTODO
}
func (e *Engine) GetRecords(ctx context.Context, object string, ids []string) ([]store.Record, error) {
	return nil, errTODO
}
func (e *Engine) ListRecords(ctx context.Context, object string, q ListQuery) (*ListResult, error) {
	return nil, errTODO
}
func (e *Engine) ListRelated(ctx context.Context, object, field string, parentIDs []string, q ListQuery) (map[string]*ListResult, error) {
	return nil, errTODO
}
func (e *Engine) CreateRecord(ctx context.Context, object string, input map[string]any) (store.Record, error) {
	return store.Record{}, errTODO
}
func (e *Engine) UpdateRecord(ctx context.Context, object, id string, patch map[string]any, version *int64) (store.Record, error) {
	return store.Record{}, errTODO
}
func (e *Engine) DeleteRecord(ctx context.Context, object, id string) error { return errTODO }
