// Package schema owns the CRM metadata model: an object definition is a JSON
// Schema 2020-12 document with x-crm-* keywords. The package parses and
// checks definitions against the CRM meta-schema ([ParseObject]), knows the
// field types ([Types]), validates record payloads against an object
// ([Validator]) and tells which changes between two versions of a
// definition could invalidate stored data ([Diff]). It does no I/O.
//
// # Definitions
//
// [ParseObject] refuses a definition with a [DefinitionError] listing every
// problem with a JSON pointer to it. Checks run in this order, cheapest
// first, so that hostile input costs little (RELIABILITY.md V4):
//
//  1. size ([MaxDefinitionSize]), then one pass over the bytes for nesting
//     ([MaxDefinitionDepth]), the number of values ([MaxDefinitionValues])
//     and of properties ([MaxFields]), all before decoding;
//  2. a walk of the decoded document for $ref, $dynamicRef and
//     $recursiveRef anywhere (V1: a definition is self-contained, so there
//     is nothing to load) and for numbers a float64 cannot hold;
//  3. the CRM's own rules (rules.go) and the meta-schema (metaschema.json,
//     see [MetaSchema]); where both find something at one path, the rule's
//     wording is kept;
//  4. compiling the record schema, and checking each "default" against its
//     field.
//
// Patterns must be RE2 (Go's regexp, linear time; look-arounds and
// back-references are refused, V3). Note: Go's regexp expands counted
// repetitions, so a short pattern such as "(?:x{999}){5}" compiles to a
// large program; patterns are therefore also bounded by an estimate of
// their compiled size, per pattern and per definition.
//
// # Records
//
// [NewValidator] compiles a record schema made from the definition: the
// declared properties only (additionalProperties false, whatever the
// definition says), no "required" for autonumbers (the engine fills them),
// addresses closed to [AddressParts]. Every compiler this package creates
// has a LoadURL that refuses every URL ([ErrLoadRefused]): nothing is read
// from files or the network even for a Field built in code with a $ref in
// its Schema. Formats are asserted (in 2020-12 they are annotations unless
// asked for), with our own formats added per compiler ([FormatPhone],
// [FormatCNMobile], [FormatCNLandline], [FormatCNResidentID],
// [FormatCNUSCC]); the library's global registries are left alone.
//
// [Validator.Validate] reports one [FieldError] per failing field, worded
// from the keyword that failed in jsonschema's error tree and the limits of
// the compiled schema, never from the library's English text. A null is a
// missing value; so is a blank string, empty list or empty address given
// for a required field, because a CRM user reads "必填" as "must have a
// value". Values of text-like fields are checked trimmed, as [Normalize]
// stores them.
package schema
