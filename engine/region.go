package engine

import (
	"maps"
	"reflect"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/schema/region"
)

// regionProblems checks and completes the address values a write sets or
// changes (see [region.Resolve]): division codes must exist and nest,
// their names are set from the dataset, names alone get codes where they
// resolve unambiguously, and a postal code in China has six digits. An
// address the write leaves as it was stored (old is the stored data, nil
// for a new record) is neither checked nor rewritten, so that a record
// stored before codes, or with a division the dataset later dropped,
// still takes edits to its other fields. Completed values replace data's
// in place; a value with a problem is left as given and named.
func regionProblems(obj *schema.Object, old, data map[string]any) []schema.FieldError {
	var out []schema.FieldError
	for _, f := range obj.Fields {
		if f == nil || f.Kind() != schema.KindAddress {
			continue
		}
		m, ok := data[f.Name].(map[string]any)
		if !ok {
			continue // null, or a value validate refuses
		}
		if old != nil && reflect.DeepEqual(schema.Normalize(obj, map[string]any{f.Name: old[f.Name]}), schema.Normalize(obj, map[string]any{f.Name: m})) {
			continue
		}
		norm, _ := schema.Normalize(obj, map[string]any{f.Name: m})[f.Name].(map[string]any)
		part := func(name string) string {
			s, _ := norm[name].(string)
			return s
		}
		for _, p := range schema.AddressParts {
			if _, isString := norm[p].(string); norm[p] != nil && !isString {
				norm = nil // a part of the wrong type: validate names it
				break
			}
		}
		if norm == nil {
			continue
		}
		in := region.Address{
			Country: part("country"), Province: part("province"), City: part("city"), District: part("district"),
			ProvinceCode: part("provinceCode"), CityCode: part("cityCode"), DistrictCode: part("districtCode"),
		}
		var problems []schema.FieldError
		res, p := region.Resolve(in)
		if p != nil {
			problems = append(problems, regionProblem(f.Name, p))
		}
		if pc := part("postalCode"); pc != "" && region.IsChina(in.Country) && region.HasPostalCodes(in.Province) {
			if canon, ok := region.PostalCode(pc); !ok {
				problems = append(problems, fieldError(f.Name+".postalCode", schema.CodeFormat, "region.postalCode", pc))
			} else {
				norm["postalCode"] = canon
			}
		}
		if len(problems) > 0 {
			out = append(out, problems...)
			continue
		}
		next := maps.Clone(m)
		for name, v := range map[string]string{
			"province": res.Province, "city": res.City, "district": res.District,
			"provinceCode": res.ProvinceCode, "cityCode": res.CityCode, "districtCode": res.DistrictCode,
			"postalCode": part("postalCode"),
		} {
			if v == "" {
				delete(next, name)
			} else {
				next[name] = v
			}
		}
		data[f.Name] = next
	}
	return out
}

// regionProblem words a problem with an address's codes.
func regionProblem(field string, p *region.Problem) schema.FieldError {
	path := field + "." + p.Part
	switch {
	case p.Kind == region.NotChina:
		return fieldError(path, "region", "region.notChina", p.Code)
	case p.Kind == region.NotNested && p.Part == "cityCode":
		return fieldError(path, "region", "region.cityNotInProvince", p.Code, region.Name(p.Code), p.Parent, region.Name(p.Parent))
	case p.Kind == region.NotNested:
		return fieldError(path, "region", "region.districtNotIn", p.Code, region.Name(p.Code), p.Parent, region.Name(p.Parent))
	case p.Part == "provinceCode":
		return fieldError(path, "region", "region.unknownProvince", p.Code)
	case p.Part == "cityCode":
		return fieldError(path, "region", "region.unknownCity", p.Code)
	}
	return fieldError(path, "region", "region.unknownDistrict", p.Code)
}
