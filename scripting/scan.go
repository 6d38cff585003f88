package scripting

import (
	"reflect"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
)

// scan is what a program's source can name. Creating a goja function object
// costs about a microsecond and materialising a lazy built-in another, so
// guarding every bulk built-in on every run would cost far more than the run
// itself. A built-in method is reachable only through its name: written as
// an identifier or property (a.fill), as a string ('fill'), or found at run
// time through computed access (a[k]), reflection (Reflect,
// getOwnPropertyDescriptors) or dynamic code. The sandbox guards the
// built-ins whose names a program mentions, and all of them when it uses any
// of the dynamic forms. Guards reached implicitly (join through toString,
// the array iterator through spread and for-of) are installed always.
type scan struct {
	names    map[string]bool // identifiers, property names and short strings
	idents   map[string]bool // identifiers only (free variables of expressions)
	dynamic  bool            // computed member access or reflection: assume every name
	iterates bool            // spread, for-of, array destructuring or yield*
}

// dynamicNames are names that reach properties without spelling them.
var dynamicNames = []string{
	"Reflect", "eval", "Function", "constructor",
	"getOwnPropertyDescriptor", "getOwnPropertyDescriptors",
	"__lookupGetter__", "__lookupSetter__", "__proto__", "getPrototypeOf",
}

// maxNameLength: no guarded built-in has a longer name, so longer strings
// need not be remembered.
const maxNameLength = 48

var (
	typeIdentifier = reflect.TypeOf(ast.Identifier{})
	typeFile       = reflect.TypeOf(&file.File{})
	typeBracket    = reflect.TypeOf(ast.BracketExpression{})
	typeSpread     = reflect.TypeOf(ast.SpreadElement{})
	typeForOf      = reflect.TypeOf(ast.ForOfStatement{})
	typeArrayPat   = reflect.TypeOf(ast.ArrayPattern{})
	typeYield      = reflect.TypeOf(ast.YieldExpression{})
)

// iteratingNames are built-ins that iterate their argument with the array
// iterator.
var iteratingNames = []string{
	"Set", "Map", "WeakSet", "WeakMap", "from", "fromEntries", "all", "allSettled",
	"any", "race", "iterator", "values", "entries", "keys",
}

func scanProgram(p *ast.Program) *scan {
	s := &scan{names: map[string]bool{}, idents: map[string]bool{}}
	s.walk(reflect.ValueOf(p))
	for _, n := range dynamicNames {
		if s.names[n] {
			s.dynamic = true
		}
	}
	for _, n := range iteratingNames {
		if s.names[n] {
			s.iterates = true
		}
	}
	return s
}

// has reports whether a guard for name is needed.
func (s *scan) has(name string) bool { return s.dynamic || s.names[name] }

func (s *scan) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() || v.Type() == typeFile {
			return
		}
		s.walk(v.Elem())
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			s.walk(v.Index(i))
		}
	case reflect.String:
		if str := v.String(); len(str) <= maxNameLength {
			s.names[str] = true
		}
	case reflect.Struct:
		switch v.Type() {
		case typeIdentifier:
			s.idents[v.Field(0).String()] = true
		case typeSpread, typeForOf, typeArrayPat:
			s.iterates = true
		case typeYield:
			if v.FieldByName("Delegate").Bool() {
				s.iterates = true
			}
		case typeBracket:
			if m := v.FieldByName("Member"); m.IsNil() {
				s.dynamic = true
			} else {
				switch m.Elem().Interface().(type) {
				case *ast.StringLiteral, *ast.NumberLiteral:
				default:
					s.dynamic = true
				}
			}
		}
		if f := v.FieldByName("Computed"); f.IsValid() && f.Kind() == reflect.Bool && f.Bool() {
			s.dynamic = true
		}
		for i := 0; i < v.NumField(); i++ {
			s.walk(v.Field(i))
		}
	}
}

// maxNesting bounds bracket nesting in source handed to a parser: goja's
// parsers recurse on the Go stack, and eval('['.repeat(1e6)) was measured
// here to kill the process with a fatal stack overflow.
const maxNesting = 256

// nestingDepth returns the deepest bracket nesting of src, counting brackets
// inside strings and comments too (an over-estimate, never an under-one),
// and stops counting past limit.
func nestingDepth(src string, limit int) int {
	depth, deepest := 0, 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '(', '[', '{':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > limit {
					return deepest
				}
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return deepest
}
