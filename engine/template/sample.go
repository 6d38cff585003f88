package template

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/crmkit/crm/schema"
)

// SampleData is a template's sample data: a generator that emits records
// in an order where every record comes after the records it refers to.
type SampleData struct {
	// Total is how many records Generate emits, for progress; 0 if unknown.
	Total int
	// Generate calls emit once per record and stops at its first error.
	Generate func(ctx context.Context, emit func(SampleRecord) error) error
}

// SampleRecord is one generated record.
type SampleRecord struct {
	Object string
	// Key names the record within the generated set ("" when nothing
	// refers to it). Lookup and multilookup values in Data are keys of
	// records emitted earlier; the engine puts their ids in.
	Key  string
	Data map[string]any
	// CreatedAt is when the record notionally came to be (sample data
	// spans months); zero means now.
	CreatedAt time.Time
	// Stages is the path the record took along its pipelines, oldest
	// first; for each pipeline field, the last step is the field's value
	// in Data. A pipeline field with a value and no steps entered it at
	// CreatedAt. Each step must be a move the pipeline allows.
	Stages []SampleStage
	// Owner is who owns the record: "" the template's sample actor,
	// SamplePoolOwner the object's customer pool (an object without one
	// refuses it), else a name the installer gives one of the tenant's
	// users as it gives user fields.
	Owner string
	// ClaimedAt, when set, is when the owner (a user) claimed the record
	// from the object's pool; the claim counts toward that day's limit.
	ClaimedAt time.Time
}

// SamplePoolOwner is the Owner of a sample record in its object's pool.
const SamplePoolOwner = "pool"

// SampleStage is one step of a sample record along a pipeline.
type SampleStage struct {
	Field string
	Stage string
	At    time.Time
}

// sampleBatch is how many sample records one batch holds.
const sampleBatch = 1000

// BatchWriter writes sample records; the engine implements it with one
// transaction a batch, through its write path.
type BatchWriter interface {
	// WriteBatch writes the records of batch, resolving their lookups to
	// the records of the batch written before them or, failing that,
	// through earlier (records of earlier batches), and returns the ids of
	// the records with a key, by key. It keeps no reference to batch.
	WriteBatch(ctx context.Context, batch []SampleRecord, earlier func(key string) (string, bool)) (map[string]string, error)
}

// Write generates the sample data of the template of that name and writes
// it through w in batches, calling progress, if set, after each; a key
// used twice stops it. It returns how many records were written.
func (s *SampleData) Write(ctx context.Context, name string, w BatchWriter, progress func(Progress)) (int, error) {
	ids := map[string]string{} // key → id of the records written
	keys := map[string]bool{}  // keys emitted
	var batch []SampleRecord
	written := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		added, err := w.WriteBatch(ctx, batch, func(key string) (string, bool) { id, ok := ids[key]; return id, ok })
		if err != nil {
			return err
		}
		maps.Copy(ids, added)
		written += len(batch)
		batch = batch[:0]
		if progress != nil {
			progress(Progress{Phase: "sample", Done: written, Total: s.Total})
		}
		return nil
	}
	err := s.Generate(ctx, func(r SampleRecord) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.Key != "" {
			if keys[r.Key] {
				return fmt.Errorf("sample record key %q is used twice", r.Key)
			}
			keys[r.Key] = true
		}
		batch = append(batch, r)
		if len(batch) >= sampleBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return written, fmt.Errorf("write sample data of template %q (after %d records): %w", name, written, err)
	}
	return written, nil
}

// Resolved returns the record's data with the keys in the values of
// obj's lookup and multi-lookup fields replaced by the ids of the records
// they name, which idOf gives; a key idOf does not know is an error.
func (r SampleRecord) Resolved(obj *schema.Object, idOf func(key string) (string, bool)) (map[string]any, error) {
	resolve := func(field string, v any) (string, error) {
		key, _ := v.(string)
		if id, ok := idOf(key); ok {
			return id, nil
		}
		return "", fmt.Errorf("sample %s record %q: %s refers to key %q, which no earlier record has", obj.Name, r.Key, field, key)
	}
	data := maps.Clone(r.Data)
	var err error
	for _, f := range obj.Fields {
		switch v := data[f.Name].(type) {
		case string:
			if f.Kind() == schema.KindLookup {
				if data[f.Name], err = resolve(f.Name, v); err != nil {
					return nil, err
				}
			}
		case []any:
			if f.Kind() == schema.KindLookupList {
				ids := make([]any, len(v))
				for i, k := range v {
					if ids[i], err = resolve(f.Name, k); err != nil {
						return nil, err
					}
				}
				data[f.Name] = ids
			}
		}
	}
	return data, nil
}

// StagePath checks a sample record's pipeline path and completes it:
// every pipeline field of obj with a value in data (or a default) has a
// path from its first stage to that value, each step a move the pipeline
// allows, in time order. A field with a value and no steps entered it at
// created. Times are truncated to microseconds, in UTC.
func StagePath(obj *schema.Object, data map[string]any, steps []SampleStage, created time.Time) ([]SampleStage, error) {
	var out []SampleStage
	for _, f := range obj.Fields {
		if f.Pipeline == nil {
			continue
		}
		value, _ := data[f.Name].(string)
		if value == "" {
			if def, ok := f.Default.(string); ok {
				value = def
			}
		}
		var path []SampleStage
		for _, s := range steps {
			if s.Field == f.Name {
				s.At = s.At.UTC().Truncate(time.Microsecond)
				path = append(path, s)
			}
		}
		if len(path) == 0 {
			if value != "" {
				out = append(out, SampleStage{Field: f.Name, Stage: value, At: created})
			}
			continue
		}
		if path[len(path)-1].Stage != value {
			return nil, fmt.Errorf("the path of %s ends at %q, but the record is at %q", f.Name, path[len(path)-1].Stage, value)
		}
		from := ""
		var last time.Time
		for _, s := range path {
			if f.Pipeline.Stage(s.Stage) == nil {
				return nil, fmt.Errorf("%s: %q is not a stage", f.Name, s.Stage)
			}
			if !f.Pipeline.Allows(from, s.Stage) {
				return nil, fmt.Errorf("%s: the pipeline does not allow the move from %q to %q", f.Name, from, s.Stage)
			}
			if s.At.Before(last) {
				return nil, fmt.Errorf("%s: the path goes back in time at %q", f.Name, s.Stage)
			}
			from, last = s.Stage, s.At
		}
		out = append(out, path...)
	}
	return out, nil
}
