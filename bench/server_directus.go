package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// directusServer is Directus (bench/directus, installed from the npm
// registry) on SQLite, reached over its REST API with the administrator's
// static token. It groups with the aggregate and groupBy parameters of its
// item lists.
type directusServer struct {
	home    string // bench/directus, holding node_modules
	version string
	proc    *Process
	client  *Client
	conns   int
}

const (
	dxToken = "bench-directus-admin-token"
	// dxBatch is the number of items in one create request when loading.
	dxBatch = 1000
)

func (s *directusServer) Name() string { return "directus" }
func (s *directusServer) Version() string {
	return "Directus " + s.version + " (SQLite, Node " + nodeVersion() + ")"
}

// env is the configuration of a Directus whose data is in dir, listening on
// port: SQLite, no cache, no rate limiter, no telemetry.
func (s *directusServer) env(dir string, port int) []string {
	return []string{
		"DB_CLIENT=sqlite3", "DB_FILENAME=" + filepath.Join(dir, "directus.db"),
		"SECRET=bench-directus-secret-0123456789abcdef",
		"ADMIN_EMAIL=bench@example.com", "ADMIN_PASSWORD=bench-password-1", "ADMIN_TOKEN=" + dxToken,
		"HOST=127.0.0.1", fmt.Sprintf("PORT=%d", port), "PUBLIC_URL=http://127.0.0.1",
		"TELEMETRY=false", "CACHE_ENABLED=false", "RATE_LIMITER_ENABLED=false", "WEBSOCKETS_ENABLED=false",
		"LOG_LEVEL=warn", "MAX_PAYLOAD_SIZE=50mb",
		"STORAGE_LOCATIONS=local", "STORAGE_LOCAL_ROOT=" + filepath.Join(dir, "uploads"),
		"EXTENSIONS_PATH=" + filepath.Join(dir, "extensions"),
	}
}

func (s *directusServer) cli() string {
	return filepath.Join(s.home, "node_modules", "directus", "cli.js")
}

