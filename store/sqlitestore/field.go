package sqlitestore

import "github.com/crmkit/crm/store"

// tableName is the table of an object's records; name must have passed
// [store.CheckObjectName].
func tableName(name string) string { return "r_" + name }

// quotedTable is tableName quoted for SQL text.
func quotedTable(name string) string { return quoteIdent(tableName(name)) }

// column is a [store.Column] rendered for SQL.
type column struct {
	store.Column
	expr string // SQL expression yielding the value (NULL if missing)
	path string // JSON path into data; "" for system columns
}

// systemExprs map the record's system fields to table columns.
var systemExprs = map[string]string{
	"id":        "id",
	"version":   "version",
	"createdAt": "created_at",
	"updatedAt": "updated_at",
	"createdBy": "created_by",
	"updatedBy": "updated_by",
	"ownerId":   "owner_id",
}

// dataExpr is the one expression text used for a JSON path, in indexes and
// in queries alike, so that SQLite matches them.
func dataExpr(path string) string { return "data ->> " + quoteString(path) }

// sqlColumn renders c: a table column, or a JSON path into data. The
// names in the path passed [store.ResolveColumn]'s pattern.
func sqlColumn(c store.Column) column {
	if c.System {
		return column{Column: c, expr: systemExprs[c.Field]}
	}
	path := "$." + c.Base
	if c.Part != "" {
		path += "." + c.Part
	}
	return column{Column: c, expr: dataExpr(path), path: path}
}
