package dedupe_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/engine/dedupe"
	"github.com/crmkit/crm/schema"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, normalizer, in, want string
	}{
		{"company suffix", schema.NormalizeCompany, "华为技术有限公司", "华为技术"},
		{"company leading city", schema.NormalizeCompany, "深圳华为技术有限公司", "华为技术"},
		{"company city with 市", schema.NormalizeCompany, "深圳市华为技术有限公司", "华为技术"},
		{"company province with 省", schema.NormalizeCompany, "广东省华为技术有限公司", "华为技术"},
		{"company bracketed region, full width", schema.NormalizeCompany, "华为技术（深圳）有限公司", "华为技术"},
		{"company 股份有限公司", schema.NormalizeCompany, "华为技术股份有限公司", "华为技术"},
		{"company 有限责任公司", schema.NormalizeCompany, "北京小米科技有限责任公司", "小米科技"},
		{"company 集团 and 分公司", schema.NormalizeCompany, "海尔集团青岛分公司", "海尔集团青岛"},
		{"company 集团有限公司", schema.NormalizeCompany, "上海复星集团有限公司", "复星"},
		{"company region alone stays", schema.NormalizeCompany, "北京有限公司", "北京"},
		{"company region leaves too little", schema.NormalizeCompany, "上海宝", "上海宝"},
		{"company latin Co., Ltd.", schema.NormalizeCompany, "Acme Trading Co., Ltd.", "acmetrading"},
		{"company latin Inc", schema.NormalizeCompany, "ACME, Inc.", "acme"},
		{"company latin LLC full width", schema.NormalizeCompany, "Ａｃｍｅ　ＬＬＣ", "acme"},
		{"company latin Limited", schema.NormalizeCompany, "Lenovo Group Limited", "lenovo"},
		{"company only a suffix word", schema.NormalizeCompany, "Ltd", "ltd"},
		{"company empty", schema.NormalizeCompany, "  ", ""},
		{"person spaces", schema.NormalizePerson, " 张 三 ", "张三"},
		{"person middle dot", schema.NormalizePerson, "阿依古丽·买买提", "阿依古丽买买提"},
		{"person latin case", schema.NormalizePerson, "Zhang San", "zhangsan"},
		{"mobile +86", schema.NormalizeMobile, "+86 138-0013-8000", "13800138000"},
		{"mobile 0086", schema.NormalizeMobile, "0086 13800138000", "13800138000"},
		{"mobile 86 prefix no plus", schema.NormalizeMobile, "8613800138000", "13800138000"},
		{"mobile spaces", schema.NormalizeMobile, "138 0013 8000", "13800138000"},
		{"mobile full width digits", schema.NormalizeMobile, "１３８００１３８０００", "13800138000"},
		{"landline keeps its digits", schema.NormalizeMobile, "0755-8888 1234", "075588881234"},
		{"too few digits", schema.NormalizeMobile, "12-3", ""},
		{"email case and spaces", schema.NormalizeEmail, "  Li.Lei@Example.COM ", "li.lei@example.com"},
		{"email dots kept", schema.NormalizeEmail, "l.i@gmail.com", "l.i@gmail.com"},
		{"email without @", schema.NormalizeEmail, "nobody", ""},
		{"uscc case and spaces", schema.NormalizeUSCC, " 91440300 192203821x ", "91440300192203821X"},
		{"uscc dashes", schema.NormalizeUSCC, "9144-0300-1922-0382-1X", "91440300192203821X"},
		{"text punctuation and width", schema.NormalizeText, "Ａ-b ｃ！", "abc"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, dedupe.Normalize(s.normalizer, s.in))
		})
	}
}

func TestNormalize_Bounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("华", 10_000)
	assert.Equal(t, dedupe.MaxValueRunes, len([]rune(dedupe.Normalize(schema.NormalizeText, long))))
}

func TestSimilarity(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		a, b string
		want float64
	}{
		{"equal", "华为技术", "华为技术", 1},
		{"one bigram of three each", "华为技术", "华为科技", 1.0 / 3},
		{"prefix", "华为技术", "华为技术股份", 0.75},
		{"nothing shared", "腾讯", "阿里", 0},
		{"one character", "华", "为", 0},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.InDelta(t, s.want, dedupe.Similarity(s.a, s.b), 1e-9)
		})
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	composite := &schema.DuplicateRule{Name: "r", Match: []schema.DuplicateMatch{
		{Field: "name", Method: schema.MatchNormalized, Normalizer: schema.NormalizePerson},
		{Field: "mobile", Method: schema.MatchNormalized, Normalizer: schema.NormalizeMobile}}}
	assert.Equal(t, []dedupe.Key{{Key: "张三\x1f13800138000", Value: "张三\x1f13800138000"}},
		dedupe.Keys(composite, map[string]any{"name": "张 三", "mobile": "+86 13800138000"}))
	assert.Empty(t, dedupe.Keys(composite, map[string]any{"name": "张三"}), "a missing part makes no key")
	assert.Equal(t, "张三 + 13800138000", dedupe.Display("张三\x1f13800138000"))

	exact := &schema.DuplicateRule{Name: "e", Match: []schema.DuplicateMatch{{Field: "code", Method: schema.MatchExact}}}
	assert.Equal(t, []dedupe.Key{{Key: "Ab", Value: "Ab"}}, dedupe.Keys(exact, map[string]any{"code": " Ab "}))

	fuzzy := &schema.DuplicateRule{Name: "f", Threshold: 0.7, Match: []schema.DuplicateMatch{{Field: "name", Method: schema.MatchFuzzy, Normalizer: schema.NormalizeCompany}}}
	keys := dedupe.Keys(fuzzy, map[string]any{"name": "华为技术有限公司"})
	assert.Equal(t, []dedupe.Key{{Key: "f:华为", Value: "华为技术"}, {Key: "l:技术", Value: "华为技术"}}, keys)
	assert.Equal(t, []string{"f:acm", "l:rp2"}, dedupe.Blocks("acmecorp2"))
	_, ok := dedupe.Matches(fuzzy, "华为技术", "华为技术股份")
	assert.True(t, ok)
	_, ok = dedupe.Matches(fuzzy, "华为技术", "华为科技")
	assert.False(t, ok)
}
