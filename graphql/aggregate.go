package graphql

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The aggregate query of an object (dealsAggregate): groups of its
// records with measures per group. The measures are the ones the
// operation selects on the group type (count, sum(field: amount) …,
// aliases allowing several) and the ones its having and orderBy name, so
// the store computes exactly what is asked, in one query.

// aggregateModel is what an object's aggregate query adds to the API.
type aggregateModel struct {
	obj   *objectModel
	field string // Query field: "dealsAggregate"
	// groupFields and measureFields are the values of the object's
	// group-field and measure-field enums: field names, and the region
	// parts of address fields as FIELD_PART (see
	// [schema.AddressPartName]).
	groupFields   []string
	measureFields []string
	// parts maps the enum values of address parts to the store's dotted
	// paths ("shipTo_city" → "shipTo.city").
	parts map[string]string
}

// storeField is the field the store knows an enum value of the object's
// aggregate enums by.
func (a *aggregateModel) storeField(value string) string {
	if path, ok := a.parts[value]; ok {
		return path
	}
	return value
}

func (a *aggregateModel) resultType() string     { return a.obj.typeName + "Aggregate" }
func (a *aggregateModel) groupType() string      { return a.obj.typeName + "Group" }
func (a *aggregateModel) groupByType() string    { return a.obj.typeName + "GroupBy" }
func (a *aggregateModel) groupEnum() string      { return a.obj.typeName + "GroupField" }
func (a *aggregateModel) measureEnum() string    { return a.obj.typeName + "MeasureField" }
func (a *aggregateModel) measureType() string    { return a.obj.typeName + "Measure" }
func (a *aggregateModel) havingType() string     { return a.obj.typeName + "Having" }
func (a *aggregateModel) groupOrderType() string { return a.obj.typeName + "GroupOrder" }

// measureFunctions maps AggregateFunction values to store measures.
var measureFunctions = map[string]store.MeasureOp{
	"COUNT": store.MeasureCount, "COUNT_DISTINCT": store.MeasureCountDistinct, "SUM": store.MeasureSum,
	"AVG": store.MeasureAvg, "MIN": store.MeasureMin, "MAX": store.MeasureMax,
}

// groupMeasureFields are the fields of a group type that are measures,
// with the function each computes.
var groupMeasureFields = map[string]store.MeasureOp{
	"count": store.MeasureCount, "countDistinct": store.MeasureCountDistinct, "sum": store.MeasureSum,
	"avg": store.MeasureAvg, "min": store.MeasureMin, "max": store.MeasureMax,
}

// aggregateSystemFields are the system fields a group may be keyed by.
var aggregateSystemFields = []string{"createdAt", "updatedAt", "createdBy", "updatedBy", "ownerId"}

// addAggregates gives an object its aggregate query when its generated
// names are free (a clash leaves only the aggregate out).
func (b *modelBuilder) addAggregates(om *objectModel) {
	a := &aggregateModel{obj: om, field: om.list + "Aggregate"}
	claims := []string{"query:" + a.field, "type:" + a.resultType(), "type:" + a.groupType(), "type:" + a.groupByType(),
		"type:" + a.groupEnum(), "type:" + a.measureEnum(), "type:" + a.measureType(), "type:" + a.havingType(), "type:" + a.groupOrderType()}
	if !b.claim(fmt.Sprintf("aggregate of %q", om.name), claims) {
		return
	}
	a.groupFields = append(a.groupFields, aggregateSystemFields...)
	a.measureFields = append(a.measureFields, aggregateSystemFields...)
	for _, fm := range om.fields {
		if fm.f.Sensitive || !enumValueRE.MatchString(fm.name) || fm.name == "true" || fm.name == "false" || fm.name == "null" {
			continue
		}
		switch fm.kind {
		case schema.KindNumber:
			a.measureFields = append(a.measureFields, fm.name)
		case schema.KindAddress:
			a.addRegionParts(om, fm.name)
		case schema.KindString, schema.KindBoolean, schema.KindLookup, schema.KindDate, schema.KindDateTime, schema.KindInteger:
			if fm.f.Type == schema.TypeTextarea || fm.f.Type == schema.TypeRichText {
				continue
			}
			a.groupFields = append(a.groupFields, fm.name)
			a.measureFields = append(a.measureFields, fm.name)
		}
	}
	om.aggregate = a
	b.m.aggregates[a.field] = a
}

