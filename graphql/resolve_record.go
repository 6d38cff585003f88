package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// recordResolvers returns the resolvers of an object's record type.
func (s *execSchema) recordResolvers(o *objectModel) map[string]resolver {
	// The strings of a record are returned by pointer (see writeScalar).
	rs := map[string]resolver{
		"id": func(_ context.Context, p any, _ *fieldCall) (any, error) { return &p.(*recordValue).rec.ID, nil },
		"version": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return clampInt32(p.(*recordValue).rec.Version), nil
		},
		"createdAt": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return formatTime(p.(*recordValue).rec.CreatedAt), nil
		},
		"updatedAt": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return formatTime(p.(*recordValue).rec.UpdatedAt), nil
		},
		"createdBy": func(_ context.Context, p any, _ *fieldCall) (any, error) { return &p.(*recordValue).rec.CreatedBy, nil },
		"updatedBy": func(_ context.Context, p any, _ *fieldCall) (any, error) { return &p.(*recordValue).rec.UpdatedBy, nil },
		"ownerId":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return &p.(*recordValue).rec.OwnerID, nil },
	}
	for _, fm := range o.fields {
		rs[fm.name] = s.fieldResolver(fm)
	}
	if o.audit != "" {
		rs[o.audit] = func(ctx context.Context, p any, fc *fieldCall) (any, error) {
			if err := fc.req.requireAdmin(); err != nil {
				return nil, err
			}
			q := engine.AuditQuery{Object: o.name, RecordID: p.(*recordValue).rec.ID}
			q.After, _ = fc.args["after"].(string)
			if n, ok := fc.args["first"].(int64); ok {
				q.First = int(n)
			}
			entries, more, err := s.srv.records.Audit(ctx, q)
			if err != nil {
				return nil, err
			}
			return &auditValue{entries: entries, hasNext: more}, nil
		}
	}
	if o.duplicates != "" {
		rs[o.duplicates] = func(ctx context.Context, p any, fc *fieldCall) (any, error) {
			d, err := s.dedupe()
			if err != nil {
				return nil, err
			}
			return anyList(d.PossibleDuplicates(ctx, o.name, p.(*recordValue).rec.ID))
		}
	}
	for _, rev := range o.reverses {
		rev := rev
		rs[rev.name] = func(ctx context.Context, p any, fc *fieldCall) (any, error) {
			rv := p.(*recordValue)
			q, err := listQuery(rev.source, fc.args)
			if err != nil {
				return nil, err
			}
			q.WithTotal = fc.selects("totalCount")
			reads := fc.req.reverseRead(o.typeName, rev)
			q.Fields, q.NoCursors = reads.fields, !reads.cursors
			lists, err := s.related(ctx, rv.grp, rev, q)
			if err != nil {
				return nil, err
			}
			if c := lists[rv.rec.ID]; c != nil {
				return c, nil
			}
			c := newConn(rev.source, nil, &group{})
			scope := limitedTo(q, store.Leaf(rev.field.name, store.OpEq, rv.rec.ID))
			c.scope = &scope
			return c, nil
		}
	}
	return rs
}

