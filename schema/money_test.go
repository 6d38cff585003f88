package schema_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

func TestCurrency_KnownEntries(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		code  string
		minor int
		zh    string
		en    string
	}{
		{"CNY", 2, "人民币", "Yuan Renminbi"},
		{"USD", 2, "美元", "US Dollar"},
		{"EUR", 2, "欧元", "Euro"},
		{"JPY", 0, "日元", "Yen"},
		{"KRW", 0, "韩元", "Won"},
		{"KWD", 3, "科威特第纳尔", "Kuwaiti Dinar"},
		{"BHD", 3, "巴林第纳尔", "Bahraini Dinar"},
		{"CLF", 4, "智利发展单位", "Unidad de Fomento"},
		{"HKD", 2, "港元", "Hong Kong Dollar"},
	}
	for _, s := range scenarios {
		t.Run(s.code, func(t *testing.T) {
			t.Parallel()
			c, ok := schema.Currency(s.code)
			require.True(t, ok)
			assert.Equal(t, s.code, c.Code)
			assert.Equal(t, s.minor, c.MinorUnits)
			assert.Equal(t, s.zh, c.Name.Zh)
			assert.Equal(t, s.en, c.Name.En)
		})
	}
	for _, code := range []string{"cny", "XXX", "XAU", "HRK", "", "CNYY", "人民币"} {
		_, ok := schema.Currency(code)
		assert.False(t, ok, code)
	}
}

func TestCurrencies_WellFormed(t *testing.T) {
	t.Parallel()
	all := schema.Currencies()
	require.Greater(t, len(all), 150)
	code := regexp.MustCompile(`^[A-Z]{3}$`)
	for i, c := range all {
		assert.Regexp(t, code, c.Code)
		assert.NotEmpty(t, c.Name.Zh, c.Code)
		assert.NotEmpty(t, c.Name.En, c.Code)
		assert.Contains(t, []int{0, 2, 3, 4}, c.MinorUnits, c.Code)
		if i > 0 {
			assert.Less(t, all[i-1].Code, c.Code, "sorted, no repeats")
		}
	}
	all[0].Code = "changed"
	assert.NotEqual(t, "changed", schema.Currencies()[0].Code, "a copy")
}

func TestCurrencyInfo_Limits(t *testing.T) {
	t.Parallel()
	for code, limit := range map[string]float64{"CNY": 1e13, "JPY": 1e13, "KWD": 1e12, "CLF": 1e11} {
		c, _ := schema.Currency(code)
		assert.Equal(t, limit, c.Limit(), code)
	}
	cny, _ := schema.Currency("CNY")
	assert.Equal(t, 0.3, cny.RoundMoney(0.1+0.2))
	assert.Equal(t, 1.01, cny.RoundMoney(1.005000001))
	assert.Equal(t, -2.5, cny.RoundMoney(-2.499999))
	assert.Equal(t, int64(30), cny.MinorUnitsOf(0.1+0.2))
	jpy, _ := schema.Currency("JPY")
	assert.Equal(t, 3.0, jpy.RoundMoney(2.5), "half away from zero")
	assert.Equal(t, -3.0, jpy.RoundMoney(-2.5), "half away from zero")
}

const moneyDefinition = `{"$id":"order","type":"object","x-crm-multiCurrency":{"codeField":"currency","dateField":"closeDate"},
 "properties":{
  "title":{"type":"string","x-crm-type":"text"},
  "currency":{"type":"string","x-crm-type":"text"},
  "closeDate":{"type":"string","format":"date","x-crm-type":"date"},
  "amount":{"type":"number","x-crm-type":"currency","x-crm-label":{"zh":"金额","en":"Amount"}},
  "fee":{"type":"number","x-crm-type":"currency","x-crm-currency":"JPY"},
  "qty":{"type":"integer","x-crm-type":"integer"}}}`

