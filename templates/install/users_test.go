package install_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// userFields are the fields of the shipped templates that name
// colleagues: user fields since the versions that made them so.
var userFields = map[string][]string{
	"b2b-sales": {"account.owner", "activity.owner", "case.assignee", "lead.owner", "opportunity.owner", "order.owner"},
	"chemical":  {"contract.salesRep", "customer.salesRep", "visit.salesRep"},
	"education": {"class.teacher", "enrolment.consultant", "parentCommunication.staff", "student.consultant"},
	"finance":   {"client.advisor", "followUp.advisor", "opportunity.advisor"},
	"retail":    {"member.shoppingGuide", "order.shopAssistant", "store.manager"},
	"tourism":   {"booking.consultant", "careTask.consultant"},
}

// colleagues creates two users besides the administrator.
func colleagues(t *testing.T, eng *engine.Engine, ctx context.Context) []string {
	t.Helper()
	for _, u := range [][2]string{{"li.ming", "李明"}, {"wang.fang", "王芳"}} {
		_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: u[0], DisplayName: u[1], Password: "correct horse battery"})
		require.NoError(t, err)
	}
	return []string{"user:admin", "user:li.ming", "user:wang.fang"}
}

// fieldValues lists the values of a field over the object's records.
func fieldValues(t *testing.T, eng *engine.Engine, ctx context.Context, object, field string) []string {
	t.Helper()
	var out []string
	after := ""
	for {
		page, err := eng.ListRecords(ctx, object, engine.ListQuery{First: 100, After: after, Filter: &store.Filter{Field: field, Op: store.OpIsNull, Value: false}})
		require.NoError(t, err)
		for _, r := range page.Records {
			v, _ := r.Data[field].(string)
			out = append(out, v)
		}
		if !page.HasNextPage {
			return out
		}
		after = page.EndCursor
	}
}

// A fresh install: the people fields are user fields and the sample data
// gives them the tenant's users, more than one of them, never invented
// people.
func TestUserFields_FreshInstallGivesTheTenantsUsers(t *testing.T) {
	t.Parallel()
	for name, fields := range userFields {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			eng, ctx := newTenant(t, "t1")
			users := colleagues(t, eng, ctx)
			tpl, err := install.Template(name)
			require.NoError(t, err)
			_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample(name, sample.Options{Records: 300, Seed: 3, Now: refDate})})
			require.NoError(t, err)
			cat, err := eng.Catalog(ctx)
			require.NoError(t, err)
			for _, of := range fields {
				object, field, _ := strings.Cut(of, ".")
				f := cat.Object(object).Field(field)
				require.NotNil(t, f, of)
				assert.Equal(t, schema.TypeUser, f.Type, of)
				values := fieldValues(t, eng, ctx, object, field)
				require.NotEmpty(t, values, "%s: the sample data fills it", of)
				seen := map[string]bool{}
				for _, v := range values {
					assert.Contains(t, users, v, of)
					seen[v] = true
				}
				if len(values) >= 6 {
					assert.GreaterOrEqual(t, len(seen), 2, "%s: the users take turns", of)
				}
			}
		})
	}
}

// The sample data of a template with user fields needs a user to give
// them: without one it is refused before anything is written.
func TestUserFields_SampleDataNeedsAUser(t *testing.T) {
	t.Parallel()
	eng, ctx := newBareTenant(t, "t1")
	tpl, err := install.Template("education")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample("education", sample.Options{Records: 100, Seed: 3, Now: refDate})})
	require.Error(t, err)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.Contains(t, err.Error(), "student.consultant")
	assert.Contains(t, err.Error(), "create a user first")
	installed, err := eng.InstalledTemplates(ctx)
	require.NoError(t, err)
	assert.Empty(t, installed, "nothing installed")
	// Without sample data it installs.
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
}

