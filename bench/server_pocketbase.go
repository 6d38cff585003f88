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

// pocketBaseServer is PocketBase (bench/pocketbase), reached over its REST
// API as a superuser. It groups only through a view collection (a SELECT …
// GROUP BY the collection lists like any other).
type pocketBaseServer struct {
	binary  string
	version string
	proc    *Process
	client  *Client
	conns   int
}

const (
	pbEmail    = "bench@example.com"
	pbPassword = "bench-password-1"
	// pbBatch is the number of creates in one batch request when loading.
	pbBatch = 500
)

func (s *pocketBaseServer) Name() string    { return "pocketbase" }
func (s *pocketBaseServer) Version() string { return "PocketBase " + s.version }

// pbAccountID and pbDealID are the record ids of the i-th account and
// deal (PocketBase's ids are 15 lower-case letters and digits).
func pbAccountID(i int) string { return fmt.Sprintf("a%014d", i) }
func pbDealID(i int) string    { return fmt.Sprintf("d%014d", i) }

func (s *pocketBaseServer) dataDir(dir string) string { return filepath.Join(dir, "pb_data") }

func (s *pocketBaseServer) Prepare(ctx context.Context, dir string, w *Workload) error {
	if _, err := run(ctx, dir, nil, s.binary, "superuser", "upsert", pbEmail, pbPassword, "--dir", s.dataDir(dir)); err != nil {
		return fmt.Errorf("create pocketbase superuser: %w", err)
	}
	if err := s.Start(ctx, dir); err != nil {
		return err
	}
	defer s.Stop()
	c := s.client
	settings := map[string]any{"batch": map[string]any{"enabled": true, "maxRequests": pbBatch, "timeout": 120, "maxBodySize": 0}}
	if err := c.JSON(ctx, Call{Method: http.MethodPatch, Path: "/api/settings", Body: jsonBody(settings)}, nil); err != nil {
		return fmt.Errorf("enable pocketbase batches: %w", err)
	}
	var accounts struct {
		ID string `json:"id"`
	}
	if err := c.JSON(ctx, Call{Method: http.MethodPost, Path: "/api/collections", Body: jsonBody(pbAccounts())}, &accounts); err != nil {
		return fmt.Errorf("create pocketbase accounts: %w", err)
	}
	if err := c.JSON(ctx, Call{Method: http.MethodPost, Path: "/api/collections", Body: jsonBody(pbDeals(accounts.ID))}, nil); err != nil {
		return fmt.Errorf("create pocketbase deals: %w", err)
	}
	view := map[string]any{"name": "deals_by_stage", "type": "view",
		"viewQuery": "SELECT stage AS id, stage, COUNT(*) AS deals, SUM(amount) AS total FROM deals GROUP BY stage"}
	if err := c.JSON(ctx, Call{Method: http.MethodPost, Path: "/api/collections", Body: jsonBody(view)}, nil); err != nil {
		return fmt.Errorf("create pocketbase view deals_by_stage: %w", err)
	}
	accountBody := func(i int) map[string]any {
		a := w.Accounts[i]
		return map[string]any{"id": pbAccountID(i), "name": a.Name, "industry": a.Industry, "city": a.City, "phone": a.Phone,
			"employees": a.Employees, "grade": a.Grade}
	}
	dealBody := func(i int) map[string]any {
		body := pbDealBody(w, i)
		body["id"] = pbDealID(i)
		return body
	}
	if err := s.load(ctx, "accounts", len(w.Accounts), accountBody); err != nil {
		return err
	}
	return s.load(ctx, "deals", len(w.Deals), dealBody)
}

// load creates n records of collection through the batch API, pbBatch in a
// request (one transaction each).
func (s *pocketBaseServer) load(ctx context.Context, collection string, n int, body func(i int) map[string]any) error {
	return parallelBatches(ctx, n, pbBatch, 2, func(from, to int) error {
		reqs := make([]map[string]any, 0, to-from)
		for i := from; i < to; i++ {
			reqs = append(reqs, map[string]any{"method": "POST", "url": "/api/collections/" + collection + "/records", "body": body(i)})
		}
		if err := s.client.JSON(ctx, Call{Method: http.MethodPost, Path: "/api/batch", Body: jsonBody(map[string]any{"requests": reqs})}, nil); err != nil {
			return fmt.Errorf("load pocketbase %s %d-%d: %w", collection, from, to, err)
		}
		return nil
	})
}

