package sqlitestore_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// BenchmarkStore_TenantCache reads one record of a tenant whose database
// is open (warm: what the cache adds to every call) and of one whose
// database was closed to make room (cold: a cache of one database and
// two tenants read in turn, so that every read opens a file and closes
// another).
func BenchmarkStore_TenantCache(b *testing.B) {
	for _, sc := range []struct {
		name string
		open int
	}{{"warm", 16}, {"cold", 1}} {
		b.Run(sc.name, func(b *testing.B) {
			ctx := b.Context()
			s, err := sqlitestore.New(sqlitestore.Config{Dir: b.TempDir(), OpenTenants: sc.open})
			require.NoError(b, err)
			defer s.Close()
			obj := counterObject()
			var handles []store.TenantStore
			for _, id := range []string{"a", "b"} {
				require.NoError(b, s.CreateTenant(ctx, store.Tenant{ID: id, CreatedAt: now}))
				ts, err := s.Tenant(ctx, id)
				require.NoError(b, err)
				saveObject(b, ts, obj)
				require.NoError(b, ts.WithTx(ctx, func(tx store.Tx) error {
					for i := range 100 {
						id := fmt.Sprintf("r%d", i)
						if err := tx.Insert(ctx, obj, store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"n": int64(i), "code": id}}); err != nil {
							return err
						}
					}
					return nil
				}))
				handles = append(handles, ts)
			}
			i := 0
			for b.Loop() {
				if _, err := handles[i%2].Get(ctx, obj, fmt.Sprintf("r%d", i%100)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
