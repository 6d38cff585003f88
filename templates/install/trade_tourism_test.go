package install_test

import (
	"os"
	"strings"
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
	"github.com/crmkit/crm/templates/sample"
)

// TestTourism_DepartureSeats: bookings hold seats on their departure
// from the deposit on; a deposit beyond the seats left is refused on the
// departure field, an enquiry beyond them is put on the waiting list. The
// sample departures are never overfull and some are nearly full.
func TestTourism_DepartureSeats(t *testing.T) {
	t.Parallel()
	eng, ctx := installed(t, "tourism")
	deps := sampleRecords(t, eng, ctx, "departure", store.Leaf("status", store.OpEq, "open"))
	require.NotEmpty(t, deps)
	nearlyFull := 0
	for _, d := range deps {
		assert.LessOrEqual(t, toFloat(d.Data["seatsTaken"]), toFloat(d.Data["seats"]), "%s", d.Data["code"])
		if toFloat(d.Data["seatsLeft"]) <= 3 {
			nearlyFull++
		}
	}
	assert.Positive(t, nearlyFull, "the sample data has nearly full departures")

	tour := firstID(t, eng, ctx, "tour")
	dep, err := eng.CreateRecord(ctx, "departure", map[string]any{"code": "T-DEP-1", "tour": tour, "departureDate": "2026-10-01", "seats": 5.0})
	require.NoError(t, err)
	traveller := firstID(t, eng, ctx, "traveller")
	book := func(adults float64, status string) (store.Record, error) {
		data := map[string]any{"traveller": traveller, "departure": dep.ID, "adults": adults, "totalAmount": 5000 * adults, "status": status}
		switch status {
		case "deposit":
			data["depositAmount"] = 1000 * adults
		}
		return eng.CreateRecord(ctx, "booking", data)
	}
	b1, err := book(3, "deposit")
	require.NoError(t, err)
	assert.Equal(t, tour, b1.Data["tour"], "the departure's tour")
	assert.Equal(t, "2026-10-01", b1.Data["departureDate"], "and date")
	got, err := eng.GetRecord(ctx, "departure", dep.ID)
	require.NoError(t, err)
	assert.Equal(t, 3.0, got.Data["seatsTaken"])
	assert.Equal(t, 2.0, got.Data["seatsLeft"])

	_, err = book(3, "deposit")
	require.Error(t, err)
	assert.Equal(t, []string{"departure"}, errFields(err))
	assert.ErrorContains(t, err, "Not enough seats")

	wait, err := book(3, "quoted")
	require.NoError(t, err, "an enquiry or quote holds no seat")
	assert.Equal(t, true, wait.Data["waitlisted"], "it waits for seats")
	_, err = eng.UpdateRecord(ctx, "booking", wait.ID, map[string]any{"status": "deposit", "depositAmount": 3000.0}, nil)
	assert.Equal(t, []string{"departure"}, errFields(err), "its deposit waits for seats")

	_, err = eng.UpdateRecord(ctx, "booking", b1.ID, map[string]any{"status": "cancelled", "cancelReason": "schedule"}, nil)
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "booking", wait.ID, map[string]any{"status": "deposit", "depositAmount": 3000.0}, nil)
	require.NoError(t, err, "a cancellation frees the seats")
	got, err = eng.GetRecord(ctx, "booking", wait.ID)
	require.NoError(t, err)
	assert.Equal(t, false, got.Data["waitlisted"])

	// Deposit rule: at least 20 % of the total.
	_, err = eng.CreateRecord(ctx, "booking", map[string]any{"traveller": traveller, "tour": tour, "departureDate": "2026-11-01",
		"totalAmount": 10000.0, "depositAmount": 1000.0, "status": "deposit"})
	assert.Equal(t, []string{"depositAmount"}, errFields(err))
}

