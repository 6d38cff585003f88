package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm/engine/access"
	"github.com/crmkit/crm/engine/identity"
	"github.com/crmkit/crm/engine/password"
	"github.com/crmkit/crm/engine/seal"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Tenant export format: JSON lines. The first line is a header, then every
// stored version of every live object definition (oldest first), the
// counters, the records of each object, and a trailer with the counts, so
// that a truncated file is refused on import.
const (
	exportFormat        = "crm-tenant-export"
	exportFormatVersion = 1
	exportPageSize      = 1000
	// maxExportLine bounds one line on import (a record or a definition).
	maxExportLine = 16 << 20
)

type exportLine struct {
	Type string `json:"type"`

	// header
	Format        string        `json:"format,omitempty"`
	FormatVersion int           `json:"formatVersion,omitempty"`
	Tenant        *store.Tenant `json:"tenant,omitempty"`
	ExportedAt    string        `json:"exportedAt,omitempty"`
	// KeyCheck is the tenant's key check value, encrypted under the key of
	// its sensitive fields: an import opens it before it writes anything.
	KeyCheck string `json:"keyCheck,omitempty"`
	// WithoutSecrets says the export left out password hashes and the
	// webhook secret.
	WithoutSecrets bool `json:"withoutSecrets,omitempty"`

	// object (Name, Version, Definition, SavedAt, SavedBy, Deleted), sequence
	// (Name, Value)
	Name       string          `json:"name,omitempty"`
	Version    int64           `json:"version,omitempty"`
	Definition json.RawMessage `json:"definition,omitempty"`
	SavedAt    string          `json:"savedAt,omitempty"`
	SavedBy    string          `json:"savedBy,omitempty"`
	Deleted    bool            `json:"deleted,omitempty"`
	Value      int64           `json:"value,omitempty"`

	// record
	Object    string `json:"object,omitempty"`
	ID        string `json:"id,omitempty"`
	CreatedAt string `json:"createdAt,omitempty"`
	UpdatedAt string `json:"updatedAt,omitempty"`
	CreatedBy string `json:"createdBy,omitempty"`
	UpdatedBy string `json:"updatedBy,omitempty"`
	// OwnerID is the record's owner, "" for none; nil in exports made
	// before owners were exported, whose records get their creator.
	OwnerID *string        `json:"ownerId,omitempty"`
	Data    map[string]any `json:"data,omitempty"`

	// trailer
	Objects int64 `json:"objects,omitempty"`
	Records int64 `json:"records,omitempty"`
	// Blobs counts the files' blobs (attachment_transfer.go).
	Blobs int64 `json:"blobs,omitempty"`

	// blob (Name: its key, Size) and its chunks (Bytes)
	Size  int64  `json:"size,omitempty"`
	Bytes []byte `json:"bytes,omitempty"`
}

// TransferStats counts what an export or import moved.
type TransferStats struct {
	Objects  int64 // object definition versions
	Records  int64
	Counters int64
	// Administrators are the users with the admin role an import added:
	// the people who can sign in and change everything in the tenant.
	Administrators []string
	// WithoutPassword counts the imported users who must be given a
	// password (an export made without secrets).
	WithoutPassword int
}

// ExportOptions change what an export holds.
type ExportOptions struct {
	// WithoutSecrets leaves out users' password hashes (they need new
	// passwords after an import: crm user set --password), the webhook
	// signing secret (a new one is made on first use) and the notification
	// channels' robot addresses, signing secrets and SMTP passwords (the
	// channels come switched off).
	WithoutSecrets bool
}

