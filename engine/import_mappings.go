package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/crmkit/crm/engine/importvalue"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Saved import mappings: which column of a file (by its header) goes to
// which field, with the mode and keys, kept under a name so that the
// next file of the same shape is mapped at once ("每月会员表"). Like
// saved views they are personal, or shared by administrators, and kept
// as platform records (crmImportMapping). A mapping is checked against
// the object when it is saved and again when it is read or used: one
// that names a field the object no longer has (or the caller may not
// write) says so, and is refused rather than applied without it.

const importMappingObject = "crmImportMapping"

var importMappingDefinitions = definitionKind{object: importMappingObject, name: "importMapping", action: AuditMetadata}

// maxImportMappings bounds the mappings one principal sees of an object.
const maxImportMappings = 500

// ImportMapping is a saved mapping of a file's columns to an object's
// fields.
type ImportMapping struct {
	// ID is given by SaveImportMapping: the object, the name and the owner.
	ID     string `json:"id"`
	Object string `json:"object"`
	Name   string `json:"name"`
	// Columns maps a header to its target ("name", "address.city", "id";
	// "" leaves the column out). Columns of a file it does not name are
	// left out.
	Columns  map[string]string `json:"columns"`
	Mode     BulkAction        `json:"mode"`
	MatchBy  string            `json:"matchBy,omitempty"`
	LookupBy map[string]string `json:"lookupBy,omitempty"`
	// Owner is "" for a shared mapping, else its principal.
	Owner string `json:"owner,omitempty"`
	// Stale are the targets and keys of the mapping that no longer fit
	// the object (a field it lost, or the caller may not import); filled
	// when mappings are read.
	Stale []string `json:"stale,omitempty"`
}

func importMappingID(object, name, owner string) string {
	id := object + "." + name
	if owner != "" {
		id += "@" + owner
	}
	return id
}

// staleTargets checks m against obj and the actor's rights: the
// targets and keys that do not fit.
func staleTargets(w *writer, obj *schema.Object, m ImportMapping) []string {
	var problems []string
	rules := w.snap.readRules(w.actor, obj)
	stale := func(name string) { problems = append(problems, name) }
	headers := make([]string, 0, len(m.Columns))
	for h := range m.Columns {
		headers = append(headers, h)
	}
	slices.Sort(headers)
	for _, h := range headers {
		target := m.Columns[h]
		field, part, _ := strings.Cut(target, ".")
		if field == "" || (field == ImportIDColumn && part == "") {
			continue
		}
		f := obj.Field(field)
		if f == nil || f.Hidden || f.ReadOnly() || rules.Hides(field) ||
			(part != "" && (f.Kind() != schema.KindAddress || !slices.Contains(schema.AddressParts, part))) {
			stale(target)
		}
	}
	if m.MatchBy != "" && obj.Field(m.MatchBy) == nil {
		stale(m.MatchBy)
	}
	for field := range m.LookupBy {
		if f := obj.Field(field); f == nil || (f.Kind() != schema.KindLookup && f.Kind() != schema.KindLookupList) {
			stale(field)
		}
	}
	return problems
}

// SaveImportMapping saves a mapping of the caller's, or with shared one
// for everyone who imports into the object (administrators only), and
// returns it with its id. A mapping whose targets the object lacks, or
// whose mode is not create, update or upsert, is refused.
func (e *Engine) SaveImportMapping(ctx context.Context, m ImportMapping, shared bool) (ImportMapping, error) {
	w, obj, err := e.recordWriter(ctx, m.Object)
	if err != nil {
		return ImportMapping{}, err
	}
	m.Object, m.Stale = obj.Name, nil
	if m.Name = strings.TrimSpace(m.Name); m.Name == "" || utf8.RuneCountInString(m.Name) > 100 || strings.ContainsAny(m.Name, "@\x00") {
		return ImportMapping{}, errorOf(ErrBadRequest, nil, "import.mappingName")
	}
	switch m.Mode {
	case "":
		m.Mode = BulkCreate
	case BulkCreate, BulkUpdate, BulkUpsert:
	default:
		return ImportMapping{}, errorOf(ErrBadRequest, nil, "import.badMode", string(m.Mode))
	}
	if m.Owner, err = definitionOwner(w.actor, shared, "import.adminOnlyShared"); err != nil {
		return ImportMapping{}, err
	}
	if stale := staleTargets(w, obj, m); len(stale) > 0 {
		return ImportMapping{}, errorOf(ErrBadRequest, nil, "import.staleMapping", strings.Join(stale, ", "), obj.Name)
	}
	m.ID = importMappingID(obj.Name, m.Name, m.Owner)
	extra := map[string]any{"object": obj.Name, "name": m.Name}
	if m.Owner != "" {
		extra["owner"] = m.Owner
	}
	if err := e.putDefinition(ctx, w.ts, w.snap, w.actor, importMappingDefinitions, m.ID, m.Owner, jsonMap(m), extra); err != nil {
		return ImportMapping{}, err
	}
	return m, nil
}

