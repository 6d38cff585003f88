// Package scaleplan computes what tenants cost a MongoDB deployment in
// collections, indexes and WiredTiger files, from the real object
// definitions: the platform objects (engine/platform/*.json) and the
// embedded industry templates. docs/scale.md quotes its tables, and a test
// checks that the document and this package agree; the FerretDB tests in
// store/mongostore/ferrettest check the per-object figures against the
// indexes the adapter really creates.
//
// The counting rules follow store/mongostore (package doc, tenant.go,
// object.go, blob.go) without importing its unexported code:
//
//   - a tenant's database has the collections meta_objects (indexes _id_
//     and ix_name_version), meta, sequences and data_versions (_id_ each);
//   - once a file is attached, GridFS adds blobs.files (_id_ and
//     filename_1_uploadDate_1) and blobs.chunks (_id_ and files_id_1_n_1);
//   - every object has a collection r_<object> with _id_ and one index per
//     distinct spec [store.IndexSpecs] lists with elements (the adapter
//     indexes list elements), two specs being the same when their keys are;
//     the platform objects the engine saves without the indexes on
//     createdAt, updatedAt and ownerId (the audit trail) have none of them.
//
// WiredTiger keeps one file per collection and one per index, so a
// deployment's file count is their sum.
package scaleplan

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates"
)

// Cost is what something costs a MongoDB deployment.
type Cost struct {
	Collections int
	Indexes     int
}

// Files is the number of WiredTiger files: one per collection and one per
// index.
func (c Cost) Files() int { return c.Collections + c.Indexes }

// Add returns the sum of c and d.
func (c Cost) Add(d Cost) Cost {
	return Cost{Collections: c.Collections + d.Collections, Indexes: c.Indexes + d.Indexes}
}

// Times returns c n times over.
func (c Cost) Times(n int) Cost {
	return Cost{Collections: c.Collections * n, Indexes: c.Indexes * n}
}

// Collections every tenant database has from its creation on, with their
// index counts (mongostore prepareTenant).
var TenantCollections = map[string]int{
	"meta_objects":  2,
	"meta":          1,
	"sequences":     1,
	"data_versions": 1,
}

// BlobCollections are the GridFS collections of a tenant that has stored a
// file, with their index counts (the driver's GridFS indexes and _id_).
var BlobCollections = map[string]int{
	"blobs.files":  2,
	"blobs.chunks": 2,
}

// sum adds up a collection → index count table.
func sum(colls map[string]int) Cost {
	c := Cost{Collections: len(colls)}
	for _, n := range colls {
		c.Indexes += n
	}
	return c
}

// TenantBase is the cost of a tenant database before any object.
func TenantBase() Cost { return sum(TenantCollections) }

// Blobs is the cost of the GridFS bucket.
func Blobs() Cost { return sum(BlobCollections) }

// ObjectIndexes returns how many indexes the adapter keeps on the
// collection of obj's records: _id_ and one per distinct index spec.
func ObjectIndexes(obj *schema.Object) (int, error) {
	specs, err := store.IndexSpecs(obj, true)
	if err != nil {
		return 0, fmt.Errorf("indexes of %s: %w", obj.Name, err)
	}
	seen := map[string]bool{}
	for _, s := range specs {
		seen[indexKey(s)] = true
	}
	return 1 + len(seen), nil
}

// indexKey identifies the index the adapter makes of s the way its name
// does: uniqueness and key paths, the id appended to a non-unique index
// over scalars (see mongostore indexSpecs).
func indexKey(s store.IndexSpec) string {
	keys := make([]string, 0, len(s.Columns)+1)
	for _, c := range s.Columns {
		switch {
		case c.System:
			keys = append(keys, "sys:"+c.Field)
		case c.Part != "":
			keys = append(keys, "d."+c.Base+"."+c.Part)
		default:
			keys = append(keys, "d."+c.Base)
		}
	}
	if !s.Unique && !s.Elements && !slices.Contains(keys, "sys:id") {
		keys = append(keys, "sys:id")
	}
	prefix := "ix:"
	if s.Unique {
		prefix = "ux:"
	}
	return prefix + strings.Join(keys, ",")
}

// Object is one object definition and its index count.
type Object struct {
	Name    string
	Indexes int
}

// Cost is the object's records collection.
func (o Object) Cost() Cost { return Cost{Collections: 1, Indexes: o.Indexes} }

// Catalog holds the platform objects and every embedded template's
// objects.
type Catalog struct {
	Platform  []Object            // by name
	Templates map[string][]Object // template name → its objects, by name
}

