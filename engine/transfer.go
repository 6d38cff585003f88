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
	"strings"
	"time"

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
	Object    string         `json:"object,omitempty"`
	ID        string         `json:"id,omitempty"`
	CreatedAt string         `json:"createdAt,omitempty"`
	UpdatedAt string         `json:"updatedAt,omitempty"`
	CreatedBy string         `json:"createdBy,omitempty"`
	UpdatedBy string         `json:"updatedBy,omitempty"`
	Data      map[string]any `json:"data,omitempty"`

	// trailer
	Objects int64 `json:"objects,omitempty"`
	Records int64 `json:"records,omitempty"`
}

// TransferStats counts what an export or import moved.
type TransferStats struct {
	Objects  int64 // object definition versions
	Records  int64
	Counters int64
}

// ExportTenant writes everything the tenant has (object definitions with
// their history, counters, records, and the engine's own data such as stage
// history) to w as JSON lines. It reads a consistent page at a time; run it
// while nobody writes for an exact copy.
func (e *Engine) ExportTenant(ctx context.Context, tenantID string, w io.Writer) (TransferStats, error) {
	var stats TransferStats
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
	if err := write(exportLine{Type: "header", Format: exportFormat, FormatVersion: exportFormatVersion, Tenant: &t,
		ExportedAt: e.stamp().Format(schema.DateTimeLayout)}); err != nil {
		return stats, err
	}
	docs, err := ts.Objects(ctx)
	if err != nil {
		return stats, fmt.Errorf("export tenant %q: list objects: %w", tenantID, err)
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
	for _, obj := range objects {
		q := store.Query{Sort: []store.Sort{{Field: "id"}}, Limit: exportPageSize}
		for {
			page, err := ts.Find(ctx, obj, q)
			if err != nil {
				return stats, fmt.Errorf("export tenant %q: read %s records: %w", tenantID, obj.Name, err)
			}
			for _, r := range page.Records {
				if err := write(exportLine{Type: "record", Object: obj.Name, ID: r.ID, Version: r.Version,
					CreatedAt: r.CreatedAt.UTC().Format(schema.DateTimeLayout), UpdatedAt: r.UpdatedAt.UTC().Format(schema.DateTimeLayout),
					CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy, Data: r.Data}); err != nil {
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
	if err := write(exportLine{Type: "end", Objects: stats.Objects, Records: stats.Records}); err != nil {
		return stats, err
	}
	if err := bw.Flush(); err != nil {
		return stats, fmt.Errorf("export tenant %q: %w", tenantID, err)
	}
	return stats, nil
}

// ImportTenant loads an export into the tenant tenantID, creating it when
// it does not exist; an existing tenant must have no objects. Everything is
// written in one transaction: a bad line (named by its number), a record
// that its definition refuses or a truncated file leaves the tenant as it
// was.
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
	if _, err := e.store.GetTenant(ctx, tenantID); errors.Is(err, store.ErrNotFound) {
		name := tenantID
		if header.Tenant != nil && header.Tenant.Name != "" && header.Tenant.ID != header.Tenant.Name {
			name = header.Tenant.Name
		}
		if _, err := e.CreateTenant(ctx, tenantID, name); err != nil {
			return stats, err
		}
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
		return stats, newError(ErrConflict,
			fmt.Sprintf("tenant %q already has %d objects; import into a new or empty tenant", tenantID, len(docs)),
			fmt.Sprintf("租户 %q 已有 %d 个对象，请导入到新的或空的租户", tenantID, len(docs)), nil)
	}

	err = ts.WithTx(ctx, func(tx store.Tx) error {
		setter, ok := tx.(store.SequenceSetter)
		if !ok {
			return fmt.Errorf("this store cannot set counters")
		}
		objects := map[string]*schema.Object{}
		validators := map[string]*schema.Validator{}
		for {
			l, ok, err := next()
			if err != nil {
				return err
			}
			if !ok {
				return importError(lineNo, "the file ends without its trailer: it is truncated")
			}
			switch l.Type {
			case "object":
				if err := e.importObject(ctx, tx, l, objects, validators); err != nil {
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
				stats.Counters++
			case "record":
				if err := importRecord(ctx, tx, l, objects, validators); err != nil {
					return importError(lineNo, "%v", err)
				}
				stats.Records++
			case "end":
				if l.Objects != stats.Objects || l.Records != stats.Records {
					return importError(lineNo, "the trailer counts %d definitions and %d records, the file holds %d and %d",
						l.Objects, l.Records, stats.Objects, stats.Records)
				}
				if _, more, _ := next(); more {
					return importError(lineNo+1, "lines after the trailer")
				}
				return nil
			default:
				return importError(lineNo, "unknown line type %q", l.Type)
			}
		}
	})
	if err != nil {
		return TransferStats{}, fmt.Errorf("import tenant %q: %w", tenantID, err)
	}
	e.log.InfoContext(ctx, "tenant imported", "tenant", tenantID, "objects", stats.Objects, "records", stats.Records)
	return stats, nil
}

func (e *Engine) importObject(ctx context.Context, tx store.Tx, l exportLine, objects map[string]*schema.Object, validators map[string]*schema.Validator) error {
	obj, err := schema.ParseObject(l.Definition)
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
		delete(objects, l.Name)
		return tx.DeleteObject(ctx, doc)
	}
	if err := tx.SaveObject(ctx, doc, obj); err != nil {
		return fmt.Errorf("definition of %q version %d: %w", l.Name, l.Version, err)
	}
	obj.Version = l.Version
	objects[l.Name] = obj
	if !isPlatformName(l.Name) {
		v, err := schema.NewValidator(obj)
		if err != nil {
			return fmt.Errorf("definition of %q version %d: %w", l.Name, l.Version, err)
		}
		validators[l.Name] = v
	}
	return nil
}

func importRecord(ctx context.Context, tx store.Tx, l exportLine, objects map[string]*schema.Object, validators map[string]*schema.Validator) error {
	obj := objects[l.Object]
	if obj == nil {
		return fmt.Errorf("record %q of object %q, which the file has not defined before", l.ID, l.Object)
	}
	if l.ID == "" || l.Version < 1 {
		return fmt.Errorf("%s record needs an id and a version of at least 1", l.Object)
	}
	created, err1 := time.Parse(schema.DateTimeLayout, l.CreatedAt)
	updated, err2 := time.Parse(schema.DateTimeLayout, l.UpdatedAt)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("%s record %q: bad timestamps: %w", l.Object, l.ID, err)
	}
	data := plainNumbers(l.Data)
	if v := validators[l.Object]; v != nil {
		check := data
		if hasSensitive(obj) {
			check = cloneMap(data)
			for _, f := range obj.Fields {
				if f.Hidden {
					delete(check, f.Name)
				}
			}
		}
		if err := sensitiveAside(obj, v.Validate(check)); err != nil {
			return fmt.Errorf("%s record %q: %w", l.Object, l.ID, err)
		}
	}
	rec := store.Record{ID: l.ID, Version: l.Version, CreatedAt: created, UpdatedAt: updated, CreatedBy: l.CreatedBy, UpdatedBy: l.UpdatedBy, Data: data}
	if err := tx.Insert(ctx, obj, rec); err != nil {
		return fmt.Errorf("%s record %q: %w", l.Object, l.ID, err)
	}
	return nil
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
	return newError(ErrBadRequest, fmt.Sprintf("line %d: %s", line, msg), fmt.Sprintf("第 %d 行：%s", line, msg), nil)
}

func tenantFailed(id string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return newError(ErrNotFound, fmt.Sprintf("tenant %q does not exist", id), fmt.Sprintf("租户 %q 不存在", id), err)
	}
	return fmt.Errorf("tenant %q: %w", id, err)
}

// sensitiveAside drops the problems of sensitive fields from a validation
// error: their values are ciphertext here, checked when they are opened.
func sensitiveAside(obj *schema.Object, err error) error {
	var ve *schema.ValidationError
	if !errors.As(err, &ve) || !hasSensitive(obj) {
		return err
	}
	var kept []schema.FieldError
	for _, fe := range ve.Fields {
		top, _, _ := strings.Cut(fe.Field, ".")
		if f := obj.Field(top); f == nil || !f.Sensitive {
			kept = append(kept, fe)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return &schema.ValidationError{Object: ve.Object, Label: ve.Label, Fields: kept}
}
