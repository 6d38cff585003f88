// Package dedupe turns field values into the keys duplicate rules
// (x-crm-duplicates) compare: normalisers for company and person names,
// mainland mobile numbers, email addresses and unified social credit
// codes, the blocking keys of fuzzy rules and the similarity of two
// normalised names. It is pure: no I/O, no state.
package dedupe

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm/schema"
)

// MaxValueRunes bounds the value a normaliser reads: longer values are
// cut there first, so a key is never longer than this.
const MaxValueRunes = 200

// Normalize returns v as the normalizer (one of the schema.Normalize*
// constants) makes it; "" when nothing is left to compare (an empty
// value, a number with too few digits).
func Normalize(normalizer, v string) string {
	v = cut(v)
	switch normalizer {
	case schema.NormalizeCompany:
		return Company(v)
	case schema.NormalizePerson:
		return Person(v)
	case schema.NormalizeMobile:
		return Mobile(v)
	case schema.NormalizeEmail:
		return Email(v)
	case schema.NormalizeUSCC:
		return USCC(v)
	}
	return Text(v)
}

func cut(v string) string {
	if utf8.RuneCountInString(v) <= MaxValueRunes {
		return v
	}
	n := 0
	for i := range v {
		if n == MaxValueRunes {
			return v[:i]
		}
		n++
	}
	return v
}

// fold turns full-width forms into their ASCII ones (Ａ→A, （→(, the
// ideographic space → space) and lower-cases.
func fold(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for _, r := range v {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		case r == '【' || r == '〔' || r == '［':
			r = '('
		case r == '】' || r == '〕' || r == '］':
			r = ')'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// squeeze keeps letters, digits and marks: spaces, punctuation and symbols
// go.
func squeeze(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for _, r := range v {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Text folds width and case and drops spaces, punctuation and symbols.
func Text(v string) string { return squeeze(fold(v)) }

// Person is Text for people's names: "张 三", "张三" and "Zhang San"/
// "zhang·san" compare equal within their script (the separator dot of
// transliterated names is punctuation and goes).
func Person(v string) string { return Text(v) }

// Email trims and lower-cases an address. Dots in the local part and
// "+tags" are kept: they make different mailboxes at most providers.
func Email(v string) string {
	v = strings.TrimSpace(fold(v))
	if !strings.Contains(v, "@") {
		return ""
	}
	return v
}

// USCC upper-cases a unified social credit code and drops spaces and
// dashes.
func USCC(v string) string {
	return strings.ToUpper(squeeze(fold(v)))
}

// Mobile reduces a mainland mobile number to its 11 digits: "+86 138-0013-
// 8000", "0086 13800138000" and "138 0013 8000" are 13800138000. Other
// numbers keep their digits (at least 5 of them, else "").
func Mobile(v string) string {
	var b strings.Builder
	for _, r := range fold(v) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	switch {
	case len(d) == 15 && strings.HasPrefix(d, "0086"):
		d = d[4:]
	case len(d) == 13 && strings.HasPrefix(d, "86"):
		d = d[2:]
	}
	if len(d) < 5 {
		return ""
	}
	return d
}

// Legal forms dropped from the end of a company name, longest first.
var companySuffixes = []string{
	"集团股份有限公司", "集团有限责任公司", "股份有限公司", "有限责任公司", "集团有限公司", "有限公司",
	"控股集团", "集团公司", "分公司", "总公司", "集团", "公司",
}

// Latin legal-form words dropped from the end of a company name.
var companyWords = map[string]bool{
	"co": true, "company": true, "ltd": true, "limited": true, "inc": true, "incorporated": true,
	"llc": true, "corp": true, "corporation": true, "gmbh": true, "plc": true, "group": true, "holdings": true,
}

// Regions dropped from the start of a company name: provinces,
// autonomous regions, municipalities and large cities, each with or
// without 省/市/自治区.
var regions = func() []string {
	names := []string{
		"北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
		"山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾",
		"内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
		"深圳", "广州", "杭州", "南京", "苏州", "武汉", "成都", "西安", "郑州", "长沙", "青岛", "大连", "宁波",
		"厦门", "济南", "沈阳", "哈尔滨", "长春", "合肥", "福州", "南昌", "石家庄", "太原", "昆明", "贵阳", "南宁",
		"兰州", "西宁", "银川", "乌鲁木齐", "呼和浩特", "拉萨", "海口", "无锡", "佛山", "东莞", "珠海", "温州",
	}
	var out []string
	for _, n := range names {
		out = append(out, n+"维吾尔自治区", n+"壮族自治区", n+"回族自治区", n+"自治区", n+"特别行政区", n+"省", n+"市", n)
	}
	return out
}()

// Company normalises a company name: width and case folded, bracketed
// parts ("（深圳）", "(China)") and legal forms (有限公司, 股份有限公司,
// 集团, 分公司, Co., Ltd., Inc., LLC …) dropped from the end, a leading
// region (北京, 上海市, 广东省 …) dropped when a name of at least two
// characters remains, then spaces and punctuation dropped. "华为技术有限公司",
// "深圳华为技术有限公司" and "华为技术（深圳）有限公司" are all 华为技术.
func Company(v string) string {
	v = dropBrackets(fold(v))
	for {
		before := v
		v = strings.TrimRightFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for _, s := range companySuffixes {
			if strings.HasSuffix(v, s) && utf8.RuneCountInString(v) > utf8.RuneCountInString(s) {
				v = strings.TrimSuffix(v, s)
				break
			}
		}
		v = dropLastWord(v)
		if v == before {
			break
		}
	}
	v = strings.TrimSpace(v)
	for _, r := range regions {
		if rest, ok := strings.CutPrefix(v, r); ok && utf8.RuneCountInString(squeeze(rest)) >= 2 {
			v = rest
			break
		}
	}
	return squeeze(v)
}

// dropBrackets removes parenthesised parts; an unclosed bracket keeps the
// rest.
func dropBrackets(v string) string {
	if !strings.ContainsAny(v, "(") {
		return v
	}
	var b strings.Builder
	depth := 0
	for _, r := range v {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	if depth > 0 {
		return strings.NewReplacer("(", "", ")", "").Replace(v)
	}
	return b.String()
}

// dropLastWord removes a trailing Latin legal-form word ("ltd", "inc")
// when a word is left before it.
func dropLastWord(v string) string {
	end := len(v)
	start := strings.LastIndexFunc(v[:end], func(r rune) bool { return !(r >= 'a' && r <= 'z') })
	word := v[start+1 : end]
	if !companyWords[word] {
		return v
	}
	rest := strings.TrimRightFunc(v[:start+1], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if rest == "" {
		return v
	}
	return rest
}
