package graphql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file parses GraphQL executable documents (queries). graphql-go
// validates documents but keeps its parser internal, and our executor and
// our width and cost limits need the selections themselves.

// pos is a position in the query text, 1-based.
type pos struct{ line, col int }

type document struct {
	ops   []*operation
	frags map[string]*fragmentDef
}

type operation struct {
	kind string // "query", "mutation" or "subscription"
	name string
	vars []*varDef
	dirs []*directive
	sels []selection
	pos  pos
}

type varDef struct {
	name string
	typ  *typeRef
	def  *value
	pos  pos
}

// typeRef is a type as written in a variable definition.
type typeRef struct {
	name    string   // named type, when elem is nil
	elem    *typeRef // list element
	nonNull bool
}

// namedType returns the innermost type name.
func (t *typeRef) namedType() string {
	for t.elem != nil {
		t = t.elem
	}
	return t.name
}

type directive struct {
	name string
	args []*argument
	pos  pos
}

type argument struct {
	name string
	val  *value
	pos  pos
}

// selection is a *fieldSel, *fragmentSpread or *inlineFragment.
type selection interface{ position() pos }

type fieldSel struct {
	alias string // "" when none
	name  string
	args  []*argument
	dirs  []*directive
	sels  []selection
	pos   pos
}

func (f *fieldSel) responseKey() string {
	if f.alias != "" {
		return f.alias
	}
	return f.name
}

type fragmentSpread struct {
	name string
	dirs []*directive
	pos  pos
}

type inlineFragment struct {
	on   string // "" when no type condition
	dirs []*directive
	sels []selection
	pos  pos
}

type fragmentDef struct {
	name string
	on   string
	dirs []*directive
	sels []selection
	pos  pos
}

func (f *fieldSel) position() pos       { return f.pos }
func (f *fragmentSpread) position() pos { return f.pos }
func (f *inlineFragment) position() pos { return f.pos }

type valueKind int

const (
	valVariable valueKind = iota + 1
	valInt
	valFloat
	valString
	valBool
	valNull
	valEnum
	valList
	valObject
)

// value is a literal in the query. text holds the variable or enum name,
// the decoded string, or the number as written.
type value struct {
	kind   valueKind
	text   string
	b      bool
	list   []*value
	fields []*objectField
	pos    pos
}

type objectField struct {
	name string
	val  *value
}

// syntaxError is a query that does not parse.
type syntaxError struct {
	msg string
	pos pos
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("syntax error: %s (line %d, column %d)", e.msg, e.pos.line, e.pos.col)
}

// maxNesting bounds the nesting of selection sets, lists and objects in a
// query, so that parsing cannot exhaust the stack.
const maxNesting = 256

type tokKind int

const (
	tokEOF tokKind = iota
	tokPunct
	tokName
	tokInt
	tokFloat
	tokString
)

type token struct {
	kind tokKind
	text string // punctuator, name, number as written, or decoded string
	pos  pos
}

type lexer struct {
	src  string
	i    int
	line int
	col0 int // index of the first byte of the current line
	// Columns count runes; the last one computed is kept so that a long
	// line is counted once, not once per token.
	markLine, markIdx, markCol int
}

func (l *lexer) here() pos {
	if l.markLine != l.line || l.markIdx < l.col0 || l.markIdx > l.i {
		l.markLine, l.markIdx, l.markCol = l.line, l.col0, 1
	}
	l.markCol += utf8.RuneCountInString(l.src[l.markIdx:l.i])
	l.markIdx = l.i
	return pos{line: l.line, col: l.markCol}
}

func (l *lexer) newline(width int) {
	l.i += width
	l.line++
	l.col0 = l.i
}

// next returns the next token.
func (l *lexer) next() (token, error) {
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == ' ' || c == '\t' || c == ',':
			l.i++
		case c == '\n':
			l.newline(1)
		case c == '\r':
			if l.i+1 < len(l.src) && l.src[l.i+1] == '\n' {
				l.newline(2)
			} else {
				l.newline(1)
			}
		case c == '#':
			for l.i < len(l.src) && l.src[l.i] != '\n' && l.src[l.i] != '\r' {
				l.i++
			}
		case strings.HasPrefix(l.src[l.i:], "\uFEFF"):
			l.i += len("\uFEFF")
		default:
			return l.token()
		}
	}
	return token{kind: tokEOF, pos: l.here()}, nil
}

