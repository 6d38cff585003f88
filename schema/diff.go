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
}

// Diff lists the changes from old to new that stored data may not survive,
// in the order of old's fields, several per field where several apply.
// Additions (fields, options, labels, indexes) and relaxations are not
// listed. A nil old has no data to lose; a nil new removes every field.
func Diff(old, new *Object) []Change {
	if old == nil {
		return nil
	}
	var out []Change
	add := func(field string, kind ChangeKind, format string, args ...any) {
		out = append(out, Change{Field: field, Kind: kind, Message: fmt.Sprintf(format, args...)})
	}
	for _, of := range old.Fields {
		if of == nil || of.Hidden {
			continue
		}
		var nf *Field
		if new != nil {
			nf = new.Field(of.Name)
		}
		name := of.Name
		if nf == nil {
			add(name, ChangeFieldRemoved, "field %q was removed; its stored values will no longer be readable", name)
			continue
		}
		if of.Sensitive != nf.Sensitive || of.Searchable != nf.Searchable {
			add(name, ChangeSensitivity, "field %q changed its encryption; every stored value is rewritten", name)
		}
		typeChanged := of.Type != nf.Type && !widenings[[2]Type{of.Type, nf.Type}]
		if typeChanged {
			add(name, ChangeTypeChanged, "field %q changed type from %s to %s; stored values may not convert", name, of.Type, nf.Type)
		}
		if of.Target != "" && nf.Target != "" && of.Target != nf.Target {
			add(name, ChangeTargetChanged, "field %q now points at %s instead of %s; stored references point at %s records",
				name, nf.Target, of.Target, of.Target)
		}
		if hasOptions(of.Type) && hasOptions(nf.Type) {
			var removed []string
			for _, o := range of.Options {
				if !contains(nf.Options, o) {
					removed = append(removed, o)
				}
			}
			if len(removed) > 0 {
				out = append(out, Change{Field: name, Kind: ChangeOptionsRemoved, Removed: removed,
					Message: fmt.Sprintf("field %q no longer allows %s; records with those values will fail validation",
						name, quoteAll(removed))})
			}
		}
		if nf.Required && !of.Required {
			add(name, ChangeBecameRequired, "field %q became required; records without a value will fail validation", name)
		}
		if nf.MaxLength > 0 && (of.MaxLength == 0 || nf.MaxLength < of.MaxLength) {
			if of.MaxLength == 0 {
				add(name, ChangeMaxLengthNarrow, "field %q now allows at most %d characters; longer stored values will fail validation",
					name, nf.MaxLength)
			} else {
				add(name, ChangeMaxLengthNarrow, "field %q now allows at most %d characters instead of %d; longer stored values will fail validation",
					name, nf.MaxLength, of.MaxLength)
			}
		}
		if nf.Minimum != nil && (of.Minimum == nil || *nf.Minimum > *of.Minimum) {
			add(name, ChangeRangeNarrowed, "field %q now has minimum %s%s; smaller stored values will fail validation",
				name, num(*nf.Minimum), was(of.Minimum))
		}
		if nf.Maximum != nil && (of.Maximum == nil || *nf.Maximum < *of.Maximum) {
			add(name, ChangeRangeNarrowed, "field %q now has maximum %s%s; larger stored values will fail validation",
				name, num(*nf.Maximum), was(of.Maximum))
		}
		if nf.Unique && !of.Unique {
			add(name, ChangeBecameUnique, "field %q became unique; stored duplicates will block the change", name)
		}
		// A type change implies its format; it is reported already.
		if !typeChanged && nf.Format != "" && nf.Format != of.Format {
			add(name, ChangeFormatAdded, "field %q now requires format %q%s; stored values may not match",
				name, nf.Format, wasText(of.Format))
		}
		if nf.Pattern != "" && nf.Pattern != of.Pattern {
			add(name, ChangeFormatAdded, "field %q now requires pattern %q%s; stored values may not match",
				name, nf.Pattern, wasText(of.Pattern))
		}
	}
	return out
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