// TestTourism_VisaChecklist: a booking of a tour that needs a visa gets
// its checklist per traveller and destination when it takes the deposit;
// the party cannot travel while documents are outstanding, and the
// consultant is warned 14 days before departure.
func TestTourism_VisaChecklist(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	clk := testkit.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, cst))
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("tourism")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample("tourism", sample.Options{Records: 300, Seed: 3, Now: refDate})})
	require.NoError(t, err)
	n, err := eng.CountRecords(ctx, "visaDocument", &store.Filter{Field: "status", Op: store.OpEq, Value: "collecting"})
	require.NoError(t, err)
	assert.Positive(t, n, "the sample bookings to visa destinations have their checklists")

	europe, err := eng.CreateRecord(ctx, "tour", map[string]any{"code": "T-EU", "name": "法瑞意 12日", "destination": "europe", "days": 12.0, "price": 18999.0, "visaRequired": true})
	require.NoError(t, err)
	a, err := eng.CreateRecord(ctx, "traveller", map[string]any{"name": "赵敏", "mobile": "13912340001"})
	require.NoError(t, err)
	b, err := eng.CreateRecord(ctx, "traveller", map[string]any{"name": "钱进", "mobile": "13912340002"})
	require.NoError(t, err)
	bk, err := eng.CreateRecord(ctx, "booking", map[string]any{"traveller": a.ID, "companions": []any{b.ID}, "tour": europe.ID,
		"departureDate": "2026-04-20", "adults": 2.0, "totalAmount": 37998.0, "status": "quoted", "consultant": "admin"})
	require.NoError(t, err)
	docs := func(status ...string) []store.Record {
		f := store.Filter{And: []store.Filter{store.Leaf("booking", store.OpEq, bk.ID)}}
		if len(status) > 0 {
			vals := make([]any, len(status))
			for i, s := range status {
				vals[i] = s
			}
			f.And = append(f.And, store.Leaf("status", store.OpIn, vals))
		}
		page, err := eng.ListRecords(ctx, "visaDocument", engine.ListQuery{First: 100, Filter: &f})
		require.NoError(t, err)
		return page.Records
	}
	assert.Empty(t, docs(), "a quote has no checklist yet")
	_, err = eng.UpdateRecord(ctx, "booking", bk.ID, map[string]any{"status": "deposit", "depositAmount": 10000.0}, nil)
	require.NoError(t, err)
	list := docs()
	require.Len(t, list, 2, "a checklist for each of the two travellers")
	for _, d := range list {
		assert.ElementsMatch(t, []any{"passport", "visaForm", "photo", "bankStatement", "employmentLetter", "hotelBooking", "flightBooking", "travelInsurance"},
			d.Data["required"], "Schengen documents")
		assert.Equal(t, "2026-03-21", d.Data["dueDate"], "due 30 days before departure")
		assert.EqualValues(t, 8, d.Data["missingCount"])
	}
	got, err := eng.GetRecord(ctx, "booking", bk.ID)
	require.NoError(t, err)
	assert.Equal(t, 2.0, got.Data["documentsOutstanding"])
	_, err = eng.UpdateRecord(ctx, "visaDocument", list[0].ID, map[string]any{"status": "submitted", "received": []any{"passport", "photo"}}, nil)
	assert.Equal(t, []string{"received"}, errFields(err), "not submitted while documents are missing")

	_, err = eng.UpdateRecord(ctx, "booking", bk.ID, map[string]any{"status": "paid", "paidOn": "2026-03-25"}, nil)
	require.NoError(t, err)
	assert.Len(t, docs(), 2, "paying does not make a second checklist")

	// 14 days before departure, at the start of the working day: warned.
	clk.Set(time.Date(2026, 4, 6, 9, 0, 0, 0, cst))
	for range 5 { // the sample bookings' timers, due long ago, come first
		_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	notes, err := eng.Notifications(ctx, "admin", engine.MaxPageSize) // besides the enquiries gone back to the pool meanwhile
	require.NoError(t, err)
	warned := 0
	for _, n := range notes {
		if strings.Contains(n.Message.Zh, got.Data["number"].(string)) && strings.Contains(n.Message.Zh, "签证材料未齐或未出签") {
			warned++
		}
	}
	assert.Equal(t, 1, warned, "%d notices", len(notes))

	_, err = eng.UpdateRecord(ctx, "booking", bk.ID, map[string]any{"status": "travelling"}, nil)
	assert.Equal(t, []string{"status"}, errFields(err), "blocked while documents are outstanding")
	for _, d := range list {
		_, err := eng.UpdateRecord(ctx, "visaDocument", d.ID, map[string]any{"status": "approved", "received": d.Data["required"]}, nil)
		require.NoError(t, err)
	}
	_, err = eng.UpdateRecord(ctx, "booking", bk.ID, map[string]any{"status": "travelling"}, nil)
	require.NoError(t, err, "complete: the party travels")
}

