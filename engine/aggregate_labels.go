package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/schema/region"
	"github.com/crmkit/crm/store"
)

// labelGroups gives group keys the words people read: option labels,
// the titles of the records lookups name (one batched read per key
// position, under the caller's rules for the target: a record it may not
// see keeps its id), users' display names, bucket names and ranges,
// address parts as they are stored.
func (e *Engine) labelGroups(ctx context.Context, sc scope, obj *schema.Object, groups []AggregateGroup) error {
	if len(groups) == 0 {
		return nil
	}
	for pos := range groups[0].Keys {
		field := groups[0].Keys[pos].Field
		col, err := store.ResolveColumn(obj, field)
		if err != nil {
			return queryFailed(obj, err)
		}
		switch {
		case col.System && col.Kind == schema.KindLookup, isUserColumn(obj, col):
			// An owner, an author or a user field: the user's display name.
			for i := range groups {
				k := &groups[i].Keys[pos]
				if s, ok := k.Value.(string); ok {
					k.Label = sc.snap.principalLabel(s)
				}
			}
		case col.Kind == schema.KindLookup:
			f := obj.Field(col.Base)
			titles, err := e.recordTitles(ctx, sc, f.Target, keyStrings(groups, pos))
			if err != nil {
				return err
			}
			for i := range groups {
				k := &groups[i].Keys[pos]
				if s, ok := k.Value.(string); ok {
					t := titles[s]
					if t == "" {
						t = "#" + s[max(0, len(s)-6):]
					}
					k.Label = schema.Label{Zh: t, En: t}
				}
			}
		case col.Kind == schema.KindDate || col.Kind == schema.KindDateTime:
			for i := range groups {
				labelBucket(&groups[i].Keys[pos], col.Kind, sc.snap.zone(), sc.snap.clock().settings.FiscalYearStart)
			}
		case col.Kind == schema.KindBoolean:
			for i := range groups {
				k := &groups[i].Keys[pos]
				if b, ok := k.Value.(bool); ok {
					k.Label = schema.Label{Zh: "否", En: "No"}
					if b {
						k.Label = schema.Label{Zh: "是", En: "Yes"}
					}
				}
			}
		case col.Part != "":
			// An address part is kept as its name (广东省, 深圳市): the
			// key is its own label. A division code (440000) is labelled
			// with its division's name.
			code := slices.Contains(schema.AddressCodeParts, col.Part)
			for i := range groups {
				k := &groups[i].Keys[pos]
				if s, ok := k.Value.(string); ok {
					if n := region.Name(s); code && n != "" {
						k.Label = schema.Label{Zh: n, En: n}
					} else {
						k.Label = schema.Label{Zh: s, En: s}
					}
				}
			}
		case !col.System:
			f := obj.Field(col.Base)
			for i := range groups {
				k := &groups[i].Keys[pos]
				if s, ok := k.Value.(string); ok {
					if l, ok := f.OptionLabels[s]; ok {
						k.Label = l
					}
				}
			}
		}
		for i := range groups {
			if k := &groups[i].Keys[pos]; k.Value == nil {
				k.Label = schema.Label{Zh: "（空）", En: "(empty)"}
			}
		}
	}
	return nil
}

// isUserColumn reports whether col is a user field of obj.
func isUserColumn(obj *schema.Object, col store.Column) bool {
	if col.System || col.Part != "" {
		return false
	}
	f := obj.Field(col.Base)
	return f != nil && f.Type == schema.TypeUser
}

