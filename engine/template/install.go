package template

import (
	"errors"

	"github.com/crmkit/crm/message"
)

// InstallOptions tune an install or upgrade (the engine's InstallTemplate).
type InstallOptions struct {
	// DryRun computes and returns the whole plan (every definition change
	// and conflict) and changes nothing.
	DryRun bool
	// OnConflict resolves merge conflicts; zero refuses the upgrade.
	OnConflict ConflictPolicy
	// Force lets an upgrade that turns text fields into user fields clear
	// the stored values that name no active user (see [UserConversion]);
	// without it such an upgrade is refused, a dry run lists them.
	Force bool
	// Sample, if set, inserts the template's sample data after the
	// metadata, unless sample data of this template is already there.
	Sample *SampleData
	// Progress, if set, is called as objects are saved and sample records
	// written (after each batch).
	Progress func(Progress)
}

// RollbackOptions tune a rollback (the engine's RollbackTemplate).
type RollbackOptions struct {
	// DryRun returns the plan and changes nothing.
	DryRun bool
	// Force rolls back objects the tenant changed after the install (their
	// later changes are lost) and deletes created objects that hold records
	// other than the template's sample data.
	Force bool
	// Progress, if set, is called as objects are restored.
	Progress func(Progress)
}

// Progress reports how far a long template operation is.
type Progress struct {
	Phase  string // "objects", "sample" or "reset"
	Object string // the object being worked on, if one
	Done   int
	Total  int // 0 when unknown
}

// ObjectPlan is what an install does to one object, or to one document
// (named KIND:KEY).
type ObjectPlan struct {
	Object string
	// Action is "create", "update", "unchanged", "delete" (rollback) or
	// "restore" (rollback of an update).
	Action  string
	Changes []Change
}

// InstallResult describes an install, upgrade or rollback: done, or for a
// dry run or a refused upgrade, planned.
type InstallResult struct {
	Template    string
	FromVersion string // the version installed before; "" for a first install
	ToVersion   string
	DryRun      bool
	// Applied is true when the tenant's configuration was changed or a
	// new version recorded.
	Applied   bool
	Objects   []ObjectPlan
	Conflicts []Conflict
	// Notes explain choices the merge made (fields kept although the new
	// version dropped them, sample data skipped ...).
	Notes []string
	// SampleRecords is how many sample records were written.
	SampleRecords int
	// Users are the conversions of stored values of fields that become
	// user fields, one per field that holds values.
	Users []UserConversion
}

// Changed reports whether the plan changes any definition.
func (r *InstallResult) Changed() bool {
	for _, o := range r.Objects {
		if o.Action != "unchanged" {
			return true
		}
	}
	return false
}

// SampleActor is the actor id that sample records of a template are
// created by; resetting the sample data deletes exactly the records it
// created.
func SampleActor(name string) string { return "template:" + name }

var (
	// ErrInvalid: a template that cannot be installed as it stands.
	ErrInvalid = errors.New("template: invalid")
	// ErrConflict: what the tenant has installed does not allow it.
	ErrConflict = errors.New("template: conflict")
)

// Error is a refusal of a template or of an install, of a Kind
// ([ErrInvalid] or [ErrConflict]); Key and Args name its text in the
// catalogue of package message, so that the engine can give it to the
// caller in the caller's language.
type Error struct {
	Kind error
	Key  message.Key
	Args []any
}

func (e *Error) Error() string { return message.Text(message.En, e.Key, e.Args...) }

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Kind }

// refusalOf returns a refusal of kind worded by the catalogue's key.
func refusalOf(kind error, key message.Key, args ...any) *Error {
	return &Error{Kind: kind, Key: key, Args: args}
}
