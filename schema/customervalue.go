package schema

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Customer value (x-crm-customerValue): an object whose records are
// customers names the orders that measure them, and the fields of its own
// where the engine writes what it computes from those orders: RFM scores
// and segment, grade, lifetime value, lifecycle stage, churn risk, last
// purchase and purchase count.

// Grade methods of [CustomerValue].
const (
	// GradeThresholds grades by the monetary value of the window: at
	// least Strategic is 战略, at least Important is 重要, the rest 普通.
	GradeThresholds = "thresholds"
	// GradePareto grades by share of the window's revenue: the biggest
	// customers who together make Strategic of it (0.8) are 战略, those who
	// bring the running share up to Important (0.95) are 重要.
	GradePareto = "pareto"
)

// Values the engine writes into the picklists of x-crm-customerValue.
var (
	// RFMSegments are the eight classic segments, from R, F and M each
	// high (score 3 or more) or low: 重要价值, 重要发展, 重要保持, 重要挽留,
	// 一般价值, 一般发展, 一般保持, 一般挽留.
	RFMSegments = []string{"importantValue", "importantDevelop", "importantKeep", "importantRetain",
		"generalValue", "generalDevelop", "generalKeep", "generalRetain"}
	// CustomerGrades are 战略, 重要 and 普通.
	CustomerGrades = []string{"strategic", "important", "general"}
	// LifecycleStages are 潜在, 开发, 成长, 成熟 and 终止.
	LifecycleStages = []string{"prospect", "acquisition", "growth", "maturity", "churn"}
	// ChurnRisks are the levels of churn risk.
	ChurnRisks = []string{"low", "medium", "high"}
)

// Defaults of [CustomerValue].
const (
	DefaultValueWindowDays     = 365
	DefaultValueSchedule       = "@daily"
	DefaultAcquisitionDays     = 90
	DefaultChurnGapFactor      = 3.0
	DefaultChurnDays           = 365
	DefaultParetoStrategic     = 0.8
	DefaultParetoImportant     = 0.95
	customerValueKeyword       = "x-crm-customerValue"
	customerValueFieldsKeyword = "fields"
)

// CustomerValue is an object's x-crm-customerValue, with its defaults
// filled in.
type CustomerValue struct {
	// OrderObject holds the orders; OrderCustomer is its lookup to this
	// object, OrderAmount the number field they are worth, OrderDate the
	// date or date-time field they were placed at.
	OrderObject   string
	OrderCustomer string
	OrderAmount   string
	OrderDate     string
	// Completed is the filter (query model JSON) of the orders that count;
	// nil counts every order.
	Completed json.RawMessage
	// WindowDays is the span of the RFM scores and the grade, ending now.
	WindowDays int
	// Schedule is when the engine recomputes the values (see
	// [ParseSchedule]); DefaultValueSchedule when absent.
	Schedule string
	// GradeMethod is GradeThresholds or GradePareto; Strategic and
	// Important are amounts (thresholds) or shares of revenue (pareto).
	GradeMethod string
	Strategic   float64
	Important   float64
	// Lifecycle rules: a first order within AcquisitionDays is 开发; no
	// order for longer than ChurnGapFactor times the customer's usual gap
	// between orders, or than ChurnDays, is 终止.
	AcquisitionDays int
	ChurnGapFactor  float64
	ChurnDays       int
	// Fields maps what is computed (the keys of
	// [CustomerValueOutputs]) to the field of this object it is written to.
	Fields map[string]string
	// Values renames values written into picklists, for picklists that
	// name them otherwise ({"general": "normal"}); nil when none.
	Values map[string]string
}

// Value is the picklist value that stands for v.
func (cv *CustomerValue) Value(v string) string {
	if to, ok := cv.Values[v]; ok {
		return to
	}
	return v
}

// CustomerValueOutputs lists what x-crm-customerValue can write, each with
// what it needs of the field it is written to.
var CustomerValueOutputs = map[string]string{
	"recencyScore":   "number",
	"frequencyScore": "number",
	"monetaryScore":  "number",
	"segment":        "segment",
	"grade":          "grade",
	"lifetimeValue":  "number",
	"lifecycle":      "lifecycle",
	"churnRisk":      "churnRisk",
	"lastPurchase":   "date",
	"purchaseCount":  "number",
}

