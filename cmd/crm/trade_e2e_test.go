package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusedField runs query with the server's key and returns the field
// and message of its one VALIDATION_FAILED error.
func refusedField(t *testing.T, s *testServer, query string) (string, string) {
	t.Helper()
	r := s.gql(t, s.Key, query, nil)
	require.Len(t, r.Errors, 1, "%v", r.Errors)
	assert.Equal(t, "VALIDATION_FAILED", r.Errors[0].Extensions["code"])
	fields, _ := r.Errors[0].Extensions["fields"].([]any)
	require.NotEmpty(t, fields)
	return path(fields, 0, "field").(string), path(fields, 0, "message").(string)
}

// TestServe_HealthcareSlotsConsentFollowUps: the healthcare template
// through the real server. The front desk books a doctor's slot; a second
// booking in it is VALIDATION_FAILED on scheduledAt; the doctor cannot
// start a consultation that needs a consent until the front desk files
// it; completing the consultation plans the follow-up of the diagnosis.
func TestServe_HealthcareSlotsConsentFollowUps(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	s.ok(t, `mutation { installTemplate(name: "healthcare") { toVersion } }`, nil)
	for _, u := range [][2]string{{"desk", "frontDesk"}, {"zhou", "doctor"}} {
		s.ok(t, fmt.Sprintf(`mutation { createUser(input: {username: %q, password: "clinic user password", role: %q}) { username } }`, u[0], u[1]), nil)
	}
	desk := s.signIn(t, "desk", "clinic user password")
	doc := s.signIn(t, "zhou", "clinic user password")
	data := s.ok(t, `mutation { createDoctor(input: {staffNumber: "D0001", name: "周医生", department: orthopedics}) { id } }`, nil)
	doctor := path(data, "createDoctor", "id").(string)

	data, codes := desk.do(t, `mutation { createPatient(input: {name: "赵敏", gender: female}) { id } }`)
	require.Empty(t, codes)
	patient := path(data, "createPatient", "id").(string)
	book := fmt.Sprintf(`mutation { createVisit(input: {patient: %q, doctor: %q, department: orthopedics, type: outpatient, scheduledAt: "%%s", consentsRequired: [invasive]}) { id number slot } }`, patient, doctor)
	data, codes = desk.do(t, fmt.Sprintf(book, "2031-03-03T09:00:00+08:00"))
	require.Empty(t, codes)
	visit := path(data, "createVisit", "id").(string)
	assert.Equal(t, doctor+"@2031-03-03T01:00:00.000Z", path(data, "createVisit", "slot"))
	field, msg := refusedField(t, s, fmt.Sprintf(book, "2031-03-03T09:10:00+08:00"))
	assert.Equal(t, "scheduledAt", field)
	assert.Contains(t, msg, path(data, "createVisit", "number").(string))

	_, codes = doc.do(t, fmt.Sprintf(`mutation { updateVisit(id: %q, input: {status: checkedIn}) { id } }`, visit))
	require.Empty(t, codes)
	_, codes = doc.do(t, fmt.Sprintf(`mutation { updateVisit(id: %q, input: {status: inConsultation}) { id } }`, visit))
	assert.Equal(t, []string{"VALIDATION_FAILED"}, codes, "no consent yet")
	_, codes = desk.do(t, fmt.Sprintf(`mutation { createConsent(input: {patient: %q, visit: %q, kind: invasive, signedBy: patient, signerName: "赵敏", signedAt: "2031-03-03T00:50:00Z", doctor: %q}) { id } }`, patient, visit, doctor))
	require.Empty(t, codes)
	_, codes = doc.do(t, fmt.Sprintf(`mutation { updateVisit(id: %q, input: {status: inConsultation}) { id } }`, visit))
	require.Empty(t, codes)
	_, codes = doc.do(t, fmt.Sprintf(`mutation { createDiagnosis(input: {visit: %q, patient: %q, name: "膝关节骨关节炎", icd10: "M17.9", followUpIntervalDays: 14}) { id } }`, visit, patient))
	require.Empty(t, codes)
	data, codes = doc.do(t, fmt.Sprintf(`mutation { updateVisit(id: %q, input: {status: completed, chiefComplaint: "膝痛"}) { slot followUps { totalCount } } }`, visit))
	require.Empty(t, codes)
	assert.Nil(t, path(data, "updateVisit", "slot"), "a completed visit frees its slot")
	assert.Equal(t, 1.0, path(data, "updateVisit", "followUps", "totalCount"), "the diagnosis's follow-up is planned")
}

