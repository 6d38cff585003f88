package graphql

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
)

// TemplateCatalog is the industry templates the server ships; cmd/crm
// wires the embedded ones. Without it, the template fields answer that no
// templates are available.
type TemplateCatalog interface {
	// Templates lists the templates.
	Templates() ([]TemplateInfo, error)
	// Load returns a template ready to install; an unknown name is an
	// error wrapping fs.ErrNotExist.
	Load(name string) (*template.Template, error)
	// Sample returns the template's sample data generator.
	Sample(name string, records int, seed int64) *template.SampleData
	// Archive packs a template as a zip archive of its folder (what
	// `crm template install` reads back) and lists the folder's files;
	// tenant names where it was exported from.
	Archive(tpl *template.Template, tenant string) (files []string, zip []byte, err error)
}

// TemplateInfo describes a template of the catalogue.
type TemplateInfo struct {
	Name, Version      string
	Label, Description schema.Label
}

// MaxSampleRecordsOverAPI bounds the sample records one installTemplate
// request writes, so that it ends within the request deadline; larger
// demos use `crm template install --sample-data --records N`, which shows
// its progress.
const MaxSampleRecordsOverAPI = 5000

// MaxSampleRecordsInBackground bounds the sample records of an install
// started with startTemplateInstall.
const MaxSampleRecordsInBackground = 200_000

type templateRowValue struct {
	info      TemplateInfo
	installed string
}

func (s *execSchema) templateResolvers(query, mutation map[string]resolver) {
	eng, jobs, cat := s.srv.installer, s.srv.ops, s.srv.templates
	noCatalog := badRequestf("this server has no template catalogue")
	query["templates"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		if cat == nil {
			return []any{}, nil
		}
		list, err := cat.Templates()
		if err != nil {
			return nil, err
		}
		installs, err := eng.InstalledTemplates(ctx)
		if err != nil {
			return nil, err
		}
		current := map[string]string{}
		for _, in := range installs {
			if in.Status == "active" {
				current[in.Template] = in.Version
			}
		}
		out := make([]any, len(list))
		for i, t := range list {
			out[i] = &templateRowValue{info: t, installed: current[t.Name]}
		}
		return out, nil
	}
	query["exportTemplate"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		if cat == nil {
			return nil, noCatalog
		}
		name, version := fc.args["name"].(string), fc.args["version"].(string)
		tpl, err := eng.ExportTemplate(ctx, name, version)
		if err != nil {
			return nil, err
		}
		files, zip, err := cat.Archive(tpl, fc.req.actor.TenantID)
		if err != nil {
			return nil, err
		}
		return &templateArchive{fileName: name + "-" + version + ".zip", files: files, archive: base64.StdEncoding.EncodeToString(zip)}, nil
	}
	mutation["installTemplate"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		if cat == nil {
			return nil, noCatalog
		}
		name := fc.args["name"].(string)
		tpl, err := cat.Load(name)
		if err != nil {
			return nil, badRequestf("unknown template %q", name)
		}
		opts := template.InstallOptions{}
		opts.DryRun, _ = fc.args["dryRun"].(bool)
		opts.Force, _ = fc.args["force"].(bool)
		policy, _ := fc.args["onConflict"].(string)
		switch template.ConflictPolicy(policy) {
		case template.ConflictFail, template.ConflictKeepOurs, template.ConflictTakeTheirs:
			opts.OnConflict = template.ConflictPolicy(policy)
		default:
			return nil, badRequestf(`onConflict must be "ours" or "theirs", not %q`, policy)
		}
		if sample, _ := fc.args["sampleData"].(bool); sample {
			records := int64(500)
			if n, ok := fc.args["records"].(int64); ok {
				records = n
			}
			if records < 1 || records > MaxSampleRecordsOverAPI {
				return nil, badRequestf("records must be between 1 and %d here; install larger demos with crm template install --sample-data --records N", MaxSampleRecordsOverAPI)
			}
			seed, _ := fc.args["seed"].(int64)
			opts.Sample = cat.Sample(name, int(records), seed)
		}
		res, err := eng.InstallTemplate(ctx, tpl, opts)
		if err != nil && res != nil && (len(res.Conflicts) > 0 || len(res.Users) > 0) {
			conflicts, _ := json.Marshal(conflictsJSON(res.Conflicts))
			users, _ := json.Marshal(userFieldsJSON(res.Users, fc.req.lang))
			e := s.srv.publicError(err, fc.req.lang, fc.req.requestID)
			return nil, &Error{Code: e.Code, Message: e.Message, Ext: map[string]any{"conflicts": json.RawMessage(conflicts), "userFields": json.RawMessage(users)}, cause: err}
		}
		if err != nil {
			return nil, err
		}
		return res, nil
	}
	mutation["startTemplateInstall"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		if cat == nil {
			return nil, noCatalog
		}
		name := fc.args["name"].(string)
		tpl, err := cat.Load(name)
		if err != nil {
			return nil, badRequestf("unknown template %q", name)
		}
		policy, _ := fc.args["onConflict"].(string)
		force, _ := fc.args["force"].(bool)
		if p := template.ConflictPolicy(policy); p != template.ConflictFail && p != template.ConflictKeepOurs && p != template.ConflictTakeTheirs {
			return nil, badRequestf(`onConflict must be "ours" or "theirs", not %q`, policy)
		}
		var sampleData *template.SampleData
		if sample, _ := fc.args["sampleData"].(bool); sample {
			records := int64(1000)
			if n, ok := fc.args["records"].(int64); ok {
				records = n
			}
			if records < 1 || records > MaxSampleRecordsInBackground {
				return nil, badRequestf("records must be between 1 and %d", MaxSampleRecordsInBackground)
			}
			seed, _ := fc.args["seed"].(int64)
			sampleData = cat.Sample(name, int(records), seed)
		}
		job, err := jobs.StartJob(ctx, engine.JobInstallTemplate, name, func(ctx context.Context, progress func(done, total int)) error {
			_, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{OnConflict: template.ConflictPolicy(policy), Force: force, Sample: sampleData,
				Progress: func(p template.Progress) {
					if p.Phase == "sample" {
						progress(p.Done, p.Total)
					}
				}})
			return err
		})
		if err != nil {
			return nil, err
		}
		return &job, nil
	}
	mutation["rollbackTemplate"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		opts := template.RollbackOptions{}
		opts.DryRun, _ = fc.args["dryRun"].(bool)
		opts.Force, _ = fc.args["force"].(bool)
		return eng.RollbackTemplate(ctx, fc.args["name"].(string), opts)
	}
	mutation["resetSampleData"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		deleted, _, err := eng.ResetSampleData(ctx, fc.args["name"].(string), nil)
		if err != nil {
			return nil, err
		}
		return int32(min(deleted, 1<<31-1)), nil
	}
}

