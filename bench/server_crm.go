package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// crmServer is our server (cmd/crm) on the embedded store, reached through
// GraphQL with an administrator's API key.
type crmServer struct {
	name   string // crm, or crm-nocache
	binary string // the crm binary
	// keepNoAnswers starts it with --aggregate-cache-mb 0, so that every
	// aggregation reads its records.
	keepNoAnswers bool
	tenant        string
	// aggregateBudget, when above zero, is passed as the tenant's budget of
	// records aggregations may read per minute.
	aggregateBudget int64
	// pprofAddr, when set, serves the server's profiles there (a binary
	// built with -tags pprof).
	pprofAddr string
	proc      *Process
	client    *Client
	conns     int
}

func (s *crmServer) Name() string    { return s.name }
func (s *crmServer) Version() string { return "this repository (" + s.binary + ")" }

// crmExport is a line of our tenant export format (engine/transfer.go), the
// fastest way into our store: crm import loads it in one transaction,
// checking every record against its definition.
type crmExport struct {
	Type          string          `json:"type"`
	Format        string          `json:"format,omitempty"`
	FormatVersion int             `json:"formatVersion,omitempty"`
	Tenant        *crmTenant      `json:"tenant,omitempty"`
	ExportedAt    string          `json:"exportedAt,omitempty"`
	Name          string          `json:"name,omitempty"`
	Version       int64           `json:"version,omitempty"`
	Definition    json.RawMessage `json:"definition,omitempty"`
	SavedAt       string          `json:"savedAt,omitempty"`
	SavedBy       string          `json:"savedBy,omitempty"`
	Object        string          `json:"object,omitempty"`
	ID            string          `json:"id,omitempty"`
	CreatedAt     string          `json:"createdAt,omitempty"`
	UpdatedAt     string          `json:"updatedAt,omitempty"`
	CreatedBy     string          `json:"createdBy,omitempty"`
	UpdatedBy     string          `json:"updatedBy,omitempty"`
	OwnerID       *string         `json:"ownerId,omitempty"`
	Data          map[string]any  `json:"data,omitempty"`
	Objects       int64           `json:"objects,omitempty"`
	Records       int64           `json:"records,omitempty"`
}

type crmTenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
}

// crmAccountID and crmDealID are the record ids of the i-th account and
// deal: 26 characters like the server's own (lower-case ULIDs).
func crmAccountID(i int) string { return fmt.Sprintf("0000000000a%015d", i) }
func crmDealID(i int) string    { return fmt.Sprintf("0000000000d%015d", i) }

func (s *crmServer) Prepare(ctx context.Context, dir string, w *Workload) error {
	file := filepath.Join(dir, "import.jsonl")
	if err := s.writeImport(file, w); err != nil {
		return err
	}
	data := filepath.Join(dir, "data")
	if _, err := run(ctx, dir, nil, s.binary, "import", "--tenant", s.tenant, "--data", data, "--in", file); err != nil {
		return fmt.Errorf("load crm: %w", err)
	}
	os.Remove(file)
	out, err := run(ctx, dir, nil, s.binary, "apikey", "create", "--tenant", s.tenant, "--data", data, "--name", "bench")
	if err != nil {
		return fmt.Errorf("create crm API key: %w", err)
	}
	var key string
	for line := range strings.Lines(string(out)) {
		if f := strings.TrimSpace(line); strings.HasPrefix(f, "crm_") {
			key = f
		}
	}
	if key == "" {
		return fmt.Errorf("create crm API key: no key in its output:\n%s", out)
	}
	return os.WriteFile(filepath.Join(dir, "apikey"), []byte(key), 0o600)
}

func (s *crmServer) writeImport(file string, w *Workload) error {
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("write crm import: %w", err)
	}
	defer f.Close()
	buf := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(buf)
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	stamp := at.Format("2006-01-02T15:04:05.000000Z")
	nobody := ""
	lines := []crmExport{
		{Type: "header", Format: "crm-tenant-export", FormatVersion: 1, Tenant: &crmTenant{ID: s.tenant, Name: s.tenant, CreatedAt: at}, ExportedAt: stamp},
		{Type: "object", Name: "account", Version: 1, Definition: json.RawMessage(crmAccountDefinition), SavedAt: stamp, SavedBy: "bench"},
		{Type: "object", Name: "deal", Version: 1, Definition: json.RawMessage(crmDealDefinition), SavedAt: stamp, SavedBy: "bench"},
	}
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	record := func(object, id string, data map[string]any) error {
		return enc.Encode(crmExport{Type: "record", Object: object, ID: id, Version: 1, CreatedAt: stamp, UpdatedAt: stamp,
			CreatedBy: "bench", UpdatedBy: "bench", OwnerID: &nobody, Data: data})
	}
	for i, a := range w.Accounts {
		if err := record("account", crmAccountID(i), map[string]any{"name": a.Name, "industry": a.Industry, "city": a.City,
			"phone": a.Phone, "employees": a.Employees, "grade": a.Grade}); err != nil {
			return err
		}
	}
	for i := range w.Deals {
		if err := record("deal", crmDealID(i), crmDealData(w, i)); err != nil {
			return err
		}
	}
	if err := enc.Encode(crmExport{Type: "end", Objects: 2, Records: int64(len(w.Accounts) + len(w.Deals))}); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return fmt.Errorf("write crm import: %w", err)
	}
	return f.Close()
}

