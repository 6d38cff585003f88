package ferrettest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/internal/scaleplan"
	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/mongostore"
	"github.com/crmkit/crm/store/mongostore/ferrettest"
	"github.com/crmkit/crm/templates/install"
)

// scaleCatalog reads the definitions the simulation counts from.
func scaleCatalog(t *testing.T) *scaleplan.Catalog {
	t.Helper()
	c, err := scaleplan.Load(os.DirFS(filepath.Join("..", "..", "..", "engine", "platform")))
	require.NoError(t, err)
	return c
}

// measured is what a tenant's database holds: collection → its index
// names.
type measured map[string][]string

func (m measured) cost() scaleplan.Cost {
	c := scaleplan.Cost{Collections: len(m)}
	for _, ix := range m {
		c.Indexes += len(ix)
	}
	return c
}

// objects lists the objects that have a records collection, by name.
func (m measured) objects() []string {
	var out []string
	for name := range m {
		if obj, ok := strings.CutPrefix(name, "r_"); ok {
			out = append(out, obj)
		}
	}
	slices.Sort(out)
	return out
}

// measure lists the collections of a database and the indexes of each.
func measure(t *testing.T, ctx context.Context, client *mongo.Client, database string) measured {
	t.Helper()
	db := client.Database(database)
	names, err := db.ListCollectionNames(ctx, bson.D{})
	require.NoError(t, err)
	out := measured{}
	for _, name := range names {
		specs, err := db.Collection(name).Indexes().ListSpecifications(ctx)
		require.NoError(t, err, name)
		for _, s := range specs {
			out[name] = append(out[name], s.Name)
		}
	}
	return out
}

// checkAgainstSimulation asserts that every collection of a tenant
// database has the index count the simulation gives it.
func checkAgainstSimulation(t *testing.T, c *scaleplan.Catalog, template string, m measured) {
	t.Helper()
	for name, ix := range m {
		var want int
		if obj, ok := strings.CutPrefix(name, "r_"); ok {
			o, found := c.Find(template, obj)
			if !assert.True(t, found, "collection %s of an object the simulation does not know", name) {
				continue
			}
			want = o.Indexes
		} else if n, ok := scaleplan.TenantCollections[name]; ok {
			want = n
		} else if n, ok := scaleplan.BlobCollections[name]; ok {
			want = n
		} else {
			assert.Fail(t, "a collection the simulation does not count", name)
			continue
		}
		assert.Len(t, ix, want, "indexes of %s: %v", name, ix)
	}
}

// scaleEngine is an engine on a store under its own database prefix, and
// a plain client on the same server to look at what it made.
func scaleEngine(t *testing.T, serverURI string) (*engine.Engine, *mongostore.Store, *mongo.Client, string) {
	t.Helper()
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	prefix := "scale" + hex.EncodeToString(b)
	s := mongostore.NewForTest(t, mongostore.Config{URI: serverURI, DatabasePrefix: prefix})
	// Templates' scripts make many round trips to FerretDB: a wall time
	// only a hang reaches.
	runner, err := scripting.New(scripting.Config{Limits: scripting.Limits{WallTime: time.Minute}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = runner.Close() })
	eng, err := engine.New(engine.Config{Store: s, Logger: slog.New(slog.DiscardHandler),
		EncryptionKey: bytes.Repeat([]byte{7}, 32), Scripts: runner})
	require.NoError(t, err)
	client, err := mongo.Connect(options.Client().ApplyURI(serverURI))
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return eng, s, client, prefix
}

