package graphql_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/graphql"
)

// TestDocs_GraphQLExamples runs the examples of docs/graphql.md, in order,
// against the whole server with the b2b-sales template, and compares each
// response with the one the page shows.
//
// A ```graphql schema block must appear verbatim in the SDL the server
// prints for the tenant. A ```graphql block is a request (sent with Accept-Language: en); a
// ```json variables block after it gives its variables; the next ```json
// block is its response. An ```http block is a raw request and an ```http
// response block its status line, the headers to check and the JSON body.
// Record ids, timestamps and cursors in a shown response match any value
// of their kind; an id or cursor shown once stands for the same value in
// every later example (the test maps it to the one the server gave).
func TestDocs_GraphQLExamples(t *testing.T) {
	t.Parallel()
	examples, schemaParts := docExamples(t, "../docs/graphql.md")
	require.GreaterOrEqual(t, len(examples), 20, "the page has its examples")
	s := newHTTPStack(t, "b2b-sales")
	cat, err := s.eng.Catalog(s.ctx)
	require.NoError(t, err)
	sdl := graphql.SDL(cat)
	for _, part := range schemaParts {
		if strings.Contains(sdl, part.text+"\n") {
			continue
		}
		// Show the printed schema from the block's last line that matches.
		lines := strings.Split(part.text, "\n")
		from := -1
		for i := len(lines) - 1; i >= 0 && from < 0; i-- {
			from = strings.Index(sdl, lines[i]+"\n")
		}
		shown := sdl[max(from, 0):]
		if len(shown) > 4000 {
			shown = shown[:4000]
		}
		t.Fatalf("docs/graphql.md line %d: the schema is not printed so; it reads:\n%s", part.line, shown)
	}
	m := &docMatcher{seen: map[string]string{}}
	for _, ex := range examples {
		var status int
		var header http.Header
		var body []byte
		if ex.http != "" {
			method, target, headers, reqBody := parseHTTPExample(t, m.substitute(ex.http))
			headers["Authorization"] = "Bearer " + s.admin
			r := s.do(t, method, strings.TrimSuffix(s.url, "/graphql")+target, reqBody, headers)
			status, header, body = r.status, r.header, r.body
		} else {
			vars := ""
			if ex.variables != "" {
				vars = m.substitute(ex.variables)
			}
			query := m.substitute(ex.query)
			req := map[string]any{"query": query}
			if vars != "" {
				req["variables"] = json.RawMessage(vars)
			}
			b, err := json.Marshal(req)
			require.NoError(t, err)
			r := s.do(t, http.MethodPost, s.url, string(b), map[string]string{"Content-Type": "application/json", "Accept-Language": "en"})
			status, header, body = r.status, r.header, r.body
		}
		where := fmt.Sprintf("docs/graphql.md line %d", ex.line)
		if ex.wantStatus != 0 {
			require.Equal(t, ex.wantStatus, status, "%s: %s", where, body)
			for k, v := range ex.wantHeaders {
				require.Equal(t, v, header.Get(k), "%s: header %s", where, k)
			}
		} else {
			require.Equal(t, http.StatusOK, status, "%s: %s", where, body)
		}
		var want, got any
		require.NoError(t, json.Unmarshal([]byte(ex.response), &want), "%s: the shown response is not JSON", where)
		require.NoError(t, json.Unmarshal(body, &got), "%s: %s", where, body)
		if err := m.match(want, got, "$"); err != nil {
			t.Fatalf("%s: %v\nthe server answered:\n%s", where, err, body)
		}
	}
}

type docExample struct {
	line        int
	query       string
	variables   string
	http        string // a raw request, instead of query
	wantStatus  int
	wantHeaders map[string]string
	response    string
}

// schemaPart is a ```graphql schema block: SDL as the server prints it.
type schemaPart struct {
	line int
	text string
}

// docExamples reads the examples and schema excerpts of a Markdown page.
func docExamples(t *testing.T, file string) ([]*docExample, []schemaPart) {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var out []*docExample
	var parts []schemaPart
	var cur *docExample
	sc := bufio.NewScanner(f)
	line := 0
	var block []string
	var info string
	inBlock := false
	for sc.Scan() {
		line++
		text := sc.Text()
		if !inBlock {
			if strings.HasPrefix(text, "```") {
				inBlock, info, block = true, strings.TrimSpace(strings.TrimPrefix(text, "```")), nil
			}
			continue
		}
		if text != "```" {
			block = append(block, text)
			continue
		}
		inBlock = false
		content := strings.Join(block, "\n")
		switch info {
		case "graphql schema":
			parts = append(parts, schemaPart{line: line - len(block), text: content})
		case "graphql":
			cur = &docExample{line: line - len(block), query: content}
			out = append(out, cur)
		case "http":
			cur = &docExample{line: line - len(block), http: content}
			out = append(out, cur)
		case "json variables":
			require.NotNil(t, cur, "line %d: variables without a request", line)
			cur.variables = content
		case "json":
			require.NotNil(t, cur, "line %d: a response without a request", line)
			require.Empty(t, cur.response, "line %d: a second response", line)
			cur.response = content
		case "http response":
			require.NotNil(t, cur, "line %d: a response without a request", line)
			status, headers, body := parseHTTPResponse(t, content)
			cur.wantStatus, cur.wantHeaders, cur.response = status, headers, body
		}
	}
	require.NoError(t, sc.Err())
	for _, ex := range out {
		require.NotEmpty(t, ex.response, "docs/graphql.md line %d: a request without a response", ex.line)
	}
	return out, parts
}

