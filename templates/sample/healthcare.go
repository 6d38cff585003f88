package sample

import (
	"fmt"
	"slices"
	"time"
)

func init() { generators["healthcare"] = healthcare }

// hc is the vocabulary of the healthcare template.
var hc = mustLoad[hcVocab]("healthcare.json")

type hcVocab struct {
	// Diagnoses list the chronic conditions first: an older patient's
	// main complaint is drawn from them.
	Diagnoses      []diagnosisKind   `json:"diagnoses"`
	ChildDiagnoses []string          `json:"childDiagnoses"` // ICD codes of children's complaints
	GynecologyElse string            `json:"gynecologyElse"` // ICD code for men and the young instead
	PediatricsElse string            `json:"pediatricsElse"` // ICD code for adults instead
	Departments    []string          `json:"departments"`
	Specialties    map[string]string `json:"specialties"` // by department
	HospitalCities []string          `json:"hospitalCities"`
	DoctorTitle    choice            `json:"doctorTitle"`
	Patient        struct {
		BloodType      choice   `json:"bloodType"`
		Insurance      choice   `json:"insurance"`
		BasicInsurance []string `json:"basicInsurance"` // that pays part of a visit
		Source         choice   `json:"source"`
		Allergies      []string `json:"allergies"`
		GuardianSuffix string   `json:"guardianSuffix"`
	} `json:"patient"`
	Visit struct {
		LaterType     choice   `json:"laterType"`
		Statuses      []string `json:"statuses"`
		Missed        choice   `json:"missed"`
		Satisfaction  choice   `json:"satisfaction"`
		SummaryFormat string   `json:"summaryFormat"`
	} `json:"visit"`
	FollowUp struct {
		Channel  choice   `json:"channel"`
		End      choice   `json:"end"`
		Outcomes []string `json:"outcomes"`
	} `json:"followUp"`
}

type diagnosisKind struct {
	ICD        string `json:"icd"`
	Name       string `json:"name"`
	Department string `json:"department"`
	Chronic    string `json:"chronic"`  // the patient's chronic condition it implies, if any
	Interval   int    `json:"interval"` // days to the follow-up; 0 none
	Complaint  string `json:"complaint"`
	Plan       string `json:"plan"`
}

// diagnosis returns the index of the diagnosis with the ICD code.
func (v *hcVocab) diagnosis(icd string) int {
	i := slices.IndexFunc(v.Diagnoses, func(d diagnosisKind) bool { return d.ICD == icd })
	if i < 0 {
		panic("sample: healthcare.json: no diagnosis " + icd)
	}
	return i
}

// chronicCount is how many diagnoses, at the head of the list, are
// chronic.
func (v *hcVocab) chronicCount() int {
	return slices.IndexFunc(v.Diagnoses, func(d diagnosisKind) bool { return d.Chronic == "" })
}

// hcRun is the state of one healthcare generation.
type hcRun struct {
	*gen
	hospital region
	doctors  map[string][]string // keys by department
}

// hcVisit is a planned visit of a patient.
type hcVisit struct {
	at   time.Time
	kind int // index of hc.Diagnoses
	typ  string
}

// healthcare generates the healthcare data: doctors by department, then
// each patient with visits, diagnoses and follow-ups.
func healthcare(g *gen) error {
	h := &hcRun{gen: g, doctors: map[string][]string{}}
	h.hospital = g.regionIn(hc.HospitalCities...)
	if err := h.addDoctors(); err != nil {
		return err
	}
	for range g.scale(0.115, 8) {
		if err := h.patient(); err != nil {
			return err
		}
	}
	return nil
}

func (h *hcRun) addDoctors() error {
	g := h.gen
	n := 0
	for _, d := range hc.Departments {
		for range max(1, min(6, g.n/8000+1+g.r.IntN(2))) {
			n++
			p := g.person()
			k := fmt.Sprintf("doctor:%d", n)
			if err := g.emit("doctor", k, g.start, map[string]any{"staffNumber": fmt.Sprintf("D%04d", n), "name": p.name, "department": d,
				"title": g.pick(hc.DoctorTitle), "specialty": hc.Specialties[d],
				"phone": g.landline(h.hospital), "active": true}); err != nil {
				return err
			}
			h.doctors[d] = append(h.doctors[d], k)
		}
	}
	return nil
}