func (l *lexer) token() (token, error) {
	p := l.here()
	c := l.src[l.i]
	switch {
	case strings.IndexByte("!$&()@:=[]{}|", c) >= 0:
		l.i++
		return token{kind: tokPunct, text: string(c), pos: p}, nil
	case c == '.':
		if strings.HasPrefix(l.src[l.i:], "...") {
			l.i += 3
			return token{kind: tokPunct, text: "...", pos: p}, nil
		}
		return token{}, &syntaxError{"unexpected \".\"", p}
	case isNameStart(c):
		start := l.i
		for l.i < len(l.src) && isNameContinue(l.src[l.i]) {
			l.i++
		}
		return token{kind: tokName, text: l.src[start:l.i], pos: p}, nil
	case c == '-' || isDigit(c):
		return l.number(p)
	case c == '"':
		if strings.HasPrefix(l.src[l.i:], `"""`) {
			return l.blockString(p)
		}
		return l.string(p)
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.i:])
	return token{}, &syntaxError{fmt.Sprintf("unexpected character %q", r), p}
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameContinue(c byte) bool { return isNameStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (l *lexer) number(p pos) (token, error) {
	start := l.i
	if l.src[l.i] == '-' {
		l.i++
	}
	digits := func() int {
		n := 0
		for l.i < len(l.src) && isDigit(l.src[l.i]) {
			l.i++
			n++
		}
		return n
	}
	intStart := l.i
	if digits() == 0 {
		return token{}, &syntaxError{"invalid number", p}
	}
	if l.src[intStart] == '0' && l.i-intStart > 1 {
		return token{}, &syntaxError{"invalid number: leading zero", p}
	}
	kind := tokInt
	if l.i < len(l.src) && l.src[l.i] == '.' {
		l.i++
		if digits() == 0 {
			return token{}, &syntaxError{"invalid number", p}
		}
		kind = tokFloat
	}
	if l.i < len(l.src) && (l.src[l.i] == 'e' || l.src[l.i] == 'E') {
		l.i++
		if l.i < len(l.src) && (l.src[l.i] == '+' || l.src[l.i] == '-') {
			l.i++
		}
		if digits() == 0 {
			return token{}, &syntaxError{"invalid number", p}
		}
		kind = tokFloat
	}
	if l.i < len(l.src) && (isNameStart(l.src[l.i]) || l.src[l.i] == '.') {
		return token{}, &syntaxError{"invalid number", p}
	}
	return token{kind: kind, text: l.src[start:l.i], pos: p}, nil
}

func (l *lexer) string(p pos) (token, error) {
	l.i++ // opening quote
	var b strings.Builder
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == '"':
			l.i++
			return token{kind: tokString, text: b.String(), pos: p}, nil
		case c == '\n' || c == '\r':
			return token{}, &syntaxError{"unterminated string", p}
		case c == '\\':
			if l.i+1 >= len(l.src) {
				return token{}, &syntaxError{"unterminated string", p}
			}
			e := l.src[l.i+1]
			l.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, err := l.unicodeEscape(p)
				if err != nil {
					return token{}, err
				}
				b.WriteRune(r)
			default:
				return token{}, &syntaxError{fmt.Sprintf("invalid escape \\%c", e), p}
			}
		default:
			r, w := utf8.DecodeRuneInString(l.src[l.i:])
			if r == utf8.RuneError && w == 1 {
				return token{}, &syntaxError{"invalid UTF-8 in string", p}
			}
			if r < 0x20 && r != '\t' {
				return token{}, &syntaxError{"control character in string", p}
			}
			b.WriteString(l.src[l.i : l.i+w])
			l.i += w
		}
	}
	return token{}, &syntaxError{"unterminated string", p}
}

