package install_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/scripting"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
	"github.com/crmkit/crm/templates"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// refDate fixes the sample data's reference date, so that tests see the
// same data every day.
var refDate = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

// newTenant is a tenant whose administrator, admin (管理员), installs:
// the sample data gives the templates' user fields the tenant's users.
func newTenant(t testing.TB, tenant string) (*engine.Engine, context.Context) {
	t.Helper()
	eng, ctx := newBareTenant(t, tenant)
	_, err := eng.CreateUser(ctx, tenant, engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	return eng, ctx
}

// patientScripts gives the templates' scripts a wall time that only a
// hang reaches: on a busy machine the default second stopped a script
// while a sample-data install waited for a core. The sandbox's limits
// have tests of their own (package scripting, engine/scripts_test.go).
func patientScripts(t testing.TB) testkit.Option {
	t.Helper()
	runner, err := scripting.New(scripting.Config{Limits: scripting.Limits{WallTime: time.Minute}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = runner.Close() })
	return testkit.WithConfig(func(c *engine.Config) { c.Scripts = runner })
}

// newBareTenant is a tenant without users.
func newBareTenant(t testing.TB, tenant string) (*engine.Engine, context.Context) {
	t.Helper()
	tn := testkit.New(t, tenant, testkit.Named(tenant), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t))
	return tn.Engine, tn.Admin
}

// Every template installs into an empty tenant with its sample data (each
// record checked by the engine on the way in), its GraphQL schema builds
// and serves a query over the sample data, and installing it again
// changes nothing.
func TestInstall_EveryTemplateWithSampleData(t *testing.T) {
	t.Parallel()
	ms, err := templates.List()
	require.NoError(t, err)
	for _, m := range ms {
		if m.Name == "starter" {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			require.True(t, sample.Has(m.Name), "every industry template has sample data")
			eng, ctx := newTenant(t, "t1")
			tpl, err := install.Template(m.Name)
			require.NoError(t, err)
			var last template.Progress
			res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{
				Sample:   install.Sample(m.Name, sample.Options{Records: 600, Seed: 7, Now: refDate}),
				Progress: func(p template.Progress) { last = p },
			})
			require.NoError(t, err)
			assert.True(t, res.Applied)
			assert.Empty(t, res.Conflicts)
			assert.InDelta(t, 600, res.SampleRecords, 320, "about the size asked for")
			assert.Equal(t, "sample", last.Phase)
			assert.Equal(t, res.SampleRecords, last.Done)

			// Every object got records, made by the template's sample actor.
			cat, err := eng.Catalog(ctx)
			require.NoError(t, err)
			require.Len(t, cat.Objects, len(tpl.Objects))
			total := 0
			for _, obj := range cat.Objects {
				n, err := eng.CountRecords(ctx, obj.Name, &store.Filter{Field: "createdBy", Op: store.OpEq, Value: template.SampleActor(m.Name)})
				require.NoError(t, err)
				assert.Positive(t, n, "sample %s records", obj.Name)
				total += int(n)
			}
			assert.GreaterOrEqual(t, total, res.SampleRecords, "the sample records, and those the template's automations made from them")

			// The generated API builds and answers over the sample data.
			srv, err := graphql.New(graphql.Config{Engine: eng, Logger: slog.New(slog.DiscardHandler)})
			require.NoError(t, err)
			sdl := graphql.SDL(cat)
			_, err = gqlparser.LoadSchema(&ast.Source{Input: sdl})
			require.NoError(t, err)
			first := cat.Objects[0]
			resp := srv.Exec(ctx, fmt.Sprintf(`{ %s(first: 5) { totalCount nodes { id } } }`, listField(t, srv, ctx, first.Name)), "", nil)
			require.Empty(t, resp.Errors)
			assert.Contains(t, string(resp.Data), `"totalCount"`)

			// Every role of the template is installed; each gets an API that
			// builds, and sees masked fields masked.
			roles, err := eng.Roles(ctx)
			require.NoError(t, err)
			require.NotEmpty(t, roles, "every industry template ships roles")
			require.Len(t, roles, len(tpl.Roles))
			for _, r := range roles {
				rctx := engine.WithActor(context.Background(), engine.Actor{TenantID: "t1", ID: "user:" + r.Name, Role: r.Name})
				rcat, err := eng.Catalog(rctx)
				require.NoError(t, err)
				require.NotEmpty(t, rcat.Objects, "role %s sees objects", r.Name)
				_, err = gqlparser.LoadSchema(&ast.Source{Input: graphql.SDL(rcat)})
				require.NoError(t, err, "the API of role %s", r.Name)
				for obj, acc := range r.Objects {
					for field, level := range acc.Fields {
						if level != engine.FieldMasked {
							continue
						}
						page, err := eng.ListRecords(rctx, obj, engine.ListQuery{First: 20})
						require.NoError(t, err)
						for _, rec := range page.Records {
							if v, ok := rec.Data[field].(string); ok {
								assert.Contains(t, v, "*", "%s sees %s.%s masked", r.Name, obj, field)
							}
						}
					}
				}
			}

			// Every view runs on the sample data (queues such as urgent open
			// cases may be empty in a small sample, but not every view); every
			// layout comes back for the administrators and for each role that
			// may read its object.
			found := 0
			require.NotEmpty(t, tpl.Views, "every industry template ships views")
			require.NotEmpty(t, tpl.Layouts, "every industry template ships layouts")
			for _, obj := range cat.Objects {
				views, err := eng.Views(ctx, obj.Name)
				require.NoError(t, err)
				for _, v := range views {
					page, err := eng.ListRecords(ctx, obj.Name, engine.ListQuery{View: v.Name, WithTotal: true})
					require.NoError(t, err, "view %s.%s", obj.Name, v.Name)
					t.Logf("view %s.%s: %d of the sample records", obj.Name, v.Name, page.Total)
					if page.Total > 0 {
						found++
					}
				}
				l, err := eng.Layout(ctx, obj.Name)
				require.NoError(t, err)
				require.NotEmpty(t, l.Sections)
				for _, r := range roles {
					rctx := engine.WithActor(context.Background(), engine.Actor{TenantID: "t1", ID: "user:" + r.Name, Role: r.Name})
					if _, err := eng.Layout(rctx, obj.Name); err != nil {
						assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "role %s, layout of %s", r.Name, obj.Name)
					}
				}
			}
			assert.Positive(t, found, "some view finds sample records")

			// Installing the same version again changes nothing and adds no
			// second set of sample data.
			again, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample(m.Name, sample.Options{Records: 600, Seed: 7, Now: refDate})})
			require.NoError(t, err)
			assert.False(t, again.Applied)
			assert.False(t, again.Changed())
			assert.Zero(t, again.SampleRecords)
			assert.NotEmpty(t, again.Notes)
			cat2, err := eng.Catalog(ctx)
			require.NoError(t, err)
			assert.Equal(t, cat.Revision, cat2.Revision, "metadata untouched")
		})
	}
}

