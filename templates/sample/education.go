package sample

import (
	"fmt"
	"math"
	"time"
)

func init() { generators["education"] = education }

type eduCourse struct {
	code, name, subject, format string
	grades                      []string
	lessons                     int
	price                       float64
}

var eduCourses = []eduCourse{
	{"MA-P1", "思维数学（一二年级）", "math", "smallClass", []string{"g1", "g2"}, 48, 7680},
	{"MA-P3", "培优数学（三至五年级）", "math", "smallClass", []string{"g3", "g4", "g5"}, 48, 8640},
	{"MA-J1", "初中数学同步提高", "math", "largeClass", []string{"g7", "g8", "g9"}, 40, 6400},
	{"EN-K", "少儿自然拼读", "english", "smallClass", []string{"k", "g1", "g2"}, 48, 7200},
	{"EN-P", "剑桥英语 KET/PET", "english", "smallClass", []string{"g4", "g5", "g6", "g7"}, 60, 10800},
	{"EN-1V1", "英语一对一定制课", "english", "oneOnOne", []string{"g3", "g4", "g5", "g6", "g7", "g8", "g9"}, 24, 9600},
	{"CN-P", "大语文阅读写作", "chinese", "smallClass", []string{"g2", "g3", "g4", "g5", "g6"}, 40, 6000},
	{"PH-J", "初中物理培优", "physics", "largeClass", []string{"g8", "g9"}, 40, 6800},
	{"CH-J", "初三化学冲刺", "chemistry", "largeClass", []string{"g9"}, 30, 5400},
	{"PG-S", "Scratch 创意编程", "programming", "smallClass", []string{"g1", "g2", "g3", "g4"}, 48, 8160},
	{"PG-P", "Python 少儿编程", "programming", "smallClass", []string{"g4", "g5", "g6", "g7", "g8"}, 48, 9120},
	{"RB-1", "乐高机器人", "robotics", "smallClass", []string{"k", "g1", "g2", "g3"}, 48, 8640},
	{"AR-1", "创意美术", "art", "smallClass", []string{"k", "g1", "g2", "g3", "g4"}, 48, 5760},
	{"WQ-1", "围棋启蒙到业余5段", "chess", "smallClass", []string{"k", "g1", "g2", "g3", "g4", "g5"}, 48, 5280},
	{"SP-1", "少儿口才与主持", "speech", "smallClass", []string{"k", "g1", "g2", "g3"}, 32, 4480},
	{"OL-MA", "在线直播数学", "math", "online", []string{"g5", "g6", "g7", "g8"}, 40, 3600},
}

var gradeOrder = []string{"k", "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9", "g10", "g11", "g12"}

