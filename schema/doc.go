// Package schema owns the CRM metadata model: an object definition is a JSON
// Schema 2020-12 document with x-crm-* keywords. The package parses and
// checks definitions against the CRM meta-schema ([ParseObject]), knows the
// field types ([Types]), validates record payloads against an object
// ([Validator]) and tells which changes between two versions of a
// definition could invalidate stored data ([Diff]). It does no I/O.
package schema
