package install_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates/install"
)

// healthcareVisit books a visit of a new patient with a doctor.
func healthcareVisit(t *testing.T, eng *engine.Engine, ctx context.Context, doctor, at string, extra map[string]any) (store.Record, error) {
	t.Helper()
	p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "赵敏", "gender": "female"})
	require.NoError(t, err)
	v := map[string]any{"patient": p.ID, "doctor": doctor, "department": "orthopedics", "type": "outpatient", "scheduledAt": at}
	for k, x := range extra {
		v[k] = x
	}
	return eng.CreateRecord(ctx, "visit", v)
}

// TestHealthcare_SlotsAreBookedOnce: a doctor's 15-minute slot holds one
// open visit; a booking anywhere in a taken slot is refused naming the
// visit that holds it, another doctor or another slot is fine, and a
// cancelled visit frees its slot.
func TestHealthcare_SlotsAreBookedOnce(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "healthcare")
	held, err := eng.CountRecords(ctx, "visit", &store.Filter{Field: "slot", Op: store.OpIsNull, Value: false})
	require.NoError(t, err)
	assert.Positive(t, held, "the sample data has booked visits holding slots")

	doctor := firstID(t, eng, ctx, "doctor")
	other, err := eng.CreateRecord(ctx, "doctor", map[string]any{"staffNumber": "D9001", "name": "孙立", "department": "orthopedics"})
	require.NoError(t, err)
	first, err := healthcareVisit(t, eng, ctx, doctor, "2031-03-03T01:00:00Z", nil)
	require.NoError(t, err)
	assert.Equal(t, doctor+"@2031-03-03T01:00:00.000Z", first.Data["slot"])

	_, err = healthcareVisit(t, eng, ctx, doctor, "2031-03-03T09:10:00+08:00", nil)
	require.Error(t, err, "09:10 in Shanghai is in the 09:00 slot")
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	assert.Contains(t, errFields(err), "scheduledAt")
	assertRefused(t, err, "该医生此时段（15 分钟号源）已被预约："+first.Data["number"].(string),
		"The doctor is already booked in this 15-minute slot: "+first.Data["number"].(string))

	_, err = healthcareVisit(t, eng, ctx, other.ID, "2031-03-03T01:05:00Z", nil)
	require.NoError(t, err, "another doctor")
	next, err := healthcareVisit(t, eng, ctx, doctor, "2031-03-03T01:15:00Z", nil)
	require.NoError(t, err, "the next slot")

	// Moving a visit into a taken slot is refused too.
	_, err = eng.UpdateRecord(ctx, "visit", next.ID, map[string]any{"scheduledAt": "2031-03-03T01:14:59Z"}, nil)
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))

	_, err = eng.UpdateRecord(ctx, "visit", first.ID, map[string]any{"status": "cancelled"}, nil)
	require.NoError(t, err)
	got, err := eng.GetRecord(ctx, "visit", first.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Data["slot"], "a cancelled visit holds no slot")
	_, err = healthcareVisit(t, eng, ctx, doctor, "2031-03-03T01:05:00Z", nil)
	require.NoError(t, err, "the freed slot")
}

// TestHealthcare_ConcurrentBookingsOfOneSlot: bookings of one slot at the
// same time leave exactly one visit in it — the unique slot holds where a
// check by reading could not.
func TestHealthcare_ConcurrentBookingsOfOneSlot(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "healthcare")
	doctor := firstID(t, eng, ctx, "doctor")
	patients := make([]string, 8)
	for i := range patients {
		p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "并发患者", "gender": "male"})
		require.NoError(t, err)
		patients[i] = p.ID
	}
	var wg sync.WaitGroup
	errs := make([]error, len(patients))
	for i, p := range patients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = eng.CreateRecord(ctx, "visit", map[string]any{"patient": p, "doctor": doctor, "department": "orthopedics",
				"type": "outpatient", "scheduledAt": "2031-05-05T02:30:00Z"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		assert.Contains(t, []engine.Code{engine.CodeValidation, engine.CodeConflict}, engine.CodeOf(err), "%v", err)
	}
	assert.Equal(t, 1, ok, "one booking wins: %v", errs)
	n, err := eng.CountRecords(ctx, "visit", &store.Filter{Field: "slot", Op: store.OpEq, Value: doctor + "@2031-05-05T02:30:00.000Z"})
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
}

