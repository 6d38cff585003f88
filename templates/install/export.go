package install

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/templates"
)

// File is one file of a template folder: its slash-separated path inside
// the folder and its content.
type File struct {
	Path string
	Data []byte
}

// Files lays a template out as the folder that [FromFS] reads back:
// manifest.json, then objects/, roles/, layouts/, views/, reports/ and
// dashboards/ with one indented JSON file each. The manifest's label and description say the
// template was exported from tenant.
func Files(tpl *template.Template, tenant string) ([]File, error) {
	manifest := templates.Manifest{
		Name:        tpl.Name,
		Version:     tpl.Version,
		Label:       templates.Label{Zh: tenant + " 的配置", En: "Configuration of " + tenant},
		Description: templates.Label{Zh: "由租户 " + tenant + " 导出。", En: "Exported from tenant " + tenant + "."},
		Depends:     []templates.Dependency{},
	}
	for _, g := range tpl.Menu {
		manifest.Menu = append(manifest.Menu, templates.MenuGroup{Label: templates.Label{Zh: g.Label.Zh, En: g.Label.En}, Objects: g.Objects})
	}
	b, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export manifest: %w", err)
	}
	files := []File{{Path: "manifest.json", Data: append(b, '\n')}}
	type head struct {
		ID     string `json:"$id"`
		Name   string `json:"name"`
		Object string `json:"object"`
	}
	for _, kind := range []struct {
		folder string
		docs   [][]byte
		name   func(head) string
	}{
		{"objects", raws(tpl.Objects), func(h head) string { return h.ID }},
		{"roles", raws(tpl.Roles), func(h head) string { return h.Name }},
		{"layouts", raws(tpl.Layouts), func(h head) string { return h.Object }},
		{"views", raws(tpl.Views), func(h head) string { return h.Object + "." + h.Name }},
		{"reports", raws(tpl.Reports), func(h head) string { return h.Name }},
		{"dashboards", raws(tpl.Dashboards), func(h head) string { return h.Name }},
	} {
		for _, doc := range kind.docs {
			var h head
			if err := json.Unmarshal(doc, &h); err != nil {
				return nil, fmt.Errorf("export %s: %w", kind.folder, err)
			}
			name := kind.name(h)
			if name == "" || name == "." || path.Base(name) != name {
				return nil, fmt.Errorf("export %s: a document has no usable name (%q)", kind.folder, name)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, doc, "", "  "); err != nil {
				return nil, fmt.Errorf("export %s/%s: %w", kind.folder, name, err)
			}
			pretty.WriteByte('\n')
			files = append(files, File{Path: kind.folder + "/" + name + ".json", Data: pretty.Bytes()})
		}
	}
	return files, nil
}

func raws(docs []json.RawMessage) [][]byte {
	out := make([][]byte, len(docs))
	for i, d := range docs {
		out[i] = d
	}
	return out
}

// Zip packs files into a zip archive whose entries carry the time at;
// `crm template install` takes the archive as it is.
func Zip(files []File, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range files {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: at})
		if err != nil {
			return nil, fmt.Errorf("zip %s: %w", f.Path, err)
		}
		if _, err := fw.Write(f.Data); err != nil {
			return nil, fmt.Errorf("zip %s: %w", f.Path, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	return buf.Bytes(), nil
}

// Bounds of a template archive read by [FromZip]: what its files may hold
// once unpacked, each and together.
const (
	MaxZipFile  = 16 << 20
	MaxZipTotal = 64 << 20
	MaxZipFiles = 10_000
)

// FromZip reads a template folder packed as a zip archive (as [Zip]
// writes it). An archive that would unpack beyond the bounds above is
// refused before anything is read.
func FromZip(r io.ReaderAt, size int64) (*template.Template, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("read template archive: %w", err)
	}
	if len(zr.File) > MaxZipFiles {
		return nil, fmt.Errorf("read template archive: %d files, at most %d", len(zr.File), MaxZipFiles)
	}
	var total uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > MaxZipFile {
			return nil, fmt.Errorf("read template archive: %s unpacks to %d bytes, at most %d", f.Name, f.UncompressedSize64, MaxZipFile)
		}
		total += f.UncompressedSize64
	}
	if total > MaxZipTotal {
		return nil, fmt.Errorf("read template archive: it unpacks to %d bytes, at most %d", total, MaxZipTotal)
	}
	// archive/zip fails a read that goes past a file's declared size, so
	// the sizes checked above hold.
	return FromFS(zr)
}
