package main

import (
	"time"

	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/templates"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// embeddedCatalog offers the templates built into the binary to the
// GraphQL API.
type embeddedCatalog struct{}

var _ graphql.TemplateCatalog = embeddedCatalog{}

func (embeddedCatalog) Templates() ([]graphql.TemplateInfo, error) {
	list, err := templates.List()
	if err != nil {
		return nil, err
	}
	out := make([]graphql.TemplateInfo, len(list))
	for i, m := range list {
		out[i] = graphql.TemplateInfo{Name: m.Name, Version: m.Version,
			Label: schema.Label{Zh: m.Label.Zh, En: m.Label.En}, Description: schema.Label{Zh: m.Description.Zh, En: m.Description.En}}
	}
	return out, nil
}

func (embeddedCatalog) Load(name string) (*template.Template, error) { return install.Template(name) }

func (embeddedCatalog) Sample(name string, records int, seed int64) *template.SampleData {
	return install.Sample(name, sample.Options{Records: records, Seed: seed})
}

func (embeddedCatalog) Archive(tpl *template.Template, tenant string) ([]string, []byte, error) {
	files, err := install.Files(tpl, tenant)
	if err != nil {
		return nil, nil, err
	}
	zip, err := install.Zip(files, time.Now())
	if err != nil {
		return nil, nil, err
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.Path
	}
	return paths, zip, nil
}
