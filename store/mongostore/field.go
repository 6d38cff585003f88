package mongostore

import "github.com/crmkit/crm/store"

// collectionName is the collection of an object's records; name must have
// passed [store.CheckObjectName].
func collectionName(object string) string { return "r_" + object }

// Record documents: the system fields under short keys, the data under d.
const (
	keyID        = "_id"
	keyVersion   = "v"
	keyCreatedAt = "ca"
	keyUpdatedAt = "ua"
	keyCreatedBy = "cb"
	keyUpdatedBy = "ub"
	keyOwnerID   = "o"
	keyData      = "d"
	// keyNulls lists the top-level data fields whose value is null. They
	// are left out of d: every query treats null and missing alike, and a
	// unique index then ignores them on every server (see indexSpecs).
	keyNulls = "n"
)

// column is a [store.Column] rendered as a document path.
type column struct {
	store.Column
	path string // dotted document path
}

// systemKeys map the system fields to document keys.
var systemKeys = map[string]string{
	"id":        keyID,
	"version":   keyVersion,
	"createdAt": keyCreatedAt,
	"updatedAt": keyUpdatedAt,
	"createdBy": keyCreatedBy,
	"updatedBy": keyUpdatedBy,
	"ownerId":   keyOwnerID,
}

// mongoColumn renders c. The field names of a data path passed
// [store.ResolveColumn]'s pattern, so they need no key escaping (see
// escapeKey) and the stored key is the field name.
func mongoColumn(c store.Column) column {
	if c.System {
		return column{Column: c, path: systemKeys[c.Field]}
	}
	path := keyData + "." + c.Base
	if c.Part != "" {
		path += "." + c.Part
	}
	return column{Column: c, path: path}
}
