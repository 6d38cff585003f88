package store

import "time"

// Record is one stored record of an object. Data holds the user-defined
// fields as decoded JSON (string, float64, bool, []any, map[string]any);
// the remaining fields are maintained by the engine.
type Record struct {
	ID        string    `json:"id"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	CreatedBy string    `json:"createdBy"`
	UpdatedBy string    `json:"updatedBy"`
	// OwnerID is the principal that owns the record ("user:li.lei"), the
	// subject of record-level sharing. Adapters index it. Records stored
	// before owners existed got their creator as owner.
	OwnerID string         `json:"ownerId"`
	Data    map[string]any `json:"data"`
}

// SystemFields are the names that every record has besides its data, in the
// order the API shows them. Object definitions may not use them.
var SystemFields = []string{"id", "version", "createdAt", "updatedAt", "createdBy", "updatedBy", "ownerId"}

// IsSystemField reports whether name is one of [SystemFields].
func IsSystemField(name string) bool {
	for _, f := range SystemFields {
		if f == name {
			return true
		}
	}
	return false
}

// Value returns a field of the record, system fields included; a dotted
// path reads into nested objects. The second result is false when the field
// is missing.
func (r *Record) Value(field string) (any, bool) {
	switch field {
	case "id":
		return r.ID, true
	case "version":
		return r.Version, true
	case "createdAt":
		return r.CreatedAt, true
	case "updatedAt":
		return r.UpdatedAt, true
	case "createdBy":
		return r.CreatedBy, true
	case "updatedBy":
		return r.UpdatedBy, true
	case "ownerId":
		return r.OwnerID, true
	}
	var cur any = r.Data
	for _, part := range splitPath(field) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[part]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

func splitPath(p string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '.' {
			parts = append(parts, p[start:i])
			start = i + 1
		}
	}
	return append(parts, p[start:])
}
