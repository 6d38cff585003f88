package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
)

// Recycling is what the recycle bin needs: its list, restore, purge and
// the tenant's retention (engine/recycle.go says what the bin keeps).
type Recycling interface {
	RecycleBin(ctx context.Context, q engine.BinQuery) (*engine.BinPage, error)
	RestoreDeleted(ctx context.Context, ids []string) ([]engine.RestoreResult, error)
	PurgeDeleted(ctx context.Context, ids []string) (int, error)
	EmptyRecycleBin(ctx context.Context, object string) (int, error)
	RecycleRetention(ctx context.Context) (int, error)
	SetRecycleRetention(ctx context.Context, days int) (int, error)
}

// restoreValue is one element of restoreDeleted's answer.
type restoreValue struct {
	res engine.RestoreResult
	err *Error // nil unless the restore failed
}

// recycleResolvers serve the recycle bin's queries and mutations.
func (s *execSchema) recycleResolvers(query, mutation map[string]resolver) {
	eng := s.srv.recycle
	ids := func(fc *fieldCall) []string {
		items, _ := fc.args["ids"].([]any)
		out := make([]string, 0, len(items))
		for _, it := range items {
			id, _ := it.(string)
			out = append(out, id)
		}
		return out
	}
	query["recycleBin"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		q := engine.BinQuery{}
		q.Object, _ = fc.args["object"].(string)
		q.After, _ = fc.args["after"].(string)
		if n, ok := fc.args["first"].(int64); ok {
			if n < 1 || n > engine.MaxBinPage {
				return nil, badRequestf("first must be between 1 and %d", engine.MaxBinPage)
			}
			q.First = int(n)
		}
		return eng.RecycleBin(ctx, q)
	}
	query["recycleBinSettings"] = func(ctx context.Context, _ any, _ *fieldCall) (any, error) {
		days, err := eng.RecycleRetention(ctx)
		if err != nil {
			return nil, err
		}
		return int64(days), nil
	}
	mutation["restoreDeleted"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		results, err := eng.RestoreDeleted(ctx, ids(fc))
		if err != nil {
			return nil, err
		}
		out := make([]any, len(results))
		for i, r := range results {
			v := &restoreValue{res: r}
			if r.Err != nil {
				v.err = fc.req.srv.classify(r.Err, fc.req.lang, fc.req.requestID)
			}
			out[i] = v
		}
		return out, nil
	}
	mutation["purgeDeleted"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		n, err := eng.PurgeDeleted(ctx, ids(fc))
		return int64(n), err
	}
	mutation["emptyRecycleBin"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		object, _ := fc.args["object"].(string)
		n, err := eng.EmptyRecycleBin(ctx, object)
		return int64(n), err
	}
	mutation["setRecycleBinRetention"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		days, _ := fc.args["days"].(int64)
		if days < 0 || days > engine.MaxRetentionDays {
			days = -1 // out of range, whatever its size: the engine says why
		}
		got, err := eng.SetRecycleRetention(ctx, int(days))
		if err != nil {
			return nil, err
		}
		return int64(got), nil
	}
}

