package sample

import (
	"fmt"
	"math"
	"slices"
	"time"
)

func init() { generators["education"] = education }

// edu is the vocabulary of the education template.
var edu = mustLoad[eduVocab]("education.json")

type eduVocab struct {
	Courses        []eduCourse       `json:"courses"`
	FallbackCourse string            `json:"fallbackCourse"` // code of the course for a grade no course lists
	FormatNames    map[string]string `json:"formatNames"`
	Capacities     map[string]int    `json:"capacities"` // by format
	Grades         []string          `json:"grades"`     // from kindergarten, by age from five
	Cities         []string          `json:"cities"`     // one of which has the campuses
	Slots          []string          `json:"slots"`
	Schools        []string          `json:"schools"`
	Guardian       struct {
		Occupations []string `json:"occupations"`
		ContactTime choice   `json:"contactTime"`
	} `json:"guardian"`
	Student struct {
		Stages        []string `json:"stages"`
		Source        choice   `json:"source"`
		TrialFeedback []string `json:"trialFeedback"`
		LostReason    choice   `json:"lostReason"`
	} `json:"student"`
	Enrolment struct {
		FirstLessons   []int  `json:"firstLessons"`
		RenewalLessons []int  `json:"renewalLessons"`
		PaymentMethod  choice `json:"paymentMethod"`
	} `json:"enrolment"`
	Progress struct {
		Attendance choice   `json:"attendance"`
		Comments   []string `json:"comments"`
	} `json:"progress"`
	Communication struct {
		Topic         choice            `json:"topic"`
		ProspectTopic choice            `json:"prospectTopic"` // with families not enrolled
		Channel       choice            `json:"channel"`
		Summaries     map[string]string `json:"summaries"` // by topic
		Satisfaction  choice            `json:"satisfaction"`
	} `json:"communication"`
}

type eduCourse struct {
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Subject string   `json:"subject"`
	Format  string   `json:"format"`
	Grades  []string `json:"grades"`
	Lessons int      `json:"lessons"`
	Price   float64  `json:"price"`
}

// eduRun is the state of one education generation.
type eduRun struct {
	*gen
	campuses    []eduCampus
	courseKeys  []string // by index of edu.Courses
	teachers    []string
	consultants []string
	classesOf   map[[2]int][]class // by course and campus index
}

type eduCampus struct {
	key    string
	region region
}

type class struct {
	key        string
	course     int
	campus     int
	start, end time.Time
	teacher    string
}

// eduEnrolment is a purchase of lessons in a class.
type eduEnrolment struct {
	class   class
	lessons int
	at      time.Time
	kind    string
}

// education generates the education data: campuses in one city, courses,
// classes each term, and students with guardians, enrolments, lesson
// records and conversations.
func education(g *gen) error {
	e := &eduRun{gen: g, classesOf: map[[2]int][]class{}}
	if err := e.addCampuses(pickOf(g, edu.Cities)); err != nil {
		return err
	}
	if err := e.addCourses(); err != nil {
		return err
	}
	for range min(40, 8+g.n/2000) {
		e.teachers = append(e.teachers, g.person().name)
	}
	for range min(15, 3+g.n/5000) {
		e.consultants = append(e.consultants, g.person().name)
	}
	if err := e.addClasses(); err != nil {
		return err
	}
	for range g.scale(0.07, 8) {
		if err := e.student(); err != nil {
			return err
		}
	}
	return nil
}

// addCampuses adds campuses in the city's districts, more than one in a
// district when there are more campuses than districts.
func (e *eduRun) addCampuses(city string) error {
	g := e.gen
	var campusRegions []region
	for _, r := range regions {
		if r.city == city {
			campusRegions = append(campusRegions, r)
		}
	}
	for i := range min(12, 2+g.n/15000) {
		r := campusRegions[i%len(campusRegions)]
		name := fmt.Sprintf("%s%s校区", r.cityShort(), r.district)
		if i >= len(campusRegions) {
			name = fmt.Sprintf("%s%s第%d校区", r.cityShort(), r.district, i/len(campusRegions)+1)
		}
		k := fmt.Sprintf("campus:%d", i+1)
		if err := g.emit("campus", k, g.start, map[string]any{"name": name, "address": g.address(r), "phone": g.landline(r),
			"principal": g.person().name, "classrooms": g.between(8, 30), "openedOn": date(g.birth(2, 10))}); err != nil {
			return err
		}
		e.campuses = append(e.campuses, eduCampus{k, r})
	}
	return nil
}

