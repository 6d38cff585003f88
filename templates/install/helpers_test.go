package install_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/templates/install"
)

// refusal returns the problems a refused write names, each as
// "field: message" ("message" for the record as a whole), joined by "; ",
// in Chinese and in English. err must be a validation error.
func refusal(t *testing.T, err error) (zh, en string) {
	t.Helper()
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve, "the write should be refused as invalid")
	var zhs, ens []string
	for _, f := range ve.Fields {
		z, e := f.MessageZh, f.Message
		if f.Field != "" {
			z, e = f.Field+": "+z, f.Field+": "+e
		}
		zhs, ens = append(zhs, z), append(ens, e)
	}
	return strings.Join(zhs, "; "), strings.Join(ens, "; ")
}

// assertRefused checks that err refuses a write with a problem whose
// Chinese words contain zh and whose English words contain en, and that
// neither language's words carry the other's (a refusal is in one
// language at a time).
func assertRefused(t *testing.T, err error, zh, en string) {
	t.Helper()
	gotZh, gotEn := refusal(t, err)
	assert.Contains(t, gotZh, zh, "the refusal in Chinese")
	assert.Contains(t, gotEn, en, "the refusal in English")
	if zh != "" {
		assert.NotContains(t, gotEn, zh, "the English refusal carries the Chinese words")
	}
	if en != "" {
		assert.NotContains(t, gotZh, en, "the Chinese refusal carries the English words")
	}
}

// TestRefusalHelpers: the helpers read a validation error's problems in
// each language.
func TestRefusalHelpers(t *testing.T) {
	err := &schema.ValidationError{Object: "order", Fields: []schema.FieldError{
		{Field: "points", Code: "script", Message: "not enough points", MessageZh: "积分不足"},
		{Code: "script", Message: "the coupon has expired", MessageZh: "优惠券已过期"}}}
	zh, en := refusal(t, err)
	assert.Equal(t, "points: 积分不足; 优惠券已过期", zh)
	assert.Equal(t, "points: not enough points; the coupon has expired", en)
	assertRefused(t, err, "积分不足", "not enough points")
}

// upgradeTo installs the template name as it ships over the version
// installed, checks that it is version and that nothing conflicts, and
// lets the worker run what the upgrade started (jobs, timers).
func upgradeTo(t *testing.T, eng *engine.Engine, ctx context.Context, name, version string) {
	t.Helper()
	tpl, err := install.Template(name)
	require.NoError(t, err)
	require.Equal(t, version, tpl.Version)
	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	assert.Empty(t, res.Conflicts)
	for range 5 {
		_, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
}
