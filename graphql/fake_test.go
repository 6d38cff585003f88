package graphql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// fakeEngine is an in-memory graphql.Engine. It keeps records in maps,
// ignores filters and sorts (the resolvers' translation is asserted on the
// recorded queries instead) and counts calls. Func fields override
// methods.
type fakeEngine struct {
	mu      sync.Mutex
	tenants map[string]*fakeTenant
	calls   map[string]int

	listQueries    []engine.ListQuery
	relatedQueries []engine.ListQuery
	sumQueries     []engine.ListQuery
	// forecastQueries are the queries Forecast was called with.
	forecastQueries []engine.ForecastQuery
	aggQueries      []engine.AggregateQuery
	creates         []fakeWrite
	updates         []fakeWrite
	deletes         []fakeWrite

	CreateFunc     func(ctx context.Context, object string, input map[string]any) (store.Record, error)
	UpdateFunc     func(ctx context.Context, object, id string, patch map[string]any, version *int64) (store.Record, error)
	ListFunc       func(ctx context.Context, object string, q engine.ListQuery) (*engine.ListResult, error)
	SaveObjectFunc func(ctx context.Context, definition json.RawMessage, opts engine.SaveOptions) (*engine.ObjectInfo, error)
	HistoryFunc    func(ctx context.Context, name string) ([]engine.ObjectInfo, error)
}

type fakeWrite struct {
	Object  string
	ID      string
	Data    map[string]any
	Version *int64
}

type fakeTenant struct {
	revision int64
	objects  []*schema.Object
	records  map[string]map[string]store.Record // object → id → record
	nextID   int
}

var _ graphql.Engine = (*fakeEngine)(nil)

func newFakeEngine() *fakeEngine {
	return &fakeEngine{tenants: map[string]*fakeTenant{}, calls: map[string]int{}}
}

// setObjects gives tenant these objects at a new revision.
func (f *fakeEngine) setObjects(tenant string, objects ...*schema.Object) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.tenant(tenant)
	t.objects = objects
	t.revision++
}

func (f *fakeEngine) tenant(id string) *fakeTenant {
	t := f.tenants[id]
	if t == nil {
		t = &fakeTenant{records: map[string]map[string]store.Record{}}
		f.tenants[id] = t
	}
	return t
}

// put stores a record for tenant.
func (f *fakeEngine) put(tenant, object, id string, data map[string]any) store.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.tenant(tenant)
	if t.records[object] == nil {
		t.records[object] = map[string]store.Record{}
	}
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	rec := store.Record{ID: id, Version: 1, CreatedAt: at, UpdatedAt: at, CreatedBy: "key:test", UpdatedBy: "key:test", Data: data}
	t.records[object][id] = rec
	return rec
}

func (f *fakeEngine) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// begin counts a call and returns the caller's tenant.
func (f *fakeEngine) begin(ctx context.Context, method string) (*fakeTenant, error) {
	a, ok := engine.ActorFrom(ctx)
	if !ok {
		return nil, engine.ErrUnauthenticated
	}
	f.calls[method]++
	return f.tenant(a.TenantID), nil
}

func (f *fakeEngine) Catalog(ctx context.Context) (*engine.Catalog, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.begin(ctx, "Catalog")
	if err != nil {
		return nil, err
	}
	a, _ := engine.ActorFrom(ctx)
	return engine.NewCatalog(a.TenantID, t.revision, t.objects), nil
}

func (f *fakeEngine) SaveObject(ctx context.Context, definition json.RawMessage, opts engine.SaveOptions) (*engine.ObjectInfo, error) {
	f.mu.Lock()
	_, err := f.begin(ctx, "SaveObject")
	fn := f.SaveObjectFunc
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, fmt.Errorf("fake: SaveObject not set up")
	}
	return fn(ctx, definition, opts)
}

func (f *fakeEngine) ObjectHistory(ctx context.Context, name string) ([]engine.ObjectInfo, error) {
	f.mu.Lock()
	_, err := f.begin(ctx, "ObjectHistory")
	fn := f.HistoryFunc
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, nil
	}
	return fn(ctx, name)
}

