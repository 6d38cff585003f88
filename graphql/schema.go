package graphql

import (
	"fmt"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/graph-gophers/graphql-go/ast"

	"github.com/crmkit/crm/engine"
)

// execSchema is one tenant's API at one catalog revision: the parsed
// schema (validation and introspection) and the resolvers. It is immutable
// once built and shared by every request of the tenant at that revision.
type execSchema struct {
	srv     *Server
	catalog *engine.Catalog
	model   *model
	sdl     string
	gql     *gql.Schema
	// introspection validates operations that only introspect: the
	// standard introspection query (GraphiQL's) nests 13 deep.
	introspection *gql.Schema
	ast           *ast.Schema
	resolvers     map[string]map[string]resolver
}

// introspectionDepth is the depth allowed to operations that only
// introspect (they cost no engine call).
const introspectionDepth = 16

// buildSchema generates the tenant's schema from its catalog.
func (s *Server) buildSchema(cat *engine.Catalog) (*execSchema, error) {
	m := buildModel(cat)
	es := &execSchema{srv: s, catalog: cat, model: m, sdl: m.sdl()}
	parsed, err := gql.ParseSchema(es.sdl, nil,
		gql.UseStringDescriptions(),
		gql.MaxDepth(s.maxDepth),
		gql.MaxQueryLength(s.maxQueryLength),
		gql.OverlapValidationLimit(overlapValidationLimit),
	)
	if err != nil {
		return nil, fmt.Errorf("graphql: parse generated schema of tenant %s revision %d: %w", cat.TenantID, cat.Revision, err)
	}
	es.gql = parsed
	es.ast = parsed.AST()
	es.introspection, err = parsed.Clone(nil, gql.MaxDepth(max(s.maxDepth, introspectionDepth)))
	if err != nil {
		return nil, fmt.Errorf("graphql: schema of tenant %s revision %d: %w", cat.TenantID, cat.Revision, err)
	}

	rs := introspectionResolvers()
	rs["Query"] = es.queryResolvers()
	rs["Mutation"] = es.mutationResolvers()
	conn, edge, pageInfo := connectionResolvers()
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
	es.viewResolvers(rs["Query"], rs["Mutation"])
	rs["User"], rs["Me"] = userTypeResolvers()
	rs["DirectoryUser"] = directoryResolvers()
	rs["NavGroup"] = es.navigationResolvers(rs["Query"])
	rs["TemplateInfo"], rs["TemplateResult"] = templateTypeResolvers()
	rs["Limit"], rs["Job"], rs["ScriptTestResult"], rs["ScriptFieldError"], rs["ScriptLog"] = scriptTypeResolvers()
	rs["AuditPage"], rs["AuditEntry"] = auditResolvers()
	rs["OutboxEntry"] = outboxResolvers()
	rs["Notification"] = notificationResolvers()
	rs["StageChange"] = stageChangeResolvers()
	rs["PipelineDefinition"], rs["StageDefinition"] = pipelineDefResolvers()
	for _, o := range m.objects {
		rs[o.typeName] = es.recordResolvers(o)
		rs[o.connectionType()] = conn
		rs[o.edgeType()] = edge
		for _, p := range o.pipelines {
			rs["Query"][p.board] = es.boardResolver(p)
			rs[o.typeName][p.history] = es.historyResolver(p)
			rs[p.columnType] = columnResolvers()
		}
	}
	guardPasswordChange(rs["Query"])
	guardPasswordChange(rs["Mutation"])
	es.resolvers = rs
	return es, nil
}