// planDiagnoses returns the patient's complaints, as indexes of
// hc.Diagnoses: one for a child or most adults, one or two chronic ones
// for many over fifty.
func (h *hcRun) planDiagnoses(p person, age int) []int {
	g := h.gen
	chronic := hc.chronicCount()
	var kinds []int
	switch {
	case age < 14:
		kinds = []int{hc.diagnosis(pickOf(g, hc.ChildDiagnoses))}
	case age > 50 && g.chance(0.6):
		kinds = []int{g.between(0, chronic-1)}
		if g.chance(0.3) {
			kinds = append(kinds, g.between(0, chronic-1))
		}
	default:
		kinds = []int{g.between(chronic, len(hc.Diagnoses)-1)}
	}
	for i, k := range kinds {
		switch hc.Diagnoses[k].Department {
		case "gynecology":
			if p.male || age < 40 {
				kinds[i] = hc.diagnosis(hc.GynecologyElse)
			}
		case "pediatrics":
			if age >= 14 {
				kinds[i] = hc.diagnosis(hc.PediatricsElse)
			}
		}
	}
	return kinds
}

// planVisits returns the visits for the complaints from first on: chronic
// ones come back at their interval, others once at most.
func (h *hcRun) planVisits(kinds []int, first time.Time) []hcVisit {
	g := h.gen
	var visits []hcVisit
	t := first
	for i, k := range kinds {
		dk := hc.Diagnoses[k]
		visits = append(visits, hcVisit{t, k, map[bool]string{true: "outpatient", false: "revisit"}[i == 0]})
		interval := dk.Interval
		if interval == 0 {
			continue
		}
		for t.AddDate(0, 0, interval).Before(g.now) && len(visits) < 12 && (dk.Chronic != "" || g.chance(0.5)) {
			t = g.workHours(t.AddDate(0, 0, interval+g.between(-3, 10)))
			if t.After(g.now) {
				break
			}
			visits = append(visits, hcVisit{t, k, g.pick(hc.Visit.LaterType)})
			if dk.Chronic == "" {
				break
			}
		}
	}
	return visits
}

// patient emits a patient, who lives near the hospital mostly, and the
// patient's visits.
func (h *hcRun) patient() error {
	g, v := h.gen, &hc.Patient
	p := g.person()
	r := h.hospital
	if g.chance(0.3) {
		r = g.region()
	}
	birth := g.birth(1, 85)
	age := int(daysBetween(birth, g.now) / 365)
	kinds := h.planDiagnoses(p, age)
	visits := h.planVisits(kinds, g.when())
	var chronic []any
	seen := map[string]bool{}
	last := visits[0].at
	for _, v := range visits {
		if c := hc.Diagnoses[v.kind].Chronic; c != "" && !seen[c] {
			chronic = append(chronic, c)
			seen[c] = true
		}
		if v.at.After(last) {
			last = v.at
		}
	}
	mainDept := hc.Diagnoses[kinds[0]].Department
	doctor := pickOf(g, h.doctors[mainDept])
	patientKey := g.key("patient:")
	ec := g.person()
	pd := map[string]any{
		"name": p.name, "gender": gender(p), "birthDate": date(birth), "idNumber": g.residentID(r, birth, p.male), "mobile": g.mobile(),
		"address": g.address(r), "emergencyContact": ec.name, "emergencyPhone": g.mobile(), "bloodType": g.pick(v.BloodType),
		"insurance": g.pick(v.Insurance), "source": g.pick(v.Source),
		"primaryDoctor": doctor, "consentToFollowUp": g.chance(0.9), "firstVisitDate": date(visits[0].at), "lastVisitDate": date(last),
	}
	if age < 16 {
		pd["emergencyContact"] = ec.name + v.GuardianSuffix
	}
	if g.chance(0.15) {
		pd["allergies"] = pickOf(g, v.Allergies)
	}
	if len(chronic) > 0 {
		pd["chronicConditions"] = chronic
	}
	if err := g.emit("patient", patientKey, visits[0].at.Add(-time.Hour), pd); err != nil {
		return err
	}
	insured := slices.Contains(v.BasicInsurance, pd["insurance"].(string))
	for vi, vs := range visits {
		doc := doctor
		if dept := hc.Diagnoses[vs.kind].Department; dept != mainDept {
			doc = pickOf(g, h.doctors[dept])
		}
		next := -1
		if vi+1 < len(visits) {
			next = visits[vi+1].kind
		}
		if err := h.visit(patientKey, doc, vs, vi > 0, insured, next); err != nil {
			return err
		}
	}
	return nil
}