// addRegionParts offers the region parts of an address field (province,
// city …) as group fields and distinct-count fields, each named
// FIELD_PART, which no field name can be.
func (a *aggregateModel) addRegionParts(om *objectModel, field string) {
	for _, part := range schema.RegionParts {
		value := schema.AddressPartName(field, part)
		if !enumValueRE.MatchString(value) || slices.ContainsFunc(om.fields, func(f *fieldModel) bool { return f.name == value }) {
			continue
		}
		if a.parts == nil {
			a.parts = map[string]string{}
		}
		a.parts[value] = field + "." + part
		a.groupFields = append(a.groupFields, value)
		a.measureFields = append(a.measureFields, value)
	}
}

// aggregateDefs are the types of an object's aggregate query.
func (a *aggregateModel) defs() ast.DefinitionList {
	o := a.obj
	enum := func(name, desc string, values []string) *ast.Definition {
		d := &ast.Definition{Kind: ast.Enum, Name: name, Description: desc}
		for _, v := range values {
			ev := &ast.EnumValueDefinition{Name: v}
			if path, ok := a.parts[v]; ok {
				field, part, _ := strings.Cut(path, ".")
				l := schema.AddressPartLabels[part]
				ev.Description = fmt.Sprintf("%s: the %s (%s) of the address field %s; group keys name it so.", path, strings.ToLower(l.En), l.Zh, field)
			}
			d.EnumValues = append(d.EnumValues, ev)
		}
		return d
	}
	measureArg := argDef("field", a.measureEnum()+"!")
	return ast.DefinitionList{
		&ast.Definition{Kind: ast.Object, Name: a.resultType(), Description: "Groups of " + o.name + " records.",
			Fields: ast.FieldList{
				fieldDef("groups", "["+a.groupType()+"!]!", "The groups, in orderBy's order (then by the keys), at most first."),
				fieldDef("hasMore", "Boolean!", "True when more groups matched than first."),
				fieldDef("scanned", "Int!", "How many records the aggregation read: its cost, charged to the tenant's budget of aggregate reads. 0 when cached."),
				fieldDef("cached", "Boolean!", "True when the answer was computed earlier and kept because no record of the object has changed since; it read nothing."),
			}},
		&ast.Definition{Kind: ast.Object, Name: a.groupType(), Description: "One group of " + o.name + " records: its keys (one per groupBy) and the measures selected.",
			Fields: ast.FieldList{
				fieldDef("keys", "[GroupKey!]!", ""),
				fieldDef("count", "Int!", "The records in the group."),
				fieldDef("countDistinct", "Int!", "The distinct values of a field in the group, records without one left out.", measureArg),
				fieldDef("sum", "Float", "The sum of a number field over the group; null when no record has a value.", measureArg),
				fieldDef("avg", "Float", "The average of a number field over the records with a value; null when none has one.", measureArg),
				fieldDef("min", "Float", "The smallest value of a number field; null when no record has a value.", measureArg),
				fieldDef("max", "Float", "The largest value of a number field; null when no record has a value.", measureArg),
			}},
		&ast.Definition{Kind: ast.InputObject, Name: a.groupByType(), Description: "One field to group by. Date and date-time fields are cut into buckets in the tenant's time zone (date fields default to DAY; date-time fields need a bucket).",
			Fields: ast.FieldList{fieldDef("field", a.groupEnum()+"!", ""), fieldDef("bucket", "DateBucket", "")}},
		enum(a.groupEnum(), "The fields of "+o.name+" that groups may be keyed by.", a.groupFields),
		enum(a.measureEnum(), "The fields of "+o.name+" that measures may take: numbers for sum, avg, min and max; any of them for countDistinct.", a.measureFields),
		&ast.Definition{Kind: ast.InputObject, Name: a.measureType(), Description: "A measure: COUNT takes no field, the others one.",
			Fields: ast.FieldList{fieldDef("function", "AggregateFunction!", ""), fieldDef("field", a.measureEnum(), "")}},
		&ast.Definition{Kind: ast.InputObject, Name: a.havingType(), Description: "Keeps the groups whose measure meets every comparison given; a measure without a value (null) meets none.",
			Fields: ast.FieldList{
				fieldDef("measure", a.measureType()+"!", ""),
				fieldDef("eq", "Float", ""), fieldDef("ne", "Float", ""), fieldDef("gt", "Float", ""),
				fieldDef("gte", "Float", ""), fieldDef("lt", "Float", ""), fieldDef("lte", "Float", ""),
			}},
		&ast.Definition{Kind: ast.InputObject, Name: a.groupOrderType(), Description: "One order key of groups: set exactly one of key (a position in groupBy, from 0) and measure.",
			Fields: ast.FieldList{
				fieldDef("key", "Int", ""), fieldDef("measure", a.measureType(), ""), fieldDef("direction", "SortDirection", "ASC when not given."),
			}},
	}
}

