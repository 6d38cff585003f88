package arch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/crmkit/crm"

// pkg is what the go command reports of one package of the module.
type pkg struct {
	ImportPath string
	Dir        string
	Name       string
	Doc        string
	GoFiles    []string
	Imports    []string
	Deps       []string
}

// listModule runs `go list -deps`-style listing of every package of the
// module (without tests) and returns them by import path.
func listModule(t *testing.T) map[string]pkg {
	t.Helper()
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to list packages")
	cmd := exec.Command(goTool, "list", "-json", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else {
			require.NoError(t, err)
		}
		pkgs[p.ImportPath] = p
	}
	require.Contains(t, pkgs, module+"/engine", "the listing must include the engine")
	return pkgs
}

// core is the part of the module that must run without a transport, a
// driver or the API edge: metadata, scripting, the storage port, the engine
// and the templates.
func isCore(path string) bool {
	for _, root := range []string{"schema", "scripting", "store", "engine", "templates"} {
		p := module + "/" + root
		if path == p || strings.HasPrefix(path, p+"/") {
			return !isAdapter(path) && !strings.HasPrefix(path, module+"/store/storetest")
		}
	}
	return false
}

// isAdapter reports whether path is a storage adapter (or its test kit).
func isAdapter(path string) bool {
	return strings.HasPrefix(path, module+"/store/sqlitestore") || strings.HasPrefix(path, module+"/store/mongostore")
}

// matches reports whether dep is prefix itself or inside it.
func matches(dep, prefix string) bool {
	return dep == prefix || strings.HasPrefix(dep, prefix+"/")
}

func firstMatch(deps []string, prefixes []string) (dep, prefix string) {
	for _, d := range deps {
		for _, p := range prefixes {
			if matches(d, p) {
				return d, p
			}
		}
	}
	return "", ""
}

func TestImports_CoreNeverReachesTransportDriversOrTheEdge(t *testing.T) {
	forbidden := []string{
		"net/http",
		"github.com/gofiber/fiber",
		"github.com/valyala/fasthttp",
		"modernc.org/sqlite",
		"go.mongodb.org/mongo-driver",
		"github.com/vektah/gqlparser",
		module + "/graphql",
		module + "/internal",
		module + "/cmd",
		module + "/store/sqlitestore",
		module + "/store/mongostore",
	}
	checked := 0
	for path, p := range listModule(t) {
		if !isCore(path) {
			continue
		}
		checked++
		dep, rule := firstMatch(p.Deps, forbidden)
		assert.Empty(t, dep, "%s depends on %s (forbidden to the core: %s)", path, dep, rule)
	}
	assert.GreaterOrEqual(t, checked, 5, "the core packages were found")
}

func TestImports_LeavesImportNoOtherPackageOfTheModule(t *testing.T) {
	pkgs := listModule(t)
	for _, leaf := range []string{"scripting", "message"} {
		p, ok := pkgs[module+"/"+leaf]
		require.True(t, ok, leaf)
		for _, imp := range p.Imports {
			assert.False(t, matches(imp, module), "%s is a leaf but imports %s", leaf, imp)
		}
	}
	// The metadata model words its problems through the message catalogue
	// and knows nothing else of ours.
	for _, imp := range pkgs[module+"/schema"].Imports {
		if matches(imp, module) {
			assert.Equal(t, module+"/message", imp, "schema imports %s", imp)
		}
	}
	// The storage port knows the metadata model and nothing else of ours.
	for _, imp := range pkgs[module+"/store"].Imports {
		if matches(imp, module) {
			assert.Equal(t, module+"/schema", imp, "store imports %s", imp)
		}
	}
}

func TestImports_AdaptersKnowOnlyThePort(t *testing.T) {
	allowed := []string{module + "/schema", module + "/store"}
	for path, p := range listModule(t) {
		if !isAdapter(path) {
			continue
		}
		for _, imp := range p.Imports {
			if !matches(imp, module) || matches(imp, module+"/store/sqlitestore") || matches(imp, module+"/store/mongostore") || matches(imp, module+"/store/storetest") {
				continue
			}
			dep, _ := firstMatch([]string{imp}, allowed)
			assert.NotEmpty(t, dep, "adapter %s imports %s; adapters know the port and the metadata model only", path, imp)
		}
	}
}

func TestImports_WorkerReachesTheEngineOnlyThroughItsInterface(t *testing.T) {
	p, ok := listModule(t)[module+"/engine/worker"]
	require.True(t, ok, "engine/worker")
	for _, imp := range p.Imports {
		if matches(imp, module) {
			assert.Equal(t, module+"/store", imp, "engine/worker imports %s; it reaches the engine through worker.Queues", imp)
		}
	}
}

func TestImports_EdgesReachStorageOnlyThroughTheEngine(t *testing.T) {
	pkgs := listModule(t)
	for _, edge := range []string{"graphql", "internal/server", "internal/metrics", "internal/webhook"} {
		p, ok := pkgs[module+"/"+edge]
		require.True(t, ok, edge)
		dep, _ := firstMatch(p.Deps, []string{module + "/store/sqlitestore", module + "/store/mongostore", "modernc.org/sqlite", "go.mongodb.org/mongo-driver"})
		assert.Empty(t, dep, "%s depends on %s; it must reach storage through the engine", edge, dep)
	}
}

// portTypes are the storage port's handles: holding one means talking to a
// database. The edge may use the store's value types (records, filters,
// sorts) that the engine speaks in, never these.
var portTypes = map[string]bool{
	"Store": true, "TenantStore": true, "Tx": true, "Reader": true, "Sizer": true,
	"Summer": true, "SequenceReader": true, "SequenceSetter": true,
	"New": true, "NewForTest": true, "Config": true,
}

func TestImports_GraphQLHoldsNoStorageHandle(t *testing.T) {
	p := listModule(t)[module+"/graphql"]
	require.NotEmpty(t, p.GoFiles)
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		file, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		local := ""
		for _, imp := range file.Imports {
			if imp.Path.Value == `"`+module+`/store"` {
				local = "store"
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" {
			continue
		}
		ast.Inspect(file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == local && portTypes[sel.Sel.Name] {
				t.Errorf("%s: graphql names store.%s; it must reach storage through the engine", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}

func TestPackages_SayWhatTheyOwn(t *testing.T) {
	for path, p := range listModule(t) {
		doc := strings.TrimSpace(p.Doc)
		if !assert.NotEmpty(t, doc, "%s has no package doc comment", path) {
			continue
		}
		want := "Package " + p.Name + " "
		if p.Name == "main" {
			want = "Command "
		}
		assert.True(t, strings.HasPrefix(doc, want), "%s: the doc comment should start %q, got %q", path, want, doc)
	}
}
