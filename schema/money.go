package schema

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Money (docs/money.md). A currency field's amounts are in one currency:
// the field's own (x-crm-currency), else the record's on an object with
// x-crm-multiCurrency, else the tenant's. An amount has at most the
// currency's minor units of decimals and stays below [CurrencyInfo.Limit];
// within those bounds a float64 holds every amount exactly enough that
// its 15 significant digits give back the decimal written, and the engine
// sums amounts as integers of minor units.

const (
	currencyKeyword      = "x-crm-currency"
	multiCurrencyKeyword = "x-crm-multiCurrency"
	// ConvertedSuffix ends the name of the field the engine keeps, on a
	// multi-currency object, for a currency field in the record's currency:
	// the amount in the tenant's currency ("amount" → "amountConverted").
	ConvertedSuffix = "Converted"
)

// moneyDigits is how many significant decimal digits of an amount count:
// what every float64 gives back unchanged. Digits past them are noise of
// binary arithmetic (0.1+0.2 is 0.30000000000000004).
const moneyDigits = 15

// MultiCurrency is an object's x-crm-multiCurrency: each record names its
// currency in CodeField, and DateField (a date or datetime field, or
// "createdAt") picks the exchange rate of its converted amounts.
type MultiCurrency struct {
	CodeField string
	DateField string
}

// ConvertedField returns the name of the converted field of name.
func ConvertedField(name string) string { return name + ConvertedSuffix }

// Limit is the bound amounts in the currency stay below in magnitude:
// 10^13, or less for currencies of three or more minor units, so that an
// amount has at most 15 significant digits.
func (c CurrencyInfo) Limit() float64 {
	return math.Pow10(min(13, moneyDigits-c.MinorUnits))
}

// Scale is 10 to the power of the currency's minor units: how many minor
// units make one unit.
func (c CurrencyInfo) Scale() float64 { return math.Pow10(c.MinorUnits) }

// RoundMoney rounds v half away from zero to the currency's minor units.
func (c CurrencyInfo) RoundMoney(v float64) float64 {
	s := c.Scale()
	r := math.Round(v*s) / s
	// The division may land next to the decimal; its 15 digits are it.
	if f, err := strconv.ParseFloat(strconv.FormatFloat(r, 'g', moneyDigits, 64), 64); err == nil {
		return f
	}
	return r
}

// MinorUnitsOf returns v as a whole number of the currency's minor units,
// rounded half away from zero.
func (c CurrencyInfo) MinorUnitsOf(v float64) int64 {
	return int64(math.Round(v * c.Scale()))
}

// moneyValue checks an amount in c and returns it in canonical form: its
// value to 15 significant digits. ok is false when those digits have more
// decimals than c has minor units, or the amount is not below c.Limit().
func moneyValue(c CurrencyInfo, v float64) (out float64, decimalsOK, limitOK bool) {
	if math.Abs(v) >= c.Limit() {
		return v, true, false
	}
	text := strconv.FormatFloat(v, 'f', -1, 64)
	if decimals(text) <= c.MinorUnits {
		return v, true, true
	}
	g := strconv.FormatFloat(v, 'g', moneyDigits, 64)
	f, err := strconv.ParseFloat(g, 64)
	if err != nil || decimals(strconv.FormatFloat(f, 'f', -1, 64)) > c.MinorUnits {
		return v, false, true
	}
	return f, true, true
}

// decimals counts the digits after the point of a number written without
// an exponent.
func decimals(text string) int {
	_, frac, ok := strings.Cut(text, ".")
	if !ok {
		return 0
	}
	return len(frac)
}

// FieldCurrency returns the ISO code of the amounts of the currency field
// f in a record with data, given the tenant's currency: f's own, the
// record's on a multi-currency object (f's converted field: the tenant's),
// else the tenant's.
func (o *Object) FieldCurrency(f *Field, data map[string]any, tenant string) string {
	switch {
	case f.Currency != "":
		return f.Currency
	case f.ConvertedFrom != "" || o.MultiCurrency == nil:
		return tenant
	}
	if code, ok := data[o.MultiCurrency.CodeField].(string); ok {
		code = strings.ToUpper(strings.TrimSpace(code))
		if _, known := Currency(code); known {
			return code
		}
	}
	return tenant
}

// Converts reports whether the engine keeps a converted amount of the
// currency field f: f is in the record's currency on a multi-currency
// object.
func (o *Object) Converts(f *Field) bool {
	return o.MultiCurrency != nil && f.Type == TypeCurrency && f.Currency == "" && f.ConvertedFrom == "" && !f.Hidden
}

