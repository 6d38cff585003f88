package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

// sumResolver serves sum(field:) of a connection or a board column: the
// sum of a number field over every record the connection stands for (its
// scope), not only the page loaded; null when none has a value. One
// engine call per selection, made only when selected.
func (s *execSchema) sumResolver(connOf func(any) *connValue) resolver {
	return func(ctx context.Context, p any, fc *fieldCall) (any, error) {
		c := connOf(p)
		field, _ := fc.args["field"].(string)
		if c.scope == nil {
			return nil, badRequestf("sum of %s is not available here", field)
		}
		sum, ok, err := s.srv.records.SumRecords(ctx, c.obj.name, field, *c.scope)
		if err != nil || !ok {
			return nil, err
		}
		return sum, nil
	}
}

// limitedTo returns q with its filter and-ed with leaf.
func limitedTo(q engine.ListQuery, leaf store.Filter) engine.ListQuery {
	if q.Filter != nil {
		q.Filter = &store.Filter{And: []store.Filter{leaf, *q.Filter}}
	} else {
		q.Filter = &leaf
	}
	return q
}
