package sample

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// surname is a family name with its share of the population (per mille,
// roughly as the 2020 census ranks them) and its pinyin.
type surname struct {
	name   string
	pinyin string
	weight float64
}

// zh is the shared Chinese vocabulary, decoded when sample data is first
// made (a server that makes none need not hold it).
var zh = sync.OnceValue(loadZh)

type zhVocab struct {
	Surnames       []surname `json:"surnames"`
	MaleChars      []char    `json:"maleChars"`   // of given names
	FemaleChars    []char    `json:"femaleChars"` // of given names
	Regions        []region  `json:"regions"`
	Roads          []string  `json:"roads"`
	MobilePrefixes []string  `json:"mobilePrefixes"` // of the three carriers, each as often as the others
	CompanyWords   []word    `json:"companyWords"`   // brands of company names

	surnameWeights, regionWeights []float64 // of Surnames and Regions
}

// UnmarshalJSON reads [name, pinyin, weight].
func (s *surname) UnmarshalJSON(b []byte) error { return tuple(b, &s.name, &s.pinyin, &s.weight) }

type char struct{ c, py string }

// UnmarshalJSON reads [character, pinyin].
func (c *char) UnmarshalJSON(b []byte) error { return tuple(b, &c.c, &c.py) }

// person is a generated person.
type person struct {
	name    string
	surname string
	family  string // surname pinyin
	given   string // given-name pinyin
	male    bool
}

func (g *gen) person() person {
	v := zh()
	s := v.Surnames[g.weighted(v.surnameWeights)]
	male := g.r.IntN(2) == 0
	chars := v.FemaleChars
	if male {
		chars = v.MaleChars
	}
	n := 2
	if g.chance(0.35) {
		n = 1
	}
	var name, py strings.Builder
	name.WriteString(s.name)
	for range n {
		c := chars[g.r.IntN(len(chars))]
		name.WriteString(c.c)
		py.WriteString(c.py)
	}
	return person{name: name.String(), surname: s.name, family: s.pinyin, given: py.String(), male: male}
}

func gender(p person) string {
	if p.male {
		return "male"
	}
	return "female"
}

// region is a real district with its administrative code (the first six
// digits of resident IDs and the area part of credit codes), telephone
// area code and a weight (economic activity, for companies and people).
type region struct {
	province, city, district string
	code                     string
	area                     string // telephone area code
	weight                   float64
	zone                     string // sales region: east, south, north ...
}

// UnmarshalJSON reads [province, city, district, code, area, weight, zone].
func (r *region) UnmarshalJSON(b []byte) error {
	return tuple(b, &r.province, &r.city, &r.district, &r.code, &r.area, &r.weight, &r.zone)
}

func (g *gen) region() region {
	v := zh()
	return v.Regions[g.weighted(v.regionWeights)]
}

// regionIn returns a region of one of the given cities.
func (g *gen) regionIn(cities ...string) region {
	var w []float64
	regions := zh().Regions
	for _, r := range regions {
		if containsStr(cities, r.city) {
			w = append(w, r.weight)
		} else {
			w = append(w, 0)
		}
	}
	return regions[g.weighted(w)]
}

// cityShort is the city without 市 (for company names).
func (r region) cityShort() string { return strings.TrimSuffix(r.city, "市") }

func (g *gen) street() string {
	s := fmt.Sprintf("%s%d号", pickOf(g, zh().Roads), 1+g.r.IntN(888))
	switch g.r.IntN(3) {
	case 0:
		s += fmt.Sprintf("%d栋%d室", 1+g.r.IntN(20), 100*(1+g.r.IntN(28))+1+g.r.IntN(12))
	case 1:
		s += fmt.Sprintf("%s大厦%d层", pickOf(g, zh().CompanyWords).zh, 2+g.r.IntN(40))
	}
	return s
}

func (g *gen) address(r region) map[string]any {
	return map[string]any{"country": "中国", "province": r.province, "city": r.city, "district": r.district, "street": g.street()}
}

// mobile returns a mainland mobile number not handed out before.
func (g *gen) mobile() string {
	for {
		m := pickOf(g, zh().MobilePrefixes) + fmt.Sprintf("%08d", g.r.IntN(100_000_000))
		if g.unique("m:" + m) {
			return m
		}
	}
}

