package mongostore

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// The aggregation pipeline runs on MongoDB 5.0+ only (FerretDB, the test
// double here, lacks its operators), so these tests pin what is sent and
// how every shape of answer is read.

func aggregateObject() *schema.Object {
	return &schema.Object{Name: "deal", Fields: []*schema.Field{
		{Name: "stage", Type: schema.TypePicklist, Options: []string{"new", "won"}},
		{Name: "amount", Type: schema.TypeCurrency},
		{Name: "qty", Type: schema.TypeInteger},
		{Name: "won", Type: schema.TypeBoolean},
		{Name: "closeDate", Type: schema.TypeDate},
		{Name: "closedAt", Type: schema.TypeDateTime},
		{Name: "account", Type: schema.TypeLookup, Target: "account"},
		{Name: "shipTo", Type: schema.TypeAddress},
	}}
}

func planFor(t *testing.T, a store.Aggregation) *store.AggregatePlan {
	t.Helper()
	p, err := store.PlanAggregate(aggregateObject(), a)
	require.NoError(t, err)
	return p
}

// pipelineJSON renders a pipeline as relaxed extended JSON.
func pipelineJSON(t *testing.T, pl mongo.Pipeline) string {
	t.Helper()
	b, err := bson.MarshalExtJSON(bson.D{{Key: "p", Value: pl}}, false, false)
	require.NoError(t, err)
	var doc struct {
		P json.RawMessage `json:"p"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	return string(doc.P)
}

func TestAggregatePipeline_Measures(t *testing.T) {
	t.Parallel()
	const isString = `{"$eq":[{"$type":"$d.account"},"string"]}`
	const units = `{"$toLong":{"$round":[{"$multiply":["$d.amount",10000]},0]}}`
	scenarios := []struct {
		name    string
		measure store.Measure
		group   string // the measure's entries of $group
		set     string // its $set entries, if any
	}{
		{name: "count", measure: store.Measure{Op: store.MeasureCount},
			group: `"m0":{"$sum":1}`},
		{name: "count distinct text", measure: store.Measure{Op: store.MeasureCountDistinct, Field: "account"},
			group: `"m0":{"$addToSet":{"$cond":[` + isString + `,"$d.account",null]}}`,
			set:   `"m0":{"$size":{"$setDifference":["$m0",[null]]}}`},
		{name: "count distinct integer", measure: store.Measure{Op: store.MeasureCountDistinct, Field: "qty"},
			group: `"m0":{"$addToSet":{"$cond":[{"$isNumber":"$d.qty"},"$d.qty",null]}}`,
			set:   `"m0":{"$size":{"$setDifference":["$m0",[null]]}}`},
		{name: "count distinct boolean", measure: store.Measure{Op: store.MeasureCountDistinct, Field: "won"},
			group: `"m0":{"$addToSet":{"$cond":[{"$eq":[{"$type":"$d.won"},"bool"]},"$d.won",null]}}`,
			set:   `"m0":{"$size":{"$setDifference":["$m0",[null]]}}`},
		{name: "sum counts its values", measure: store.Measure{Op: store.MeasureSum, Field: "qty"},
			group: `"m0":{"$sum":"$d.qty"},"n0":{"$sum":{"$cond":[{"$isNumber":"$d.qty"},1,0]}}`,
			set:   `"m0":{"$cond":[{"$gt":["$n0",0]},"$m0",null]}`},
		{name: "avg", measure: store.Measure{Op: store.MeasureAvg, Field: "qty"},
			group: `"m0":{"$avg":"$d.qty"}`},
		{name: "sum of amounts adds longs", measure: store.Measure{Op: store.MeasureSum, Field: "amount"},
			group: `"m0":{"$sum":{"$cond":[{"$isNumber":"$d.amount"},` + units + `,0]}},"n0":{"$sum":{"$cond":[{"$isNumber":"$d.amount"},1,0]}}`,
			set:   `"m0":{"$cond":[{"$gt":["$n0",0]},{"$divide":["$m0",10000]},null]},"o0":{"$eq":[{"$type":"$m0"},"double"]}`},
		{name: "avg of amounts adds longs", measure: store.Measure{Op: store.MeasureAvg, Field: "amount"},
			group: `"m0":{"$sum":{"$cond":[{"$isNumber":"$d.amount"},` + units + `,0]}},"n0":{"$sum":{"$cond":[{"$isNumber":"$d.amount"},1,0]}}`,
			set:   `"m0":{"$cond":[{"$gt":["$n0",0]},{"$divide":[{"$divide":["$m0",10000]},"$n0"]},null]},"o0":{"$eq":[{"$type":"$m0"},"double"]}`},
		{name: "min of numbers only", measure: store.Measure{Op: store.MeasureMin, Field: "qty"},
			group: `"m0":{"$min":{"$cond":[{"$isNumber":"$d.qty"},"$d.qty",null]}}`},
		{name: "max of numbers only", measure: store.Measure{Op: store.MeasureMax, Field: "amount"},
			group: `"m0":{"$max":{"$cond":[{"$isNumber":"$d.amount"},"$d.amount",null]}}`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			pl, err := aggregatePipeline(planFor(t, store.Aggregation{Measures: []store.Measure{sc.measure}}))
			require.NoError(t, err)
			want := `[{"$match":{}},{"$group":{"_id":null,` + sc.group + `}}`
			if sc.set != "" {
				want += `,{"$set":{` + sc.set + `}}`
			}
			want += `]`
			assert.JSONEq(t, want, pipelineJSON(t, pl))
		})
	}
}

func TestAggregatePipeline_Keys(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	const (
		dateText = `{"$cond":[{"$regexMatch":{"input":{"$cond":[{"$eq":[{"$type":"$d.closeDate"},"string"]},"$d.closeDate",null]},"regex":"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}},"$d.closeDate",null]}`
		dateRead = `{"$dateFromString":{"dateString":` + dateText + `,"format":"%Y-%m-%d","timezone":"+00:00","onError":null,"onNull":null}}`
		timeText = `{"$substrBytes":[{"$cond":[{"$regexMatch":{"input":{"$cond":[{"$eq":[{"$type":"$d.closedAt"},"string"]},"$d.closedAt",null]},"regex":"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"}},"$d.closedAt",null]},0,19]}`
		timeRead = `{"$dateFromString":{"dateString":` + timeText + `,"format":"%Y-%m-%dT%H:%M:%S","timezone":"+00:00","onError":null,"onNull":null}}`
	)
	day := func(read, unit, zone string) string {
		trunc := `{"date":` + read + `,"unit":"` + unit + `","timezone":"` + zone + `"`
		if unit == "week" {
			trunc += `,"startOfWeek":"monday"`
		}
		return `{"$dateToString":{"date":{"$dateTrunc":` + trunc + `}},"format":"%Y-%m-%d","timezone":"` + zone + `","onNull":null}}`
	}
	scenarios := []struct {
		name  string
		key   store.GroupBy
		zone  *time.Location
		want  string
		field string // the key's sort field
	}{
		{name: "picklist", key: store.GroupBy{Field: "stage"},
			want: `{"$cond":[{"$eq":[{"$type":"$d.stage"},"string"]},"$d.stage",null]}`},
		{name: "lookup", key: store.GroupBy{Field: "account"},
			want: `{"$cond":[{"$eq":[{"$type":"$d.account"},"string"]},"$d.account",null]}`},
		{name: "owner", key: store.GroupBy{Field: "ownerId"},
			want: `{"$cond":[{"$eq":[{"$type":"$o"},"string"]},"$o",null]}`},
		{name: "address part", key: store.GroupBy{Field: "shipTo.city"},
			want: `{"$cond":[{"$eq":[{"$type":"$d.shipTo.city"},"string"]},"$d.shipTo.city",null]}`},
		{name: "boolean", key: store.GroupBy{Field: "won"},
			want: `{"$cond":[{"$eq":[{"$type":"$d.won"},"bool"]},"$d.won",null]}`},
		{name: "integer", key: store.GroupBy{Field: "qty"},
			want: `{"$cond":[{"$isNumber":"$d.qty"},"$d.qty",null]}`},
		{name: "date without bucket is by day", key: store.GroupBy{Field: "closeDate"}, zone: shanghai,
			want: day(dateRead, "day", "+00:00")},
		{name: "date by week, in UTC whatever the zone", key: store.GroupBy{Field: "closeDate", Bucket: store.BucketWeek}, zone: shanghai,
			want: day(dateRead, "week", "+00:00")},
		{name: "date by month", key: store.GroupBy{Field: "closeDate", Bucket: store.BucketMonth},
			want: day(dateRead, "month", "+00:00")},
		{name: "date by quarter", key: store.GroupBy{Field: "closeDate", Bucket: store.BucketQuarter},
			want: day(dateRead, "quarter", "+00:00")},
		{name: "date by year", key: store.GroupBy{Field: "closeDate", Bucket: store.BucketYear},
			want: day(dateRead, "year", "+00:00")},
		{name: "date-time by day in the zone", key: store.GroupBy{Field: "closedAt", Bucket: store.BucketDay}, zone: shanghai,
			want: day(timeRead, "day", "Asia/Shanghai")},
		{name: "date-time by week in the zone", key: store.GroupBy{Field: "closedAt", Bucket: store.BucketWeek}, zone: shanghai,
			want: day(timeRead, "week", "Asia/Shanghai")},
		{name: "date-time by month without a zone is UTC", key: store.GroupBy{Field: "closedAt", Bucket: store.BucketMonth},
			want: day(timeRead, "month", "+00:00")},
		{name: "date-time by quarter in a fixed zone", key: store.GroupBy{Field: "closedAt", Bucket: store.BucketQuarter}, zone: time.FixedZone("CST", -6*3600),
			want: day(timeRead, "quarter", "-06:00")},
		{name: "date-time by year", key: store.GroupBy{Field: "closedAt", Bucket: store.BucketYear}, zone: shanghai,
			want: day(timeRead, "year", "Asia/Shanghai")},
		{name: "created at", key: store.GroupBy{Field: "createdAt", Bucket: store.BucketDay},
			want: `{"$dateToString":{"date":{"$dateTrunc":{"date":{"$dateFromString":{"dateString":{"$substrBytes":[{"$cond":[{"$regexMatch":{"input":{"$cond":[{"$eq":[{"$type":"$ca"},"string"]},"$ca",null]},"regex":"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"}},"$ca",null]},0,19]},"format":"%Y-%m-%dT%H:%M:%S","timezone":"+00:00","onError":null,"onNull":null}},"unit":"day","timezone":"+00:00"}},"format":"%Y-%m-%d","timezone":"+00:00","onNull":null}}`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			p := planFor(t, store.Aggregation{GroupBy: []store.GroupBy{sc.key}, Measures: []store.Measure{{Op: store.MeasureCount}}, Zone: sc.zone})
			pl, err := aggregatePipeline(p)
			require.NoError(t, err)
			want := `[{"$match":{}},{"$group":{"_id":{"k0":` + sc.want + `},"m0":{"$sum":1}}},{"$sort":{"_id.k0":1}}]`
			assert.JSONEq(t, want, pipelineJSON(t, pl))
		})
	}
}

func TestAggregatePipeline_Stages(t *testing.T) {
	t.Parallel()
	stage := `{"$cond":[{"$eq":[{"$type":"$d.stage"},"string"]},"$d.stage",null]}`
	won := `{"$cond":[{"$eq":[{"$type":"$d.won"},"bool"]},"$d.won",null]}`
	scenarios := []struct {
		name string
		agg  store.Aggregation
		want string
	}{
		{
			name: "filter, having, order by measure, limit",
			agg: store.Aggregation{
				Filter:   &store.Filter{Field: "amount", Op: store.OpGt, Value: 10},
				GroupBy:  []store.GroupBy{{Field: "stage"}, {Field: "won"}},
				Measures: []store.Measure{{Op: store.MeasureCount}, {Op: store.MeasureSum, Field: "amount"}},
				Having:   []store.Having{{Measure: 0, Op: store.OpGte, Value: 2}, {Measure: 1, Op: store.OpNe, Value: 0}},
				Order:    []store.GroupOrder{{Measure: true, Index: 1, Desc: true}, {Index: 1, Desc: true}},
				Limit:    20,
			},
			want: `[{"$match":{"d.amount":{"$gt":10}}},` +
				`{"$group":{"_id":{"k0":` + stage + `,"k1":` + won + `},"m0":{"$sum":1},"m1":{"$sum":{"$cond":[{"$isNumber":"$d.amount"},{"$toLong":{"$round":[{"$multiply":["$d.amount",10000]},0]}},0]}},"n1":{"$sum":{"$cond":[{"$isNumber":"$d.amount"},1,0]}}}},` +
				`{"$set":{"m1":{"$cond":[{"$gt":["$n1",0]},{"$divide":["$m1",10000]},null]},"o1":{"$eq":[{"$type":"$m1"},"double"]}}},` +
				`{"$match":{"$and":[{"m0":{"$type":"number","$gte":2}},{"m1":{"$type":"number","$ne":0}}]}},` +
				`{"$sort":{"m1":-1,"_id.k1":-1,"_id.k0":1}},` +
				`{"$limit":20}]`,
		},
		{
			name: "a measure ordered by twice is sorted by once",
			agg: store.Aggregation{
				GroupBy:  []store.GroupBy{{Field: "stage"}},
				Measures: []store.Measure{{Op: store.MeasureCount}},
				Order:    []store.GroupOrder{{Measure: true, Index: 0}, {Measure: true, Index: 0, Desc: true}},
			},
			want: `[{"$match":{}},{"$group":{"_id":{"k0":` + stage + `},"m0":{"$sum":1}}},{"$sort":{"m0":1,"_id.k0":1}}]`,
		},
		{
			name: "without keys the having is left to the adapter and nothing is sorted",
			agg: store.Aggregation{
				Measures: []store.Measure{{Op: store.MeasureCount}},
				Having:   []store.Having{{Measure: 0, Op: store.OpGt, Value: 0}},
				Limit:    5,
			},
			want: `[{"$match":{}},{"$group":{"_id":null,"m0":{"$sum":1}}}]`,
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			pl, err := aggregatePipeline(planFor(t, sc.agg))
			require.NoError(t, err)
			assert.JSONEq(t, sc.want, pipelineJSON(t, pl))
		})
	}
}

func TestZoneName(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	scenarios := []struct {
		name string
		zone *time.Location
		want string
	}{
		{name: "UTC", zone: time.UTC, want: "+00:00"},
		{name: "an IANA zone", zone: shanghai, want: "Asia/Shanghai"},
		{name: "a fixed zone east", zone: time.FixedZone("X", 5*3600+30*60), want: "+05:30"},
		{name: "a fixed zone west", zone: time.FixedZone("Y", -3*3600), want: "-03:00"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			got, err := zoneName(sc.zone)
			require.NoError(t, err)
			assert.Equal(t, sc.want, got)
		})
	}
	t.Run("the process's local zone has no name MongoDB knows", func(t *testing.T) {
		t.Parallel()
		_, err := zoneName(time.Local)
		assert.ErrorContains(t, err, `time zone "Local"`)
	})
}

// groupDoc builds one answer document of the server.
func groupDoc(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	b, err := bson.Marshal(d)
	require.NoError(t, err)
	return b
}

func TestDecodeGroup(t *testing.T) {
	t.Parallel()
	p := planFor(t, store.Aggregation{
		GroupBy: []store.GroupBy{{Field: "stage"}, {Field: "qty"}, {Field: "won"}},
		Measures: []store.Measure{
			{Op: store.MeasureCount}, {Op: store.MeasureCountDistinct, Field: "account"},
			{Op: store.MeasureSum, Field: "amount"}, {Op: store.MeasureAvg, Field: "amount"},
			{Op: store.MeasureMin, Field: "qty"}, {Op: store.MeasureMax, Field: "qty"},
		},
	})
	dec, err := bson.ParseDecimal128("12.5")
	require.NoError(t, err)
	scenarios := []struct {
		name string
		doc  bson.D
		want store.Group
	}{
		{
			name: "int32 counts and sums",
			doc: bson.D{{Key: "_id", Value: bson.D{{Key: "k0", Value: "won"}, {Key: "k1", Value: int32(3)}, {Key: "k2", Value: true}}},
				{Key: "m0", Value: int32(4)}, {Key: "m1", Value: int32(2)}, {Key: "m2", Value: int32(7)}, {Key: "n2", Value: int32(4)},
				{Key: "m3", Value: 1.75}, {Key: "m4", Value: int32(1)}, {Key: "m5", Value: int32(3)}},
			want: store.Group{Keys: []any{"won", int64(3), true}, Values: []any{int64(4), int64(2), 7.0, 1.75, 1.0, 3.0}},
		},
		{
			name: "int64 and double answers",
			doc: bson.D{{Key: "_id", Value: bson.D{{Key: "k0", Value: "new"}, {Key: "k1", Value: int64(5)}, {Key: "k2", Value: false}}},
				{Key: "m0", Value: int64(1) << 40}, {Key: "m1", Value: int64(9)}, {Key: "m2", Value: int64(1) << 53}, {Key: "n2", Value: int64(2)},
				{Key: "m3", Value: 2.5}, {Key: "m4", Value: int64(-2)}, {Key: "m5", Value: 8.0}},
			want: store.Group{Keys: []any{"new", int64(5), false}, Values: []any{int64(1) << 40, int64(9), float64(int64(1) << 53), 2.5, -2.0, 8.0}},
		},
		{
			name: "a whole double integer key is an int64, a count as a double is whole",
			doc: bson.D{{Key: "_id", Value: bson.D{{Key: "k0", Value: "x"}, {Key: "k1", Value: 2.0}, {Key: "k2", Value: nil}}},
				{Key: "m0", Value: 3.0}, {Key: "m1", Value: 0.0}, {Key: "m2", Value: dec}, {Key: "m3", Value: dec}, {Key: "m4", Value: 2.0}, {Key: "m5", Value: 2.0}},
			want: store.Group{Keys: []any{"x", int64(2), nil}, Values: []any{int64(3), int64(0), 12.5, 12.5, 2.0, 2.0}},
		},
		{
			name: "null keys and measures without a value",
			doc: bson.D{{Key: "_id", Value: bson.D{{Key: "k0", Value: nil}, {Key: "k1", Value: nil}, {Key: "k2", Value: nil}}},
				{Key: "m0", Value: int32(2)}, {Key: "m1", Value: int32(0)}, {Key: "m2", Value: nil}, {Key: "n2", Value: int32(0)},
				{Key: "m3", Value: nil}, {Key: "m4", Value: nil}, {Key: "m5", Value: nil}},
			want: store.Group{Keys: []any{nil, nil, nil}, Values: []any{int64(2), int64(0), nil, nil, nil, nil}},
		},
		{
			name: "missing keys and measures",
			doc:  bson.D{{Key: "_id", Value: bson.D{}}, {Key: "m0", Value: int32(1)}},
			want: store.Group{Keys: []any{nil, nil, nil}, Values: []any{int64(1), int64(0), nil, nil, nil, nil}},
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeGroup(p, groupDoc(t, sc.doc))
			require.NoError(t, err)
			assert.Equal(t, sc.want, got)
		})
	}

	refused := []struct {
		name string
		doc  bson.D
		want string
	}{
		{name: "no key document", doc: bson.D{{Key: "_id", Value: nil}, {Key: "m0", Value: int32(1)}}, want: "without its keys"},
		{name: "a number for a text key", doc: bson.D{{Key: "_id", Value: bson.D{{Key: "k0", Value: 1.0}}}}, want: "group key stage: the server returned a double"},
		{name: "text for a boolean key", doc: bson.D{{Key: "_id", Value: bson.D{{Key: "k2", Value: "yes"}}}}, want: "group key won: the server returned a string"},
		{name: "text for a count", doc: bson.D{{Key: "_id", Value: bson.D{}}, {Key: "m0", Value: "4"}}, want: "the server returned a string for a count"},
		{name: "text for a sum", doc: bson.D{{Key: "_id", Value: bson.D{}}, {Key: "m2", Value: "4"}}, want: "sum of amount: the server returned a string"},
	}
	for _, sc := range refused {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeGroup(p, groupDoc(t, sc.doc))
			assert.ErrorContains(t, err, sc.want)
		})
	}
}