// aggregateValue is an answer of an aggregate query; index finds a
// measure's position by "function:field".
type aggregateValue struct {
	res   *engine.AggregateResult
	index map[string]int
}

type groupValue struct {
	g     *engine.AggregateGroup
	index map[string]int
}

func measureKey(op store.MeasureOp, field string) string { return string(op) + ":" + field }

// aggregateResolver serves Query.<list>Aggregate.
func (s *execSchema) aggregateResolver(a *aggregateModel) resolver {
	return func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		q := engine.AggregateQuery{}
		index := map[string]int{}
		measure := func(op store.MeasureOp, field string) int {
			k := measureKey(op, field)
			if i, ok := index[k]; ok {
				return i
			}
			index[k] = len(q.Measures)
			q.Measures = append(q.Measures, store.Measure{Op: op, Field: a.storeField(field)})
			return index[k]
		}
		if err := aggregateArgs(a, fc.args, &q, measure); err != nil {
			return nil, err
		}
		if err := selectedMeasures(a, fc, measure); err != nil {
			return nil, err
		}
		res, err := s.srv.records.Aggregate(ctx, a.obj.name, q)
		if err != nil {
			return nil, err
		}
		return &aggregateValue{res: res, index: index}, nil
	}
}

// aggregateArgs reads view, filter, groupBy, having, orderBy and first.
func aggregateArgs(a *aggregateModel, args map[string]any, q *engine.AggregateQuery, measure func(store.MeasureOp, string) int) error {
	if s, ok := args["view"].(string); ok {
		q.View = s
	}
	if n, ok := args["first"].(int64); ok {
		if n < 1 || n > engine.MaxGroups {
			return badRequestf("first must be between 1 and %d, got %d", engine.MaxGroups, n)
		}
		q.First = int(n)
	}
	if m, ok := args["filter"].(map[string]any); ok {
		f, nonEmpty, err := filterNode(a.obj, m, "filter")
		if err != nil {
			return err
		}
		if nonEmpty {
			q.Filter = &f
		}
	}
	groupBy, _ := args["groupBy"].([]any)
	for _, g := range groupBy {
		m, _ := g.(map[string]any)
		field, _ := m["field"].(string)
		bucket, _ := m["bucket"].(string)
		q.GroupBy = append(q.GroupBy, store.GroupBy{Field: a.storeField(field), Bucket: bucketOf(bucket)})
	}
	having, _ := args["having"].([]any)
	for _, h := range having {
		m, _ := h.(map[string]any)
		op, field, err := measureArg(m["measure"])
		if err != nil {
			return fmt.Errorf("having: %w", err)
		}
		i := measure(op, field)
		given := 0
		for _, cmp := range []store.Op{store.OpEq, store.OpNe, store.OpGt, store.OpGte, store.OpLt, store.OpLte} {
			if v, ok := m[string(cmp)].(float64); ok {
				q.Having = append(q.Having, store.Having{Measure: i, Op: cmp, Value: v})
				given++
			}
		}
		if given == 0 {
			return badRequestf("having: give at least one of eq, ne, gt, gte, lt, lte")
		}
	}
	orderBy, _ := args["orderBy"].([]any)
	for _, o := range orderBy {
		m, _ := o.(map[string]any)
		desc := m["direction"] == "DESC"
		key, hasKey := m["key"].(int64)
		switch _, hasMeasure := m["measure"].(map[string]any); {
		case hasKey == hasMeasure:
			return badRequestf("orderBy: set exactly one of key and measure")
		case hasKey:
			if key < 0 || int(key) >= len(q.GroupBy) {
				return badRequestf("orderBy: key %d is not a position in groupBy (0 to %d)", key, len(q.GroupBy)-1)
			}
			q.Order = append(q.Order, store.GroupOrder{Index: int(key), Desc: desc})
		default:
			op, field, err := measureArg(m["measure"])
			if err != nil {
				return fmt.Errorf("orderBy: %w", err)
			}
			q.Order = append(q.Order, store.GroupOrder{Measure: true, Index: measure(op, field), Desc: desc})
		}
	}
	return nil
}

// measureArg reads a <Type>Measure input.
func measureArg(v any) (store.MeasureOp, string, error) {
	m, _ := v.(map[string]any)
	fn, _ := m["function"].(string)
	op, ok := measureFunctions[fn]
	if !ok {
		return "", "", badRequestf("unknown aggregate function %q", fn)
	}
	field, _ := m["field"].(string)
	switch {
	case op == store.MeasureCount && field != "":
		return "", "", badRequestf("COUNT counts records and takes no field: use COUNT_DISTINCT")
	case op != store.MeasureCount && field == "":
		return "", "", badRequestf("%s takes a field", fn)
	}
	return op, field, nil
}