func (e *eduRun) addCourses() error {
	g := e.gen
	e.courseKeys = make([]string, len(edu.Courses))
	for i, c := range edu.Courses {
		e.courseKeys[i] = "course:" + c.Code
		grades := make([]any, len(c.Grades))
		for j, gr := range c.Grades {
			grades[j] = gr
		}
		if err := g.emit("course", e.courseKeys[i], g.start, map[string]any{"code": c.Code, "name": c.Name, "subject": c.Subject, "grades": grades,
			"format": c.Format, "lessons": c.Lessons, "price": c.Price, "active": true,
			"description": fmt.Sprintf("%s，共%d课时，%s授课。", c.Name, c.Lessons, edu.FormatNames[c.Format])}); err != nil {
			return err
		}
	}
	return nil
}

// addClasses adds the classes: each course runs at each campus, starting
// every term.
func (e *eduRun) addClasses() error {
	g := e.gen
	n := 0
	for ci, c := range edu.Courses {
		for pi := range e.campuses {
			for t := g.start; t.Before(g.now); t = t.AddDate(0, 6, 0) {
				n++
				start := g.workHours(t.AddDate(0, 0, g.between(0, 40)))
				end := start.AddDate(0, 0, 7*c.Lessons/2)
				status := "finished"
				switch {
				case start.After(g.now):
					status = "recruiting"
				case end.After(g.now):
					status = "inProgress"
				}
				k := fmt.Sprintf("class:%d", n)
				code := fmt.Sprintf("%s-%s-%d", c.Code, start.Format("0601"), pi+1)
				teacher := pickOf(g, e.teachers)
				if err := g.emit("class", k, start.AddDate(0, 0, -30), map[string]any{"code": code, "name": fmt.Sprintf("%s %s班", c.Name, start.Format("2006年1月")),
					"course": e.courseKeys[ci], "campus": e.campuses[pi].key, "teacher": teacher, "schedule": pickOf(g, edu.Slots), "startDate": date(start),
					"endDate": date(end), "capacity": edu.Capacities[c.Format], "status": status}); err != nil {
					return err
				}
				e.classesOf[[2]int{ci, pi}] = append(e.classesOf[[2]int{ci, pi}], class{k, ci, pi, start, end, teacher})
			}
		}
	}
	return nil
}

// student emits a student, with guardians first, then the student's
// enrolments, lesson records and conversations with the guardians.
func (e *eduRun) student() error {
	g, v := e.gen, &edu.Student
	p := g.person()
	age := g.between(5, 15)
	birth := g.birth(age, age)
	grade := edu.Grades[min(len(edu.Grades)-1, age-5)]
	pi := g.r.IntN(len(e.campuses))
	camp := e.campuses[pi]
	created := g.when()
	guardians, err := e.guardians(p, camp, created)
	if err != nil {
		return err
	}
	fits := coursesFor(grade)
	ci := pickOf(g, fits)
	seq := e.enquiryPath(created)
	steps, end := g.path("stage", created, 1, 8, seq...)
	consultant := pickOf(g, e.consultants)
	gs := make([]any, len(guardians))
	for i, k := range guardians {
		gs[i] = k
	}
	sd := map[string]any{"name": p.name, "gender": gender(p), "birthDate": date(birth), "grade": grade, "school": camp.region.district + pickOf(g, edu.Schools),
		"guardians": gs, "campus": camp.key, "source": g.pick(v.Source),
		"interestedCourse": e.courseKeys[ci], "stage": seq[len(seq)-1], "consultant": consultant}
	for _, s := range steps {
		switch s.Stage {
		case "trialBooked":
			sd["trialDate"] = date(s.At.AddDate(0, 0, g.between(1, 6)))
		case "trialAttended":
			sd["trialFeedback"] = pickOf(g, v.TrialFeedback)
		case "enrolled":
			sd["enrolledOn"] = date(s.At)
		case "lost":
			sd["lostReason"] = g.pick(v.LostReason)
		}
	}
	enrolled := seq[len(seq)-1] == "enrolled"
	studentKey := g.key("student:")
	var enrols []eduEnrolment
	if enrolled {
		enrols = e.planEnrolments(ci, pi, fits, end)
		sd["remainingLessons"] = remainingLessons(enrols, g.now)
	}
	if err := g.emit("student", studentKey, created, sd, steps...); err != nil {
		return err
	}
	for _, en := range enrols {
		if err := e.enrolment(studentKey, consultant, en); err != nil {
			return err
		}
	}
	return e.communications(studentKey, consultant, guardians, created, enrolled)
}

