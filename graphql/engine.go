package graphql

import (
	"context"
	"encoding/json"
	"time"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/store"
)

// Engine is what the GraphQL edge needs of the engine, by role; the
// server hands each family of resolvers only the role it serves.
// *engine.Engine implements it. Every call is scoped to the tenant of the
// engine.Actor in ctx.
type Engine interface {
	Metadata
	Records
	Operations
	Administration
	Installer
	Directory
	Analytics
	Reporting
	Importing
	Mass
	Recycling
	Approving
	Channeling
	Attaching
	Inbox
}

var _ Engine = (*engine.Engine)(nil)

// Metadata is what the schema, the object definitions, the menu, views
// and layouts need.
type Metadata interface {
	// Catalog returns the tenant's objects at the current metadata
	// revision (cheap when unchanged: cached).
	Catalog(ctx context.Context) (*engine.Catalog, error)
	SaveObject(ctx context.Context, definition json.RawMessage, opts engine.SaveOptions) (*engine.ObjectInfo, error)
	ObjectHistory(ctx context.Context, name string) ([]engine.ObjectInfo, error)
	// DeleteObject deletes an object holding exactly records records
	// (dryRun: only counts what would go).
	DeleteObject(ctx context.Context, name string, records int64, dryRun bool) (engine.ObjectDeletion, error)
	// Navigation returns the caller's menu: groups of object names.
	Navigation(ctx context.Context) ([]engine.NavGroup, error)
	// Access says what the caller may do with an object.
	Access(ctx context.Context, object string) (engine.CallerAccess, error)
	Views(ctx context.Context, object string) ([]engine.View, error)
	SaveView(ctx context.Context, v engine.View, shared bool) (engine.View, error)
	DeleteView(ctx context.Context, object, name string, shared bool) error
	Layout(ctx context.Context, object string) (engine.Layout, error)
	SaveLayout(ctx context.Context, l engine.Layout) (engine.Layout, error)
	DeleteLayout(ctx context.Context, object string) error
}

// Records is what the generated record queries and mutations need.
type Records interface {
	GetRecord(ctx context.Context, object, id string) (store.Record, error)
	// GetRecords returns the records that exist among ids, in any order.
	GetRecords(ctx context.Context, object string, ids []string, fields []string) ([]store.Record, error)
	ListRecords(ctx context.Context, object string, q engine.ListQuery) (*engine.ListResult, error)
	// CountRecords counts the records of object the caller may read that
	// match filter (nil: all).
	CountRecords(ctx context.Context, object string, filter *store.Filter) (int64, error)
	// ListRelated pages, for each parent id, the records of object whose
	// field (a lookup or multilookup) refers to it; q's filter, sort and
	// page apply to each parent's list separately.
	ListRelated(ctx context.Context, object, field string, parentIDs []string, q engine.ListQuery) (map[string]*engine.ListResult, error)

	CreateRecord(ctx context.Context, object string, input map[string]any) (store.Record, error)
	// UpdateRecord applies a patch: keys present are set (null clears),
	// keys absent are kept. version, when not nil, must be the stored one.
	UpdateRecord(ctx context.Context, object, id string, patch map[string]any, version *int64) (store.Record, error)
	DeleteRecord(ctx context.Context, object, id string) error
	// WriteRecords runs many writes of one object's records and answers
	// one result per write, in input order.
	WriteRecords(ctx context.Context, object string, writes []engine.BulkWrite, opts engine.BulkOptions) ([]engine.BulkResult, error)
	// TransferRecord hands a record to another owner.
	TransferRecord(ctx context.Context, object, id, owner string) (store.Record, error)

	// StageHistory returns, for each of ids, the moves of the record's
	// pipeline field, oldest first.
	StageHistory(ctx context.Context, object, field string, ids []string) (map[string][]engine.StageChange, error)
	// SumRecords adds up a number field over every record q's filter and
	// view match (not a page); ok is false when none has a value.
	SumRecords(ctx context.Context, object, field string, q engine.ListQuery) (sum float64, ok bool, err error)
	// Aggregate groups the records of object that q's filter and view
	// match and computes q's measures per group.
	Aggregate(ctx context.Context, object string, q engine.AggregateQuery) (*engine.AggregateResult, error)
	// Board returns one column per stage of the pipeline field, in
	// pipeline order, each with a first page of q and its count.
	Board(ctx context.Context, object, field string, q engine.ListQuery) ([]engine.StageColumn, error)
	// Audit pages the audit trail, newest first (a record's history, and
	// the administrators' trail).
	Audit(ctx context.Context, q engine.AuditQuery) ([]engine.AuditEntry, bool, error)
}

// everySeer lets a lookup's { id } be answered from the stored id: when
// the caller sees every record of the target, the reference names one it
// sees (*engine.Engine implements it).
type everySeer interface {
	SeesEveryRecord(ctx context.Context, object string) (bool, error)
}

