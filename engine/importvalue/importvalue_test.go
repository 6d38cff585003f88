package importvalue_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/schema"
)

// member is a retail member with a field of every kind an import fills.
func member(t testing.TB) *schema.Object {
	t.Helper()
	obj, err := schema.ParseObject([]byte(`{"$id": "member", "type": "object", "x-crm-label": {"zh": "会员", "en": "Member"},
	  "properties": {
	    "name":     {"type": "string", "x-crm-type": "text", "x-crm-label": {"zh": "姓名", "en": "Name"}},
	    "mobile":   {"type": "string", "x-crm-type": "phone", "format": "cn-mobile", "x-crm-label": {"zh": "手机号", "en": "Mobile"}},
	    "spent":    {"type": "number", "x-crm-type": "currency", "x-crm-label": {"zh": "累计消费", "en": "Total spent"}},
	    "visits":   {"type": "integer", "x-crm-type": "integer", "x-crm-label": {"zh": "到店次数", "en": "Visits"}},
	    "discount": {"type": "number", "x-crm-type": "percent", "x-crm-label": {"zh": "折扣", "en": "Discount"}},
	    "ratio":    {"type": "number", "x-crm-type": "number", "x-crm-label": {"zh": "复购率", "en": "Repurchase rate"}},
	    "vip":      {"type": "boolean", "x-crm-type": "boolean", "x-crm-label": {"zh": "贵宾", "en": "VIP"}},
	    "birthday": {"type": "string", "format": "date", "x-crm-type": "date", "x-crm-label": {"zh": "生日", "en": "Birthday"}},
	    "lastSeen": {"type": "string", "format": "date-time", "x-crm-type": "datetime", "x-crm-label": {"zh": "最近到店", "en": "Last visit"}},
	    "tier":     {"type": "string", "enum": ["gold", "silver"], "x-crm-type": "picklist", "x-crm-label": {"zh": "会员等级", "en": "Tier"},
	      "x-crm-options": [{"value": "gold", "label": {"zh": "金卡", "en": "Gold"}}, {"value": "silver", "label": {"zh": "银卡", "en": "Silver"}}]},
	    "tags":     {"type": "array", "items": {"type": "string", "enum": ["tea", "coffee"]}, "x-crm-type": "multipicklist", "x-crm-label": {"zh": "偏好", "en": "Likes"},
	      "x-crm-options": [{"value": "tea", "label": {"zh": "茶", "en": "Tea"}}, {"value": "coffee", "label": {"zh": "咖啡", "en": "Coffee"}}]},
	    "store":    {"type": "string", "x-crm-type": "lookup", "x-crm-target": "store", "x-crm-label": {"zh": "门店", "en": "Store"}},
	    "address":  {"type": "object", "x-crm-type": "address", "x-crm-label": {"zh": "地址", "en": "Address"}},
	    "code":     {"type": "string", "x-crm-type": "autonumber", "x-crm-format": "M-{0000}", "x-crm-label": {"zh": "编号", "en": "Code"}}
	  }}`))
	require.NoError(t, err)
	return obj
}