// visit emits a visit by doctor doc; a completed one gets its diagnosis
// and the follow-up it asks for. A later visit (not the first) may be
// missed; next is the kind of the patient's next visit, -1 if none.
func (h *hcRun) visit(patientKey, doc string, vs hcVisit, later, insured bool, next int) error {
	g, v := h.gen, &hc.Visit
	dk := hc.Diagnoses[vs.kind]
	booked := vs.at.Add(-time.Duration(g.between(1, 7*24)) * time.Hour)
	seq := v.Statuses
	if later && g.chance(0.06) {
		seq = []string{"booked", g.pick(v.Missed)}
	}
	steps := []Stage{{"status", "booked", booked}}
	if seq[1] == "checkedIn" {
		in := vs.at.Add(-time.Duration(g.between(5, 40)) * time.Minute)
		steps = append(steps, Stage{"status", "checkedIn", in}, Stage{"status", "inConsultation", vs.at},
			Stage{"status", "completed", vs.at.Add(time.Duration(g.between(6, 25)) * time.Minute)})
	} else {
		steps = append(steps, Stage{"status", seq[1], vs.at})
	}
	status := seq[len(seq)-1]
	vd := map[string]any{"patient": patientKey, "doctor": doc, "department": dk.Department, "type": vs.typ, "scheduledAt": datetime(vs.at),
		"status": status}
	if status == "completed" {
		vd["chiefComplaint"] = dk.Complaint
		fee := g.money(220, 0.7)
		vd["fee"] = fee
		if insured {
			vd["insurancePaid"] = round2(fee * (0.5 + 0.3*g.r.Float64()))
		}
		if g.chance(0.4) {
			vd["satisfaction"] = g.pick(v.Satisfaction)
		}
	}
	visitKey := g.key("visit:")
	if err := g.emit("visit", visitKey, booked, vd, steps...); err != nil {
		return err
	}
	if status != "completed" {
		return nil
	}
	if err := g.emit("diagnosis", "", vs.at, map[string]any{"visit": visitKey, "patient": patientKey, "icd10": dk.ICD, "name": dk.Name,
		"kind": "primary", "diagnosedOn": date(vs.at), "summary": fmt.Sprintf(v.SummaryFormat, dk.Complaint, dk.Name),
		"treatmentPlan": dk.Plan, "chronic": dk.Chronic != "", "followUpIntervalDays": max(1, dk.Interval)}); err != nil {
		return err
	}
	if dk.Interval == 0 {
		return nil
	}
	return h.followUp(patientKey, visitKey, doc, vs, next == vs.kind)
}

// followUp emits the follow-up a visit asks for, reminded two days before
// it is due; it was kept when the patient came back for the same
// complaint (cameBack).
func (h *hcRun) followUp(patientKey, visitKey, doc string, vs hcVisit, cameBack bool) error {
	g, v := h.gen, &hc.FollowUp
	dk := hc.Diagnoses[vs.kind]
	due := vs.at.AddDate(0, 0, dk.Interval)
	remind := time.Date(due.Year(), due.Month(), due.Day(), 9, 0, 0, 0, cst).AddDate(0, 0, -2)
	fd := map[string]any{"patient": patientKey, "visit": visitKey, "doctor": doc, "type": map[bool]string{true: "chronicCare", false: "revisit"}[dk.Chronic != ""],
		"dueDate": date(due), "remindAt": datetime(remind), "channel": g.pick(v.Channel)}
	fSteps := []Stage{{"status", "scheduled", vs.at.Add(30 * time.Minute)}}
	switch {
	case remind.After(g.now):
		fd["status"] = "scheduled"
	case due.After(g.now):
		fd["status"] = "reminded"
		fSteps = append(fSteps, Stage{"status", "reminded", remind})
	default:
		fSteps = append(fSteps, Stage{"status", "reminded", remind})
		end := g.pick(v.End)
		if cameBack {
			end = "completed"
		}
		fd["status"] = end
		at := due.Add(time.Duration(g.between(9*3600, 17*3600)) * time.Second)
		if at.After(g.now) {
			at = g.now.Add(-time.Hour)
		}
		if end == "completed" {
			fd["completedAt"] = datetime(at)
			fd["outcome"] = pickOf(g, v.Outcomes)
		}
		fSteps = append(fSteps, Stage{"status", end, at})
	}
	return g.emit("followUp", "", vs.at.Add(30*time.Minute), fd, fSteps...)
}