func parseHTTPExample(t *testing.T, text string) (method, target string, headers map[string]string, body string) {
	t.Helper()
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(head, "\n")
	parts := strings.Fields(lines[0])
	require.GreaterOrEqual(t, len(parts), 2, "request line %q", lines[0])
	headers = map[string]string{}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		require.True(t, ok, "header line %q", l)
		headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return parts[0], parts[1], headers, body
}

func parseHTTPResponse(t *testing.T, text string) (int, map[string]string, string) {
	t.Helper()
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(head, "\n")
	parts := strings.Fields(lines[0])
	require.GreaterOrEqual(t, len(parts), 2, "status line %q", lines[0])
	status, err := strconv.Atoi(parts[1])
	require.NoError(t, err)
	headers := map[string]string{}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		require.True(t, ok, "header line %q", l)
		headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return status, headers, body
}

var (
	docIDPattern   = regexp.MustCompile(`[0-9a-hjkmnp-tv-z]{26}`)
	docTimePattern = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)`)
)

// docMatcher compares shown responses with real ones, mapping the ids
// and cursors a page shows to the ones the server gave.
type docMatcher struct {
	seen map[string]string // shown → real
}

// substitute replaces the shown ids and cursors in a request with the
// real ones, longest first.
func (m *docMatcher) substitute(s string) string {
	keys := make([]string, 0, len(m.seen))
	for k := range m.seen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, m.seen[k])
	}
	// One pass: a replacement is never replaced again.
	return strings.NewReplacer(pairs...).Replace(s)
}

func (m *docMatcher) bind(shown, real string) error {
	if prev, ok := m.seen[shown]; ok && prev != real {
		return fmt.Errorf("%q stood for %q before, now for %q", shown, prev, real)
	}
	m.seen[shown] = real
	return nil
}

func (m *docMatcher) match(want, got any, at string) error {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %v", at, got)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return fmt.Errorf("%s: the server answered %s, which the page does not show", at, k)
			}
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s: the page shows %s, which the server did not answer", at, k)
			}
			if k == "cursor" || k == "startCursor" || k == "endCursor" {
				if ws, ok := wv.(string); ok {
					gs, ok := gv.(string)
					if !ok || gs == "" {
						return fmt.Errorf("%s.%s: want a cursor, got %v", at, k, gv)
					}
					if err := m.bind(ws, gs); err != nil {
						return fmt.Errorf("%s.%s: %v", at, k, err)
					}
					continue
				}
			}
			if err := m.match(wv, gv, at+"."+k); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: want %d elements, got %v", at, len(w), got)
		}
		for i := range w {
			if err := m.match(w[i], g[i], fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
		return nil
	case string:
		g, ok := got.(string)
		if !ok {
			return fmt.Errorf("%s: want %q, got %v", at, w, got)
		}
		return m.matchString(w, g, at)
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		return fmt.Errorf("%s: want %v, got %v", at, want, got)
	}
	return nil
}

// matchString compares strings in which ids and timestamps may differ:
// the shown string becomes a pattern with a group per id and a wildcard
// per timestamp.
func (m *docMatcher) matchString(want, got, at string) error {
	type hole struct {
		start, end int
		id         bool
	}
	var holes []hole
	for _, loc := range docTimePattern.FindAllStringIndex(want, -1) {
		holes = append(holes, hole{loc[0], loc[1], false})
	}
	for _, loc := range docIDPattern.FindAllStringIndex(want, -1) {
		inTime := false
		for _, h := range holes {
			if loc[0] < h.end && loc[1] > h.start {
				inTime = true
			}
		}
		if !inTime {
			holes = append(holes, hole{loc[0], loc[1], true})
		}
	}
	if len(holes) == 0 {
		if want != got {
			return fmt.Errorf("%s: want %q, got %q", at, want, got)
		}
		return nil
	}
	sort.Slice(holes, func(i, j int) bool { return holes[i].start < holes[j].start })
	var pat strings.Builder
	pat.WriteString("^")
	prev := 0
	var ids []string
	for _, h := range holes {
		pat.WriteString(regexp.QuoteMeta(want[prev:h.start]))
		if h.id {
			pat.WriteString("(" + docIDPattern.String() + ")")
			ids = append(ids, want[h.start:h.end])
		} else {
			pat.WriteString(docTimePattern.String())
		}
		prev = h.end
	}
	pat.WriteString(regexp.QuoteMeta(want[prev:]) + "$")
	sub := regexp.MustCompile(pat.String()).FindStringSubmatch(got)
	if sub == nil {
		return fmt.Errorf("%s: want %q, got %q", at, want, got)
	}
	for i, id := range ids {
		if err := m.bind(id, sub[i+1]); err != nil {
			return fmt.Errorf("%s: %v", at, err)
		}
	}
	return nil
}
