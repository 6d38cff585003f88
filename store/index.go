package store

import (
	"fmt"
	"strings"

	"github.com/crmkit/crm/schema"
)

// IndexSpec is one index that an object's records need, as [IndexSpecs]
// derives it from the definition. Adapters render it (a CREATE INDEX, an
// index model), name it and add the id as a last key where keyset pages
// need it.
type IndexSpec struct {
	Unique bool
	// Elements marks an index over the elements of one list field (a
	// multikey index); only [IndexSpecs] with elements set returns one.
	Elements bool
	Fields   []string // the field names, as a [UniqueError] reports them
	Columns  []Column // the resolved fields, in order
}

// IndexSpecs lists the indexes of obj's records: one per x-crm-indexes
// entry, one per unique field, one per indexed or lookup field, and one
// each on createdAt, updatedAt and ownerId (unless obj.NoSystemIndexes).
// With elements (a backend that
// indexes array elements), a multilookup or an indexed list field gets an
// index over its elements, and so may an x-crm-indexes entry of one list
// field; without, list fields are not indexed and such an entry is an
// error, as is an entry over any other field that cannot be ordered.
// Two specs may come out the same; adapters keep the first of each name
// they give.
func IndexSpecs(obj *schema.Object, elements bool) ([]IndexSpec, error) {
	var specs []IndexSpec
	add := func(unique bool, fields ...string) error {
		spec := IndexSpec{Unique: unique, Fields: fields, Columns: make([]Column, 0, len(fields))}
		for _, name := range fields {
			c, err := ResolveColumn(obj, name)
			if err != nil {
				return err
			}
			if elements && c.IsList() && !unique && len(fields) == 1 {
				spec.Elements = true
			} else if !unique && !c.IsScalar() {
				return fmt.Errorf("index on %s: %s fields cannot be indexed", strings.Join(fields, ", "), kindNames[c.Kind])
			}
			spec.Columns = append(spec.Columns, c)
		}
		specs = append(specs, spec)
		return nil
	}
	for _, ix := range obj.Indexes {
		if len(ix) == 0 {
			continue
		}
		if err := add(false, ix...); err != nil {
			return nil, err
		}
	}
	for _, f := range obj.Fields {
		if f == nil {
			continue
		}
		var err error
		switch k := f.Kind(); {
		case f.Unique:
			err = add(true, f.Name)
		case (f.Indexed || k == schema.KindLookup) && isScalarKind(k):
			err = add(false, f.Name)
		case elements && (k == schema.KindLookupList || (f.Indexed && isListKind(k))):
			err = add(false, f.Name)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"createdAt", "updatedAt", "ownerId"} {
		if obj.NoSystemIndexes {
			break
		}
		if err := add(false, name); err != nil {
			return nil, err
		}
	}
	return specs, nil
}