// ExportTenant writes everything the tenant has (object definitions with
// their history, counters, records, and the engine's own data such as stage
// history, users and the audit trail) to w as JSON lines. Sessions are left
// out, and with opts WithoutSecrets password hashes and the webhook secret
// too. Sensitive fields stay encrypted under the server's key, which an
// import needs. It reads a consistent page at a time; run it while nobody
// writes for an exact copy.
func (e *Engine) ExportTenant(ctx context.Context, tenantID string, w io.Writer, options ...ExportOptions) (TransferStats, error) {
	var stats TransferStats
	var opts ExportOptions
	if len(options) > 0 {
		opts = options[0]
	}
	t, err := e.store.GetTenant(ctx, tenantID)
	if err != nil {
		return stats, tenantFailed(tenantID, err)
	}
	ts, err := e.store.Tenant(ctx, tenantID)
	if err != nil {
		return stats, tenantFailed(tenantID, err)
	}
	seqs, ok := ts.(store.SequenceReader)
	if !ok {
		return stats, fmt.Errorf("export tenant %q: this store cannot list its counters", tenantID)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	write := func(l exportLine) error {
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("export tenant %q: %w", tenantID, err)
		}
		return nil
	}
	docs, err := ts.Objects(ctx)
	if err != nil {
		return stats, fmt.Errorf("export tenant %q: list objects: %w", tenantID, err)
	}
	keyCheck, err := storedKeyCheck(ctx, ts, docs)
	if err != nil {
		return stats, fmt.Errorf("export tenant %q: %w", tenantID, err)
	}
	if err := write(exportLine{Type: "header", Format: exportFormat, FormatVersion: exportFormatVersion, Tenant: &t,
		ExportedAt: e.stamp().Format(schema.DateTimeLayout), KeyCheck: keyCheck, WithoutSecrets: opts.WithoutSecrets}); err != nil {
		return stats, err
	}
	objects := make([]*schema.Object, 0, len(docs))
	for _, d := range docs {
		history, err := ts.ObjectHistory(ctx, d.Name)
		if err != nil {
			return stats, fmt.Errorf("export tenant %q: history of %s: %w", tenantID, d.Name, err)
		}
		for _, h := range history {
			if err := write(exportLine{Type: "object", Name: h.Name, Version: h.Version, Definition: h.Definition,
				SavedAt: h.SavedAt.UTC().Format(schema.DateTimeLayout), SavedBy: h.SavedBy, Deleted: h.Deleted}); err != nil {
				return stats, err
			}
			stats.Objects++
		}
		obj, err := schema.ParseObject(d.Definition)
		if err != nil {
			return stats, fmt.Errorf("export tenant %q: parse %s: %w", tenantID, d.Name, err)
		}
		objects = append(objects, obj)
	}
	counters, err := seqs.Sequences(ctx)
	if err != nil {
		return stats, fmt.Errorf("export tenant %q: %w", tenantID, err)
	}
	for _, name := range slices.Sorted(maps.Keys(counters)) {
		if err := write(exportLine{Type: "sequence", Name: name, Value: counters[name]}); err != nil {
			return stats, err
		}
		stats.Counters++
	}
	blobKeys := map[string]bool{} // the blobs the attachments name
	for _, obj := range objects {
		if obj.Name == sessionObject {
			continue // sign-ins belong to the server they were made on
		}
		q := store.Query{Sort: []store.Sort{{Field: "id"}}, Limit: exportPageSize}
		for {
			page, err := ts.Find(ctx, obj, q)
			if err != nil {
				return stats, fmt.Errorf("export tenant %q: read %s records: %w", tenantID, obj.Name, err)
			}
			for _, r := range page.Records {
				data := r.Data
				if opts.WithoutSecrets {
					if obj.Name == settingObject && r.ID == webhookSecretID {
						continue
					}
					if obj.Name == userObject {
						data = maps.Clone(data)
						delete(data, "passwordHash")
					}
					if obj.Name == channelObject {
						data = withoutChannelSecrets(data)
					}
					if obj.Name == signOnObject {
						data = withoutSignOnSecret(data)
					}
				}
				if obj.Name == attachmentObject {
					blobKeys[attachmentOf(r).blob] = true
				}
				if err := write(exportLine{Type: "record", Object: obj.Name, ID: r.ID, Version: r.Version,
					CreatedAt: r.CreatedAt.UTC().Format(schema.DateTimeLayout), UpdatedAt: r.UpdatedAt.UTC().Format(schema.DateTimeLayout),
					CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy, OwnerID: &r.OwnerID, Data: data}); err != nil {
					return stats, err
				}
				stats.Records++
			}
			if !page.HasMore || len(page.Records) == 0 {
				break
			}
			last := page.Records[len(page.Records)-1]
			q.After = &store.Position{Values: []any{last.ID}, ID: last.ID}
		}
	}
	blobCount, err := exportBlobs(ctx, ts, blobKeys, write)
	if err != nil {
		return stats, fmt.Errorf("export tenant %q: %w", tenantID, err)
	}
	if err := write(exportLine{Type: "end", Objects: stats.Objects, Records: stats.Records, Blobs: blobCount}); err != nil {
		return stats, err
	}
	if err := bw.Flush(); err != nil {
		return stats, fmt.Errorf("export tenant %q: %w", tenantID, err)
	}
	return stats, nil
}

