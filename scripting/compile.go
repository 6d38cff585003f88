package scripting

import (
	"container/list"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"
)

// Kind is when a script runs, and so what it receives and may do.
type Kind string

// Script kinds.
const (
	// KindValidate runs before create and update; it reads ctx.record and
	// ctx.old and reports problems with ctx.addError.
	KindValidate Kind = "validate"
	// KindBeforeSave runs before a write; it may change ctx.record (directly
	// or with ctx.set), and the changes come back in [Result.Changes].
	KindBeforeSave Kind = "beforeSave"
	// KindAfterSave runs after a write commits; it may create and update
	// other records and enqueue actions through crm.
	KindAfterSave Kind = "afterSave"
	// KindStageChange runs when a record moves between pipeline stages;
	// ctx.stage holds {from, to}.
	KindStageChange Kind = "onStageChange"
	// KindScheduled runs on a tenant's schedule with ctx.params and no
	// record.
	KindScheduled Kind = "scheduled"
)

func (k Kind) valid() bool {
	switch k {
	case KindValidate, KindBeforeSave, KindAfterSave, KindStageChange, KindScheduled:
		return true
	}
	return false
}

// Script is one version of a tenant's script. Source is a function body:
// it may use return, and it runs in strict mode.
type Script struct {
	Tenant  string
	ID      string
	Name    string // shown in errors; if empty, ID
	Version int64
	Kind    Kind
	Source  string
}

func (s Script) name() string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// scriptPrefix wraps a script body in a strict function on a line of its
// own, so that positions inside the body are the author's line + 1 and the
// author's column.
const (
	scriptPrefix = "(function () {\"use strict\";\n"
	scriptSuffix = "\n})"
)

// compiled is a parsed, compiled program with what its source names. It is
// immutable and shared by every run of that script version.
type compiled struct {
	prg  *goja.Program
	name string
	scan *scan
}

type cacheKey struct {
	tenant  string
	id      string
	version int64
	sum     [sha256.Size]byte
}

// programCache is a bounded LRU of compiled programs keyed by tenant, script
// id, version and the hash of the source (so an unsaved edit tested under
// the saved version number never runs the saved program, or the reverse).
type programCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recently used
	items map[cacheKey]*list.Element
}

type cacheEntry struct {
	key cacheKey
	val *compiled
}

func newProgramCache(max int) *programCache {
	return &programCache{max: max, order: list.New(), items: map[cacheKey]*list.Element{}}
}

func (c *programCache) get(k cacheKey) *compiled {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cacheEntry).val
	}
	return nil
}

func (c *programCache) put(k cacheKey, v *compiled) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.items[k] = c.order.PushFront(&cacheEntry{key: k, val: v})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

// compileScript parses a script body with source maps disabled (a
// sourceMappingURL comment would otherwise make the parser read a host file,
// S8) and compiles it to a program whose completion value is the function.
func compileScript(s Script, lim Limits) (*compiled, error) {
	name := s.name()
	if err := checkSource(name, s.Source, lim); err != nil {
		return nil, err
	}
	src := scriptPrefix + s.Source + scriptSuffix
	prog, err := parser.ParseFile(nil, name, src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, clampToBody(parseError(name, err, 1), s.Source)
	}
	if len(prog.Body) != 1 || !isFunctionStatement(prog.Body[0]) {
		// The body closed the wrapper function: refuse rather than run code
		// outside it.
		bad := prog.Body[len(prog.Body)-1]
		if len(prog.Body) > 1 {
			bad = prog.Body[1]
		}
		pos := prog.File.Position(int(bad.Idx0()) - 1)
		return nil, &ScriptError{Script: name, Line: pos.Line - 1, Column: pos.Column,
			Message: "SyntaxError: unbalanced closing brace", Err: ErrCompile}
	}
	prg, err := goja.CompileAST(prog, false)
	if err != nil {
		return nil, clampToBody(compileError(name, err, 1), s.Source)
	}
	return &compiled{prg: prg, name: name, scan: scanProgram(prog)}, nil
}

