package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
)

// objectDeleteResolvers serve deleteObject for administrators.
func (s *execSchema) objectDeleteResolvers(mutation map[string]resolver) {
	meta := s.srv.meta
	mutation["deleteObject"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		records, _ := fc.args["records"].(int64)
		dryRun, _ := fc.args["dryRun"].(bool)
		d, err := meta.DeleteObject(ctx, fc.args["name"].(string), records, dryRun)
		if err != nil {
			return nil, err
		}
		return &d, nil
	}
}

// objectDeletionResolvers serve ObjectDeletion.
func objectDeletionResolvers() map[string]resolver {
	d := func(p any) *engine.ObjectDeletion { return p.(*engine.ObjectDeletion) }
	return map[string]resolver{
		"name":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return d(p).Name, nil },
		"records": func(_ context.Context, p any, _ *fieldCall) (any, error) { return d(p).Records, nil },
		"views":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(d(p).Views), nil },
		"reports": func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(d(p).Reports), nil },
		"layout":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return d(p).Layout, nil },
		"deleted": func(_ context.Context, p any, _ *fieldCall) (any, error) { return d(p).Deleted, nil },
	}
}

const objectDeletionSDL = `
"What deleteObject removed, or with dryRun would remove."
type ObjectDeletion {
  name: String!
  "The object's records, deleted with it."
  records: Int!
  "Its saved list views, shared and personal."
  views: Int!
  "Its saved reports, shared and personal (dashboard cards showing them are dropped)."
  reports: Int!
  "Whether it had a saved record page layout."
  layout: Boolean!
  "false for a dry run."
  deleted: Boolean!
}
`
