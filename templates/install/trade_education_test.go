package install_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates/install"
)

// TestEducation_ClassCapacity: a class counts its active enrolments; an
// enrolment into a full class is refused on its class field, in the
// write's transaction, also when several try for the last seat at once.
func TestEducation_ClassCapacity(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "education")
	taken := sampleRecords(t, eng, ctx, "class", store.Leaf("enrolledCount", store.OpGt, 0.0))
	require.NotEmpty(t, taken, "the sample data places students in classes")
	for _, c := range taken {
		assert.LessOrEqual(t, c.Data["enrolledCount"], c.Data["capacity"], "sample classes are never overfull: %s", c.Data["code"])
	}

	course := firstID(t, eng, ctx, "course")
	class, err := eng.CreateRecord(ctx, "class", map[string]any{"code": "T-CAP-1", "name": "容量测试班", "course": course, "capacity": 3.0})
	require.NoError(t, err)
	students := sampleRecords(t, eng, ctx, "student", store.Leaf("stage", store.OpEq, "enrolled"))
	require.GreaterOrEqual(t, len(students), 10)
	enrol := func(student string) (store.Record, error) {
		return eng.CreateRecord(ctx, "enrolment", map[string]any{"student": student, "course": course, "class": class.ID,
			"lessonsPurchased": 24.0, "amount": 4800.0, "paidOn": "2026-03-01"})
	}
	first, err := enrol(students[0].ID)
	require.NoError(t, err)
	_, err = enrol(students[1].ID)
	require.NoError(t, err)
	got, err := eng.GetRecord(ctx, "class", class.ID)
	require.NoError(t, err)
	assert.Equal(t, 2.0, got.Data["enrolledCount"])
	assert.Equal(t, 1.0, got.Data["seatsLeft"], "nearly full")

	// Eight consultants try for the last seat at once: one gets it.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = enrol(students[2+i].ID)
		}()
	}
	wg.Wait()
	placed := 0
	for _, err := range errs {
		if err == nil {
			placed++
			continue
		}
		assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
		assert.Equal(t, []string{"class"}, errFields(err))
		assert.ErrorContains(t, err, "full")
	}
	assert.Equal(t, 1, placed)
	n, err := eng.CountRecords(ctx, "enrolment", &store.Filter{Field: "class", Op: store.OpEq, Value: class.ID})
	require.NoError(t, err)
	assert.EqualValues(t, 3, n, "refused enrolments are not stored")

	// A refund frees the seat; the class cannot shrink below its students.
	_, err = eng.UpdateRecord(ctx, "class", class.ID, map[string]any{"capacity": 2.0}, nil)
	assert.Equal(t, []string{"capacity"}, errFields(err))
	_, err = eng.UpdateRecord(ctx, "enrolment", first.ID, map[string]any{"status": "refunded"}, nil)
	require.NoError(t, err)
	_, err = enrol(students[0].ID)
	require.NoError(t, err, "the refunded seat is free again")
}

// TestEducation_TrialConversion: the first enrolment of a student who
// attended a trial converts them: enrolled, on the payment date, counted
// as a trial conversion in the trial funnel.
func TestEducation_TrialConversion(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "education")
	trial := sampleRecords(t, eng, ctx, "student", store.Leaf("stage", store.OpIn, []any{"trialBooked", "trialAttended"}))
	require.NotEmpty(t, trial, "the sample data has students at the trial")
	st := trial[0]
	before := funnel(t, eng, ctx)
	_, err := eng.CreateRecord(ctx, "enrolment", map[string]any{"student": st.ID, "course": firstID(t, eng, ctx, "course"),
		"lessonsPurchased": 48.0, "amount": 8640.0, "paidOn": "2026-03-02"})
	require.NoError(t, err)
	got, err := eng.GetRecord(ctx, "student", st.ID)
	require.NoError(t, err)
	assert.Equal(t, "enrolled", got.Data["stage"])
	assert.Equal(t, "2026-03-02", got.Data["enrolledOn"])
	assert.Equal(t, true, got.Data["convertedFromTrial"])
	assert.Equal(t, 48.0, got.Data["lessonsBought"])
	assert.EqualValues(t, 48, got.Data["remainingLessons"])
	after := funnel(t, eng, ctx)
	assert.Equal(t, before["enrolled"]+1, after["enrolled"], "the trial funnel counts the conversion")

	// A walk-in who enrols at once is enrolled too, not a trial conversion.
	walkIn, err := eng.CreateRecord(ctx, "student", map[string]any{"name": "周小宇"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "enrolment", map[string]any{"student": walkIn.ID, "course": firstID(t, eng, ctx, "course"),
		"lessonsPurchased": 24.0, "amount": 4000.0, "paidOn": "2026-03-02"})
	require.NoError(t, err)
	got, err = eng.GetRecord(ctx, "student", walkIn.ID)
	require.NoError(t, err)
	assert.Equal(t, "enrolled", got.Data["stage"])
	assert.Equal(t, false, got.Data["convertedFromTrial"])
}

// funnel runs the template's trial conversion report: students who
// booked a trial, by stage.
func funnel(t *testing.T, eng *engine.Engine, ctx context.Context) map[string]float64 {
	t.Helper()
	res, err := eng.RunReport(ctx, "trialConversion", nil)
	require.NoError(t, err)
	out := map[string]float64{}
	for _, g := range res.Rows {
		out[fmt.Sprint(g.Keys[0].Value)] = toFloat(g.Values[0])
	}
	return out
}

