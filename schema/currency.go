package schema

import (
	"sort"
	"strings"
)

// CurrencyInfo describes one currency of ISO 4217.
type CurrencyInfo struct {
	// Code is the alphabetic code, three upper-case letters ("CNY").
	Code string
	// MinorUnits is how many decimals an amount has (CNY 2, JPY 0, KWD 3).
	MinorUnits int
	// Name is the currency's name in Chinese and English.
	Name Label
}

// Currency returns the active ISO 4217 currency with the code (upper
// case, as the standard writes it), and false for any other text.
func Currency(code string) (CurrencyInfo, bool) {
	c, ok := currencyByCode[code]
	return c, ok
}

// Currencies returns the active ISO 4217 currencies by code.
func Currencies() []CurrencyInfo {
	out := make([]CurrencyInfo, len(currencyTable))
	copy(out, currencyTable)
	return out
}

// currencyByCode indexes currencyTable.
var currencyByCode = func() map[string]CurrencyInfo {
	m := make(map[string]CurrencyInfo, len(currencyTable))
	for _, c := range currencyTable {
		m[c.Code] = c
	}
	return m
}()

func init() {
	sort.Slice(currencyTable, func(i, j int) bool { return strings.Compare(currencyTable[i].Code, currencyTable[j].Code) < 0 })
}

