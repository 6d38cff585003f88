package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/crmkit/crm/engine/dedupe"
	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Duplicate rules (x-crm-duplicates, see schema.DuplicateRule): every
// record's match keys live in the platform object crmDuplicateKey, one
// record per key {object, rule, key, value, record}, indexed on (object,
// rule, key) and on record. The writer keeps them in the transaction of
// every create, update and delete, so that a write finds the records it
// duplicates with one indexed query instead of scanning the object; a job
// builds them for the records already there when a rule is added or
// changed. Keys of sensitive fields are keyed hashes (seal.MatchKey), so
// the key store reveals nothing the record encrypts.

const duplicateKeyObject = "crmDuplicateKey"

// maxDuplicateCandidates bounds the key records one check reads: a
// fuzzy rule's blocking key shared by more records than this compares the
// new record with the first ones only (documented in docs/decisions.md).
const maxDuplicateCandidates = 500

// maxDuplicateMatches bounds the matches one check or query reports.
const maxDuplicateMatches = 50

// DuplicateMatch is a record that another one (a record, or input about
// to be written) duplicates under a rule.
type DuplicateMatch struct {
	// ID is the matching record; Title names it ("" when the caller may
	// not see it, or it has no title field).
	ID    string
	Title string
	// Rule is the rule's name, RuleLabel its label (the name when none),
	// Action its action (schema.DuplicateBlock or DuplicateWarn).
	Rule      string
	RuleLabel schema.Label
	Action    string
	// Score is the similarity: 1 for exact and normalized rules.
	Score float64
	// Visible is false for a match the caller may not read: it blocks a
	// write all the same, without being named.
	Visible bool
}

// ruleKeys are the match keys of one record, per rule name.
type ruleKeys map[string][]dedupe.Key

// activeRules returns the rules of obj that are switched on.
func activeRules(obj *schema.Object) []*schema.DuplicateRule {
	var out []*schema.DuplicateRule
	for i := range obj.Duplicates {
		if obj.Duplicates[i].Active {
			out = append(out, &obj.Duplicates[i])
		}
	}
	return out
}

// duplicateKeys computes the keys of data under obj's active rules;
// a rule over a sensitive field gets keyed hashes instead.
func (e *Engine) duplicateKeys(tenant string, obj *schema.Object, data map[string]any) ruleKeys {
	out := ruleKeys{}
	for _, r := range activeRules(obj) {
		keys := dedupe.Keys(r, data)
		if len(keys) == 0 {
			continue
		}
		if sensitiveRule(obj, r) && e.sealer != nil {
			for i, k := range keys {
				h := e.sealer.MatchKey(tenant, obj.Name, r.Name, k.Key)
				keys[i] = dedupe.Key{Key: h, Value: h}
			}
		}
		out[r.Name] = keys
	}
	return out
}

func sensitiveRule(obj *schema.Object, r *schema.DuplicateRule) bool {
	for _, m := range r.Match {
		if f := obj.Field(m.Field); f != nil && f.Sensitive {
			return true
		}
	}
	return false
}

func ruleNamed(obj *schema.Object, name string) *schema.DuplicateRule {
	for i := range obj.Duplicates {
		if obj.Duplicates[i].Name == name {
			return &obj.Duplicates[i]
		}
	}
	return nil
}

// findDuplicates returns the records other than self whose keys match
// keys, best first, without reading them: ID, Rule, Action and Score set.
// It reads at most maxDuplicateCandidates key records with one query.
func findDuplicates(ctx context.Context, r store.Reader, keyObj, obj *schema.Object, self string, keys ruleKeys) ([]DuplicateMatch, error) {
	if keyObj == nil || len(keys) == 0 {
		return nil, nil
	}
	var or []store.Filter
	for _, rule := range slices.Sorted(maps.Keys(keys)) {
		var ks []any
		for _, k := range keys[rule] {
			ks = append(ks, k.Key)
		}
		or = append(or, store.Filter{And: []store.Filter{store.Leaf("rule", store.OpEq, rule), store.Leaf("key", store.OpIn, ks)}})
	}
	f := store.Filter{And: []store.Filter{store.Leaf("object", store.OpEq, obj.Name), {Or: or}}}
	page, err := r.Find(ctx, keyObj, store.Query{Filter: &f, Limit: maxDuplicateCandidates})
	if err != nil {
		return nil, fmt.Errorf("find duplicate keys of %s: %w", obj.Name, err)
	}
	type hit struct{ id, rule string }
	best := map[hit]float64{}
	for _, kr := range page.Records {
		id, _ := kr.Data["record"].(string)
		name, _ := kr.Data["rule"].(string)
		value, _ := kr.Data["value"].(string)
		rule := ruleNamed(obj, name)
		if id == self || rule == nil || len(keys[name]) == 0 {
			continue
		}
		score, ok := dedupe.Matches(rule, keys[name][0].Value, value)
		if ok && score > best[hit{id, name}] {
			best[hit{id, name}] = score
		}
	}
	out := make([]DuplicateMatch, 0, len(best))
	for h, score := range best {
		rule := ruleNamed(obj, h.rule)
		out = append(out, DuplicateMatch{ID: h.id, Rule: h.rule, RuleLabel: ruleLabel(rule), Action: rule.Action, Score: score})
	}
	sortMatches(out)
	return out, nil
}