func (f *fakeEngine) GetRecord(ctx context.Context, object, id string) (store.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.begin(ctx, "GetRecord")
	if err != nil {
		return store.Record{}, err
	}
	rec, ok := t.records[object][id]
	if !ok {
		return store.Record{}, fmt.Errorf("get %s %s: %w", object, id, store.ErrNotFound)
	}
	return rec, nil
}

func (f *fakeEngine) GetRecords(ctx context.Context, object string, ids []string, _ []string) ([]store.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.begin(ctx, "GetRecords")
	if err != nil {
		return nil, err
	}
	var out []store.Record
	for _, id := range ids {
		if rec, ok := t.records[object][id]; ok {
			out = append(out, rec)
		}
	}
	return out, nil
}

func (f *fakeEngine) sorted(t *fakeTenant, object string) []store.Record {
	var recs []store.Record
	for _, r := range t.records[object] {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	return recs
}

func page(recs []store.Record, q engine.ListQuery) *engine.ListResult {
	first := q.First
	if first == 0 {
		first = engine.DefaultPageSize
	}
	res := &engine.ListResult{Total: int64(len(recs))}
	start := 0
	for i, r := range recs {
		if q.After != "" && "c:"+r.ID == q.After {
			start = i + 1
		}
	}
	for i := start; i < len(recs) && len(res.Records) < first; i++ {
		res.Records = append(res.Records, recs[i])
		res.Cursors = append(res.Cursors, "c:"+recs[i].ID)
	}
	res.HasNextPage = start+len(res.Records) < len(recs)
	if n := len(res.Cursors); n > 0 {
		res.EndCursor = res.Cursors[n-1]
	}
	if !q.WithTotal {
		res.Total = 0
	}
	return res
}

func (f *fakeEngine) ListRecords(ctx context.Context, object string, q engine.ListQuery) (*engine.ListResult, error) {
	f.mu.Lock()
	t, err := f.begin(ctx, "ListRecords")
	f.listQueries = append(f.listQueries, q)
	fn := f.ListFunc
	var recs []store.Record
	if err == nil {
		recs = f.sorted(t, object)
	}
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if fn != nil {
		return fn(ctx, object, q)
	}
	return page(recs, q), nil
}

func (f *fakeEngine) ListRelated(ctx context.Context, object, field string, parentIDs []string, q engine.ListQuery) (map[string]*engine.ListResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.begin(ctx, "ListRelated")
	if err != nil {
		return nil, err
	}
	f.relatedQueries = append(f.relatedQueries, q)
	out := map[string]*engine.ListResult{}
	all := f.sorted(t, object)
	for _, pid := range parentIDs {
		var recs []store.Record
		for _, r := range all {
			switch v := r.Data[field].(type) {
			case string:
				if v == pid {
					recs = append(recs, r)
				}
			case []any:
				for _, id := range v {
					if id == pid {
						recs = append(recs, r)
						break
					}
				}
			}
		}
		out[pid] = page(recs, q)
	}
	return out, nil
}

func (f *fakeEngine) CreateRecord(ctx context.Context, object string, input map[string]any) (store.Record, error) {
	f.mu.Lock()
	t, err := f.begin(ctx, "CreateRecord")
	f.creates = append(f.creates, fakeWrite{Object: object, Data: input})
	fn := f.CreateFunc
	f.mu.Unlock()
	if err != nil {
		return store.Record{}, err
	}
	if fn != nil {
		return fn(ctx, object, input)
	}
	f.mu.Lock()
	t.nextID++
	id := fmt.Sprintf("new%d", t.nextID)
	f.mu.Unlock()
	a, _ := engine.ActorFrom(ctx)
	return f.put(a.TenantID, object, id, input), nil
}

func (f *fakeEngine) UpdateRecord(ctx context.Context, object, id string, patch map[string]any, version *int64) (store.Record, error) {
	f.mu.Lock()
	t, err := f.begin(ctx, "UpdateRecord")
	f.updates = append(f.updates, fakeWrite{Object: object, ID: id, Data: patch, Version: version})
	fn := f.UpdateFunc
	var rec store.Record
	found := false
	if err == nil {
		rec, found = t.records[object][id]
	}
	f.mu.Unlock()
	if err != nil {
		return store.Record{}, err
	}
	if fn != nil {
		return fn(ctx, object, id, patch, version)
	}
	if !found {
		return store.Record{}, fmt.Errorf("update %s %s: %w", object, id, engine.ErrNotFound)
	}
	data := map[string]any{}
	for k, v := range rec.Data {
		data[k] = v
	}
	for k, v := range patch {
		if v == nil {
			delete(data, k)
		} else {
			data[k] = v
		}
	}
	a, _ := engine.ActorFrom(ctx)
	return f.put(a.TenantID, object, id, data), nil
}

func (f *fakeEngine) TransferRecord(ctx context.Context, object, id, owner string) (store.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.begin(ctx, "TransferRecord")
	if err != nil {
		return store.Record{}, err
	}
	rec, ok := t.records[object][id]
	if !ok {
		return store.Record{}, fmt.Errorf("transfer %s %s: %w", object, id, engine.ErrNotFound)
	}
	rec.OwnerID = owner
	t.records[object][id] = rec
	return rec, nil
}

func (f *fakeEngine) DeleteRecord(ctx context.Context, object, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.begin(ctx, "DeleteRecord")
	if err != nil {
		return err
	}
	f.deletes = append(f.deletes, fakeWrite{Object: object, ID: id})
	if _, ok := t.records[object][id]; !ok {
		return fmt.Errorf("delete %s %s: %w", object, id, store.ErrNotFound)
	}
	delete(t.records[object], id)
	return nil
}

// Fixtures.

func ptr(f float64) *float64 { return &f }

// dealObject and accountObject are the example definitions.
func accountObject() *schema.Object {
	return &schema.Object{
		Name: "account", Label: schema.Label{Zh: "客户", En: "Account"}, Version: 3,
		Definition: json.RawMessage(`{"$id":"account","type":"object"}`),
		Fields: []*schema.Field{
			{Name: "name", Type: schema.TypeText, Label: schema.Label{Zh: "名称", En: "Name"}, Required: true, MaxLength: 200},
			{Name: "industry", Type: schema.TypePicklist, Label: schema.Label{Zh: "行业", En: "Industry"}, Options: []string{"tech", "retail", "finance"}},
			{Name: "tags", Type: schema.TypeMultiPicklist, Label: schema.Label{Zh: "标签", En: "Tags"}, Options: []string{"vip", "partner"}},
			{Name: "address", Type: schema.TypeAddress, Label: schema.Label{Zh: "地址", En: "Address"}},
		},
	}
}

func dealObject() *schema.Object {
	return &schema.Object{
		Name: "deal", Label: schema.Label{Zh: "商机", En: "Deal"}, Version: 1,
		Definition: json.RawMessage(`{"$id":"deal","type":"object"}`),
		Fields: []*schema.Field{
			{Name: "title", Type: schema.TypeText, Label: schema.Label{Zh: "标题", En: "Title"}, Required: true, MaxLength: 200},
			{Name: "amount", Type: schema.TypeCurrency, Label: schema.Label{Zh: "金额", En: "Amount"}, Minimum: ptr(0)},
			{Name: "stage", Type: schema.TypePicklist, Label: schema.Label{Zh: "阶段", En: "Stage"}, Options: []string{"new", "qualified", "won", "lost"},
				Pipeline: &schema.Pipeline{Stages: []schema.Stage{
					{Value: "new", Category: schema.StageOpen, Next: []string{"qualified", "lost"}},
					{Value: "qualified", Category: schema.StageOpen, Required: []string{"amount"}},
					{Value: "won", Category: schema.StageWon, Next: []string{}},
					{Value: "lost", Category: schema.StageLost},
				}}},
			{Name: "email", Type: schema.TypeEmail, Label: schema.Label{Zh: "邮箱", En: "Email"}},
			{Name: "closeDate", Type: schema.TypeDate, Label: schema.Label{Zh: "预计成交日期", En: "Close date"}},
			{Name: "account", Type: schema.TypeLookup, Label: schema.Label{Zh: "客户", En: "Account"}, Target: "account"},
		},
	}
}

// ticketObject has one field of every other type.
func ticketObject() *schema.Object {
	return &schema.Object{
		Name: "ticket", Label: schema.Label{Zh: "工单", En: "Ticket"},
		Fields: []*schema.Field{
			{Name: "number", Type: schema.TypeAutoNumber, AutoNumber: "T-{0000}"},
			{Name: "notes", Type: schema.TypeTextarea},
			{Name: "count", Type: schema.TypeInteger},
			{Name: "score", Type: schema.TypePercent},
			{Name: "done", Type: schema.TypeBoolean},
			{Name: "dueAt", Type: schema.TypeDateTime},
			{Name: "extra", Type: schema.TypeJSON},
			{Name: "watchers", Type: schema.TypeMultiLookup, Target: "account"},
			{Name: "labels", Type: schema.TypeMultiPicklist, Options: []string{"a", "b", "c"}},
			{Name: "site", Type: schema.TypeURL},
			{Name: "shipTo", Type: schema.TypeAddress},
			{Name: "ghost", Type: schema.TypeLookup, Target: "nothing"},
		},
	}
}

const tenantA = "tenant-a"

var (
	admin = engine.Actor{TenantID: tenantA, ID: "key:admin", Admin: true}
	user  = engine.Actor{TenantID: tenantA, ID: "key:user"}
)

// newTestServer returns a server over a fake engine whose tenant A has the
// deal, account and ticket objects.
func newTestServer(t testing.TB) (*graphql.Server, *fakeEngine) {
	t.Helper()
	f := newFakeEngine()
	f.setObjects(tenantA, accountObject(), dealObject(), ticketObject())
	srv, err := graphql.New(graphql.Config{Engine: f, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	return srv, f
}

// result is a decoded response.
type result struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r result) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

func (r result) messages() string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Message)
	}
	return strings.Join(out, "; ")
}

