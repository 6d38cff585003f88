package graphql

import (
	"context"
	"time"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
)

// Attaching is what attached files need: a record's files, the values of
// file fields, deleting a file and the tenant's rules for files. Files
// are uploaded and downloaded over HTTP (/files), not through GraphQL.
type Attaching interface {
	Attachments(ctx context.Context, object, id string) ([]engine.Attachment, error)
	FilesByID(ctx context.Context, object string, ids []string) (map[string]engine.Attachment, error)
	DeleteAttachment(ctx context.Context, id string) error
	FileLimits(ctx context.Context) (engine.FileLimits, error)
	SetFileSettings(ctx context.Context, fs engine.FileSettings) (engine.FileLimits, error)
}

// isFile reports whether a field holds files (its values are AttachedFile).
func isFile(f *fieldModel) bool { return f.f.Type == schema.TypeFile }

// fileOutputType is a file field's type: one file or a list of them.
func fileOutputType(f *fieldModel) string {
	if f.kind == schema.KindStringList {
		return "[AttachedFile!]!"
	}
	return "AttachedFile"
}

// fileInputType is what a write gives a file field: the ids of files
// uploaded for it (POST /files?object=…&field=…) or that it holds.
func fileInputType(f *fieldModel) string {
	if f.kind == schema.KindStringList {
		return "[ID!]"
	}
	return "ID"
}

// files loads, once per group, the files the field of every record of the
// group holds.
func (s *execSchema) files(ctx context.Context, grp *group, fm *fieldModel, object string) (map[string]engine.Attachment, error) {
	b := grp.batch("file:" + fm.name)
	b.once.Do(func() {
		seen := map[string]bool{}
		var ids []string
		for _, rv := range grp.snapshot() {
			for _, id := range engine.FileIDs(rv.rec.Data[fm.name]) {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		if len(ids) == 0 {
			b.files = map[string]engine.Attachment{}
			return
		}
		b.files, b.err = s.srv.files.FilesByID(ctx, object, ids)
	})
	return b.files, b.err
}

// fileFieldResolver reads a file field: the files it names that the
// caller may see (a file since deleted reads as nothing).
func (s *execSchema) fileFieldResolver(fm *fieldModel) resolver {
	return func(ctx context.Context, p any, _ *fieldCall) (any, error) {
		rv := p.(*recordValue)
		ids := engine.FileIDs(rv.rec.Data[fm.name])
		byID, err := s.files(ctx, rv.grp, fm, rv.obj.name)
		if err != nil {
			return nil, err
		}
		if fm.kind != schema.KindStringList {
			if len(ids) == 0 {
				return nil, nil
			}
			if at, ok := byID[ids[0]]; ok {
				return &at, nil
			}
			return nil, nil
		}
		out := make([]any, 0, len(ids))
		for _, id := range ids {
			if at, ok := byID[id]; ok {
				out = append(out, &at)
			}
		}
		return out, nil
	}
}

// fileResolvers serve attachments, fileRules, deleteAttachment and
// setFileRules.
func (s *execSchema) fileResolvers(query, mutation map[string]resolver) {
	eng := s.srv.files
	query["attachments"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		object, _ := fc.args["object"].(string)
		id, _ := fc.args["id"].(string)
		list, err := eng.Attachments(ctx, object, id)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(list))
		for i := range list {
			out[i] = &list[i]
		}
		return out, nil
	}
	query["fileRules"] = func(ctx context.Context, _ any, _ *fieldCall) (any, error) {
		l, err := eng.FileLimits(ctx)
		return &l, err
	}
	mutation["deleteAttachment"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		id, _ := fc.args["id"].(string)
		if err := eng.DeleteAttachment(ctx, id); err != nil {
			return nil, err
		}
		return true, nil
	}
	mutation["setFileRules"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		var fs engine.FileSettings
		if n, ok := fc.args["maxBytes"].(int64); ok {
			fs.MaxBytes = n
		}
		if items, ok := fc.args["accept"].([]any); ok {
			fs.Accept = make([]string, 0, len(items))
			for _, it := range items {
				a, _ := it.(string)
				fs.Accept = append(fs.Accept, a)
			}
		}
		l, err := eng.SetFileSettings(ctx, fs)
		return &l, err
	}
}

// fileTypeResolvers serve AttachedFile and FileRules.
func fileTypeResolvers() (file, rules map[string]resolver) {
	fv := func(p any) *engine.Attachment { return p.(*engine.Attachment) }
	file = map[string]resolver{
		"id":          func(_ context.Context, p any, _ *fieldCall) (any, error) { return fv(p).ID, nil },
		"name":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return fv(p).Name, nil },
		"size":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(fv(p).Size), nil },
		"contentType": func(_ context.Context, p any, _ *fieldCall) (any, error) { return fv(p).ContentType, nil },
		"sha256":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return fv(p).SHA256, nil },
		"url":         func(_ context.Context, p any, _ *fieldCall) (any, error) { return fv(p).URL(), nil },
		"field":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(fv(p).Field), nil },
		"uploadedBy":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return fv(p).Uploader, nil },
		"createdAt": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return formatTime(fv(p).CreatedAt.In(time.UTC)), nil
		},
	}
	lv := func(p any) *engine.FileLimits { return p.(*engine.FileLimits) }
	rules = map[string]resolver{
		"maxBytes": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return clampInt32(lv(p).EffectiveMaxBytes), nil
		},
		"tenantMaxBytes": func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(lv(p).MaxBytes), nil },
		"serverMaxBytes": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return clampInt32(lv(p).ServerMaxBytes), nil
		},
		"accept": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(lv(p).Accept))
			for i, a := range lv(p).Accept {
				out[i] = a
			}
			return out, nil
		},
	}
	return file, rules
}

// fileSDL holds the types of attached files.
const fileSDL = `
"An attached file: one of a record's attachments or the value of a file field. Download it with a GET of url (same credentials); it always comes as a download, with the type sniffed from its bytes."
type AttachedFile {
  id: ID!
  "The file's name, cleaned of paths and control characters."
  name: String!
  "Bytes."
  size: Int!
  "Sniffed from the file's first bytes when it was uploaded, never the client's claim."
  contentType: String!
  "Hex SHA-256 of the bytes."
  sha256: String!
  "Where to download it (GET)."
  url: String!
  "The file field holding it; null for a general attachment."
  field: String
  uploadedBy: String!
  createdAt: DateTime!
}

"The tenant's rules for attached files. Upload with POST /files?object=O&record=ID (a general attachment) or ?object=O&field=F (for a file field, then give its id in the record's write), a multipart form with the file as \"file\"."
type FileRules {
  "The largest file the tenant takes, in bytes (a file field may take less)."
  maxBytes: Int!
  "The tenant's own limit; 0: the server's."
  tenantMaxBytes: Int!
  "The server's limit, above any tenant's."
  serverMaxBytes: Int!
  "Extensions (.pdf) and content types (image/*) taken where a file field does not say; empty: any."
  accept: [String!]!
}
`

const fileSDLQuery = `  "The files of a record the caller may see (general attachments and file fields' files), the newest first."
  attachments(object: String!, id: ID!): [AttachedFile!]!
  "The tenant's rules for attached files."
  fileRules: FileRules!
`

const fileSDLMutation = `  "Deletes an attached file (who may change its record); a file field's file is taken out of the field."
  deleteAttachment(id: ID!): Boolean!
  "Sets the tenant's rules for attached files: maxBytes from 1 to the server's (0 or null: the server's), at most 50 extensions or content types (administrators)."
  setFileRules(maxBytes: Int, accept: [String!]): FileRules!
`