// ImportTenant loads an export into the tenant tenantID, creating it when
// it does not exist; an existing tenant must have no objects. The file is
// untrusted input, checked like any write: every record against its
// definition, lookups against the records the file holds, counters against
// the autonumbers the records hold, users, roles, saved views and layouts
// as their administration checks them. Records keep their owners.
// Sensitive values are opened with this server's key and sealed again for
// tenantID, so an export moves under another tenant id; an export whose key is not this server's is refused
// before anything is written. Everything is written in one transaction: a
// bad line (named by its number) or a truncated file leaves nothing, not
// even the tenant the import created. Sessions in older exports are
// skipped.
func (e *Engine) ImportTenant(ctx context.Context, tenantID string, r io.Reader) (TransferStats, error) {
	var stats TransferStats
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxExportLine)
	lineNo := 0
	next := func() (exportLine, bool, error) {
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return exportLine{}, false, importError(lineNo+1, "%v", err)
			}
			return exportLine{}, false, nil
		}
		lineNo++
		var l exportLine
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&l); err != nil {
			return exportLine{}, false, importError(lineNo, "not a JSON object: %v", err)
		}
		return l, true, nil
	}
	header, ok, err := next()
	switch {
	case err != nil:
		return stats, err
	case !ok:
		return stats, importError(1, "the file is empty")
	case header.Type != "header" || header.Format != exportFormat:
		return stats, importError(1, "not a tenant export (the first line must be its header)")
	case header.FormatVersion != exportFormatVersion:
		return stats, importError(1, "export format version %d is not supported (this server reads version %d)", header.FormatVersion, exportFormatVersion)
	}
	im := &importer{e: e, source: tenantID, target: tenantID, objects: map[string]*schema.Object{}, validators: map[string]*schema.Validator{},
		ids: map[string]map[string]bool{}, counters: map[string]int64{}, numbers: map[string]autoNumberMax{}, users: map[string]User{}, roles: map[string]Role{}}
	if header.Tenant != nil && header.Tenant.ID != "" {
		im.source = header.Tenant.ID
	}
	if err := e.checkExportKey(im.source, header.KeyCheck); err != nil {
		return stats, err
	}

	created := false
	if _, err := e.store.GetTenant(ctx, tenantID); errors.Is(err, store.ErrNotFound) {
		name := tenantID
		if header.Tenant != nil && header.Tenant.Name != "" && header.Tenant.ID != header.Tenant.Name {
			name = header.Tenant.Name
		}
		if _, err := e.CreateTenant(ctx, tenantID, name); err != nil {
			return stats, err
		}
		created = true
	} else if err != nil {
		return stats, tenantFailed(tenantID, err)
	}
	ts, err := e.store.Tenant(ctx, tenantID)
	if err != nil {
		return stats, tenantFailed(tenantID, err)
	}
	if docs, err := ts.Objects(ctx); err != nil {
		return stats, fmt.Errorf("import tenant %q: %w", tenantID, err)
	} else if len(docs) > 0 {
		return stats, errorOf(ErrConflict, nil, "transfer.tenantNotEmpty", tenantID, len(docs))
	}

	blobs, _ := blobStore(ts) // nil: a store without blobs takes no file with files
	err = ts.WithTx(ctx, func(raw store.Tx) error {
		setter, ok := raw.(store.SequenceSetter)
		if !ok {
			return fmt.Errorf("this store cannot set counters")
		}
		tx := seal.NewTx(raw, e.sealing(tenantID))
		blobCount := int64(0)
		for {
			l, ok, err := next()
			if err != nil {
				return err
			}
			if !ok {
				return importError(lineNo, "the file ends without its trailer: it is truncated")
			}
			if l.Type != "chunk" && im.blob != nil {
				if err := im.endBlob(ctx, blobs); err != nil {
					return importError(lineNo-1, "%v", err)
				}
				blobCount++
			}
			switch l.Type {
			case "blob":
				if err := im.startBlob(l); err != nil {
					return importError(lineNo, "%v", err)
				}
			case "chunk":
				if err := im.chunk(l); err != nil {
					return importError(lineNo, "%v", err)
				}
			case "object":
				if err := im.object(ctx, raw, l); err != nil {
					return importError(lineNo, "%v", err)
				}
				stats.Objects++
			case "sequence":
				if l.Name == "" || l.Value < 0 {
					return importError(lineNo, "a counter needs a name and a value of at least 0")
				}
				if err := setter.SetSequence(ctx, l.Name, l.Value); err != nil {
					return err
				}
				im.counters[l.Name] = l.Value
				stats.Counters++
			case "record":
				if err := im.record(ctx, tx, l, lineNo); err != nil {
					return importError(lineNo, "%v", err)
				}
				if l.Object == attachmentObject {
					if err := im.noteAttachment(l.Data); err != nil {
						return importError(lineNo, "%v", err)
					}
				}
				stats.Records++
			case "end":
				if l.Objects != stats.Objects || l.Records != stats.Records || l.Blobs != blobCount {
					return importError(lineNo, "the trailer counts %d definitions, %d records and %d files, the file holds %d, %d and %d",
						l.Objects, l.Records, l.Blobs, stats.Objects, stats.Records, blobCount)
				}
				if err := im.checkFiles(); err != nil {
					return importError(lineNo, "%v", err)
				}
				if _, more, _ := next(); more {
					return importError(lineNo+1, "lines after the trailer")
				}
				return im.finish(&stats)
			default:
				return importError(lineNo, "unknown line type %q", l.Type)
			}
		}
	})
	e.metaChanged(tenantID) // the import wrote definitions past seal.Store
	if err != nil {
		if blobs != nil {
			im.dropImportedBlobs(ctx, blobs)
		}
		if created {
			if derr := e.store.DeleteTenant(context.WithoutCancel(ctx), tenantID); derr != nil {
				err = errors.Join(err, fmt.Errorf("remove the tenant the import created: %w", derr))
			}
		}
		return TransferStats{}, fmt.Errorf("import tenant %q: %w", tenantID, err)
	}
	e.log.InfoContext(ctx, "tenant imported", "tenant", tenantID, "from", im.source, "objects", stats.Objects, "records", stats.Records,
		"administrators", stats.Administrators)
	return stats, nil
}

