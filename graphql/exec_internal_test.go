package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// The executor writes values into the response as it completes them
// (writeFields). These cases hold it to the spec's completion rules on a
// small schema with resolvers that fail: a null at a non-null position
// makes the nearest nullable parent null, every error keeps its path,
// the fields after a failing one still run and report their errors, and
// aliases, __typename, enums and lists come out as before.

const execTestSDL = `
type Query { items: [Item!]  maybe: [Item]  one: Item!  opt: Item  boom: String  n: Int  nested: [[Item!]]  strict: [Item!]! }
type Item { id: ID!  name: String  must: String!  bad: String  tags: [String!]  kind: Kind  child: Item  amount: Float  count: Int  on: Boolean }
enum Kind { A B }
`

type execTestItem struct {
	id, name string
	fail     bool // must fails
	kind     string
	child    *execTestItem
}

func execTestServer(t *testing.T) *execSchema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Input: execTestSDL})
	require.NoError(t, err)
	items := []any{
		&execTestItem{id: "1", name: "一", kind: "A", child: &execTestItem{id: "1.1", name: "<child>"}},
		&execTestItem{id: "2", fail: true, kind: "C"},
	}
	item := func(p any) *execTestItem { return p.(*execTestItem) }
	fails := func(msg string) error { return &Error{Code: "INVALID", Message: msg} }
	es := &execSchema{ast: s, srv: &Server{maxParallelism: 4, log: slog.New(slog.DiscardHandler)}}
	es.resolvers = map[string]map[string]resolver{
		"Query": {
			"items":  func(context.Context, any, *fieldCall) (any, error) { return items, nil },
			"maybe":  func(context.Context, any, *fieldCall) (any, error) { return items, nil },
			"strict": func(context.Context, any, *fieldCall) (any, error) { return items, nil },
			"nested": func(context.Context, any, *fieldCall) (any, error) {
				return []any{[]any{items[0]}, []any{items[0], items[1]}}, nil
			},
			"one":  func(context.Context, any, *fieldCall) (any, error) { return items[1], nil },
			"opt":  func(context.Context, any, *fieldCall) (any, error) { return items[0], nil },
			"boom": func(context.Context, any, *fieldCall) (any, error) { panic("kaboom") },
			"n":    func(context.Context, any, *fieldCall) (any, error) { return int64(7), nil },
		},
		"Item": {
			"id": func(_ context.Context, p any, _ *fieldCall) (any, error) { return &item(p).id, nil },
			"name": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				if item(p).name == "" {
					return nil, nil
				}
				return item(p).name, nil
			},
			"must": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				if item(p).fail {
					return nil, fails("must failed")
				}
				return "ok", nil
			},
			"bad":    func(context.Context, any, *fieldCall) (any, error) { return nil, fails("bad failed") },
			"tags":   func(context.Context, any, *fieldCall) (any, error) { return []any{"x", "y\"z"}, nil },
			"kind":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return item(p).kind, nil },
			"amount": func(context.Context, any, *fieldCall) (any, error) { return 0.5, nil },
			"count":  func(context.Context, any, *fieldCall) (any, error) { return int64(3), nil },
			"on":     func(context.Context, any, *fieldCall) (any, error) { return true, nil },
			"child": func(_ context.Context, p any, _ *fieldCall) (any, error) {
				if c := item(p).child; c != nil {
					return c, nil
				}
				return nil, nil
			},
		},
	}
	return es
}