func TestDecodeGroup_Buckets(t *testing.T) {
	t.Parallel()
	p := planFor(t, store.Aggregation{GroupBy: []store.GroupBy{{Field: "closeDate", Bucket: store.BucketMonth}}})
	scenarios := []struct {
		name string
		key  any
		want any
		err  string
	}{
		{name: "a first day", key: "2026-12-01", want: "2026-12-01"},
		{name: "no day", key: nil, want: nil},
		{name: "a date is not the answer's shape", key: bson.NewDateTimeFromTime(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)), err: "the server returned a UTC datetime for a bucket"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeGroup(p, groupDoc(t, bson.D{{Key: "_id", Value: bson.D{{Key: "k0", Value: sc.key}}}}))
			if sc.err != "" {
				assert.ErrorContains(t, err, sc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []any{sc.want}, got.Keys)
		})
	}
}

func TestOneGroup(t *testing.T) {
	t.Parallel()
	measures := []store.Measure{{Op: store.MeasureCount}, {Op: store.MeasureCountDistinct, Field: "account"}, {Op: store.MeasureSum, Field: "amount"}}
	empty := store.Group{Keys: []any{}, Values: []any{int64(0), int64(0), nil}}
	some := store.Group{Keys: []any{}, Values: []any{int64(3), int64(2), 4.5}}
	scenarios := []struct {
		name   string
		having []store.Having
		got    []store.Group
		want   []store.Group
	}{
		{name: "nothing matched: one empty group", got: nil, want: []store.Group{empty}},
		{name: "the server's group", got: []store.Group{some}, want: []store.Group{some}},
		{name: "having met by the empty group", having: []store.Having{{Measure: 0, Op: store.OpLt, Value: 1}}, want: []store.Group{empty}},
		{name: "having refuses the empty group", having: []store.Having{{Measure: 0, Op: store.OpGt, Value: 0}}, want: []store.Group{}},
		{name: "having refuses the server's group", having: []store.Having{{Measure: 0, Op: store.OpLt, Value: 1}}, got: []store.Group{some}, want: []store.Group{}},
		{name: "a sum without a value meets nothing, ne included", having: []store.Having{{Measure: 2, Op: store.OpNe, Value: 1}}, want: []store.Group{}},
		{name: "every condition must hold", having: []store.Having{{Measure: 0, Op: store.OpEq, Value: 3}, {Measure: 2, Op: store.OpLte, Value: 4}}, got: []store.Group{some}, want: []store.Group{}},
		{name: "all conditions met", having: []store.Having{{Measure: 0, Op: store.OpGte, Value: 3}, {Measure: 2, Op: store.OpGt, Value: 4}}, got: []store.Group{some}, want: []store.Group{some}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			p := planFor(t, store.Aggregation{Measures: measures, Having: sc.having})
			assert.Equal(t, sc.want, oneGroup(p, sc.got))
		})
	}
}