// ImportMappings lists the mappings of object the caller has: shared
// ones, then its own, each by name, with what no longer fits the object
// in Stale.
func (e *Engine) ImportMappings(ctx context.Context, object string) ([]ImportMapping, error) {
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return nil, err
	}
	out := []ImportMapping{}
	mappings := w.snap.platform[importMappingObject]
	if mappings == nil {
		return out, nil
	}
	f := store.Filter{And: []store.Filter{store.Leaf("object", store.OpEq, obj.Name), store.Leaf("ownerId", store.OpIn, []any{"", w.actor.ID})}}
	page, err := w.ts.Find(ctx, mappings, store.Query{Filter: &f, Sort: []store.Sort{{Field: "name"}}, Limit: maxImportMappings})
	if err != nil {
		return nil, fmt.Errorf("read import mappings of %s: %w", obj.Name, err)
	}
	for _, rec := range page.Records {
		m, err := importMappingOf(rec)
		if err != nil {
			return nil, err
		}
		m.Stale = staleTargets(w, obj, m)
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(x, y ImportMapping) int { return sharedFirst(x.Owner, x.Name, y.Owner, y.Name) })
	return out, nil
}

func importMappingOf(rec store.Record) (ImportMapping, error) {
	var m ImportMapping
	b, _ := json.Marshal(rec.Data["definition"])
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("stored import mapping %q: %w", rec.ID, err)
	}
	m.ID = rec.ID
	return m, nil
}

// importMapping reads a mapping the actor may use: its own or a shared
// one (an administrator: any).
func (e *Engine) importMapping(ctx context.Context, w *writer, id string) (ImportMapping, error) {
	notFound := errorOf(ErrNotFound, nil, "import.noMapping", id)
	mappings := w.snap.platform[importMappingObject]
	if mappings == nil {
		return ImportMapping{}, notFound
	}
	rec, err := w.ts.Get(ctx, mappings, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ImportMapping{}, notFound
	case err != nil:
		return ImportMapping{}, fmt.Errorf("read import mapping %q: %w", id, err)
	}
	m, err := importMappingOf(rec)
	if err != nil {
		return ImportMapping{}, err
	}
	if m.Owner != "" && m.Owner != w.actor.ID && !w.actor.Admin {
		return ImportMapping{}, notFound
	}
	return m, nil
}

// ImportMappingSpec is how a saved mapping imports a file with header
// into object: each column by its header (those it does not name left
// out), its mode and keys. A mapping that no longer fits the object is
// refused, naming what does not.
func (e *Engine) ImportMappingSpec(ctx context.Context, id, object string, header []string) (ImportSpec, error) {
	w, obj, err := e.recordWriter(ctx, object)
	if err != nil {
		return ImportSpec{}, err
	}
	m, err := e.importMapping(ctx, w, id)
	if err != nil {
		return ImportSpec{}, err
	}
	if m.Object != obj.Name {
		return ImportSpec{}, errorOf(ErrNotFound, nil, "import.noMapping", id)
	}
	if stale := staleTargets(w, obj, m); len(stale) > 0 {
		return ImportSpec{}, errorOf(ErrBadRequest, nil, "import.staleMapping", strings.Join(stale, ", "), obj.Name)
	}
	spec := ImportSpec{Columns: make([]importvalue.Column, len(header)), Mode: m.Mode, MatchBy: m.MatchBy, LookupBy: m.LookupBy}
	for i, h := range header {
		field, part, _ := strings.Cut(m.Columns[h], ".")
		spec.Columns[i] = importvalue.Column{Field: field, Part: part}
	}
	return spec, nil
}

// DeleteImportMapping deletes one of the caller's mappings, or a shared
// one (administrators only); others are NOT_FOUND.
func (e *Engine) DeleteImportMapping(ctx context.Context, id string) error {
	sc, err := e.scope(ctx)
	if err != nil {
		return err
	}
	notFound := errorOf(ErrNotFound, nil, "import.noMapping", id)
	mappings := sc.snap.platform[importMappingObject]
	if mappings == nil {
		return notFound
	}
	rec, err := sc.ts.Get(ctx, mappings, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound
	case err != nil:
		return fmt.Errorf("read import mapping %q: %w", id, err)
	}
	if owner, _ := rec.Data["owner"].(string); owner != sc.actor.ID && !(owner == "" && sc.actor.Admin) {
		return notFound
	}
	found, err := e.deleteDefinition(ctx, sc.ts, sc.snap, sc.actor, importMappingDefinitions, id)
	if err == nil && !found {
		return notFound
	}
	return err
}