// newScaleTenant creates a tenant and its administrator, as `crm tenant
// create` followed by the first user does.
func newScaleTenant(t *testing.T, eng *engine.Engine, id string) context.Context {
	t.Helper()
	ctx := context.Background()
	_, err := eng.CreateTenant(ctx, id, id)
	require.NoError(t, err)
	admin := engine.WithActor(ctx, engine.Actor{TenantID: id, ID: "user:admin", Admin: true})
	_, err = eng.CreateUser(admin, id, engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	return admin
}

// TestScale_NewTenantCost: a tenant just created with its administrator
// holds the base collections and the platform objects
// scaleplan.NewTenantObjects names, each collection with the indexes the
// simulation counts; storing a file adds the GridFS bucket as counted.
func TestScale_NewTenantCost(t *testing.T) {
	t.Parallel()
	c := scaleCatalog(t)
	eng, s, client, prefix := scaleEngine(t, uri)
	newScaleTenant(t, eng, "fresh")
	ctx := t.Context()
	dbName, err := mongostore.DatabaseName(prefix, "fresh")
	require.NoError(t, err)

	m := measure(t, ctx, client, dbName)
	checkAgainstSimulation(t, c, "", m)
	assert.Equal(t, scaleplan.NewTenantObjects, m.objects(),
		"the platform objects of a new tenant changed: update scaleplan.NewTenantObjects, then go test ./internal/scaleplan -run TestDoc -update")
	want, err := c.NewTenant(scaleplan.NewTenantObjects)
	require.NoError(t, err)
	assert.Equal(t, want, m.cost())
	t.Logf("new tenant: %d collections, %d indexes: %v", len(m), m.cost().Indexes, m)

	ts, err := s.Tenant(ctx, "fresh")
	require.NoError(t, err)
	_, err = ts.(store.Blobs).PutBlob(ctx, "scale-check", strings.NewReader("a stored file"))
	require.NoError(t, err)
	m = measure(t, ctx, client, dbName)
	checkAgainstSimulation(t, c, "", m)
	assert.Equal(t, want.Add(scaleplan.Blobs()), m.cost(), "after a file is stored")
}

// TestScale_TemplateTenantCost: each industry template installed into a
// tenant of its own makes the collections and indexes the simulation
// counts for its objects.
func TestScale_TemplateTenantCost(t *testing.T) {
	t.Parallel()
	c := scaleCatalog(t)
	eng, _, client, prefix := scaleEngine(t, uri)
	for _, name := range c.TemplateNames() {
		t.Run(name, func(t *testing.T) {
			admin := newScaleTenant(t, eng, name)
			tpl, err := install.Template(name)
			require.NoError(t, err)
			_, err = eng.InstallTemplate(admin, tpl, template.InstallOptions{})
			require.NoError(t, err)
			dbName, err := mongostore.DatabaseName(prefix, name)
			require.NoError(t, err)
			m := measure(t, t.Context(), client, dbName)
			checkAgainstSimulation(t, c, name, m)
			objs := m.objects()
			var platform int
			for _, o := range c.Templates[name] {
				assert.Contains(t, objs, o.Name)
			}
			for _, o := range objs {
				if strings.HasPrefix(o, "crm") {
					platform++
				}
			}
			ceiling := c.ActiveTenant(name)
			got := m.cost()
			assert.LessOrEqual(t, got.Collections, ceiling.Collections)
			assert.LessOrEqual(t, got.Indexes, ceiling.Indexes)
			t.Logf("template %s: %d collections, %d indexes (%d platform objects); the in-use ceiling is %d, %d",
				name, got.Collections, got.Indexes, platform, ceiling.Collections, ceiling.Indexes)
		})
	}
}

// TestScale_FerretFilesPerTenant: FerretDB's SQLite handler keeps a
// database in one file, so a tenant costs one file there whatever its
// collections (WiredTiger keeps one per collection and per index).
func TestScale_FerretFilesPerTenant(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, err := ferrettest.Start(dir)
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	eng, _, _, prefix := scaleEngine(t, srv.URI)
	const n = 3
	for i := range n {
		newScaleTenant(t, eng, "t"+string(rune('a'+i)))
	}
	files, err := filepath.Glob(filepath.Join(dir, prefix+"_t_*.sqlite"))
	require.NoError(t, err)
	assert.Len(t, files, n, "one file per tenant database")
}
