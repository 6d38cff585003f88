package sample

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// surname is a family name with its share of the population (per mille,
// roughly as the 2020 census ranks them) and its pinyin.
type surname struct {
	name   string
	pinyin string
	weight float64
}

var surnames = []surname{
	{"王", "wang", 71.2}, {"李", "li", 70.0}, {"张", "zhang", 67.4}, {"刘", "liu", 53.8}, {"陈", "chen", 45.3},
	{"杨", "yang", 30.8}, {"黄", "huang", 24.0}, {"赵", "zhao", 22.0}, {"吴", "wu", 20.5}, {"周", "zhou", 20.0},
	{"徐", "xu", 14.5}, {"孙", "sun", 13.8}, {"马", "ma", 12.9}, {"朱", "zhu", 12.8}, {"胡", "hu", 11.6},
	{"郭", "guo", 11.3}, {"何", "he", 10.6}, {"林", "lin", 10.4}, {"罗", "luo", 9.4}, {"高", "gao", 9.3},
	{"郑", "zheng", 7.7}, {"梁", "liang", 7.2}, {"谢", "xie", 7.0}, {"宋", "song", 6.6}, {"唐", "tang", 6.2},
	{"许", "xu", 6.0}, {"韩", "han", 5.8}, {"邓", "deng", 5.5}, {"冯", "feng", 5.5}, {"曹", "cao", 5.3},
	{"彭", "peng", 5.2}, {"曾", "zeng", 5.1}, {"肖", "xiao", 5.0}, {"田", "tian", 4.9}, {"董", "dong", 4.8},
	{"潘", "pan", 4.6}, {"袁", "yuan", 4.6}, {"蔡", "cai", 4.4}, {"蒋", "jiang", 4.4}, {"余", "yu", 4.3},
	{"于", "yu", 4.2}, {"杜", "du", 4.1}, {"叶", "ye", 4.0}, {"程", "cheng", 3.9}, {"魏", "wei", 3.9},
	{"苏", "su", 3.8}, {"吕", "lv", 3.7}, {"丁", "ding", 3.6}, {"任", "ren", 3.5}, {"卢", "lu", 3.4},
	{"姚", "yao", 3.4}, {"沈", "shen", 3.3}, {"钟", "zhong", 3.2}, {"姜", "jiang", 3.2}, {"崔", "cui", 3.1},
	{"谭", "tan", 3.0}, {"陆", "lu", 3.0}, {"范", "fan", 2.9}, {"汪", "wang", 2.9}, {"廖", "liao", 2.8},
	{"石", "shi", 2.8}, {"金", "jin", 2.7}, {"韦", "wei", 2.7}, {"贾", "jia", 2.6}, {"夏", "xia", 2.6},
	{"付", "fu", 2.5}, {"方", "fang", 2.5}, {"邹", "zou", 2.4}, {"熊", "xiong", 2.4}, {"白", "bai", 2.3},
	{"孟", "meng", 2.3}, {"秦", "qin", 2.2}, {"邱", "qiu", 2.2}, {"侯", "hou", 2.2}, {"江", "jiang", 2.1},
	{"尹", "yin", 2.1}, {"薛", "xue", 2.0}, {"闫", "yan", 2.0}, {"段", "duan", 1.9}, {"雷", "lei", 1.9},
	{"龙", "long", 1.8}, {"黎", "li", 1.8}, {"史", "shi", 1.8}, {"陶", "tao", 1.7}, {"贺", "he", 1.7},
	{"毛", "mao", 1.6}, {"郝", "hao", 1.6}, {"顾", "gu", 1.6}, {"龚", "gong", 1.5}, {"邵", "shao", 1.5},
	{"万", "wan", 1.4}, {"覃", "qin", 1.4}, {"武", "wu", 1.4}, {"钱", "qian", 1.3}, {"戴", "dai", 1.3},
	{"严", "yan", 1.3}, {"莫", "mo", 1.2}, {"孔", "kong", 1.2}, {"向", "xiang", 1.2}, {"常", "chang", 1.2},
	{"汤", "tang", 1.1}, {"康", "kang", 1.1}, {"易", "yi", 1.1}, {"乔", "qiao", 1.0}, {"赖", "lai", 1.0},
	{"文", "wen", 1.0}, {"欧阳", "ouyang", 0.5}, {"司马", "sima", 0.05}, {"诸葛", "zhuge", 0.03},
}