func education(g *gen) error {
	city := pickOf(g, []string{"杭州市", "成都市", "南京市", "武汉市", "深圳市", "上海市", "北京市"})
	var campusRegions []region
	for _, r := range regions {
		if r.city == city {
			campusRegions = append(campusRegions, r)
		}
	}
	type campus struct {
		key    string
		region region
	}
	var campuses []campus
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
		campuses = append(campuses, campus{k, r})
	}
	courseKeys := make([]string, len(eduCourses))
	for i, c := range eduCourses {
		courseKeys[i] = "course:" + c.code
		grades := make([]any, len(c.grades))
		for j, gr := range c.grades {
			grades[j] = gr
		}
		if err := g.emit("course", courseKeys[i], g.start, map[string]any{"code": c.code, "name": c.name, "subject": c.subject, "grades": grades,
			"format": c.format, "lessons": c.lessons, "price": c.price, "active": true,
			"description": fmt.Sprintf("%s，共%d课时，%s授课。", c.name, c.lessons, map[string]string{"smallClass": "小班", "largeClass": "大班", "oneOnOne": "一对一", "online": "在线直播"}[c.format])}); err != nil {
			return err
		}
	}
	teachers := make([]string, 0, 40)
	for range min(40, 8+g.n/2000) {
		teachers = append(teachers, g.person().name)
	}
	consultants := make([]string, 0, 15)
	for range min(15, 3+g.n/5000) {
		consultants = append(consultants, g.person().name)
	}
	// Classes: each course runs at each campus, starting every term.
	classesOf := map[[2]int][]class{}
	slots := []string{"周六 09:00-11:00", "周六 14:00-16:00", "周日 09:00-11:00", "周日 14:00-16:00", "周三 18:30-20:00", "周五 18:30-20:00"}
	n := 0
	for ci, c := range eduCourses {
		for pi := range campuses {
			for t := g.start; t.Before(g.now); t = t.AddDate(0, 6, 0) {
				n++
				start := g.workHours(t.AddDate(0, 0, g.between(0, 40)))
				end := start.AddDate(0, 0, 7*c.lessons/2)
				status := "finished"
				switch {
				case start.After(g.now):
					status = "recruiting"
				case end.After(g.now):
					status = "inProgress"
				}
				k := fmt.Sprintf("class:%d", n)
				code := fmt.Sprintf("%s-%s-%d", c.code, start.Format("0601"), pi+1)
				teacher := pickOf(g, teachers)
				if err := g.emit("class", k, start.AddDate(0, 0, -30), map[string]any{"code": code, "name": fmt.Sprintf("%s %s班", c.name, start.Format("2006年1月")),
					"course": courseKeys[ci], "campus": campuses[pi].key, "teacher": teacher, "schedule": pickOf(g, slots), "startDate": date(start),
					"endDate": date(end), "capacity": map[string]int{"smallClass": 6, "largeClass": 20, "oneOnOne": 1, "online": 50}[c.format], "status": status}); err != nil {
					return err
				}
				classesOf[[2]int{ci, pi}] = append(classesOf[[2]int{ci, pi}], class{k, ci, pi, start, end, teacher})
			}
		}
	}
	schools := []string{"实验小学", "外国语学校", "第一中学", "育才小学", "师范大学附属小学", "第二实验中学", "新城小学", "天府小学", "东方中学"}
	students := g.scale(0.07, 8)
	for range students {
		p := g.person()
		age := g.between(5, 15)
		birth := g.birth(age, age)
		grade := gradeOrder[min(len(gradeOrder)-1, age-5)]
		pi := g.r.IntN(len(campuses))
		camp := campuses[pi]
		created := g.when()
		// The guardians first.
		var guardians []any
		var guardianKeys []string
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
				name = surnameOf(p.name) + string([]rune(gp.name)[len([]rune(surnameOf(gp.name))):])
			}
			gk := g.key("guardian:")
			gd := map[string]any{"name": name, "relation": relation, "mobile": g.mobile(), "occupation": pickOf(g, []string{"工程师", "教师", "医生", "公务员", "销售", "个体经营", "财务", "设计师", "程序员"}),
				"address": g.address(camp.region), "preferredContactTime": g.choose("weekdayEvening", 5, "weekendDaytime", 3, "anytime", 1)}
			if g.chance(0.8) {
				gd["wechat"] = fmt.Sprintf("wxid_%s%04d", gp.given, g.r.IntN(10000))
			}
			if err := g.emit("guardian", gk, created, gd); err != nil {
				return err
			}
			guardians = append(guardians, gk)
			guardianKeys = append(guardianKeys, gk)
		}
		// A course that suits the grade.
		var fits []int
		for ci, c := range eduCourses {
			if containsStr(c.grades, grade) {
				fits = append(fits, ci)
			}
		}
		if len(fits) == 0 {
			fits = []int{5}
		}
		ci := pickOf(g, fits)
		stages := []string{"enquiry", "contacted", "trialBooked", "trialAttended", "enrolled"}
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
		seq := stages[:reach]
		if lostAfter > 0 {
			seq = append(append([]string{}, stages[:lostAfter]...), "lost")
		}
		steps, end := g.path("stage", created, 1, 8, seq...)
		consultant := pickOf(g, consultants)
		sd := map[string]any{"name": p.name, "gender": gender(p), "birthDate": date(birth), "grade": grade, "school": camp.region.district + pickOf(g, schools),
			"guardians": guardians, "campus": camp.key, "source": g.choose("referral", 4, "douyin", 3, "xiaohongshu", 2, "wechat", 3, "groundPromotion", 2, "schoolEvent", 1, "baidu", 1, "walkIn", 1),
			"interestedCourse": courseKeys[ci], "stage": seq[len(seq)-1], "consultant": consultant}
		var trial time.Time
		for _, s := range steps {
			switch s.Stage {
			case "trialBooked":
				trial = s.At.AddDate(0, 0, g.between(1, 6))
				sd["trialDate"] = date(trial)
			case "trialAttended":
				sd["trialFeedback"] = pickOf(g, []string{"孩子课堂参与积极，家长认可老师风格。", "基础较弱，建议从低一级课程开始。", "家长关注价格，考虑中。", "孩子很喜欢，当场咨询排课。", "时间与兴趣班冲突，需调课。"})
			case "enrolled":
				sd["enrolledOn"] = date(s.At)
			case "lost":
				sd["lostReason"] = g.choose("price", 3, "distance", 2, "schedule", 3, "competitor", 2, "noNeed", 2, "childUnwilling", 1)
			}
		}
		enrolled := seq[len(seq)-1] == "enrolled"
		studentKey := g.key("student:")
		// Enrolments: the first course, sometimes a renewal.
		type enrol struct {
			class   class
			lessons int
			at      time.Time
			kind    string
		}
		var enrols []enrol
		if enrolled {
			cls := classFor(g, classesOf[[2]int{ci, pi}], end)
			lessons := pickOf(g, []int{24, 48, 48, 96})
			enrols = append(enrols, enrol{cls, lessons, end, "new"})
			if next := end.AddDate(0, 0, lessons*7/2); next.Before(g.now) && g.chance(0.55) {
				enrols = append(enrols, enrol{classFor(g, classesOf[[2]int{ci, pi}], next), pickOf(g, []int{48, 96}), next, "renewal"})
			}
			if g.chance(0.15) && len(fits) > 1 {
				other := pickOf(g, fits)
				at := g.after(end, 10, 200)
				enrols = append(enrols, enrol{classFor(g, classesOf[[2]int{other, pi}], at), 48, at, "upgrade"})
			}
			used := 0
			for _, e := range enrols {
				used += min(e.lessons, int(daysBetween(e.class.start, g.now)/7)+1)
			}
			total := 0
			for _, e := range enrols {
				total += e.lessons
			}
			sd["remainingLessons"] = max(0, total-used)
		}
		if err := g.emit("student", studentKey, created, sd, steps...); err != nil {
			return err
		}
		for _, e := range enrols {
			c := eduCourses[e.class.course]
			list := c.price / float64(c.lessons) * float64(e.lessons)
			discount := 1.0
			if e.lessons >= 96 {
				discount = 0.88
			} else if e.kind == "renewal" {
				discount = 0.95
			}
			status := "active"
			if e.class.end.Before(g.now) {
				status = "completed"
			}
			if g.chance(0.03) {
				status = "refunded"
			}
			if err := g.emit("enrolment", "", e.at, map[string]any{"student": studentKey, "course": courseKeys[e.class.course], "class": e.class.key, "kind": e.kind,
				"lessonsPurchased": e.lessons, "listPrice": math.Round(list), "amount": math.Round(list * discount), "paidOn": date(e.at),
				"paymentMethod": g.choose("wechatPay", 5, "alipay", 3, "card", 1, "installment", 1), "status": status, "consultant": consultant}); err != nil {
				return err
			}
			// Lesson records, weekly from the class start, up to now.
			for ln := 1; ln <= min(e.lessons, 12); ln++ {
				day := e.class.start.AddDate(0, 0, 7*(ln-1))
				if day.Before(e.at) {
					continue
				}
				if day.After(g.now) {
					break
				}
				attendance := g.choose("present", 85, "late", 5, "leave", 7, "absent", 3)
				pd := map[string]any{"student": studentKey, "class": e.class.key, "lessonDate": date(day), "lessonNumber": ln, "attendance": attendance}
				if attendance == "present" || attendance == "late" {
					s := math.Min(100, math.Round(g.logNormal(82, 0.12)))
					pd["score"] = s
					pd["mastery"] = map[bool]string{true: "excellent", false: "good"}[s >= 90]
					if s < 70 {
						pd["mastery"] = "needsWork"
					} else if s < 80 {
						pd["mastery"] = "fair"
					}
					pd["homeworkDone"] = g.chance(0.85)
					if g.chance(0.3) {
						pd["teacherComment"] = pickOf(g, []string{"课堂专注，回答问题积极。", "计算准确率有提升，注意审题。", "作业完成认真，继续保持。", "本节知识点掌握不牢，建议课后复习。", "表达能力进步明显。"})
					}
				}
				if err := g.emit("progressRecord", "", day, pd); err != nil {
					return err
				}
			}
		}
		// Conversations with the guardians.
		nc := 1
		if enrolled {
			nc = g.between(1, 4)
		}
		for range nc {
			at := g.after(created, 0, 300)
			topic := g.choose("progressReport", 4, "trialFeedback", 1, "renewal", 2, "complaint", 0.4, "notice", 2, "leave", 1)
			if !enrolled {
				topic = g.choose("trialFeedback", 2, "notice", 1)
			}
			cd := map[string]any{"guardian": pickOf(g, guardianKeys), "student": studentKey, "channel": g.choose("phone", 3, "wechat", 6, "meeting", 1, "parentMeeting", 1, "sms", 1),
				"topic": topic, "communicatedAt": datetime(at), "staff": consultant,
				"summary": map[string]string{"progressReport": "反馈近期课堂表现与测评结果，家长表示满意。", "trialFeedback": "沟通试听感受及后续课程安排。", "renewal": "沟通续费方案及下学期排课。",
					"complaint": "家长反映调课频繁，已致歉并固定上课时间。", "notice": "通知假期课程安排。", "leave": "家长为孩子请假，已安排补课。"}[topic],
				"satisfaction": g.choose("satisfied", 7, "neutral", 2, "dissatisfied", 0.5)}
			if g.chance(0.3) {
				cd["nextContactDate"] = date(at.AddDate(0, 0, g.between(7, 30)))
			}
			if err := g.emit("parentCommunication", "", at, cd); err != nil {
				return err
			}
		}
	}
	return nil
}

type class struct {
	key        string
	course     int
	campus     int
	start, end time.Time
	teacher    string
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