func toFloat(v any) float64 {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return 0
}

// TestEducation_RenewalReminder: lessons bought minus lessons used is
// what remains; at five or fewer the consultant is told once, and again
// only after a top-up ran low again. The sample data has students who
// were reminded.
func TestEducation_RenewalReminder(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "education")
	low := sampleRecords(t, eng, ctx, "student", store.Filter{And: []store.Filter{
		store.Leaf("stage", store.OpEq, "enrolled"), store.Leaf("remainingLessons", store.OpLte, 5.0)}})
	require.NotEmpty(t, low, "the sample data has students with few lessons left")
	for _, s := range low {
		if toFloat(s.Data["lessonsBought"]) > 0 {
			assert.Equal(t, true, s.Data["renewalReminded"], "reminded: %s", s.Data["number"])
		}
	}

	st, err := eng.CreateRecord(ctx, "student", map[string]any{"name": "林可欣", "consultant": "admin"})
	require.NoError(t, err)
	course := firstID(t, eng, ctx, "course")
	buy := func(n float64) {
		_, err := eng.CreateRecord(ctx, "enrolment", map[string]any{"student": st.ID, "course": course,
			"lessonsPurchased": n, "amount": 100 * n, "paidOn": "2026-03-02"})
		require.NoError(t, err)
	}
	attend := func(n int, attendance string) {
		for range n {
			_, err := eng.CreateRecord(ctx, "progressRecord", map[string]any{"student": st.ID, "lessonDate": "2026-03-09", "attendance": attendance})
			require.NoError(t, err)
		}
	}
	reminders := func() int {
		notes, err := eng.Notifications(ctx, "admin", 100)
		require.NoError(t, err)
		n := 0
		for _, note := range notes {
			if strings.Contains(note.Message.Zh, st.Data["number"].(string)) && strings.Contains(note.Message.Zh, "续费") {
				n++
			}
		}
		return n
	}
	remaining := func() float64 {
		got, err := eng.GetRecord(ctx, "student", st.ID)
		require.NoError(t, err)
		return toFloat(got.Data["remainingLessons"])
	}
	buy(10)
	attend(3, "leave")
	assert.Equal(t, 10.0, remaining(), "leave uses no lesson")
	attend(4, "present")
	assert.Equal(t, 6.0, remaining())
	assert.Zero(t, reminders())
	attend(1, "absent")
	assert.Equal(t, 5.0, remaining(), "a missed lesson without leave is used")
	assert.Equal(t, 1, reminders(), "told at five left")
	attend(3, "late")
	assert.Equal(t, 2.0, remaining())
	assert.Equal(t, 1, reminders(), "told once")
	buy(24)
	got, err := eng.GetRecord(ctx, "student", st.ID)
	require.NoError(t, err)
	assert.Equal(t, false, got.Data["renewalReminded"], "a top-up re-arms the reminder")
	attend(21, "present")
	assert.Equal(t, 5.0, remaining())
	assert.Equal(t, 2, reminders(), "told again after the top-up ran low")
	attend(10, "present")
	assert.Zero(t, remaining(), "never below zero")
}

// TestEducation_UpgradeFrom140: remaining lessons, stored data in 1.4.0,
// follow from the enrolments and lessons after the upgrade; classes count
// their students.
func TestEducation_UpgradeFrom140(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	old, err := install.FromFS(os.DirFS("testdata/education-1.4.0"))
	require.NoError(t, err)
	require.Equal(t, "1.4.0", old.Version)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{})
	require.NoError(t, err)
	course, err := eng.CreateRecord(ctx, "course", map[string]any{"code": "MA-1", "name": "思维数学", "subject": "math"})
	require.NoError(t, err)
	class, err := eng.CreateRecord(ctx, "class", map[string]any{"code": "MA-1-01", "name": "思维数学周六班", "course": course.ID, "capacity": 6.0})
	require.NoError(t, err)
	st, err := eng.CreateRecord(ctx, "student", map[string]any{"name": "王子涵", "stage": "enquiry", "remainingLessons": 99.0})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "enrolment", map[string]any{"student": st.ID, "course": course.ID, "class": class.ID,
		"lessonsPurchased": 24.0, "amount": 4000.0, "paidOn": "2026-01-10"})
	require.NoError(t, err)
	for range 3 {
		_, err = eng.CreateRecord(ctx, "progressRecord", map[string]any{"student": st.ID, "class": class.ID, "lessonDate": "2026-01-17", "attendance": "present"})
		require.NoError(t, err)
	}

	tpl, err := install.Template("education")
	require.NoError(t, err)
	require.Equal(t, "1.6.0", tpl.Version)
	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	assert.Empty(t, res.Conflicts)
	got, err := eng.GetRecord(ctx, "student", st.ID)
	require.NoError(t, err)
	assert.Equal(t, 24.0, got.Data["lessonsBought"])
	assert.Equal(t, 3.0, got.Data["lessonsUsed"])
	assert.EqualValues(t, 21, got.Data["remainingLessons"], "computed, no longer the stored 99")
	c, err := eng.GetRecord(ctx, "class", class.ID)
	require.NoError(t, err)
	assert.Equal(t, 1.0, c.Data["enrolledCount"])
	assert.Equal(t, 5.0, c.Data["seatsLeft"])
}
