package schema_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

// validTicket is a record of wholeObject that passes.
func validTicket() map[string]any {
	return map[string]any{
		"subject":  "Printer on fire",
		"body":     "It is on fire.",
		"notes":    "<p>really</p>",
		"score":    7.5,
		"count":    3.0,
		"price":    12.5,
		"ratio":    0.25,
		"urgent":   true,
		"due":      "2024-05-01",
		"openedAt": "2024-05-01T08:30:00+08:00",
		"email":    "ops@example.com",
		"phone":    "+86 (10) 1234-5678",
		"mobile":   "13812345678",
		"landline": "010-12345678",
		"anyPhone": "555-1234",
		"idCard":   "11010519491231002X",
		"uscc":     "91350100M000100Y43",
		"site":     "https://example.com/x",
		"status":   "open",
		"tags":     []any{"a", "b"},
		"account":  "acc1",
		"watchers": []any{"u1", "u2"},
		"number":   "T-000001",
		"shipTo":   map[string]any{"city": "Beijing", "country": "CN"},
		"extra":    map[string]any{"anything": []any{1.0, "x", nil}},
	}
}

func TestValidator_Validate_Valid(t *testing.T) {
	t.Parallel()
	deal := mustValidator(t, dealJSON)
	ticket := mustValidator(t, wholeObject)
	scenarios := []struct {
		name string
		v    *schema.Validator
		data map[string]any
	}{
		{"deal with every field", deal, map[string]any{
			"title": "Big deal", "amount": 1000.0, "stage": "won", "email": "a@b.cn",
			"closeDate": "2024-12-31", "account": "acc1"}},
		{"deal with only the required field", deal, map[string]any{"title": "x"}},
		{"nulls count as absent", deal, map[string]any{"title": "x", "amount": nil, "stage": nil}},
		{"json.Number and Go integers", deal, map[string]any{"title": "x", "amount": json.Number("12.50")}},
		{"int", deal, map[string]any{"title": "x", "amount": 3}},
		{"int64 and uint8", ticket, map[string]any{"subject": "abc", "status": "open", "count": int64(4), "score": uint8(5)}},
		{"surrounding white space is trimmed first", deal, map[string]any{"title": "x", "email": "  a@b.cn\n", "stage": " new "}},
		{"every field type", ticket, validTicket()},
		{"[]string for a list", ticket, map[string]any{"subject": "abc", "status": "open", "tags": []string{"a", "c"}}},
		{"optional empty string", deal, map[string]any{"title": "x", "account": ""}},
		{"null address part", ticket, map[string]any{"subject": "abc", "status": "open", "shipTo": map[string]any{"city": nil}}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.NoError(t, s.v.Validate(s.data))
		})
	}
}