// checkExportKey refuses an export whose sensitive fields this server
// cannot open, before anything is written.
func (e *Engine) checkExportKey(source, keyCheck string) error {
	if keyCheck == "" {
		return nil
	}
	if e.sealer == nil {
		return errorOf(ErrNoKey, nil, "transfer.noKeyForSensitive")
	}
	if _, err := e.sealer.Open(seal.AAD(source, settingObject, "value", keyCheckID), keyCheck); err != nil {
		return errorOf(ErrWrongKey, err, "transfer.otherKey")
	}
	return nil
}

// storedKeyCheck returns the tenant's key check value, "" when it has
// none.
func storedKeyCheck(ctx context.Context, r store.Reader, docs []store.ObjectDoc) (string, error) {
	for _, d := range docs {
		if d.Name != settingObject {
			continue
		}
		obj, err := schema.ParseObject(d.Definition)
		if err != nil {
			return "", err
		}
		rec, err := r.Get(ctx, obj, keyCheckID)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil
		} else if err != nil {
			return "", err
		}
		v, _ := rec.Data["value"].(string)
		return v, nil
	}
	return "", nil
}

// importer checks the lines of one import.
type importer struct {
	e              *Engine
	source, target string // the tenant the export was made of, and the one it goes to
	objects        map[string]*schema.Object
	validators     map[string]*schema.Validator
	// ids holds the record ids of each object; refs the lookups to check
	// against them once every record is read.
	ids  map[string]map[string]bool
	refs []importRef
	// counters are the file's counters; numbers the highest autonumber of
	// each field.
	counters map[string]int64
	numbers  map[string]autoNumberMax
	users    map[string]User
	hashless int
	roles    map[string]Role
	userLine map[string]int
	// files are the blobs the file's attachments name; blob the one being
	// read; putBlobs those stored (attachment_transfer.go).
	files    map[string]*importedFile
	blob     *blobImport
	putBlobs []string
}