// userFieldsJSON is how the API shows the conversions of fields that
// become user fields, their text in lang.
func userFieldsJSON(cs []template.UserConversion, lang string) []map[string]any {
	out := make([]map[string]any, len(cs))
	for i, c := range cs {
		unmatched := make([]map[string]any, len(c.Unmatched))
		for j, v := range c.Unmatched {
			unmatched[j] = map[string]any{"value": v.Value, "records": v.Records}
		}
		out[i] = map[string]any{"object": c.Object, "field": c.Field, "matched": c.Matched, "unmatched": unmatched, "cleared": c.Cleared, "text": c.Text(lang)}
	}
	return out
}

func conflictsJSON(cs []template.Conflict) []map[string]any {
	out := make([]map[string]any, len(cs))
	for i, c := range cs {
		out[i] = map[string]any{"object": c.Object, "path": c.Path, "base": rawOrNull(c.Base), "ours": rawOrNull(c.Ours), "theirs": rawOrNull(c.Theirs)}
	}
	return out
}

func rawOrNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}

// templateArchive is what exportTemplate answers.
type templateArchive struct {
	fileName, archive string
	files             []string
}

func templateArchiveResolvers() map[string]resolver {
	ta := func(p any) *templateArchive { return p.(*templateArchive) }
	return map[string]resolver{
		"fileName": func(_ context.Context, p any, _ *fieldCall) (any, error) { return ta(p).fileName, nil },
		"archive":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return ta(p).archive, nil },
		"files": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(ta(p).files))
			for i, f := range ta(p).files {
				out[i] = f
			}
			return out, nil
		},
	}
}

func templateTypeResolvers() (row, result map[string]resolver) {
	tr := func(p any) *templateRowValue { return p.(*templateRowValue) }
	row = map[string]resolver{
		"name":             func(_ context.Context, p any, _ *fieldCall) (any, error) { return tr(p).info.Name, nil },
		"version":          func(_ context.Context, p any, _ *fieldCall) (any, error) { return tr(p).info.Version, nil },
		"label":            func(_ context.Context, p any, _ *fieldCall) (any, error) { return tr(p).info.Label, nil },
		"description":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return tr(p).info.Description, nil },
		"installedVersion": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(tr(p).installed), nil },
	}
	ir := func(p any) *template.InstallResult { return p.(*template.InstallResult) }
	result = map[string]resolver{
		"template":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return ir(p).Template, nil },
		"fromVersion": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(ir(p).FromVersion), nil },
		"toVersion":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return ir(p).ToVersion, nil },
		"dryRun":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return ir(p).DryRun, nil },
		"applied":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return ir(p).Applied, nil },
		"objects": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]map[string]any, len(ir(p).Objects))
			for i, o := range ir(p).Objects {
				changes := make([]map[string]any, len(o.Changes))
				for j, c := range o.Changes {
					changes[j] = map[string]any{"path": c.Path, "op": c.Op, "from": rawOrNull(c.From), "to": rawOrNull(c.To)}
				}
				out[i] = map[string]any{"object": o.Object, "action": o.Action, "changes": changes}
			}
			return rawJSON(out)
		},
		"conflicts": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return rawJSON(conflictsJSON(ir(p).Conflicts))
		},
		"notes": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(ir(p).Notes))
			for i, n := range ir(p).Notes {
				out[i] = n
			}
			return out, nil
		},
		"sampleRecords": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return int32(min(ir(p).SampleRecords, 1<<31-1)), nil
		},
		"userFields": func(_ context.Context, p any, fc *fieldCall) (any, error) {
			return rawJSON(userFieldsJSON(ir(p).Users, fc.req.lang))
		},
	}
	return row, result
}
