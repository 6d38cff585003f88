package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// filterRecords are the fixture of the filter tests: r5 has no fields at
// all and r6 has every field set to null, so every operator meets missing
// and null values.
func filterRecords() []store.Record {
	data := []map[string]any{
		{ // r1
			"name": "Alpha Deal", "code": "A-1", "stage": "new", "amount": 100.0, "qty": 1.0, "won": false,
			"closeDate": "2024-01-15", "closedAt": "2024-01-15T10:00:00.000000Z", "email": "alpha@example.com",
			"notes": "100% sure_thing", "account": "acc1", "tags": []any{"hot", "big"}, "contacts": []any{"c1", "c2"},
			"shipTo": map[string]any{"country": "CN", "province": "Shanghai", "city": "Shanghai"},
		},
		{ // r2
			"name": "beta deal", "code": "B-2", "stage": "won", "amount": 250.5, "qty": 3.0, "won": true,
			"closeDate": "2024-02-20", "closedAt": "2024-02-20T08:30:00.000000Z", "email": "beta@example.com",
			"notes": "50 percent", "account": "acc2", "tags": []any{"cold"}, "contacts": []any{"c2"},
			"shipTo": map[string]any{"country": "CN", "city": "Beijing"},
		},
		{ // r3
			"name": "Gamma", "code": "C-3", "stage": "lost", "amount": 0.0, "qty": 0.0, "won": false,
			"closeDate": "2023-12-31", "closedAt": "2023-12-31T23:59:59.999999Z",
			"notes": "gamma_ray", "account": "acc1", "tags": []any{}, "contacts": []any{},
			"shipTo": map[string]any{"city": "shanghai"},
		},
		{ // r4
			"name": "Δelta Straße", "stage": "new", "amount": -50.0, "qty": 2.0, "won": true,
			"notes": "100 percent", "tags": []any{"hot"}, "extra": map[string]any{"k": "v"},
		},
		{}, // r5
		{ // r6
			"name": nil, "code": nil, "stage": nil, "amount": nil, "qty": nil, "won": nil, "closeDate": nil,
			"closedAt": nil, "email": nil, "notes": nil, "account": nil, "tags": nil, "contacts": nil,
			"shipTo": nil, "extra": nil,
		},
		{ // r7
			"name": "alpha beta", "code": "D-4", "stage": "won", "amount": 1000000.0, "qty": 10.0, "won": false,
			"closeDate": "2024-02-20", "closedAt": "2024-03-01T00:00:00.000000Z", "email": "x@y.z",
			"account": "acc3", "tags": []any{"big", "hot", "vip"}, "contacts": []any{"c3"},
			"shipTo": map[string]any{"country": "CN", "city": "Shenzhen"}, "extra": []any{1.0, 2.0},
		},
	}
	recs := make([]store.Record, len(data))
	for i, d := range data {
		r := record("r"+string(rune('1'+i)), time.Duration(i)*time.Hour, d)
		if i >= 3 {
			r.CreatedBy, r.UpdatedBy = "u2", "u2"
		}
		if i == 1 || i == 6 {
			r.Version = 2
		}
		recs[i] = r
	}
	return recs
}

func leaf(field string, op store.Op, v any) *store.Filter {
	f := store.Leaf(field, op, v)
	return &f
}

func and(fs ...*store.Filter) *store.Filter { return &store.Filter{And: deref(fs)} }
func or(fs ...*store.Filter) *store.Filter  { return &store.Filter{Or: deref(fs)} }
func not(f *store.Filter) *store.Filter     { return &store.Filter{Not: f} }

// nested is a filter of n nots around a condition.
func nested(n int) *store.Filter {
	f := leaf("won", store.OpEq, true)
	for range n {
		f = not(f)
	}
	return f
}

func deref(fs []*store.Filter) []store.Filter {
	out := make([]store.Filter, len(fs))
	for i, f := range fs {
		out[i] = *f
	}
	return out
}

func list(vs ...any) []any {
	if vs == nil {
		return []any{}
	}
	return vs
}

var allFilterIDs = []string{"r1", "r2", "r3", "r4", "r5", "r6", "r7"}

