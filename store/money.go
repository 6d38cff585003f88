package store

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// Sums of currency fields are exact: each amount is taken as a whole
// number of units of 1/scale ([schema.Field.SumScale]), rounded half away
// from zero, and the units are added as int64. A sum beyond the int64
// range is a [*QueryError], never a wrong figure.

// MoneySum adds amounts as whole units of 1/scale.
type MoneySum struct {
	Scale int64
	units int64
	over  bool
}

// Add adds the amount v.
func (s *MoneySum) Add(v float64) { s.AddTimes(v, 1) }

// AddTimes adds the amount v n times.
func (s *MoneySum) AddTimes(v float64, n int64) {
	if s.over {
		return
	}
	u := v * float64(s.Scale)
	if math.IsNaN(u) || math.Abs(u) >= 1<<62 {
		s.over = true
		return
	}
	units := int64(math.Round(u))
	hi, lo := bits.Mul64(uint64(abs64(units)), uint64(n))
	if hi != 0 || lo > math.MaxInt64 {
		s.over = true
		return
	}
	part := int64(lo)
	if units < 0 {
		part = -part
	}
	s.AddUnits(part)
}

// AddUnits adds units of 1/scale.
func (s *MoneySum) AddUnits(units int64) {
	if s.over {
		return
	}
	sum := s.units + units
	if (units > 0 && sum < s.units) || (units < 0 && sum > s.units) {
		s.over = true
		return
	}
	s.units = sum
}

// Value returns the sum, or a [*QueryError] naming field when it left the
// int64 range of units.
func (s *MoneySum) Value(field string) (float64, error) {
	if s.over {
		return 0, SumOverflow(field, s.Scale)
	}
	return MoneyValue(s.units, s.Scale), nil
}

// SumOverflow is the error of a sum of field too large to add exactly.
func SumOverflow(field string, scale int64) error {
	return &QueryError{Field: field, Message: fmt.Sprintf(
		"the sum is too large to add exactly: sums of amounts stay below %s", strconv.FormatFloat(float64(math.MaxInt64/scale), 'f', 0, 64))}
}

// MoneyValue returns units of 1/scale as the float64 nearest the decimal
// they make.
func MoneyValue(units, scale int64) float64 {
	if scale <= 1 || units == math.MinInt64 {
		return float64(units) / float64(max(scale, 1))
	}
	digits := len(strconv.FormatInt(scale, 10)) - 1
	text := strconv.FormatInt(abs64(units), 10)
	if len(text) <= digits {
		text = fmt.Sprintf("%0*s", digits+1, text)
	}
	text = text[:len(text)-digits] + "." + text[len(text)-digits:]
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return float64(units) / float64(scale)
	}
	if units < 0 {
		return -f
	}
	return f
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// moneyOr is the exact sum s when its measure adds money and it stayed in
// range, else the float64 sum f.
func moneyOr(s MoneySum, f float64) float64 {
	if s.Scale == 0 || s.over {
		return f
	}
	return MoneyValue(s.units, s.Scale)
}