// coursesFor returns the courses that suit a grade, as indexes of
// edu.Courses, or the fallback course when none lists the grade.
func coursesFor(grade string) []int {
	var fits []int
	for ci, c := range edu.Courses {
		if slices.Contains(c.Grades, grade) {
			fits = append(fits, ci)
		}
	}
	if len(fits) == 0 {
		fits = []int{slices.IndexFunc(edu.Courses, func(c eduCourse) bool { return c.Code == edu.FallbackCourse })}
	}
	return fits
}

// guardians emits one or two guardians of a student; a father shares the
// child's surname.
func (e *eduRun) guardians(child person, camp eduCampus, created time.Time) ([]string, error) {
	g, v := e.gen, &edu.Guardian
	var keys []string
	for gi := range g.between(1, 2) {
		gp := g.person()
		relation := "mother"
		if gi == 1 || g.chance(0.3) {
			relation = "father"
		}
		if g.chance(0.06) {
			relation = "grandparent"
		}
		name := gp.name
		if relation == "father" {
			name = surnameOf(child.name) + string([]rune(gp.name)[len([]rune(surnameOf(gp.name))):])
		}
		gk := g.key("guardian:")
		gd := map[string]any{"name": name, "relation": relation, "mobile": g.mobile(), "occupation": pickOf(g, v.Occupations),
			"address": g.address(camp.region), "preferredContactTime": g.pick(v.ContactTime)}
		if g.chance(0.8) {
			gd["wechat"] = fmt.Sprintf("wxid_%s%04d", gp.given, g.r.IntN(10000))
		}
		if err := g.emit("guardian", gk, created, gd); err != nil {
			return nil, err
		}
		keys = append(keys, gk)
	}
	return keys, nil
}

// enquiryPath returns the stages of a student's enquiry: recent ones are
// under way, about a third of the others lost.
func (e *eduRun) enquiryPath(created time.Time) []string {
	g, stages := e.gen, edu.Student.Stages
	reach := 5
	lostAfter := -1
	switch x := g.r.Float64(); {
	case daysBetween(created, g.now) < 14:
		reach = g.between(1, 4)
	case x < 0.35:
		lostAfter = g.between(1, 4)
	case x < 0.45:
		reach = g.between(2, 4)
	}
	if lostAfter > 0 {
		return append(slices.Clone(stages[:lostAfter]), "lost")
	}
	return stages[:reach]
}

// planEnrolments returns the enrolments of a student who enrolled at end
// in course ci at campus pi: the first course, sometimes a renewal, and
// sometimes another course that fits.
func (e *eduRun) planEnrolments(ci, pi int, fits []int, end time.Time) []eduEnrolment {
	g, v := e.gen, &edu.Enrolment
	cls := classFor(g, e.classesOf[[2]int{ci, pi}], end)
	lessons := pickOf(g, v.FirstLessons)
	enrols := []eduEnrolment{{cls, lessons, end, "new"}}
	if next := end.AddDate(0, 0, lessons*7/2); next.Before(g.now) && g.chance(0.55) {
		enrols = append(enrols, eduEnrolment{classFor(g, e.classesOf[[2]int{ci, pi}], next), pickOf(g, v.RenewalLessons), next, "renewal"})
	}
	if g.chance(0.15) && len(fits) > 1 {
		other := pickOf(g, fits)
		at := g.after(end, 10, 200)
		enrols = append(enrols, eduEnrolment{classFor(g, e.classesOf[[2]int{other, pi}], at), 48, at, "upgrade"})
	}
	return enrols
}

// remainingLessons is how many of the lessons bought have not been held by
// now, a lesson a week from each class's start.
func remainingLessons(enrols []eduEnrolment, now time.Time) int {
	used, total := 0, 0
	for _, en := range enrols {
		used += min(en.lessons, int(daysBetween(en.class.start, now)/7)+1)
		total += en.lessons
	}
	return max(0, total-used)
}