func TestValuesPipeline(t *testing.T) {
	t.Parallel()
	p := planFor(t, store.Aggregation{
		Filter:   &store.Filter{Field: "won", Op: store.OpEq, Value: true},
		GroupBy:  []store.GroupBy{{Field: "stage"}, {Field: "closedAt", Bucket: store.BucketWeek}},
		Measures: []store.Measure{{Op: store.MeasureCount}, {Op: store.MeasureSum, Field: "amount"}, {Op: store.MeasureMax, Field: "amount"}, {Op: store.MeasureCountDistinct, Field: "stage"}},
		Having:   []store.Having{{Measure: 0, Op: store.OpGt, Value: 1}},
		Limit:    2,
	})
	pl, keys, measures := valuesPipeline(p)
	assert.JSONEq(t, `[{"$match":{"d.won":true}},{"$group":{"_id":{"p0":"$d.stage","p1":"$d.closedAt","p2":"$d.amount"},"c":{"$sum":1}}}]`, pipelineJSON(t, pl))
	assert.Equal(t, []string{"p0", "p1"}, keys, "each path is read once")
	assert.Equal(t, []string{"", "p2", "p2", "p0"}, measures)
}

func TestGroupFolder_Groups(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	p := planFor(t, store.Aggregation{
		GroupBy:  []store.GroupBy{{Field: "stage"}, {Field: "closedAt", Bucket: store.BucketDay}},
		Measures: []store.Measure{{Op: store.MeasureCount}, {Op: store.MeasureSum, Field: "amount"}, {Op: store.MeasureAvg, Field: "amount"}, {Op: store.MeasureMin, Field: "amount"}, {Op: store.MeasureCountDistinct, Field: "qty"}},
		Having:   []store.Having{{Measure: 0, Op: store.OpGte, Value: 2}},
		Order:    []store.GroupOrder{{Measure: true, Index: 1, Desc: true}},
		Zone:     shanghai,
	})
	f := newGroupFolder(p)
	key := func(stage, at any) []any {
		return []any{keyOf(p.Keys[0], stage, p.Zone, p.FiscalYearStart), keyOf(p.Keys[1], at, p.Zone, p.FiscalYearStart)}
	}
	// Rows as the server groups raw values: a row stands for n records.
	f.add(key("won", "2026-12-04T15:59:59.999999Z"), []any{nil, 10.0, 10.0, 10.0, 1.0}, 2)
	f.add(key("won", "2026-12-03T16:00:00.000000Z"), []any{nil, "x", "x", "x", 2.0}, 1)
	f.add(key("won", "2026-12-05T01:00:00Z"), []any{nil, 1.5, 1.5, 1.5, 1.5}, 3)
	f.add(key(7.0, nil), []any{nil, nil, nil, nil, nil}, 2)
	f.add(key(nil, "not a time"), []any{nil, -4.0, -4.0, -4.0, 1.0}, 1)
	f.add(key("lost", "2026-12-05T01:00:00Z"), []any{nil, 3.0, 3.0, 3.0, 1.0}, 1)
	got, err := f.groups()
	require.NoError(t, err)
	assert.Equal(t, []store.Group{
		{Keys: []any{"won", "2026-12-04"}, Values: []any{int64(3), 20.0, 10.0, 10.0, int64(2)}},
		{Keys: []any{"won", "2026-12-05"}, Values: []any{int64(3), 4.5, 1.5, 1.5, int64(1)}},
		{Keys: []any{nil, nil}, Values: []any{int64(3), -4.0, -4.0, -4.0, int64(1)}},
	}, got, "a mistyped key is nil; non-numbers are left out; the having drops lost")
}