// buildCustomerValue reads a checked x-crm-customerValue; nil when absent.
func buildCustomerValue(v any) *CustomerValue {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	orders, _ := m["orders"].(map[string]any)
	cv := &CustomerValue{
		OrderObject: str(orders["object"]), OrderCustomer: str(orders["customer"]),
		OrderAmount: str(orders["amount"]), OrderDate: str(orders["date"]),
		WindowDays: DefaultValueWindowDays, Schedule: DefaultValueSchedule,
		GradeMethod: GradePareto, Strategic: DefaultParetoStrategic, Important: DefaultParetoImportant,
		AcquisitionDays: DefaultAcquisitionDays, ChurnGapFactor: DefaultChurnGapFactor, ChurnDays: DefaultChurnDays,
		Fields: map[string]string{},
	}
	if c, ok := orders["completed"]; ok && c != nil {
		cv.Completed, _ = json.Marshal(c)
	}
	if n, ok := number(m["windowDays"]); ok {
		cv.WindowDays = int(n)
	}
	if s := str(m["schedule"]); s != "" {
		cv.Schedule = s
	}
	if g, ok := m["grade"].(map[string]any); ok {
		cv.GradeMethod = str(g["method"])
		if cv.GradeMethod == GradeThresholds {
			cv.Strategic, cv.Important = 0, 0
		}
		if n, ok := number(g["strategic"]); ok {
			cv.Strategic = n
		}
		if n, ok := number(g["important"]); ok {
			cv.Important = n
		}
	}
	if l, ok := m["lifecycle"].(map[string]any); ok {
		if n, ok := number(l["acquisitionDays"]); ok {
			cv.AcquisitionDays = int(n)
		}
		if n, ok := number(l["churnGapFactor"]); ok {
			cv.ChurnGapFactor = n
		}
		if n, ok := number(l["churnDays"]); ok {
			cv.ChurnDays = int(n)
		}
	}
	fields, _ := m[customerValueFieldsKeyword].(map[string]any)
	for k, v := range fields {
		cv.Fields[k] = str(v)
	}
	if vals, ok := m["values"].(map[string]any); ok && len(vals) > 0 {
		cv.Values = map[string]string{}
		for k, v := range vals {
			cv.Values[k] = str(v)
		}
	}
	return cv
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	return finite(n)
}

// customerValue checks what the meta-schema cannot say of
// x-crm-customerValue: the fields written to exist, fit what is written
// (a picklist holding every value written) and are not computed by
// something else, no field is written twice, the grade's amounts or shares
// are in order and the schedule parses. The order object is another
// definition: the engine checks it when the values are computed.
func (c *ruleChecker) customerValue(doc, props map[string]any, fieldType func(string) (Type, bool)) {
	m, ok := doc[customerValueKeyword].(map[string]any)
	if !ok {
		return
	}
	path := pointer(customerValueKeyword)
	if s, ok := m["schedule"].(string); ok {
		if _, err := ParseSchedule(s); err != nil {
			c.add(path+"/schedule", "%v", err)
		}
	}
	if g, ok := m["grade"].(map[string]any); ok {
		c.customerGrade(path+"/grade", g)
	}
	if orders, ok := m["orders"].(map[string]any); ok {
		if cond, ok := orders["completed"].(map[string]any); ok {
			anyField := func(string) (Type, bool) { return TypeText, true }
			c.filter(path+"/orders/completed", cond, anyField, 0)
		}
	}
	renamed, _ := m["values"].(map[string]any)
	known := map[string]bool{}
	for _, vs := range [][]string{RFMSegments, CustomerGrades, LifecycleStages, ChurnRisks} {
		for _, v := range vs {
			known[v] = true
		}
	}
	for _, k := range sortedKeys(renamed) {
		if !known[k] {
			c.add(path+pointer("values", k), "%q is not a value customer value writes (a segment, grade, lifecycle stage or churn risk)", k)
		}
	}
	rename := func(vs []string) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = v
			if to, ok := renamed[v].(string); ok {
				out[i] = to
			}
		}
		return out
	}
	fields, _ := m[customerValueFieldsKeyword].(map[string]any)
	usedBy := map[string]string{}
	for _, out := range sortedKeys(fields) {
		name, ok := fields[out].(string)
		if _, known := CustomerValueOutputs[out]; !ok || !known {
			continue // the meta-schema says what is wrong
		}
		fpath := path + pointer(customerValueFieldsKeyword, out)
		if other, dup := usedBy[name]; dup {
			c.add(fpath, "names %q, which %q already writes: each value needs a field of its own", name, other)
			continue
		}
		usedBy[name] = out
		t, known := fieldType(name)
		if _, exists := props[name]; !exists || !known {
			c.add(fpath, "names %q, which is not a property of this object", name)
			continue
		}
		if t == TypeFormula || t == TypeRollup || t == TypeAutoNumber {
			c.add(fpath, "names %q, %s field: the engine computes it otherwise, so customer value cannot write it", name, article(t))
			continue
		}
		pm, _ := props[name].(map[string]any)
		c.customerValueField(fpath, name, out, t, pm, rename)
	}
}