// recycleTypeResolvers serve RecycleBinPage, DeletedRecord,
// RestoreOutcome and RecycleBinSettings.
func recycleTypeResolvers() (page, entry, outcome, settings map[string]resolver) {
	pv := func(p any) *engine.BinPage { return p.(*engine.BinPage) }
	page = map[string]resolver{
		"entries": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			out := make([]any, len(pv(p).Entries))
			for i := range pv(p).Entries {
				out[i] = &pv(p).Entries[i]
			}
			return out, nil
		},
		"hasNextPage":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return pv(p).HasMore, nil },
		"endCursor":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(pv(p).EndCursor), nil },
		"retentionDays": func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(pv(p).RetentionDays), nil },
	}
	ev := func(p any) *engine.BinEntry { return p.(*engine.BinEntry) }
	entry = map[string]resolver{
		"id":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return ev(p).ID, nil },
		"object":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return ev(p).Object, nil },
		"title":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(ev(p).Title), nil },
		"data":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return rawJSON(ev(p).Record.Data) },
		"ownerId": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(ev(p).Record.OwnerID), nil },
		"version": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return clampInt32(ev(p).Record.Version), nil
		},
		"reason":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return ev(p).Reason, nil },
		"deletedBy":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return ev(p).DeletedBy, nil },
		"deletedAt":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return formatTime(ev(p).DeletedAt), nil },
		"expiresAt":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return formatTime(ev(p).ExpiresAt), nil },
		"references": func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(ev(p).References), nil },
	}
	ov := func(p any) *restoreValue { return p.(*restoreValue) }
	strs := func(ss []string) []any {
		out := make([]any, len(ss))
		for i, s := range ss {
			out[i] = s
		}
		return out
	}
	outcome = map[string]resolver{
		"id":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return ov(p).res.ID, nil },
		"object":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(ov(p).res.Object), nil },
		"restored": func(_ context.Context, p any, _ *fieldCall) (any, error) { return ov(p).err == nil, nil },
		"error": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if e := ov(p).err; e != nil {
				return e, nil
			}
			return nil, nil
		},
		"data": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if ov(p).err != nil {
				return nil, nil
			}
			return rawJSON(ov(p).res.Record.Data)
		},
		"version": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if ov(p).err != nil {
				return nil, nil
			}
			return clampInt32(ov(p).res.Record.Version), nil
		},
		"clearedLookups": func(_ context.Context, p any, _ *fieldCall) (any, error) { return strs(ov(p).res.ClearedLookups), nil },
		"droppedFields":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return strs(ov(p).res.DroppedFields), nil },
		"referencesRestored": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return int64(ov(p).res.ReferencesRestored), nil
		},
		"referencesNotRestored": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return int64(ov(p).res.ReferencesNotRestored), nil
		},
		"historyLost": func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(ov(p).res.HistoryLost), nil },
	}
	settings = map[string]resolver{
		"retentionDays":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return p.(int64), nil },
		"maxRetentionDays": func(_ context.Context, _ any, _ *fieldCall) (any, error) { return int64(engine.MaxRetentionDays), nil },
	}
	return page, entry, outcome, settings
}

// recycleSDL holds the recycle bin's types.
const recycleSDL = `
"A page of the recycle bin, the last deleted first."
type RecycleBinPage {
  entries: [DeletedRecord!]!
  hasNextPage: Boolean!
  "Pass as after for the next page."
  endCursor: String
  "How many days deleted records stay restorable (0: deletes are final)."
  retentionDays: Int!
}

"A deleted record in the recycle bin, as the caller may see it."
type DeletedRecord {
  "The record's id, which it keeps when restored."
  id: ID!
  "The API name of its object."
  object: String!
  "The value of the field that names the record (name, title …), if the caller may read one."
  title: String
  "The record's values when it was deleted, with the caller's field rules applied."
  data: JSON!
  ownerId: String
  version: Int!
  "delete, or merge (merged into another record)."
  reason: String!
  deletedBy: String!
  deletedAt: DateTime!
  "When the worker purges it: deletedAt plus the tenant's retention."
  expiresAt: DateTime!
  "How many references to it (lookups of other records) its delete cleared."
  references: Int!
}

"What became of one id of restoreDeleted."
type RestoreOutcome {
  id: ID!
  object: String
  restored: Boolean!
  "Why the restore failed; null otherwise."
  error: WriteError
  "The restored record's values as committed; null when it failed."
  data: JSON
  version: Int
  "Its own lookup fields that lost a value because the record named is gone."
  clearedLookups: [String!]!
  "Stored values of fields the object no longer has."
  droppedFields: [String!]!
  "References to it that its delete cleared and the restore put back."
  referencesRestored: Int!
  "References it could not put back (the referring record is gone or now refers elsewhere)."
  referencesNotRestored: Int!
  "Stage moves that could not come back."
  historyLost: Int!
}

"The tenant's recycle bin settings."
type RecycleBinSettings {
  "How many days deleted records stay restorable; 0: deletes are final."
  retentionDays: Int!
  maxRetentionDays: Int!
}
`

const recycleSDLQuery = `  "Deleted records the caller may restore, of one object or all, the last deleted first (first: 1–200, default 50)."
  recycleBin(object: String, first: Int, after: String): RecycleBinPage!
  "How long the recycle bin keeps deleted records."
  recycleBinSettings: RecycleBinSettings!
`

const recycleSDLMutation = `  "Restores deleted records (at most 250 ids, the bound of every list argument), each on its own: one outcome per id, in order."
  restoreDeleted(ids: [ID!]!): [RestoreOutcome!]!
  "Purges records from the recycle bin for good (at most 250 ids), all or none (administrators, or the one who deleted them); answers how many."
  purgeDeleted(ids: [ID!]!): Int!
  "Purges every record in the recycle bin, or one object's (administrators)."
  emptyRecycleBin(object: String): Int!
  "Sets how many days deleted records stay restorable, 0 to 3650 (administrators)."
  setRecycleBinRetention(days: Int!): RecycleBinSettings!
`