func TestCapabilities_Pipelines(t *testing.T) {
	t.Parallel()
	byStage := planFor(t, store.Aggregation{GroupBy: []store.GroupBy{{Field: "stage"}}})
	byMonth := planFor(t, store.Aggregation{GroupBy: []store.GroupBy{{Field: "stage"}, {Field: "closeDate", Bucket: store.BucketMonth}}})
	scenarios := []struct {
		name      string
		caps      capabilities
		plan      *store.AggregatePlan
		pipelines bool
	}{
		{name: "MongoDB 5.0+ runs buckets", caps: capabilities{groupExpressions: true, dateTrunc: true}, plan: byMonth, pipelines: true},
		{name: "MongoDB 4.4 runs plain keys", caps: capabilities{groupExpressions: true}, plan: byStage, pipelines: true},
		{name: "MongoDB 4.4 has no $dateTrunc", caps: capabilities{groupExpressions: true}, plan: byMonth},
		{name: "FerretDB groups by values", caps: capabilities{}, plan: byStage},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, sc.pipelines, sc.caps.pipelines(sc.plan))
		})
	}
}

func TestAggregatePipeline_FiscalKeys(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	const (
		dateText = `{"$cond":[{"$regexMatch":{"input":{"$cond":[{"$eq":[{"$type":"$d.closeDate"},"string"]},"$d.closeDate",null]},"regex":"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}},"$d.closeDate",null]}`
		dateRead = `{"$dateFromString":{"dateString":` + dateText + `,"format":"%Y-%m-%d","timezone":"+00:00","onError":null,"onNull":null}}`
		timeText = `{"$substrBytes":[{"$cond":[{"$regexMatch":{"input":{"$cond":[{"$eq":[{"$type":"$d.closedAt"},"string"]},"$d.closedAt",null]},"regex":"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"}},"$d.closedAt",null]},0,19]}`
		timeRead = `{"$dateFromString":{"dateString":` + timeText + `,"format":"%Y-%m-%dT%H:%M:%S","timezone":"+00:00","onError":null,"onNull":null}}`
	)
	month := func(read, zone string) string {
		return `{"$dateTrunc":{"date":` + read + `,"unit":"month","timezone":"` + zone + `"}}`
	}
	shift := func(read, zone string, back int) string {
		return `{"$dateAdd":{"startDate":` + month(read, zone) + `,"unit":"month","amount":` + strconv.Itoa(-back) + `,"timezone":"` + zone + `"}}`
	}
	year := func(shifted, zone string) string {
		return `{"$dateToString":{"date":` + shifted + `,"format":"%Y","timezone":"` + zone + `","onNull":null}}`
	}
	quarter := func(shifted, zone string) string {
		q := `{"$toString":{"$toInt":{"$ceil":{"$divide":[{"$month":{"date":` + shifted + `,"timezone":"` + zone + `"}},3]}}}}`
		return `{"$concat":[` + year(shifted, zone) + `,"-Q",` + q + `]}`
	}
	scenarios := []struct {
		name  string
		key   store.GroupBy
		zone  *time.Location
		start int
		want  string
	}{
		{name: "a date's fiscal year from April, in UTC", key: store.GroupBy{Field: "closeDate", Bucket: store.BucketFiscalYear}, zone: shanghai, start: 4,
			want: year(shift(dateRead, "+00:00", 3), "+00:00")},
		{name: "a date's fiscal quarter from October", key: store.GroupBy{Field: "closeDate", Bucket: store.BucketFiscalQuarter}, start: 10,
			want: quarter(shift(dateRead, "+00:00", 9), "+00:00")},
		{name: "from January the month is not moved", key: store.GroupBy{Field: "closeDate", Bucket: store.BucketFiscalQuarter},
			want: quarter(month(dateRead, "+00:00"), "+00:00")},
		{name: "a date-time's fiscal year in the zone", key: store.GroupBy{Field: "closedAt", Bucket: store.BucketFiscalYear}, zone: shanghai, start: 7,
			want: year(shift(timeRead, "Asia/Shanghai", 6), "Asia/Shanghai")},
		{name: "a date-time's fiscal quarter in the zone", key: store.GroupBy{Field: "closedAt", Bucket: store.BucketFiscalQuarter}, zone: shanghai, start: 4,
			want: quarter(shift(timeRead, "Asia/Shanghai", 3), "Asia/Shanghai")},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			p := planFor(t, store.Aggregation{GroupBy: []store.GroupBy{sc.key}, Measures: []store.Measure{{Op: store.MeasureCount}}, Zone: sc.zone, FiscalYearStart: sc.start})
			pl, err := aggregatePipeline(p)
			require.NoError(t, err)
			want := `[{"$match":{}},{"$group":{"_id":{"k0":` + sc.want + `},"m0":{"$sum":1}}},{"$sort":{"_id.k0":1}}]`
			assert.JSONEq(t, want, pipelineJSON(t, pl))
		})
	}
}

func TestKeyOf_Fiscal(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	p := planFor(t, store.Aggregation{GroupBy: []store.GroupBy{{Field: "closedAt", Bucket: store.BucketFiscalQuarter}}, Zone: shanghai, FiscalYearStart: 4})
	assert.Equal(t, "2026-Q1", keyOf(p.Keys[0], "2026-03-31T16:00:00Z", p.Zone, p.FiscalYearStart))
	assert.Equal(t, "2025-Q4", keyOf(p.Keys[0], "2026-03-31T15:59:59Z", p.Zone, p.FiscalYearStart))
	assert.Nil(t, keyOf(p.Keys[0], "soon", p.Zone, p.FiscalYearStart))
}