func TestParseObject_Money(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, moneyDefinition)
	require.NotNil(t, obj.MultiCurrency)
	assert.Equal(t, schema.MultiCurrency{CodeField: "currency", DateField: "closeDate"}, *obj.MultiCurrency)
	assert.Equal(t, "JPY", obj.Field("fee").Currency)
	conv := obj.Field("amountConverted")
	require.NotNil(t, conv, "the engine keeps the converted amount")
	assert.Equal(t, "amount", conv.ConvertedFrom)
	assert.Equal(t, schema.TypeCurrency, conv.Type)
	assert.True(t, conv.ReadOnly())
	assert.Equal(t, schema.Label{Zh: "金额（本位币）", En: "Amount (converted)"}, conv.Label)
	assert.Nil(t, obj.Field("feeConverted"), "a field of fixed currency is not converted")
	assert.True(t, obj.Converts(obj.Field("amount")))
	assert.False(t, obj.Converts(obj.Field("fee")))

	single := mustParse(t, dealJSON)
	assert.Nil(t, single.MultiCurrency)
	assert.Nil(t, single.Field("amountConverted"))

	d := map[string]any{"currency": "USD"}
	assert.Equal(t, "USD", obj.FieldCurrency(obj.Field("amount"), d, "CNY"))
	assert.Equal(t, "JPY", obj.FieldCurrency(obj.Field("fee"), d, "CNY"))
	assert.Equal(t, "CNY", obj.FieldCurrency(conv, d, "CNY"))
	assert.Equal(t, "CNY", obj.FieldCurrency(obj.Field("amount"), map[string]any{}, "CNY"))
	assert.Equal(t, "EUR", single.FieldCurrency(single.Field("amount"), d, "EUR"))

	noDate := mustParse(t, `{"$id":"o","type":"object","x-crm-multiCurrency":{"codeField":"c"},"properties":{
	  "c":{"type":"string","x-crm-type":"text"},"a":{"type":"number","x-crm-type":"currency"}}}`)
	assert.Equal(t, "createdAt", noDate.MultiCurrency.DateField)
}

func TestParseObject_MoneyRefused(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		change func(d doc)
		path   string
		says   string
	}{
		{"unknown code", func(d doc) { prop(d, "amount")["x-crm-currency"] = "ABC" }, "/properties/amount/x-crm-currency", "not an active ISO 4217"},
		{"lower case code", func(d doc) { prop(d, "amount")["x-crm-currency"] = "usd" }, "/properties/amount/x-crm-currency", "three upper-case letters"},
		{"not a currency field", func(d doc) { prop(d, "title")["x-crm-currency"] = "USD" }, "/properties/title/x-crm-currency", "does not apply"},
		{"code field missing", func(d doc) { d["x-crm-multiCurrency"] = doc{"codeField": "nope"} }, "/x-crm-multiCurrency/codeField", "not a field"},
		{"code field not text", func(d doc) { d["x-crm-multiCurrency"] = doc{"codeField": "stage"} }, "/x-crm-multiCurrency/codeField", "text field"},
		{"date field not a date", func(d doc) {
			d["x-crm-multiCurrency"] = doc{"codeField": "title", "dateField": "amount"}
		}, "/x-crm-multiCurrency/dateField", "date or datetime"},
		{"no code field", func(d doc) { d["x-crm-multiCurrency"] = doc{"dateField": "closeDate"} }, "/x-crm-multiCurrency/codeField", "required"},
		{"converted name taken", func(d doc) {
			d["x-crm-multiCurrency"] = doc{"codeField": "title"}
			prop(d, "amountConverted")["x-crm-type"] = "currency"
			prop(d, "amountConverted")["type"] = "number"
		}, "/properties/amountConverted", "converted amount"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := dealDoc(t)
			s.change(d)
			_, err := schema.ParseObject(encode(t, d))
			var de *schema.DefinitionError
			require.True(t, errors.As(err, &de), "%v", err)
			found := false
			for _, p := range de.Problems {
				if p.Path == s.path {
					found = true
					assert.Contains(t, p.Message, s.says)
				}
			}
			assert.True(t, found, "%+v", de.Problems)
		})
	}
	d := dealDoc(t)
	d["x-crm-multiCurrency"] = doc{"codeField": "title", "dateField": "createdAt"}
	_, err := schema.ParseObject(encode(t, d))
	require.NoError(t, err)
}

