package graphql

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/crmkit/crm/engine"
)

// Deduplicating is what duplicate rules and merges need of the engine
// (x-crm-duplicates; engine/duplicate.go). An engine without it serves
// the fields with an error.
type Deduplicating interface {
	PossibleDuplicates(ctx context.Context, object, id string) ([]engine.DuplicateMatch, error)
	CheckDuplicates(ctx context.Context, object, id string, input map[string]any) ([]engine.DuplicateMatch, error)
	DuplicateGroups(ctx context.Context, object, rule string, first int, after string) ([]engine.DuplicateGroup, string, error)
	MergeRecords(ctx context.Context, object, survivor string, others []string, fields map[string]string) (engine.MergeResult, error)
	RebuildDuplicateKeys(ctx context.Context, object string) (engine.Job, error)
}

var errNoDedupe = errors.New("graphql: the engine does not serve duplicate rules")

func (s *execSchema) dedupe() (Deduplicating, error) {
	d, ok := s.srv.meta.(Deduplicating)
	if !ok {
		return nil, errNoDedupe
	}
	return d, nil
}

// duplicateResolvers serve possibleDuplicates, checkDuplicates,
// duplicateGroups, mergeRecords and rebuildDuplicateKeys.
func (s *execSchema) duplicateResolvers(query, mutation map[string]resolver) {
	query["possibleDuplicates"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		d, err := s.dedupe()
		if err != nil {
			return nil, err
		}
		return anyList(d.PossibleDuplicates(ctx, fc.args["object"].(string), fc.args["id"].(string)))
	}
	query["checkDuplicates"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		d, err := s.dedupe()
		if err != nil {
			return nil, err
		}
		var data map[string]any
		raw, _ := fc.args["data"].(json.RawMessage)
		if err := json.Unmarshal(raw, &data); err != nil || data == nil {
			return nil, badRequestf("data must be an object of field values: {\"name\": \"…\"}")
		}
		id, _ := fc.args["id"].(string)
		return anyList(d.CheckDuplicates(ctx, fc.args["object"].(string), id, data))
	}
	query["duplicateGroups"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		d, err := s.dedupe()
		if err != nil {
			return nil, err
		}
		rule, _ := fc.args["rule"].(string)
		after, _ := fc.args["after"].(string)
		first := engine.DefaultDuplicateGroups
		if n, ok := fc.args["first"].(int64); ok {
			first = int(n)
		}
		if first < 1 || first > engine.MaxDuplicateGroups {
			return nil, badRequestf("first must be between 1 and %d", engine.MaxDuplicateGroups)
		}
		groups, next, err := d.DuplicateGroups(ctx, fc.args["object"].(string), rule, first, after)
		if err != nil {
			return nil, err
		}
		return &duplicatePage{groups: groups, cursor: next}, nil
	}
	mutation["mergeRecords"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		d, err := s.dedupe()
		if err != nil {
			return nil, err
		}
		var others []string
		items, _ := fc.args["others"].([]any)
		for _, it := range items {
			id, _ := it.(string)
			others = append(others, id)
		}
		fields := map[string]string{}
		if raw, ok := fc.args["fields"].(json.RawMessage); ok && len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, &fields); err != nil {
				return nil, badRequestf("fields is {\"field\": \"id of the record whose value is kept\"}: %v", err)
			}
		}
		res, err := d.MergeRecords(ctx, fc.args["object"].(string), fc.args["survivor"].(string), others, fields)
		if err != nil {
			return nil, err
		}
		return &res, nil
	}
	mutation["rebuildDuplicateKeys"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		d, err := s.dedupe()
		if err != nil {
			return nil, err
		}
		j, err := d.RebuildDuplicateKeys(ctx, fc.args["object"].(string))
		if err != nil {
			return nil, err
		}
		return &j, nil
	}
}

type duplicatePage struct {
	groups []engine.DuplicateGroup
	cursor string
}

