package sample

import (
	"fmt"
	"time"
)

func init() { generators["healthcare"] = healthcare }

type diagnosisKind struct {
	icd, name, dept string
	chronic         string // the patient's chronic condition it implies, if any
	interval        int    // days to the follow-up; 0 none
	complaint       string
	plan            string
}

var diagnosisKinds = []diagnosisKind{
	{"I10", "原发性高血压", "cardiology", "hypertension", 30, "头晕、头胀一周，家测血压160/95mmHg", "氨氯地平 5mg qd；低盐饮食，每日监测血压"},
	{"E11.9", "2型糖尿病", "endocrinology", "diabetes", 30, "口干多饮、体重下降一月", "二甲双胍 0.5g tid；糖尿病饮食教育，监测血糖"},
	{"E78.5", "高脂血症", "cardiology", "hyperlipidemia", 90, "体检发现血脂升高", "阿托伐他汀 20mg qn；三个月复查血脂"},
	{"I25.1", "动脉粥样硬化性心脏病", "cardiology", "coronary", 30, "活动后胸闷气短两周", "阿司匹林 100mg qd，瑞舒伐他汀 10mg qn；避免剧烈运动"},
	{"J45.9", "支气管哮喘", "internal", "asthma", 60, "夜间咳嗽、喘息反复发作", "布地奈德福莫特罗吸入；避免过敏原"},
	{"E03.9", "甲状腺功能减退症", "endocrinology", "thyroid", 60, "乏力、怕冷、体重增加", "左甲状腺素钠 50μg qd；六周复查甲功"},
	{"J06.9", "急性上呼吸道感染", "internal", "", 0, "咽痛、发热 38.2℃ 两天", "对症治疗，多饮水，三天不退热复诊"},
	{"J20.9", "急性支气管炎", "internal", "", 7, "咳嗽咳痰五天", "止咳化痰，一周后复诊"},
	{"K29.7", "慢性胃炎", "internal", "", 14, "上腹隐痛、反酸一月", "奥美拉唑 20mg qd，两周后复诊"},
	{"M54.5", "腰痛", "orthopedics", "", 14, "久坐后腰痛加重一周", "理疗，核心肌群锻炼，两周后复诊"},
	{"M17.9", "膝关节骨关节炎", "orthopedics", "", 30, "上下楼膝关节疼痛三月", "玻璃酸钠关节腔注射，每周一次共五次"},
	{"L20.9", "特应性皮炎", "dermatology", "", 14, "四肢皮肤瘙痒、红斑", "外用保湿剂及弱效激素，两周复诊"},
	{"H52.1", "近视", "ophthalmology", "", 180, "看远处模糊半年", "验光配镜，半年复查视力"},
	{"K02.9", "龋病", "stomatology", "", 180, "右下后牙遇冷酸痛", "充填治疗，半年口腔检查"},
	{"N95.1", "围绝经期综合征", "gynecology", "", 30, "潮热、失眠三月", "生活方式调整，必要时激素治疗评估"},
	{"J03.9", "急性扁桃体炎", "pediatrics", "", 7, "患儿发热、咽痛一天", "抗感染治疗，一周后复诊"},
	{"Z00.0", "健康体检", "generalPractice", "", 0, "常规健康体检", "体检报告解读，一年后复查"},
}