// TestTourism_PostTripCare: completing a trip creates the welcome-home
// care task for the consultant, and the review invitation reaches the
// consultant three days after the return.
func TestTourism_PostTripCare(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	clk := testkit.NewClock(time.Date(2026, 5, 1, 10, 0, 0, 0, cst))
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("tourism")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	tour, err := eng.CreateRecord(ctx, "tour", map[string]any{"code": "T-GL", "name": "桂林 4日", "destination": "guilin", "days": 4.0, "price": 2599.0})
	require.NoError(t, err)
	tr, err := eng.CreateRecord(ctx, "traveller", map[string]any{"name": "孙丽", "mobile": "13912340003"})
	require.NoError(t, err)
	bk, err := eng.CreateRecord(ctx, "booking", map[string]any{"traveller": tr.ID, "tour": tour.ID, "departureDate": "2026-05-02", "adults": 1.0,
		"totalAmount": 2599.0, "depositAmount": 800.0, "paidOn": "2026-04-25", "status": "travelling", "consultant": "admin"})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "booking", bk.ID, map[string]any{"status": "completed", "returnDate": "2026-05-05"}, nil)
	require.NoError(t, err)
	tasks, err := eng.ListRecords(ctx, "careTask", engine.ListQuery{First: 10, Filter: &store.Filter{Field: "booking", Op: store.OpEq, Value: bk.ID}})
	require.NoError(t, err)
	require.Len(t, tasks.Records, 1)
	assert.Equal(t, "welcomeHome", tasks.Records[0].Data["kind"])
	assert.Equal(t, "2026-05-05", tasks.Records[0].Data["dueDate"])
	assert.Equal(t, "user:admin", tasks.Records[0].Data["consultant"])

	clk.Set(time.Date(2026, 5, 8, 8, 59, 0, 0, cst))
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	notes, err := eng.Notifications(ctx, "admin", 10)
	require.NoError(t, err)
	assert.Empty(t, notes, "not before three days after the return")
	clk.Set(time.Date(2026, 5, 8, 9, 0, 0, 0, cst))
	_, err = worker.RunDue(ctx, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	notes, err = eng.Notifications(ctx, "admin", 10)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0].Message.Zh, "点评")
}

// TestTourism_UpgradeFrom150: bookings made with 1.5.0 keep their data,
// get their party size, and take the new rules on their next save.
func TestTourism_UpgradeFrom150(t *testing.T) {
	t.Parallel()
	eng, ctx := newTenant(t, "t1")
	old, err := install.FromFS(os.DirFS("testdata/tourism-1.5.0"))
	require.NoError(t, err)
	require.Equal(t, "1.5.0", old.Version)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{})
	require.NoError(t, err)
	tour, err := eng.CreateRecord(ctx, "tour", map[string]any{"code": "JP-7", "name": "日本 7日", "destination": "japan", "days": 7.0, "price": 8999.0, "visaRequired": true})
	require.NoError(t, err)
	tr, err := eng.CreateRecord(ctx, "traveller", map[string]any{"name": "周婷", "mobile": "13912340009"})
	require.NoError(t, err)
	bk, err := eng.CreateRecord(ctx, "booking", map[string]any{"traveller": tr.ID, "tour": tour.ID, "departureDate": "2026-09-01", "adults": 2.0,
		"totalAmount": 17998.0, "depositAmount": 1000.0, "status": "deposit", "consultant": "admin"})
	require.NoError(t, err, "1.5.0 takes a small deposit")

	tpl, err := install.Template("tourism")
	require.NoError(t, err)
	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	assert.Empty(t, res.Conflicts)
	for range 10 {
		_, err := worker.RunDue(ctx, eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
	got, err := eng.GetRecord(ctx, "booking", bk.ID)
	require.NoError(t, err)
	assert.Equal(t, 1000.0, got.Data["depositAmount"], "the data is kept")
	assert.EqualValues(t, 2, got.Data["partySize"], "formulas computed for the bookings already there")
	assert.Zero(t, toFloat(got.Data["documentsOutstanding"]), "nothing outstanding (a roll-up over an object the upgrade adds stays unset until its first record)")
	_, err = eng.UpdateRecord(ctx, "booking", bk.ID, map[string]any{"specialRequests": "靠窗"}, nil)
	assert.Equal(t, []string{"depositAmount"}, errFields(err), "the 20 % rule holds from the next save")
	_, err = eng.UpdateRecord(ctx, "booking", bk.ID, map[string]any{"depositAmount": 4000.0}, nil)
	require.NoError(t, err)
	dep, err := eng.CreateRecord(ctx, "departure", map[string]any{"code": "JP-7-0901", "tour": tour.ID, "departureDate": "2026-09-01", "seats": 20.0})
	require.NoError(t, err)
	_, err = eng.UpdateRecord(ctx, "booking", bk.ID, map[string]any{"departure": dep.ID}, nil)
	require.NoError(t, err)
	d, err := eng.GetRecord(ctx, "departure", dep.ID)
	require.NoError(t, err)
	assert.Equal(t, 2.0, d.Data["seatsTaken"], "an older booking placed on a departure takes its seats")
}
