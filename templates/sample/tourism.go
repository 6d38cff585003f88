package sample

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func init() { generators["tourism"] = tourism }

// trv is the vocabulary of the tourism template.
var trv = mustLoad[tourismVocab]("tourism.json")

type tourismVocab struct {
	Tours     []tour   `json:"tours"`
	VisaFree  []string `json:"visaFree"` // destinations abroad without a visa
	Traveller struct {
		Styles         []string `json:"styles"`
		SeniorStyles   []string `json:"seniorStyles"` // over 58
		YoungStyles    []string `json:"youngStyles"`  // under 35
		ParentStyles   []string `json:"parentStyles"` // added under 45
		Destinations   []string `json:"destinations"` // preferred by those without bookings
		Accommodation  choice   `json:"accommodation"`
		SeatPreference choice   `json:"seatPreference"`
		Source         choice   `json:"source"`
		Dietary        []string `json:"dietary"`
	} `json:"traveller"`
	Booking struct {
		Channel         choice   `json:"channel"`
		CancelReason    choice   `json:"cancelReason"`
		SpecialRequests []string `json:"specialRequests"`
	} `json:"booking"`
	Itinerary struct {
		Hotels      []string          `json:"hotels"`
		SightFormat string            `json:"sightFormat"`
		Airlines    []string          `json:"airlines"`
		Suppliers   map[string]string `json:"suppliers"` // by kind, but flight
	} `json:"itinerary"`
	Review struct {
		OverallWeights []float64 `json:"overallWeights"` // of one to five stars
		Issues         []string  `json:"issues"`
		GoodComments   []string  `json:"goodComments"`
		BadComments    []string  `json:"badComments"`
	} `json:"review"`
	Care struct {
		AfterTrip    []string `json:"afterTrip"` // kinds of tasks after every trip
		Channel      choice   `json:"channel"`
		NextTripNote string   `json:"nextTripNote"`
	} `json:"care"`
}

type tour struct {
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	Dest   string   `json:"destination"`
	Kind   string   `json:"kind"`
	From   string   `json:"from"` // departure city
	Days   int      `json:"days"`
	Price  float64  `json:"price"`
	Abroad bool     `json:"abroad"`
	Stops  []string `json:"stops"` // cities of the itinerary
}

// tourRun is the state of one tourism generation.
type tourRun struct {
	*gen
	tourKeys    []string // by index of trv.Tours
	consultants []string
	guides      []string
	pool        []string // earlier travellers, companions of later bookings
}

// tourBooking is a planned booking of a traveller.
type tourBooking struct {
	tour      int
	at, dep   time.Time
	companion []any
}

// tourism generates the tourism data: tours, then each traveller with
// bookings, itineraries, reviews and care tasks.
func tourism(g *gen) error {
	t := &tourRun{gen: g}
	if err := t.addTours(); err != nil {
		return err
	}
	for range min(20, 4+g.n/4000) {
		t.consultants = append(t.consultants, g.person().name)
	}
	for range 20 {
		t.guides = append(t.guides, g.person().name)
	}
	for range g.scale(0.065, 8) {
		if err := t.traveller(); err != nil {
			return err
		}
	}
	return nil
}

func (t *tourRun) addTours() error {
	g := t.gen
	t.tourKeys = make([]string, len(trv.Tours))
	for i, tr := range trv.Tours {
		t.tourKeys[i] = "tour:" + tr.Code
		if err := g.emit("tour", t.tourKeys[i], g.start, map[string]any{"code": tr.Code, "name": tr.Name, "destination": tr.Dest, "kind": tr.Kind,
			"days": tr.Days, "departureCity": tr.From, "price": tr.Price, "childPrice": float64(int(tr.Price*0.7/100) * 100),
			"highlights": "行程：" + strings.Join(tr.Stops, " → ") + "。", "visaRequired": tr.Abroad && !slices.Contains(trv.VisaFree, tr.Dest), "active": true}); err != nil {
			return err
		}
	}
	return nil
}

// travelStyles are the styles a traveller of the age may prefer.
func travelStyles(age int) []string {
	v := &trv.Traveller
	switch {
	case age > 58:
		return v.SeniorStyles
	case age < 35:
		return v.YoungStyles
	case age < 45:
		return append(slices.Clone(v.Styles), v.ParentStyles...)
	}
	return v.Styles
}

