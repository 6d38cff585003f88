package schema

import "errors"

// This file holds the signatures of the schema API while it is being
// written; the helper implementing the package deletes it.

var errPending = errors.New("schema: pending")

// ParseObject checks a submitted definition against the CRM meta-schema and
// the CRM's own rules and parses it. Returns a *DefinitionError naming every
// problem with its JSON-pointer path.
func ParseObject(definition []byte) (*Object, error) { return nil, errPending }

// Validator checks record payloads of one object version. Safe for
// concurrent use.
type Validator struct{}

// NewValidator compiles obj's JSON Schema (remote and file $refs refused,
// formats asserted).
func NewValidator(obj *Object) (*Validator, error) { return nil, errPending }

// Validate checks a complete record's data (not a patch) and returns a
// *ValidationError naming every failing field, or nil.
func (v *Validator) Validate(data map[string]any) error { return errPending }

// Normalize returns data in canonical stored form: datetimes as
// DateTimeLayout in UTC, integers as float64 without fraction, empty
// strings of optional fields removed. Call after Validate.
func Normalize(obj *Object, data map[string]any) map[string]any { return data }

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
	ChangeFormatAdded     ChangeKind = "formatChanged"
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

// Diff lists the changes from old to new that stored data may not survive.
func Diff(old, new *Object) []Change { return nil }