var surnameWeights = func() []float64 {
	w := make([]float64, len(surnames))
	for i, s := range surnames {
		w[i] = s.weight
	}
	return w
}()

type char struct{ c, py string }

var (
	maleChars = []char{
		{"伟", "wei"}, {"强", "qiang"}, {"磊", "lei"}, {"军", "jun"}, {"勇", "yong"}, {"杰", "jie"}, {"涛", "tao"},
		{"斌", "bin"}, {"超", "chao"}, {"明", "ming"}, {"刚", "gang"}, {"平", "ping"}, {"辉", "hui"}, {"鹏", "peng"},
		{"华", "hua"}, {"飞", "fei"}, {"鑫", "xin"}, {"波", "bo"}, {"宇", "yu"}, {"浩", "hao"}, {"凯", "kai"},
		{"健", "jian"}, {"俊", "jun"}, {"帆", "fan"}, {"旭", "xu"}, {"宁", "ning"}, {"龙", "long"}, {"林", "lin"},
		{"阳", "yang"}, {"建", "jian"}, {"国", "guo"}, {"志", "zhi"}, {"文", "wen"}, {"子", "zi"}, {"轩", "xuan"},
		{"博", "bo"}, {"晨", "chen"}, {"睿", "rui"}, {"泽", "ze"}, {"天", "tian"}, {"海", "hai"}, {"东", "dong"},
		{"振", "zhen"}, {"航", "hang"}, {"铭", "ming"}, {"嘉", "jia"}, {"皓", "hao"}, {"峰", "feng"}, {"亮", "liang"},
		{"成", "cheng"}, {"毅", "yi"}, {"思", "si"}, {"远", "yuan"}, {"昊", "hao"}, {"然", "ran"},
	}
	femaleChars = []char{
		{"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"}, {"丽", "li"}, {"艳", "yan"}, {"娟", "juan"},
		{"霞", "xia"}, {"燕", "yan"}, {"玲", "ling"}, {"婷", "ting"}, {"雪", "xue"}, {"慧", "hui"}, {"颖", "ying"},
		{"琳", "lin"}, {"洁", "jie"}, {"晶", "jing"}, {"倩", "qian"}, {"欣", "xin"}, {"悦", "yue"}, {"佳", "jia"},
		{"怡", "yi"}, {"梦", "meng"}, {"涵", "han"}, {"诗", "shi"}, {"雨", "yu"}, {"萱", "xuan"}, {"思", "si"},
		{"琪", "qi"}, {"月", "yue"}, {"秀", "xiu"}, {"英", "ying"}, {"红", "hong"}, {"梅", "mei"}, {"兰", "lan"},
		{"晓", "xiao"}, {"瑶", "yao"}, {"可", "ke"}, {"馨", "xin"}, {"彤", "tong"}, {"妍", "yan"}, {"语", "yu"},
		{"桐", "tong"}, {"静", "jing"}, {"婉", "wan"}, {"蕾", "lei"}, {"薇", "wei"}, {"露", "lu"}, {"清", "qing"},
	}
)

// person is a generated person.
type person struct {
	name   string
	family string // surname pinyin
	given  string // given-name pinyin
	male   bool
}