var _ everySeer = (*engine.Engine)(nil)

// Operations is what the administrators' view of automation and
// background work needs: the outbox, notifications, roll-up rebuilds,
// jobs, script limits and script tests.
type Operations interface {
	Outbox(ctx context.Context, status string, first int) ([]engine.OutboxEntry, error)
	RetryOutbox(ctx context.Context, id string) (engine.OutboxEntry, error)
	Notifications(ctx context.Context, recipient string, first int) ([]engine.Notification, error)
	WebhookSecret(ctx context.Context) (string, error)
	// RebuildRollup recomputes a roll-up field on every record.
	RebuildRollup(ctx context.Context, object, field string) (int, error)
	Jobs(ctx context.Context, first int) ([]engine.Job, error)
	// RecomputeCustomerValue starts the customer value job of an object
	// with x-crm-customerValue.
	RecomputeCustomerValue(ctx context.Context, object string) (engine.Job, error)
	StartJob(ctx context.Context, kind, subject string, fn engine.JobFunc) (engine.Job, error)
	Limits(ctx context.Context) ([]engine.Limit, error)
	// Usage reports what the caller's tenant uses (engine.Usage).
	Usage(ctx context.Context) ([]engine.UsageFigure, error)
	TestScript(ctx context.Context, object, kind, source string, record, old map[string]any) (*engine.ScriptTest, error)
	TestExpression(ctx context.Context, object, expression, resultType string, record map[string]any) (*engine.ExpressionTest, error)
}

// Administration is what roles and personal-data requests need.
type Administration interface {
	Roles(ctx context.Context) ([]engine.Role, error)
	SaveRole(ctx context.Context, role engine.Role) error
	DeleteRole(ctx context.Context, name string) error
	PersonalDataOf(ctx context.Context, object, id string) (*engine.PersonalData, error)
	ErasePersonalData(ctx context.Context, object, id string) error
}

// Reporting is what saved reports and dashboards need.
type Reporting interface {
	// Reports lists the reports the caller gets, of one object or ("")
	// of every object.
	Reports(ctx context.Context, object string) ([]engine.Report, error)
	Report(ctx context.Context, name string) (engine.Report, error)
	SaveReport(ctx context.Context, r engine.Report, personal bool) (engine.Report, error)
	DeleteReport(ctx context.Context, name string, personal bool) error
	// RunReport runs a saved report (name) or an unsaved definition (def
	// not nil).
	RunReport(ctx context.Context, name string, def *engine.Report) (*engine.ReportResult, error)
	Dashboards(ctx context.Context) ([]engine.DashboardView, error)
	Dashboard(ctx context.Context, name string) (engine.DashboardView, error)
	SaveDashboard(ctx context.Context, d engine.Dashboard, personal bool) (engine.Dashboard, error)
	DeleteDashboard(ctx context.Context, name string, personal bool) error
}

// Installer is what installing, rolling back and listing templates
// needs.
type Installer interface {
	InstallTemplate(ctx context.Context, tpl *template.Template, opts template.InstallOptions) (*template.InstallResult, error)
	RollbackTemplate(ctx context.Context, name string, opts template.RollbackOptions) (*template.InstallResult, error)
	ResetSampleData(ctx context.Context, template string, progress func(template.Progress)) (deleted, kept int, err error)
	InstalledTemplates(ctx context.Context) ([]template.Install, error)
	// ExportTemplate returns the tenant's configuration as a template.
	ExportTemplate(ctx context.Context, name, version string) (*template.Template, error)
}

// Directory is what the users API needs: the caller, the user directory,
// administrators' user management, password changes and API keys.
type Directory interface {
	Users(ctx context.Context, tenantID string) ([]engine.User, error)
	CreateUser(ctx context.Context, tenantID string, u engine.NewUser) (engine.User, error)
	UpdateUser(ctx context.Context, tenantID, username string, ch engine.UserChange) (engine.User, error)
	ChangePassword(ctx context.Context, current, next string) error
	// CurrentUser returns the signed-in user making the call, nil for an
	// API key.
	CurrentUser(ctx context.Context) (*engine.User, error)
	// UserDirectory lists active users for any signed-in caller.
	UserDirectory(ctx context.Context, search string, first int) ([]engine.DirectoryEntry, error)
	// APIKeys lists the tenant's API keys, without secrets.
	APIKeys(ctx context.Context, tenantID string) ([]store.APIKey, error)
	// CreateRoleAPIKey creates a key acting with role ("" an
	// administrator) until expiresAt (zero: until revoked) and returns its
	// secret, which cannot be read again.
	CreateRoleAPIKey(ctx context.Context, tenantID, name, role string, expiresAt time.Time) (string, store.APIKey, error)
	RevokeAPIKey(ctx context.Context, tenantID, keyID string) (store.APIKey, error)
}
