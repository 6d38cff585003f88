// Package install connects the templates and their sample data to the
// engine's installer: it turns a template folder (embedded or on disk)
// into a [template.Template] and a template's sample-data generator into a
// [template.SampleData]. The command line and the GraphQL edge use it;
// package templates stays data only and package sample knows nothing of
// the engine.
//
//	tpl, err := install.Template("retail")
//	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{
//		Sample: install.Sample("retail", sample.Options{Records: 5000, Seed: 1}),
//	})
package install

import (
	"cmp"
	"context"
	"io/fs"

	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/templates"
	"github.com/crmkit/crm/templates/sample"
)

// Template returns the embedded template of that name, ready to install.
// It returns an error wrapping fs.ErrNotExist for an unknown name.
func Template(name string) (*template.Template, error) {
	t, err := templates.Get(name)
	if err != nil {
		return nil, err
	}
	return Convert(t), nil
}

// FromFS reads a template folder (manifest.json at its root), such as one
// written by an export.
func FromFS(fsys fs.FS) (*template.Template, error) {
	t, err := templates.Load(fsys)
	if err != nil {
		return nil, err
	}
	return Convert(t), nil
}

// Convert turns a loaded template into the engine's form.
func Convert(t *templates.Template) *template.Template {
	out := &template.Template{
		Name:        t.Name,
		Version:     t.Version,
		Label:       schema.Label{Zh: t.Label.Zh, En: t.Label.En},
		Description: schema.Label{Zh: t.Description.Zh, En: t.Description.En},
		Objects:     t.Definitions,
		Roles:       t.Roles,
		Layouts:     t.Layouts,
		Views:       t.Views,
		Reports:     t.Reports,
		Dashboards:  t.Dashboards,
		Other:       t.Other,
		Optional:    t.Optional,
	}
	for _, d := range t.Depends {
		out.Depends = append(out.Depends, template.Dependency{Name: d.Name, Version: d.Version})
	}
	for _, g := range t.Menu {
		out.Menu = append(out.Menu, template.MenuGroup{Label: schema.Label{Zh: g.Label.Zh, En: g.Label.En}, Objects: g.Objects})
	}
	return out
}

// Sample returns the template's sample data at the options' size, or nil
// when the template has no generator.
func Sample(name string, opts sample.Options) *template.SampleData {
	if !sample.Has(name) {
		return nil
	}
	return &template.SampleData{
		Total: cmp.Or(max(opts.Records, 0), 1000),
		Generate: func(ctx context.Context, emit func(template.SampleRecord) error) error {
			return sample.Generate(ctx, name, opts, func(r sample.Record) error {
				stages := make([]template.SampleStage, len(r.Stages))
				for i, s := range r.Stages {
					stages[i] = template.SampleStage{Field: s.Field, Stage: s.Stage, At: s.At}
				}
				return emit(template.SampleRecord{Object: r.Object, Key: r.Key, Data: r.Data, CreatedAt: r.CreatedAt, Stages: stages, Owner: r.Owner, ClaimedAt: r.ClaimedAt})
			})
		},
	}
}
