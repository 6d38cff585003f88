package template

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/crmkit/crm/schema"
)

// Applying a plan: the order of the writes, and putting back what was
// written when a later write fails. The writes themselves are the
// engine's, through [Writer].

// Writer is what applying a plan writes into a tenant; the engine
// implements it with its own object and document writes.
type Writer interface {
	// SaveObject saves a definition and returns the object's name. A
	// rollback passes the fields to clear and the picklist values to
	// clear (field → value → ""); an install passes neither.
	SaveObject(ctx context.Context, def []byte, clearFields []string, remap map[string]map[string]string) (string, error)
	// DropObject deletes an object with its records.
	DropObject(ctx context.Context, name string) error
	// PutDoc writes a checked document of a kind; DropDoc deletes the one
	// of that key.
	PutDoc(ctx context.Context, kind, canon string) error
	DropDoc(ctx context.Context, kind, key string) error
}

// Apply writes the plan's objects in install order, then its documents,
// kind by kind. If an object fails, the objects saved before are put back
// as they were; if a document fails, the documents written before and
// then the objects are. progress, if set, is called as objects are saved.
func (p *Plan) Apply(ctx context.Context, w Writer, progress func(Progress)) error {
	if err := p.applyObjects(ctx, w, progress); err != nil {
		return err
	}
	if err := p.applyDocs(ctx, w); err != nil {
		return errors.Join(fmt.Errorf("install template %q: %w", p.tpl.Name, err), p.undoObjects(ctx, w, p.saved()))
	}
	return nil
}

// applyObjects saves the planned definitions in order; if one fails, the
// ones saved before are put back as they were.
func (p *Plan) applyObjects(ctx context.Context, w Writer, progress func(Progress)) error {
	var done []string
	total := 0
	for _, def := range p.objects {
		if def != nil {
			total++
		}
	}
	for i, def := range p.objects {
		if def == nil {
			continue
		}
		name, err := w.SaveObject(ctx, def, nil, p.remaps[i])
		if err != nil {
			if uerr := p.undoObjects(ctx, w, done); uerr != nil {
				return errors.Join(fmt.Errorf("install template %q: %w", p.tpl.Name, err), fmt.Errorf("undo the objects saved before: %w", uerr))
			}
			return err
		}
		done = append(done, name)
		if progress != nil {
			progress(Progress{Phase: "objects", Object: name, Done: len(done), Total: total})
		}
	}
	return nil
}

// undoObjects puts the objects done back as the plan's before says, last
// first; values converted to users become text again (display names).
func (p *Plan) undoObjects(ctx context.Context, w Writer, done []string) error {
	var errs []error
	for _, name := range slices.Backward(done) {
		prev, _ := p.before[name].(string)
		if prev == "" {
			errs = append(errs, w.DropObject(ctx, name))
			continue
		}
		var remap map[string]map[string]string
		if i := slices.IndexFunc(p.defs, func(d *schema.Object) bool { return d.Name == name }); i >= 0 {
			remap = p.undoRemaps[i]
		}
		_, err := w.SaveObject(ctx, []byte(prev), nil, remap)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// applyDocs writes the planned documents of every kind; if one fails,
// those written before are put back.
func (p *Plan) applyDocs(ctx context.Context, w Writer) error {
	type done struct{ kind, key string }
	var written []done
	undo := func() error {
		var errs []error
		for _, d := range slices.Backward(written) {
			errs = append(errs, restoreDocs(ctx, w, d.kind, []string{d.key}, p.docPlans[d.kind].before))
		}
		return errors.Join(errs...)
	}
	for _, k := range DocKinds {
		dp := p.docPlans[k]
		if dp == nil {
			continue
		}
		for i, canon := range dp.save {
			if err := w.PutDoc(ctx, k, canon); err != nil {
				return errors.Join(fmt.Errorf("write %s:%s: %w", k, dp.keys[i], err), undo())
			}
			written = append(written, done{k, dp.keys[i]})
		}
	}
	return nil
}

// restoreDocs puts the documents of keys back as before says, last
// first: the JSON of the earlier document, or nil for none.
func restoreDocs(ctx context.Context, w Writer, kind string, keys []string, before map[string]any) error {
	var errs []error
	for _, key := range slices.Backward(keys) {
		if prev, _ := before[key].(string); prev != "" {
			errs = append(errs, w.PutDoc(ctx, kind, prev))
		} else {
			errs = append(errs, w.DropDoc(ctx, kind, key))
		}
	}
	return errors.Join(errs...)
}

// Apply puts back the documents, kind by kind, then the objects, in the
// rollback's order. progress, if set, is called as objects are put back.
// Marking the install rolled back is left to the caller.
func (rb *Rollback) Apply(ctx context.Context, w Writer, progress func(Progress)) error {
	name := rb.template
	for _, k := range DocKinds {
		restore := rb.docs[k]
		if err := restoreDocs(ctx, w, k, restore.keys, restore.before); err != nil {
			return fmt.Errorf("roll back %ss of template %q: %w", k, name, err)
		}
	}
	for i, s := range rb.objects {
		var err error
		if s.def == "" {
			err = w.DropObject(ctx, s.object)
		} else {
			_, err = w.SaveObject(ctx, []byte(s.def), s.clear, s.remap)
		}
		if err != nil {
			return fmt.Errorf("roll back template %q: %w", name, err)
		}
		if progress != nil {
			progress(Progress{Phase: "objects", Object: s.object, Done: i + 1, Total: len(rb.objects)})
		}
	}
	return nil
}