// The template's automations reach the user the field names: the
// consultant of a student who attended a trial finds it in their inbox.
func TestUserFields_AutomationsNotifyTheUser(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	colleagues(t, eng, ctx)
	tpl, err := install.Template("education")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample("education", sample.Options{Records: 300, Seed: 3, Now: refDate})})
	require.NoError(t, err)
	contacted := sampleRecords(t, eng, ctx, "student", store.Filter{And: []store.Filter{
		store.Leaf("stage", store.OpIn, []any{"contacted", "trialBooked"}), store.Leaf("consultant", store.OpIsNull, false)}})
	require.NotEmpty(t, contacted)
	student := contacted[0]
	consultant, _ := student.Data["consultant"].(string)
	require.True(t, strings.HasPrefix(consultant, "user:"), consultant)
	_, err = eng.UpdateRecord(ctx, "student", student.ID, map[string]any{"stage": "trialBooked", "interestedCourse": firstID(t, eng, ctx, "course"), "trialDate": "2026-03-01"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "student", student.ID, map[string]any{"stage": "trialAttended", "trialFeedback": "孩子很喜欢"}, nil)
	require.NoError(t, err)
	as := engine.WithActor(context.Background(), engine.Actor{TenantID: "t1", ID: consultant})
	page, err := eng.MyNotifications(as, false, 100, "")
	require.NoError(t, err)
	found := slices.ContainsFunc(page.Notices, func(n engine.Notice) bool {
		return n.RecordID == student.ID && strings.Contains(n.Message.Zh, "已试听")
	})
	assert.True(t, found, "the consultant %s is told: %+v", consultant, page.Notices)

	// A new student given by display name gets the user.
	s, err := eng.CreateRecord(ctx, "student", map[string]any{"name": "赵小雨", "consultant": "李明"})
	require.NoError(t, err)
	assert.Equal(t, "user:li.ming", s.Data["consultant"])
}

// textVersion is the template as the version before user fields shipped
// it: the user fields are text of at most 50 characters.
func textVersion(t *testing.T, name, version string) *template.Template {
	t.Helper()
	tpl, err := install.Template(name)
	require.NoError(t, err)
	tpl.Version = version
	for i, def := range tpl.Objects {
		var d map[string]any
		require.NoError(t, json.Unmarshal(def, &d))
		props, _ := d["properties"].(map[string]any)
		changed := false
		for _, p := range props {
			if m, _ := p.(map[string]any); m["x-crm-type"] == "user" {
				m["x-crm-type"], m["maxLength"] = "text", 50
				changed = true
			}
		}
		if changed {
			b, err := json.Marshal(d)
			require.NoError(t, err)
			tpl.Objects[i] = b
		}
	}
	return tpl
}

func conversionOf(res *template.InstallResult, of string) *template.UserConversion {
	for i, c := range res.Users {
		if c.Object+"."+c.Field == of {
			return &res.Users[i]
		}
	}
	return nil
}

