package schema

import (
	"fmt"
	"strconv"
	"strings"
)

// ChangeKind names a change between two versions of an object that may not
// fit data stored under the old one.
type ChangeKind string

// Change kinds.
const (
	ChangeFieldRemoved    ChangeKind = "fieldRemoved"
	ChangeTypeChanged     ChangeKind = "typeChanged"
	ChangeTargetChanged   ChangeKind = "targetChanged"
	ChangeOptionsRemoved  ChangeKind = "optionsRemoved"
	ChangeBecameRequired  ChangeKind = "becameRequired"
	ChangeMaxLengthNarrow ChangeKind = "maxLengthNarrowed"
	ChangeRangeNarrowed   ChangeKind = "rangeNarrowed"
	ChangeBecameUnique    ChangeKind = "becameUnique"
	// ChangeFormatAdded covers a format or a pattern added or changed.
	ChangeFormatAdded ChangeKind = "formatChanged"
	// ChangeSensitivity: a field became or stopped being sensitive or
	// searchable, so its stored values must be rewritten.
	ChangeSensitivity ChangeKind = "sensitivityChanged"
)

// Change is one such change.
type Change struct {
	Field string
	Kind  ChangeKind
	// Removed lists the picklist options no longer allowed
	// (ChangeOptionsRemoved).
	Removed []string
	// Message explains the change to an administrator.
	Message string
}

// widenings are the type changes every stored value survives.
var widenings = map[[2]Type]bool{
	{TypeInteger, TypeNumber}:   true,
	{TypeInteger, TypeCurrency}: true,
	{TypeInteger, TypePercent}:  true,
	{TypeText, TypeTextarea}:    true,
	{TypeText, TypeRichText}:    true,
	{TypePicklist, TypeText}:    true,
	// A user field's values ("user:NAME") are valid text.
	{TypeUser, TypeText}: true,
}

// Diff lists the changes from old to new that stored data may not survive,
// in the order of old's fields, several per field where several apply.
// Additions (fields, options, labels, indexes) and relaxations are not
// listed. A nil old has no data to lose; a nil new removes every field.
func Diff(old, new *Object) []Change {
	if old == nil {
		return nil
	}
	var d differ
	for _, of := range old.Fields {
		if of == nil || of.Hidden {
			continue
		}
		var nf *Field
		if new != nil {
			nf = new.Field(of.Name)
		}
		d.field(of, nf)
	}
	return d.out
}

// differ collects the changes of one Diff.
type differ struct{ out []Change }

func (d *differ) add(field string, kind ChangeKind, format string, args ...any) {
	d.out = append(d.out, Change{Field: field, Kind: kind, Message: fmt.Sprintf(format, args...)})
}

// field lists the changes from of to nf, its version in the new object
// (nil when it was removed).
func (d *differ) field(of, nf *Field) {
	if nf == nil {
		d.add(of.Name, ChangeFieldRemoved, "field %q was removed; its stored values will no longer be readable", of.Name)
		return
	}
	if of.Sensitive != nf.Sensitive || of.Searchable != nf.Searchable {
		d.add(of.Name, ChangeSensitivity, "field %q changed its encryption; every stored value is rewritten", of.Name)
	}
	typeChanged := d.typeAndTarget(of, nf)
	d.options(of, nf)
	d.required(of, nf)
	d.maxLength(of, nf)
	d.valueRange(of, nf)
	if nf.Unique && !of.Unique {
		d.add(of.Name, ChangeBecameUnique, "field %q became unique; stored duplicates will block the change", of.Name)
	}
	d.formatAndPattern(of, nf, typeChanged)
}

// typeAndTarget lists a type change that is not a widening and a lookup
// that points elsewhere, and reports whether the type changed.
func (d *differ) typeAndTarget(of, nf *Field) bool {
	typeChanged := of.Type != nf.Type && !widenings[[2]Type{of.Type, nf.Type}]
	if typeChanged {
		d.add(of.Name, ChangeTypeChanged, "field %q changed type from %s to %s; stored values may not convert", of.Name, of.Type, nf.Type)
	}
	if of.Target != "" && nf.Target != "" && of.Target != nf.Target {
		d.add(of.Name, ChangeTargetChanged, "field %q now points at %s instead of %s; stored references point at %s records",
			of.Name, nf.Target, of.Target, of.Target)
	}
	return typeChanged
}

// options lists the picklist options no longer allowed.
func (d *differ) options(of, nf *Field) {
	if !hasOptions(of.Type) || !hasOptions(nf.Type) {
		return
	}
	var removed []string
	for _, o := range of.Options {
		if !contains(nf.Options, o) {
			removed = append(removed, o)
		}
	}
	if len(removed) > 0 {
		d.out = append(d.out, Change{Field: of.Name, Kind: ChangeOptionsRemoved, Removed: removed,
			Message: fmt.Sprintf("field %q no longer allows %s; records with those values will fail validation",
				of.Name, quoteAll(removed))})
	}
}

func (d *differ) required(of, nf *Field) {
	if nf.Required && !of.Required {
		d.add(of.Name, ChangeBecameRequired, "field %q became required; records without a value will fail validation", of.Name)
	}
}

// maxLength lists a new or lower maximum length.
func (d *differ) maxLength(of, nf *Field) {
	switch {
	case nf.MaxLength <= 0:
	case of.MaxLength == 0:
		d.add(of.Name, ChangeMaxLengthNarrow, "field %q now allows at most %d characters; longer stored values will fail validation",
			of.Name, nf.MaxLength)
	case nf.MaxLength < of.MaxLength:
		d.add(of.Name, ChangeMaxLengthNarrow, "field %q now allows at most %d characters instead of %d; longer stored values will fail validation",
			of.Name, nf.MaxLength, of.MaxLength)
	}
}

// valueRange lists a new or higher minimum and a new or lower maximum.
func (d *differ) valueRange(of, nf *Field) {
	if nf.Minimum != nil && (of.Minimum == nil || *nf.Minimum > *of.Minimum) {
		d.add(of.Name, ChangeRangeNarrowed, "field %q now has minimum %s%s; smaller stored values will fail validation",
			of.Name, num(*nf.Minimum), was(of.Minimum))
	}
	if nf.Maximum != nil && (of.Maximum == nil || *nf.Maximum < *of.Maximum) {
		d.add(of.Name, ChangeRangeNarrowed, "field %q now has maximum %s%s; larger stored values will fail validation",
			of.Name, num(*nf.Maximum), was(of.Maximum))
	}
}

// formatAndPattern lists a format or a pattern added or changed. A type
// change implies its format; it is reported already.
func (d *differ) formatAndPattern(of, nf *Field, typeChanged bool) {
	if !typeChanged && nf.Format != "" && nf.Format != of.Format {
		d.add(of.Name, ChangeFormatAdded, "field %q now requires format %q%s; stored values may not match",
			of.Name, nf.Format, wasText(of.Format))
	}
	if nf.Pattern != "" && nf.Pattern != of.Pattern {
		d.add(of.Name, ChangeFormatAdded, "field %q now requires pattern %q%s; stored values may not match",
			of.Name, nf.Pattern, wasText(of.Pattern))
	}
}

func hasOptions(t Type) bool { return t == TypePicklist || t == TypeMultiPicklist }

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func was(f *float64) string {
	if f == nil {
		return " (it had none)"
	}
	return " instead of " + num(*f)
}

func wasText(s string) string {
	if s == "" {
		return ""
	}
	return " instead of " + strings.TrimSpace(strconv.Quote(s))
}