func TestValidator_Validate_Failures(t *testing.T) {
	t.Parallel()
	deal := mustValidator(t, dealJSON)
	ticket := mustValidator(t, wholeObject)
	withTicket := func(field string, value any) map[string]any {
		d := validTicket()
		d[field] = value
		return d
	}
	scenarios := []struct {
		name string
		v    *schema.Validator
		data map[string]any
		want schema.FieldError
	}{
		{"missing required", deal, map[string]any{},
			schema.FieldError{Field: "title", Code: "required", Message: "is required", MessageZh: "必填"}},
		{"required set to null", deal, map[string]any{"title": nil},
			schema.FieldError{Field: "title", Code: "required", Message: "is required", MessageZh: "必填"}},
		{"required left blank", deal, map[string]any{"title": "   "},
			schema.FieldError{Field: "title", Code: "required", Message: "is required", MessageZh: "必填"}},
		{"text too long", deal, map[string]any{"title": strings.Repeat("长", 201)},
			schema.FieldError{Field: "title", Code: "maxLength", Message: "must be at most 200 characters", MessageZh: "不能超过 200 个字符"}},
		{"number as a string", deal, map[string]any{"title": "x", "amount": "12"},
			schema.FieldError{Field: "amount", Code: "type", Message: "must be a number", MessageZh: "必须是数字"}},
		{"below minimum", deal, map[string]any{"title": "x", "amount": -0.5},
			schema.FieldError{Field: "amount", Code: "minimum", Message: "must be at least 0", MessageZh: "不能小于 0"}},
		{"not an option", deal, map[string]any{"title": "x", "stage": "lost?"},
			schema.FieldError{Field: "stage", Code: "enum", Message: "must be one of: new, qualified, won, lost", MessageZh: "必须是以下值之一：new、qualified、won、lost"}},
		{"V2: email x", deal, map[string]any{"title": "x", "email": "x"},
			schema.FieldError{Field: "email", Code: "format", Message: "is not a valid email address", MessageZh: "不是有效的邮箱地址"}},
		{"bad date", deal, map[string]any{"title": "x", "closeDate": "2024-02-30"},
			schema.FieldError{Field: "closeDate", Code: "format", Message: "is not a valid date (YYYY-MM-DD)", MessageZh: "不是有效的日期（YYYY-MM-DD）"}},
		{"lookup as a number", deal, map[string]any{"title": "x", "account": 7},
			schema.FieldError{Field: "account", Code: "type", Message: "must be a string", MessageZh: "必须是文本"}},
		{"unknown field", deal, map[string]any{"title": "x", "colour": "red"},
			schema.FieldError{Field: "colour", Code: "unknown", Message: "is not a field of deal", MessageZh: "不是 deal 的字段"}},
		{"system field in data", deal, map[string]any{"title": "x", "id": "r1"},
			schema.FieldError{Field: "id", Code: "unknown", Message: "is not a field of deal", MessageZh: "不是 deal 的字段"}},
		{"unknown field with a Go value", deal, map[string]any{"title": "x", "fn": func() {}},
			schema.FieldError{Field: "fn", Code: "unknown", Message: "is not a field of deal", MessageZh: "不是 deal 的字段"}},
		{"Go value JSON cannot hold", deal, map[string]any{"title": "x", "amount": struct{}{}},
			schema.FieldError{Field: "amount", Code: "type", Message: "must be a number", MessageZh: "必须是数字"}},
		{"malformed json.Number", deal, map[string]any{"title": "x", "amount": json.Number("1e999")},
			schema.FieldError{Field: "amount", Code: "type", Message: "must be a number", MessageZh: "必须是数字"}},
		{"too short", ticket, withTicket("subject", "ab"),
			schema.FieldError{Field: "subject", Code: "minLength", Message: "must be at least 3 characters", MessageZh: "不能少于 3 个字符"}},
		{"pattern", ticket, withTicket("subject", "abc1"),
			schema.FieldError{Field: "subject", Code: "pattern", Message: "does not match the pattern ^[A-Za-z ]+$", MessageZh: "不符合格式要求（^[A-Za-z ]+$）"}},
		{"above maximum", ticket, withTicket("score", 10.5),
			schema.FieldError{Field: "score", Code: "maximum", Message: "must be at most 10", MessageZh: "不能大于 10"}},
		{"not a multiple", ticket, withTicket("score", 0.3),
			schema.FieldError{Field: "score", Code: "multipleOf", Message: "must be a multiple of 0.5", MessageZh: "必须是 0.5 的倍数"}},
		{"exclusive minimum", ticket, withTicket("count", 0),
			schema.FieldError{Field: "count", Code: "minimum", Message: "must be greater than 0", MessageZh: "必须大于 0"}},
		{"exclusive maximum", ticket, withTicket("count", 100),
			schema.FieldError{Field: "count", Code: "maximum", Message: "must be less than 100", MessageZh: "必须小于 100"}},
		{"fraction in an integer", ticket, withTicket("count", 1.5),
			schema.FieldError{Field: "count", Code: "type", Message: "must be a whole number", MessageZh: "必须是整数"}},
		{"boolean as a string", ticket, withTicket("urgent", "yes"),
			schema.FieldError{Field: "urgent", Code: "type", Message: "must be true or false", MessageZh: "必须是“是”或“否”"}},
		{"bad datetime", ticket, withTicket("openedAt", "2024-05-01 08:30"),
			schema.FieldError{Field: "openedAt", Code: "format",
				Message:   "is not a valid date and time (RFC 3339, e.g. 2024-05-01T08:30:00Z)",
				MessageZh: "不是有效的日期时间（RFC 3339，例如 2024-05-01T08:30:00Z）"}},
		{"bad url", ticket, withTicket("site", "example.com"),
			schema.FieldError{Field: "site", Code: "format", Message: "is not a valid URL", MessageZh: "不是有效的网址"}},
		{"too few items", ticket, withTicket("tags", []any{}),
			schema.FieldError{Field: "tags", Code: "minItems", Message: "must have at least 1 item", MessageZh: "至少需要 1 项"}},
		{"too many items", ticket, withTicket("tags", []any{"a", "b", "c", "a"}),
			schema.FieldError{Field: "tags", Code: "maxItems", Message: "must have at most 3 items", MessageZh: "最多只能有 3 项"}},
		{"duplicate items", ticket, withTicket("tags", []any{"a", "a"}),
			schema.FieldError{Field: "tags", Code: "uniqueItems", Message: "must not contain duplicates", MessageZh: "不能包含重复的值"}},
		{"item not an option", ticket, withTicket("tags", []any{"a", "z"}),
			schema.FieldError{Field: "tags", Code: "enum", Message: "item 2 must be one of: a, b, c", MessageZh: "第 2 项必须是以下值之一：a、b、c"}},
		{"list as a string", ticket, withTicket("tags", "a"),
			schema.FieldError{Field: "tags", Code: "type", Message: "must be a list", MessageZh: "必须是列表"}},
		{"lookup list item not a string", ticket, withTicket("watchers", []any{"u1", 2}),
			schema.FieldError{Field: "watchers", Code: "type", Message: "item 2 must be a string", MessageZh: "第 2 项必须是文本"}},
		{"address part too long", ticket, withTicket("shipTo", map[string]any{"city": "Ulaanbaatar!"}),
			schema.FieldError{Field: "shipTo.city", Code: "maxLength", Message: "must be at most 10 characters", MessageZh: "不能超过 10 个字符"}},
		{"address part not a string", ticket, withTicket("shipTo", map[string]any{"city": 3}),
			schema.FieldError{Field: "shipTo.city", Code: "type", Message: "must be a string", MessageZh: "必须是文本"}},
		{"unknown address part", ticket, withTicket("shipTo", map[string]any{"planet": "Mars"}),
			schema.FieldError{Field: "shipTo.planet", Code: "unknown", Message: "is not an address part", MessageZh: "不是地址的组成部分"}},
		{"address as a string", ticket, withTicket("shipTo", "Beijing"),
			schema.FieldError{Field: "shipTo", Code: "type", Message: "must be an object", MessageZh: "必须是对象"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			err := s.v.Validate(s.data)
			assert.Equal(t, []schema.FieldError{s.want}, fieldErrorsOf(t, err))
		})
	}
}

