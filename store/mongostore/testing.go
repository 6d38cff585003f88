package mongostore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// NewForTest opens a store on the server cfg.URI under a fresh random
// database prefix (unless cfg sets one), so that tests sharing a server
// never see each other's data. When the test ends it drops every database
// under the prefix and closes the store. It lives in a non-test file so
// that other packages' tests can use it.
func NewForTest(t testing.TB, cfg Config) *Store {
	t.Helper()
	if cfg.DatabasePrefix == "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		cfg.DatabasePrefix = "t" + hex.EncodeToString(b)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 20 * time.Second
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("open test store: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.dropAll(ctx); err != nil {
			t.Errorf("drop test databases: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("close test store: %v", err)
		}
	})
	return s
}

// dropAll drops every database under the store's prefix.
func (s *Store) dropAll(ctx context.Context) error {
	names, err := s.client.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		return err
	}
	for _, n := range names {
		if strings.HasPrefix(n, s.cfg.DatabasePrefix+"_") {
			if err := s.client.Database(n).Drop(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}