// TestHealthcare_ConsentBeforeTreatment: a visit that needs a signed
// consent cannot go into consultation (or be completed, or be created
// there) without one for this visit and patient; a withdrawn one does not
// count; a consent for another patient's visit is refused.
func TestHealthcare_ConsentBeforeTreatment(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "healthcare")
	signed, err := eng.CountRecords(ctx, "consent", &store.Filter{Field: "status", Op: store.OpEq, Value: "signed"})
	require.NoError(t, err)
	assert.Positive(t, signed, "the sample data has signed consents")
	waiting, err := eng.CountRecords(ctx, "visit", &store.Filter{And: []store.Filter{
		{Field: "status", Op: store.OpEq, Value: "booked"}, {Field: "consentsRequired", Op: store.OpIsNull, Value: false}}})
	require.NoError(t, err)
	assert.Positive(t, waiting, "and booked visits that need one")

	doctor := firstID(t, eng, ctx, "doctor")
	v, err := healthcareVisit(t, eng, ctx, doctor, "2031-04-01T02:00:00Z", map[string]any{"consentsRequired": []any{"invasive", "anaesthesia"}})
	require.NoError(t, err, "booking needs no consent yet")
	_, err = eng.UpdateRecord(ctx, "visit", v.ID, map[string]any{"status": "checkedIn"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "visit", v.ID, map[string]any{"status": "inConsultation"}, nil)
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	assert.Contains(t, errFields(err), "consentsRequired")
	assertRefused(t, err, "开始诊疗前须有患者签署的知情同意书，缺少：有创检查/治疗知情同意、麻醉知情同意",
		"Signed informed consent is required before treatment; missing: invasive procedure, anaesthesia")

	consent := func(visit, patient, kind string) (store.Record, error) {
		return eng.CreateRecord(ctx, "consent", map[string]any{"patient": patient, "visit": visit, "kind": kind, "signedBy": "patient",
			"signerName": "赵敏", "signedAt": "2031-04-01T01:50:00Z", "doctor": doctor})
	}
	stranger, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "钱多", "gender": "male"})
	require.NoError(t, err)
	_, err = consent(v.ID, stranger.ID, "invasive")
	require.Error(t, err, "a consent for another patient's visit")
	assert.Contains(t, errFields(err), "visit")
	assertRefused(t, err, "该就诊记录属于另一位患者", "The visit is another patient's")
	_, err = eng.CreateRecord(ctx, "consent", map[string]any{"patient": v.Data["patient"], "visit": v.ID, "kind": "invasive", "signedBy": "guardian",
		"signerName": "赵父", "signedAt": "2031-04-01T01:50:00Z", "doctor": doctor})
	require.Error(t, err, "a guardian says how they are related")
	assert.Contains(t, errFields(err), "signerRelation")

	_, err = consent(v.ID, v.Data["patient"].(string), "invasive")
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "visit", v.ID, map[string]any{"status": "inConsultation"}, nil)
	require.Error(t, err, "one of two is not enough")
	assertRefused(t, err, "缺少：麻醉知情同意", "missing: anaesthesia")
	zh, en := refusal(t, err)
	assert.NotContains(t, zh, "有创检查")
	assert.NotContains(t, en, "invasive")
	an, err := consent(v.ID, v.Data["patient"].(string), "anaesthesia")
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "visit", v.ID, map[string]any{"status": "inConsultation"}, nil)
	require.NoError(t, err)

	// Withdrawn, it no longer counts for a change of what is needed.
	_, err = eng.UpdateRecord(ctx, "consent", an.ID, map[string]any{"status": "withdrawn"}, nil)
	require.Error(t, err, "withdrawing needs a time")
	_, err = eng.UpdateRecord(ctx, "consent", an.ID, map[string]any{"status": "withdrawn", "withdrawnAt": "2031-04-01T02:10:00Z"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "visit", v.ID, map[string]any{"status": "completed", "chiefComplaint": "膝痛"}, nil)
	assertRefused(t, err, "缺少：麻醉知情同意", "missing: anaesthesia")

	// Created straight into consultation, it is checked as well.
	_, err = healthcareVisit(t, eng, ctx, doctor, "2031-04-02T02:00:00Z", map[string]any{"status": "inConsultation", "consentsRequired": []any{"surgery"}})
	require.Error(t, err)
	assert.Contains(t, errFields(err), "consentsRequired")
	assertRefused(t, err, "缺少：手术知情同意", "missing: surgery")
}