// unicodeEscape reads the digits of \uXXXX or \u{X…} (after "\u"),
// combining surrogate pairs.
func (l *lexer) unicodeEscape(p pos) (rune, error) {
	bad := &syntaxError{"invalid unicode escape", p}
	if l.i < len(l.src) && l.src[l.i] == '{' {
		end := strings.IndexByte(l.src[l.i:], '}')
		if end < 2 || end > 9 {
			return 0, bad
		}
		v, err := strconv.ParseUint(l.src[l.i+1:l.i+end], 16, 32)
		if err != nil || v > utf8.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
			return 0, bad
		}
		l.i += end + 1
		return rune(v), nil
	}
	hex4 := func() (rune, bool) {
		if l.i+4 > len(l.src) {
			return 0, false
		}
		v, err := strconv.ParseUint(l.src[l.i:l.i+4], 16, 32)
		if err != nil {
			return 0, false
		}
		l.i += 4
		return rune(v), true
	}
	r, ok := hex4()
	if !ok {
		return 0, bad
	}
	switch {
	case r >= 0xD800 && r <= 0xDBFF: // leading surrogate: a trailing one must follow
		if !strings.HasPrefix(l.src[l.i:], `\u`) {
			return 0, bad
		}
		l.i += 2
		r2, ok := hex4()
		if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
			return 0, bad
		}
		return (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000, nil
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, bad
	}
	return r, nil
}

func (l *lexer) blockString(p pos) (token, error) {
	l.i += 3
	var raw strings.Builder
	for l.i < len(l.src) {
		switch {
		case strings.HasPrefix(l.src[l.i:], `"""`):
			l.i += 3
			return token{kind: tokString, text: blockStringValue(raw.String()), pos: p}, nil
		case strings.HasPrefix(l.src[l.i:], `\"""`):
			raw.WriteString(`"""`)
			l.i += 4
		case l.src[l.i] == '\n':
			raw.WriteByte('\n')
			l.newline(1)
		case l.src[l.i] == '\r':
			raw.WriteByte('\n')
			if l.i+1 < len(l.src) && l.src[l.i+1] == '\n' {
				l.newline(2)
			} else {
				l.newline(1)
			}
		default:
			raw.WriteByte(l.src[l.i])
			l.i++
		}
	}
	return token{}, &syntaxError{"unterminated block string", p}
}