// landline returns a number with the region's area code.
func (g *gen) landline(r region) string {
	return fmt.Sprintf("%s-%d%07d", r.area, 2+g.r.IntN(7), g.r.IntN(10_000_000))
}

var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentID returns a valid 18-character resident ID number (GB
// 11643-1999) for someone born in region r: region code, birth date,
// sequence (odd for men) and the MOD 11-2 check character. Unique.
func (g *gen) residentID(r region, birth time.Time, male bool) string {
	for {
		seq := g.r.IntN(500) * 2
		if male {
			seq++
		}
		body := r.code + birth.Format("20060102") + fmt.Sprintf("%03d", seq)
		sum := 0
		for i := range 17 {
			sum += int(body[i]-'0') * residentWeights[i]
		}
		id := body + string("10X98765432"[sum%11])
		if g.unique("id:" + id) {
			return id
		}
	}
}

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// uscc returns a valid unified social credit code (GB 32100-2015) of a
// company registered in region r: "91" (a company registered with market
// regulation), the region code, a nine-character organisation code with
// its own check character (GB 11714), and the final check character.
// Unique.
func (g *gen) uscc(r region) string {
	for {
		org := make([]byte, 8)
		for i := range org {
			org[i] = usccAlphabet[g.r.IntN(10)] // mostly digits, as issued
			if g.chance(0.08) {
				org[i] = usccAlphabet[10+g.r.IntN(len(usccAlphabet)-10)]
			}
		}
		orgWeights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
		sum := 0
		for i, c := range org {
			sum += strings.IndexByte(usccAlphabet, c) * orgWeights[i]
		}
		var check byte
		switch c := 11 - sum%11; c {
		case 10:
			check = 'X'
		case 11:
			check = '0'
		default:
			check = byte('0' + c)
		}
		body := "91" + r.code + string(org) + string(check)
		sum = 0
		for i := range 17 {
			sum += strings.IndexByte(usccAlphabet, body[i]) * usccWeights[i]
		}
		code := body + string(usccAlphabet[(31-sum%31)%31])
		if g.unique("uscc:" + code) {
			return code
		}
	}
}

type word struct{ zh, py string }

// UnmarshalJSON reads [word, pinyin].
func (w *word) UnmarshalJSON(b []byte) error { return tuple(b, &w.zh, &w.py) }

// company returns a company name, unique, such as 苏州恒泰精密机械有限公司,
// with the pinyin of its brand for domains. Brands are single words at
// first and two words blended (恒泰 + 华信 → 恒信) when a city's and
// trade's names run out, so the space holds hundreds of thousands.
func (g *gen) company(r region, trades []string) (name, brand string) {
	for try := 0; ; try++ {
		w := pickOf(g, zh().CompanyWords)
		mark, py := w.zh, w.py
		if try >= 8 {
			v := pickOf(g, zh().CompanyWords)
			mark = string([]rune(w.zh)[:1]) + string([]rune(v.zh)[1:])
			py = w.py + v.py
		}
		suffix := "有限公司"
		switch x := g.r.Float64(); {
		case x < 0.12:
			suffix = "股份有限公司"
		case x < 0.2:
			suffix = "集团有限公司"
		}
		name = r.cityShort() + mark + pickOf(g, trades) + suffix
		if try >= 64 {
			name = r.cityShort() + r.district + mark + pickOf(g, trades) + suffix
		}
		if try >= 256 {
			name = fmt.Sprintf("%s%s%s%s第%d%s", r.cityShort(), mark, pickOf(g, trades), "", try, suffix)
		}
		if g.unique("co:" + name) {
			return name, py
		}
	}
}

// email returns a work address at the company's domain, or a personal one
// when domain is "".
func (g *gen) email(p person, domain string) string {
	if domain != "" {
		return fmt.Sprintf("%s.%s@%s", p.given, p.family, domain)
	}
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("%d@qq.com", 100_000_000+g.r.IntN(2_000_000_000))
	case 1:
		return fmt.Sprintf("%s%s%d@163.com", p.family, p.given, 1960+g.r.IntN(45))
	case 2:
		return fmt.Sprintf("%s_%s@126.com", p.given, p.family)
	}
	return fmt.Sprintf("%s%s%d@foxmail.com", p.family, p.given, g.r.IntN(1000))
}