// run executes a query as actor and decodes the response.
func run(t testing.TB, srv *graphql.Server, actor engine.Actor, query string, vars map[string]any) result {
	t.Helper()
	ctx := engine.WithActor(context.Background(), actor)
	resp := srv.Exec(ctx, query, "", vars)
	b, err := json.Marshal(resp)
	require.NoError(t, err)
	var r result
	require.NoError(t, json.Unmarshal(b, &r), string(b))
	return r
}

// mustRun is run that requires no errors.
func mustRun(t testing.TB, srv *graphql.Server, actor engine.Actor, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := run(t, srv, actor, query, vars)
	require.Empty(t, r.Errors, r.messages())
	return r.Data
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// StageHistory of the fake has no history: it counts calls.
func (f *fakeEngine) StageHistory(ctx context.Context, object, field string, ids []string) (map[string][]engine.StageChange, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.begin(ctx, "StageHistory"); err != nil {
		return nil, err
	}
	return map[string][]engine.StageChange{}, nil
}

// Board of the fake groups the object's records by the field's value.
func (f *fakeEngine) Board(ctx context.Context, object, field string, q engine.ListQuery) ([]engine.StageColumn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.begin(ctx, "Board")
	if err != nil {
		return nil, err
	}
	var obj *schema.Object
	for _, o := range t.objects {
		if o.Name == object {
			obj = o
		}
	}
	if obj == nil || obj.Field(field) == nil || obj.Field(field).Pipeline == nil {
		return nil, fmt.Errorf("fake: %s.%s is not a pipeline field", object, field)
	}
	all := f.sorted(t, object)
	var cols []engine.StageColumn
	for _, st := range obj.Field(field).Pipeline.Stages {
		var recs []store.Record
		for _, r := range all {
			if r.Data[field] == st.Value {
				recs = append(recs, r)
			}
		}
		res := page(recs, q)
		res.Total = int64(len(recs))
		cols = append(cols, engine.StageColumn{Stage: st, ListResult: res})
	}
	return cols, nil
}

func (f *fakeEngine) Outbox(ctx context.Context, status string, first int) ([]engine.OutboxEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "Outbox")
	return nil, err
}

