package sample

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
)

// vocabFiles hold the shared Chinese vocabulary (zh.json).
//
//go:embed vocab/*.json
var vocabFiles embed.FS

// loadZh decodes vocab/zh.json strictly: a misspelt or empty list fails
// at the first use (every test of the package makes one), not as an empty
// draw in the middle of a run.
func loadZh() *zhVocab {
	b, err := vocabFiles.ReadFile("vocab/zh.json")
	if err != nil {
		panic(fmt.Sprintf("sample: %v", err))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	v := new(zhVocab)
	if err := dec.Decode(v); err != nil {
		panic(fmt.Sprintf("sample: decode zh.json: %v", err))
	}
	for name, n := range map[string]int{"surnames": len(v.Surnames), "maleChars": len(v.MaleChars), "femaleChars": len(v.FemaleChars),
		"regions": len(v.Regions), "roads": len(v.Roads), "mobilePrefixes": len(v.MobilePrefixes), "companyWords": len(v.CompanyWords)} {
		if n == 0 {
			panic("sample: zh.json: " + name + " is missing or empty")
		}
	}
	for _, s := range v.Surnames {
		v.surnameWeights = append(v.surnameWeights, s.weight)
	}
	for _, r := range v.Regions {
		v.regionWeights = append(v.regionWeights, r.weight)
	}
	return v
}

// tuple decodes a JSON array into the given pointers, one per element, so
// that long lists of small records stay one line each in the vocabulary files.
func tuple(b []byte, into ...any) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) != len(into) {
		return fmt.Errorf("%s: want %d elements", b, len(into))
	}
	for i, r := range raw {
		if err := json.Unmarshal(r, into[i]); err != nil {
			return fmt.Errorf("%s: element %d: %w", b, i, err)
		}
	}
	return nil
}

// ordered is a JSON object whose members keep their order (Go maps do
// not), for draws that must happen in the order they are written in.
type ordered[T any] struct {
	keys []string
	vals []T
}

func (o *ordered[T]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("%.40s: want an object", b)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%.40s: member %v: %w", b, t, err)
		}
		o.keys = append(o.keys, t.(string))
		o.vals = append(o.vals, v)
	}
	if len(o.keys) == 0 {
		return fmt.Errorf("%.40s: no members", b)
	}
	return nil
}
