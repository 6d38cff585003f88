package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/crmkit/crm/store"
)

// systemSchema is set up in system.db.
var systemSchema = []string{
	`CREATE TABLE IF NOT EXISTS tenants (
		id TEXT PRIMARY KEY NOT NULL,
		name TEXT NOT NULL,
		created_at TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS api_keys (
		id TEXT PRIMARY KEY NOT NULL,
		tenant_id TEXT NOT NULL,
		name TEXT NOT NULL,
		hash TEXT NOT NULL,
		prefix TEXT NOT NULL,
		created_at TEXT NOT NULL,
		revoked_at TEXT
	)`,
	`CREATE UNIQUE INDEX IF NOT EXISTS api_keys_hash ON api_keys (hash)`,
	`CREATE INDEX IF NOT EXISTS api_keys_tenant ON api_keys (tenant_id, created_at, id)`,
	dueIndexTable,
	dueIndexOrder,
}

// systemLayout is the layout of system.db. Its migrations change files
// written by earlier versions.
var systemLayout = layout{
	version: 3,
	stmts:   systemSchema,
	migrations: map[int]migration{
		2: {stmts: []string{`ALTER TABLE api_keys ADD COLUMN expires_at TEXT`}},
		3: {stmts: []string{`ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT ''`}},
	},
}

// CreateTenant implements [store.Store]. The tenant's file is created in
// the same step; if that fails, the tenant is not stored.
func (s *Store) CreateTenant(ctx context.Context, t store.Tenant) error {
	if !store.ValidTenantID(t.ID) {
		return fmt.Errorf("create tenant %q: not a valid tenant id", t.ID)
	}
	var db *database
	err := s.system.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)`, t.ID, t.Name, store.FormatTime(t.CreatedAt))
		if isPrimaryKeyViolation(err) {
			return store.ErrConflict
		}
		if err != nil {
			return store.ContextError(ctx, err)
		}
		db, err = openDatabase(ctx, filepath.Join(s.cfg.Dir, "tenants", t.ID+".db"), &s.cfg, tenantLayout)
		return err
	})
	if err != nil {
		if db != nil {
			_ = db.close()
		}
		return fmt.Errorf("create tenant %q: %w", t.ID, err)
	}
	s.adopt(t.ID, db)
	return nil
}

// GetTenant implements [store.Store].
func (s *Store) GetTenant(ctx context.Context, id string) (store.Tenant, error) {
	t := store.Tenant{ID: id}
	var created string
	err := s.system.reader.QueryRowContext(ctx, `SELECT name, created_at FROM tenants WHERE id = ?`, id).Scan(&t.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Tenant{}, fmt.Errorf("get tenant %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Tenant{}, fmt.Errorf("get tenant %q: %w", id, store.ContextError(ctx, err))
	}
	if t.CreatedAt, err = store.ParseTime(created); err != nil {
		return store.Tenant{}, fmt.Errorf("get tenant %q: %w", id, err)
	}
	return t, nil
}

// ListTenants implements [store.Store].
func (s *Store) ListTenants(ctx context.Context) ([]store.Tenant, error) {
	rows, err := s.system.reader.QueryContext(ctx, `SELECT id, name, created_at FROM tenants ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", store.ContextError(ctx, err))
	}
	defer rows.Close()
	out := []store.Tenant{}
	for rows.Next() {
		var (
			t       store.Tenant
			created string
		)
		if err := rows.Scan(&t.ID, &t.Name, &created); err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		if t.CreatedAt, err = store.ParseTime(created); err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tenants: %w", store.ContextError(ctx, err))
	}
	return out, nil
}

// CreateAPIKey implements [store.Store].
func (s *Store) CreateAPIKey(ctx context.Context, k store.APIKey) error {
	err := s.system.withTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tenants WHERE id = ?`, k.TenantID).Scan(&n); err != nil {
			return store.ContextError(ctx, err)
		}
		if n == 0 {
			return fmt.Errorf("tenant %q: %w", k.TenantID, store.ErrNotFound)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, tenant_id, name, hash, prefix, created_at, revoked_at, expires_at, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.TenantID, k.Name, k.Hash, k.Prefix, store.FormatTime(k.CreatedAt), optionalTime(k.RevokedAt), optionalTime(k.ExpiresAt), k.Role)
		if isPrimaryKeyViolation(err) || isUniqueViolation(err) {
			return store.ErrConflict
		}
		return store.ContextError(ctx, err)
	})
	if err != nil {
		return fmt.Errorf("create api key %q: %w", k.ID, err)
	}
	return nil
}

const apiKeyColumns = "id, tenant_id, name, hash, prefix, created_at, revoked_at, expires_at, role"

// APIKeyByHash implements [store.Store].
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (store.APIKey, error) {
	k, err := scanAPIKey(s.system.reader.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return store.APIKey{}, fmt.Errorf("find api key by hash: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.APIKey{}, fmt.Errorf("find api key by hash: %w", store.ContextError(ctx, err))
	}
	return k, nil
}

// ListAPIKeys implements [store.Store]. An unknown tenant has no keys.
func (s *Store) ListAPIKeys(ctx context.Context, tenantID string) ([]store.APIKey, error) {
	rows, err := s.system.reader.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys of tenant %q: %w", tenantID, store.ContextError(ctx, err))
	}
	defer rows.Close()
	out := []store.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list api keys of tenant %q: %w", tenantID, err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list api keys of tenant %q: %w", tenantID, store.ContextError(ctx, err))
	}
	return out, nil
}

// RevokeAPIKey implements [store.Store]. Revoking a revoked key keeps the
// first time.
func (s *Store) RevokeAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error {
	err := s.system.withTx(ctx, func(tx *sql.Tx) error {
		var revoked sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM api_keys WHERE id = ? AND tenant_id = ?`, keyID, tenantID).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil || revoked.Valid {
			return store.ContextError(ctx, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, store.FormatTime(at), keyID)
		return store.ContextError(ctx, err)
	})
	if err != nil {
		return fmt.Errorf("revoke api key %q of tenant %q: %w", keyID, tenantID, err)
	}
	return nil
}

