// Package apiname owns the names of the generated GraphQL API: how an
// object's names are made (its type, its list field, its create and
// aggregate fields …, [Of]) and the names the API has of its own, its
// fixed types and Query and Mutation fields ([Fixed]). Package graphql
// makes its names with these rules, and the engine refuses an object
// whose names would be the API's own or another object's ([Clash]), so
// that no object is left out of the API, or breaks it, for its name.
package apiname

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm/schema"
)

// Kinds of [Name].
const (
	Type     = "type"     // a type of the schema
	Query    = "Query"    // a field of Query
	Mutation = "Mutation" // a field of Mutation
)

// Name is one name of the API: a type, or a root field of Query or
// Mutation.
type Name struct {
	Kind string // Type, Query or Mutation
	Name string
}

// String is the name as the schema reads it: "type Report",
// "Query.reports", "Mutation.createDeal".
func (n Name) String() string {
	if n.Kind == Type {
		return "type " + n.Name
	}
	return n.Kind + "." + n.Name
}

// The API's own names. Package graphql's tests hold them equal to its
// fixed schema.
var (
	fixedTypes = []string{
		"AttachedFile", "FileRules", "TenantSettings", "TenantSettingsInput",
		"Query", "Mutation", "Subscription",
		"Address", "AddressFilter", "AddressInput", "AggregateFunction", "ApiKey", "AuditEntry", "AuditPage",
		"Boolean", "BooleanComparison", "CampaignEffect", "Dashboard", "DashboardCard", "Date", "DateBucket",
		"DateComparison", "DateTime", "DateTimeComparison", "DirectoryUser", "DuplicateGroup", "DuplicateGroupPage", "DuplicateMatch", "ExpressionTestResult",
		"FieldDefinition", "FileDownload", "Float", "FloatComparison", "ForecastGroup", "ForecastRow",
		"FunnelStage", "GroupKey", "ID", "IDComparison", "IDListComparison", "Int", "IntComparison", "JSON",
		"JSONComparison", "Job", "Label", "Limit", "Me", "MergeResult", "NavGroup", "NewApiKey", "NewUserInput", "Notification",
		"NotificationChannel", "NotificationChannelInput",
		"ObjectAccess", "ObjectDefinition", "ObjectDeletion", "OutboxEntry", "PageInfo", "PipelineDefinition",
		"PipelineForecast", "PipelineFunnel", "RecycleBinPage", "RecycleBinSettings", "DeletedRecord", "RestoreOutcome", "Report", "ReportColumn", "ReportResult", "ReportRow",
		"SaveObjectOptions", "ScriptFieldError", "ScriptLog", "ScriptTestResult", "SortDirection", "StageChange",
		"StageDefinition", "String", "StringComparison", "StringListComparison", "TemplateArchive",
		"TemplateInfo", "TemplateResult", "UsageFigure", "User", "UserChangeInput",
		"WriteOutcome", "WriteError", "FieldError", "MassResult", "MassReport", "MassFailure",
		"NoteEntry", "NotePage", "TaskItem", "TaskItemInput", "TaskPage", "TimelineItem", "TimelinePage",
		"ApprovalProcess", "ApprovalStepDefinition", "ApprovalRequest", "ApprovalStep",
		"NotificationPage", "InboxNotification", "NotificationPreference", "NotificationPreferenceInput", "MyContactInput",
		"Pool", "PoolOutcome",
		"SignOnProvider", "SignOnProviderInput", "SignOnLink",
		"ExchangeRate", "ExchangeRateInput",
		"__Directive", "__DirectiveLocation", "__EnumValue", "__Field", "__InputValue", "__Schema", "__Type", "__TypeKind",
	}
	fixedQuery = []string{
		"attachments", "fileRules", "tenantSettings",
		"apiKeys", "auditTrail", "campaignEffect", "checkDuplicates", "dashboard", "dashboards", "duplicateGroups", "exportReport", "exportTemplate",
		"importMappings", "importResult", "importUpload", "jobs", "massActionResult", "layout", "limits", "me", "navigation", "notifications", "object", "objectHistory", "objects",
		"outbox", "personalData", "possibleDuplicates", "previewImport", "recycleBin", "recycleBinSettings", "report", "reports", "roles", "runReport", "templates", "usage",
		"userDirectory", "users", "views", "webhookSecret",
		"recordNotes", "timeline", "myTasks", "recordTasks", "taskItem",
		"approvalProcesses", "approvalRequests", "myPendingApprovals",
		"notificationChannels",
		"myNotifications", "unreadNotificationCount", "notificationPreferences",
		"pools", "pool",
		"signOnProviders", "userSignOns", "mySignOns",
		"exchangeRates",
		"__schema", "__type",
	}
	fixedMutation = []string{
		"deleteAttachment", "setFileRules", "setTenantSettings",
		"changePassword", "createApiKey", "createUser", "deleteDashboard", "deleteImportMapping", "deleteLayout", "deleteObject",
		"deleteReport", "deleteRole", "deleteView", "erasePersonalData", "installTemplate", "mergeRecords", "rebuildDuplicateKeys", "rebuildRollup",
		"recomputeCustomerValue", "resetSampleData", "retryOutboxEntry", "revokeApiKey", "rollbackTemplate",
		"saveDashboard", "saveImportMapping", "saveLayout", "saveObject", "saveReport", "saveRole", "saveView",
		"startImport", "startTemplateInstall", "testExpression", "testScript", "updateUser",
		"restoreDeleted", "purgeDeleted", "emptyRecycleBin", "setRecycleBinRetention",
		"addNote", "editNote", "removeNote", "addTask", "editTask", "completeTask", "removeTask",
		"submitForApproval", "approveRequest", "rejectRequest", "recallRequest",
		"saveNotificationChannel", "testNotificationChannel",
		"markNotificationsRead", "setNotificationPreferences", "updateMyContact",
		"claimRecords", "returnToPool",
		"saveSignOnProvider", "setUserSignOn", "unlinkMySignOn",
		"setExchangeRate", "deleteExchangeRate",
	}
	fixed = func() map[Name]bool {
		m := map[Name]bool{}
		for kind, names := range map[string][]string{Type: fixedTypes, Query: fixedQuery, Mutation: fixedMutation} {
			for _, n := range names {
				m[Name{kind, n}] = true
			}
		}
		return m
	}()
)