// Load reads the platform definitions from platform (a folder of
// <name>.json files, engine/platform in the repository) and the embedded
// templates.
func Load(platform fs.FS) (*Catalog, error) {
	files, err := fs.Glob(platform, "*.json")
	if err != nil {
		return nil, fmt.Errorf("list platform objects: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("list platform objects: no definitions found")
	}
	c := &Catalog{Templates: map[string][]Object{}}
	for _, f := range files {
		b, err := fs.ReadFile(platform, f)
		if err != nil {
			return nil, fmt.Errorf("read platform object %s: %w", f, err)
		}
		o, err := object(b, true)
		if err != nil {
			return nil, fmt.Errorf("platform object %s: %w", path.Base(f), err)
		}
		c.Platform = append(c.Platform, o)
	}
	sortObjects(c.Platform)
	manifests, err := templates.List()
	if err != nil {
		return nil, err
	}
	for _, m := range manifests {
		t, err := templates.Get(m.Name)
		if err != nil {
			return nil, err
		}
		objs := make([]Object, 0, len(t.Definitions))
		for i, def := range t.Definitions {
			o, err := object(def, false)
			if err != nil {
				return nil, fmt.Errorf("template %s object %s: %w", m.Name, t.Objects[i], err)
			}
			objs = append(objs, o)
		}
		sortObjects(objs)
		c.Templates[m.Name] = objs
	}
	return c, nil
}

// object parses def and counts its indexes; a platform object's are
// those the engine gives it (engine.PlatformNoSystemIndexes).
func object(def []byte, platform bool) (Object, error) {
	obj, err := schema.ParseObject(def)
	if err != nil {
		return Object{}, err
	}
	obj.NoSystemIndexes = platform && engine.PlatformNoSystemIndexes(obj.Name)
	n, err := ObjectIndexes(obj)
	if err != nil {
		return Object{}, err
	}
	return Object{Name: obj.Name, Indexes: n}, nil
}

func sortObjects(objs []Object) {
	sort.Slice(objs, func(i, j int) bool { return objs[i].Name < objs[j].Name })
}

// TemplateNames lists the templates by name.
func (c *Catalog) TemplateNames() []string {
	names := make([]string, 0, len(c.Templates))
	for n := range c.Templates {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Find returns the platform object of that name or, with a template
// name, that template's object of that name (templates share object
// names, not definitions).
func (c *Catalog) Find(template, name string) (Object, bool) {
	objs := c.Platform
	if strings.HasPrefix(name, "crm") {
		template = ""
	}
	if template != "" {
		objs = c.Templates[template]
	}
	for _, o := range objs {
		if o.Name == name {
			return o, true
		}
	}
	return Object{}, false
}

// objectsCost adds up objects.
func objectsCost(objs []Object) Cost {
	var c Cost
	for _, o := range objs {
		c = c.Add(o.Cost())
	}
	return c
}

// PlatformCost is every platform object.
func (c *Catalog) PlatformCost() Cost { return objectsCost(c.Platform) }

// TemplateCost is the template's objects alone.
func (c *Catalog) TemplateCost(name string) Cost { return objectsCost(c.Templates[name]) }

// ActiveTenant is the cost of a tenant in use in the database-per-tenant
// layout: its base collections, the GridFS bucket, every platform object
// (each is created by the first write that needs it, so a tenant in use
// ends with all of them) and the objects of the named template ("" for
// none).
func (c *Catalog) ActiveTenant(template string) Cost {
	return TenantBase().Add(Blobs()).Add(c.PlatformCost()).Add(c.TemplateCost(template))
}

// NewTenant is the cost of a tenant as creating it with an administrator
// leaves it: the base collections and the named platform objects.
func (c *Catalog) NewTenant(platform []string) (Cost, error) {
	cost := TenantBase()
	for _, name := range platform {
		o, ok := c.Find("", name)
		if !ok {
			return Cost{}, fmt.Errorf("no platform object %q", name)
		}
		cost = cost.Add(o.Cost())
	}
	return cost, nil
}

// NewTenantObjects are the platform objects a tenant has once created
// with its administrator (measured on FerretDB by
// store/mongostore/ferrettest TestScale_NewTenantCost): the others are
// created by the first write that needs them.
var NewTenantObjects = []string{"crmAudit", "crmNotification", "crmNotificationPreference", "crmOutbox", "crmRecycleBin", "crmUser"}