func testFilters(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)
	insert(t, ts, deal, filterRecords()...)
	at := func(h int) string { return base.Add(time.Duration(h) * time.Hour).Format(store.TimeLayout) }

	scenarios := []struct {
		name   string
		filter *store.Filter
		want   []string
	}{
		{name: "nil filter", filter: nil, want: allFilterIDs},
		{name: "empty filter", filter: &store.Filter{}, want: allFilterIDs},
		{name: "empty and", filter: &store.Filter{And: []store.Filter{}}, want: allFilterIDs},

		// text
		{name: "text eq", filter: leaf("name", store.OpEq, "Gamma"), want: []string{"r3"}},
		{name: "text eq is case-sensitive", filter: leaf("name", store.OpEq, "gamma"), want: []string{}},
		{name: "text ne matches missing and null", filter: leaf("name", store.OpNe, "Gamma"), want: []string{"r1", "r2", "r4", "r5", "r6", "r7"}},
		{name: "text in", filter: leaf("name", store.OpIn, list("Gamma", "beta deal", "nope")), want: []string{"r2", "r3"}},
		{name: "text in empty list", filter: leaf("name", store.OpIn, list()), want: []string{}},
		{name: "text in string slice", filter: leaf("name", store.OpIn, []string{"Gamma"}), want: []string{"r3"}},
		{name: "text nin matches missing and null", filter: leaf("name", store.OpNin, list("Gamma", "beta deal")), want: []string{"r1", "r4", "r5", "r6", "r7"}},
		{name: "text nin empty list", filter: leaf("name", store.OpNin, list()), want: allFilterIDs},
		{name: "text gt in byte order", filter: leaf("name", store.OpGt, "Gamma"), want: []string{"r2", "r4", "r7"}},
		{name: "text gte", filter: leaf("name", store.OpGte, "Gamma"), want: []string{"r2", "r3", "r4", "r7"}},
		{name: "text lt never matches missing", filter: leaf("name", store.OpLt, "Gamma"), want: []string{"r1"}},
		{name: "text lte", filter: leaf("name", store.OpLte, "Gamma"), want: []string{"r1", "r3"}},
		{name: "text contains ignores ASCII case", filter: leaf("name", store.OpContains, "DEAL"), want: []string{"r1", "r2"}},
		{name: "text contains across a space", filter: leaf("name", store.OpContains, "ta s"), want: []string{"r4"}},
		{name: "text contains empty string", filter: leaf("name", store.OpContains, ""), want: []string{"r1", "r2", "r3", "r4", "r7"}},
		{name: "text contains non-ASCII", filter: leaf("name", store.OpContains, "traße"), want: []string{"r4"}},
		{name: "text startsWith is case-sensitive", filter: leaf("name", store.OpStartsWith, "Alpha"), want: []string{"r1"}},
		{name: "text startsWith lower case", filter: leaf("name", store.OpStartsWith, "alpha"), want: []string{"r7"}},
		{name: "text startsWith non-ASCII", filter: leaf("name", store.OpStartsWith, "Δel"), want: []string{"r4"}},
		{name: "text startsWith whole value", filter: leaf("name", store.OpStartsWith, "Gamma"), want: []string{"r3"}},
		{name: "text startsWith longer than value", filter: leaf("name", store.OpStartsWith, "Gammas"), want: []string{}},
		{name: "text startsWith empty string", filter: leaf("name", store.OpStartsWith, ""), want: []string{"r1", "r2", "r3", "r4", "r7"}},
		{name: "text isNull", filter: leaf("name", store.OpIsNull, true), want: []string{"r5", "r6"}},
		{name: "text not isNull", filter: leaf("name", store.OpIsNull, false), want: []string{"r1", "r2", "r3", "r4", "r7"}},
		{name: "textarea contains percent literally", filter: leaf("notes", store.OpContains, "0%"), want: []string{"r1"}},
		{name: "textarea contains underscore literally", filter: leaf("notes", store.OpContains, "e_t"), want: []string{"r1"}},
		{name: "textarea contains underscore", filter: leaf("notes", store.OpContains, "_"), want: []string{"r1", "r3"}},
		{name: "textarea contains backslash", filter: leaf("notes", store.OpContains, `\`), want: []string{}},
		{name: "textarea contains", filter: leaf("notes", store.OpContains, "0 P"), want: []string{"r2", "r4"}},
		{name: "email eq", filter: leaf("email", store.OpEq, "beta@example.com"), want: []string{"r2"}},
		{name: "email contains", filter: leaf("email", store.OpContains, "EXAMPLE"), want: []string{"r1", "r2"}},
		{name: "email startsWith", filter: leaf("email", store.OpStartsWith, "x@"), want: []string{"r7"}},

		// numbers
		{name: "number eq float64", filter: leaf("amount", store.OpEq, 100.0), want: []string{"r1"}},
		{name: "number eq int", filter: leaf("amount", store.OpEq, 100), want: []string{"r1"}},
		{name: "number eq int64", filter: leaf("amount", store.OpEq, int64(100)), want: []string{"r1"}},
		{name: "number eq json.Number", filter: leaf("amount", store.OpEq, json.Number("100")), want: []string{"r1"}},
		{name: "number eq fraction", filter: leaf("amount", store.OpEq, 250.5), want: []string{"r2"}},
		{name: "number eq zero", filter: leaf("amount", store.OpEq, 0), want: []string{"r3"}},
		{name: "number ne matches missing and null", filter: leaf("amount", store.OpNe, 100.0), want: []string{"r2", "r3", "r4", "r5", "r6", "r7"}},
		{name: "number gt", filter: leaf("amount", store.OpGt, 0.0), want: []string{"r1", "r2", "r7"}},
		{name: "number gt compares numerically", filter: leaf("amount", store.OpGt, 1000), want: []string{"r7"}},
		{name: "number gte", filter: leaf("amount", store.OpGte, 0), want: []string{"r1", "r2", "r3", "r7"}},
		{name: "number lt never matches missing", filter: leaf("amount", store.OpLt, 0), want: []string{"r4"}},
		{name: "number lte", filter: leaf("amount", store.OpLte, 0.0), want: []string{"r3", "r4"}},
		{name: "number lte json.Number fraction", filter: leaf("amount", store.OpLte, json.Number("250.5")), want: []string{"r1", "r2", "r3", "r4"}},
		{name: "number in", filter: leaf("amount", store.OpIn, list(0.0, 250.5, 7)), want: []string{"r2", "r3"}},
		{name: "number nin", filter: leaf("amount", store.OpNin, list(0, 250.5)), want: []string{"r1", "r4", "r5", "r6", "r7"}},
		{name: "number isNull", filter: leaf("amount", store.OpIsNull, true), want: []string{"r5", "r6"}},
		{name: "integer gt compares numerically", filter: leaf("qty", store.OpGt, 2), want: []string{"r2", "r7"}},
		{name: "integer lte", filter: leaf("qty", store.OpLte, 2.0), want: []string{"r1", "r3", "r4"}},
		{name: "integer eq", filter: leaf("qty", store.OpEq, int64(10)), want: []string{"r7"}},

		// booleans
		{name: "boolean eq true", filter: leaf("won", store.OpEq, true), want: []string{"r2", "r4"}},
		{name: "boolean eq false", filter: leaf("won", store.OpEq, false), want: []string{"r1", "r3", "r7"}},
		{name: "boolean ne true", filter: leaf("won", store.OpNe, true), want: []string{"r1", "r3", "r5", "r6", "r7"}},
		{name: "boolean ne false", filter: leaf("won", store.OpNe, false), want: []string{"r2", "r4", "r5", "r6"}},
		{name: "boolean in", filter: leaf("won", store.OpIn, list(true)), want: []string{"r2", "r4"}},
		{name: "boolean in both", filter: leaf("won", store.OpIn, list(true, false)), want: []string{"r1", "r2", "r3", "r4", "r7"}},
		{name: "boolean nin", filter: leaf("won", store.OpNin, list(false)), want: []string{"r2", "r4", "r5", "r6"}},
		{name: "boolean isNull", filter: leaf("won", store.OpIsNull, true), want: []string{"r5", "r6"}},

		// dates and date-times
		{name: "date eq", filter: leaf("closeDate", store.OpEq, "2024-02-20"), want: []string{"r2", "r7"}},
		{name: "date ne", filter: leaf("closeDate", store.OpNe, "2024-02-20"), want: []string{"r1", "r3", "r4", "r5", "r6"}},
		{name: "date gt", filter: leaf("closeDate", store.OpGt, "2024-01-15"), want: []string{"r2", "r7"}},
		{name: "date gte", filter: leaf("closeDate", store.OpGte, "2024-01-15"), want: []string{"r1", "r2", "r7"}},
		{name: "date lt", filter: leaf("closeDate", store.OpLt, "2024-01-15"), want: []string{"r3"}},
		{name: "date lte", filter: leaf("closeDate", store.OpLte, "2024-01-15"), want: []string{"r1", "r3"}},
		{name: "date in", filter: leaf("closeDate", store.OpIn, list("2023-12-31", "2024-01-15")), want: []string{"r1", "r3"}},
		{name: "date nin", filter: leaf("closeDate", store.OpNin, list("2023-12-31", "2024-01-15")), want: []string{"r2", "r4", "r5", "r6", "r7"}},
		{name: "date isNull", filter: leaf("closeDate", store.OpIsNull, true), want: []string{"r4", "r5", "r6"}},
		{name: "datetime gt", filter: leaf("closedAt", store.OpGt, "2024-01-15T10:00:00.000000Z"), want: []string{"r2", "r7"}},
		{name: "datetime gte", filter: leaf("closedAt", store.OpGte, "2024-01-15T10:00:00.000000Z"), want: []string{"r1", "r2", "r7"}},
		{name: "datetime lt", filter: leaf("closedAt", store.OpLt, "2024-01-01T00:00:00.000000Z"), want: []string{"r3"}},
		{name: "datetime eq", filter: leaf("closedAt", store.OpEq, "2024-02-20T08:30:00.000000Z"), want: []string{"r2"}},
		{name: "datetime isNull", filter: leaf("closedAt", store.OpIsNull, false), want: []string{"r1", "r2", "r3", "r7"}},

		// picklists and lookups
		{name: "picklist eq", filter: leaf("stage", store.OpEq, "new"), want: []string{"r1", "r4"}},
		{name: "picklist ne", filter: leaf("stage", store.OpNe, "new"), want: []string{"r2", "r3", "r5", "r6", "r7"}},
		{name: "picklist in", filter: leaf("stage", store.OpIn, list("won", "lost")), want: []string{"r2", "r3", "r7"}},
		{name: "picklist nin", filter: leaf("stage", store.OpNin, list("new")), want: []string{"r2", "r3", "r5", "r6", "r7"}},
		{name: "picklist isNull", filter: leaf("stage", store.OpIsNull, true), want: []string{"r5", "r6"}},
		{name: "lookup eq", filter: leaf("account", store.OpEq, "acc1"), want: []string{"r1", "r3"}},
		{name: "lookup ne", filter: leaf("account", store.OpNe, "acc1"), want: []string{"r2", "r4", "r5", "r6", "r7"}},
		{name: "lookup in", filter: leaf("account", store.OpIn, list("acc2", "acc3")), want: []string{"r2", "r7"}},
		{name: "lookup nin", filter: leaf("account", store.OpNin, list("acc1")), want: []string{"r2", "r4", "r5", "r6", "r7"}},
		{name: "lookup isNull", filter: leaf("account", store.OpIsNull, true), want: []string{"r4", "r5", "r6"}},

		// arrays
		{name: "array eq has element", filter: leaf("tags", store.OpEq, "hot"), want: []string{"r1", "r4", "r7"}},
		{name: "array ne lacks element", filter: leaf("tags", store.OpNe, "hot"), want: []string{"r2", "r3", "r5", "r6"}},
		{name: "array in any of", filter: leaf("tags", store.OpIn, list("cold", "vip")), want: []string{"r2", "r7"}},
		{name: "array in empty list", filter: leaf("tags", store.OpIn, list()), want: []string{}},
		{name: "array nin none of", filter: leaf("tags", store.OpNin, list("hot", "cold")), want: []string{"r3", "r5", "r6"}},
		{name: "array nin empty list", filter: leaf("tags", store.OpNin, list()), want: allFilterIDs},
		{name: "array hasAll", filter: leaf("tags", store.OpHasAll, list("hot", "big")), want: []string{"r1", "r7"}},
		{name: "array hasAll with repeats", filter: leaf("tags", store.OpHasAll, list("big", "hot", "hot")), want: []string{"r1", "r7"}},
		{name: "array hasAll one", filter: leaf("tags", store.OpHasAll, list("hot")), want: []string{"r1", "r4", "r7"}},
		{name: "array hasAll with an absent element", filter: leaf("tags", store.OpHasAll, list("hot", "nope")), want: []string{}},
		{name: "array hasAll empty list", filter: leaf("tags", store.OpHasAll, list()), want: allFilterIDs},
		{name: "array isNull matches missing, null and empty", filter: leaf("tags", store.OpIsNull, true), want: []string{"r3", "r5", "r6"}},
		{name: "array not isNull", filter: leaf("tags", store.OpIsNull, false), want: []string{"r1", "r2", "r4", "r7"}},
		{name: "multilookup eq", filter: leaf("contacts", store.OpEq, "c2"), want: []string{"r1", "r2"}},
		{name: "multilookup hasAll", filter: leaf("contacts", store.OpHasAll, list("c1", "c2")), want: []string{"r1"}},
		{name: "multilookup nin", filter: leaf("contacts", store.OpNin, list("c2")), want: []string{"r3", "r4", "r5", "r6", "r7"}},
		{name: "multilookup isNull", filter: leaf("contacts", store.OpIsNull, true), want: []string{"r3", "r4", "r5", "r6"}},

		// addresses
		{name: "address part eq", filter: leaf("shipTo.city", store.OpEq, "Shanghai"), want: []string{"r1"}},
		{name: "address part contains", filter: leaf("shipTo.city", store.OpContains, "SHANG"), want: []string{"r1", "r3"}},
		{name: "address part startsWith", filter: leaf("shipTo.city", store.OpStartsWith, "Sh"), want: []string{"r1", "r7"}},
		{name: "address part gt", filter: leaf("shipTo.city", store.OpGt, "Shanghai"), want: []string{"r3", "r7"}},
		{name: "address part ne", filter: leaf("shipTo.country", store.OpNe, "CN"), want: []string{"r3", "r4", "r5", "r6"}},
		{name: "address part in", filter: leaf("shipTo.country", store.OpIn, list("CN")), want: []string{"r1", "r2", "r7"}},
		{name: "address part isNull", filter: leaf("shipTo.city", store.OpIsNull, true), want: []string{"r4", "r5", "r6"}},
		{name: "address part missing in a present address", filter: leaf("shipTo.country", store.OpIsNull, true), want: []string{"r3", "r4", "r5", "r6"}},
		{name: "address isNull", filter: leaf("shipTo", store.OpIsNull, true), want: []string{"r4", "r5", "r6"}},
		{name: "address not isNull", filter: leaf("shipTo", store.OpIsNull, false), want: []string{"r1", "r2", "r3", "r7"}},
		{name: "json isNull", filter: leaf("extra", store.OpIsNull, false), want: []string{"r4", "r7"}},

		// system fields
		{name: "id eq", filter: leaf("id", store.OpEq, "r3"), want: []string{"r3"}},
		{name: "id ne", filter: leaf("id", store.OpNe, "r3"), want: []string{"r1", "r2", "r4", "r5", "r6", "r7"}},
		{name: "id in", filter: leaf("id", store.OpIn, list("r1", "r7", "nope")), want: []string{"r1", "r7"}},
		{name: "id nin", filter: leaf("id", store.OpNin, list("r1", "r7")), want: []string{"r2", "r3", "r4", "r5", "r6"}},
		{name: "id gt", filter: leaf("id", store.OpGt, "r5"), want: []string{"r6", "r7"}},
		{name: "version eq", filter: leaf("version", store.OpEq, 2), want: []string{"r2", "r7"}},
		{name: "version gt float", filter: leaf("version", store.OpGt, 1.0), want: []string{"r2", "r7"}},
		{name: "version lt", filter: leaf("version", store.OpLt, int64(2)), want: []string{"r1", "r3", "r4", "r5", "r6"}},
		{name: "createdAt gte", filter: leaf("createdAt", store.OpGte, at(3)), want: []string{"r4", "r5", "r6", "r7"}},
		{name: "createdAt lt", filter: leaf("createdAt", store.OpLt, at(1)), want: []string{"r1"}},
		{name: "updatedAt eq", filter: leaf("updatedAt", store.OpEq, at(2)), want: []string{"r3"}},
		{name: "createdBy eq", filter: leaf("createdBy", store.OpEq, "u1"), want: []string{"r1", "r2", "r3"}},
		{name: "updatedBy ne", filter: leaf("updatedBy", store.OpNe, "u1"), want: []string{"r4", "r5", "r6", "r7"}},

		// combinators
		{name: "and", filter: and(leaf("stage", store.OpEq, "new"), leaf("won", store.OpEq, true)), want: []string{"r4"}},
		{name: "and of one", filter: and(leaf("stage", store.OpEq, "new")), want: []string{"r1", "r4"}},
		{name: "or", filter: or(leaf("stage", store.OpEq, "lost"), leaf("amount", store.OpGt, 500)), want: []string{"r3", "r7"}},
		{name: "not matches missing", filter: not(leaf("stage", store.OpEq, "new")), want: []string{"r2", "r3", "r5", "r6", "r7"}},
		{name: "not of an ordered comparison", filter: not(leaf("amount", store.OpGt, 0)), want: []string{"r3", "r4", "r5", "r6"}},
		{name: "not not", filter: not(not(leaf("stage", store.OpEq, "new"))), want: []string{"r1", "r4"}},
		{name: "not of an array condition", filter: not(leaf("tags", store.OpEq, "hot")), want: []string{"r2", "r3", "r5", "r6"}},
		{name: "not of startsWith", filter: not(leaf("name", store.OpStartsWith, "A")), want: []string{"r2", "r3", "r4", "r5", "r6", "r7"}},
		{name: "not of contains", filter: not(leaf("notes", store.OpContains, "percent")), want: []string{"r1", "r3", "r5", "r6", "r7"}},
		{name: "not of isNull", filter: not(leaf("closeDate", store.OpIsNull, true)), want: []string{"r1", "r2", "r3", "r7"}},
		{name: "not of and", filter: not(and(leaf("won", store.OpEq, false), leaf("amount", store.OpGte, 0))), want: []string{"r2", "r4", "r5", "r6"}},
		{name: "not of or", filter: not(or(leaf("won", store.OpEq, true), leaf("stage", store.OpEq, "lost"))), want: []string{"r1", "r5", "r6", "r7"}},
		{name: "not of ne", filter: not(leaf("stage", store.OpNe, "new")), want: []string{"r1", "r4"}},
		{name: "nested", filter: or(
			and(leaf("stage", store.OpEq, "won"), not(leaf("won", store.OpEq, true))),
			and(leaf("shipTo.city", store.OpIsNull, false), leaf("amount", store.OpLt, 50)),
		), want: []string{"r3", "r7"}},
		{name: "or of equalities on one field", filter: or(leaf("stage", store.OpEq, "won"), leaf("stage", store.OpEq, "lost")), want: []string{"r2", "r3", "r7"}},
		{name: "or of eq and in on an array field", filter: or(leaf("tags", store.OpEq, "cold"), leaf("tags", store.OpIn, list("vip"))), want: []string{"r2", "r7"}},
		{name: "or of equalities on two fields, interleaved", filter: or(leaf("stage", store.OpEq, "won"), leaf("id", store.OpEq, "r1"),
			leaf("stage", store.OpIn, list("lost")), leaf("id", store.OpIn, list("r1", "nope"))), want: []string{"r1", "r2", "r3", "r7"}},
		{name: "deeply nested", filter: and(
			or(leaf("tags", store.OpIn, list("hot", "cold")), leaf("id", store.OpEq, "r3")),
			not(or(leaf("amount", store.OpLt, 0), and(leaf("won", store.OpEq, true), not(leaf("closeDate", store.OpIsNull, true))))),
		), want: []string{"r1", "r3", "r7"}},
	}
	stored, err := ts.Find(ctx, deal, store.Query{})
	require.NoError(t, err)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			page, err := ts.Find(ctx, deal, store.Query{Filter: sc.filter})
			require.NoError(t, err)
			assert.Equal(t, sc.want, ids(page.Records), "ordered by id")
			assert.False(t, page.HasMore)
			n, err := ts.Count(ctx, deal, sc.filter)
			require.NoError(t, err)
			assert.Equal(t, int64(len(sc.want)), n, "count")

			// The plan the adapter rendered means the same in memory.
			c, err := store.PlanFilter(deal, sc.filter)
			require.NoError(t, err)
			matched := []string{}
			for i := range stored.Records {
				if c == nil || c.Match(&stored.Records[i]) {
					matched = append(matched, stored.Records[i].ID)
				}
			}
			assert.Equal(t, sc.want, matched, "the plan's Match agrees")
		})
	}

	invalid := []struct {
		name   string
		filter *store.Filter
	}{
		{name: "unknown field", filter: leaf("nope", store.OpEq, "x")},
		{name: "unknown address part", filter: leaf("shipTo.planet", store.OpEq, "x")},
		{name: "path into a text field", filter: leaf("name.first", store.OpEq, "x")},
		{name: "unknown operator", filter: leaf("name", store.Op("like"), "x")},
		{name: "missing operator", filter: leaf("name", "", "x")},
		{name: "ordered comparison on a boolean", filter: leaf("won", store.OpGt, true)},
		{name: "contains on a number", filter: leaf("amount", store.OpContains, "1")},
		{name: "startsWith on a number", filter: leaf("amount", store.OpStartsWith, "1")},
		{name: "hasAll on a scalar", filter: leaf("stage", store.OpHasAll, list("new"))},
		{name: "ordered comparison on an array", filter: leaf("tags", store.OpGt, "a")},
		{name: "contains on an array", filter: leaf("tags", store.OpContains, "h")},
		{name: "text value for a number", filter: leaf("amount", store.OpEq, "100")},
		{name: "number value for a text", filter: leaf("name", store.OpEq, 5)},
		{name: "text value for a boolean", filter: leaf("won", store.OpEq, "true")},
		{name: "nil value", filter: leaf("name", store.OpEq, nil)},
		{name: "in without a list", filter: leaf("name", store.OpIn, "Gamma")},
		{name: "in with a wrong element", filter: leaf("amount", store.OpIn, list(1, "2"))},
		{name: "isNull without a bool", filter: leaf("name", store.OpIsNull, "yes")},
		{name: "condition with and", filter: &store.Filter{Field: "name", Op: store.OpEq, Value: "x", And: []store.Filter{*leaf("won", store.OpEq, true)}}},
		{name: "invalid inside not", filter: not(leaf("nope", store.OpEq, "x"))},
		{name: "invalid inside or", filter: or(leaf("name", store.OpEq, "x"), leaf("won", store.OpLt, true))},
		{name: "node with two combinators", filter: &store.Filter{And: []store.Filter{*leaf("won", store.OpEq, true)}, Not: leaf("won", store.OpEq, false)}},
		{name: "operator without a field", filter: &store.Filter{Op: store.OpEq, Value: "x"}},
		{name: "startsWith invalid UTF-8", filter: leaf("name", store.OpStartsWith, "a\xff")},
		{name: "eq merged into an or with a wrong value", filter: or(leaf("stage", store.OpEq, "new"), leaf("stage", store.OpEq, 1))},
		{name: "too long a list", filter: leaf("name", store.OpIn, make([]any, 10001))},
		{name: "nested too deep", filter: nested(33)},
	}
	for _, sc := range invalid {
		t.Run("invalid "+sc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ts.Find(ctx, deal, store.Query{Filter: sc.filter})
			require.ErrorIs(t, err, store.ErrInvalidQuery)
			var qe *store.QueryError
			require.ErrorAs(t, err, &qe)
			_, err = ts.Count(ctx, deal, sc.filter)
			require.ErrorIs(t, err, store.ErrInvalidQuery)
			_, err = store.PlanFilter(deal, sc.filter)
			require.ErrorAs(t, err, &qe, "the plan refuses it as the adapter does")
		})
	}
}