func (f *fakeEngine) RetryOutbox(ctx context.Context, id string) (engine.OutboxEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.begin(ctx, "RetryOutbox"); err != nil {
		return engine.OutboxEntry{}, err
	}
	return engine.OutboxEntry{}, engine.ErrNotFound
}

func (f *fakeEngine) Notifications(ctx context.Context, recipient string, first int) ([]engine.Notification, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "Notifications")
	return nil, err
}

func (f *fakeEngine) WebhookSecret(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "WebhookSecret")
	return "whsec_fake", err
}

func (f *fakeEngine) RebuildRollup(ctx context.Context, object, field string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "RebuildRollup")
	return 0, err
}

func (f *fakeEngine) Audit(ctx context.Context, q engine.AuditQuery) ([]engine.AuditEntry, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "Audit")
	return nil, false, err
}

func (f *fakeEngine) TestScript(ctx context.Context, object, kind, source string, record, old map[string]any) (*engine.ScriptTest, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "TestScript")
	return nil, err
}

func (f *fakeEngine) Limits(ctx context.Context) ([]engine.Limit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "Limits")
	return nil, err
}

func (f *fakeEngine) RecomputeCustomerValue(ctx context.Context, object string) (engine.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "RecomputeCustomerValue")
	return engine.Job{}, err
}