type importRef struct {
	line              int
	object, id, field string
	target, targetID  string
}

type autoNumberMax struct {
	value int64
	line  int
	text  string
}

func (im *importer) object(ctx context.Context, tx store.Tx, l exportLine) error {
	obj, err := parseStored(l.Definition)
	if err != nil {
		return fmt.Errorf("definition of %q version %d: %w", l.Name, l.Version, err)
	}
	if obj.Name != l.Name {
		return fmt.Errorf("definition of %q has $id %q", l.Name, obj.Name)
	}
	at, err := time.Parse(schema.DateTimeLayout, l.SavedAt)
	if err != nil {
		return fmt.Errorf("definition of %q version %d: savedAt %q is not a timestamp", l.Name, l.Version, l.SavedAt)
	}
	doc := store.ObjectDoc{Name: l.Name, Version: l.Version, Definition: l.Definition, SavedAt: at, SavedBy: l.SavedBy, Deleted: l.Deleted}
	if l.Deleted {
		delete(im.objects, l.Name)
		return tx.DeleteObject(ctx, doc)
	}
	if seal.HasSensitive(obj) && im.e.sealer == nil {
		return noKey(obj)
	}
	if err := tx.SaveObject(ctx, doc, obj); err != nil {
		return fmt.Errorf("definition of %q version %d: %w", l.Name, l.Version, err)
	}
	obj.Version = l.Version
	im.objects[l.Name] = obj
	if !isPlatformName(l.Name) {
		v, err := schema.NewValidator(obj)
		if err != nil {
			return fmt.Errorf("definition of %q version %d: %w", l.Name, l.Version, err)
		}
		im.validators[l.Name] = v
	}
	return nil
}

func (im *importer) record(ctx context.Context, tx store.Tx, l exportLine, line int) error {
	obj := im.objects[l.Object]
	if obj == nil {
		return fmt.Errorf("record %q of object %q, which the file has not defined before", l.ID, l.Object)
	}
	if l.ID == "" || l.Version < 1 {
		return fmt.Errorf("%s record needs an id and a version of at least 1", l.Object)
	}
	if obj.Name == sessionObject {
		return nil // sessions stay with the server that made them
	}
	created, err1 := time.Parse(schema.DateTimeLayout, l.CreatedAt)
	updated, err2 := time.Parse(schema.DateTimeLayout, l.UpdatedAt)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("%s record %q: bad timestamps: %w", l.Object, l.ID, err)
	}
	data, err := im.open(obj, l.ID, plainNumbers(l.Data))
	if err != nil {
		return err
	}
	if v := im.validators[l.Object]; v != nil {
		if err := v.Validate(data); err != nil {
			return fmt.Errorf("%s record %q: %w", l.Object, l.ID, err)
		}
	}
	// Exports made before owners were exported: records are owned by their
	// creator, as the stores made them when owners came; the engine's own
	// records by nobody, but views by the principal they name.
	owner := l.CreatedBy
	if isPlatformName(obj.Name) {
		owner = ""
	}
	if obj.Name == viewObject || obj.Name == reportObject || obj.Name == dashboardObject {
		owner = viewOwner(data)
	}
	if l.OwnerID != nil {
		owner = *l.OwnerID
	}
	if err := im.platformRecord(ctx, tx, obj, l.ID, data, owner, line); err != nil {
		return err
	}
	if im.ids[obj.Name] == nil {
		im.ids[obj.Name] = map[string]bool{}
	}
	im.ids[obj.Name][l.ID] = true
	for _, f := range obj.Fields {
		switch {
		case f.Kind() == schema.KindLookup || f.Kind() == schema.KindLookupList:
			for _, id := range lookupIDs(data[f.Name]) {
				im.refs = append(im.refs, importRef{line: line, object: obj.Name, id: l.ID, field: f.Name, target: f.Target, targetID: id})
			}
		case f.Type == schema.TypeAutoNumber:
			if s, ok := data[f.Name].(string); ok {
				if n, ok := autoNumberValue(f.AutoNumber, s); ok {
					key := "autonumber:" + obj.Name + "." + f.Name
					if n > im.numbers[key].value {
						im.numbers[key] = autoNumberMax{value: n, line: line, text: s}
					}
				}
			}
		}
	}
	rec := store.Record{ID: l.ID, Version: l.Version, CreatedAt: created, UpdatedAt: updated, CreatedBy: l.CreatedBy, UpdatedBy: l.UpdatedBy, OwnerID: owner, Data: data}
	if err := tx.Insert(ctx, obj, rec); err != nil {
		return fmt.Errorf("%s record %q: %w", l.Object, l.ID, err)
	}
	return nil
}