// fieldResolver reads one user field of a record.
func (s *execSchema) fieldResolver(fm *fieldModel) resolver {
	if isFile(fm) {
		return s.fileFieldResolver(fm)
	}
	name := fm.name
	data := func(p any) any { return p.(*recordValue).rec.Data[name] }
	var conv func(any) any
	switch fm.kind {
	case schema.KindNumber:
		conv = outFloat
	case schema.KindInteger:
		conv = outInt
	case schema.KindBoolean:
		conv = outBool
	case schema.KindDate:
		conv = outDate
	case schema.KindDateTime:
		conv = outDateTime
	case schema.KindStringList:
		conv = outStringList
	case schema.KindJSON:
		conv = outJSON
	case schema.KindAddress:
		conv = func(v any) any {
			if m, ok := v.(map[string]any); ok {
				return m
			}
			return nil
		}
	case schema.KindLookup:
		return func(ctx context.Context, p any, fc *fieldCall) (any, error) {
			rv := p.(*recordValue)
			id, ok := rv.rec.Data[name].(string)
			if !ok || id == "" {
				return nil, nil
			}
			if fc.selectsOnlyID() && fc.req.seesEvery(ctx, fm.target.name) {
				// { id } of a record the caller sees, whatever it is:
				// the stored id is the answer, nothing is read.
				return &recordValue{obj: fm.target, rec: store.Record{ID: id}, grp: &group{}}, nil
			}
			byID, err := s.targets(ctx, rv.grp, fm, rv, fc)
			if err != nil {
				return nil, err
			}
			if t := byID[id]; t != nil {
				return t, nil
			}
			return nil, nil // a reference to a record that is gone (or hidden) reads as null
		}
	case schema.KindLookupList:
		return func(ctx context.Context, p any, fc *fieldCall) (any, error) {
			rv := p.(*recordValue)
			ids := idList(rv.rec.Data[name])
			out := make([]any, 0, len(ids))
			if len(ids) == 0 {
				return out, nil
			}
			byID, err := s.targets(ctx, rv.grp, fm, rv, fc)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				if t := byID[id]; t != nil {
					out = append(out, t)
				}
			}
			return out, nil
		}
	default:
		conv = outString
	}
	if fm.enum != nil {
		// A stored value that is no longer an option (written under an
		// older definition) reads as null rather than failing the read.
		known := fm.enum.valueSet
		inner := conv
		conv = func(v any) any {
			switch x := inner(v).(type) {
			case string:
				if known[x] {
					if s, ok := v.(string); ok && s == x {
						return v // as it came: no new copy of its header
					}
					return x
				}
			case []any:
				out := make([]any, 0, len(x))
				for _, item := range x {
					if known[item.(string)] {
						out = append(out, item)
					}
				}
				return out
			}
			return nil
		}
	}
	return func(_ context.Context, p any, _ *fieldCall) (any, error) { return conv(data(p)), nil }
}

// connectionResolvers serve XConnection, XEdge and PageInfo.
func connectionResolvers() (conn, edge, pageInfo map[string]resolver) {
	conn = map[string]resolver{
		"nodes": func(_ context.Context, p any, _ *fieldCall) (any, error) { return p.(*connValue).nodes, nil },
		"edges": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			c := p.(*connValue)
			edges := make([]any, len(c.nodes))
			for i, n := range c.nodes {
				cursor := ""
				if i < len(c.res.Cursors) {
					cursor = c.res.Cursors[i]
				}
				edges[i] = &edgeValue{cursor: cursor, node: n.(*recordValue)}
			}
			return edges, nil
		},
		"pageInfo": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			c := p.(*connValue)
			return pageInfoOf(c.res, c.hasPrev), nil
		},
		"totalCount": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return clampInt32(p.(*connValue).res.Total), nil
		},
	}
	edge = map[string]resolver{
		"cursor": func(_ context.Context, p any, _ *fieldCall) (any, error) { return p.(*edgeValue).cursor, nil },
		"node":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return p.(*edgeValue).node, nil },
	}
	pageInfo = map[string]resolver{
		"hasNextPage":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return p.(*pageInfoValue).hasNext, nil },
		"hasPreviousPage": func(_ context.Context, p any, _ *fieldCall) (any, error) { return p.(*pageInfoValue).hasPrev, nil },
		"startCursor": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optString(p.(*pageInfoValue).start), nil
		},
		"endCursor": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optString(p.(*pageInfoValue).end), nil
		},
	}
	return conn, edge, pageInfo
}

// addressResolvers serve Address from a stored address value.
func addressResolvers() map[string]resolver {
	rs := map[string]resolver{}
	for _, part := range schema.AddressParts {
		part := part
		rs[part] = func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return outString(p.(map[string]any)[part]), nil
		}
	}
	return rs
}