// sortMatches orders matches blocking first, then by score, rule and id.
func sortMatches(ms []DuplicateMatch) {
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if (a.Action == schema.DuplicateBlock) != (b.Action == schema.DuplicateBlock) {
			return a.Action == schema.DuplicateBlock
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.ID < b.ID
	})
}

func ruleLabel(r *schema.DuplicateRule) schema.Label {
	l := r.Label
	if l.Zh == "" {
		l.Zh = r.Name
	}
	if l.En == "" {
		l.En = r.Name
	}
	return l
}

// resolveMatches keeps the matches whose records exist (a key left by a
// record gone meanwhile matches nothing), at most maxDuplicateMatches,
// and names those the actor may see.
func (e *Engine) resolveMatches(ctx context.Context, r store.Reader, snap *snapshot, a Actor, obj *schema.Object, ms []DuplicateMatch) ([]DuplicateMatch, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		if !slices.Contains(ids, m.ID) {
			ids = append(ids, m.ID)
		}
	}
	recs, err := r.GetMany(ctx, obj, ids)
	if err != nil {
		return nil, fmt.Errorf("read %d possible duplicates of %s: %w", len(ids), obj.Name, err)
	}
	rules := snap.readRules(a, obj)
	title := titleField(obj, rules)
	byID := map[string]*store.Record{}
	for i := range recs {
		byID[recs[i].ID] = &recs[i]
	}
	out := make([]DuplicateMatch, 0, len(ms))
	for _, m := range ms {
		rec := byID[m.ID]
		if rec == nil {
			continue
		}
		if rules.Sees(rec) {
			m.Visible = true
			if title != "" {
				m.Title = fmt.Sprint(valueOr(rec.Data[title], ""))
			}
		}
		out = append(out, m)
		if len(out) == maxDuplicateMatches {
			break
		}
	}
	return out, nil
}

func valueOr(v, or any) any {
	if v == nil {
		return or
	}
	return v
}

// duplicateNotesKey carries a [duplicateNotes] through a context.
type duplicateNotesKey struct{}

// duplicateNotes collects, per written record id, the warn matches its
// write let through; the import reads them to note them on its rows.
type duplicateNotes map[string][]DuplicateMatch

func withDuplicateNotes(ctx context.Context) (context.Context, duplicateNotes) {
	n := duplicateNotes{}
	return context.WithValue(ctx, duplicateNotesKey{}, n), n
}