func (f *fakeEngine) Jobs(ctx context.Context, first int) ([]engine.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "Jobs")
	return nil, err
}

func (f *fakeEngine) PersonalDataOf(ctx context.Context, object, id string) (*engine.PersonalData, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "PersonalDataOf")
	return nil, err
}

func (f *fakeEngine) ErasePersonalData(ctx context.Context, object, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.begin(ctx, "ErasePersonalData")
	return err
}

func (f *fakeEngine) InstallTemplate(ctx context.Context, tpl *template.Template, opts template.InstallOptions) (*template.InstallResult, error) {
	return nil, fmt.Errorf("fake: no templates")
}

func (f *fakeEngine) RollbackTemplate(ctx context.Context, name string, opts template.RollbackOptions) (*template.InstallResult, error) {
	return nil, fmt.Errorf("fake: no templates")
}

func (f *fakeEngine) ResetSampleData(ctx context.Context, template string, progress func(template.Progress)) (int, int, error) {
	return 0, 0, fmt.Errorf("fake: no templates")
}

func (f *fakeEngine) InstalledTemplates(ctx context.Context) ([]template.Install, error) {
	return nil, nil
}

func (f *fakeEngine) TestExpression(ctx context.Context, object, expression, resultType string, record map[string]any) (*engine.ExpressionTest, error) {
	return nil, fmt.Errorf("fake: no expressions")
}

func (f *fakeEngine) Usage(ctx context.Context) ([]engine.UsageFigure, error) {
	return nil, nil
}

func (f *fakeEngine) ExportTemplate(ctx context.Context, name, version string) (*template.Template, error) {
	return nil, fmt.Errorf("fake: no templates")
}

func (f *fakeEngine) StartJob(ctx context.Context, kind, subject string, fn engine.JobFunc) (engine.Job, error) {
	return engine.Job{}, fmt.Errorf("fake: no jobs")
}

func (f *fakeEngine) Roles(ctx context.Context) ([]engine.Role, error) { return nil, nil }

func (f *fakeEngine) SaveRole(ctx context.Context, role engine.Role) error {
	return fmt.Errorf("fake: no roles")
}

func (f *fakeEngine) Views(ctx context.Context, object string) ([]engine.View, error) {
	return nil, nil
}

func (f *fakeEngine) SaveView(ctx context.Context, v engine.View, shared bool) (engine.View, error) {
	return engine.View{}, fmt.Errorf("fake: no views")
}

func (f *fakeEngine) DeleteView(ctx context.Context, object, name string, shared bool) error {
	return fmt.Errorf("fake: no views")
}

func (f *fakeEngine) Layout(ctx context.Context, object string) (engine.Layout, error) {
	return engine.Layout{}, fmt.Errorf("fake: no layouts")
}

func (f *fakeEngine) SaveLayout(ctx context.Context, l engine.Layout) (engine.Layout, error) {
	return engine.Layout{}, fmt.Errorf("fake: no layouts")
}

func (f *fakeEngine) DeleteLayout(ctx context.Context, object string) error {
	return fmt.Errorf("fake: no layouts")
}

func (f *fakeEngine) DeleteRole(ctx context.Context, name string) error {
	return fmt.Errorf("fake: no roles")
}