// open decrypts the sensitive values of a record of the source tenant, so
// that the import seals them again for the target (their additional data
// names the tenant), and drops the hashes sealing recomputes. The key
// check value is sealed again here, as it is no sensitive field.
func (im *importer) open(obj *schema.Object, id string, data map[string]any) (map[string]any, error) {
	if obj.Name == settingObject && id == keyCheckID {
		text, _ := data["value"].(string)
		if im.e.sealer == nil {
			return nil, errorOf(ErrNoKey, nil, "transfer.noKeyForKeyCheck")
		}
		v, err := im.e.sealer.Open(seal.AAD(im.source, settingObject, "value", keyCheckID), text)
		if err != nil {
			return nil, fmt.Errorf("the key check does not open with this server's key: %w", ErrWrongKey)
		}
		sealed, err := im.e.sealer.Seal(seal.AAD(im.target, settingObject, "value", keyCheckID), v)
		if err != nil {
			return nil, err
		}
		return map[string]any{"value": sealed}, nil
	}
	if obj.Name == recycleObject {
		return im.e.resealBinEntry(im.source, im.target, id, data)
	}
	cfg := seal.Config{Sealer: im.e.sealer, Tenant: im.source, Refuse: func(ke *seal.KeyError) error {
		if ke.Err == seal.ErrNoKey {
			return noKey(obj)
		}
		return fmt.Errorf("%s record %q: %s.%s does not open with this server's key (or was not made for tenant %q): %w", obj.Name, id, obj.Name, ke.Field, im.source, ErrWrongKey)
	}}
	rec, err := seal.OpenRecord(cfg, obj, store.Record{ID: id, Data: data})
	if err != nil {
		return nil, err
	}
	return rec.Data, nil
}

// platformRecord checks the engine's own records that its administration
// would check: users (name, role, manager, password hash), roles, saved
// views, layouts, reports and dashboards. owner is the owner the line
// gives the record.
func (im *importer) platformRecord(ctx context.Context, tx store.Tx, obj *schema.Object, id string, data map[string]any, owner string, line int) error {
	switch obj.Name {
	case viewObject:
		return im.view(ctx, tx, id, data, owner)
	case layoutObject:
		return im.layout(id, data)
	case reportObject:
		return im.report(id, data, owner)
	case dashboardObject:
		return im.dashboard(id, data, owner)
	case userObject:
		if !identity.ValidUsername(id) {
			return fmt.Errorf("user %q: user names are 2–63 lower-case letters, digits, '.', '_' or '-'", id)
		}
		if hash, ok := data["passwordHash"].(string); ok {
			if !password.Valid(hash) {
				return fmt.Errorf("user %q: the password hash is not one this server makes (argon2id)", id)
			}
		} else {
			im.hashless++
		}
		if _, ok := data["active"].(bool); !ok {
			return fmt.Errorf("user %q: active must be true or false", id)
		}
		im.users[id] = userOf(store.Record{ID: id, Data: data})
		if im.userLine == nil {
			im.userLine = map[string]int{}
		}
		im.userLine[id] = line
	case roleObject:
		b, err := json.Marshal(data["definition"])
		if err != nil {
			return err
		}
		var role Role
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&role); err != nil {
			return fmt.Errorf("role %q: %w", id, err)
		}
		if role.Name != id {
			return fmt.Errorf("role %q is named %q inside", id, role.Name)
		}
		if err := access.Check(role, func(name string) *schema.Object { return im.objects[name] }); err != nil {
			return err
		}
		im.roles[id] = role
	}
	return nil
}

