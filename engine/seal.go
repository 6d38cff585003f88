package engine

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Sensitive fields (x-crm-sensitive) are encrypted at rest with AES-256-GCM
// under a key derived from the configured one; the additional data binds
// each ciphertext to its tenant, object, field and record, so it cannot be
// moved to another. Searchable ones also store an HMAC-SHA256 of the value
// under a second derived key in a hidden field, which equality filters and
// unique indexes use. The engine sees plain values: sealedStore encrypts on
// the way into the store and decrypts on the way out, for every reader and
// transaction the engine opens. Exports move the ciphertext as it is.

const sealPrefix = "enc:v1:"

// ErrNoKey: an object has sensitive fields and no encryption key is
// configured; ErrWrongKey: the configured key is not the one the tenant's
// data was encrypted with.
var (
	ErrNoKey    = errors.New("engine: no encryption key")
	ErrWrongKey = errors.New("engine: wrong encryption key")
	// ErrTenantUnavailable: the tenant was found unusable when the server
	// started (see [Engine.CheckTenants]); the others are served.
	ErrTenantUnavailable = errors.New("engine: tenant unavailable")
)

type sealer struct {
	aead cipher.AEAD
	mac  []byte
}

// newSealer derives the encryption and hashing keys from a 32-byte key.
func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("engine: the encryption key must be 32 bytes, got %d", len(key))
	}
	enc, err := hkdf.Key(sha256.New, key, nil, "crm field encryption v1", 32)
	if err != nil {
		return nil, err
	}
	mac, err := hkdf.Key(sha256.New, key, nil, "crm blind index v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, mac: mac}, nil
}

func (s *sealer) seal(aad string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, plain, []byte(aad))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