func scanAPIKey(s scanner) (store.APIKey, error) {
	var (
		k       store.APIKey
		created string
		revoked sql.NullString
		expires sql.NullString
	)
	if err := s.Scan(&k.ID, &k.TenantID, &k.Name, &k.Hash, &k.Prefix, &created, &revoked, &expires, &k.Role); err != nil {
		return store.APIKey{}, err
	}
	var err error
	if k.CreatedAt, err = store.ParseTime(created); err != nil {
		return store.APIKey{}, err
	}
	if revoked.Valid {
		if k.RevokedAt, err = store.ParseTime(revoked.String); err != nil {
			return store.APIKey{}, err
		}
	}
	if expires.Valid {
		if k.ExpiresAt, err = store.ParseTime(expires.String); err != nil {
			return store.APIKey{}, err
		}
	}
	return k, nil
}

// optionalTime stores the zero time as NULL.
func optionalTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return store.FormatTime(t)
}

// DeleteTenant implements [store.Store]. The tenant's file is first moved
// aside, so that a tenant created again under the id never opens it; it is
// moved back if the system file cannot be changed, and removed after.
func (s *Store) DeleteTenant(ctx context.Context, id string) error {
	if _, err := s.GetTenant(ctx, id); err != nil {
		return fmt.Errorf("delete tenant %q: %w", id, err)
	}
	unhold, err := s.holdForDelete(ctx, id)
	if err != nil {
		return fmt.Errorf("delete tenant %q: %w", id, err)
	}
	defer unhold()
	path := filepath.Join(s.cfg.Dir, "tenants", id+".db")
	trash := filepath.Join(s.cfg.Dir, "tenants", ".deleted-"+id+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	var moved []string
	for _, suffix := range []string{"", "-wal", "-shm"} {
		err := os.Rename(path+suffix, trash+suffix)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			for _, m := range moved {
				_ = os.Rename(trash+m, path+m)
			}
			return fmt.Errorf("delete tenant %q: move its file aside: %w", id, err)
		}
		moved = append(moved, suffix)
	}
	// The tenant's blobs go aside too, and back if the tenant stays.
	blobs := filepath.Join(s.cfg.Dir, "blobs", id)
	blobTrash := filepath.Join(s.cfg.Dir, "blobs", ".deleted-"+id+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	blobsMoved := false
	if err := os.Rename(blobs, blobTrash); err == nil {
		blobsMoved = true
	} else if !errors.Is(err, fs.ErrNotExist) {
		for _, m := range moved {
			_ = os.Rename(trash+m, path+m)
		}
		return fmt.Errorf("delete tenant %q: move its blobs aside: %w", id, err)
	}
	err = s.system.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM api_keys WHERE tenant_id = ?`, id); err != nil {
			return store.ContextError(ctx, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM due_index WHERE tenant = ?`, id); err != nil {
			return store.ContextError(ctx, err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM tenants WHERE id = ?`, id)
		return store.ContextError(ctx, err)
	})
	if err != nil {
		for _, m := range moved {
			_ = os.Rename(trash+m, path+m)
		}
		if blobsMoved {
			_ = os.Rename(blobTrash, blobs)
		}
		return fmt.Errorf("delete tenant %q: %w", id, err)
	}
	s.dueSeen.Delete(id)
	s.dueRead.Delete(id)
	var errs []error
	if blobsMoved {
		if err := os.RemoveAll(blobTrash); err != nil {
			errs = append(errs, err)
		}
	}
	for _, m := range moved {
		if err := os.Remove(trash + m); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		s.log.Warn("remove the file of a deleted tenant", "tenant", id, "err", errors.Join(errs...))
	}
	return nil
}

// MoveAPIKeys implements [store.Store].
func (s *Store) MoveAPIKeys(ctx context.Context, from, to string) error {
	if _, err := s.GetTenant(ctx, to); err != nil {
		return fmt.Errorf("move api keys of tenant %q to %q: %w", from, to, err)
	}
	err := s.system.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_keys SET tenant_id = ? WHERE tenant_id = ?`, to, from)
		return store.ContextError(ctx, err)
	})
	if err != nil {
		return fmt.Errorf("move api keys of tenant %q to %q: %w", from, to, err)
	}
	return nil
}

var _ store.Sizer = (*Store)(nil)

// TenantSize implements [store.Sizer]: the size of the tenant's file and
// its write-ahead log.
func (s *Store) TenantSize(ctx context.Context, id string) (int64, error) {
	if !store.ValidTenantID(id) {
		return 0, fmt.Errorf("tenant size %q: %w", id, store.ErrNotFound)
	}
	path := filepath.Join(s.cfg.Dir, "tenants", id+".db")
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		fi, err := os.Stat(path + suffix)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("tenant size %q: %w", id, err)
		}
		total += fi.Size()
	}
	return total, nil
}
