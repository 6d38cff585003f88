package engine

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Platform objects hold the engine's own per-tenant data (stage history,
// the outbox, timers, jobs, the audit trail, users, roles, layouts, views,
// template installs, settings) in the tenant's store, through
// the same port as records: they live in the same transactions as the
// records they belong to, in every adapter. Their names start with "crm"
// and an upper-case letter, which administrators may not use; they are
// kept out of the catalog, so no API lists or serves them directly.

// stageChangeObject is the platform object of stage history: one record
// per move of a record along a pipeline.
const stageChangeObject = "crmStageChange"

// settingObject holds a tenant's settings: its limits, the key check
// and the webhook secret.
const settingObject = "crmSetting"

// platformFiles holds the definition of every platform object, one file
// each, named for the object (platform/crmOutbox.json).
//
//go:embed platform/*.json
var platformFiles embed.FS

// platformDefinitions are the definitions of the platform objects, by
// name. A change to one is saved as a new version when a tenant's
// metadata is next loaded (see upgradePlatform); it must keep stored
// records valid. An object a tenant never had is created by the first
// write that needs it.
var platformDefinitions = readPlatformDefinitions()

func readPlatformDefinitions() map[string]string {
	files, err := fs.Glob(platformFiles, "platform/*.json")
	if err != nil {
		panic(err) // only a malformed pattern fails
	}
	out := make(map[string]string, len(files))
	for _, f := range files {
		b, err := platformFiles.ReadFile(f)
		if err != nil {
			panic(fmt.Sprintf("read embedded %s: %v", f, err))
		}
		out[strings.TrimSuffix(path.Base(f), ".json")] = strings.TrimSpace(string(b))
	}
	return out
}

// platformNoSystemIndexes are the platform objects whose records are
// never listed, sorted or shared by createdAt, updatedAt or ownerId: the
// stores leave those three indexes out ([schema.Object.NoSystemIndexes]).
// The audit trail is read by record, object, actor, action and time
// (its createdAt, in x-crm-indexes) and in id order; its writes are a
// third of a bulk create's store work, and the three indexes a third of
// an entry's (docs/decisions.md, "The audit trail's indexes").
var platformNoSystemIndexes = map[string]bool{auditObject: true}

// PlatformNoSystemIndexes reports whether the engine saves the platform
// object named name without the indexes on createdAt, updatedAt and
// ownerId ([schema.Object.NoSystemIndexes]), for what counts the indexes
// a tenant's objects cost (internal/scaleplan).
func PlatformNoSystemIndexes(name string) bool { return platformNoSystemIndexes[name] }

// parseStored parses an object definition as the engine saves it: a
// platform object with the indexes the engine gives it.
func parseStored(def []byte) (*schema.Object, error) {
	obj, err := schema.ParseObject(def)
	if err != nil {
		return nil, err
	}
	obj.NoSystemIndexes = platformNoSystemIndexes[obj.Name]
	return obj, nil
}

// isPlatformName reports whether name is reserved for platform objects.
func isPlatformName(name string) bool {
	return len(name) > 3 && name[:3] == "crm" && name[3] >= 'A' && name[3] <= 'Z'
}

// upgradePlatform saves the current definition of every platform object
// the tenant holds at another one, each as its next version, so that
// writes find their platform objects up to date. It reports whether it
// saved any (or another process did first).
func (e *Engine) upgradePlatform(ctx context.Context, ts store.TenantStore, snap *snapshot) (bool, error) {
	upgraded := false
	for _, name := range slices.Sorted(maps.Keys(snap.platform)) {
		cur := snap.platform[name]
		def, ok := platformDefinitions[name]
		if !ok || bytes.Equal(cur.Definition, []byte(def)) || sameJSON(cur.Definition, []byte(def)) {
			continue
		}
		if _, err := e.savePlatform(ctx, ts, name, cur.Version+1); err != nil {
			return upgraded, err
		}
		upgraded = true
	}
	return upgraded, nil
}

// savePlatform saves the definition of a platform object as the given
// version and returns it; a conflict means another writer saved it first.
func (e *Engine) savePlatform(ctx context.Context, ts store.TenantStore, name string, version int64) (*schema.Object, error) {
	def := []byte(platformDefinitions[name])
	obj, err := parseStored(def)
	if err != nil {
		return nil, fmt.Errorf("platform object %s: %w", name, err)
	}
	err = ts.WithTx(ctx, func(tx store.Tx) error {
		return tx.SaveObject(ctx, store.ObjectDoc{Name: name, Version: version, Definition: def, SavedAt: e.stamp(), SavedBy: "system"}, obj)
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return nil, fmt.Errorf("save platform object %s: %w", name, err)
	}
	obj.Version = version
	return obj, nil
}

// platformObject returns the named platform object of the tenant, saving
// its definition first when the tenant never had it (or, for a snapshot
// taken before an upgrade, holds an older one).
func (e *Engine) platformObject(ctx context.Context, ts store.TenantStore, snap *snapshot, name string) (*schema.Object, error) {
	def := []byte(platformDefinitions[name])
	if cur := snap.platform[name]; cur != nil && (bytes.Equal(cur.Definition, def) || sameJSON(cur.Definition, def)) {
		return cur, nil
	}
	var version int64 = 1
	if cur := snap.platform[name]; cur != nil {
		version = cur.Version + 1
	}
	return e.savePlatform(ctx, ts, name, version)
}