// TestServe_FinanceSubscription: an advisor cannot type a client's risk
// tolerance, the assessment they record sets it; their subscription
// without the recorded sale, or above the client's tolerance, is
// VALIDATION_FAILED through the real server.
func TestServe_FinanceSubscription(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	s.ok(t, `mutation { installTemplate(name: "finance") { toVersion } }`, nil)
	s.ok(t, `mutation { createUser(input: {username: "li", password: "advisor password", role: "advisor"}) { username } }`, nil)
	adv := s.signIn(t, "li", "advisor password")
	data := s.ok(t, `mutation { createProduct(input: {code: "PF-1", name: "成长一号", type: privateFund, riskLevel: R4}) { id } }`, nil)
	product := path(data, "createProduct", "id").(string)
	_, codes := adv.do(t, `mutation { createClient(input: {name: "王磊", mobile: "13700002222", riskTolerance: C5}) { id } }`)
	assert.Equal(t, []string{"VALIDATION_FAILED"}, codes, "the tolerance is not the advisor's to type")
	data, codes = adv.do(t, `mutation { createClient(input: {name: "王磊", mobile: "13700002222"}) { id } }`)
	require.Empty(t, codes)
	client := path(data, "createClient", "id").(string)
	_, codes = adv.do(t, fmt.Sprintf(`mutation { updateClient(id: %q, input: {riskTolerance: C5}) { id } }`, client))
	assert.Equal(t, []string{"VALIDATION_FAILED"}, codes)
	_, codes = adv.do(t, fmt.Sprintf(`mutation { createRiskAssessment(input: {client: %q, assessedOn: "2030-01-10", validUntil: "2031-01-09", result: C2, score: 45}) { id } }`, client))
	require.Empty(t, codes)
	data, codes = adv.do(t, fmt.Sprintf(`{ client(id: %q) { riskTolerance riskAssessmentExpires } }`, client))
	require.Empty(t, codes)
	assert.Equal(t, "C2", path(data, "client", "riskTolerance"), "the assessment sets it")
	assert.Equal(t, "2031-01-09", path(data, "client", "riskAssessmentExpires"))
	subscribe := fmt.Sprintf(`mutation { createOpportunity(input: {client: %q, product: %q, stage: subscribed, subscribedAmount: 100000, subscribedOn: "2030-06-02"%%s}) { id } }`, client, product)
	_, codes = adv.do(t, fmt.Sprintf(subscribe, ""))
	assert.Equal(t, []string{"VALIDATION_FAILED"}, codes)
	field, msg := refusedField(t, s, fmt.Sprintf(subscribe, `, recordingNumber: "SL1"`))
	assert.Equal(t, "product", field)
	assert.Contains(t, msg, "R4")
	data = s.ok(t, `{ opportunities { totalCount } }`, nil)
	assert.Zero(t, path(data, "opportunities", "totalCount"), "nothing stored")
}

// TestServe_RetailPointsAndCoupons: a shopping guide's redemption beyond a
// member's points, and an order with an expired coupon, are refused
// through the real server.
func TestServe_RetailPointsAndCoupons(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	s.ok(t, `mutation { installTemplate(name: "retail") { toVersion } }`, nil)
	s.ok(t, `mutation { createUser(input: {username: "guide", password: "guide password 1", role: "shoppingGuide"}) { username } }`, nil)
	guide := s.signIn(t, "guide", "guide password 1")
	data, codes := guide.do(t, `mutation { createMember(input: {name: "林女士", mobile: "13900001111"}) { id } }`)
	require.Empty(t, codes)
	member := path(data, "createMember", "id").(string)
	_, codes = guide.do(t, fmt.Sprintf(`mutation { createOrder(input: {member: %q, channel: store, orderedAt: "2031-03-01T02:00:00Z", goodsAmount: 500, paidAmount: 500, paymentMethod: wechatPay, status: completed}) { id } }`, member))
	require.Empty(t, codes)
	_, codes = guide.do(t, fmt.Sprintf(`mutation { createPointsEntry(input: {member: %q, type: redeem, points: -200, occurredAt: "2031-03-02T02:00:00Z"}) { balance seq } }`, member))
	require.Empty(t, codes)
	field, msg := refusedField(t, s, fmt.Sprintf(`mutation { createPointsEntry(input: {member: %q, type: redeem, points: -301, occurredAt: "2031-03-02T02:00:00Z"}) { id } }`, member))
	assert.Equal(t, "points", field)
	assert.Contains(t, msg, "Not enough points: 300 available, 301 asked", "in the key's language, English")

	data = s.ok(t, fmt.Sprintf(`mutation { createCoupon(input: {code: "CP-1", member: %q, type: cash, faceValue: 20, validUntil: "2020-01-01"}) { id } }`, member), nil)
	coupon := path(data, "createCoupon", "id").(string)
	_, codes = guide.do(t, fmt.Sprintf(`mutation { createOrder(input: {member: %q, channel: store, orderedAt: "2031-03-02T02:00:00Z", goodsAmount: 100, coupon: %q}) { id } }`, member, coupon))
	assert.Equal(t, []string{"VALIDATION_FAILED"}, codes, "an expired coupon")

	// A cancelled order gives back its coupon and the points it used.
	data = s.ok(t, fmt.Sprintf(`mutation { createCoupon(input: {code: "CP-2", member: %q, type: cash, faceValue: 20, validUntil: "2099-12-31"}) { id } }`, member), nil)
	coupon = path(data, "createCoupon", "id").(string)
	data, codes = guide.do(t, fmt.Sprintf(`mutation { createOrder(input: {member: %q, channel: store, orderedAt: "2031-03-02T02:00:00Z", goodsAmount: 100, coupon: %q, pointsUsed: 100}) { id } }`, member, coupon))
	require.Empty(t, codes)
	order := path(data, "createOrder", "id").(string)
	data = s.ok(t, fmt.Sprintf(`mutation { updateOrder(id: %q, input: {status: cancelled}) { coupon { id } returnedCoupon { id } } }`, order), nil)
	assert.Nil(t, path(data, "updateOrder", "coupon"))
	assert.Equal(t, coupon, path(data, "updateOrder", "returnedCoupon", "id"))
	data = s.ok(t, fmt.Sprintf(`{ coupon(id: %q) { status } member(id: %q) { points } }`, coupon, member), nil)
	assert.Equal(t, "issued", path(data, "coupon", "status"))
	assert.Equal(t, 300.0, path(data, "member", "points"))
}