// TestHealthcare_FollowUpPlanAfterAVisit: completing a consultation plans
// a follow-up per diagnosis with an interval (chronic care or a return
// visit, due that many days on, reminded two days before), a phone call
// in three days when no diagnosis asks for one, and nothing for a patient
// who declined follow-up.
func TestHealthcare_FollowUpPlanAfterAVisit(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2031, 6, 2, 10, 30, 0, 0, time.FixedZone("CST", 8*3600)))
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("healthcare")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	doc, err := eng.CreateRecord(ctx, "doctor", map[string]any{"staffNumber": "D0001", "name": "周医生", "department": "cardiology"})
	require.NoError(t, err)

	consult := func(patientData map[string]any, diagnoses ...map[string]any) string {
		p, err := eng.CreateRecord(ctx, "patient", patientData)
		require.NoError(t, err)
		v, err := eng.CreateRecord(ctx, "visit", map[string]any{"patient": p.ID, "doctor": doc.ID, "department": "cardiology", "type": "outpatient",
			"scheduledAt": "2031-06-02T01:30:00Z"})
		require.NoError(t, err)
		for _, st := range []string{"checkedIn", "inConsultation"} {
			_, err = eng.UpdateRecord(ctx, "visit", v.ID, map[string]any{"status": st}, nil)
			require.NoError(t, err)
		}
		for _, d := range diagnoses {
			d["visit"], d["patient"] = v.ID, p.ID
			_, err := eng.CreateRecord(ctx, "diagnosis", d)
			require.NoError(t, err)
		}
		_, err = eng.UpdateRecord(ctx, "visit", v.ID, map[string]any{"status": "completed", "chiefComplaint": "头晕"}, nil)
		require.NoError(t, err)
		return v.ID
	}
	followUps := func(visit string) map[string]*store.Record {
		page, err := eng.ListRecords(ctx, "followUp", engine.ListQuery{First: 10, Filter: &store.Filter{Field: "visit", Op: store.OpEq, Value: visit}})
		require.NoError(t, err)
		out := map[string]*store.Record{}
		for i := range page.Records {
			out[page.Records[i].Data["type"].(string)] = &page.Records[i]
		}
		return out
	}

	v := consult(map[string]any{"name": "吴刚", "gender": "male"},
		map[string]any{"name": "原发性高血压", "icd10": "I10", "chronic": true, "followUpIntervalDays": 30.0},
		map[string]any{"name": "急性支气管炎", "icd10": "J20.9", "followUpIntervalDays": 7.0},
		map[string]any{"name": "健康体检", "icd10": "Z00.0"})
	got := followUps(v)
	require.Len(t, got, 2, "one per diagnosis with an interval")
	assert.Equal(t, "2031-07-02", got["chronicCare"].Data["dueDate"])
	remind, err := time.Parse(time.RFC3339, got["chronicCare"].Data["remindAt"].(string))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2031, 6, 30, 2, 30, 0, 0, time.UTC), remind.UTC(), "two days before, at the time the visit was completed")
	assert.Equal(t, "2031-06-09", got["revisit"].Data["dueDate"])
	assert.Equal(t, "scheduled", got["revisit"].Data["status"])
	assert.Equal(t, doc.ID, got["revisit"].Data["doctor"])

	got = followUps(consult(map[string]any{"name": "郑红", "gender": "female"}))
	require.Len(t, got, 1)
	assert.Equal(t, "2031-06-05", got["phone"].Data["dueDate"], "a phone call in three days")

	got = followUps(consult(map[string]any{"name": "冯军", "gender": "male", "consentToFollowUp": false},
		map[string]any{"name": "原发性高血压", "icd10": "I10", "followUpIntervalDays": 30.0}))
	assert.Empty(t, got, "the patient declined follow-up")

	// The planned follow-up is reminded by the template's reminder.
	clk.Set(time.Date(2031, 6, 30, 10, 31, 0, 0, time.FixedZone("CST", 8*3600)))
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	again, err := eng.GetRecord(ctx, "followUp", followUps(v)["chronicCare"].ID)
	require.NoError(t, err)
	assert.Equal(t, "reminded", again.Data["status"])
}