func (g *gen) person() person {
	s := surnames[g.weighted(surnameWeights)]
	male := g.r.IntN(2) == 0
	chars := femaleChars
	if male {
		chars = maleChars
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
	return person{name: name.String(), family: s.pinyin, given: py.String(), male: male}
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

var regions = []region{
	{"北京市", "北京市", "东城区", "110101", "010", 3, "north"},
	{"北京市", "北京市", "朝阳区", "110105", "010", 6, "north"},
	{"北京市", "北京市", "海淀区", "110108", "010", 6, "north"},
	{"北京市", "北京市", "丰台区", "110106", "010", 2, "north"},
	{"上海市", "上海市", "黄浦区", "310101", "021", 3, "east"},
	{"上海市", "上海市", "徐汇区", "310104", "021", 3, "east"},
	{"上海市", "上海市", "静安区", "310106", "021", 3, "east"},
	{"上海市", "上海市", "浦东新区", "310115", "021", 8, "east"},
	{"上海市", "上海市", "闵行区", "310112", "021", 4, "east"},
	{"上海市", "上海市", "金山区", "310116", "021", 1, "east"},
	{"天津市", "天津市", "和平区", "120101", "022", 1.5, "north"},
	{"天津市", "天津市", "滨海新区", "120116", "022", 2.5, "north"},
	{"重庆市", "重庆市", "渝中区", "500103", "023", 2, "southwest"},
	{"重庆市", "重庆市", "江北区", "500105", "023", 2, "southwest"},
	{"广东省", "广州市", "天河区", "440106", "020", 5, "south"},
	{"广东省", "广州市", "越秀区", "440104", "020", 2, "south"},
	{"广东省", "广州市", "番禺区", "440113", "020", 2, "south"},
	{"广东省", "深圳市", "南山区", "440305", "0755", 6, "south"},
	{"广东省", "深圳市", "福田区", "440304", "0755", 4, "south"},
	{"广东省", "深圳市", "宝安区", "440306", "0755", 4, "south"},
	{"广东省", "东莞市", "东莞市", "441900", "0769", 3, "south"},
	{"广东省", "佛山市", "南海区", "440605", "0757", 2.5, "south"},
	{"广东省", "惠州市", "惠城区", "441302", "0752", 1, "south"},
	{"浙江省", "杭州市", "西湖区", "330106", "0571", 3, "east"},
	{"浙江省", "杭州市", "滨江区", "330108", "0571", 3, "east"},
	{"浙江省", "杭州市", "余杭区", "330110", "0571", 3, "east"},
	{"浙江省", "宁波市", "鄞州区", "330212", "0574", 2.5, "east"},
	{"浙江省", "宁波市", "镇海区", "330211", "0574", 1, "east"},
	{"浙江省", "温州市", "鹿城区", "330302", "0577", 1.5, "east"},
	{"江苏省", "南京市", "玄武区", "320102", "025", 2, "east"},
	{"江苏省", "南京市", "鼓楼区", "320106", "025", 2, "east"},
	{"江苏省", "南京市", "六合区", "320116", "025", 0.8, "east"},
	{"江苏省", "苏州市", "姑苏区", "320508", "0512", 2, "east"},
	{"江苏省", "苏州市", "吴中区", "320506", "0512", 2.5, "east"},
	{"江苏省", "苏州市", "昆山市", "320583", "0512", 2.5, "east"},
	{"江苏省", "无锡市", "梁溪区", "320213", "0510", 2, "east"},
	{"江苏省", "常州市", "武进区", "320412", "0519", 1.5, "east"},
	{"四川省", "成都市", "武侯区", "510107", "028", 3, "southwest"},
	{"四川省", "成都市", "锦江区", "510104", "028", 2, "southwest"},
	{"湖北省", "武汉市", "武昌区", "420106", "027", 2.5, "central"},
	{"湖北省", "武汉市", "洪山区", "420111", "027", 2, "central"},
	{"湖南省", "长沙市", "岳麓区", "430104", "0731", 2, "central"},
	{"河南省", "郑州市", "金水区", "410105", "0371", 2.5, "central"},
	{"陕西省", "西安市", "雁塔区", "610113", "029", 2.5, "northwest"},
	{"山东省", "济南市", "历下区", "370102", "0531", 2, "east"},
	{"山东省", "青岛市", "市南区", "370202", "0532", 2, "east"},
	{"山东省", "青岛市", "黄岛区", "370211", "0532", 1.5, "east"},
	{"山东省", "淄博市", "张店区", "370303", "0533", 1, "east"},
	{"福建省", "厦门市", "思明区", "350203", "0592", 2, "south"},
	{"福建省", "福州市", "鼓楼区", "350102", "0591", 1.5, "south"},
	{"安徽省", "合肥市", "蜀山区", "340104", "0551", 2, "east"},
	{"辽宁省", "沈阳市", "和平区", "210102", "024", 1.5, "northeast"},
	{"辽宁省", "大连市", "中山区", "210202", "0411", 1.5, "northeast"},
	{"吉林省", "长春市", "朝阳区", "220104", "0431", 1, "northeast"},
	{"黑龙江省", "哈尔滨市", "南岗区", "230103", "0451", 1, "northeast"},
	{"河北省", "石家庄市", "长安区", "130102", "0311", 1.5, "north"},
	{"山西省", "太原市", "小店区", "140105", "0351", 1, "north"},
	{"江西省", "南昌市", "东湖区", "360102", "0791", 1, "central"},
	{"广西壮族自治区", "南宁市", "青秀区", "450103", "0771", 1, "south"},
	{"云南省", "昆明市", "五华区", "530102", "0871", 1.2, "southwest"},
	{"贵州省", "贵阳市", "南明区", "520102", "0851", 1, "southwest"},
	{"海南省", "海口市", "美兰区", "460108", "0898", 0.8, "south"},
	{"海南省", "三亚市", "吉阳区", "460203", "0898", 0.5, "south"},
	{"甘肃省", "兰州市", "城关区", "620102", "0931", 0.7, "northwest"},
	{"新疆维吾尔自治区", "乌鲁木齐市", "天山区", "650102", "0991", 0.6, "northwest"},
	{"内蒙古自治区", "呼和浩特市", "新城区", "150102", "0471", 0.6, "north"},
	{"宁夏回族自治区", "银川市", "兴庆区", "640104", "0951", 0.4, "northwest"},
}

var regionWeights = func() []float64 {
	w := make([]float64, len(regions))
	for i, r := range regions {
		w[i] = r.weight
	}
	return w
}()

func (g *gen) region() region { return regions[g.weighted(regionWeights)] }

// regionIn returns a region of one of the given cities.
func (g *gen) regionIn(cities ...string) region {
	var w []float64
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

var roads = []string{"人民路", "中山路", "解放路", "建设路", "和平路", "长江路", "黄河路", "文化路", "科技路", "创新大道",
	"世纪大道", "学府路", "滨江路", "新华路", "复兴路", "东风路", "青年路", "工业园路", "振兴路", "高新大道", "光明路", "团结路",
	"迎宾大道", "金融街", "湖滨路", "朝阳路", "和谐路", "府前路", "江南大道", "天府大道"}

func (g *gen) street() string {
	s := fmt.Sprintf("%s%d号", pickOf(g, roads), 1+g.r.IntN(888))
	switch g.r.IntN(3) {
	case 0:
		s += fmt.Sprintf("%d栋%d室", 1+g.r.IntN(20), 100*(1+g.r.IntN(28))+1+g.r.IntN(12))
	case 1:
		s += fmt.Sprintf("%s大厦%d层", pickOf(g, companyWords).zh, 2+g.r.IntN(40))
	}
	return s
}

func (g *gen) address(r region) map[string]any {
	return map[string]any{"country": "中国", "province": r.province, "city": r.city, "district": r.district, "street": g.street()}
}

// mobile prefixes of the three carriers, each as often as the others.
var mobilePrefixes = []string{
	"134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "183", "187", "188", "198", "178",
	"130", "131", "132", "155", "156", "185", "186", "176", "166",
	"133", "153", "180", "181", "189", "177", "199", "191",
}

// mobile returns a mainland mobile number not handed out before.
func (g *gen) mobile() string {
	for {
		m := pickOf(g, mobilePrefixes) + fmt.Sprintf("%08d", g.r.IntN(100_000_000))
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

var companyWords = []word{
	{"恒泰", "hengtai"}, {"华信", "huaxin"}, {"永兴", "yongxing"}, {"宏达", "hongda"}, {"鑫源", "xinyuan"},
	{"金桥", "jinqiao"}, {"瑞丰", "ruifeng"}, {"天成", "tiancheng"}, {"博远", "boyuan"}, {"中科", "zhongke"},
	{"海润", "hairun"}, {"润泽", "runze"}, {"安达", "anda"}, {"正和", "zhenghe"}, {"明辉", "minghui"},
	{"新宇", "xinyu"}, {"凯盛", "kaisheng"}, {"广源", "guangyuan"}, {"远景", "yuanjing"}, {"宇通", "yutong"},
	{"星辰", "xingchen"}, {"东方", "dongfang"}, {"长城", "changcheng"}, {"金盛", "jinsheng"}, {"汇通", "huitong"},
	{"德力", "deli"}, {"华晨", "huachen"}, {"嘉禾", "jiahe"}, {"联创", "lianchuang"}, {"盛世", "shengshi"},
	{"同创", "tongchuang"}, {"思源", "siyuan"}, {"启航", "qihang"}, {"鼎信", "dingxin"}, {"铭泰", "mingtai"},
	{"卓越", "zhuoyue"}, {"华瑞", "huarui"}, {"泰和", "taihe"}, {"恒通", "hengtong"}, {"中联", "zhonglian"},
	{"云杉", "yunshan"}, {"蓝海", "lanhai"}, {"九州", "jiuzhou"}, {"世纪", "shiji"}, {"精工", "jinggong"},
	{"新锐", "xinrui"}, {"益民", "yimin"}, {"国泰", "guotai"}, {"同心", "tongxin"}, {"兴业", "xingye"},
	{"永盛", "yongsheng"}, {"信达", "xinda"}, {"万通", "wantong"}, {"华康", "huakang"}, {"金鹰", "jinying"},
	{"天润", "tianrun"}, {"宝鼎", "baoding"}, {"科达", "keda"}, {"融创", "rongchuang"}, {"长江", "changjiang"},
}

// company returns a company name, unique, such as 苏州恒泰精密机械有限公司,
// with the pinyin of its brand for domains. Brands are single words at
// first and two words blended (恒泰 + 华信 → 恒信) when a city's and
// trade's names run out, so the space holds hundreds of thousands.
func (g *gen) company(r region, trades []string) (name, brand string) {
	for try := 0; ; try++ {
		w := pickOf(g, companyWords)
		zh, py := w.zh, w.py
		if try >= 8 {
			v := pickOf(g, companyWords)
			zh = string([]rune(w.zh)[:1]) + string([]rune(v.zh)[1:])
			py = w.py + v.py
		}
		suffix := "有限公司"
		switch x := g.r.Float64(); {
		case x < 0.12:
			suffix = "股份有限公司"
		case x < 0.2:
			suffix = "集团有限公司"
		}
		name = r.cityShort() + zh + pickOf(g, trades) + suffix
		if try >= 64 {
			name = r.cityShort() + r.district + zh + pickOf(g, trades) + suffix
		}
		if try >= 256 {
			name = fmt.Sprintf("%s%s%s%s第%d%s", r.cityShort(), zh, pickOf(g, trades), "", try, suffix)
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

func domainOf(brand, trade string) string { return brand + "-" + trade + ".com.cn" }

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

// choose returns one of the options, drawn with weights given as
// alternating value, weight pairs: choose("a", 3, "b", 1).
func (g *gen) choose(pairs ...any) string {
	var vals []string
	var w []float64
	for i := 0; i+1 < len(pairs); i += 2 {
		vals = append(vals, pairs[i].(string))
		switch x := pairs[i+1].(type) {
		case int:
			w = append(w, float64(x))
		case float64:
			w = append(w, x)
		}
	}
	return vals[g.weighted(w)]
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