// ---- numbers and time ----

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func pickOf[T any](g *gen, list []T) T { return list[g.r.IntN(len(list))] }

// weighted returns an index drawn with the given weights.
func (g *gen) weighted(w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	x := g.r.Float64() * total
	for i, wi := range w {
		if x < wi {
			return i
		}
		x -= wi
	}
	return len(w) - 1
}

// logNormal returns a value whose logarithm is normal, with the given
// median and spread (sigma of the logarithm).
func (g *gen) logNormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*g.r.NormFloat64())
}

// money rounds a log-normal amount to a sensible step.
func (g *gen) money(median, sigma float64) float64 {
	v := g.logNormal(median, sigma)
	step := math.Pow(10, math.Max(0, math.Floor(math.Log10(v))-2))
	return math.Round(v/step) * step
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// when returns a time in the two years before now, more often recent (the
// business grows): the density rises linearly to twice its starting value.
// Times fall on working hours, mostly on weekdays.
func (g *gen) when() time.Time {
	x := math.Sqrt(1+3*g.r.Float64()) - 1 // density ∝ 1+x on [0,1]
	span := g.now.Sub(g.start)
	t := g.start.Add(time.Duration(x * float64(span)))
	return g.workHours(t)
}

// workHours moves t to a working hour of its day (or the Friday before,
// mostly, when it falls on a weekend).
func (g *gen) workHours(t time.Time) time.Time {
	t = t.In(cst)
	switch t.Weekday() {
	case time.Saturday:
		if g.chance(0.85) {
			t = t.AddDate(0, 0, -1)
		}
	case time.Sunday:
		if g.chance(0.85) {
			t = t.AddDate(0, 0, -2)
		}
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 9, 0, 0, 0, cst)
	return d.Add(time.Duration(g.r.IntN(9*3600)) * time.Second)
}

// after returns a time between lo and hi days after t, never after now.
func (g *gen) after(t time.Time, lo, hi float64) time.Time {
	d := lo + g.r.Float64()*(hi-lo)
	next := g.workHours(t.Add(time.Duration(d * 24 * float64(time.Hour))))
	if next.Before(t) {
		next = t.Add(time.Duration(1+g.r.IntN(3600)) * time.Second)
	}
	if limit := g.now.Add(-time.Minute); next.After(limit) {
		if !t.Before(limit) {
			return t
		}
		return t.Add(time.Duration(g.r.Float64() * float64(limit.Sub(t))))
	}
	return next
}

// future returns a time between lo and hi days after now.
func (g *gen) future(lo, hi int) time.Time {
	return g.workHours(g.now.AddDate(0, 0, g.between(lo, hi)))
}

// birth returns a birth date for an age between lo and hi at now.
func (g *gen) birth(lo, hi int) time.Time {
	days := g.between(lo*365, hi*365+364)
	return g.now.AddDate(0, 0, -days)
}

func date(t time.Time) string { return t.In(cst).Format("2006-01-02") }

func datetime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func daysBetween(a, b time.Time) float64 { return b.Sub(a).Hours() / 24 }

// unique reports whether v is new, and remembers it.
func (g *gen) unique(v string) bool {
	if g.used[v] {
		return false
	}
	g.used[v] = true
	return true
}

// path returns the steps through stages, starting at t and spaced by lo to
// hi days, never after now (later steps bunch up just before now).
func (g *gen) path(field string, t time.Time, lo, hi float64, stages ...string) ([]Stage, time.Time) {
	var out []Stage
	for i, s := range stages {
		if i > 0 {
			t = g.after(t, lo, hi)
		}
		out = append(out, Stage{Field: field, Stage: s, At: t})
	}
	return out, t
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }

// ean13 completes 12 digits with the EAN-13 check digit.
func ean13(body string) string {
	sum := 0
	for i := range 12 {
		d := int(body[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + itoa((10-sum%10)%10)
}