// checkDuplicates is the writer's step of a create (old nil) or update
// of record id of obj whose data is about to be stored: when the record's
// match keys changed, it refuses the write if a block rule matches
// another record, notes the warn matches, and stores the new keys. An
// update that leaves the keys as they were checks nothing, so a record
// that was a duplicate before can still be edited.
func (w *writer) checkDuplicates(ctx context.Context, tx store.Tx, obj *schema.Object, id string, old, data map[string]any) error {
	if w.dupKeys == nil || len(obj.Duplicates) == 0 {
		return nil
	}
	keys := w.e.duplicateKeys(w.actor.TenantID, obj, data)
	if old != nil {
		before := w.e.duplicateKeys(w.actor.TenantID, obj, old)
		if keysEqual(before, keys) {
			return nil
		}
	}
	found, err := findDuplicates(ctx, tx, w.dupKeys, obj, id, keys)
	if err != nil {
		return err
	}
	ms, err := w.e.resolveMatches(ctx, tx, w.snap, w.actor, obj, found)
	if err != nil {
		return err
	}
	var warn []DuplicateMatch
	for _, m := range ms {
		if m.Action != schema.DuplicateBlock {
			warn = append(warn, m)
			continue
		}
		rule := ruleNamed(obj, m.Rule)
		field := rule.Match[0].Field
		if m.Visible && m.Title != "" {
			return obj.Invalid([]schema.FieldError{fieldError(field, "duplicate", "duplicate.blocked",
				labelEn(obj), labelZh(obj), m.Title, m.RuleLabel.En, m.RuleLabel.Zh)})
		}
		return obj.Invalid([]schema.FieldError{fieldError(field, "duplicate", "duplicate.blockedUnseen",
			labelEn(obj), labelZh(obj), m.RuleLabel.En, m.RuleLabel.Zh)})
	}
	if notes, ok := ctx.Value(duplicateNotesKey{}).(duplicateNotes); ok && len(warn) > 0 {
		notes[id] = warn
	}
	if old != nil {
		if err := deleteByRecord(ctx, tx, w.dupKeys, id); err != nil {
			return err
		}
	}
	return w.e.insertDuplicateKeys(ctx, tx, w.dupKeys, obj, id, keys)
}

func keysEqual(a, b ruleKeys) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// insertDuplicateKeys stores the keys of record id.
func (e *Engine) insertDuplicateKeys(ctx context.Context, tx store.Tx, keyObj, obj *schema.Object, id string, keys ruleKeys) error {
	now := e.stamp()
	for _, rule := range slices.Sorted(maps.Keys(keys)) {
		seen := map[string]bool{}
		for _, k := range keys[rule] {
			if seen[k.Key] {
				continue
			}
			seen[k.Key] = true
			rec := store.Record{ID: e.newID(), Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "system", UpdatedBy: "system",
				Data: map[string]any{"object": obj.Name, "rule": rule, "key": k.Key, "value": k.Value, "record": id}}
			if err := tx.Insert(ctx, keyObj, rec); err != nil {
				return fmt.Errorf("store duplicate key of %s %q: %w", obj.Name, id, err)
			}
		}
	}
	return nil
}

// forgetDuplicateKeys removes the keys of a deleted record.
func (w *writer) forgetDuplicateKeys(ctx context.Context, tx store.Tx, obj *schema.Object, id string) error {
	if keyObj := w.snap.platform[duplicateKeyObject]; keyObj != nil && len(obj.Duplicates) > 0 {
		return deleteByRecord(ctx, tx, keyObj, id)
	}
	return nil
}

// PossibleDuplicates returns the records the record id of object
// duplicates under the object's active rules, as the caller may see them
// (matches it may not read are left out), best first, at most 50.
func (e *Engine) PossibleDuplicates(ctx context.Context, object, id string) ([]DuplicateMatch, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	rec, err := sc.ts.Get(ctx, sc.obj, id)
	if err != nil || !sc.rules.Sees(&rec) {
		if err == nil || errors.Is(err, store.ErrNotFound) {
			return nil, notFound(sc.obj, id, err)
		}
		return nil, fmt.Errorf("read %s %q: %w", object, id, err)
	}
	return e.matchesOf(ctx, sc.scope, sc.obj, id, rec.Data)
}

// CheckDuplicates returns the records that input, a record about to be
// created (id "") or the new state of record id, would duplicate: what a
// form shows before saving. Matches the caller may not read are left out.
func (e *Engine) CheckDuplicates(ctx context.Context, object, id string, input map[string]any) ([]DuplicateMatch, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	data := maps.Clone(input)
	if id != "" {
		rec, err := sc.ts.Get(ctx, sc.obj, id)
		if err != nil || !sc.rules.Sees(&rec) {
			if err == nil || errors.Is(err, store.ErrNotFound) {
				return nil, notFound(sc.obj, id, err)
			}
			return nil, fmt.Errorf("read %s %q: %w", object, id, err)
		}
		data = maps.Clone(rec.Data)
		for k, v := range input {
			if v == nil {
				delete(data, k)
			} else {
				data[k] = v
			}
		}
	}
	return e.matchesOf(ctx, sc.scope, sc.obj, id, data)
}

