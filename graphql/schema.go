package graphql

import (
	"fmt"
	"maps"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/crmkit/crm/engine"
)

// execSchema is one tenant's API at one catalog revision, for one
// audience: the validated schema (validation, execution and
// introspection all read it) and the resolvers. It is immutable once
// built and shared by every request of the tenant at that revision.
type execSchema struct {
	srv       *Server
	catalog   *engine.Catalog
	model     *model
	ast       *ast.Schema
	resolvers map[string]map[string]resolver
	// recordInputs are the names of the record input types (XInput,
	// XPatch), whose text the engine checks field by field (utf8.go).
	recordInputs map[string]bool
}

// introspectionDepth is the depth allowed to operations that only
// introspect (they cost no engine call): the standard introspection query
// (GraphiQL's) nests 13 deep.
const introspectionDepth = 16

// buildSchema generates the tenant's schema from its catalog.
func (s *Server) buildSchema(cat *engine.Catalog) (*execSchema, error) {
	m := buildModel(cat)
	es := &execSchema{srv: s, catalog: cat, model: m, recordInputs: map[string]bool{}}
	for _, o := range m.objects {
		es.recordInputs[o.inputType()] = true
		es.recordInputs[o.patchType()] = true
	}
	sch, err := validator.ValidateSchemaDocument(m.document(schemaDescription(cat)))
	if err != nil {
		return nil, fmt.Errorf("graphql: generated schema of tenant %s revision %d: %w", cat.TenantID, cat.Revision, err)
	}
	es.ast = sch
	if len(m.omitted) > 0 {
		s.log.Debug("graphql: left out of the API", "tenant", cat.TenantID, "revision", cat.Revision, "omitted", m.omitted)
	}

	rs := introspectionResolvers(sch)
	rs["Query"] = es.queryResolvers()
	for name, res := range introspectionRootResolvers(sch) {
		rs["Query"][name] = res
	}
	rs["Mutation"] = es.mutationResolvers()
	conn, edge, pageInfo := connectionResolvers()
	conn["sum"] = es.sumResolver(func(p any) *connValue { return p.(*connValue) })
	rs["PageInfo"] = pageInfo
	rs["Address"] = addressResolvers()
	rs["ObjectDefinition"], rs["FieldDefinition"], rs["Label"] = metadataResolvers()
	rs["ObjectAccess"] = es.accessResolvers(rs["ObjectDefinition"])
	es.automationQueryResolvers(rs["Query"])
	es.automationMutationResolvers(rs["Mutation"])
	es.rollupMutationResolvers(rs["Mutation"])
	es.auditQueryResolvers(rs["Query"])
	es.scriptResolvers(rs["Query"], rs["Mutation"])
	es.templateResolvers(rs["Query"], rs["Mutation"])
	es.userResolvers(rs["Query"], rs["Mutation"])
	es.apiKeyResolvers(rs["Query"], rs["Mutation"])
	es.objectDeleteResolvers(rs["Mutation"])
	es.viewResolvers(rs["Query"], rs["Mutation"])
	es.reportResolvers(rs["Query"], rs["Mutation"])
	es.importResolvers(rs["Query"], rs["Mutation"])
	es.duplicateResolvers(rs["Query"], rs["Mutation"])
	rs["DuplicateMatch"], rs["DuplicateGroup"], rs["DuplicateGroupPage"], rs["MergeResult"] = duplicateTypeResolvers()
	es.recycleResolvers(rs["Query"], rs["Mutation"])
	es.activityResolvers(rs["Query"], rs["Mutation"])
	activityTypeResolvers(rs)
	es.approvalResolvers(rs["Query"], rs["Mutation"])
	rs["ApprovalProcess"], rs["ApprovalStepDefinition"], rs["ApprovalRequest"], rs["ApprovalStep"] = approvalTypeResolvers()
	es.channelResolvers(rs["Query"], rs["Mutation"])
	rs["NotificationChannel"] = channelTypeResolvers()
	es.fileResolvers(rs["Query"], rs["Mutation"])
	rs["AttachedFile"], rs["FileRules"] = fileTypeResolvers()
	es.inboxResolvers(rs["Query"], rs["Mutation"])
	es.settingsResolvers(rs["Query"], rs["Mutation"])
	rs["TenantSettings"] = settingsTypeResolvers()
	es.moneyResolvers(rs["Query"], rs["Mutation"])
	rs["ExchangeRate"] = rateTypeResolvers()
	es.poolResolvers(rs["Query"], rs["Mutation"])
	rs["Pool"], rs["PoolOutcome"] = poolTypeResolvers()
	es.signOnResolvers(rs["Query"], rs["Mutation"])
	rs["SignOnProvider"], rs["SignOnLink"] = signOnTypeResolvers()
	es.bulkResolvers(rs["Mutation"], rs)
	es.massResolvers(rs["Query"], rs["Mutation"], rs)
	rs["WriteError"], rs["FieldError"] = writeErrorResolvers()
	maps.Copy(rs, reportTypeResolvers())
	rs["User"], rs["Me"] = userTypeResolvers()
	rs["ApiKey"], rs["NewApiKey"] = apiKeyTypeResolvers()
	rs["ObjectDeletion"] = objectDeletionResolvers()
	rs["RecycleBinPage"], rs["DeletedRecord"], rs["RestoreOutcome"], rs["RecycleBinSettings"] = recycleTypeResolvers()
	rs["DirectoryUser"] = directoryResolvers()
	rs["NavGroup"] = es.navigationResolvers(rs["Query"])
	rs["TemplateInfo"], rs["TemplateResult"] = templateTypeResolvers()
	rs["TemplateArchive"] = templateArchiveResolvers()
	rs["UsageFigure"] = usageFigureResolvers()
	rs["ExpressionTestResult"] = expressionTestResolvers()
	rs["Limit"], rs["Job"], rs["ScriptTestResult"], rs["ScriptFieldError"], rs["ScriptLog"] = scriptTypeResolvers()
	rs["AuditPage"], rs["AuditEntry"] = auditResolvers()
	rs["OutboxEntry"] = outboxResolvers()
	rs["Notification"] = notificationResolvers()
	rs["NotificationPage"], rs["InboxNotification"], rs["NotificationPreference"] = inboxTypeResolvers()
	rs["StageChange"] = stageChangeResolvers()
	rs["PipelineDefinition"], rs["StageDefinition"] = pipelineDefResolvers()
	aggResult, aggGroup, aggKey := aggregateResolvers()
	rs["GroupKey"] = aggKey
	rs["PipelineFunnel"], rs["FunnelStage"] = funnelResolvers()
	rs["PipelineForecast"], rs["ForecastRow"] = forecastResolvers()
	rs["CampaignEffect"] = es.campaignResolvers(rs["Query"])
	for _, o := range m.objects {
		if a := o.aggregate; a != nil {
			rs["Query"][a.field] = es.aggregateResolver(a)
			rs[a.resultType()], rs[a.groupType()] = aggResult, aggGroup
		}
		rs[o.typeName] = es.recordResolvers(o)
		rs[o.connectionType()] = conn
		rs[o.edgeType()] = edge
		for _, p := range o.pipelines {
			rs["Query"][p.board] = es.boardResolver(p)
			rs[o.typeName][p.history] = es.historyResolver(p)
			rs[p.columnType] = es.columnResolvers()
			if p.funnel != "" {
				rs["Query"][p.funnel] = es.funnelResolver(p)
			}
			if p.forecast != "" {
				rs["Query"][p.forecast] = es.forecastResolver(p)
			}
		}
	}
	guardPasswordChange(rs["Query"])
	guardPasswordChange(rs["Mutation"])
	es.resolvers = rs
	return es, nil
}
