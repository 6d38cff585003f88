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
}

// Rejected rows importResult lists at most; the rest are in the file at
// rejectsUrl.
const (
	defaultImportRejects = 100
	maxImportRejects     = 1000
)

// importResolvers serve importUpload, previewImport, importResult and
// startImport (imports.go in engine says what is kept and for how long).
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
			out["rejectsUrl"] = "/imports/" + res.Job.ID + "/rejects.csv"
		}
		return rawJSON(out)
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

// importSpec reads the arguments columns (a target per column: "name",
// "address.city", "id" or "" to leave it out; when not given, the
// suggested mapping), mode (create by default), matchBy, lookupBy
// ({field: targetField}) and skipAutomations.
func importSpec(ctx context.Context, eng Importing, object string, header []string, args map[string]any) (engine.ImportSpec, error) {
	spec := engine.ImportSpec{Mode: engine.BulkCreate}
	if m, ok := args["mode"].(string); ok && m != "" {
		spec.Mode = engine.BulkAction(m)
	}
	spec.MatchBy, _ = args["matchBy"].(string)
	spec.SkipAutomations, _ = args["skipAutomations"].(bool)
	if raw, ok := args["lookupBy"].(json.RawMessage); ok && len(raw) > 0 && string(raw) != "null" {
		if err := strictJSON(raw, &spec.LookupBy); err != nil {
			return spec, badRequestf(`lookupBy is {"lookupField": "fieldOfItsTarget"}: %v`, err)
		}
	}
	list, given := args["columns"].([]any)
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

const importSDLQuery = `  "A file the caller uploaded to POST /imports/upload (kept an hour): {id, fileName, format, encoding, delimiter, sheet, header, rows, firstRows: [{line, cells}], expiresAt}, and with object the suggested target of each column (columns: [\"name\", \"address.city\", \"id\", \"\" for left out])."
  importUpload(id: ID!, object: String): JSON!
  "The first rows of an upload as an import of object would take them, nothing written: {upload, object, header, rows, columns, mode, matchBy, preview: [{line, cells, values, problems: [{column, code, message}]}]}. columns gives each column's target (default: the suggested mapping); mode is create (default), update or upsert; matchBy the unique field update and upsert rows match on (default: an id column); lookupBy {lookupField: fieldOfItsTarget}. A create's problems include its write's own checks."
  previewImport(upload: ID!, object: String!, columns: [String!], mode: String, matchBy: String, lookupBy: JSON, first: Int): JSON!
  "What an import job the caller started did (administrators: any): {job, object, status, done, total, rows, created, updated, rejectedCount, lastLine, rejected: [{line, cells, problems}] (the first ones; all of them at rejectsUrl as CSV), error}; the counts once it has finished. Rows up to lastLine that were not rejected are in."
  importResult(job: ID!, first: Int): JSON!
`

const importSDLMutation = `  "Starts a job importing an upload's rows into records of object with the caller's own rights, a batch of 500 at a time; arguments as previewImport's. A mapping that cannot run is refused before anything is written; follow the job with importResult. skipAutomations: true writes without the object's automations, for a migration (administrators only; validation, rules and scripts still run)."
  startImport(upload: ID!, object: String!, columns: [String!], mode: String, matchBy: String, lookupBy: JSON, skipAutomations: Boolean): Job
`
