// Package engine runs the CRM's use cases: tenants and API keys, the
// metadata service (object definitions with versions and safe evolution) and
// the records service (create, read, update, delete and query, validated
// against the current definition). Every call is scoped to the tenant of the
// [Actor] in its context; there is no way to name another tenant's data.
//
// Errors are classified for the API edge by [CodeOf].
package engine
