package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

const regionCustomer = `{"$id": "customer", "type": "object", "properties": {
  "name":    {"type": "string", "x-crm-type": "text"},
  "address": {"type": "object", "x-crm-type": "address", "x-crm-label": {"zh": "地址", "en": "Address"}}}}`

// regionTenant has customers with an address and a text field.
func regionTenant(t *testing.T) (*engine.Engine, context.Context) {
	tn := regionTenantKit(t)
	return tn.Engine, tn.Admin
}

func regionTenantKit(t *testing.T) *testkit.Tenant {
	t.Helper()
	tn := testkit.New(t, "acme")
	_, err := tn.Engine.SaveObject(tn.Admin, []byte(regionCustomer), engine.SaveOptions{})
	require.NoError(t, err)
	return tn
}

func TestRegions_CodesSetTheNames(t *testing.T) {
	eng, admin := regionTenant(t)
	rec, err := eng.CreateRecord(admin, "customer", map[string]any{"name": "腾讯", "address": map[string]any{
		"districtCode": "440305", "province": "旧名", "street": "科技中一路", "postalCode": "５１８０５７"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"province": "广东省", "city": "深圳市", "district": "南山区", "street": "科技中一路", "postalCode": "518057",
		"provinceCode": "440000", "cityCode": "440300", "districtCode": "440305"}, rec.Data["address"])

	// Municipalities: the city is the municipality.
	rec, err = eng.CreateRecord(admin, "customer", map[string]any{"name": "京东", "address": map[string]any{
		"provinceCode": "110000", "cityCode": "110100", "districtCode": "110105"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"province": "北京市", "city": "北京市", "district": "朝阳区",
		"provinceCode": "110000", "cityCode": "110100", "districtCode": "110105"}, rec.Data["address"])

	// Changing the code changes the names (kept in step).
	rec, err = eng.UpdateRecord(admin, "customer", rec.ID, map[string]any{"address": map[string]any{
		"province": "北京市", "city": "北京市", "district": "朝阳区", "provinceCode": "110000", "cityCode": "110100", "districtCode": "110108"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "海淀区", rec.Data["address"].(map[string]any)["district"])
}

func TestRegions_NamesResolveToCodes(t *testing.T) {
	eng, admin := regionTenant(t)
	rec, err := eng.CreateRecord(admin, "customer", map[string]any{"name": "a", "address": map[string]any{"province": "广东", "city": "深圳", "district": "南山区"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"province": "广东省", "city": "深圳市", "district": "南山区",
		"provinceCode": "440000", "cityCode": "440300", "districtCode": "440305"}, rec.Data["address"])

	// Foreign and free-text addresses are kept as given, without codes.
	for _, addr := range []map[string]any{
		{"country": "美国", "province": "California", "city": "San Jose", "postalCode": "95134"},
		{"province": "某省", "city": "某市"},
		{"street": "人民路 1 号"},
	} {
		rec, err := eng.CreateRecord(admin, "customer", map[string]any{"name": "b", "address": addr})
		require.NoError(t, err, "%v", addr)
		assert.Equal(t, addr, rec.Data["address"])
	}
}

func TestRegions_BadCodesAreRefusedWithNothingChanged(t *testing.T) {
	eng, admin := regionTenant(t)
	rec, err := eng.CreateRecord(admin, "customer", map[string]any{"name": "a", "address": map[string]any{"districtCode": "440305"}})
	require.NoError(t, err)
	for _, c := range []struct {
		addr  map[string]any
		field string
		words string
	}{
		{map[string]any{"provinceCode": "990000"}, "address.provinceCode", "990000"},
		{map[string]any{"cityCode": "440000"}, "address.cityCode", "440000"},
		{map[string]any{"districtCode": "4403051"}, "address.districtCode", "4403051"},
		{map[string]any{"provinceCode": "110000", "cityCode": "440300"}, "address.cityCode", "440300"},
		{map[string]any{"cityCode": "440100", "districtCode": "440305"}, "address.districtCode", "440305"},
		{map[string]any{"country": "日本", "provinceCode": "440000"}, "address.provinceCode", "440000"},
		{map[string]any{"province": "广东省", "postalCode": "51805"}, "address.postalCode", "51805"},
		{map[string]any{"postalCode": "SW1A 1AA"}, "address.postalCode", "SW1A 1AA"},
	} {
		_, err := eng.CreateRecord(admin, "customer", map[string]any{"name": "x", "address": c.addr})
		require.Error(t, err, "%v", c.addr)
		assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
		var ve *schema.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Len(t, ve.Fields, 1, "%v", ve.Fields)
		assert.Equal(t, c.field, ve.Fields[0].Field)
		assert.Contains(t, ve.Fields[0].Message, c.words)
		assert.Contains(t, ve.Fields[0].MessageZh, c.words)

		_, err = eng.UpdateRecord(admin, "customer", rec.ID, map[string]any{"name": "changed", "address": c.addr}, nil)
		require.Error(t, err)
		got, err := eng.GetRecord(admin, "customer", rec.ID)
		require.NoError(t, err)
		assert.Equal(t, rec.Version, got.Version, "nothing changed")
		assert.Equal(t, "a", got.Data["name"])
	}
	page, err := eng.ListRecords(admin, "customer", engine.ListQuery{})
	require.NoError(t, err)
	assert.Len(t, page.Records, 1, "no refused record was created")

	// A postal code abroad is the country's business.
	_, err = eng.CreateRecord(admin, "customer", map[string]any{"name": "y", "address": map[string]any{"country": "United Kingdom", "postalCode": "SW1A 1AA"}})
	require.NoError(t, err)
}

func TestRegions_AnUnchangedAddressIsNotRewritten(t *testing.T) {
	tn := regionTenantKit(t)
	eng, admin := tn.Engine, tn.Admin
	rec, err := eng.CreateRecord(admin, "customer", map[string]any{"name": "a"})
	require.NoError(t, err)
	// A record stored before addresses had codes (written around the
	// engine's check, as an old database holds it), with a postal code
	// the check would refuse.
	legacy := map[string]any{"province": "广东", "city": "深圳", "postalCode": "5180"}
	obj, err := schema.ParseObject([]byte(regionCustomer))
	require.NoError(t, err)
	ts, err := tn.Store.Tenant(context.Background(), tn.ID)
	require.NoError(t, err)
	stored := rec
	stored.Data = map[string]any{"name": "a", "address": legacy}
	stored.Version++
	require.NoError(t, ts.WithTx(context.Background(), func(tx store.Tx) error { return tx.Update(context.Background(), obj, stored, rec.Version) }))

	rec, err = eng.UpdateRecord(admin, "customer", rec.ID, map[string]any{"name": "b"}, nil)
	require.NoError(t, err, "an edit of another field takes an old address as it is")
	assert.Equal(t, legacy, rec.Data["address"])

	_, err = eng.UpdateRecord(admin, "customer", rec.ID, map[string]any{"address": map[string]any{"province": "广东", "city": "深圳", "postalCode": "518000"}}, nil)
	require.NoError(t, err)
	rec, err = eng.GetRecord(admin, "customer", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"province": "广东省", "city": "深圳市", "postalCode": "518000", "provinceCode": "440000", "cityCode": "440300"}, rec.Data["address"], "written again: codes")
}

func TestRegions_FilterAndGroupByCodeOrName(t *testing.T) {
	eng, admin := regionTenant(t)
	for _, a := range []map[string]any{
		{"districtCode": "440305"}, {"districtCode": "440304"}, {"province": "广东", "city": "广州"},
		{"provinceCode": "110000"}, {"country": "美国", "province": "California"},
	} {
		_, err := eng.CreateRecord(admin, "customer", map[string]any{"name": "c", "address": a})
		require.NoError(t, err)
	}
	f := store.Leaf("address.provinceCode", store.OpEq, "440000")
	page, err := eng.ListRecords(admin, "customer", engine.ListQuery{Filter: &f})
	require.NoError(t, err)
	assert.Len(t, page.Records, 3)
	f = store.Leaf("address.cityCode", store.OpEq, "440300")
	page, err = eng.ListRecords(admin, "customer", engine.ListQuery{Filter: &f})
	require.NoError(t, err)
	assert.Len(t, page.Records, 2)

	res, err := eng.Aggregate(admin, "customer", engine.AggregateQuery{
		GroupBy: []store.GroupBy{{Field: "address.provinceCode"}}, Measures: []store.Measure{{Op: store.MeasureCount}}})
	require.NoError(t, err)
	got := map[string]any{}
	for _, g := range res.Groups {
		got[g.Keys[0].Label.Zh] = g.Values[0]
	}
	assert.Equal(t, map[string]any{"广东省": int64(3), "北京市": int64(1), "（空）": int64(1)}, got, "grouped by code, labelled with names")

	res, err = eng.Aggregate(admin, "customer", engine.AggregateQuery{
		GroupBy: []store.GroupBy{{Field: "address.city"}}, Measures: []store.Measure{{Op: store.MeasureCount}}})
	require.NoError(t, err)
	got = map[string]any{}
	for _, g := range res.Groups {
		got[g.Keys[0].Label.Zh] = g.Values[0]
	}
	assert.Equal(t, map[string]any{"深圳市": int64(2), "广州市": int64(1), "（空）": int64(2)}, got)
}

// An address a beforeSave script writes is checked and completed like
// one the client sent; a bad code it writes is refused.
func TestRegions_ScriptsWritesAreChecked(t *testing.T) {
	tn := testkit.New(t, "acme")
	eng, admin := tn.Engine, tn.Admin
	_, err := eng.SaveObject(admin, def(t, map[string]any{
		"$id": "site", "type": "object",
		"properties": map[string]any{
			"name":    map[string]any{"type": "string", "x-crm-type": "text"},
			"code":    map[string]any{"type": "string", "x-crm-type": "text"},
			"address": map[string]any{"type": "object", "x-crm-type": "address"},
		},
		"x-crm-scripts": []any{map[string]any{"name": "place", "kind": "beforeSave",
			"source": "ctx.set('address', {province: '广东', city: '深圳', districtCode: ctx.record.code})"}},
	}), engine.SaveOptions{})
	require.NoError(t, err)
	rec, err := eng.CreateRecord(admin, "site", map[string]any{"name": "a", "code": "440305"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"province": "广东省", "city": "深圳市", "district": "南山区",
		"provinceCode": "440000", "cityCode": "440300", "districtCode": "440305"}, rec.Data["address"])
	// The code is what counts: the names are set from it.
	rec, err = eng.CreateRecord(admin, "site", map[string]any{"name": "b", "code": "110105"})
	require.NoError(t, err)
	assert.Equal(t, "北京市", rec.Data["address"].(map[string]any)["province"])
	_, err = eng.CreateRecord(admin, "site", map[string]any{"name": "c", "code": "440399"})
	assert.Equal(t, map[string]string{"address.districtCode": "region"}, fieldErrors(t, err))
}
