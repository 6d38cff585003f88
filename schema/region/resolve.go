package region

import (
	"strings"
)

// Address holds the region parts of an address: names and codes.
type Address struct {
	Country                              string
	Province, City, District             string
	ProvinceCode, CityCode, DistrictCode string
}

// ProblemKind says what is wrong with an address's codes.
type ProblemKind int

// Problem kinds.
const (
	// Unknown: the code is not one of the dataset's divisions of its
	// level.
	Unknown ProblemKind = iota + 1
	// NotNested: the code's division does not lie in the one the part
	// above names (Code is not in Parent).
	NotNested
	// NotChina: a code is given for an address whose country is not
	// China.
	NotChina
)

// Problem is the first thing wrong with an address's codes.
type Problem struct {
	Kind ProblemKind
	// Part is the code part at fault: "provinceCode", "cityCode" or
	// "districtCode".
	Part string
	// Code is the part's value; Parent the code of the part above it
	// (for NotNested).
	Code, Parent string
}

// chinaNames are the ways a country part may name China; an empty
// country counts as China too.
var chinaNames = []string{"中国", "中华人民共和国", "中國", "中国大陆", "china", "cn", "chn", "prc", "people's republic of china", "mainland china"}

// IsChina reports whether a country part names China (or is empty).
func IsChina(country string) bool {
	c := strings.ToLower(strings.TrimSpace(country))
	if c == "" {
		return true
	}
	for _, n := range chinaNames {
		if c == n {
			return true
		}
	}
	return false
}

// Resolve checks and completes the region parts of a. Codes given must be
// divisions of their level (provinceCode a province …) that nest (cityCode
// in provinceCode, districtCode in cityCode), and are given only for an
// address in China; a lower code implies the ones above it (a
// districtCode alone sets cityCode and provinceCode). The names of the
// levels that have codes are set from the dataset. Below the last code,
// names are resolved level by level where they are unambiguous (see
// [Find]): the level gets its code and the dataset's name; a name that does
// not resolve, and every name below it, is kept as given without a code.
// An address outside China, or without codes and a province that
// resolves, comes back as it is. The problem returned is the first one;
// with a problem, a is returned unchanged.
func Resolve(a Address) (Address, *Problem) {
	in := a
	hasCode := a.ProvinceCode != "" || a.CityCode != "" || a.DistrictCode != ""
	if !IsChina(a.Country) {
		if hasCode {
			return in, &Problem{Kind: NotChina, Part: firstCodePart(a), Code: firstCode(a)}
		}
		return a, nil
	}
	levels := []struct {
		part  string
		code  *string
		level Level
	}{{"provinceCode", &a.ProvinceCode, Province}, {"cityCode", &a.CityCode, City}, {"districtCode", &a.DistrictCode, District}}
	for _, l := range levels {
		if *l.code == "" {
			continue
		}
		if d, ok := Lookup(*l.code); !ok || d.Level != l.level {
			return in, &Problem{Kind: Unknown, Part: l.part, Code: *l.code}
		}
	}
	if a.DistrictCode != "" && a.CityCode != "" && a.DistrictCode[:4]+"00" != a.CityCode {
		return in, &Problem{Kind: NotNested, Part: "districtCode", Code: a.DistrictCode, Parent: a.CityCode}
	}
	if a.CityCode != "" && a.ProvinceCode != "" && a.CityCode[:2]+"0000" != a.ProvinceCode {
		return in, &Problem{Kind: NotNested, Part: "cityCode", Code: a.CityCode, Parent: a.ProvinceCode}
	}
	if a.DistrictCode != "" && a.CityCode == "" && a.ProvinceCode != "" && a.DistrictCode[:2]+"0000" != a.ProvinceCode {
		return in, &Problem{Kind: NotNested, Part: "districtCode", Code: a.DistrictCode, Parent: a.ProvinceCode}
	}
	if a.DistrictCode != "" {
		a.CityCode = a.DistrictCode[:4] + "00"
	}
	if a.CityCode != "" {
		a.ProvinceCode = a.CityCode[:2] + "0000"
	}
	// Names below the last code: resolve them while they are unambiguous.
	if a.ProvinceCode == "" {
		if c := Find("", a.Province); len(c) == 1 {
			a.ProvinceCode = c[0]
		}
	}
	if a.ProvinceCode != "" && a.CityCode == "" && a.City != "" {
		cities := Find(a.ProvinceCode, a.City)
		if len(cities) > 1 && a.District != "" {
			// 重庆市 has two city-level codes: the district tells which.
			var with []string
			for _, c := range cities {
				if len(Find(c, a.District)) == 1 {
					with = append(with, c)
				}
			}
			cities = with
		}
		if len(cities) == 1 {
			a.CityCode = cities[0]
		}
	}
	if a.CityCode != "" && a.DistrictCode == "" && a.District != "" {
		if c := Find(a.CityCode, a.District); len(c) == 1 {
			a.DistrictCode = c[0]
		}
	}
	if a.ProvinceCode != "" {
		a.Province = Name(a.ProvinceCode)
	}
	if a.CityCode != "" {
		a.City = Name(a.CityCode)
	}
	if a.DistrictCode != "" {
		a.District = Name(a.DistrictCode)
	}
	return a, nil
}

func firstCodePart(a Address) string {
	switch {
	case a.ProvinceCode != "":
		return "provinceCode"
	case a.CityCode != "":
		return "cityCode"
	}
	return "districtCode"
}

func firstCode(a Address) string {
	switch {
	case a.ProvinceCode != "":
		return a.ProvinceCode
	case a.CityCode != "":
		return a.CityCode
	}
	return a.DistrictCode
}

// PostalCode returns s as a postal code of China, six ASCII digits
// (full-width digits and spaces are read as Chinese input methods type
// them), and whether it is one.
func PostalCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r -= '０' - '0'
		case r == ' ' || r == '\u3000':
			continue
		}
		if r < '0' || r > '9' {
			return s, false
		}
		b.WriteRune(r)
	}
	if b.Len() != 6 {
		return s, false
	}
	return b.String(), true
}

// HasPostalCodes reports whether addresses in a province of China use
// six-digit postal codes: all but 香港, 澳门 and 台湾, which are not in the
// dataset and have their own (or none).
func HasPostalCodes(province string) bool {
	for _, p := range []string{"香港", "澳门", "澳門", "台湾", "臺灣", "台灣"} {
		if strings.HasPrefix(strings.TrimSpace(province), p) {
			return false
		}
	}
	return true
}