func (f *fakeEngine) Users(ctx context.Context, tenantID string) ([]engine.User, error) {
	return nil, nil
}

func (f *fakeEngine) CreateUser(ctx context.Context, tenantID string, u engine.NewUser) (engine.User, error) {
	return engine.User{}, fmt.Errorf("fake: no users")
}

func (f *fakeEngine) UpdateUser(ctx context.Context, tenantID, username string, ch engine.UserChange) (engine.User, error) {
	return engine.User{}, fmt.Errorf("fake: no users")
}

// ChangePassword of the fake counts calls.
func (f *fakeEngine) ChangePassword(ctx context.Context, current, next string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["ChangePassword"]++
	return nil
}

func (f *fakeEngine) CurrentUser(ctx context.Context) (*engine.User, error) {
	a, _ := engine.ActorFrom(ctx)
	name, ok := strings.CutPrefix(a.ID, "user:")
	if !ok {
		return nil, nil
	}
	return &engine.User{Username: name, DisplayName: "用户 " + name, Active: true, MustChangePassword: a.MustChangePassword}, nil
}

// Access: the fake has no roles, so every caller may do everything.
func (f *fakeEngine) Access(ctx context.Context, object string) (engine.CallerAccess, error) {
	return engine.CallerAccess{Read: true, Create: true, Update: true, Delete: true}, nil
}

