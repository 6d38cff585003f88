package region

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed divisions.txt
var divisionsText string

// Level is the tier of a division.
type Level int

// Levels.
const (
	Province Level = iota + 1 // 省级: 440000
	City                      // 地级: 440300
	District                  // 县级: 440305
)

// Division is one province, city or district.
type Division struct {
	Code  string // six digits
	Name  string
	Level Level
}

// Parent returns the code of the division d lies in: a district's city, a
// city's province; "" for a province.
func (d Division) Parent() string {
	switch d.Level {
	case District:
		return d.Code[:4] + "00"
	case City:
		return d.Code[:2] + "0000"
	}
	return ""
}

// dataset is divisions.txt parsed: divisions by code, and the codes of
// each parent's children by every name they go by (see [aliases]).
type dataset struct {
	byCode map[string]Division
	// names maps a parent's code ("" for the provinces) to the children's
	// codes by name and alias.
	names map[string]map[string][]string
}

var load = sync.OnceValue(parse)

func parse() *dataset {
	d := &dataset{byCode: map[string]Division{}, names: map[string]map[string][]string{}}
	for _, line := range strings.Split(divisionsText, "\n") {
		code, name, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		div := Division{Code: code, Name: name, Level: levelOf(code)}
		d.byCode[code] = div
		parent := div.Parent()
		if d.names[parent] == nil {
			d.names[parent] = map[string][]string{}
		}
		for _, a := range aliases(name) {
			d.names[parent][a] = appendNew(d.names[parent][a], code)
		}
	}
	return d
}

func appendNew(codes []string, code string) []string {
	for _, c := range codes {
		if c == code {
			return codes
		}
	}
	return append(codes, code)
}

// levelOf is the level a well-formed code names.
func levelOf(code string) Level {
	switch {
	case strings.HasSuffix(code, "0000"):
		return Province
	case strings.HasSuffix(code, "00"):
		return City
	}
	return District
}

// Lookup returns the division with that code.
func Lookup(code string) (Division, bool) {
	if len(code) != 6 {
		return Division{}, false
	}
	d, ok := load().byCode[code]
	return d, ok
}

// Name returns the name of the division with that code, or "".
func Name(code string) string {
	d, _ := Lookup(code)
	return d.Name
}

// Len is the number of divisions in the dataset.
func Len() int { return len(load().byCode) }

// Find returns the codes of the children of parent ("" for provinces)
// that name may mean: their full name ("广东省") or a short form
// ("广东", "广西", "恩施"), whichever name gives, compared after its own
// short forms. Nil when none; several when the name is ambiguous (重庆市
// names 500100 and 500200).
func Find(parent, name string) []string {
	children := load().names[parent]
	var out []string
	for _, a := range aliases(strings.TrimSpace(name)) {
		for _, c := range children[a] {
			out = appendNew(out, c)
		}
	}
	return out
}

// suffixes end the names of divisions; longest first, so that 自治区 is
// taken before 区.
var suffixes = []string{"特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "省", "市", "盟", "区", "县", "旗"}

// peoples are the ethnic groups whose names autonomous divisions carry
// ("恩施土家族苗族自治州"), without 族.
var peoples = []string{
	"蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
	"哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
	"达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
	"俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
}

// aliases returns name and its short forms: without its suffix
// ("广东省" → "广东") and, for an autonomous division, without the peoples
// it names ("广西壮族自治区" → "广西壮族", "广西"). A short form keeps at least
// two characters ("东区" stays whole).
func aliases(name string) []string {
	if name == "" {
		return nil
	}
	out := []string{name}
	stem := name
	autonomous := strings.Contains(name, "自治")
	for _, s := range suffixes {
		if rest, ok := strings.CutSuffix(stem, s); ok && utf8.RuneCountInString(rest) >= 2 {
			stem = rest
			out = append(out, stem)
			break
		}
	}
	if !autonomous && !strings.Contains(stem, "族") {
		return out
	}
	for {
		cut := false
		for _, p := range peoples {
			rest, ok := strings.CutSuffix(stem, p+"族")
			if !ok && autonomous && utf8.RuneCountInString(p) >= 2 {
				rest, ok = strings.CutSuffix(stem, p) // 新疆维吾尔自治区
			}
			if ok && utf8.RuneCountInString(rest) >= 2 {
				stem, cut = rest, true
				out = append(out, stem)
				break
			}
		}
		if !cut {
			return out
		}
	}
}