// customerValueField checks that field name of type t can hold output out.
func (c *ruleChecker) customerValueField(path, name, out string, t Type, pm map[string]any, rename func([]string) []string) {
	need := CustomerValueOutputs[out]
	kind := Types[t].Kind
	var values []string
	switch need {
	case "number":
		if kind != KindNumber && kind != KindInteger {
			c.add(path, "names %q, %s field: %s is a number, so the field must be a number, integer or currency field", name, article(t), out)
		}
		return
	case "date":
		if kind != KindDate && kind != KindDateTime {
			c.add(path, "names %q, %s field: %s is a date, so the field must be a date or date-time field", name, article(t), out)
		}
		return
	case "segment":
		values = RFMSegments
	case "grade":
		values = CustomerGrades
	case "lifecycle":
		values = LifecycleStages
	case "churnRisk":
		values = ChurnRisks
	}
	values = rename(values)
	if t != TypePicklist {
		c.add(path, "names %q, %s field: %s must be written to a picklist with the values %s", name, article(t), out, quoteAll(values))
		return
	}
	have := map[string]bool{}
	for _, v := range list(pm["enum"]) {
		have[str(v)] = true
	}
	var missing []string
	for _, v := range values {
		if !have[v] {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		c.add(path, "names %q, whose options lack %s: %s writes %s", name, quoteAll(missing), out, quoteAll(values))
	}
}

// customerGrade checks the amounts or shares of a grade.
func (c *ruleChecker) customerGrade(path string, g map[string]any) {
	method, _ := g["method"].(string)
	strategic, hasS := number(g["strategic"])
	important, hasI := number(g["important"])
	switch method {
	case GradeThresholds:
		if !hasS || !hasI {
			c.add(path, "thresholds grading needs \"strategic\" and \"important\", the monetary values (window revenue) from which a customer is 战略 or 重要")
			return
		}
		if important > strategic {
			c.add(path+"/important", "is %s, more than strategic (%s): a 重要 customer needs less than a 战略 one", fmtNumber(important), fmtNumber(strategic))
		}
	case GradePareto:
		for _, s := range []struct {
			key string
			v   float64
			has bool
		}{{"strategic", strategic, hasS}, {"important", important, hasI}} {
			if s.has && (s.v <= 0 || s.v > 1) {
				c.add(path+"/"+s.key, "is %s: pareto grading takes shares of revenue, above 0 and at most 1 (0.8 is 80 %%)", fmtNumber(s.v))
			}
		}
		if !hasS {
			strategic = DefaultParetoStrategic
		}
		if !hasI {
			important = DefaultParetoImportant
		}
		if strategic > important && strategic <= 1 && important > 0 {
			c.add(path+"/important", "is a share of %s, less than strategic's %s: the 重要 customers come after the 战略 ones, so their running share is larger", fmtNumber(important), fmtNumber(strategic))
		}
	}
}

func fmtNumber(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.6f", f), "0"), ".")
}
