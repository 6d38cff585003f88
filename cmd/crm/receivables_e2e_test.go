package main

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe_Receivables: the b2b-sales template's receivables through the
// real server. A sales rep (the template's salesRep role, signed in)
// signs a contract, plans two instalments and records a receipt; the
// plan and the contract show it; an overpayment comes back as
// VALIDATION_FAILED naming the amount field and the outstanding amount,
// and nothing is recorded.
func TestServe_Receivables(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	s.ok(t, `mutation { installTemplate(name: "b2b-sales") { toVersion } }`, nil)
	s.ok(t, `mutation { createUser(input: {username: "li", password: "rep one password", role: "salesRep"}) { username } }`, nil)
	rep := s.signIn(t, "li", "rep one password")

	data, codes := rep.do(t, `mutation { createAccount(input: {name: "苏州精研机械有限公司"}) { id } }`)
	require.Empty(t, codes)
	account := path(data, "createAccount", "id").(string)
	data, codes = rep.do(t, fmt.Sprintf(`mutation { createContract(input: {name: "MES 一期", account: %q, amount: 200000, owner: "li"}) { id } }`, account))
	require.Empty(t, codes)
	contract := path(data, "createContract", "id").(string)
	data, codes = rep.do(t, fmt.Sprintf(`mutation { createPaymentPlan(input: {contract: %q, plannedDate: "2099-01-15", plannedAmount: 60000}) { id instalment status owner } }`, contract))
	require.Empty(t, codes)
	plan := path(data, "createPaymentPlan", "id").(string)
	assert.Equal(t, 1.0, path(data, "createPaymentPlan", "instalment"))
	assert.Equal(t, "unpaid", path(data, "createPaymentPlan", "status"))
	_, codes = rep.do(t, fmt.Sprintf(`mutation { createPaymentPlan(input: {contract: %q, plannedDate: "2099-04-15", plannedAmount: 140000}) { id } }`, contract))
	require.Empty(t, codes)

	data, codes = rep.do(t, fmt.Sprintf(`mutation { createPayment(input: {plan: %q, paidOn: "2099-01-10", amount: 25000.5, method: bankTransfer, reference: "HX20990110"}) { id contract { id } } }`, plan))
	require.Empty(t, codes)
	assert.Equal(t, contract, path(data, "createPayment", "contract", "id"), "the plan's contract")
	data, codes = rep.do(t, fmt.Sprintf(`{ paymentPlan(id: %q) { receivedAmount outstandingAmount status } contract(id: %q) { receivedTotal outstandingAmount collectionRate } }`, plan, contract))
	require.Empty(t, codes)
	assert.Equal(t, map[string]any{"receivedAmount": 25000.5, "outstandingAmount": 34999.5, "status": "partial"}, data["paymentPlan"])
	assert.Equal(t, map[string]any{"receivedTotal": 25000.5, "outstandingAmount": 174999.5, "collectionRate": 12.5}, data["contract"])

	r := s.gql(t, s.Key, fmt.Sprintf(`mutation { createPayment(input: {plan: %q, paidOn: "2099-01-11", amount: 35000, method: cash}) { id } }`, plan), nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "VALIDATION_FAILED", r.Errors[0].Extensions["code"])
	fields, _ := r.Errors[0].Extensions["fields"].([]any)
	require.NotEmpty(t, fields)
	assert.Equal(t, "amount", path(fields, 0, "field"))
	assert.Contains(t, path(fields, 0, "message"), "34999.50")
	data = s.ok(t, fmt.Sprintf(`{ payments(filter: {contract: {eq: %q}}) { totalCount } }`, contract), nil)
	assert.Equal(t, 1.0, path(data, "payments", "totalCount"), "nothing recorded")
}
