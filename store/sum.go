package store

import (
	"context"

	"github.com/crmkit/crm/schema"
)

// Summer is an optional capability of a [Reader], found by type
// assertion: it adds up a numeric field over every record a filter
// matches, in the database, without reading the records.
type Summer interface {
	// Sum returns the sum of field over the records of obj matching f
	// (nil: all). ok is false when no matching record has a value for
	// the field (the sum is then 0). field must be a number or integer
	// field of obj (number, integer, currency, percent, and formulas and
	// roll-ups with numeric results) that is not sensitive (its stored
	// value is ciphertext); anything else is a [*QueryError] naming it.
	Sum(ctx context.Context, obj *schema.Object, f *Filter, field string) (sum float64, ok bool, err error)
}

// SummableField returns the field of obj that [Summer.Sum] may add up,
// or a [*QueryError] naming field: unknown, not a number, or sensitive.
// Adapters share it so that they refuse the same fields with the same
// words.
func SummableField(obj *schema.Object, field string) (*schema.Field, error) {
	var f *schema.Field
	for _, c := range obj.Fields {
		if c != nil && c.Name == field && !c.Hidden {
			f = c
		}
	}
	switch {
	case f == nil:
		return nil, &QueryError{Field: field, Message: "unknown field of " + obj.Name}
	case f.Kind() != schema.KindNumber && f.Kind() != schema.KindInteger:
		return nil, &QueryError{Field: field, Message: "not a number field, so it cannot be summed"}
	case f.Sensitive:
		return nil, &QueryError{Field: field, Message: "a sensitive field is stored encrypted and cannot be summed"}
	}
	return f, nil
}