// TestHealthcare_UpgradeFrom140: a clinic on 1.4.0 with visits upgrades;
// its open visits take their slots (the formula's job), a double booking
// made afterwards is refused, and the new consent object is there.
func TestHealthcare_UpgradeFrom140(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	old, err := install.FromFS(os.DirFS("testdata/healthcare-1.4.0"))
	require.NoError(t, err)
	require.Equal(t, "1.4.0", old.Version)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{})
	require.NoError(t, err)
	doc, err := eng.CreateRecord(ctx, "doctor", map[string]any{"staffNumber": "D0001", "name": "周医生", "department": "orthopedics"})
	require.NoError(t, err)
	p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "赵敏", "gender": "female"})
	require.NoError(t, err)
	booked, err := eng.CreateRecord(ctx, "visit", map[string]any{"patient": p.ID, "doctor": doc.ID, "department": "orthopedics", "type": "outpatient",
		"scheduledAt": "2031-03-03T01:00:00Z"})
	require.NoError(t, err)

	tpl, err := install.Template("healthcare")
	require.NoError(t, err)
	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	assert.Empty(t, res.Conflicts)
	for range 5 {
		_, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	got, err := eng.GetRecord(ctx, "visit", booked.ID)
	require.NoError(t, err)
	assert.Equal(t, doc.ID+"@2031-03-03T01:00:00.000Z", got.Data["slot"], "the booking made before the upgrade holds its slot")
	_, err = eng.CreateRecord(ctx, "visit", map[string]any{"patient": p.ID, "doctor": doc.ID, "department": "orthopedics", "type": "revisit",
		"scheduledAt": "2031-03-03T01:10:00Z"})
	require.Error(t, err)
	assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
	_, err = eng.CreateRecord(ctx, "consent", map[string]any{"patient": p.ID, "visit": booked.ID, "kind": "surgery", "signedBy": "patient",
		"signerName": "赵敏", "signedAt": "2031-03-03T00:40:00Z", "doctor": doc.ID})
	require.NoError(t, err)
}

// TestHealthcare_UpgradeFrom150: a clinic on 1.5.0 with a booked visit
// that needs a consent upgrades; the visit's refusals (slot taken, consent
// missing) then come in the caller's language.
func TestHealthcare_UpgradeFrom150(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	old, err := install.FromFS(os.DirFS("testdata/healthcare-1.5.0"))
	require.NoError(t, err)
	require.Equal(t, "1.5.0", old.Version)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{})
	require.NoError(t, err)
	doc, err := eng.CreateRecord(ctx, "doctor", map[string]any{"staffNumber": "D0002", "name": "钱医生", "department": "orthopedics"})
	require.NoError(t, err)
	p, err := eng.CreateRecord(ctx, "patient", map[string]any{"name": "孙悦", "gender": "female"})
	require.NoError(t, err)
	booked, err := eng.CreateRecord(ctx, "visit", map[string]any{"patient": p.ID, "doctor": doc.ID, "department": "orthopedics", "type": "outpatient",
		"scheduledAt": "2031-03-03T01:00:00Z", "consentsRequired": []any{"surgery"}})
	require.NoError(t, err)

	upgradeTo(t, eng, ctx, "healthcare", "1.6.0")
	_, err = eng.CreateRecord(ctx, "visit", map[string]any{"patient": p.ID, "doctor": doc.ID, "department": "orthopedics", "type": "revisit",
		"scheduledAt": "2031-03-03T01:10:00Z"})
	assertRefused(t, err, "该医生此时段（15 分钟号源）已被预约："+booked.Data["number"].(string), "The doctor is already booked in this 15-minute slot")
	_, err = eng.UpdateRecord(ctx, "visit", booked.ID, map[string]any{"status": "checkedIn"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "visit", booked.ID, map[string]any{"status": "inConsultation"}, nil)
	assertRefused(t, err, "缺少：手术知情同意", "missing: surgery")
}

// TestHealthcare_SampleVisitsAwaitConsent: the sample data has booked
// visits whose consents are not all signed yet; such a visit cannot go
// into consultation until they are.
func TestHealthcare_SampleVisitsAwaitConsent(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "healthcare")
	visits := sampleRecords(t, eng, ctx, "visit", store.Filter{And: []store.Filter{store.Leaf("status", store.OpIn, []any{"booked", "checkedIn"}),
		store.Leaf("consentsRequired", store.OpIsNull, false)}})
	var waiting *store.Record
	for i, v := range visits {
		need, _ := v.Data["consentsRequired"].([]any)
		signed := sampleRecords(t, eng, ctx, "consent", store.Filter{And: []store.Filter{store.Leaf("visit", store.OpEq, v.ID), store.Leaf("status", store.OpEq, "signed")}})
		if len(need) > 0 && len(signed) < len(need) {
			waiting = &visits[i]
			break
		}
	}
	require.NotNil(t, waiting, "sample visits still waiting for a consent")
	if waiting.Data["status"] == "booked" {
		_, err := eng.UpdateRecord(ctx, "visit", waiting.ID, map[string]any{"status": "checkedIn"}, nil)
		require.NoError(t, err)
	}
	_, err := eng.UpdateRecord(ctx, "visit", waiting.ID, map[string]any{"status": "inConsultation"}, nil)
	assertRefused(t, err, "开始诊疗前须有患者签署的知情同意书，缺少：", "Signed informed consent is required before treatment; missing: ")
}