func healthcare(g *gen) error {
	// Doctors by department.
	depts := []string{"internal", "cardiology", "endocrinology", "pediatrics", "gynecology", "orthopedics", "dermatology", "ophthalmology", "stomatology", "tcm", "generalPractice", "rehabilitation"}
	specialty := map[string]string{"internal": "呼吸及消化系统常见病", "cardiology": "高血压、冠心病", "endocrinology": "糖尿病、甲状腺疾病", "pediatrics": "儿童呼吸道感染、生长发育",
		"gynecology": "妇科内分泌、围绝经期管理", "orthopedics": "关节退行性疾病、运动损伤", "dermatology": "湿疹、痤疮", "ophthalmology": "屈光不正、干眼",
		"stomatology": "牙体牙髓、口腔修复", "tcm": "中医调理、针灸", "generalPractice": "慢病管理、健康体检", "rehabilitation": "骨科术后康复"}
	doctors := map[string][]string{}
	hospital := g.regionIn("上海市", "杭州市", "南京市", "成都市", "广州市", "深圳市")
	n := 0
	for _, d := range depts {
		for range max(1, min(6, g.n/8000+1+g.r.IntN(2))) {
			n++
			p := g.person()
			k := fmt.Sprintf("doctor:%d", n)
			if err := g.emit("doctor", k, g.start, map[string]any{"staffNumber": fmt.Sprintf("D%04d", n), "name": p.name, "department": d,
				"title": g.choose("chief", 1, "associateChief", 2, "attending", 3, "resident", 2), "specialty": specialty[d],
				"phone": g.landline(hospital), "active": true}); err != nil {
				return err
			}
			doctors[d] = append(doctors[d], k)
		}
	}
	byDept := map[string][]int{}
	for i, dk := range diagnosisKinds {
		byDept[dk.dept] = append(byDept[dk.dept], i)
	}
	patients := g.scale(0.115, 8)
	for range patients {
		p := g.person()
		// Patients live near the hospital, mostly.
		r := hospital
		if g.chance(0.3) {
			r = g.region()
		}
		birth := g.birth(1, 85)
		age := int(daysBetween(birth, g.now) / 365)
		// Plan the visits: a main complaint, repeated for chronic ones.
		var kinds []int
		switch {
		case age < 14:
			kinds = []int{pickOf(g, []int{15, 6, 7, 12})}
		case age > 50 && g.chance(0.6):
			kinds = []int{g.between(0, 5)}
			if g.chance(0.3) {
				kinds = append(kinds, g.between(0, 5))
			}
		default:
			kinds = []int{g.between(6, len(diagnosisKinds)-1)}
		}
		for i, k := range kinds {
			switch diagnosisKinds[k].dept {
			case "gynecology":
				if p.male || age < 40 {
					kinds[i] = 8
				}
			case "pediatrics":
				if age >= 14 {
					kinds[i] = 6
				}
			}
		}
		first := g.when()
		type visit struct {
			at   time.Time
			kind int
			typ  string
		}
		var visits []visit
		t := first
		for i, k := range kinds {
			dk := diagnosisKinds[k]
			visits = append(visits, visit{t, k, map[bool]string{true: "outpatient", false: "revisit"}[i == 0]})
			interval := dk.interval
			if interval == 0 {
				continue
			}
			for t.AddDate(0, 0, interval).Before(g.now) && len(visits) < 12 && (dk.chronic != "" || g.chance(0.5)) {
				t = g.workHours(t.AddDate(0, 0, interval+g.between(-3, 10)))
				if t.After(g.now) {
					break
				}
				visits = append(visits, visit{t, k, g.choose("revisit", 5, "online", 2)})
				if dk.chronic == "" {
					break
				}
			}
		}
		var chronic []any
		seen := map[string]bool{}
		for _, v := range visits {
			if c := diagnosisKinds[v.kind].chronic; c != "" && !seen[c] {
				chronic = append(chronic, c)
				seen[c] = true
			}
		}
		mainDept := diagnosisKinds[kinds[0]].dept
		doctor := pickOf(g, doctors[mainDept])
		last := visits[0].at
		for _, v := range visits {
			if v.at.After(last) {
				last = v.at
			}
		}
		patientKey := g.key("patient:")
		ec := g.person()
		pd := map[string]any{
			"name": p.name, "gender": gender(p), "birthDate": date(birth), "idNumber": g.residentID(r, birth, p.male), "mobile": g.mobile(),
			"address": g.address(r), "emergencyContact": ec.name, "emergencyPhone": g.mobile(), "bloodType": g.choose("A", 28, "B", 24, "AB", 9, "O", 34, "unknown", 5),
			"insurance": g.choose("employeeBasic", 6, "residentBasic", 4, "commercial", 1, "selfPay", 1), "source": g.choose("walkIn", 4, "referral", 2, "online", 3, "checkup", 1, "community", 1),
			"primaryDoctor": doctor, "consentToFollowUp": g.chance(0.9), "firstVisitDate": date(visits[0].at), "lastVisitDate": date(last),
		}
		if age < 16 {
			pd["emergencyContact"] = ec.name + "（家长）"
		}
		if g.chance(0.15) {
			pd["allergies"] = pickOf(g, []string{"青霉素过敏", "头孢类过敏", "磺胺类过敏", "海鲜过敏", "花粉过敏"})
		}
		if len(chronic) > 0 {
			pd["chronicConditions"] = chronic
		}
		if err := g.emit("patient", patientKey, visits[0].at.Add(-time.Hour), pd); err != nil {
			return err
		}
		for vi, v := range visits {
			dk := diagnosisKinds[v.kind]
			doc := doctor
			if dk.dept != mainDept {
				doc = pickOf(g, doctors[dk.dept])
			}
			booked := v.at.Add(-time.Duration(g.between(1, 7*24)) * time.Hour)
			seq := []string{"booked", "checkedIn", "inConsultation", "completed"}
			if vi > 0 && g.chance(0.06) {
				seq = []string{"booked", g.choose("noShow", 2, "cancelled", 1)}
			}
			steps := []Stage{{"status", "booked", booked}}
			if seq[1] == "checkedIn" {
				in := v.at.Add(-time.Duration(g.between(5, 40)) * time.Minute)
				steps = append(steps, Stage{"status", "checkedIn", in}, Stage{"status", "inConsultation", v.at},
					Stage{"status", "completed", v.at.Add(time.Duration(g.between(6, 25)) * time.Minute)})
			} else {
				steps = append(steps, Stage{"status", seq[1], v.at})
			}
			vd := map[string]any{"patient": patientKey, "doctor": doc, "department": dk.dept, "type": v.typ, "scheduledAt": datetime(v.at),
				"status": seq[len(seq)-1]}
			if vd["status"] == "completed" {
				vd["chiefComplaint"] = dk.complaint
				fee := g.money(220, 0.7)
				vd["fee"] = fee
				if pd["insurance"] == "employeeBasic" || pd["insurance"] == "residentBasic" {
					vd["insurancePaid"] = round2(fee * (0.5 + 0.3*g.r.Float64()))
				}
				if g.chance(0.4) {
					vd["satisfaction"] = g.choose("5", 6, "4", 3, "3", 1, "2", 0.3, "1", 0.1)
				}
			}
			visitKey := g.key("visit:")
			if err := g.emit("visit", visitKey, booked, vd, steps...); err != nil {
				return err
			}
			if vd["status"] != "completed" {
				continue
			}
			if err := g.emit("diagnosis", "", v.at, map[string]any{"visit": visitKey, "patient": patientKey, "icd10": dk.icd, "name": dk.name,
				"kind": "primary", "diagnosedOn": date(v.at), "summary": fmt.Sprintf("%s。查体及辅助检查支持%s诊断。", dk.complaint, dk.name),
				"treatmentPlan": dk.plan, "chronic": dk.chronic != "", "followUpIntervalDays": max(1, dk.interval)}); err != nil {
				return err
			}
			if dk.interval == 0 {
				continue
			}
			// The follow-up this visit asks for.
			due := v.at.AddDate(0, 0, dk.interval)
			remind := time.Date(due.Year(), due.Month(), due.Day(), 9, 0, 0, 0, cst).AddDate(0, 0, -2)
			fd := map[string]any{"patient": patientKey, "visit": visitKey, "doctor": doc, "type": map[bool]string{true: "chronicCare", false: "revisit"}[dk.chronic != ""],
				"dueDate": date(due), "remindAt": datetime(remind), "channel": g.choose("sms", 4, "phone", 2, "wechat", 3, "app", 1)}
			fSteps := []Stage{{"status", "scheduled", v.at.Add(30 * time.Minute)}}
			switch {
			case remind.After(g.now):
				fd["status"] = "scheduled"
			case due.After(g.now):
				fd["status"] = "reminded"
				fSteps = append(fSteps, Stage{"status", "reminded", remind})
			default:
				fSteps = append(fSteps, Stage{"status", "reminded", remind})
				end := g.choose("completed", 8, "missed", 2)
				if vi+1 < len(visits) && visits[vi+1].kind == v.kind {
					end = "completed"
				}
				fd["status"] = end
				at := due.Add(time.Duration(g.between(9*3600, 17*3600)) * time.Second)
				if at.After(g.now) {
					at = g.now.Add(-time.Hour)
				}
				if end == "completed" {
					fd["completedAt"] = datetime(at)
					fd["outcome"] = pickOf(g, []string{"按时复诊，病情稳定，继续原方案。", "电话随访，症状明显好转。", "复查指标较前改善，调整用药剂量。", "患者自述无不适，嘱定期复查。"})
				}
				fSteps = append(fSteps, Stage{"status", end, at})
			}
			if err := g.emit("followUp", "", v.at.Add(30*time.Minute), fd, fSteps...); err != nil {
				return err
			}
		}
	}
	return nil
}