// duplicateTypeResolvers serve DuplicateMatch, DuplicateGroup,
// DuplicateGroupPage and MergeResult.
func duplicateTypeResolvers() (match, group, page, merge map[string]resolver) {
	m := func(p any) engine.DuplicateMatch { return p.(engine.DuplicateMatch) }
	match = map[string]resolver{
		"id":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return m(p).ID, nil },
		"title":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return m(p).Title, nil },
		"rule":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return m(p).Rule, nil },
		"ruleLabel": func(_ context.Context, p any, _ *fieldCall) (any, error) { return m(p).RuleLabel, nil },
		"action":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return m(p).Action, nil },
		"score":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return m(p).Score, nil },
	}
	g := func(p any) engine.DuplicateGroup { return p.(engine.DuplicateGroup) }
	group = map[string]resolver{
		"rule":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return g(p).Rule, nil },
		"ruleLabel": func(_ context.Context, p any, _ *fieldCall) (any, error) { return g(p).RuleLabel, nil },
		"action":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return g(p).Action, nil },
		"key":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return g(p).Key, nil },
		"ids":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return anyList(g(p).Records, nil) },
		"titles":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return anyList(g(p).Titles, nil) },
	}
	pg := func(p any) *duplicatePage { return p.(*duplicatePage) }
	page = map[string]resolver{
		"groups":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return anyList(pg(p).groups, nil) },
		"hasNextPage": func(_ context.Context, p any, _ *fieldCall) (any, error) { return pg(p).cursor != "", nil },
		"endCursor": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if pg(p).cursor == "" {
				return nil, nil
			}
			return pg(p).cursor, nil
		},
	}
	r := func(p any) *engine.MergeResult { return p.(*engine.MergeResult) }
	merge = map[string]resolver{
		"survivorId": func(_ context.Context, p any, _ *fieldCall) (any, error) { return r(p).Survivor.ID, nil },
		"version": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return clampInt32(r(p).Survivor.Version), nil
		},
		"merged":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return anyList(r(p).Merged, nil) },
		"references": func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(r(p).References), nil },
		"history":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(r(p).History), nil },
	}
	return
}

const duplicateSDL = `
"A record that another record, or input about to be written, duplicates under an object's duplicate rule (x-crm-duplicates)."
type DuplicateMatch {
  "The matching record."
  id: ID!
  "The matching record's title (its name field)."
  title: String!
  "The rule's name and label."
  rule: String!
  ruleLabel: Label!
  "block (a write matching it is refused) or warn (it lands and is listed here)."
  action: String!
  "Similarity: 1 for exact and normalized rules, the bigram similarity of the normalised values for fuzzy ones."
  score: Float!
}

"Records sharing a match key under a duplicate rule."
type DuplicateGroup {
  rule: String!
  ruleLabel: Label!
  action: String!
  "The shared key in words (normalised); empty for keys of sensitive fields, which are kept as hashes."
  key: String!
  "The group's records the caller may see (2–20), and their titles in the same order."
  ids: [ID!]!
  titles: [String!]!
}

"A page of duplicate groups."
type DuplicateGroupPage {
  groups: [DuplicateGroup!]!
  hasNextPage: Boolean!
  "Pass as after for the next page; null on the last."
  endCursor: String
}

"What mergeRecords did."
type MergeResult {
  "The surviving record and its version after the merge."
  survivorId: ID!
  version: Int!
  "The records merged into it (deleted)."
  merged: [ID!]!
  "Lookup and multilookup fields re-pointed to the survivor (a record with two such fields counts twice)."
  references: Int!
  "Stage changes, audit entries, notifications and timers re-pointed to the survivor."
  history: Int!
}
`

const duplicateSDLQuery = `  "The records that record id of object duplicates under the object's duplicate rules, best first (at most 50; records the caller may not see are left out)."
  possibleDuplicates(object: String!, id: ID!): [DuplicateMatch!]!
  "The records that input would duplicate: the values of a record about to be created, or (with id) the changed values of record id — what a form checks before saving."
  checkDuplicates(object: String!, data: JSON!, id: ID): [DuplicateMatch!]!
  "Groups of records of object sharing a match key, by rule (one rule, or every active one) and key; first 1–100 (20 by default)."
  duplicateGroups(object: String!, rule: String, first: Int, after: String): DuplicateGroupPage!
`

const duplicateSDLMutation = `  "Merges 1 or 2 records (others) into survivor in one transaction: fields {field: id of the record whose value survives} (unnamed fields keep the survivor's), every lookup, multilookup, stage change, audit entry, notification and timer of the others re-pointed to survivor, the others deleted, the merge audited on survivor. Needs update on survivor and delete on the others."
  mergeRecords(object: String!, survivor: ID!, others: [ID!]!, fields: JSON): MergeResult!
  "Builds the duplicate keys of object's records again, as a job (administrators only): after records came in around the engine, such as a restore."
  rebuildDuplicateKeys(object: String!): Job!
`

// anyList turns a resolver's slice into the []any the executor completes.
func anyList[T any](items []T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it
	}
	return out, nil
}