// MoneyProblems checks the amounts of data that are new or changed from
// old (nil for a new record): each has at most its currency's minor units
// of decimals and stays below its limit. Amounts with noise past 15
// significant digits are set to their canonical value in data; on a
// multi-currency object the record's currency code is trimmed and
// upper-cased, set to the tenant's when empty, and refused when not an
// active ISO 4217 code. Stored amounts that do not change are not checked:
// a record written before the rules keeps its values.
func MoneyProblems(o *Object, old, data map[string]any, tenant string) []FieldError {
	var out []FieldError
	badCode := false
	if mc := o.MultiCurrency; mc != nil {
		switch code, ok := data[mc.CodeField].(string); {
		case data[mc.CodeField] == nil || ok && strings.TrimSpace(code) == "":
			data[mc.CodeField] = tenant
		case ok:
			code = strings.ToUpper(strings.TrimSpace(code))
			if _, known := Currency(code); !known {
				out = append(out, NewFieldError(mc.CodeField, CodeEnum, "money.unknownCurrency", clip(code, 20)))
				badCode = true
				break
			}
			data[mc.CodeField] = code
		}
	}
	for _, f := range o.Fields {
		if f.Type != TypeCurrency || f.ConvertedFrom != "" {
			continue
		}
		v, ok := moneyNumber(data[f.Name])
		if !ok {
			continue
		}
		if badCode && o.Converts(f) {
			continue // in a currency we do not know
		}
		code := o.FieldCurrency(f, data, tenant)
		if ov, ok := old[f.Name].(float64); ok && ov == v && o.FieldCurrency(f, old, tenant) == code {
			continue
		}
		c, known := Currency(code)
		if !known {
			continue
		}
		canon, decOK, limOK := moneyValue(c, v)
		switch {
		case !limOK:
			out = append(out, NewFieldError(f.Name, CodeMaximum, "money.tooLarge", c.Code, strconv.FormatFloat(c.Limit(), 'f', -1, 64)))
		case !decOK && c.MinorUnits == 0:
			out = append(out, NewFieldError(f.Name, CodeMultipleOf, "money.wholeUnits", c.Code))
		case !decOK:
			out = append(out, NewFieldError(f.Name, CodeMultipleOf, "money.tooManyDecimals", c.Code, c.MinorUnits))
		default:
			data[f.Name] = canon
		}
	}
	return out
}

// moneyNumber returns a number of a record's data as a float64.
func moneyNumber(v any) (float64, bool) {
	switch v.(type) {
	case float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		f, ok := canonical(v)
		n, isNumber := f.(float64)
		return n, ok && isNumber
	}
	return 0, false
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func buildMultiCurrency(v any) *MultiCurrency {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	mc := &MultiCurrency{CodeField: str(m["codeField"]), DateField: str(m["dateField"])}
	if mc.DateField == "" {
		mc.DateField = "createdAt"
	}
	return mc
}

// convertedFields returns the fields the engine keeps for the currency
// fields of obj on a multi-currency object.
func convertedFields(obj *Object) []*Field {
	var out []*Field
	for _, f := range obj.Fields {
		if !obj.Converts(f) {
			continue
		}
		lbl := Label{Zh: f.Label.Zh, En: f.Label.En}
		if lbl.Zh == "" {
			lbl.Zh = f.Name
		}
		if lbl.En == "" {
			lbl.En = f.Name
		}
		out = append(out, &Field{Name: ConvertedField(f.Name), Type: TypeCurrency, ConvertedFrom: f.Name,
			Label: Label{Zh: lbl.Zh + "（本位币）", En: lbl.En + " (converted)"}, Indexed: f.Indexed})
	}
	return out
}

// money checks x-crm-currency on currency fields (a known code) and
// x-crm-multiCurrency: its code field is a text field, its date field a
// date or datetime field (or createdAt), and no declared field takes the
// name of a converted field.
func (c *ruleChecker) money(doc, props map[string]any, fieldType func(string) (Type, bool)) {
	for _, name := range sortedKeys(props) {
		pm, _ := props[name].(map[string]any)
		code, ok := pm[currencyKeyword].(string)
		if !ok {
			continue
		}
		if _, known := Currency(code); !known {
			c.add(pointer("properties", name, currencyKeyword), "names %q, which is not an active ISO 4217 currency code (three upper-case letters such as \"CNY\", \"USD\")", clip(code, 20))
		}
	}
	m, ok := doc[multiCurrencyKeyword].(map[string]any)
	if !ok {
		return
	}
	if name, ok := m["codeField"].(string); ok {
		t, _ := fieldType(name)
		pm, _ := props[name].(map[string]any)
		switch {
		case props[name] == nil:
			c.add(pointer(multiCurrencyKeyword, "codeField"), "names %q, which is not a field of this object", name)
		case t != TypeText || pm["x-crm-formula"] != nil:
			c.add(pointer(multiCurrencyKeyword, "codeField"), "names %q, %s field: the record's currency code is kept in a text field", name, article(t))
		}
	}
	if name, ok := m["dateField"].(string); ok && name != "createdAt" {
		t, _ := fieldType(name)
		switch {
		case props[name] == nil:
			c.add(pointer(multiCurrencyKeyword, "dateField"), "names %q, which is not a field of this object (or createdAt)", name)
		case t != TypeDate && t != TypeDateTime:
			c.add(pointer(multiCurrencyKeyword, "dateField"), "names %q, %s field: the rate's date is a date or datetime field", name, article(t))
		}
	}
	for _, name := range sortedKeys(props) {
		if t, _ := fieldType(name); t != TypeCurrency {
			continue
		}
		pm, _ := props[name].(map[string]any)
		if _, fixed := pm[currencyKeyword]; fixed {
			continue
		}
		if _, clash := props[ConvertedField(name)]; clash {
			c.add(pointer("properties", ConvertedField(name)), "is the name of the converted amount the engine keeps for %q on a multi-currency object; choose another name", name)
		}
	}
}

// moneySumScale is the scale of sums of amounts whose currency is not
// fixed by their field: 10^4 minor units hold every currency's amounts
// (the most minor units of [Currencies] is four).
const moneySumScale = 10_000

// SumScale returns how many units a currency field's amounts are added
// up in per unit of money, so that sums are exact: 10^minor units of its
// own currency, or 10^4 for amounts in the record's or the tenant's
// currency. It is 0 for fields that are not currency fields, whose sums
// add float64s.
func (f *Field) SumScale() int64 {
	if f == nil || f.Type != TypeCurrency {
		return 0
	}
	if c, ok := Currency(f.Currency); ok {
		return int64(c.Scale())
	}
	return moneySumScale
}