// keyStrings returns the distinct text values of one key position.
func keyStrings(groups []AggregateGroup, pos int) []string {
	seen := map[string]bool{}
	var out []string
	for _, g := range groups {
		if s, ok := g.Keys[pos].Value.(string); ok && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// principalLabel names an owner or author: a user's display name, else
// the id as it is.
func (s *snapshot) principalLabel(id string) schema.Label {
	if id == PoolOwner {
		return schema.Label{Zh: "公海", En: "Pool"}
	}
	if name, ok := strings.CutPrefix(id, "user:"); ok {
		if u, ok := s.users[name]; ok && u.DisplayName != "" {
			return schema.Label{Zh: u.DisplayName, En: u.DisplayName}
		}
	}
	return schema.Label{}
}

// recordTitles returns the titles of the records of target among ids that
// the caller may see; a target it may not read gives none.
func (e *Engine) recordTitles(ctx context.Context, sc scope, target string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	tobj := sc.snap.catalog.Object(target)
	if tobj == nil || len(ids) == 0 || sc.snap.mayDo(sc.actor, tobj, "read") != nil {
		return out, nil
	}
	rules := sc.snap.readRules(sc.actor, tobj)
	title := titleField(tobj, rules)
	if title == "" {
		return out, nil
	}
	recs, err := sc.ts.GetMany(ctx, tobj, ids)
	if err != nil {
		return nil, fmt.Errorf("read the titles of %d %s records: %w", len(ids), target, err)
	}
	for _, r := range rules.Show(recs) {
		switch v := r.Data[title].(type) {
		case string:
			out[r.ID] = v
		case float64:
			out[r.ID] = fmt.Sprint(v)
		}
	}
	return out, nil
}

// titleNames are the field names that name a record, in preference order
// (the web app picks titles by the same rule).
var titleNames = []string{"name", "title", "subject", "fullName", "displayName"}

// titleField picks the field that names a record of obj for a caller
// with rules: a text field called name, title, subject …; else the first
// required text field; else the first text field; else an autonumber.
// Fields the caller may not read, masked and sensitive ones are passed
// over.
func titleField(obj *schema.Object, rules *readRules) string {
	usable := func(f *schema.Field) bool {
		return f != nil && !f.Hidden && !f.Sensitive && !rules.Hides(f.Name) && !rules.Masked[f.Name]
	}
	text := func(f *schema.Field) bool {
		return usable(f) && (f.Type == schema.TypeText || f.Type == schema.TypeEmail || f.Type == schema.TypePhone)
	}
	for _, n := range titleNames {
		if f := obj.Field(n); text(f) {
			return n
		}
	}
	for _, f := range obj.Fields {
		if text(f) && f.Required && f.Type == schema.TypeText {
			return f.Name
		}
	}
	for _, f := range obj.Fields {
		if text(f) && f.Type == schema.TypeText {
			return f.Name
		}
	}
	for _, f := range obj.Fields {
		if usable(f) && f.Type == schema.TypeAutoNumber {
			return f.Name
		}
	}
	return ""
}

// labelBucket names a date key and gives its range. A date field without
// a bucket is grouped by day; fiscal keys ("2026", "2026-Q1") cover the
// fiscal years starting in month fiscalStart.
func labelBucket(k *GroupKey, kind schema.Kind, zone *time.Location, fiscalStart int) {
	s, ok := k.Value.(string)
	if !ok {
		return
	}
	if k.Bucket.Fiscal() {
		start, end, ok := store.FiscalSpan(s, fiscalStart)
		if !ok {
			return
		}
		year := s[:4]
		k.Label = schema.Label{Zh: year + "财年", En: "FY" + year}
		if k.Bucket == store.BucketFiscalQuarter {
			k.Label = schema.Label{Zh: year + "财年 " + s[5:], En: "FY" + year + " " + s[5:]}
		}
		k.From, k.To = bucketRange(start, end, kind, zone)
		return
	}
	start, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return
	}
	b := k.Bucket
	if b == store.BucketNone {
		b = store.BucketDay
	}
	y, m, _ := start.Date()
	var end time.Time
	switch b {
	case store.BucketDay:
		end = start.AddDate(0, 0, 1)
	case store.BucketWeek:
		end = start.AddDate(0, 0, 7)
		wy, w := start.ISOWeek()
		l := fmt.Sprintf("%d-W%02d", wy, w)
		k.Label = schema.Label{Zh: fmt.Sprintf("%d年第%d周", wy, w), En: l}
	case store.BucketMonth:
		end = start.AddDate(0, 1, 0)
		k.Label = schema.Label{Zh: fmt.Sprintf("%d年%d月", y, m), En: fmt.Sprintf("%d-%02d", y, m)}
	case store.BucketQuarter:
		end = start.AddDate(0, 3, 0)
		q := (int(m)-1)/3 + 1
		k.Label = schema.Label{Zh: fmt.Sprintf("%d年第%d季度", y, q), En: fmt.Sprintf("%d Q%d", y, q)}
	case store.BucketYear:
		end = start.AddDate(1, 0, 0)
		k.Label = schema.Label{Zh: fmt.Sprintf("%d年", y), En: fmt.Sprint(y)}
	}
	k.From, k.To = bucketRange(start, end, kind, zone)
}

// bucketRange writes the days start (included) to end (excluded) as a
// bucket's bounds: days for a date field, the instants the days start at
// in zone for a date-time field.
func bucketRange(start, end time.Time, kind schema.Kind, zone *time.Location) (from, to string) {
	if kind == schema.KindDate {
		return start.Format(time.DateOnly), end.Format(time.DateOnly)
	}
	at := func(d time.Time) string {
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, zone).UTC().Format(time.RFC3339)
	}
	return at(start), at(end)
}
