package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
)

const formatsObject = `{"$id": "contact", "type": "object", "properties": {
  "phone":    {"type": "string", "format": "phone", "x-crm-type": "phone"},
  "mobile":   {"type": "string", "format": "cn-mobile", "x-crm-type": "phone"},
  "landline": {"type": "string", "format": "cn-landline", "x-crm-type": "phone"},
  "idCard":   {"type": "string", "format": "cn-resident-id", "x-crm-type": "text"},
  "uscc":     {"type": "string", "format": "cn-uscc", "x-crm-type": "text"},
  "plain":    {"type": "string", "x-crm-type": "phone"},
  "site":     {"type": "string", "format": "uri", "x-crm-type": "url"}
}}`

func TestValidator_Validate_Formats(t *testing.T) {
	t.Parallel()
	v := mustValidator(t, formatsObject)
	scenarios := []struct {
		name    string
		field   string
		value   string
		valid   bool
		message string // for invalid values
	}{
		{"phone with country code", "phone", "+86 (10) 1234-5678", true, ""},
		{"phone of five digits", "phone", "12345", true, ""},
		{"US phone", "phone", "555-1234", true, ""},
		{"phone too short", "phone", "1234", false, "is not a valid phone number"},
		{"phone too long", "phone", "123456789012345678901", false, "is not a valid phone number"},
		{"phone with letters", "phone", "call 12345", false, "is not a valid phone number"},
		{"phone with + inside", "phone", "12+345678", false, "is not a valid phone number"},
		{"phone of dashes", "phone", "12-------", false, "is not a valid phone number"},

		{"mobile", "mobile", "13812345678", true, ""},
		{"mobile 19x", "mobile", "19912345678", true, ""},
		{"mobile 12x", "mobile", "12812345678", false, "is not a valid mobile number"},
		{"mobile of 10 digits", "mobile", "1381234567", false, "is not a valid mobile number"},
		{"mobile with country code (stored without it)", "mobile", "+8613812345678", true, ""},
		{"mobile with a full-width digit (stored in ASCII)", "mobile", "1381234567８", true, ""},
		{"mobile with country code but 12 digits", "mobile", "+86138123456789", false, "is not a valid mobile number"},
		{"mobile of another country", "mobile", "+4413812345678", false, "is not a valid mobile number"},

		{"https url", "site", "https://www.example.com.cn/about?x=1#top", true, ""},
		{"http url with port and IDN", "site", "http://例子.中国:8080/", true, ""},
		{"upper-case scheme", "site", "HTTPS://example.com", true, ""},
		{"javascript url", "site", "javascript:alert(1)", false, "is not a valid URL"},
		{"javascript url with slashes", "site", "javascript://example.com/%0Aalert(1)", false, "is not a valid URL"},
		{"data url", "site", "data:text/html,<script>alert(1)</script>", false, "is not a valid URL"},
		{"file url", "site", "file:///etc/passwd", false, "is not a valid URL"},
		{"url without host", "site", "https:///path", false, "is not a valid URL"},
		{"relative url", "site", "//example.com/x", false, "is not a valid URL"},
		{"url with a space", "site", "https://example.com/a b", false, "is not a valid URL"},

		{"landline with dash", "landline", "010-12345678", true, ""},
		{"landline with 4-digit area code", "landline", "0755-1234567", true, ""},
		{"landline without dash", "landline", "02112345678", true, ""},
		{"landline with extension", "landline", "010-12345678-123", true, ""},
		{"landline with 转 extension", "landline", "010-12345678转8", true, ""},
		{"landline without area code", "landline", "12345678", false, "is not a valid landline number"},
		{"landline area code without 0", "landline", "10-12345678", false, "is not a valid landline number"},
		{"landline too short", "landline", "010-123456", false, "is not a valid landline number"},
		{"landline with two dashes", "landline", "010--12345678", false, "is not a valid landline number"},
		{"landline with empty extension", "landline", "010-12345678-", false, "is not a valid landline number"},

		{"resident id with X", "idCard", "11010519491231002X", true, ""},
		{"resident id with x", "idCard", "11010519491231002x", true, ""},
		{"resident id", "idCard", "440308199901010012", true, ""},
		{"resident id born on 29 February", "idCard", "320102198002291235", true, ""},
		{"resident id born in 1900", "idCard", "510102190001017778", true, ""},
		{"resident id with wrong check digit", "idCard", "110105194912310020", false, "is not a valid resident identity card number"},
		{"resident id born in month 13", "idCard", "110105194913310021", false, "is not a valid resident identity card number"},
		{"resident id born in 2099", "idCard", "110105209912310029", false, "is not a valid resident identity card number"},
		{"resident id born on 29 February 1981", "idCard", "320102198102291232", false, "is not a valid resident identity card number"},
		{"resident id of 15 digits", "idCard", "110105491231002", false, "is not a valid resident identity card number"},
		{"resident id with a letter", "idCard", "11010519491231A02X", false, "is not a valid resident identity card number"},

		{"USCC", "uscc", "91350100M000100Y43", true, ""},
		{"USCC ending in a letter", "uscc", "91110000600037341L", true, ""},
		{"USCC ending in X", "uscc", "12100000400000123X", true, ""},
		{"USCC with wrong check character", "uscc", "91350100M000100Y44", false, "is not a valid unified social credit code"},
		{"USCC with I", "uscc", "91350100M000100I43", false, "is not a valid unified social credit code"},
		{"USCC in lower case (stored in upper case)", "uscc", "91350100m000100y43", true, ""},
		{"USCC of 17 characters", "uscc", "91350100M000100Y4", false, "is not a valid unified social credit code"},

		{"phone field without format takes anything", "plain", "ask reception", true, ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			err := v.Validate(map[string]any{s.field: s.value})
			if s.valid {
				assert.NoError(t, err)
				return
			}
			got := fieldErrorsOf(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, s.field, got[0].Field)
			assert.Equal(t, "format", got[0].Code)
			assert.Equal(t, s.message, got[0].Message)
			assert.NotEmpty(t, got[0].MessageZh)
		})
	}
}

