package graphql

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/schema"
)

// Importing is what the import of uploaded files needs: the uploads the
// HTTP edge keeps (POST /imports/upload), their preview, the import job
// and its result.
type Importing interface {
	DescribeImportUpload(ctx context.Context, id, object string) (*engine.ImportUploadInfo, error)
	ImportUpload(ctx context.Context, id string) (*engine.ImportUpload, error)
	SuggestImportColumns(ctx context.Context, object string, header []string) ([]importvalue.Column, error)
	PreviewImport(ctx context.Context, object string, table engine.ImportTable, spec engine.ImportSpec, first int) ([]engine.ImportPreviewRow, error)
	StartImport(ctx context.Context, uploadID, object string, spec engine.ImportSpec) (engine.Job, error)
	ImportResult(ctx context.Context, jobID string) (*engine.ImportResult, error)
	SaveImportMapping(ctx context.Context, m engine.ImportMapping, shared bool) (engine.ImportMapping, error)
	ImportMappings(ctx context.Context, object string) ([]engine.ImportMapping, error)
	ImportMappingSpec(ctx context.Context, id, object string, header []string) (engine.ImportSpec, error)
	DeleteImportMapping(ctx context.Context, id string) error
}

// Rejected rows importResult lists at most; the rest are in the file at
// rejectsUrl.
const (
	defaultImportRejects = 100
	maxImportRejects     = 1000
)