func pbSelect(name string, values []string, required bool) map[string]any {
	return map[string]any{"name": name, "type": "select", "values": values, "maxSelect": 1, "required": required}
}

func pbText(name string, max int, required bool) map[string]any {
	return map[string]any{"name": name, "type": "text", "max": max, "required": required}
}

func pbAccounts() map[string]any {
	return map[string]any{"name": "accounts", "type": "base", "fields": []map[string]any{
		pbText("name", 200, true), pbSelect("industry", Industries, false), pbText("city", 50, false), pbText("phone", 30, false),
		{"name": "employees", "type": "number", "onlyInt": true, "min": 0}, pbSelect("grade", Grades, false),
	}}
}

func pbDeals(accountsID string) map[string]any {
	stages := make([]string, len(Stages))
	for i, s := range Stages {
		stages[i] = s.Value
	}
	return map[string]any{"name": "deals", "type": "base", "fields": []map[string]any{
		pbText("title", 200, true), pbSelect("stage", stages, true), {"name": "amount", "type": "number", "min": 0},
		{"name": "closeDate", "type": "date"}, {"name": "account", "type": "relation", "collectionId": accountsID, "maxSelect": 1},
		pbText("rep", 50, false), {"name": "probability", "type": "number", "onlyInt": true, "min": 0, "max": 100},
		pbSelect("source", Sources, false), pbSelect("priority", Priorities, false), pbSelect("kind", Kinds, false),
		{"name": "email", "type": "email"}, pbText("phone", 30, false), pbText("nextStep", 200, false),
		pbText("description", 2000, false), {"name": "forecast", "type": "bool"},
	}, "indexes": []string{
		"CREATE INDEX idx_deals_stage_amount ON deals (stage, amount)",
		"CREATE INDEX idx_deals_stage_close ON deals (stage, closeDate)",
	}}
}

func (s *pocketBaseServer) Start(ctx context.Context, dir string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s.proc, err = startProcess(dir, filepath.Join(dir, "server.log"), nil, s.binary, "serve", "--http", addr, "--dir", s.dataDir(dir))
	if err != nil {
		return err
	}
	base := "http://" + addr
	if err := waitReady(ctx, s.proc, base+"/api/health", time.Minute); err != nil {
		s.proc.Stop()
		return fmt.Errorf("start pocketbase: %w", err)
	}
	anon := newClient(base, http.Header{}, 1)
	var auth struct {
		Token string `json:"token"`
	}
	login := Call{Method: http.MethodPost, Path: "/api/collections/_superusers/auth-with-password",
		Body: jsonBody(map[string]string{"identity": pbEmail, "password": pbPassword})}
	if err := anon.JSON(ctx, login, &auth); err != nil {
		s.proc.Stop()
		return fmt.Errorf("sign in to pocketbase: %w", err)
	}
	s.client = newClient(base, http.Header{"Authorization": {auth.Token}}, s.conns)
	return nil
}

func (s *pocketBaseServer) Client() *Client   { return s.client }
func (s *pocketBaseServer) Process() *Process { return s.proc }
func (s *pocketBaseServer) Stop() error       { return s.proc.Stop() }

// pocketBaseVersion reads the PocketBase version bench/pocketbase/go.mod
// requires.
func pocketBaseVersion(moduleDir string) string {
	b, err := os.ReadFile(filepath.Join(moduleDir, "go.mod"))
	if err != nil {
		return "?"
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) >= 2 && f[0] == "github.com/pocketbase/pocketbase" {
			return f[1]
		}
	}
	return "?"
}

// pbDealBody is the body that creates deal i in PocketBase, without its
// id.
func pbDealBody(w *Workload, i int) map[string]any {
	d := w.Deals[i]
	return map[string]any{"title": d.Title, "stage": d.Stage, "amount": d.Amount,
		"closeDate": d.CloseDate + " 00:00:00.000Z", "account": pbAccountID(d.Account), "rep": d.Rep,
		"probability": d.Probability, "source": d.Source, "priority": d.Priority, "kind": d.Kind, "email": d.Email,
		"phone": d.Phone, "nextStep": d.NextStep, "description": d.Description, "forecast": d.Forecast}
}