func (e *Engine) matchesOf(ctx context.Context, sc scope, obj *schema.Object, id string, data map[string]any) ([]DuplicateMatch, error) {
	keyObj := sc.snap.platform[duplicateKeyObject]
	found, err := findDuplicates(ctx, sc.ts, keyObj, obj, id, e.duplicateKeys(sc.actor.TenantID, obj, data))
	if err != nil {
		return nil, err
	}
	ms, err := e.resolveMatches(ctx, sc.ts, sc.snap, sc.actor, obj, found)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ms, func(m DuplicateMatch) bool { return !m.Visible }), nil
}

func labelEn(obj *schema.Object) string {
	if obj.Label.En != "" {
		return obj.Label.En
	}
	return obj.Name
}

// Bounds of [Engine.DuplicateGroups].
const (
	DefaultDuplicateGroups = 20
	MaxDuplicateGroups     = 100
	// maxGroupRecords bounds the records one group lists.
	maxGroupRecords = 20
)

// DuplicateGroup is a set of records that share a match key under a rule.
type DuplicateGroup struct {
	Rule      string
	RuleLabel schema.Label
	Action    string
	// Key is the shared key in words ("" for keys of sensitive fields,
	// which are hashes).
	Key string
	// Records are the group's records the caller may see (at least two),
	// at most 20, by id; Titles names each.
	Records []string
	Titles  []string
}

// DuplicateGroups lists groups of object's records that share a key
// under rule (every active rule when ""), at most first (20 by default,
// at most 100) per call, ordered by rule and key; after is the cursor of
// the previous page (the last group's rule and key, from the returned
// cursor), and the cursor is "" once no group follows. Only records the
// caller may see count: a group with fewer than two of them is left out.
// The database counts the keys (one aggregation per rule and page), so a
// call reads no records beyond the groups it returns.
func (e *Engine) DuplicateGroups(ctx context.Context, object, rule string, first int, after string) ([]DuplicateGroup, string, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, "", err
	}
	if first <= 0 {
		first = DefaultDuplicateGroups
	}
	if first > MaxDuplicateGroups {
		first = MaxDuplicateGroups
	}
	rules := activeRules(sc.obj)
	if rule != "" {
		r := ruleNamed(sc.obj, rule)
		if r == nil {
			return nil, "", errorOf(ErrBadRequest, nil, "duplicate.noSuchRule", object, rule, labelZh(sc.obj))
		}
		rules = []*schema.DuplicateRule{r}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].Name < rules[j].Name }) // the cursor's order
	keyObj := sc.snap.platform[duplicateKeyObject]
	agg, ok := sc.ts.(store.Aggregator)
	if keyObj == nil || len(rules) == 0 || !ok {
		return nil, "", nil
	}
	afterRule, afterKey, _ := strings.Cut(after, "\x00")
	var out []DuplicateGroup
	for _, r := range rules {
		if after != "" && r.Name < afterRule {
			continue
		}
		from := ""
		if r.Name == afterRule {
			from = afterKey
		}
		for len(out) < first {
			f := store.Filter{And: []store.Filter{store.Leaf("object", store.OpEq, sc.obj.Name), store.Leaf("rule", store.OpEq, r.Name)}}
			if from != "" {
				f.And = append(f.And, store.Leaf("key", store.OpGt, from))
			}
			want := first - len(out)
			groups, err := agg.Aggregate(ctx, keyObj, store.Aggregation{Filter: &f, GroupBy: []store.GroupBy{{Field: "key"}},
				Measures: []store.Measure{{Op: store.MeasureCount}}, Having: []store.Having{{Measure: 0, Op: store.OpGte, Value: 2}},
				Order: []store.GroupOrder{{Index: 0}}, Limit: want})
			if err != nil {
				return nil, "", fmt.Errorf("group duplicate keys of %s: %w", object, err)
			}
			for _, g := range groups {
				key, _ := g.Keys[0].(string)
				from = key
				grps, err := e.duplicateGroup(ctx, sc, keyObj, r, key)
				if err != nil {
					return nil, "", err
				}
				for _, grp := range grps {
					// A fuzzy rule's records share two blocking keys when
					// both ends match: one group is enough.
					if !slices.ContainsFunc(out, func(o DuplicateGroup) bool { return o.Rule == grp.Rule && slices.Equal(o.Records, grp.Records) }) {
						out = append(out, grp)
					}
				}
			}
			if len(groups) < want {
				break
			}
		}
		if len(out) >= first {
			return out, r.Name + "\x00" + from, nil
		}
	}
	return out, "", nil
}