// importResolvers serve importUpload, previewImport, importResult and
// startImport (import_uploads.go in engine says what is kept and for how
// long), and the saved mappings.
func (s *execSchema) importResolvers(query, mutation map[string]resolver) {
	eng := s.srv.imports
	query["importUpload"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		object, _ := fc.args["object"].(string)
		info, err := eng.DescribeImportUpload(ctx, fc.args["id"].(string), object)
		if err != nil {
			return nil, err
		}
		return rawJSON(info)
	}
	query["previewImport"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		up, err := eng.ImportUpload(ctx, fc.args["upload"].(string))
		if err != nil {
			return nil, err
		}
		object := fc.args["object"].(string)
		spec, err := importSpec(ctx, eng, object, up.Table.Header, fc.args)
		if err != nil {
			return nil, err
		}
		first := engine.DefaultImportPreview
		if n, ok := fc.args["first"].(int64); ok {
			first = int(n)
		}
		if first < 1 || first > engine.MaxImportPreview {
			return nil, badRequestf("first must be between 1 and %d", engine.MaxImportPreview)
		}
		rows, err := eng.PreviewImport(ctx, object, up.Table, spec, first)
		if err != nil {
			return nil, err
		}
		out := make([]map[string]any, len(rows))
		for i, r := range rows {
			out[i] = map[string]any{"line": r.Line, "cells": r.Cells, "values": r.Values, "problems": problemsJSON(r.Problems, fc.req.lang)}
		}
		return rawJSON(map[string]any{"upload": up.ID, "object": object, "header": up.Table.Header, "rows": len(up.Table.Rows),
			"columns": targets(spec.Columns), "mode": string(spec.Mode), "matchBy": spec.MatchBy, "preview": out})
	}
	query["importResult"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		res, err := eng.ImportResult(ctx, fc.args["job"].(string))
		if err != nil {
			return nil, err
		}
		first := defaultImportRejects
		if n, ok := fc.args["first"].(int64); ok {
			first = int(n)
		}
		if first < 0 || first > maxImportRejects {
			return nil, badRequestf("first must be between 0 and %d", maxImportRejects)
		}
		out := map[string]any{"job": res.Job.ID, "object": res.Object, "status": res.Job.Status, "done": res.Job.Done, "total": res.Job.Total}
		if res.Err != nil {
			out["error"] = engine.PublicMessage(res.Err, fc.req.lang)
		}
		if rep := res.Report; rep != nil {
			rejected := make([]map[string]any, 0, min(first, len(rep.Rejected)))
			for _, r := range rep.Rejected[:min(first, len(rep.Rejected))] {
				rejected = append(rejected, map[string]any{"line": r.Line, "cells": r.Cells, "problems": problemsJSON(r.Problems, fc.req.lang)})
			}
			out["rows"], out["created"], out["updated"], out["rejectedCount"] = rep.Rows, rep.Created, rep.Updated, len(rep.Rejected)
			out["lastLine"], out["rejected"] = rep.LastLine, rejected
			notes := make([]map[string]any, 0, min(first, len(rep.Notes)))
			for _, n := range rep.Notes[:min(first, len(rep.Notes))] {
				notes = append(notes, map[string]any{"line": n.Line, "message": textIn(n.MessageZh, n.Message, fc.req.lang)})
			}
			out["notes"], out["notesCount"] = notes, len(rep.Notes)
			if res.DryRun {
				out["dryRun"], out["valid"] = true, rep.Valid
			}
			out["rejectsUrl"] = "/imports/" + res.Job.ID + "/rejects.csv"
		}
		return rawJSON(out)
	}
	query["importMappings"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		ms, err := eng.ImportMappings(ctx, fc.args["object"].(string))
		if err != nil {
			return nil, err
		}
		return rawJSON(ms)
	}
	mutation["saveImportMapping"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		m := engine.ImportMapping{Object: fc.args["object"].(string), Name: fc.args["name"].(string)}
		if err := strictJSON(fc.args["columns"], &m.Columns); err != nil {
			return nil, badRequestf(`columns is {"header": "target"} ("name", "address.city", "id", "" to leave a column out): %v`, err)
		}
		if raw, ok := fc.args["lookupBy"].(json.RawMessage); ok && len(raw) > 0 && string(raw) != "null" {
			if err := strictJSON(raw, &m.LookupBy); err != nil {
				return nil, badRequestf(`lookupBy is {"lookupField": "fieldOfItsTarget"}: %v`, err)
			}
		}
		mode, _ := fc.args["mode"].(string)
		m.Mode = engine.BulkAction(mode)
		m.MatchBy, _ = fc.args["matchBy"].(string)
		shared, _ := fc.args["shared"].(bool)
		saved, err := eng.SaveImportMapping(ctx, m, shared)
		if err != nil {
			return nil, err
		}
		return rawJSON(saved)
	}
	mutation["deleteImportMapping"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := eng.DeleteImportMapping(ctx, fc.args["id"].(string)); err != nil {
			return nil, err
		}
		return true, nil
	}
	mutation["startImport"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		up, err := eng.ImportUpload(ctx, fc.args["upload"].(string))
		if err != nil {
			return nil, err
		}
		object := fc.args["object"].(string)
		spec, err := importSpec(ctx, eng, object, up.Table.Header, fc.args)
		if err != nil {
			return nil, err
		}
		job, err := eng.StartImport(ctx, up.ID, object, spec)
		if err != nil {
			return nil, err
		}
		return &job, nil
	}
}

// importSpec reads the arguments mapping (a saved mapping to start
// from), columns (a target per column: "name", "address.city", "id" or
// "" to leave it out; when neither is given, the suggested mapping), mode
// (create by default), matchBy, lookupBy ({field: targetField}),
// skipAutomations and dryRun; those given win over the mapping's.
func importSpec(ctx context.Context, eng Importing, object string, header []string, args map[string]any) (engine.ImportSpec, error) {
	spec := engine.ImportSpec{Mode: engine.BulkCreate}
	saved, fromMapping := args["mapping"].(string)
	if fromMapping {
		var err error
		if spec, err = eng.ImportMappingSpec(ctx, saved, object, header); err != nil {
			return spec, err
		}
	}
	if m, ok := args["mode"].(string); ok && m != "" {
		spec.Mode = engine.BulkAction(m)
	}
	if by, ok := args["matchBy"].(string); ok {
		spec.MatchBy = by
	}
	spec.SkipAutomations, _ = args["skipAutomations"].(bool)
	spec.DryRun, _ = args["dryRun"].(bool)
	if raw, ok := args["lookupBy"].(json.RawMessage); ok && len(raw) > 0 && string(raw) != "null" {
		if err := strictJSON(raw, &spec.LookupBy); err != nil {
			return spec, badRequestf(`lookupBy is {"lookupField": "fieldOfItsTarget"}: %v`, err)
		}
	}
	list, given := args["columns"].([]any)
	if !given && fromMapping {
		return spec, nil
	}
	if !given {
		columns, err := eng.SuggestImportColumns(ctx, object, header)
		if err != nil {
			return spec, err
		}
		spec.Columns = columns
		return spec, nil
	}
	spec.Columns = make([]importvalue.Column, len(list))
	for i, v := range list {
		field, part, _ := strings.Cut(v.(string), ".")
		spec.Columns[i] = importvalue.Column{Field: field, Part: part}
	}
	return spec, nil
}