// listField finds the root list field of an object through introspection,
// so the test does not depend on the pluralisation rules.
func listField(t *testing.T, srv *graphql.Server, ctx context.Context, object string) string {
	t.Helper()
	resp := srv.Exec(ctx, `{ __schema { queryType { fields { name type { kind ofType { name } } } } } }`, "", nil)
	require.Empty(t, resp.Errors)
	want := upper(object) + "Connection"
	var out struct {
		Schema struct {
			QueryType struct {
				Fields []struct {
					Name string
					Type struct {
						Kind   string
						OfType struct{ Name string }
					}
				}
			}
		} `json:"__schema"`
	}
	require.NoError(t, jsonUnmarshal(resp.Data, &out))
	for _, f := range out.Schema.QueryType.Fields {
		if f.Type.OfType.Name == want {
			return f.Name
		}
	}
	t.Fatalf("no list field of %s", object)
	return ""
}

func upper(s string) string { return string(s[0]-'a'+'A') + s[1:] }

// The generator is deterministic: the same options give the same records.
func TestSample_Deterministic(t *testing.T) {
	t.Parallel()
	for _, name := range sample.Templates() {
		collect := func(seed int64) []sample.Record {
			var out []sample.Record
			err := sample.Generate(context.Background(), name, sample.Options{Records: 300, Seed: seed, Now: refDate}, func(r sample.Record) error {
				out = append(out, r)
				return nil
			})
			require.NoError(t, err)
			return out
		}
		a, b, c := collect(1), collect(1), collect(2)
		assert.True(t, reflect.DeepEqual(a, b), "%s: same seed, same data", name)
		assert.False(t, reflect.DeepEqual(a, c), "%s: another seed, other data", name)
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// BenchmarkInstallSample measures generating and writing sample data
// (records/s) into a fresh tenant on the embedded store with its
// production settings; -short makes it small.
func BenchmarkInstallSample(b *testing.B) {
	records := 20_000
	if testing.Short() {
		records = 1_000
	}
	for _, name := range []string{"b2b-sales", "retail", "chemical"} {
		b.Run(name, func(b *testing.B) {
			written := 0
			for b.Loop() {
				b.StopTimer()
				st, err := sqlitestore.New(sqlitestore.Config{Dir: b.TempDir()})
				require.NoError(b, err)
				eng, err := engine.New(engine.Config{Store: st, Logger: slog.New(slog.DiscardHandler), EncryptionKey: []byte("0123456789abcdef0123456789abcdef")})
				require.NoError(b, err)
				ctx := context.Background()
				_, err = eng.CreateTenant(ctx, "bench", "")
				require.NoError(b, err)
				ctx = engine.WithActor(ctx, engine.Actor{TenantID: "bench", ID: "user:bench", Admin: true})
				// The sample data gives user fields the tenant's users.
				_, err = eng.CreateUser(ctx, "bench", engine.NewUser{Username: "bench", DisplayName: "基准", Role: "admin", Password: "correct horse battery"})
				require.NoError(b, err)
				tpl, err := install.Template(name)
				require.NoError(b, err)
				b.StartTimer()
				res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample(name, sample.Options{Records: records, Seed: 1, Now: refDate})})
				require.NoError(b, err)
				written += res.SampleRecords
				b.StopTimer()
				require.NoError(b, st.Close())
				b.StartTimer()
			}
			b.ReportMetric(float64(written)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
