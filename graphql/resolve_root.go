package graphql

import (
	"context"
	"encoding/json"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
)

// queryResolvers returns the resolvers of Query.
func (s *execSchema) queryResolvers() map[string]resolver {
	records, meta := s.srv.records, s.srv.meta
	rs := map[string]resolver{}
	for _, o := range s.model.objects {
		o := o
		rs[o.single] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
			rec, err := records.GetRecord(ctx, o.name, fc.args["id"].(string))
			if err != nil {
				if engine.CodeOf(err) == engine.CodeNotFound {
					return nil, nil // a missing record is null, not an error
				}
				return nil, err
			}
			return (&group{}).add(o, rec), nil
		}
		rs[o.list] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
			q, err := listQuery(o, fc.args)
			if err != nil {
				return nil, err
			}
			q.WithTotal = fc.selects("totalCount")
			q.Fields = o.pageFields(fc)
			q.NoCursors = !o.readsCursors(fc)
			res, err := records.ListRecords(ctx, o.name, q)
			if err != nil {
				return nil, err
			}
			c := newConn(o, res, &group{})
			c.scope = &q
			c.hasPrev = q.After != ""
			return c, nil
		}
	}
	// objects and object serve the catalog this schema was built from: the
	// whole one for administrators, the role's redacted view for everyone
	// else (engine.Engine.Catalog).
	rs["objects"] = func(_ context.Context, _ any, fc *fieldCall) (any, error) {
		out := make([]any, 0, len(s.catalog.Objects))
		for _, obj := range s.catalog.Objects {
			out = append(out, &objectDefValue{obj: obj, version: obj.Version})
		}
		return out, nil
	}
	rs["object"] = func(_ context.Context, _ any, fc *fieldCall) (any, error) {
		obj := s.catalog.Object(fc.args["name"].(string))
		if obj == nil {
			return nil, nil
		}
		return &objectDefValue{obj: obj, version: obj.Version}, nil
	}
	rs["objectHistory"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		infos, err := meta.ObjectHistory(ctx, fc.args["name"].(string))
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, len(infos))
		for _, info := range infos {
			out = append(out, objectInfoValue(&info))
		}
		return out, nil
	}
	return rs
}

// mutationResolvers returns the resolvers of Mutation.
func (s *execSchema) mutationResolvers() map[string]resolver {
	records, meta := s.srv.records, s.srv.meta
	rs := map[string]resolver{}
	for _, o := range s.model.objects {
		o := o
		rs[o.createField()] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
			in, _ := fc.args["input"].(map[string]any)
			data, err := recordData(o, in, false)
			if err != nil {
				return nil, err
			}
			rec, err := records.CreateRecord(ctx, o.name, data)
			if err != nil {
				return nil, err
			}
			return (&group{}).add(o, rec), nil
		}
		rs[o.updateField()] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
			in, _ := fc.args["input"].(map[string]any)
			patch, err := recordData(o, in, true)
			if err != nil {
				return nil, err
			}
			var version *int64
			if v, ok := fc.args["version"].(int64); ok {
				version = &v
			}
			rec, err := records.UpdateRecord(ctx, o.name, fc.args["id"].(string), patch, version)
			if err != nil {
				return nil, err
			}
			return (&group{}).add(o, rec), nil
		}
		rs[o.transferField()] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
			rec, err := records.TransferRecord(ctx, o.name, fc.args["id"].(string), fc.args["owner"].(string))
			if err != nil {
				return nil, err
			}
			return (&group{}).add(o, rec), nil
		}
		rs[o.deleteField()] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
			if err := records.DeleteRecord(ctx, o.name, fc.args["id"].(string)); err != nil {
				return nil, err
			}
			return true, nil
		}
	}
	rs["saveObject"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		def, err := definitionText(fc.args["definition"].(json.RawMessage))
		if err != nil {
			return nil, err
		}
		var opts engine.SaveOptions
		if in, ok := fc.args["options"].(map[string]any); ok {
			if opts, err = saveOptions(in); err != nil {
				return nil, err
			}
		}
		info, err := meta.SaveObject(ctx, def, opts)
		if err != nil {
			return nil, err
		}
		return objectInfoValue(info), nil
	}
	return rs
}

func objectInfoValue(info *engine.ObjectInfo) any {
	if info == nil || info.Object == nil {
		return nil
	}
	return &objectDefValue{obj: info.Object, version: info.Version, savedAt: info.SavedAt, savedBy: info.SavedBy}
}

// requireAdmin refuses the administration API (metadata, scripts, users,
// templates …) to actors that are not administrators. Fields whose engine
// call refuses them itself, with words for what is refused, do not call
// it.
func (r *request) requireAdmin() error {
	if r.actor.Admin {
		return nil
	}
	return forbidden(r.lang, "request.adminOnly")
}

func optString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// metadataResolvers serve ObjectDefinition, FieldDefinition and Label.
func metadataResolvers() (objectDef, fieldDef, label map[string]resolver) {
	od := func(p any) *objectDefValue { return p.(*objectDefValue) }
	objectDef = map[string]resolver{
		"name":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return od(p).obj.Name, nil },
		"version": func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(od(p).version), nil },
		"label":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return od(p).obj.Label, nil },
		"title":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(od(p).obj.Title), nil },
		"description": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optString(od(p).obj.Description), nil
		},
		"definition": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if d := od(p).obj.Definition; len(d) > 0 && json.Valid(d) {
				return d, nil
			}
			return json.RawMessage("null"), nil
		},
		"fields": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			fields := od(p).obj.Fields
			out := make([]any, 0, len(fields))
			for _, f := range fields {
				if f != nil && !f.Hidden {
					out = append(out, f)
				}
			}
			return out, nil
		},
		"savedAt": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if at := od(p).savedAt; at != "" {
				return outDateTime(at), nil
			}
			return nil, nil
		},
		"savedBy": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(od(p).savedBy), nil },
	}
	fd := func(p any) *schema.Field { return p.(*schema.Field) }
	fieldDef = map[string]resolver{
		"name":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return fd(p).Name, nil },
		"type":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return string(fd(p).Type), nil },
		"label":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return fd(p).Label, nil },
		"required": func(_ context.Context, p any, _ *fieldCall) (any, error) { return fd(p).Required, nil },
		"options": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			opts := fd(p).Options
			if len(opts) == 0 {
				return nil, nil
			}
			out := make([]any, len(opts))
			for i, o := range opts {
				out[i] = o
			}
			return out, nil
		},
		"target":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(fd(p).Target), nil },
		"unique":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return fd(p).Unique, nil },
		"sensitive": func(_ context.Context, p any, _ *fieldCall) (any, error) { return fd(p).Sensitive, nil },
		"pipeline": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if f := fd(p); f.Pipeline != nil {
				return f, nil
			}
			return nil, nil
		},
	}
	label = map[string]resolver{
		"zh": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(p.(schema.Label).Zh), nil },
		"en": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(p.(schema.Label).En), nil },
	}
	return objectDef, fieldDef, label
}