// targets lists the columns' targets as the API names them.
func targets(columns []importvalue.Column) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.Target()
	}
	return out
}

// problemsJSON gives problems as {column, code, message} in lang.
func problemsJSON(ps []schema.FieldError, lang string) []map[string]any {
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		msg := p.Message
		if lang != "en" && p.MessageZh != "" {
			msg = p.MessageZh
		}
		out[i] = map[string]any{"column": p.Field, "code": p.Code, "message": msg}
	}
	return out
}

const importSDLQuery = `  "A file the caller uploaded to POST /imports/upload (kept an hour): {id, fileName, format, encoding, delimiter, sheet, sheets (a workbook's sheets: upload again with ?sheet= to read another), header, rows, firstRows: [{line, cells}], expiresAt}, and with object the suggested target of each column (columns: [\"name\", \"address.city\", \"id\", \"\" for left out])."
  importUpload(id: ID!, object: String): JSON!
  "The first rows of an upload as an import of object would take them, nothing written: {upload, object, header, rows, columns, mode, matchBy, preview: [{line, cells, values, problems: [{column, code, message}]}]}. columns gives each column's target (default: the saved mapping's when mapping names one, else the suggested mapping); mode is create (default), update or upsert; matchBy the unique field update and upsert rows match on (default: an id column); lookupBy {lookupField: fieldOfItsTarget}. A create's problems include its write's own checks."
  previewImport(upload: ID!, object: String!, mapping: ID, columns: [String!], mode: String, matchBy: String, lookupBy: JSON, first: Int): JSON!
  "What an import job the caller started did (administrators: any): {job, object, status, done, total, rows, created, updated, rejectedCount, lastLine, rejected: [{line, cells, problems}] (the first ones; all of them at rejectsUrl as CSV), error}; the counts once it has finished. Rows up to lastLine that were not rejected are in."
  importResult(job: ID!, first: Int): JSON!
  "The saved import mappings of an object the caller has, shared ones first: [{id, object, name, columns: {header: target}, mode, matchBy, lookupBy, owner, stale}]; stale lists what no longer fits the object (a field it lost), and such a mapping is refused when used."
  importMappings(object: String!): JSON!
`

const importSDLMutation = `  "Starts a job importing an upload's rows into records of object with the caller's own rights, a batch of 500 at a time; arguments as previewImport's. A mapping that cannot run is refused before anything is written; follow the job with importResult. skipAutomations: true writes without the object's automations, for a migration (administrators only; validation, rules and scripts still run). dryRun: true checks every row as the import would (a create's own checks too) and writes nothing: importResult then says dryRun, valid (the rows that passed) and the rejected ones."
  startImport(upload: ID!, object: String!, mapping: ID, columns: [String!], mode: String, matchBy: String, lookupBy: JSON, skipAutomations: Boolean, dryRun: Boolean): Job
  "Saves an import mapping: columns {header: target} (\"name\", \"address.city\", \"id\", \"\" to leave a column out), mode (create by default), matchBy, lookupBy; the caller's own, or with shared: true one for everyone (administrators only). Saving a name again replaces it. Pass its id as mapping to previewImport and startImport."
  saveImportMapping(object: String!, name: String!, columns: JSON!, mode: String, matchBy: String, lookupBy: JSON, shared: Boolean): JSON
  "Deletes one of the caller's import mappings, or a shared one (administrators only)."
  deleteImportMapping(id: ID!): Boolean
`