func (s *sealer) open(aad, text string) (any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(text, sealPrefix))
	if err != nil || len(raw) < s.aead.NonceSize() {
		return nil, fmt.Errorf("%w: malformed ciphertext", ErrWrongKey)
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(aad))
	if err != nil {
		return nil, ErrWrongKey
	}
	var v any
	if err := json.Unmarshal(plain, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// hash is the keyed hash equality search compares.
func (s *sealer) hash(scope string, v any) string {
	b, _ := json.Marshal(v)
	h := hmac.New(sha256.New, s.mac)
	h.Write([]byte(scope))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func sealAAD(tenant, object, field, id string) string {
	return tenant + "\x00" + object + "\x00" + field + "\x00" + id
}

func hashScope(tenant, object, field string) string { return tenant + "\x00" + object + "\x00" + field }

func hasSensitive(obj *schema.Object) bool {
	for _, f := range obj.Fields {
		if f.Sensitive {
			return true
		}
	}
	return false
}

func noKey(obj *schema.Object) error {
	return newError(ErrNoKey,
		fmt.Sprintf("%s has sensitive fields and the server has no encryption key (CRM_ENCRYPTION_KEY)", obj.Name),
		fmt.Sprintf("%s 含有敏感字段，但服务器未配置加密密钥（CRM_ENCRYPTION_KEY）", labelZh(obj)), nil)
}

// sealRecord returns rec with its sensitive values encrypted and their
// hashes set.
func (s *sealer) sealRecord(tenant string, obj *schema.Object, rec store.Record) (store.Record, error) {
	if !hasSensitive(obj) {
		return rec, nil
	}
	if s == nil {
		return rec, noKey(obj)
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
		sealed, err := s.seal(sealAAD(tenant, obj.Name, f.Name, rec.ID), v)
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

// openRecord returns rec with its sensitive values decrypted and the
// hidden hashes removed.
func (s *sealer) openRecord(tenant string, obj *schema.Object, rec store.Record) (store.Record, error) {
	if !hasSensitive(obj) {
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
			return rec, noKey(obj)
		}
		v, err := s.open(sealAAD(tenant, obj.Name, f.Name, rec.ID), text)
		if err != nil {
			return rec, newError(ErrWrongKey,
				fmt.Sprintf("cannot decrypt %s.%s of record %q: the encryption key is not the one the data was encrypted with", obj.Name, f.Name, rec.ID),
				fmt.Sprintf("无法解密记录 %q 的 %s.%s：加密密钥与加密数据时所用的不一致", rec.ID, obj.Name, f.Name), err)
		}
		data[f.Name] = v
	}
	rec.Data = data
	return rec, nil
}

// sealFilter rewrites conditions on sensitive fields: equality on a
// searchable one compares hashes; isNull looks at the ciphertext; anything
// else cannot be answered and is refused.
func (s *sealer) sealFilter(tenant string, obj *schema.Object, f *store.Filter) (*store.Filter, error) {
	if f == nil || !hasSensitive(obj) {
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
		sub, err := s.sealFilter(tenant, obj, &f.And[i])
		if err != nil {
			return nil, err
		}
		out.And = append(out.And, *sub)
	}
	for i := range f.Or {
		sub, err := s.sealFilter(tenant, obj, &f.Or[i])
		if err != nil {
			return nil, err
		}
		out.Or = append(out.Or, *sub)
	}
	if f.Not != nil {
		sub, err := s.sealFilter(tenant, obj, f.Not)
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

// sealedStore is a tenant's store as the engine sees it: sensitive values
// plain. It wraps every read and transaction.
type sealedStore struct {
	store.TenantStore
	s      *sealer
	tenant string
}

var (
	_ store.Summer = (*sealedStore)(nil)
	_ store.Summer = (*sealedTx)(nil)
)

// sealedReader is the read half, over a store or a transaction.
type sealedReader struct {
	r      store.Reader
	s      *sealer
	tenant string
}

func (r sealedReader) Get(ctx context.Context, obj *schema.Object, id string) (store.Record, error) {
	rec, err := r.r.Get(ctx, obj, id)
	if err != nil {
		return rec, err
	}
	return r.s.openRecord(r.tenant, obj, rec)
}

func (r sealedReader) GetMany(ctx context.Context, obj *schema.Object, ids []string) ([]store.Record, error) {
	recs, err := r.r.GetMany(ctx, obj, ids)
	if err != nil {
		return nil, err
	}
	return r.openAll(obj, recs)
}

func (r sealedReader) Find(ctx context.Context, obj *schema.Object, q store.Query) (store.Page, error) {
	if hasSensitive(obj) {
		if err := checkSort(obj, q.Sort); err != nil {
			return store.Page{}, err
		}
		f, err := r.s.sealFilter(r.tenant, obj, q.Filter)
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

func (r sealedReader) Count(ctx context.Context, obj *schema.Object, f *store.Filter) (int64, error) {
	sf, err := r.s.sealFilter(r.tenant, obj, f)
	if err != nil {
		return 0, err
	}
	return r.r.Count(ctx, obj, sf)
}

// errCannotSum: the adapter lacks the optional [store.Summer].
var errCannotSum = errors.New("sum records: the store cannot sum (it does not implement store.Summer)")

// Sum passes [store.Summer] through, with the filter sealed like Count's.
func (r sealedReader) Sum(ctx context.Context, obj *schema.Object, f *store.Filter, field string) (float64, bool, error) {
	summer, ok := r.r.(store.Summer)
	if !ok {
		return 0, false, errCannotSum
	}
	sf, err := r.s.sealFilter(r.tenant, obj, f)
	if err != nil {
		return 0, false, err
	}
	return summer.Sum(ctx, obj, sf, field)
}

func (r sealedReader) openAll(obj *schema.Object, recs []store.Record) ([]store.Record, error) {
	if !hasSensitive(obj) {
		return recs, nil
	}
	out := make([]store.Record, len(recs))
	for i, rec := range recs {
		o, err := r.s.openRecord(r.tenant, obj, rec)
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

func (st *sealedStore) reader() sealedReader {
	return sealedReader{r: st.TenantStore, s: st.s, tenant: st.tenant}
}

func (st *sealedStore) Get(ctx context.Context, obj *schema.Object, id string) (store.Record, error) {
	return st.reader().Get(ctx, obj, id)
}

func (st *sealedStore) GetMany(ctx context.Context, obj *schema.Object, ids []string) ([]store.Record, error) {
	return st.reader().GetMany(ctx, obj, ids)
}

func (st *sealedStore) Find(ctx context.Context, obj *schema.Object, q store.Query) (store.Page, error) {
	return st.reader().Find(ctx, obj, q)
}

func (st *sealedStore) Count(ctx context.Context, obj *schema.Object, f *store.Filter) (int64, error) {
	return st.reader().Count(ctx, obj, f)
}

func (st *sealedStore) Sum(ctx context.Context, obj *schema.Object, f *store.Filter, field string) (float64, bool, error) {
	return st.reader().Sum(ctx, obj, f, field)
}

func (st *sealedStore) WithTx(ctx context.Context, fn func(tx store.Tx) error) error {
	return st.TenantStore.WithTx(ctx, func(tx store.Tx) error {
		return fn(&sealedTx{Tx: tx, r: sealedReader{r: tx, s: st.s, tenant: st.tenant}})
	})
}

// sealedTx seals what it writes and opens what it reads.
type sealedTx struct {
	store.Tx
	r sealedReader
}

func (t *sealedTx) Get(ctx context.Context, obj *schema.Object, id string) (store.Record, error) {
	return t.r.Get(ctx, obj, id)
}

func (t *sealedTx) GetMany(ctx context.Context, obj *schema.Object, ids []string) ([]store.Record, error) {
	return t.r.GetMany(ctx, obj, ids)
}

func (t *sealedTx) Find(ctx context.Context, obj *schema.Object, q store.Query) (store.Page, error) {
	return t.r.Find(ctx, obj, q)
}

func (t *sealedTx) Count(ctx context.Context, obj *schema.Object, f *store.Filter) (int64, error) {
	return t.r.Count(ctx, obj, f)
}

func (t *sealedTx) Sum(ctx context.Context, obj *schema.Object, f *store.Filter, field string) (float64, bool, error) {
	return t.r.Sum(ctx, obj, f, field)
}

func (t *sealedTx) Insert(ctx context.Context, obj *schema.Object, rec store.Record) error {
	sealed, err := t.r.s.sealRecord(t.r.tenant, obj, rec)
	if err != nil {
		return err
	}
	return t.Tx.Insert(ctx, obj, sealed)
}

func (t *sealedTx) Update(ctx context.Context, obj *schema.Object, rec store.Record, expectedVersion int64) error {
	sealed, err := t.r.s.sealRecord(t.r.tenant, obj, rec)
	if err != nil {
		return err
	}
	return t.Tx.Update(ctx, obj, sealed, expectedVersion)
}

// tenantStore opens a tenant's store as the engine uses it; a tenant
// marked unavailable (see CheckTenants) gives its reason instead.
func (e *Engine) tenantStore(ctx context.Context, tenantID string) (store.TenantStore, error) {
	if err := e.unavailableErr(tenantID); err != nil {
		return nil, err
	}
	ts, err := e.store.Tenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return &sealedStore{TenantStore: ts, s: e.sealer, tenant: tenantID}, nil
}

const keyCheckID = "keyCheck"

// ensureKeyCheck makes sure the tenant holds a value encrypted with the
// configured key, and that it opens: data encrypted under one key is
// never mixed with data under another.
func (e *Engine) ensureKeyCheck(ctx context.Context, ts store.TenantStore, snap *snapshot, tenantID string) error {
	if e.sealer == nil {
		return newError(ErrNoKey, fmt.Sprintf("tenant %q has sensitive fields and the server has no encryption key (CRM_ENCRYPTION_KEY)", tenantID),
			fmt.Sprintf("租户 %q 含有敏感字段，但服务器未配置加密密钥（CRM_ENCRYPTION_KEY）", tenantID), nil)
	}
	settings, err := e.platformObject(ctx, ts, snap, settingObject)
	if err != nil {
		return err
	}
	aad := sealAAD(tenantID, settingObject, "value", keyCheckID)
	rec, err := ts.Get(ctx, settings, keyCheckID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		sealed, err := e.sealer.seal(aad, "crm key check")
		if err != nil {
			return err
		}
		now := e.stamp()
		rec = store.Record{ID: keyCheckID, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "system", UpdatedBy: "system",
			Data: map[string]any{"value": sealed}}
		err = ts.WithTx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, settings, rec) })
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
		return nil
	case err != nil:
		return err
	}
	text, _ := rec.Data["value"].(string)
	if _, err := e.sealer.open(aad, text); err != nil {
		return newError(ErrWrongKey,
			fmt.Sprintf("tenant %q: the encryption key is not the one its sensitive data was encrypted with", tenantID),
			fmt.Sprintf("租户 %q：加密密钥与其敏感数据加密时所用的不一致", tenantID), err)
	}
	return nil
}

// TenantProblem is a tenant the server cannot serve, and why.
type TenantProblem struct {
	Tenant string
	Err    error
}

// CheckTenants verifies, for every tenant, that its metadata loads and,
// when it has sensitive fields, that the server has the key its data was
// encrypted with. A tenant that fails is marked unavailable — its requests
// answer UNAVAILABLE with the reason — and listed in the result; the
// others are served. One tenant's bad state (a wrong key, an import from
// elsewhere) never stops the server. The error is for failing to list the
// tenants at all.
func (e *Engine) CheckTenants(ctx context.Context) ([]TenantProblem, error) {
	tenants, err := e.store.ListTenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("check tenants: %w", err)
	}
	var problems []TenantProblem
	for _, t := range tenants {
		if err := e.checkTenant(ctx, t.ID); err != nil {
			problems = append(problems, TenantProblem{Tenant: t.ID, Err: err})
			e.markUnavailable(t.ID, err)
		} else {
			e.markUnavailable(t.ID, nil)
		}
	}
	return problems, nil
}

func (e *Engine) checkTenant(ctx context.Context, id string) error {
	ts, err := e.store.Tenant(ctx, id)
	if err != nil {
		return err
	}
	sts := &sealedStore{TenantStore: ts, s: e.sealer, tenant: id}
	snap, err := e.state(ctx, id, sts)
	if err != nil {
		return err
	}
	for _, o := range snap.catalog.Objects {
		if hasSensitive(o) {
			return e.ensureKeyCheck(ctx, sts, snap, id)
		}
	}
	return nil
}

// markUnavailable records why a tenant cannot be served (nil: it can).
func (e *Engine) markUnavailable(id string, why error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if why == nil {
		delete(e.unavailable, id)
		return
	}
	if e.unavailable == nil {
		e.unavailable = map[string]error{}
	}
	e.unavailable[id] = why
}

// unavailableErr returns the error requests of a tenant marked unavailable
// get, or nil.
func (e *Engine) unavailableErr(id string) error {
	e.mu.Lock()
	why := e.unavailable[id]
	e.mu.Unlock()
	if why == nil {
		return nil
	}
	reason := PublicMessage(why, "en")
	reasonZh := PublicMessage(why, "zh")
	return newError(ErrTenantUnavailable,
		fmt.Sprintf("tenant %q is unavailable: %s; the operator must fix it and restart the server", id, reason),
		fmt.Sprintf("租户 %q 暂不可用：%s；需由运维人员处理后重启服务", id, reasonZh), nil)
}