// UserDirectory of the fake lists two colleagues, filtered like the engine.
func (f *fakeEngine) UserDirectory(ctx context.Context, search string, first int) ([]engine.DirectoryEntry, error) {
	if first < 0 || first > engine.MaxPageSize {
		return nil, &engine.Error{Kind: engine.ErrBadRequest, Message: "first must be between 1 and 100"}
	}
	var out []engine.DirectoryEntry
	for _, e := range []engine.DirectoryEntry{{Username: "li.lei", DisplayName: "李雷", Team: "east"}, {Username: "wang", DisplayName: "王芳"}} {
		if strings.Contains(e.Username+e.DisplayName, search) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Navigation of the fake puts every object of the tenant under Other.
func (f *fakeEngine) Navigation(ctx context.Context) ([]engine.NavGroup, error) {
	cat, err := f.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	g := engine.NavGroup{Label: engine.OtherGroup}
	for _, o := range cat.Objects {
		g.Objects = append(g.Objects, o.Name)
	}
	return []engine.NavGroup{g}, nil
}

// CountRecords of the fake counts every record of the object (it ignores
// filters).
func (f *fakeEngine) CountRecords(ctx context.Context, object string, _ *store.Filter) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.begin(ctx, "CountRecords")
	if err != nil {
		return 0, err
	}
	return int64(len(t.records[object])), nil
}

// Aggregate of the fake groups every record of the object with the
// store's in-memory reference (it ignores filters and views), labels
// nothing, and records the query.
func (f *fakeEngine) Aggregate(ctx context.Context, object string, q engine.AggregateQuery) (*engine.AggregateResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.begin(ctx, "Aggregate")
	if err != nil {
		return nil, err
	}
	f.aggQueries = append(f.aggQueries, q)
	var obj *schema.Object
	for _, o := range t.objects {
		if o.Name == object {
			obj = o
		}
	}
	if obj == nil {
		return nil, fmt.Errorf("fake: no object %q", object)
	}
	p, err := store.PlanAggregate(obj, store.Aggregation{GroupBy: q.GroupBy, Measures: q.Measures, Having: q.Having, Order: q.Order})
	if err != nil {
		return nil, fmt.Errorf("fake aggregate: %w: %w", engine.ErrBadRequest, err)
	}
	var recs []store.Record
	for _, r := range t.records[object] {
		recs = append(recs, r)
	}
	res := &engine.AggregateResult{Scanned: int64(len(recs))}
	for _, g := range p.Evaluate(recs) {
		ag := engine.AggregateGroup{Values: g.Values}
		for i, k := range g.Keys {
			ag.Keys = append(ag.Keys, engine.GroupKey{Field: q.GroupBy[i].Field, Bucket: q.GroupBy[i].Bucket, Value: k})
		}
		res.Groups = append(res.Groups, ag)
	}
	return res, nil
}

// SumRecords of the fake adds up the field over every record of the
// object (it ignores filters) and records the query.
func (f *fakeEngine) SumRecords(ctx context.Context, object, field string, q engine.ListQuery) (float64, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.begin(ctx, "SumRecords")
	if err != nil {
		return 0, false, err
	}
	f.sumQueries = append(f.sumQueries, q)
	var sum float64
	found := false
	for _, r := range t.records[object] {
		if v, ok := r.Data[field].(float64); ok {
			sum += v
			found = true
		}
	}
	return sum, found, nil
}

func (f *fakeEngine) APIKeys(ctx context.Context, tenantID string) ([]store.APIKey, error) {
	return nil, nil
}

func (f *fakeEngine) CreateRoleAPIKey(ctx context.Context, tenantID, name, role string, expiresAt time.Time) (string, store.APIKey, error) {
	return "", store.APIKey{}, fmt.Errorf("fake: no api keys")
}

func (f *fakeEngine) RevokeAPIKey(ctx context.Context, tenantID, keyID string) (store.APIKey, error) {
	return store.APIKey{}, fmt.Errorf("fake: no api keys")
}

func (f *fakeEngine) DeleteObject(ctx context.Context, name string, records int64, dryRun bool) (engine.ObjectDeletion, error) {
	return engine.ObjectDeletion{}, fmt.Errorf("fake: no deletions")
}

// The fake has no reports: they are tested through the real engine
// (reports_test.go).

func (f *fakeEngine) Reports(ctx context.Context, object string) ([]engine.Report, error) {
	return nil, nil
}

func (f *fakeEngine) Report(ctx context.Context, name string) (engine.Report, error) {
	return engine.Report{}, fmt.Errorf("fake: no reports")
}

func (f *fakeEngine) SaveReport(ctx context.Context, r engine.Report, personal bool) (engine.Report, error) {
	return engine.Report{}, fmt.Errorf("fake: no reports")
}

func (f *fakeEngine) DeleteReport(ctx context.Context, name string, personal bool) error {
	return fmt.Errorf("fake: no reports")
}

func (f *fakeEngine) RunReport(ctx context.Context, name string, def *engine.Report) (*engine.ReportResult, error) {
	return nil, fmt.Errorf("fake: no reports")
}

func (f *fakeEngine) Dashboards(ctx context.Context) ([]engine.DashboardView, error) {
	return nil, nil
}

func (f *fakeEngine) Dashboard(ctx context.Context, name string) (engine.DashboardView, error) {
	return engine.DashboardView{}, fmt.Errorf("fake: no dashboards")
}

func (f *fakeEngine) SaveDashboard(ctx context.Context, d engine.Dashboard, personal bool) (engine.Dashboard, error) {
	return engine.Dashboard{}, fmt.Errorf("fake: no dashboards")
}

func (f *fakeEngine) DeleteDashboard(ctx context.Context, name string, personal bool) error {
	return fmt.Errorf("fake: no dashboards")
}

// WriteRecords of the fake runs each write as the single call would.
func (f *fakeEngine) WriteRecords(ctx context.Context, object string, writes []engine.BulkWrite, opts engine.BulkOptions) ([]engine.BulkResult, error) {
	out := make([]engine.BulkResult, len(writes))
	for i, w := range writes {
		var (
			rec     store.Record
			err     error
			outcome string
		)
		switch w.Action {
		case engine.BulkCreate:
			rec, err = f.CreateRecord(ctx, object, w.Data)
			outcome = engine.OutcomeCreated
		case engine.BulkUpdate, engine.BulkUpsert:
			rec, err = f.UpdateRecord(ctx, object, w.ID, w.Data, w.Version)
			outcome = engine.OutcomeUpdated
		case engine.BulkDelete:
			err = f.DeleteRecord(ctx, object, w.ID)
			rec, outcome = store.Record{ID: w.ID}, engine.OutcomeDeleted
		}
		if err != nil {
			out[i] = engine.BulkResult{Outcome: engine.OutcomeFailed, ID: w.ID, Err: err}
			continue
		}
		out[i] = engine.BulkResult{Outcome: outcome, ID: rec.ID, Record: rec}
	}
	return out, nil
}