func (s *crmServer) Start(ctx context.Context, dir string) error {
	key, err := os.ReadFile(filepath.Join(dir, "apikey"))
	if err != nil {
		return fmt.Errorf("start crm: read its API key: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{"serve", "--addr", addr, "--data", filepath.Join(dir, "data"), "--rate-per-key", "0", "--rate-per-ip", "0",
		"--metrics-addr", "off"}
	if s.keepNoAnswers {
		args = append(args, "--aggregate-cache-mb", "0")
	}
	var env []string
	if s.aggregateBudget > 0 {
		env = append(env, fmt.Sprintf("CRM_AGGREGATE_ROWS_PER_MINUTE=%d", s.aggregateBudget))
	}
	if s.pprofAddr != "" {
		env = append(env, "CRM_PPROF_ADDR="+s.pprofAddr)
	}
	s.proc, err = startProcess(dir, filepath.Join(dir, "server.log"), env, s.binary, args...)
	if err != nil {
		return err
	}
	base := "http://" + addr
	if err := waitReady(ctx, s.proc, base+"/healthz", time.Minute); err != nil {
		s.proc.Stop()
		return fmt.Errorf("start crm: %w", err)
	}
	s.client = newClient(base, http.Header{"Authorization": {"Bearer " + strings.TrimSpace(string(key))}}, s.conns)
	return nil
}

func (s *crmServer) Client() *Client   { return s.client }
func (s *crmServer) Process() *Process { return s.proc }
func (s *crmServer) Stop() error       { return s.proc.Stop() }

// The workload's objects on our server: the same fields as on the peers,
// and the same indexes ([stage, amount], [stage, closeDate]).
const crmAccountDefinition = `{"$id": "account", "title": "Account", "x-crm-label": {"zh": "客户", "en": "Account"}, "type": "object",
 "properties": {
  "name": {"type": "string", "maxLength": 200, "x-crm-type": "text", "x-crm-label": {"zh": "名称", "en": "Name"}},
  "industry": {"type": "string", "enum": ["manufacturing", "retail", "finance", "healthcare", "education", "tourism", "chemical"], "x-crm-type": "picklist"},
  "city": {"type": "string", "maxLength": 50, "x-crm-type": "text"},
  "phone": {"type": "string", "maxLength": 30, "x-crm-type": "phone"},
  "employees": {"type": "integer", "minimum": 0, "x-crm-type": "integer"},
  "grade": {"type": "string", "enum": ["strategic", "key", "normal"], "x-crm-type": "picklist"}},
 "required": ["name"]}`

const crmDealDefinition = `{"$id": "deal", "title": "Deal", "x-crm-label": {"zh": "商机", "en": "Deal"}, "type": "object",
 "properties": {
  "title": {"type": "string", "maxLength": 200, "x-crm-type": "text", "x-crm-label": {"zh": "名称", "en": "Title"}},
  "stage": {"type": "string", "enum": ["prospecting", "qualification", "proposal", "negotiation", "won", "lost"], "x-crm-type": "picklist"},
  "amount": {"type": "number", "minimum": 0, "x-crm-type": "currency"},
  "closeDate": {"type": "string", "format": "date", "x-crm-type": "date"},
  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
  "rep": {"type": "string", "maxLength": 50, "x-crm-type": "text"},
  "probability": {"type": "number", "minimum": 0, "maximum": 100, "x-crm-type": "percent"},
  "source": {"type": "string", "enum": ["web", "referral", "event", "partner", "coldCall"], "x-crm-type": "picklist"},
  "priority": {"type": "string", "enum": ["low", "medium", "high"], "x-crm-type": "picklist"},
  "kind": {"type": "string", "enum": ["newBusiness", "renewal", "upsell"], "x-crm-type": "picklist"},
  "email": {"type": "string", "format": "email", "x-crm-type": "email"},
  "phone": {"type": "string", "maxLength": 30, "x-crm-type": "phone"},
  "nextStep": {"type": "string", "maxLength": 200, "x-crm-type": "text"},
  "description": {"type": "string", "maxLength": 2000, "x-crm-type": "textarea"},
  "forecast": {"type": "boolean", "x-crm-type": "boolean"}},
 "required": ["title", "stage"],
 "x-crm-indexes": [["stage", "amount"], ["stage", "closeDate"]]}`

// crmDealData is the data of deal i as our server stores it.
func crmDealData(w *Workload, i int) map[string]any {
	d := w.Deals[i]
	return map[string]any{"title": d.Title, "stage": d.Stage, "amount": d.Amount,
		"closeDate": d.CloseDate, "account": crmAccountID(d.Account), "rep": d.Rep, "probability": d.Probability,
		"source": d.Source, "priority": d.Priority, "kind": d.Kind, "email": d.Email, "phone": d.Phone,
		"nextStep": d.NextStep, "description": d.Description, "forecast": d.Forecast}
}