// currencyTable is ISO 4217 list one: the currencies and funds in use, with
// their minor units. Left out: precious metals, testing and "no currency"
// codes and units of account without minor units (XAU, XTS, XXX, XDR, XSU,
// XUA …), and codes withdrawn before 2026 (HRK, SLL, ZWL, CUC, ANG — the
// Caribbean guilder XCG replaced it — and BGN, as Bulgaria took the euro
// on 2026-01-01).
var currencyTable = []CurrencyInfo{
	{"AED", 2, Label{"阿联酋迪拉姆", "UAE Dirham"}},
	{"AFN", 2, Label{"阿富汗尼", "Afghani"}},
	{"ALL", 2, Label{"阿尔巴尼亚列克", "Lek"}},
	{"AMD", 2, Label{"亚美尼亚德拉姆", "Armenian Dram"}},
	{"AOA", 2, Label{"安哥拉宽扎", "Kwanza"}},
	{"ARS", 2, Label{"阿根廷比索", "Argentine Peso"}},
	{"AUD", 2, Label{"澳大利亚元", "Australian Dollar"}},
	{"AWG", 2, Label{"阿鲁巴弗罗林", "Aruban Florin"}},
	{"AZN", 2, Label{"阿塞拜疆马纳特", "Azerbaijan Manat"}},
	{"BAM", 2, Label{"波黑可兑换马克", "Convertible Mark"}},
	{"BBD", 2, Label{"巴巴多斯元", "Barbados Dollar"}},
	{"BDT", 2, Label{"孟加拉塔卡", "Taka"}},
	{"BHD", 3, Label{"巴林第纳尔", "Bahraini Dinar"}},
	{"BIF", 0, Label{"布隆迪法郎", "Burundi Franc"}},
	{"BMD", 2, Label{"百慕大元", "Bermudian Dollar"}},
	{"BND", 2, Label{"文莱元", "Brunei Dollar"}},
	{"BOB", 2, Label{"玻利维亚诺", "Boliviano"}},
	{"BOV", 2, Label{"玻利维亚 Mvdol", "Mvdol"}},
	{"BRL", 2, Label{"巴西雷亚尔", "Brazilian Real"}},
	{"BSD", 2, Label{"巴哈马元", "Bahamian Dollar"}},
	{"BTN", 2, Label{"不丹努尔特鲁姆", "Ngultrum"}},
	{"BWP", 2, Label{"博茨瓦纳普拉", "Pula"}},
	{"BYN", 2, Label{"白俄罗斯卢布", "Belarusian Ruble"}},
	{"BZD", 2, Label{"伯利兹元", "Belize Dollar"}},
	{"CAD", 2, Label{"加拿大元", "Canadian Dollar"}},
	{"CDF", 2, Label{"刚果法郎", "Congolese Franc"}},
	{"CHE", 2, Label{"WIR 欧元", "WIR Euro"}},
	{"CHF", 2, Label{"瑞士法郎", "Swiss Franc"}},
	{"CHW", 2, Label{"WIR 法郎", "WIR Franc"}},
	{"CLF", 4, Label{"智利发展单位", "Unidad de Fomento"}},
	{"CLP", 0, Label{"智利比索", "Chilean Peso"}},
	{"CNY", 2, Label{"人民币", "Yuan Renminbi"}},
	{"COP", 2, Label{"哥伦比亚比索", "Colombian Peso"}},
	{"COU", 2, Label{"哥伦比亚实际价值单位", "Unidad de Valor Real"}},
	{"CRC", 2, Label{"哥斯达黎加科朗", "Costa Rican Colon"}},
	{"CUP", 2, Label{"古巴比索", "Cuban Peso"}},
	{"CVE", 2, Label{"佛得角埃斯库多", "Cabo Verde Escudo"}},
	{"CZK", 2, Label{"捷克克朗", "Czech Koruna"}},
	{"DJF", 0, Label{"吉布提法郎", "Djibouti Franc"}},
	{"DKK", 2, Label{"丹麦克朗", "Danish Krone"}},
	{"DOP", 2, Label{"多米尼加比索", "Dominican Peso"}},
	{"DZD", 2, Label{"阿尔及利亚第纳尔", "Algerian Dinar"}},
	{"EGP", 2, Label{"埃及镑", "Egyptian Pound"}},
	{"ERN", 2, Label{"厄立特里亚纳克法", "Nakfa"}},
	{"ETB", 2, Label{"埃塞俄比亚比尔", "Ethiopian Birr"}},
	{"EUR", 2, Label{"欧元", "Euro"}},
	{"FJD", 2, Label{"斐济元", "Fiji Dollar"}},
	{"FKP", 2, Label{"福克兰群岛镑", "Falkland Islands Pound"}},
	{"GBP", 2, Label{"英镑", "Pound Sterling"}},
	{"GEL", 2, Label{"格鲁吉亚拉里", "Lari"}},
	{"GHS", 2, Label{"加纳塞地", "Ghana Cedi"}},
	{"GIP", 2, Label{"直布罗陀镑", "Gibraltar Pound"}},
	{"GMD", 2, Label{"冈比亚达拉西", "Dalasi"}},
	{"GNF", 0, Label{"几内亚法郎", "Guinean Franc"}},
	{"GTQ", 2, Label{"危地马拉格查尔", "Quetzal"}},
	{"GYD", 2, Label{"圭亚那元", "Guyana Dollar"}},
	{"HKD", 2, Label{"港元", "Hong Kong Dollar"}},
	{"HNL", 2, Label{"洪都拉斯伦皮拉", "Lempira"}},
	{"HTG", 2, Label{"海地古德", "Gourde"}},
	{"HUF", 2, Label{"匈牙利福林", "Forint"}},
	{"IDR", 2, Label{"印度尼西亚卢比", "Rupiah"}},
	{"ILS", 2, Label{"以色列新谢克尔", "New Israeli Sheqel"}},
	{"INR", 2, Label{"印度卢比", "Indian Rupee"}},
	{"IQD", 3, Label{"伊拉克第纳尔", "Iraqi Dinar"}},
	{"IRR", 2, Label{"伊朗里亚尔", "Iranian Rial"}},
	{"ISK", 0, Label{"冰岛克朗", "Iceland Krona"}},
	{"JMD", 2, Label{"牙买加元", "Jamaican Dollar"}},
	{"JOD", 3, Label{"约旦第纳尔", "Jordanian Dinar"}},
	{"JPY", 0, Label{"日元", "Yen"}},
	{"KES", 2, Label{"肯尼亚先令", "Kenyan Shilling"}},
	{"KGS", 2, Label{"吉尔吉斯斯坦索姆", "Som"}},
	{"KHR", 2, Label{"柬埔寨瑞尔", "Riel"}},
	{"KMF", 0, Label{"科摩罗法郎", "Comorian Franc"}},
	{"KPW", 2, Label{"朝鲜圆", "North Korean Won"}},
	{"KRW", 0, Label{"韩元", "Won"}},
	{"KWD", 3, Label{"科威特第纳尔", "Kuwaiti Dinar"}},
	{"KYD", 2, Label{"开曼群岛元", "Cayman Islands Dollar"}},
	{"KZT", 2, Label{"哈萨克斯坦坚戈", "Tenge"}},
	{"LAK", 2, Label{"老挝基普", "Lao Kip"}},
	{"LBP", 2, Label{"黎巴嫩镑", "Lebanese Pound"}},
	{"LKR", 2, Label{"斯里兰卡卢比", "Sri Lanka Rupee"}},
	{"LRD", 2, Label{"利比里亚元", "Liberian Dollar"}},
	{"LSL", 2, Label{"莱索托洛蒂", "Loti"}},
	{"LYD", 3, Label{"利比亚第纳尔", "Libyan Dinar"}},
	{"MAD", 2, Label{"摩洛哥迪拉姆", "Moroccan Dirham"}},
	{"MDL", 2, Label{"摩尔多瓦列伊", "Moldovan Leu"}},
	{"MGA", 2, Label{"马达加斯加阿里亚里", "Malagasy Ariary"}},
	{"MKD", 2, Label{"北马其顿代纳尔", "Denar"}},
	{"MMK", 2, Label{"缅甸元", "Kyat"}},
	{"MNT", 2, Label{"蒙古图格里克", "Tugrik"}},
	{"MOP", 2, Label{"澳门元", "Pataca"}},
	{"MRU", 2, Label{"毛里塔尼亚乌吉亚", "Ouguiya"}},
	{"MUR", 2, Label{"毛里求斯卢比", "Mauritius Rupee"}},
	{"MVR", 2, Label{"马尔代夫拉菲亚", "Rufiyaa"}},
	{"MWK", 2, Label{"马拉维克瓦查", "Malawi Kwacha"}},
	{"MXN", 2, Label{"墨西哥比索", "Mexican Peso"}},
	{"MXV", 2, Label{"墨西哥发展单位", "Mexican Unidad de Inversion (UDI)"}},
	{"MYR", 2, Label{"马来西亚林吉特", "Malaysian Ringgit"}},
	{"MZN", 2, Label{"莫桑比克梅蒂卡尔", "Mozambique Metical"}},
	{"NAD", 2, Label{"纳米比亚元", "Namibia Dollar"}},
	{"NGN", 2, Label{"尼日利亚奈拉", "Naira"}},
	{"NIO", 2, Label{"尼加拉瓜科多巴", "Cordoba Oro"}},
	{"NOK", 2, Label{"挪威克朗", "Norwegian Krone"}},
	{"NPR", 2, Label{"尼泊尔卢比", "Nepalese Rupee"}},
	{"NZD", 2, Label{"新西兰元", "New Zealand Dollar"}},
	{"OMR", 3, Label{"阿曼里亚尔", "Rial Omani"}},
	{"PAB", 2, Label{"巴拿马巴波亚", "Balboa"}},
	{"PEN", 2, Label{"秘鲁索尔", "Sol"}},
	{"PGK", 2, Label{"巴布亚新几内亚基那", "Kina"}},
	{"PHP", 2, Label{"菲律宾比索", "Philippine Peso"}},
	{"PKR", 2, Label{"巴基斯坦卢比", "Pakistan Rupee"}},
	{"PLN", 2, Label{"波兰兹罗提", "Zloty"}},
	{"PYG", 0, Label{"巴拉圭瓜拉尼", "Guarani"}},
	{"QAR", 2, Label{"卡塔尔里亚尔", "Qatari Rial"}},
	{"RON", 2, Label{"罗马尼亚列伊", "Romanian Leu"}},
	{"RSD", 2, Label{"塞尔维亚第纳尔", "Serbian Dinar"}},
	{"RUB", 2, Label{"俄罗斯卢布", "Russian Ruble"}},
	{"RWF", 0, Label{"卢旺达法郎", "Rwanda Franc"}},
	{"SAR", 2, Label{"沙特里亚尔", "Saudi Riyal"}},
	{"SBD", 2, Label{"所罗门群岛元", "Solomon Islands Dollar"}},
	{"SCR", 2, Label{"塞舌尔卢比", "Seychelles Rupee"}},
	{"SDG", 2, Label{"苏丹镑", "Sudanese Pound"}},
	{"SEK", 2, Label{"瑞典克朗", "Swedish Krona"}},
	{"SGD", 2, Label{"新加坡元", "Singapore Dollar"}},
	{"SHP", 2, Label{"圣赫勒拿镑", "Saint Helena Pound"}},
	{"SLE", 2, Label{"塞拉利昂利昂", "Leone"}},
	{"SOS", 2, Label{"索马里先令", "Somali Shilling"}},
	{"SRD", 2, Label{"苏里南元", "Surinam Dollar"}},
	{"SSP", 2, Label{"南苏丹镑", "South Sudanese Pound"}},
	{"STN", 2, Label{"圣多美和普林西比多布拉", "Dobra"}},
	{"SVC", 2, Label{"萨尔瓦多科朗", "El Salvador Colon"}},
	{"SYP", 2, Label{"叙利亚镑", "Syrian Pound"}},
	{"SZL", 2, Label{"斯威士兰里兰吉尼", "Lilangeni"}},
	{"THB", 2, Label{"泰铢", "Baht"}},
	{"TJS", 2, Label{"塔吉克斯坦索莫尼", "Somoni"}},
	{"TMT", 2, Label{"土库曼斯坦马纳特", "Turkmenistan New Manat"}},
	{"TND", 3, Label{"突尼斯第纳尔", "Tunisian Dinar"}},
	{"TOP", 2, Label{"汤加潘加", "Pa’anga"}},
	{"TRY", 2, Label{"土耳其里拉", "Turkish Lira"}},
	{"TTD", 2, Label{"特立尼达和多巴哥元", "Trinidad and Tobago Dollar"}},
	{"TWD", 2, Label{"新台币", "New Taiwan Dollar"}},
	{"TZS", 2, Label{"坦桑尼亚先令", "Tanzanian Shilling"}},
	{"UAH", 2, Label{"乌克兰格里夫纳", "Hryvnia"}},
	{"UGX", 0, Label{"乌干达先令", "Uganda Shilling"}},
	{"USD", 2, Label{"美元", "US Dollar"}},
	{"USN", 2, Label{"美元（次日）", "US Dollar (Next day)"}},
	{"UYI", 0, Label{"乌拉圭比索（指数单位）", "Uruguay Peso en Unidades Indexadas (UI)"}},
	{"UYU", 2, Label{"乌拉圭比索", "Peso Uruguayo"}},
	{"UYW", 4, Label{"乌拉圭名义工资指数单位", "Unidad Previsional"}},
	{"UZS", 2, Label{"乌兹别克斯坦苏姆", "Uzbekistan Sum"}},
	{"VED", 2, Label{"委内瑞拉数字玻利瓦尔", "Bolívar Soberano (digital)"}},
	{"VES", 2, Label{"委内瑞拉主权玻利瓦尔", "Bolívar Soberano"}},
	{"VND", 0, Label{"越南盾", "Dong"}},
	{"VUV", 0, Label{"瓦努阿图瓦图", "Vatu"}},
	{"WST", 2, Label{"萨摩亚塔拉", "Tala"}},
	{"XAF", 0, Label{"中非法郎", "CFA Franc BEAC"}},
	{"XCD", 2, Label{"东加勒比元", "East Caribbean Dollar"}},
	{"XCG", 2, Label{"加勒比盾", "Caribbean Guilder"}},
	{"XOF", 0, Label{"西非法郎", "CFA Franc BCEAO"}},
	{"XPF", 0, Label{"太平洋法郎", "CFP Franc"}},
	{"YER", 2, Label{"也门里亚尔", "Yemeni Rial"}},
	{"ZAR", 2, Label{"南非兰特", "Rand"}},
	{"ZMW", 2, Label{"赞比亚克瓦查", "Zambian Kwacha"}},
	{"ZWG", 2, Label{"津巴布韦金", "Zimbabwe Gold"}},
}