// view checks a saved view as SaveView would: a well-formed definition
// of an object the file defines, named by its id, with columns, filter and
// order that the object has and that run.
func (im *importer) view(ctx context.Context, tx store.Tx, id string, data map[string]any, owner string) error {
	var v View
	if err := strictDefinition(data["definition"], &v); err != nil {
		return fmt.Errorf("view %q: %w", id, err)
	}
	obj := im.objects[v.Object]
	if obj == nil || isPlatformName(v.Object) {
		return fmt.Errorf("view %q is a view of %q, an object the file does not define", id, v.Object)
	}
	if want := viewID(v.Object, v.Name, v.Owner); id != want {
		return fmt.Errorf("view %q is named %q of %q inside (its id would be %q)", id, v.Name, v.Object, want)
	}
	if o, _ := data["object"].(string); o != v.Object {
		return fmt.Errorf("view %q: its object is %q, its definition says %q", id, o, v.Object)
	}
	if n, _ := data["name"].(string); n != v.Name {
		return fmt.Errorf("view %q: its name is %q, its definition says %q", id, n, v.Name)
	}
	if owner != v.Owner {
		return fmt.Errorf("view %q: its owner is %q, its definition says %q", id, owner, v.Owner)
	}
	if err := checkView(&v, obj); err != nil {
		return fmt.Errorf("view %q: %w", id, err)
	}
	if err := checkFilterSize(v.Filter); err != nil {
		return fmt.Errorf("view %q: %w", id, err)
	}
	if err := tryView(ctx, tx, obj, v); err != nil {
		return fmt.Errorf("view %q: %w", id, err)
	}
	return nil
}

// report checks a saved report as SaveReport would: an object the file
// defines, a name that is its id, its owner, groups, measures and chart
// that plan against the object, a filter within bounds. (Its roles and
// the fields a role may read are applied when it is listed or run.)
func (im *importer) report(id string, data map[string]any, owner string) error {
	var r Report
	if err := strictDefinition(data["definition"], &r); err != nil {
		return fmt.Errorf("report %q: %w", id, err)
	}
	obj := im.objects[r.Object]
	if obj == nil || isPlatformName(r.Object) {
		return fmt.Errorf("report %q is a report of %q, an object the file does not define", id, r.Object)
	}
	if want := reportID(r.Name, r.Owner); id != want {
		return fmt.Errorf("report %q is named %q inside (its id would be %q)", id, r.Name, want)
	}
	if o, _ := data["object"].(string); o != r.Object {
		return fmt.Errorf("report %q: its object is %q, its definition says %q", id, o, r.Object)
	}
	if owner != r.Owner {
		return fmt.Errorf("report %q: its owner is %q, its definition says %q", id, owner, r.Owner)
	}
	if problems := reportProblems(&r, obj); len(problems) > 0 {
		return fmt.Errorf("report %q: %w", id, &schema.DefinitionError{Object: "report " + r.Name, Problems: problems})
	}
	if err := checkFilterSize(r.Filter); err != nil {
		return fmt.Errorf("report %q: %w", id, err)
	}
	return nil
}

// dashboard checks a saved dashboard's shape as SaveDashboard would; a
// card of a report the file does not hold is dropped when it is read.
func (im *importer) dashboard(id string, data map[string]any, owner string) error {
	var d Dashboard
	if err := strictDefinition(data["definition"], &d); err != nil {
		return fmt.Errorf("dashboard %q: %w", id, err)
	}
	if want := reportID(d.Name, d.Owner); id != want {
		return fmt.Errorf("dashboard %q is named %q inside (its id would be %q)", id, d.Name, want)
	}
	if owner != d.Owner {
		return fmt.Errorf("dashboard %q: its owner is %q, its definition says %q", id, owner, d.Owner)
	}
	if problems := dashboardProblems(&d); len(problems) > 0 {
		return fmt.Errorf("dashboard %q: %w", id, &schema.DefinitionError{Object: "dashboard " + d.Name, Problems: problems})
	}
	return nil
}