// blockStringValue removes the common indentation and the leading and
// trailing blank lines of a block string (GraphQL spec, BlockStringValue).
func blockStringValue(raw string) string {
	lines := strings.Split(raw, "\n")
	indent := -1
	for i, line := range lines {
		if i == 0 {
			continue
		}
		n := len(line) - len(strings.TrimLeft(line, " \t"))
		if n < len(line) && (indent < 0 || n < indent) {
			indent = n
		}
	}
	if indent > 0 {
		for i := 1; i < len(lines); i++ {
			if len(lines[i]) >= indent {
				lines[i] = lines[i][indent:]
			} else {
				lines[i] = ""
			}
		}
	}
	for len(lines) > 0 && strings.TrimLeft(lines[0], " \t") == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimLeft(lines[len(lines)-1], " \t") == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

type parser struct {
	lex   lexer
	tok   token
	depth int
}

// parseDocument parses an executable document. Every error is a
// *syntaxError.
func parseDocument(src string) (doc *document, err error) {
	p := &parser{lex: lexer{src: src, line: 1}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	doc = &document{frags: map[string]*fragmentDef{}}
	for p.tok.kind != tokEOF {
		switch {
		case p.isPunct("{"):
			op := &operation{kind: "query", pos: p.tok.pos}
			if op.sels, err = p.selectionSet(); err != nil {
				return nil, err
			}
			doc.ops = append(doc.ops, op)
		case p.tok.kind == tokName && (p.tok.text == "query" || p.tok.text == "mutation" || p.tok.text == "subscription"):
			op, err := p.operation()
			if err != nil {
				return nil, err
			}
			doc.ops = append(doc.ops, op)
		case p.tok.kind == tokName && p.tok.text == "fragment":
			f, err := p.fragment()
			if err != nil {
				return nil, err
			}
			if doc.frags[f.name] != nil {
				return nil, &syntaxError{fmt.Sprintf("there can be only one fragment named %q", f.name), f.pos}
			}
			doc.frags[f.name] = f
		default:
			return nil, p.unexpected()
		}
	}
	if len(doc.ops) == 0 {
		return nil, &syntaxError{"the document has no operation", pos{1, 1}}
	}
	return doc, nil
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) isPunct(s string) bool { return p.tok.kind == tokPunct && p.tok.text == s }

func (p *parser) unexpected() error {
	if p.tok.kind == tokEOF {
		return &syntaxError{"unexpected end of query", p.tok.pos}
	}
	return &syntaxError{fmt.Sprintf("unexpected %q", p.tok.text), p.tok.pos}
}

func (p *parser) expect(punct string) error {
	if !p.isPunct(punct) {
		if p.tok.kind == tokEOF {
			return &syntaxError{fmt.Sprintf("expected %q, found end of query", punct), p.tok.pos}
		}
		return &syntaxError{fmt.Sprintf("expected %q, found %q", punct, p.tok.text), p.tok.pos}
	}
	return p.advance()
}

func (p *parser) name() (string, error) {
	if p.tok.kind != tokName {
		if p.tok.kind == tokEOF {
			return "", &syntaxError{"expected a name, found end of query", p.tok.pos}
		}
		return "", &syntaxError{fmt.Sprintf("expected a name, found %q", p.tok.text), p.tok.pos}
	}
	n := p.tok.text
	return n, p.advance()
}

func (p *parser) nest() error {
	p.depth++
	if p.depth > maxNesting {
		return &syntaxError{"the query nests too deeply", p.tok.pos}
	}
	return nil
}

func (p *parser) operation() (*operation, error) {
	op := &operation{kind: p.tok.text, pos: p.tok.pos}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var err error
	if p.tok.kind == tokName {
		op.name = p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if p.isPunct("(") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		for !p.isPunct(")") {
			v, err := p.varDef()
			if err != nil {
				return nil, err
			}
			op.vars = append(op.vars, v)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if op.dirs, err = p.directives(); err != nil {
		return nil, err
	}
	if op.sels, err = p.selectionSet(); err != nil {
		return nil, err
	}
	return op, nil
}

func (p *parser) varDef() (*varDef, error) {
	v := &varDef{pos: p.tok.pos}
	if err := p.expect("$"); err != nil {
		return nil, err
	}
	var err error
	if v.name, err = p.name(); err != nil {
		return nil, err
	}
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	if v.typ, err = p.typeRef(); err != nil {
		return nil, err
	}
	if p.isPunct("=") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if v.def, err = p.value(true); err != nil {
			return nil, err
		}
	}
	if _, err := p.directives(); err != nil {
		return nil, err
	}
	return v, nil
}

func (p *parser) typeRef() (*typeRef, error) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	t := &typeRef{}
	if p.isPunct("[") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		elem, err := p.typeRef()
		if err != nil {
			return nil, err
		}
		t.elem = elem
		if err := p.expect("]"); err != nil {
			return nil, err
		}
	} else {
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		t.name = n
	}
	if p.isPunct("!") {
		t.nonNull = true
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (p *parser) directives() ([]*directive, error) {
	var ds []*directive
	for p.isPunct("@") {
		d := &directive{pos: p.tok.pos}
		if err := p.advance(); err != nil {
			return nil, err
		}
		var err error
		if d.name, err = p.name(); err != nil {
			return nil, err
		}
		if d.args, err = p.arguments(); err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, nil
}

func (p *parser) arguments() ([]*argument, error) {
	if !p.isPunct("(") {
		return nil, nil
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var args []*argument
	for !p.isPunct(")") {
		a := &argument{pos: p.tok.pos}
		var err error
		if a.name, err = p.name(); err != nil {
			return nil, err
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		if a.val, err = p.value(false); err != nil {
			return nil, err
		}
		args = append(args, a)
	}
	if len(args) == 0 {
		return nil, &syntaxError{"expected an argument", p.tok.pos}
	}
	return args, p.advance()
}

func (p *parser) value(constant bool) (*value, error) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	t := p.tok
	v := &value{pos: t.pos}
	switch {
	case t.kind == tokPunct && t.text == "$" && !constant:
		if err := p.advance(); err != nil {
			return nil, err
		}
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		v.kind, v.text = valVariable, n
		return v, nil
	case t.kind == tokInt:
		v.kind, v.text = valInt, t.text
	case t.kind == tokFloat:
		v.kind, v.text = valFloat, t.text
	case t.kind == tokString:
		v.kind, v.text = valString, t.text
	case t.kind == tokName:
		switch t.text {
		case "true", "false":
			v.kind, v.b = valBool, t.text == "true"
		case "null":
			v.kind = valNull
		default:
			v.kind, v.text = valEnum, t.text
		}
	case t.kind == tokPunct && t.text == "[":
		v.kind = valList
		if err := p.advance(); err != nil {
			return nil, err
		}
		for !p.isPunct("]") {
			if p.tok.kind == tokEOF {
				return nil, p.unexpected()
			}
			item, err := p.value(constant)
			if err != nil {
				return nil, err
			}
			v.list = append(v.list, item)
		}
	case t.kind == tokPunct && t.text == "{":
		v.kind = valObject
		if err := p.advance(); err != nil {
			return nil, err
		}
		for !p.isPunct("}") {
			name, err := p.name()
			if err != nil {
				return nil, err
			}
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			fv, err := p.value(constant)
			if err != nil {
				return nil, err
			}
			v.fields = append(v.fields, &objectField{name: name, val: fv})
		}
	default:
		return nil, p.unexpected()
	}
	return v, p.advance()
}

func (p *parser) selectionSet() ([]selection, error) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	var sels []selection
	for !p.isPunct("}") {
		s, err := p.selection()
		if err != nil {
			return nil, err
		}
		sels = append(sels, s)
	}
	if len(sels) == 0 {
		return nil, &syntaxError{"expected a selection", p.tok.pos}
	}
	return sels, p.advance()
}

func (p *parser) selection() (selection, error) {
	at := p.tok.pos
	if p.isPunct("...") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tokName && p.tok.text != "on" {
			s := &fragmentSpread{name: p.tok.text, pos: at}
			if err := p.advance(); err != nil {
				return nil, err
			}
			var err error
			s.dirs, err = p.directives()
			return s, err
		}
		f := &inlineFragment{pos: at}
		var err error
		if p.tok.kind == tokName && p.tok.text == "on" {
			if err := p.advance(); err != nil {
				return nil, err
			}
			if f.on, err = p.name(); err != nil {
				return nil, err
			}
		}
		if f.dirs, err = p.directives(); err != nil {
			return nil, err
		}
		if f.sels, err = p.selectionSet(); err != nil {
			return nil, err
		}
		return f, nil
	}
	f := &fieldSel{pos: at}
	n, err := p.name()
	if err != nil {
		return nil, err
	}
	if p.isPunct(":") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		f.alias = n
		if n, err = p.name(); err != nil {
			return nil, err
		}
	}
	f.name = n
	if f.args, err = p.arguments(); err != nil {
		return nil, err
	}
	if f.dirs, err = p.directives(); err != nil {
		return nil, err
	}
	if p.isPunct("{") {
		if f.sels, err = p.selectionSet(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (p *parser) fragment() (*fragmentDef, error) {
	f := &fragmentDef{pos: p.tok.pos}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var err error
	if f.name, err = p.name(); err != nil {
		return nil, err
	}
	if f.name == "on" {
		return nil, &syntaxError{"a fragment may not be named \"on\"", f.pos}
	}
	if p.tok.kind != tokName || p.tok.text != "on" {
		return nil, &syntaxError{"expected \"on\"", p.tok.pos}
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if f.on, err = p.name(); err != nil {
		return nil, err
	}
	if f.dirs, err = p.directives(); err != nil {
		return nil, err
	}
	if f.sels, err = p.selectionSet(); err != nil {
		return nil, err
	}
	return f, nil
}

// operationNamed picks the operation to run: the named one, or the only
// one when name is "".
func (d *document) operationNamed(name string) (*operation, error) {
	if name == "" {
		if len(d.ops) > 1 {
			return nil, fmt.Errorf("the document has several operations: name one in operationName")
		}
		return d.ops[0], nil
	}
	for _, op := range d.ops {
		if op.name == name {
			return op, nil
		}
	}
	return nil, fmt.Errorf("no operation named %q", name)
}
