package access_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/engine/access"
	"github.com/crmkit/crm/store"
)

func TestRules_Blocked(t *testing.T) {
	t.Parallel()
	r := &access.Rules{Hidden: map[string]bool{"margin": true}, Masked: map[string]bool{"phone": true}}
	title, phone := store.Leaf("title", store.OpEq, "x"), store.Leaf("phone", store.OpEq, "1")
	scenarios := []struct {
		name  string
		f     *store.Filter
		sorts []store.Sort
		field string
		sort  bool
	}{
		{"nothing blocked", &title, []store.Sort{{Field: "title"}}, "", false},
		{"a sort on a hidden field", &phone, []store.Sort{{Field: "margin"}}, "margin", true},
		{"a masked field deep in a filter", &store.Filter{Or: []store.Filter{title, {Not: &phone}}}, nil, "phone", false},
		{"a path through a hidden field", &store.Filter{Field: "margin.value", Op: store.OpEq}, nil, "margin.value", false},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			field, sort := r.Blocked(s.f, s.sorts)
			assert.Equal(t, s.field, field)
			assert.Equal(t, s.sort, sort)
		})
	}
}

func TestRules_KeepMasked(t *testing.T) {
	t.Parallel()
	r := &access.Rules{Masked: map[string]bool{"mobile": true}}
	cur := &store.Record{Data: map[string]any{"mobile": "13812345678"}}
	patch := map[string]any{"mobile": "138****5678", "name": "x"}
	assert.Equal(t, map[string]any{"name": "x"}, r.KeepMasked(patch, cur), "the masked form sent back changes nothing")
	assert.Len(t, patch, 2, "the patch itself is kept")
	changed := map[string]any{"mobile": "13900000000"}
	assert.Equal(t, changed, r.KeepMasked(changed, cur), "a new value is written")
}