func TestValidator_Validate_AllAtOnce(t *testing.T) {
	t.Parallel()
	v := mustValidator(t, dealJSON)
	err := v.Validate(map[string]any{
		"zzz":       1,
		"account":   false,
		"closeDate": "tomorrow",
		"email":     "x",
		"stage":     "maybe",
		"amount":    -1,
		"aaa":       "?",
	})
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "deal", ve.Object)

	var got [][2]string
	for _, fe := range ve.Fields {
		got = append(got, [2]string{fe.Field, fe.Code})
		assert.NotEmpty(t, fe.Message)
		assert.NotEmpty(t, fe.MessageZh)
	}
	assert.Equal(t, [][2]string{
		{"title", "required"},
		{"amount", "minimum"},
		{"stage", "enum"},
		{"email", "format"},
		{"closeDate", "format"},
		{"account", "type"},
		{"aaa", "unknown"},
		{"zzz", "unknown"},
	}, got, "every failing field once, in field order, unknown fields last")
	assert.Equal(t, "invalid deal record: title: is required; amount: must be at least 0; "+
		"stage: must be one of: new, qualified, won, lost; email: is not a valid email address; "+
		"closeDate: is not a valid date (YYYY-MM-DD); account: must be a string; "+
		"aaa: is not a field of deal; zzz: is not a field of deal", err.Error())
}