// duplicateGroup reads the records sharing key under r that the caller
// may see: one group of them, or for a fuzzy rule one per cluster of
// similar names (records linked by a chain of similar pairs); a group
// needs two records.
func (e *Engine) duplicateGroup(ctx context.Context, sc objectScope, keyObj *schema.Object, r *schema.DuplicateRule, key string) ([]DuplicateGroup, error) {
	f := store.Filter{And: []store.Filter{store.Leaf("object", store.OpEq, sc.obj.Name), store.Leaf("rule", store.OpEq, r.Name), store.Leaf("key", store.OpEq, key)}}
	page, err := sc.ts.Find(ctx, keyObj, store.Query{Filter: &f, Sort: []store.Sort{{Field: "record"}}, Limit: maxDuplicateCandidates})
	if err != nil {
		return nil, fmt.Errorf("read duplicate key group of %s: %w", sc.obj.Name, err)
	}
	var ids []string
	values := map[string]string{}
	for _, kr := range page.Records {
		id, _ := kr.Data["record"].(string)
		v, _ := kr.Data["value"].(string)
		if _, seen := values[id]; !seen {
			ids = append(ids, id)
			values[id] = v
		}
	}
	if r.Fuzzy() && strings.HasPrefix(key, "l:") && sameFirstBlock(ids, values) {
		return nil, nil // the group of their first characters lists them
	}
	recs, err := sc.ts.GetMany(ctx, sc.obj, ids)
	if err != nil {
		return nil, fmt.Errorf("read duplicate group of %s: %w", sc.obj.Name, err)
	}
	recs = sc.rules.Show(recs)
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	clusters := [][]store.Record{recs}
	if r.Fuzzy() {
		clusters = similarClusters(r, recs, values)
	}
	title := titleField(sc.obj, sc.rules)
	var out []DuplicateGroup
	for _, members := range clusters {
		if len(members) < 2 {
			continue
		}
		g := DuplicateGroup{Rule: r.Name, RuleLabel: ruleLabel(r), Action: r.Action}
		if !sensitiveRule(sc.obj, r) {
			g.Key = dedupe.Display(key)
		}
		for _, rec := range members[:min(len(members), maxGroupRecords)] {
			g.Records = append(g.Records, rec.ID)
			t := ""
			if title != "" {
				t = fmt.Sprint(valueOr(rec.Data[title], ""))
			}
			g.Titles = append(g.Titles, t)
		}
		out = append(out, g)
	}
	return out, nil
}

// similarClusters splits recs (in id order) into the sets linked by a
// chain of pairs at least r's threshold similar, each in id order,
// ordered by their first record.
func similarClusters(r *schema.DuplicateRule, recs []store.Record, values map[string]string) [][]store.Record {
	parent := make([]int, len(recs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range recs {
		for j := i + 1; j < len(recs); j++ {
			if _, ok := dedupe.Matches(r, values[recs[i].ID], values[recs[j].ID]); ok {
				if a, b := find(i), find(j); a != b {
					parent[max(a, b)] = min(a, b)
				}
			}
		}
	}
	byRoot := map[int]int{}
	var out [][]store.Record
	for i, rec := range recs {
		root := find(i)
		k, ok := byRoot[root]
		if !ok {
			k = len(out)
			byRoot[root] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], rec)
	}
	return out
}

// maxImportNotesPerRow bounds the duplicates noted on one imported row.
const maxImportNotesPerRow = 3

// duplicateImportNotes words the warn matches of an imported row.
func duplicateImportNotes(obj *schema.Object, line int, ms []DuplicateMatch) []ImportNote {
	var out []ImportNote
	for _, m := range ms {
		if len(out) == maxImportNotesPerRow {
			break
		}
		title := m.Title
		if !m.Visible || title == "" {
			title = m.ID
		}
		out = append(out, ImportNote{Line: line,
			Message:   message.Text(message.En, "duplicate.note", labelEn(obj), title, m.RuleLabel.En, m.RuleLabel.Zh),
			MessageZh: message.Text(message.Zh, "duplicate.note", labelEn(obj), title, m.RuleLabel.En, m.RuleLabel.Zh)})
	}
	return out
}

// sameFirstBlock reports whether the values of ids share their first
// blocking key, so that a group by their last characters repeats one by
// their first.
func sameFirstBlock(ids []string, values map[string]string) bool {
	first := ""
	for i, id := range ids {
		b := dedupe.Blocks(values[id])[0]
		if i == 0 {
			first = b
		} else if b != first {
			return false
		}
	}
	return true
}