// Upgrading from the version with text fields converts the stored names:
// a display name of one active user or a username becomes that user; the
// others are listed and need force, which clears them. A rollback turns
// the users back into their names.
func TestUserFields_UpgradeConvertsTextValues(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	old := textVersion(t, "education", "1.3.0")
	_, err := eng.InstallTemplate(ctx, old, template.InstallOptions{Sample: install.Sample("education", sample.Options{Records: 300, Seed: 3, Now: refDate})})
	require.NoError(t, err)

	// The stored consultants are the generator's names: one becomes a
	// user's display name, a few records name a user by username; the
	// rest name nobody.
	names := fieldValues(t, eng, ctx, "student", "consultant")
	require.NotEmpty(t, names)
	counts := map[string]int{}
	for _, n := range names {
		counts[n]++
	}
	distinct := slices.Sorted(func(yield func(string) bool) {
		for n := range counts {
			if !yield(n) {
				return
			}
		}
	})
	require.GreaterOrEqual(t, len(distinct), 2)
	known := distinct[0]
	_, err = eng.CreateUser(ctx, "t1", engine.NewUser{Username: "li.ming", DisplayName: known, Password: "correct horse battery"})
	require.NoError(t, err)
	_, err = eng.CreateUser(ctx, "t1", engine.NewUser{Username: "wang.fang", DisplayName: "王芳芳", Password: "correct horse battery"})
	require.NoError(t, err)
	byUsername := sampleRecords(t, eng, ctx, "student", store.Leaf("consultant", store.OpEq, distinct[1]))[0]
	_, err = eng.UpdateRecord(ctx, "student", byUsername.ID, map[string]any{"consultant": "wang.fang"}, nil)
	require.NoError(t, err)
	counts[distinct[1]]--
	if counts[distinct[1]] == 0 {
		delete(counts, distinct[1])
	}
	var unmatched int64
	for n, c := range counts {
		if n != known {
			unmatched += int64(c)
		}
	}
	require.Positive(t, unmatched)

	tpl, err := install.Template("education")
	require.NoError(t, err)

	// A dry run lists the values per field and changes nothing.
	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{DryRun: true})
	require.NoError(t, err)
	conv := conversionOf(res, "student.consultant")
	require.NotNil(t, conv, "%+v", res.Users)
	assert.Equal(t, int64(counts[known]+1), conv.Matched, "the display name and the username")
	assert.Equal(t, unmatched, conv.UnmatchedRecords())
	assert.False(t, slices.ContainsFunc(conv.Unmatched, func(v template.ValueCount) bool { return v.Value == known || v.Value == "wang.fang" }))
	assert.False(t, conv.Cleared)
	assert.Contains(t, conv.Text("zh"), "需要强制升级")
	for _, of := range []string{"enrolment.consultant", "parentCommunication.staff", "class.teacher"} {
		assert.NotNil(t, conversionOf(res, of), of)
	}
	cat, err := eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Equal(t, schema.TypeText, cat.Object("student").Field("consultant").Type, "a dry run changes nothing")

	// Unforced, the upgrade is refused and changes nothing.
	res, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.Error(t, err)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	assert.Contains(t, err.Error(), "student.consultant")
	require.NotNil(t, res)
	assert.False(t, res.Applied)
	installed, err := eng.InstalledTemplates(ctx)
	require.NoError(t, err)
	require.Len(t, installed, 1)
	assert.Equal(t, "1.3.0", installed[0].Version)
	unchanged := map[string]int{}
	for _, v := range fieldValues(t, eng, ctx, "student", "consultant") {
		unchanged[v]++
	}
	want := maps.Clone(counts)
	want["wang.fang"] = 1
	assert.Equal(t, want, unchanged, "the values are as they were")

	// Forced, it converts what names a user and clears the rest.
	res, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Force: true})
	require.NoError(t, err)
	assert.True(t, res.Applied)
	assert.True(t, conversionOf(res, "student.consultant").Cleared)
	cat, err = eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Equal(t, schema.TypeUser, cat.Object("student").Field("consultant").Type)
	after := fieldValues(t, eng, ctx, "student", "consultant")
	got := map[string]int{}
	for _, v := range after {
		got[v]++
	}
	assert.Equal(t, map[string]int{"user:li.ming": counts[known], "user:wang.fang": 1}, got)
	moved, err := eng.GetRecord(ctx, "student", byUsername.ID)
	require.NoError(t, err)
	assert.Equal(t, "user:wang.fang", moved.Data["consultant"])

	// Rolled back, the fields are text again and the users their names.
	_, err = eng.RollbackTemplate(ctx, "education", template.RollbackOptions{Force: true})
	require.NoError(t, err)
	cat, err = eng.Catalog(ctx)
	require.NoError(t, err)
	assert.Equal(t, schema.TypeText, cat.Object("student").Field("consultant").Type)
	back := map[string]int{}
	for _, v := range fieldValues(t, eng, ctx, "student", "consultant") {
		back[v]++
	}
	assert.Equal(t, map[string]int{known: counts[known], "王芳芳": 1}, back)
	installed, err = eng.InstalledTemplates(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1.3.0", installed[0].Version)
}

// Every value naming a user: the upgrade needs no force.
func TestUserFields_UpgradeWithEveryValueMatched(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	old := textVersion(t, "tourism", "1.4.0")
	_, err := eng.InstallTemplate(ctx, old, template.InstallOptions{})
	require.NoError(t, err)
	colleagues(t, eng, ctx)
	tr, err := eng.CreateRecord(ctx, "traveller", map[string]any{"name": "周杰", "mobile": "13912345678"})
	require.NoError(t, err)
	for i, c := range []string{"李明", "wang.fang", " 李明 "} {
		_, err := eng.CreateRecord(ctx, "careTask", map[string]any{"traveller": tr.ID, "kind": "welcomeHome", "dueDate": fmt.Sprintf("2026-01-0%d", i+1), "consultant": c})
		require.NoError(t, err)
	}
	tpl, err := install.Template("tourism")
	require.NoError(t, err)
	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	assert.True(t, res.Applied)
	conv := conversionOf(res, "careTask.consultant")
	require.NotNil(t, conv)
	assert.Equal(t, int64(3), conv.Matched)
	assert.Empty(t, conv.Unmatched)
	got := fieldValues(t, eng, ctx, "careTask", "consultant")
	slices.Sort(got)
	assert.Equal(t, []string{"user:li.ming", "user:li.ming", "user:wang.fang"}, got)
}