// planBookings returns up to five bookings made after joined, with
// earlier travellers as companions.
func (t *tourRun) planBookings(joined time.Time) []tourBooking {
	g := t.gen
	nb := min(5, int(g.logNormal(1.2, 0.7)))
	var bookings []tourBooking
	for range nb {
		at := g.after(joined, 0, 600)
		dep := at.AddDate(0, 0, g.between(7, 90))
		var comp []any
		for range g.between(0, 3) {
			if len(t.pool) > 0 {
				comp = append(comp, pickOf(g, t.pool))
			}
		}
		bookings = append(bookings, tourBooking{g.r.IntN(len(trv.Tours)), at, dep, dedupe(comp)})
	}
	return bookings
}

// returnDate is the last day of the booking's tour.
func (b tourBooking) returnDate() time.Time { return b.dep.AddDate(0, 0, trv.Tours[b.tour].Days-1) }

// traveller emits a traveller, whose summary fields agree with the
// bookings planned first, and then the bookings.
func (t *tourRun) traveller() error {
	g, v := t.gen, &trv.Traveller
	p := g.person()
	r := g.region()
	birth := g.birth(3, 78)
	age := int(daysBetween(birth, g.now) / 365)
	joined := g.when()
	styles := travelStyles(age)
	travellerKey := g.key("traveller:")
	bookings := t.planBookings(joined)
	trips, lastTrip := 0, time.Time{}
	var dests []any
	for _, b := range bookings {
		if ret := b.returnDate(); ret.Before(g.now) {
			trips++
			if ret.After(lastTrip) {
				lastTrip = ret
			}
		}
		dests = append(dests, trv.Tours[b.tour].Dest)
	}
	if len(dests) == 0 {
		dests = []any{pickOf(g, v.Destinations)}
	}
	td := map[string]any{
		"name": p.name, "namePinyin": strings.ToUpper(p.family + "/" + p.given), "gender": gender(p), "birthDate": date(birth), "mobile": g.mobile(),
		"idNumber": g.residentID(r, birth, p.male), "city": r.city, "memberLevel": map[bool]string{true: "gold", false: "normal"}[trips >= 3],
		"travelStyles": pickSome(g, styles, 1, 3), "preferredDestinations": dedupe(dests), "accommodation": g.pick(v.Accommodation),
		"seatPreference": g.pick(v.SeatPreference), "budgetPerTrip": g.money(6000, 0.6), "tripCount": trips,
		"source": g.pick(v.Source),
	}
	if g.chance(0.5) {
		td["email"] = g.email(p, "")
	}
	if g.chance(0.6) && age >= 16 {
		td["passportNumber"] = fmt.Sprintf("E%c%07d", "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[g.r.IntN(34)], g.r.IntN(10_000_000))
		td["passportExpiry"] = date(g.now.AddDate(g.between(1, 9), g.between(0, 11), 0))
	}
	if g.chance(0.15) {
		td["dietary"] = pickSome(g, v.Dietary, 1, 2)
	}
	if !lastTrip.IsZero() {
		td["lastTripDate"] = date(lastTrip)
	}
	ec := g.person()
	td["emergencyContact"] = ec.name + " " + g.mobile()
	if err := g.emit("traveller", travellerKey, joined, td); err != nil {
		return err
	}
	t.pool = append(t.pool, travellerKey)
	consultant := pickOf(g, t.consultants)
	for _, b := range bookings {
		if err := t.booking(travellerKey, consultant, b); err != nil {
			return err
		}
	}
	return nil
}

// bookingPath returns the statuses of a booking and when each was
// reached: enquiry to payment, then the trip, or a cancellation; never
// past now.
func (t *tourRun) bookingPath(b tourBooking) ([]string, []Stage) {
	g := t.gen
	ret := b.returnDate()
	seq := []string{"enquiry", "quoted", "deposit", "paid"}
	quotedAt := g.after(b.at, 0.1, 3)
	depositAt := g.after(quotedAt, 0.5, 7)
	paidAt := b.dep.AddDate(0, 0, -g.between(3, 7))
	if paidAt.Before(depositAt) {
		paidAt = depositAt
	}
	steps := []Stage{{"status", "enquiry", b.at}, {"status", "quoted", quotedAt}, {"status", "deposit", depositAt}, {"status", "paid", paidAt}}
	switch {
	case g.chance(0.08):
		cut := g.between(1, 4)
		seq = append(seq[:cut], "cancelled")
		steps = append(steps[:cut], Stage{"status", "cancelled", steps[cut-1].At.Add(time.Duration(g.between(1, 96)) * time.Hour)})
	case ret.Before(g.now):
		seq = append(seq, "travelling", "completed")
		steps = append(steps, Stage{"status", "travelling", b.dep.Add(7 * time.Hour)}, Stage{"status", "completed", ret.Add(20 * time.Hour)})
	case !b.dep.After(g.now):
		seq = append(seq, "travelling")
		steps = append(steps, Stage{"status", "travelling", b.dep.Add(7 * time.Hour)})
	}
	for i := range steps {
		if steps[i].At.After(g.now) {
			return seq[:i], steps[:i]
		}
	}
	return seq, steps
}

// booking emits a booking; one that went ahead gets its itinerary and a
// reminder before departure, or, once the trip is over, a review and the
// care tasks after it.
func (t *tourRun) booking(travellerKey, consultant string, b tourBooking) error {
	g, v := t.gen, &trv.Booking
	tr := trv.Tours[b.tour]
	ret := b.returnDate()
	adults := 1 + len(b.companion)
	children := 0
	if g.chance(0.2) && tr.Kind != "cruise" {
		children = g.between(1, 2)
	}
	total := tr.Price*float64(adults) + tr.Price*0.7*float64(children)
	seq, steps := t.bookingPath(b)
	status := seq[len(seq)-1]
	bd := map[string]any{"traveller": travellerKey, "tour": t.tourKeys[b.tour], "channel": g.pick(v.Channel),
		"departureDate": date(b.dep), "adults": adults, "children": children, "totalAmount": round2(total), "status": status,
		"insurance": g.chance(0.7), "consultant": consultant}
	if len(b.companion) > 0 {
		bd["companions"] = b.companion
	}
	for _, s := range steps {
		t.stageFields(bd, s, tr, total, ret)
	}
	if g.chance(0.2) {
		bd["specialRequests"] = pickOf(g, v.SpecialRequests)
	}
	bookingKey := g.key("booking:")
	if err := g.emit("booking", bookingKey, b.at, bd, steps...); err != nil {
		return err
	}
	if status == "enquiry" || status == "cancelled" {
		return nil
	}
	if err := t.itinerary(bookingKey, b, adults); err != nil {
		return err
	}
	if status != "completed" {
		remind := b.dep.AddDate(0, 0, -2)
		return g.emit("careTask", "", b.at, map[string]any{"traveller": travellerKey, "booking": bookingKey, "kind": "preTripReminder",
			"dueDate": date(remind), "channel": "wecom", "status": map[bool]string{true: "done", false: "planned"}[remind.Before(g.now)], "consultant": consultant})
	}
	return t.afterTrip(travellerKey, bookingKey, consultant, ret.AddDate(0, 0, 1))
}

// stageFields sets the fields of a booking that a status it reached
// fills.
func (t *tourRun) stageFields(bd map[string]any, s Stage, tr tour, total float64, ret time.Time) {
	g := t.gen
	switch s.Stage {
	case "deposit":
		bd["depositAmount"] = round2(total * 0.3)
	case "paid":
		bd["paidOn"] = date(s.At)
	case "travelling":
		if tr.Kind == "group" {
			bd["guide"] = pickOf(g, t.guides)
		}
	case "completed":
		bd["returnDate"] = date(ret)
	case "cancelled":
		bd["cancelReason"] = g.pick(trv.Booking.CancelReason)
	}
}

// itinerary emits the items of a booking: travel there, hotels and
// sights, travel back.
func (t *tourRun) itinerary(bookingKey string, b tourBooking, adults int) error {
	g, v := t.gen, &trv.Itinerary
	tr := trv.Tours[b.tour]
	items := []map[string]any{{"day": 1, "kind": map[bool]string{true: "flight", false: "train"}[tr.Abroad || tr.Days > 5], "title": tr.From + " → " + tr.Stops[0], "city": tr.Stops[0]}}
	for d := 1; d <= min(tr.Days, 6); d++ {
		stop := tr.Stops[min(len(tr.Stops)-1, (d-1)*len(tr.Stops)/tr.Days)]
		items = append(items, map[string]any{"day": d, "kind": "hotel", "title": stop + pickOf(g, v.Hotels), "city": stop})
		if d > 1 {
			items = append(items, map[string]any{"day": d, "kind": "sight", "title": fmt.Sprintf(v.SightFormat, stop), "city": stop})
		}
	}
	items = append(items, map[string]any{"day": tr.Days, "kind": items[0]["kind"], "title": tr.Stops[len(tr.Stops)-1] + " → " + tr.From, "city": tr.From})
	for _, it := range items {
		it["booking"] = bookingKey
		it["date"] = date(b.dep.AddDate(0, 0, it["day"].(int)-1))
		airline := pickOf(g, v.Airlines)
		it["supplier"] = v.Suppliers[it["kind"].(string)]
		if it["kind"] == "flight" {
			it["supplier"] = airline
		}
		it["confirmation"] = fmt.Sprintf("%c%c%05d", 'A'+rune(g.r.IntN(26)), 'A'+rune(g.r.IntN(26)), g.r.IntN(100000))
		it["cost"] = round2(g.money(tr.Price/float64(len(items))*0.7, 0.3) * float64(adults))
		if err := g.emit("itineraryItem", "", b.at, it); err != nil {
			return err
		}
	}
	return nil
}

// afterTrip emits the review of a trip, about two times in three, and the
// care tasks from back on: welcome home, feedback, next trip, and a
// callback after a poor trip.
func (t *tourRun) afterTrip(travellerKey, bookingKey, consultant string, back time.Time) error {
	g := t.gen
	overall := g.weighted(trv.Review.OverallWeights) + 1
	var issues []any
	if overall <= 3 {
		issues = pickSome(g, trv.Review.Issues, 1, 2)
	}
	if g.chance(0.65) {
		if err := t.review(travellerKey, bookingKey, back, overall, issues); err != nil {
			return err
		}
	}
	kinds := slices.Clone(trv.Care.AfterTrip)
	if overall <= 3 {
		kinds = append(kinds, "complaintCallback")
	}
	for i, k := range kinds {
		due := back.AddDate(0, 0, i*g.between(2, 30))
		status := "done"
		if due.After(g.now) {
			status = "planned"
		} else if g.chance(0.05) {
			status = "skipped"
		}
		cd := map[string]any{"traveller": travellerKey, "booking": bookingKey, "kind": k, "dueDate": date(due), "channel": g.pick(trv.Care.Channel),
			"status": status, "consultant": consultant}
		if k == "nextTrip" {
			cd["note"] = trv.Care.NextTripNote + trv.Tours[g.r.IntN(len(trv.Tours))].Name
		}
		if err := g.emit("careTask", "", back, cd); err != nil {
			return err
		}
	}
	return nil
}

// review emits a trip review whose ratings follow the overall one.
func (t *tourRun) review(travellerKey, bookingKey string, back time.Time, overall int, issues []any) error {
	g, v := t.gen, &trv.Review
	nps := min(10, max(0, overall*2+g.between(-2, 0)))
	rd := map[string]any{"booking": bookingKey, "traveller": travellerKey, "overall": overall, "guideRating": min(5, overall+g.between(-1, 1)),
		"hotelRating": max(1, min(5, overall+g.between(-1, 1))), "itineraryRating": max(1, min(5, overall+g.between(-1, 1))), "nps": nps,
		"comment":     map[bool]string{true: pickOf(g, v.GoodComments), false: pickOf(g, v.BadComments)}[overall >= 4],
		"submittedAt": datetime(g.after(back, 0, 5)), "handling": map[bool]string{true: "none", false: "resolved"}[overall >= 4]}
	rd["guideRating"] = max(1, rd["guideRating"].(int))
	if len(issues) > 0 {
		rd["issues"] = issues
	}
	return g.emit("tripReview", "", back, rd)
}

// dedupe drops repeated elements, keeping the first of each.
func dedupe(list []any) []any {
	var out []any
	seen := map[any]bool{}
	for _, v := range list {
		if !seen[v] {
			out = append(out, v)
			seen[v] = true
		}
	}
	return out
}
