package message

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyArgument names the functions of the module that take a message key,
// and the position of the key among their arguments; the arguments of the
// message follow it.
var keyArgument = map[string]int{
	"errorOf":              2, // engine
	"fieldError":           2, // engine
	"refusalOf":            1, // engine/template
	"tenantAdmin":          2, // engine
	"definitionOwner":      2, // engine
	"NewFieldError":        2, // schema
	"schema.NewFieldError": 2,
	"say":                  1, // graphql, internal/server
	"forbidden":            1, // graphql
	"message.Text":         1,
	"message.New":          0,
}

var keyPattern = regexp.MustCompile(`^[a-z][a-zA-Z]*\.[a-z][a-zA-Z0-9]*$`)

// verbPattern finds fmt verbs: flags, an optional argument index, width,
// precision and the verb.
var verbPattern = regexp.MustCompile(`%[-+# 0]*(?:\[(\d+)\])?[0-9]*(?:\.[0-9]+)?([a-zA-Z%])`)

// arguments returns the arguments a format uses (1-based) and whether it
// names them by index.
func arguments(format string) (used map[int]bool, indexed bool) {
	used = map[int]bool{}
	next := 1
	for _, m := range verbPattern.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			next, _ = strconv.Atoi(m[1])
			indexed = true
		}
		used[next] = true
		next++
	}
	return used, indexed
}

// arity is how many arguments a message takes: the most any language uses.
func arity(key Key) int {
	n := 0
	for _, text := range catalogue()[key] {
		used, _ := arguments(text)
		for i := range used {
			n = max(n, i)
		}
	}
	return n
}

func TestCatalogue_EveryMessageHasEveryLanguage(t *testing.T) {
	t.Parallel()
	require.NotEmpty(t, catalogue())
	for key, texts := range catalogue() {
		assert.Regexp(t, keyPattern, string(key))
		for _, lang := range []string{En, Zh} {
			assert.NotEmpty(t, strings.TrimSpace(texts[lang]), "%s has no %s text", key, lang)
		}
		n := arity(key)
		all := map[int]bool{}
		for lang, text := range texts {
			used, indexed := arguments(text)
			if !indexed {
				// Arguments taken in order leave none unused.
				assert.Len(t, used, n, "%s (%s) uses %d of its %d arguments in order; name them by index (%%[n]v)", key, lang, len(used), n)
			}
			for i := range used {
				all[i] = true
			}
		}
		for i := 1; i <= n; i++ {
			assert.True(t, all[i], "%s: no language uses argument %d", key, i)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, lang string
		key        Key
		args       []any
		want       string
	}{
		{name: "english", lang: En, key: "object.unknown", args: []any{"deal"}, want: `unknown object "deal"`},
		{name: "chinese", lang: Zh, key: "object.unknown", args: []any{"deal"}, want: `对象 "deal" 不存在`},
		{name: "another language falls back to english", lang: "fr", key: "object.unknown", args: []any{"deal"}, want: `unknown object "deal"`},
		{name: "each language its own arguments", lang: Zh, key: "record.notFound", args: []any{"deal", "d1", "商机"}, want: `商机 记录 "d1" 不存在`},
		{name: "an unknown key is itself", lang: En, key: "no.suchKey", want: "no.suchKey"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, Text(s.lang, s.key, s.args...))
		})
	}
}

// TestCatalogue_EveryKeyUsedExists reads the module's Go files: every call
// that passes a message key passes one the catalogue has, as a literal,
// with as many arguments as the message takes; and every message is used.
func TestCatalogue_EveryKeyUsedExists(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..")
	used := map[Key]bool{}
	calls := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "testdata", ".git", "admin-ui":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			at, ok := keyArgument[callee(call.Fun)]
			if !ok || len(call.Args) <= at {
				return true
			}
			calls++
			pos := fset.Position(call.Pos())
			switch call.Args[at].(type) {
			case *ast.Ident, *ast.SelectorExpr:
				return true // a key passed on (checked where it is written)
			}
			lit, ok := call.Args[at].(*ast.BasicLit)
			if !assert.True(t, ok && lit.Kind == token.STRING, "%s: the message key must be a string literal", pos) {
				return true
			}
			k, _ := strconv.Unquote(lit.Value)
			key := Key(k)
			used[key] = true
			if !assert.True(t, Has(key), "%s: %q is not in the catalogue", pos, key) {
				return true
			}
			if !call.Ellipsis.IsValid() {
				assert.Equal(t, arity(key), len(call.Args)-at-1, "%s: %q takes %d arguments", pos, key, arity(key))
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, calls, 50, "the calls were found")
	for key := range catalogue() {
		assert.True(t, used[key], "%s is in the catalogue but nothing uses it", key)
	}
}

// callee returns the name of a called function: "name" or "pkg.name".
func callee(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
	}
	return ""
}
