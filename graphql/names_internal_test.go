package graphql

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlural(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ name, want string }{
		{"deal", "deals"}, {"opportunity", "opportunities"}, {"address", "addresses"}, {"class", "classes"},
		{"box", "boxes"}, {"church", "churches"}, {"wish", "wishes"}, {"day", "days"}, {"key", "keys"},
		{"salesPerson", "salesPeople"}, {"person", "people"}, {"child", "children"}, {"status", "statuses"},
		{"workOrder", "workOrders"}, {"companyPolicy", "companyPolicies"}, {"news", "news"}, {"series", "series"},
		{"productData", "productData"}, {"x", "xes"}, {"y", "ys"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, plural(s.name))
		})
	}
	assert.Equal(t, "newsList", listName("news"))
	assert.Equal(t, "deals", listName("deal"))
	assert.Equal(t, "Deal", upperFirst("deal"))
}

func TestLanguageOf(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ header, want string }{
		{"", "zh"},
		{"en", "en"},
		{"en-US,en;q=0.9", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"fr-FR, en;q=0.8, zh;q=0.5", "en"},
		{"fr-FR, de", "zh"},
		{"zh;q=0.5, en;q=0.9", "en"},
		{"en;q=0, zh", "zh"},
		{"EN-gb", "en"},
		{";;,,", "zh"},
	}
	for _, s := range scenarios {
		t.Run(s.header, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, languageOf(s.header))
		})
	}
}
