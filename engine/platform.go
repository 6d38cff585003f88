package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Platform objects hold the engine's own per-tenant data (stage history,
// and later the outbox and the audit trail) in the tenant's store, through
// the same port as records: they live in the same transactions as the
// records they belong to, in every adapter. Their names start with "crm"
// and an upper-case letter, which administrators may not use; they are
// kept out of the catalog, so no API lists or serves them directly.

// stageChangeObject is the platform object of stage history: one record
// per move of a record along a pipeline.
const stageChangeObject = "crmStageChange"

// platformDefinitions are the definitions of the platform objects. A
// change here is saved as a new version on the next write that needs the
// object; it must keep stored records valid.
var platformDefinitions = map[string]string{
	stageChangeObject: `{
  "$id": "crmStageChange",
  "title": "Stage change",
  "x-crm-label": {"zh": "阶段变更", "en": "Stage change"},
  "type": "object",
  "properties": {
    "object":  {"type": "string", "x-crm-type": "text"},
    "record":  {"type": "string", "x-crm-type": "text"},
    "field":   {"type": "string", "x-crm-type": "text"},
    "from":    {"type": "string", "x-crm-type": "text"},
    "to":      {"type": "string", "x-crm-type": "text"},
    "at":      {"type": "string", "format": "date-time", "x-crm-type": "datetime"},
    "by":      {"type": "string", "x-crm-type": "text"},
    "seconds": {"type": "number", "minimum": 0, "x-crm-type": "number"}
  },
  "required": ["object", "record", "field", "to", "at", "by"],
  "x-crm-indexes": [["record", "field", "at"]]
}`,
}

// isPlatformName reports whether name is reserved for platform objects.
func isPlatformName(name string) bool {
	return len(name) > 3 && name[:3] == "crm" && name[3] >= 'A' && name[3] <= 'Z'
}

// platformObject returns the named platform object of the tenant, saving
// its definition first when the store lacks it or holds an older one.
func (e *Engine) platformObject(ctx context.Context, ts store.TenantStore, snap *snapshot, name string) (*schema.Object, error) {
	def := []byte(platformDefinitions[name])
	if cur := snap.platform[name]; cur != nil && (bytes.Equal(cur.Definition, def) || sameJSON(cur.Definition, def)) {
		return cur, nil
	}
	obj, err := schema.ParseObject(def)
	if err != nil {
		return nil, fmt.Errorf("platform object %s: %w", name, err)
	}
	var version int64 = 1
	if cur := snap.platform[name]; cur != nil {
		version = cur.Version + 1
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.SaveObject(ctx, store.ObjectDoc{Name: name, Version: version, Definition: def, SavedAt: e.stamp(), SavedBy: "system"}, obj)
	})
	if err != nil && !errors.Is(err, store.ErrConflict) { // a conflict: another writer saved it first
		return nil, fmt.Errorf("save platform object %s: %w", name, err)
	}
	obj.Version = version
	return obj, nil
}