func (s *directusServer) Prepare(ctx context.Context, dir string, w *Workload) error {
	if _, err := os.Stat(s.cli()); err != nil {
		return fmt.Errorf("directus is not installed (run npm ci in %s): %w", s.home, err)
	}
	for _, sub := range []string{"uploads", "extensions"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	if _, err := run(ctx, s.home, s.env(dir, 0), "node", s.cli(), "bootstrap"); err != nil {
		return fmt.Errorf("bootstrap directus: %w", err)
	}
	if err := s.Start(ctx, dir); err != nil {
		return err
	}
	defer s.Stop()
	c := s.client
	if err := c.JSON(ctx, Call{Method: http.MethodPost, Path: "/collections", Body: jsonBody(dxAccounts())}, nil); err != nil {
		return fmt.Errorf("create directus accounts: %w", err)
	}
	if err := c.JSON(ctx, Call{Method: http.MethodPost, Path: "/collections", Body: jsonBody(dxDeals())}, nil); err != nil {
		return fmt.Errorf("create directus deals: %w", err)
	}
	rel := map[string]any{"collection": "deals", "field": "account", "related_collection": "accounts"}
	if err := c.JSON(ctx, Call{Method: http.MethodPost, Path: "/relations", Body: jsonBody(rel)}, nil); err != nil {
		return fmt.Errorf("create directus relation deals.account: %w", err)
	}
	// Directus makes single-column indexes only: the composite ones the
	// other servers have are made in its database directly.
	script := `const sqlite3 = require('sqlite3'); const db = new sqlite3.Database(process.argv[1]);
db.exec('CREATE INDEX idx_deals_stage_amount ON deals (stage, amount); CREATE INDEX idx_deals_stage_close ON deals (stage, closeDate);',
  (err) => { if (err) { console.error(err); process.exit(1); } db.close(); });`
	if _, err := run(ctx, s.home, nil, "node", "-e", script, filepath.Join(dir, "directus.db")); err != nil {
		return fmt.Errorf("index directus deals: %w", err)
	}
	accountItem := func(i int) map[string]any {
		a := w.Accounts[i]
		return map[string]any{"id": i + 1, "name": a.Name, "industry": a.Industry, "city": a.City, "phone": a.Phone,
			"employees": a.Employees, "grade": a.Grade}
	}
	dealItem := func(i int) map[string]any {
		item := dxDealItem(w, i)
		item["id"] = i + 1
		return item
	}
	if err := s.load(ctx, "accounts", len(w.Accounts), accountItem); err != nil {
		return err
	}
	return s.load(ctx, "deals", len(w.Deals), dealItem)
}

// load creates n items of collection, dxBatch in a request.
func (s *directusServer) load(ctx context.Context, collection string, n int, item func(i int) map[string]any) error {
	return parallelBatches(ctx, n, dxBatch, 2, func(from, to int) error {
		items := make([]map[string]any, 0, to-from)
		for i := from; i < to; i++ {
			items = append(items, item(i))
		}
		if err := s.client.JSON(ctx, Call{Method: http.MethodPost, Path: "/items/" + collection + "?fields=id", Body: jsonBody(items)}, nil); err != nil {
			return fmt.Errorf("load directus %s %d-%d: %w", collection, from, to, err)
		}
		return nil
	})
}

func dxField(name, typ string, required bool) map[string]any {
	return map[string]any{"field": name, "type": typ, "meta": map[string]any{"required": required}, "schema": map[string]any{"is_nullable": !required}}
}

func dxID() map[string]any {
	return map[string]any{"field": "id", "type": "integer", "meta": map[string]any{"hidden": true, "readonly": true},
		"schema": map[string]any{"is_primary_key": true, "has_auto_increment": true}}
}

func dxAccounts() map[string]any {
	return map[string]any{"collection": "accounts", "meta": map[string]any{}, "schema": map[string]any{}, "fields": []map[string]any{
		dxID(), dxField("name", "string", true), dxField("industry", "string", false), dxField("city", "string", false),
		dxField("phone", "string", false), dxField("employees", "integer", false), dxField("grade", "string", false),
	}}
}

func dxDeals() map[string]any {
	return map[string]any{"collection": "deals", "meta": map[string]any{}, "schema": map[string]any{}, "fields": []map[string]any{
		dxID(), dxField("title", "string", true), dxField("stage", "string", true), dxField("amount", "float", false),
		dxField("closeDate", "date", false), dxField("account", "integer", false), dxField("rep", "string", false),
		dxField("probability", "integer", false), dxField("source", "string", false), dxField("priority", "string", false),
		dxField("kind", "string", false), dxField("email", "string", false), dxField("phone", "string", false),
		dxField("nextStep", "string", false), dxField("description", "text", false), dxField("forecast", "boolean", false),
	}}
}

func (s *directusServer) Start(ctx context.Context, dir string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.proc, err = startProcess(s.home, filepath.Join(dir, "server.log"), s.env(dir, port), "node", s.cli(), "start")
	if err != nil {
		return err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitReady(ctx, s.proc, base+"/server/health", 2*time.Minute); err != nil {
		s.proc.Stop()
		return fmt.Errorf("start directus: %w", err)
	}
	s.client = newClient(base, http.Header{"Authorization": {"Bearer " + dxToken}}, s.conns)
	return nil
}

func (s *directusServer) Client() *Client   { return s.client }
func (s *directusServer) Process() *Process { return s.proc }
func (s *directusServer) Stop() error       { return s.proc.Stop() }

// nodeVersion is the version of the node on PATH.
func nodeVersion() string {
	out, err := run(context.Background(), ".", nil, "node", "--version")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

// dxDealItem is the item that creates deal i in Directus, without its id.
func dxDealItem(w *Workload, i int) map[string]any {
	d := w.Deals[i]
	return map[string]any{"title": d.Title, "stage": d.Stage, "amount": d.Amount, "closeDate": d.CloseDate,
		"account": d.Account + 1, "rep": d.Rep, "probability": d.Probability, "source": d.Source, "priority": d.Priority,
		"kind": d.Kind, "email": d.Email, "phone": d.Phone, "nextStep": d.NextStep, "description": d.Description,
		"forecast": d.Forecast}
}