func TestExecute_CompletesAsTheSpecSays(t *testing.T) {
	t.Parallel()
	es := execTestServer(t)
	type wantErr struct {
		Message string
		Path    []any
	}
	scenarios := []struct {
		name  string
		query string
		data  string
		errs  []wantErr
	}{
		{name: "scalars, lists of scalars, enums and a nested object",
			query: `{ opt { id name tags kind amount count on child { id name } } }`,
			data:  `{"opt":{"id":"1","name":"一","tags":["x","y\"z"],"kind":"A","amount":0.5,"count":3,"on":true,"child":{"id":"1.1","name":"\u003cchild\u003e"}}}`},
		{name: "aliases and __typename in selection order",
			query: `{ b: opt { t: __typename x: id } a: opt { name id } }`,
			data:  `{"b":{"t":"Item","x":"1"},"a":{"name":"一","id":"1"}}`},
		{name: "a null in a non-null item makes the nullable list null",
			query: `{ items { id must } }`,
			data:  `{"items":null}`,
			errs:  []wantErr{{"must failed", []any{"items", float64(1), "must"}}}},
		{name: "a null in a nullable item makes the item null",
			query: `{ maybe { id must } }`,
			data:  `{"maybe":[{"id":"1","must":"ok"},null]}`,
			errs:  []wantErr{{"must failed", []any{"maybe", float64(1), "must"}}}},
		{name: "the fields after a failing one still run and report",
			query: `{ maybe { must bad } }`,
			data:  `{"maybe":[{"must":"ok","bad":null},null]}`,
			errs: []wantErr{
				{"bad failed", []any{"maybe", float64(0), "bad"}},
				{"must failed", []any{"maybe", float64(1), "must"}},
				{"bad failed", []any{"maybe", float64(1), "bad"}},
			}},
		{name: "a null reaching a non-null root field makes data null",
			query: `{ one { must } }`,
			data:  `null`,
			errs:  []wantErr{{"must failed", []any{"one", "must"}}}},
		{name: "a null through a non-null list reaches the root",
			query: `{ strict { must } }`,
			data:  `null`,
			errs:  []wantErr{{"must failed", []any{"strict", float64(1), "must"}}}},
		{name: "lists of lists: the inner list becomes null",
			query: `{ nested { id must } }`,
			data:  `{"nested":[[{"id":"1","must":"ok"}],null]}`,
			errs:  []wantErr{{"must failed", []any{"nested", float64(1), float64(1), "must"}}}},
		{name: "a value that is not of the enum is null with an error",
			query: `{ maybe { kind } }`,
			data:  `{"maybe":[{"kind":"A"},{"kind":null}]}`,
			errs:  []wantErr{{"", []any{"maybe", float64(1), "kind"}}}},
		{name: "a panicking root field is null and its siblings answer",
			query: `{ boom n opt { id } }`,
			data:  `{"boom":null,"n":7,"opt":{"id":"1"}}`,
			errs:  []wantErr{{"", []any{"boom"}}}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			doc, err := parser.ParseQuery(&ast.Source{Input: s.query})
			require.NoError(t, err)
			r := &request{s: es, srv: es.srv, doc: doc, prep: prepareDoc(doc), op: doc.Operations[0]}
			var w bytes.Buffer
			r.execute(context.Background(), &w)
			require.True(t, json.Valid(w.Bytes()), w.String())
			assert.Equal(t, s.data, w.String())
			require.Len(t, r.errs, len(s.errs))
			for i, e := range s.errs {
				got, err := json.Marshal(r.errs[i].Path)
				require.NoError(t, err)
				want, err := json.Marshal(e.Path)
				require.NoError(t, err)
				assert.JSONEq(t, string(want), string(got))
				if e.Message != "" {
					assert.Equal(t, e.Message, r.errs[i].Message)
				}
				assert.NotEmpty(t, r.errs[i].Locations)
			}
		})
	}
}

func TestExecute_TheSameDocumentTwiceAnswersAlike(t *testing.T) {
	t.Parallel()
	es := execTestServer(t)
	// The second run takes the selections and targets kept with the
	// document's collected fields by the first.
	doc, err := parser.ParseQuery(&ast.Source{Input: `{ maybe { id child { name } must } opt { tags } }`})
	require.NoError(t, err)
	prep := prepareDoc(doc)
	var answers []string
	for range 2 {
		r := &request{s: es, srv: es.srv, doc: doc, prep: prep, op: doc.Operations[0]}
		var w bytes.Buffer
		r.execute(context.Background(), &w)
		answers = append(answers, w.String())
		require.Len(t, r.errs, 1)
		var own *Error
		assert.True(t, errors.As(r.errs[0].Err, &own))
	}
	assert.Equal(t, `{"maybe":[{"id":"1","child":{"name":"\u003cchild\u003e"},"must":"ok"},null],"opt":{"tags":["x","y\"z"]}}`, answers[0])
	assert.Equal(t, answers[0], answers[1])
}