// One number written several ways is stored one way, so that a unique
// field cannot hold it twice (issue 13, item 14).
func TestNormalize_CanonicalFormats(t *testing.T) {
	t.Parallel()
	obj := mustParse(t, formatsObject)
	v := mustValidator(t, formatsObject)
	scenarios := []struct {
		name, field, in, stored string
	}{
		{"resident id check character x", "idCard", "11010519491231002x", "11010519491231002X"},
		{"resident id with spaces", "idCard", " 110105 19491231 002x ", "11010519491231002X"},
		{"resident id in full-width characters", "idCard", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"},
		{"mobile with +86 and spaces", "mobile", "+86 138 1234 5678", "13812345678"},
		{"mobile with 0086 and hyphens", "mobile", "0086-138-1234-5678", "13812345678"},
		{"mobile with 86", "mobile", "8613812345678", "13812345678"},
		{"mobile with ideographic space", "mobile", "138\u30001234\u30005678", "13812345678"},
		{"mobile already canonical", "mobile", "13812345678", "13812345678"},
		{"uscc lower-case", "uscc", "91350100m000100y43", "91350100M000100Y43"},
		{"uscc with spaces", "uscc", "9135 0100 M000 100Y 43", "91350100M000100Y43"},
		{"invalid mobile kept as typed", "mobile", "+86 12 34", "+86 12 34"},
		{"field without a format untouched", "plain", "+86 138 1234 5678", "+86 138 1234 5678"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			data := map[string]any{s.field: s.in}
			if s.stored != s.in || s.field == "plain" {
				require.NoError(t, v.Validate(data))
			}
			assert.Equal(t, s.stored, schema.Normalize(obj, data)[s.field])
			assert.Equal(t, s.stored, schema.CanonicalValue(obj.Field(s.field), s.in))
		})
	}
}