// viewOwner is the owner a view's, report's or dashboard's definition
// names.
func viewOwner(data map[string]any) string {
	def, _ := data["definition"].(map[string]any)
	owner, _ := def["owner"].(string)
	return owner
}

// layout checks a saved layout as SaveLayout would: sections of fields
// the object has, each placed once, related lists that are lookups to it.
func (im *importer) layout(id string, data map[string]any) error {
	var l Layout
	if err := strictDefinition(data["definition"], &l); err != nil {
		return fmt.Errorf("layout %q: %w", id, err)
	}
	obj := im.objects[l.Object]
	if obj == nil || isPlatformName(l.Object) {
		return fmt.Errorf("layout %q is the layout of %q, an object the file does not define", id, l.Object)
	}
	if id != l.Object {
		return fmt.Errorf("layout %q is the layout of %q inside", id, l.Object)
	}
	return checkLayout(&l, obj, func(name string) *schema.Object { return im.objects[name] })
}

// strictDefinition decodes the definition of a platform record into v,
// refusing members v does not have.
func strictDefinition(def any, v any) error {
	if def == nil {
		return errors.New("it has no definition")
	}
	b, err := json.Marshal(def)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("definition: %w", err)
	}
	return nil
}

// finish runs the checks that need every record: lookups, counters and
// the users' roles and managers.
func (im *importer) finish(stats *TransferStats) error {
	for _, r := range im.refs {
		if !im.ids[r.target][r.targetID] {
			return importError(r.line, "%s record %q: %s refers to %s record %q, which the file does not hold", r.object, r.id, r.field, r.target, r.targetID)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(im.numbers)) {
		if n := im.numbers[key]; im.counters[key] < n.value {
			return importError(n.line, "the record numbered %q is past its counter %s, which the file sets to %d: new records would repeat numbers", n.text, key, im.counters[key])
		}
	}
	snap := &snapshot{roles: im.roles, users: im.users}
	for _, name := range slices.Sorted(maps.Keys(im.users)) {
		u := im.users[name]
		if err := checkUser(snap, u, "", false); err != nil {
			return importError(im.userLine[name], "user %q: %s", name, PublicMessage(err, "en"))
		}
		if u.Role == AdminRole && u.Active {
			stats.Administrators = append(stats.Administrators, name)
		}
	}
	stats.WithoutPassword = im.hashless
	return nil
}

// autoNumberValue reads the number of a value of an autonumber pattern
// ("CASE-{0000}" and "CASE-0042" give 42).
func autoNumberValue(pattern, value string) (int64, bool) {
	loc := autoNumberDigits.FindStringIndex(pattern)
	if loc == nil {
		return 0, false
	}
	prefix, suffix := pattern[:loc[0]], pattern[loc[1]:]
	if !strings.HasPrefix(value, prefix) || !strings.HasSuffix(value, suffix) || len(value) < len(prefix)+len(suffix) {
		return 0, false
	}
	n, err := strconv.ParseInt(value[len(prefix):len(value)-len(suffix)], 10, 64)
	return n, err == nil
}

// plainNumbers turns the json.Numbers of decoded data into float64, as
// records hold them.
func plainNumbers(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	var conv func(v any) any
	conv = func(v any) any {
		switch x := v.(type) {
		case json.Number:
			f, _ := x.Float64()
			return f
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, el := range x {
				out[k] = conv(el)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, el := range x {
				out[i] = conv(el)
			}
			return out
		}
		return v
	}
	return conv(m).(map[string]any)
}

func importError(line int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return errorOf(ErrBadRequest, nil, "transfer.atLine", line, msg)
}

func tenantFailed(id string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return errorOf(ErrNotFound, err, "tenant.notFound", id)
	}
	return fmt.Errorf("tenant %q: %w", id, err)
}