// enrolment emits an enrolment and its lesson records.
func (e *eduRun) enrolment(studentKey, consultant string, en eduEnrolment) error {
	g := e.gen
	c := edu.Courses[en.class.course]
	list := c.Price / float64(c.Lessons) * float64(en.lessons)
	discount := 1.0
	if en.lessons >= 96 {
		discount = 0.88
	} else if en.kind == "renewal" {
		discount = 0.95
	}
	status := "active"
	if en.class.end.Before(g.now) {
		status = "completed"
	}
	if g.chance(0.03) {
		status = "refunded"
	}
	if err := g.emit("enrolment", "", en.at, map[string]any{"student": studentKey, "course": e.courseKeys[en.class.course], "class": en.class.key, "kind": en.kind,
		"lessonsPurchased": en.lessons, "listPrice": math.Round(list), "amount": math.Round(list * discount), "paidOn": date(en.at),
		"paymentMethod": g.pick(edu.Enrolment.PaymentMethod), "status": status, "consultant": consultant}); err != nil {
		return err
	}
	// Lesson records, weekly from the class start, up to now.
	for ln := 1; ln <= min(en.lessons, 12); ln++ {
		day := en.class.start.AddDate(0, 0, 7*(ln-1))
		if day.Before(en.at) {
			continue
		}
		if day.After(g.now) {
			break
		}
		if err := e.progressRecord(studentKey, en.class.key, day, ln); err != nil {
			return err
		}
	}
	return nil
}

// progressRecord emits the record of one lesson: attendance and, for a
// student who came, a score and how well the lesson was mastered.
func (e *eduRun) progressRecord(studentKey, classKey string, day time.Time, ln int) error {
	g, v := e.gen, &edu.Progress
	attendance := g.pick(v.Attendance)
	pd := map[string]any{"student": studentKey, "class": classKey, "lessonDate": date(day), "lessonNumber": ln, "attendance": attendance}
	if attendance == "present" || attendance == "late" {
		s := math.Min(100, math.Round(g.logNormal(82, 0.12)))
		pd["score"] = s
		pd["mastery"] = mastery(s)
		pd["homeworkDone"] = g.chance(0.85)
		if g.chance(0.3) {
			pd["teacherComment"] = pickOf(g, v.Comments)
		}
	}
	return g.emit("progressRecord", "", day, pd)
}

func mastery(score float64) string {
	switch {
	case score < 70:
		return "needsWork"
	case score < 80:
		return "fair"
	case score >= 90:
		return "excellent"
	}
	return "good"
}

// communications emits conversations with the guardians: one with a family
// that did not enrol, up to four with one that did.
func (e *eduRun) communications(studentKey, consultant string, guardians []string, created time.Time, enrolled bool) error {
	g, v := e.gen, &edu.Communication
	nc := 1
	if enrolled {
		nc = g.between(1, 4)
	}
	for range nc {
		at := g.after(created, 0, 300)
		topic := g.pick(v.Topic)
		if !enrolled {
			topic = g.pick(v.ProspectTopic)
		}
		cd := map[string]any{"guardian": pickOf(g, guardians), "student": studentKey, "channel": g.pick(v.Channel),
			"topic": topic, "communicatedAt": datetime(at), "staff": consultant,
			"summary":      v.Summaries[topic],
			"satisfaction": g.pick(v.Satisfaction)}
		if g.chance(0.3) {
			cd["nextContactDate"] = date(at.AddDate(0, 0, g.between(7, 30)))
		}
		if err := g.emit("parentCommunication", "", at, cd); err != nil {
			return err
		}
	}
	return nil
}

// classFor returns the class that starts first after at, or the last one.
func classFor(g *gen, classes []class, at time.Time) class {
	for _, c := range classes {
		if !c.start.Before(at) {
			return c
		}
	}
	return classes[len(classes)-1]
}

// surnameOf returns a name's surname (compound surnames included).
func surnameOf(name string) string {
	for _, s := range surnames {
		if len(s.name) > 3 && len(name) >= len(s.name) && name[:len(s.name)] == s.name {
			return s.name
		}
	}
	return string([]rune(name)[:1])
}