// Fixed returns the API's own names: its fixed types (those of GraphQL
// and introspection among them) and its fixed Query and Mutation fields,
// by kind and name.
func Fixed() []Name {
	out := make([]Name, 0, len(fixed))
	for n := range fixed {
		out = append(out, n)
	}
	slices.SortFunc(out, compare)
	return out
}

// IsFixed reports whether n is one of the API's own names.
func IsFixed(n Name) bool { return fixed[n] }

func compare(a, b Name) int {
	if c := strings.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

// UpperFirst returns s with its first letter upper-cased: the type name
// of an object ("deal" → "Deal").
func UpperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// List is the name of an object's list field: its plural, or
// "<name>List" when the plural is the singular ("news" → "newsList").
func List(name string) string {
	if p := Plural(name); p != name {
		return p
	}
	return name + "List"
}

// Of returns every name the API may make for obj, each once: the
// object's types (Deal, DealConnection, DealEdge, DealFilter,
// DealOrderBy, DealInput, DealPatch), Query fields (deal, deals) and
// Mutation fields (createDeal, updateDeal, deleteDeal, transferDeal);
// the enum and comparison types of its picklists (DealStage,
// DealStageComparison); for each pipeline its board (dealsByStage and
// DealStageColumn), funnel and forecast (dealsFunnel, dealsForecast;
// dealsStageFunnel … when the object has several pipelines); and its
// aggregate (dealsAggregate, DealAggregate, DealGroup, DealGroupBy,
// DealGroupField, DealMeasureField, DealMeasure, DealHaving,
// DealGroupOrder); and its bulk writes (createDeals, updateDeals,
// upsertDeals, deleteDeals, DealUpdate, DealUpsert, DealWriteResult, and
// DealUniqueField when it has unique fields); and its mass actions
// (massUpdateDeals, massTransferDeals, massDeleteDeals). It names a picklist's enum
// whether or not its options can be enum values.
func Of(obj *schema.Object) []Name {
	t, list := UpperFirst(obj.Name), List(obj.Name)
	var out []Name
	add := func(kind string, names ...string) {
		for _, n := range names {
			if !slices.Contains(out, Name{kind, n}) {
				out = append(out, Name{kind, n})
			}
		}
	}
	add(Type, t, t+"Connection", t+"Edge", t+"Filter", t+"OrderBy", t+"Input", t+"Patch")
	add(Query, obj.Name, list)
	add(Mutation, "create"+t, "update"+t, "delete"+t, "transfer"+t)
	pipelines := 0
	for _, f := range obj.Fields {
		if f != nil && f.Pipeline != nil && f.Type == schema.TypePicklist {
			pipelines++
		}
	}
	for _, f := range obj.Fields {
		if f == nil {
			continue
		}
		field := UpperFirst(f.Name)
		switch f.Type {
		case schema.TypePicklist:
			add(Type, t+field, t+field+"Comparison")
		case schema.TypeMultiPicklist:
			add(Type, t+field, t+field+"ListComparison")
		}
		if f.Pipeline == nil || f.Type != schema.TypePicklist {
			continue
		}
		add(Query, list+"By"+field)
		add(Type, t+field+"Column")
		prefix := list
		if pipelines > 1 {
			prefix += field
		}
		add(Query, prefix+"Funnel", prefix+"Forecast")
	}
	add(Query, list+"Aggregate")
	add(Type, t+"Aggregate", t+"Group", t+"GroupBy", t+"GroupField", t+"MeasureField", t+"Measure", t+"Having", t+"GroupOrder")
	lists := UpperFirst(list)
	add(Mutation, "create"+lists, "update"+lists, "upsert"+lists, "delete"+lists)
	add(Type, t+"Update", t+"Upsert", t+"WriteResult")
	add(Mutation, "massUpdate"+lists, "massTransfer"+lists, "massDelete"+lists)
	if slices.ContainsFunc(obj.Fields, func(f *schema.Field) bool { return f != nil && f.Unique }) {
		add(Type, t+"UniqueField")
	}
	return out
}

// Clash is a name an object would take that is not free.
type Clash struct {
	Name Name
	// With is the object whose name it is already; "" for one of the
	// API's own names.
	With string
}

// Clashes returns the names of obj that are the API's own or that
// another of others has (an object of obj's name among them is passed
// over); names that before (obj's previous
// version, nil for a new object) had already are left out, so that a
// clash an object always had does not stop its other changes. Each name
// is given once, in the order of [Of].
func Clashes(obj, before *schema.Object, others []*schema.Object) []Clash {
	had := map[Name]bool{}
	if before != nil {
		for _, n := range Of(before) {
			had[n] = true
		}
	}
	owner := map[Name]string{}
	for _, o := range others {
		if o == nil || o.Name == obj.Name {
			continue
		}
		for _, n := range Of(o) {
			if _, ok := owner[n]; !ok {
				owner[n] = o.Name
			}
		}
	}
	var out []Clash
	for _, n := range Of(obj) {
		switch {
		case had[n]:
		case fixed[n]:
			out = append(out, Clash{Name: n})
		case owner[n] != "":
			out = append(out, Clash{Name: n, With: owner[n]})
		}
	}
	return out
}