func TestParse(t *testing.T) {
	t.Parallel()
	obj := member(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	scenarios := []struct {
		field, text string
		want        any
		problem     string
	}{
		{"name", "  王芳\u3000", "王芳", ""},
		{"name", " \t ", nil, ""},
		{"spent", "¥1,200.50", 1200.5, ""},
		{"spent", "￥１２００", 1200.0, ""},
		{"spent", "RMB 3,000元", 3000.0, ""},
		{"spent", "1.2万", 12000.0, ""},
		{"spent", "3亿", 3e8, ""},
		{"spent", "(1,200.00)", -1200.0, ""},
		{"spent", "-¥50", -50.0, ""},
		{"spent", "1,2", nil, importvalue.NotNumber},
		{"spent", "12,00", nil, importvalue.NotNumber},
		{"spent", "1e9", nil, importvalue.NotNumber},
		{"spent", "NaN", nil, importvalue.NotNumber},
		{"spent", "一千", nil, importvalue.NotNumber},
		{"visits", "12", 12.0, ""},
		{"visits", "1,024", 1024.0, ""},
		{"visits", "2.5", nil, importvalue.NotInteger},
		{"discount", "12.5%", 12.5, ""},
		{"discount", "12.5", 12.5, ""},
		{"ratio", "12.5%", 0.125, ""},
		{"vip", "是", true, ""},
		{"vip", "Ｙ", true, ""},
		{"vip", "FALSE", false, ""},
		{"vip", "否", false, ""},
		{"vip", "maybe", nil, importvalue.NotBoolean},
		{"birthday", "2026-03-01", "2026-03-01", ""},
		{"birthday", "2026/3/1", "2026-03-01", ""},
		{"birthday", "2026.3.1", "2026-03-01", ""},
		{"birthday", "2026年3月1日", "2026-03-01", ""},
		{"birthday", "２０２６年３月１日", "2026-03-01", ""},
		{"birthday", "20260301", "2026-03-01", ""},
		{"birthday", "2026-03-01 00:00:00", "2026-03-01", ""},
		{"birthday", "2026-02-30", nil, importvalue.NotDate},
		{"birthday", "3/1/26", nil, importvalue.NotDate},
		{"lastSeen", "2026-03-01 09:30", "2026-03-01T01:30:00.000000Z", ""},
		{"lastSeen", "2026/3/1 9:30:15", "2026-03-01T01:30:15.000000Z", ""},
		{"lastSeen", "2026年3月1日 9点30分", "2026-03-01T01:30:00.000000Z", ""},
		{"lastSeen", "2026-03-01T09:30:00+08:00", "2026-03-01T01:30:00.000000Z", ""},
		{"lastSeen", "2026-03-01", "2026-02-28T16:00:00.000000Z", ""},
		{"lastSeen", "soon", nil, importvalue.NotDateTime},
		{"tier", "gold", "gold", ""},
		{"tier", "金卡", "gold", ""},
		{"tier", "SILVER", "silver", ""},
		{"tier", "钻石卡", nil, importvalue.NoOption},
		{"tier", "金", "gold", ""},
		{"tier", "卡", nil, importvalue.NoOption},
		{"tags", "茶、咖啡", []any{"tea", "coffee"}, ""},
		{"tags", "tea; Coffee ;", []any{"tea", "coffee"}, ""},
		{"tags", "茶，酒", nil, importvalue.NoOption},
		{"store", " 南京西路店 ", "南京西路店", ""},
		{"address", "江苏省苏州市工业园区星湖街328号", map[string]any{"province": "江苏省", "city": "苏州市", "district": "工业园区", "street": "星湖街328号"}, ""},
		{"address", "上海市浦东新区世纪大道100号", map[string]any{"province": "上海市", "city": "上海市", "district": "浦东新区", "street": "世纪大道100号"}, ""},
		{"address", "北京朝阳区建国路88号", map[string]any{"province": "北京市", "city": "北京市", "district": "朝阳区", "street": "建国路88号"}, ""},
		{"address", "内蒙古自治区呼和浩特市新城区", map[string]any{"province": "内蒙古自治区", "city": "呼和浩特市", "district": "新城区"}, ""},
		{"address", "吉林省延边朝鲜族自治州延吉市", map[string]any{"province": "吉林省", "city": "延边朝鲜族自治州", "district": "延吉市"}, ""},
		{"address", "人民路1号", map[string]any{"street": "人民路1号"}, ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.field+" "+sc.text, func(t *testing.T) {
			t.Parallel()
			got, problem := importvalue.Parse(obj.Field(sc.field), sc.text, shanghai)
			if sc.problem != "" {
				require.NotNil(t, problem)
				assert.Equal(t, sc.problem, problem.Code)
				assert.Nil(t, got)
				return
			}
			assert.Nil(t, problem)
			assert.Equal(t, sc.want, got)
		})
	}
}

func TestMatchColumns(t *testing.T) {
	t.Parallel()
	obj := member(t)
	header := []string{"记录ID", "姓名", "Mobile", "会员 等级", "ＶＩＰ", "地址（省份）", "address.city", "区县", "编号", "备注", "name", "Birthday"}
	want := []importvalue.Column{
		{Field: importvalue.IDColumn},
		{Field: "name"}, {Field: "mobile"}, {Field: "tier"}, {Field: "vip"},
		{Field: "address", Part: "province"}, {Field: "address", Part: "city"}, {Field: "address", Part: "district"},
		{}, // an autonumber is the engine's to fill
		{}, // nothing is called 备注
		{}, // name is matched already, by the first column
		{Field: "birthday"},
	}
	assert.Equal(t, want, importvalue.MatchColumns(obj, header))
	assert.Equal(t, "address.province", want[5].Target())
	assert.Equal(t, "name", want[1].Target())
}
