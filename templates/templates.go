// Package templates holds the industry templates as data: each folder is a
// template with a manifest.json and its object definitions under objects/,
// embedded in the binary. This package only lists and reads them; checking
// and installing them is the engine's job.
package templates

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed */manifest.json */objects/*.json
var files embed.FS

// Label is a name in Chinese and English.
type Label struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Manifest describes a template.
type Manifest struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Label       Label  `json:"label"`
	Description Label  `json:"description"`
	// Objects names the object definitions in install order.
	Objects []string `json:"objects"`
}

// Template is a manifest with its object definitions (JSON Schema
// documents, in manifest order).
type Template struct {
	Manifest
	Definitions []json.RawMessage
}

// List returns the manifests of every embedded template, by name.
func List() ([]Manifest, error) {
	dirs, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	var out []Manifest
	for _, d := range dirs {
		t, err := Get(d.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, t.Manifest)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Get reads one template. It returns fs.ErrNotExist (wrapped) for an
// unknown name.
func Get(name string) (*Template, error) {
	raw, err := fs.ReadFile(files, path.Join(name, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("read template %q: %w", name, err)
	}
	var t Template
	if err := json.Unmarshal(raw, &t.Manifest); err != nil {
		return nil, fmt.Errorf("read manifest of template %q: %w", name, err)
	}
	for _, obj := range t.Objects {
		def, err := fs.ReadFile(files, path.Join(name, "objects", obj+".json"))
		if err != nil {
			return nil, fmt.Errorf("read object %q of template %q: %w", obj, name, err)
		}
		t.Definitions = append(t.Definitions, def)
	}
	return &t, nil
}