func TestValidator_Validate_OneErrorPerField(t *testing.T) {
	t.Parallel()
	v := mustValidator(t, wholeObject)
	d := validTicket()
	d["subject"] = "x1" // too short and off the pattern
	got := fieldErrorsOf(t, v.Validate(d))
	require.Len(t, got, 1)
	assert.Equal(t, "pattern", got[0].Code)
}

func TestNewValidator_BuiltInCode(t *testing.T) {
	t.Parallel()
	max := 5.0
	obj := &schema.Object{Name: "lead", Fields: []*schema.Field{
		{Name: "name", Type: schema.TypeText, Required: true, MaxLength: 5},
		{Name: "status", Type: schema.TypePicklist, Options: []string{"hot", "cold"}},
		{Name: "email", Type: schema.TypeEmail},
		{Name: "rating", Type: schema.TypeInteger, Maximum: &max},
		{Name: "tags", Type: schema.TypeMultiPicklist, Options: []string{"a"}},
		{Name: "no", Type: schema.TypeAutoNumber, Required: true, AutoNumber: "L-{000}"},
		{Name: "shipTo", Type: schema.TypeAddress},
	}}
	v, err := schema.NewValidator(obj)
	require.NoError(t, err)
	assert.Same(t, obj, v.Object())

	require.NoError(t, v.Validate(map[string]any{"name": "Ann"}), "autonumbers are not required")
	got := fieldErrorsOf(t, v.Validate(map[string]any{
		"name": "Annabel", "status": "warm", "email": "nope", "rating": 6, "tags": []any{"b"},
		"shipTo": map[string]any{"moon": "x"},
	}))
	var codes []string
	for _, fe := range got {
		codes = append(codes, fe.Field+":"+fe.Code)
	}
	assert.Equal(t, []string{"name:maxLength", "status:enum", "email:format", "rating:maximum", "tags:enum", "shipTo.moon:unknown"}, codes)
}

// V1: the compiler refuses every URL: files, http(s) and relative
// references, even for a Field built in code that bypassed ParseObject.
func TestNewValidator_RefusesLoading(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"type": "string"}`))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { assert.Zero(t, hits.Load(), "the test server was contacted") })

	file := filepath.Join(t.TempDir(), "string.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"type": "string"}`), 0o600))

	scenarios := []struct {
		name string
		ref  string
	}{
		{"passwd", "file:///etc/passwd"},
		{"existing file", "file://" + filepath.ToSlash(file)},
		{"http", srv.URL + "/string.json"},
		{"relative", "other.json"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			raw, err := json.Marshal(map[string]any{"$ref": s.ref})
			require.NoError(t, err)
			obj := &schema.Object{Name: "deal", Fields: []*schema.Field{
				{Name: "title", Type: schema.TypeText, Schema: raw},
			}}
			_, err = schema.NewValidator(obj)
			require.ErrorIs(t, err, schema.ErrLoadRefused)
		})
	}
}

func TestValidator_Validate_Concurrent(t *testing.T) {
	t.Parallel()
	v := mustValidator(t, wholeObject)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				assert.NoError(t, v.Validate(validTicket()))
				assert.Error(t, v.Validate(map[string]any{"subject": 1}))
			}
		}()
	}
	wg.Wait()
}

func TestNewValidator_Nil(t *testing.T) {
	t.Parallel()
	_, err := schema.NewValidator(nil)
	require.Error(t, err)
}

func BenchmarkValidator_Validate(b *testing.B) {
	v := mustValidator(b, dealJSON)
	rec := map[string]any{"title": "Big deal", "amount": 1000.0, "stage": "won",
		"email": "a@b.cn", "closeDate": "2024-12-31", "account": "acc1"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := v.Validate(rec); err != nil {
			b.Fatal(err)
		}
	}
}