func isFunctionStatement(st ast.Statement) bool {
	es, ok := st.(*ast.ExpressionStatement)
	if !ok {
		return false
	}
	_, ok = es.Expression.(*ast.FunctionLiteral)
	return ok
}

// compileExpression parses a single expression in strict mode.
func compileExpression(expr string, lim Limits) (*compiled, error) {
	const name = "expression"
	if err := checkSource(name, expr, lim); err != nil {
		return nil, err
	}
	prog, err := parser.ParseFile(nil, name, expr, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, parseError(name, err, 0)
	}
	if len(prog.Body) != 1 {
		pos := file.Position{Line: 1, Column: 1}
		if len(prog.Body) > 1 {
			pos = prog.File.Position(int(prog.Body[1].Idx0()) - 1)
		}
		return nil, &ScriptError{Script: name, Line: pos.Line, Column: pos.Column,
			Message: "SyntaxError: expected a single expression", Err: ErrCompile}
	}
	if _, ok := prog.Body[0].(*ast.ExpressionStatement); !ok {
		pos := prog.File.Position(int(prog.Body[0].Idx0()) - 1)
		return nil, &ScriptError{Script: name, Line: pos.Line, Column: pos.Column,
			Message: "SyntaxError: expected an expression, not a statement", Err: ErrCompile}
	}
	prg, err := goja.CompileAST(prog, true)
	if err != nil {
		return nil, compileError(name, err, 0)
	}
	return &compiled{prg: prg, name: name, scan: scanProgram(prog)}, nil
}

func checkSource(name, src string, lim Limits) error {
	if len(src) > lim.MaxSourceBytes {
		return &ScriptError{Script: name, Err: newLimitError(LimitSourceBytes, int64(lim.MaxSourceBytes), "bytes", ErrLimit)}
	}
	if d := nestingDepth(src, maxNesting); d > maxNesting {
		return &ScriptError{Script: name, Err: ErrCompile,
			Message: fmt.Sprintf("SyntaxError: brackets nested deeper than %d", maxNesting)}
	}
	return nil
}

// parseError turns a parser error into a ScriptError at the author's
// position; lineShift is the number of wrapper lines before the body.
func parseError(name string, err error, lineShift int) error {
	var list parser.ErrorList
	var one *parser.Error
	switch {
	case errors.As(err, &list) && len(list) > 0:
		one = list[0]
	case errors.As(err, &one):
	default:
		return &ScriptError{Script: name, Message: "SyntaxError: " + err.Error(), Err: ErrCompile}
	}
	line := max(one.Position.Line-lineShift, 1)
	return &ScriptError{Script: name, Line: line, Column: one.Position.Column,
		Message: "SyntaxError: " + one.Message, Err: ErrCompile}
}

func compileError(name string, err error, lineShift int) error {
	var syn *goja.CompilerSyntaxError
	var ref *goja.CompilerReferenceError
	var ce *goja.CompilerError
	prefix := "SyntaxError: "
	switch {
	case errors.As(err, &syn):
		ce = &syn.CompilerError
	case errors.As(err, &ref):
		ce, prefix = &ref.CompilerError, "ReferenceError: "
	default:
		return &ScriptError{Script: name, Message: "SyntaxError: " + err.Error(), Err: ErrCompile}
	}
	se := &ScriptError{Script: name, Message: prefix + ce.Message, Err: ErrCompile}
	if ce.File != nil {
		pos := ce.File.Position(ce.Offset)
		se.Line, se.Column = max(pos.Line-lineShift, 1), pos.Column
	}
	return se
}

// clampToBody moves a position found in the wrapper's closing line (an
// unexpected end of the script) to the end of the author's last line.
func clampToBody(err error, body string) error {
	se, ok := err.(*ScriptError)
	if !ok {
		return err
	}
	lines := strings.Count(body, "\n") + 1
	if se.Line > lines {
		last := body[strings.LastIndexByte(body, '\n')+1:]
		se.Line, se.Column = lines, utf16Len(last)+1
	}
	return se
}