func TestMoneyProblems(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, moneyDefinition)
	scenarios := []struct {
		name  string
		data  map[string]any
		old   map[string]any
		codes map[string]string // field → code
		want  map[string]any    // values after
	}{
		{"tenant currency by default", map[string]any{"amount": 12.34}, nil, nil, map[string]any{"amount": 12.34, "currency": "CNY"}},
		{"code upper-cased", map[string]any{"amount": 1.5, "currency": " usd "}, nil, nil, map[string]any{"amount": 1.5, "currency": "USD"}},
		{"float noise is rounded", map[string]any{"amount": 0.1 + 0.2}, nil, nil, map[string]any{"amount": 0.3, "currency": "CNY"}},
		{"third decimal refused", map[string]any{"amount": 1.234}, nil, map[string]string{"amount": "multipleOf"}, nil},
		{"yen has no decimals", map[string]any{"fee": 10.5}, nil, map[string]string{"fee": "multipleOf"}, nil},
		{"yen whole", map[string]any{"fee": 1000.0}, nil, nil, map[string]any{"fee": 1000.0}},
		{"record in KWD takes three decimals", map[string]any{"amount": 1.234, "currency": "KWD"}, nil, nil, map[string]any{"amount": 1.234}},
		{"limit", map[string]any{"amount": 1e13}, nil, map[string]string{"amount": "maximum"}, nil},
		{"below the limit", map[string]any{"amount": -9999999999999.99}, nil, nil, map[string]any{"amount": -9999999999999.99}},
		{"KWD limit", map[string]any{"amount": 1e12, "currency": "KWD"}, nil, map[string]string{"amount": "maximum"}, nil},
		{"unknown code", map[string]any{"amount": 1.0, "currency": "ABC"}, nil, map[string]string{"currency": "enum"}, nil},
		{"unchanged stored value kept", map[string]any{"amount": 1.234, "currency": "CNY"}, map[string]any{"amount": 1.234}, nil, map[string]any{"amount": 1.234}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			problems := schema.MoneyProblems(obj, s.old, s.data, "CNY")
			got := map[string]string{}
			for _, p := range problems {
				got[p.Field] = p.Code
				assert.NotEmpty(t, p.Message)
				assert.NotEmpty(t, p.MessageZh)
			}
			if s.codes == nil {
				assert.Empty(t, got)
			} else {
				assert.Equal(t, s.codes, got)
			}
			for k, v := range s.want {
				assert.Equal(t, v, s.data[k], k)
			}
		})
	}
	p := schema.MoneyProblems(obj, nil, map[string]any{"amount": 1.234}, "CNY")
	require.Len(t, p, 1)
	assert.Equal(t, "an amount in CNY has at most 2 decimals", p[0].Message)
	assert.Equal(t, "CNY 金额最多保留 2 位小数", p[0].MessageZh)
	p = schema.MoneyProblems(obj, nil, map[string]any{"amount": 2e13}, "CNY")
	require.Len(t, p, 1)
	assert.Equal(t, "an amount in CNY must be less than 10000000000000 in magnitude", p[0].Message)
}

func TestObject_WithoutFieldsKeepsMultiCurrency(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, moneyDefinition)
	view := obj.WithoutFields(map[string]bool{"qty": true})
	assert.Equal(t, obj.MultiCurrency, view.MultiCurrency)
	_, err := json.Marshal(view.Fields)
	require.NoError(t, err)
}
