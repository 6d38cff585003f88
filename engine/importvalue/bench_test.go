package importvalue_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm/engine/importvalue"
)

// BenchmarkParse reads the cells of one row as an import of members
// meets them: an amount with ¥ and separators, a picklist by its Chinese
// label, a date in Chinese, a date-time, a number and a multipicklist.
// The import of 100,000 rows calls it for every cell:
//
//	go test ./engine/importvalue -run '^$' -bench Parse -benchmem
func BenchmarkParse(b *testing.B) {
	obj := member(b)
	zone := time.FixedZone("CST", 8*3600)
	cells := []struct{ field, text string }{
		{"spent", "¥1,234.50"}, {"tier", "银卡"}, {"birthday", "2026年3月1日"},
		{"lastSeen", "2026-03-01 09:30"}, {"visits", "12"}, {"tags", "茶、咖啡"},
	}
	for _, c := range cells {
		if _, p := importvalue.Parse(obj.Field(c.field), c.text, zone); p != nil {
			b.Fatalf("%s %q: %+v", c.field, c.text, p)
		}
	}
	for b.Loop() {
		for _, c := range cells {
			importvalue.Parse(obj.Field(c.field), c.text, zone)
		}
	}
}