// selectedMeasures adds the measures the operation selects on the groups.
func selectedMeasures(a *aggregateModel, fc *fieldCall, measure func(store.MeasureOp, string) int) error {
	r := fc.req
	fieldEnum := &ast.Type{NamedType: a.measureEnum(), NonNull: true}
	for _, c := range r.collect(a.resultType(), fc.fields) {
		if c.fields[0].Name != "groups" {
			continue
		}
		for _, g := range r.collect(a.groupType(), c.fields) {
			op, ok := groupMeasureFields[g.fields[0].Name]
			if !ok {
				continue
			}
			if op == store.MeasureCount {
				measure(op, "")
				continue
			}
			for _, f := range g.fields {
				arg := f.Arguments.ForName("field")
				if arg == nil {
					continue
				}
				v, err := coerceLiteral(r.s.ast, arg.Value, fieldEnum, r.vars)
				if err != nil {
					return badRequestf("%s(field:): %v", f.Name, err)
				}
				if s, ok := v.(string); ok {
					measure(op, s)
				}
			}
		}
	}
	return nil
}

func aggregateResolvers() (result, group, key map[string]resolver) {
	av := func(p any) *aggregateValue { return p.(*aggregateValue) }
	result = map[string]resolver{
		"groups": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			v := av(p)
			out := make([]any, len(v.res.Groups))
			for i := range v.res.Groups {
				out[i] = &groupValue{g: &v.res.Groups[i], index: v.index}
			}
			return out, nil
		},
		"hasMore": func(_ context.Context, p any, _ *fieldCall) (any, error) { return av(p).res.HasMore, nil },
		"scanned": func(_ context.Context, p any, _ *fieldCall) (any, error) { return clampInt32(av(p).res.Scanned), nil },
		"cached":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return av(p).res.Cached, nil },
	}
	gv := func(p any) *groupValue { return p.(*groupValue) }
	measureOf := func(op store.MeasureOp) resolver {
		return func(_ context.Context, p any, fc *fieldCall) (any, error) {
			field, _ := fc.args["field"].(string)
			i, ok := gv(p).index[measureKey(op, field)]
			if !ok {
				return nil, fmt.Errorf("aggregate: measure %s of %q was not computed", op, field)
			}
			switch v := gv(p).g.Values[i].(type) {
			case int64:
				if op == store.MeasureCount || op == store.MeasureCountDistinct {
					return clampInt32(v), nil
				}
				return float64(v), nil
			case float64:
				return v, nil
			}
			return nil, nil
		}
	}
	group = map[string]resolver{
		"keys": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			keys := gv(p).g.Keys
			out := make([]any, len(keys))
			for i := range keys {
				out[i] = &keys[i]
			}
			return out, nil
		},
	}
	for name, op := range groupMeasureFields {
		group[name] = measureOf(op)
	}
	gk := func(p any) *engine.GroupKey { return p.(*engine.GroupKey) }
	key = map[string]resolver{
		"field": func(_ context.Context, p any, _ *fieldCall) (any, error) { return gk(p).Field, nil },
		"bucket": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			if b := gk(p).Bucket; b != store.BucketNone {
				return bucketEnum(b), nil
			}
			return nil, nil
		},
		"value": func(_ context.Context, p any, _ *fieldCall) (any, error) { return gk(p).Value, nil },
		"label": func(_ context.Context, p any, fc *fieldCall) (any, error) {
			k := gk(p)
			l := k.Label.Zh
			if fc.req.lang == "en" && k.Label.En != "" || l == "" {
				l = k.Label.En
			}
			if l == "" {
				if s, ok := k.Value.(string); ok {
					return s, nil
				}
				return nil, nil
			}
			return l, nil
		},
		"from": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(gk(p).From), nil },
		"to":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(gk(p).To), nil },
	}
	return result, group, key
}

// bucketEnum is a bucket's DateBucket value: DAY, …, FISCAL_QUARTER.
func bucketEnum(b store.Bucket) string {
	var out strings.Builder
	for _, r := range string(b) {
		if r >= 'A' && r <= 'Z' {
			out.WriteByte('_')
		}
		out.WriteRune(r)
	}
	return strings.ToUpper(out.String())
}

// bucketOf is the bucket a DateBucket value names; "" for none.
func bucketOf(enum string) store.Bucket {
	word, b := strings.ToLower(enum), ""
	for i, part := range strings.Split(word, "_") {
		if i > 0 && part != "" {
			part = strings.ToUpper(part[:1]) + part[1:]
		}
		b += part
	}
	return store.Bucket(b)
}
