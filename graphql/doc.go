// Package graphql is the API edge: it generates a typed GraphQL API per
// tenant from the tenant's object definitions, runs queries against the
// engine, and serves them over HTTP (fiber).
//
// For an object "deal" the API has the type Deal, the queries deal(id) and
// deals(filter, orderBy, first, after), the mutations createDeal,
// updateDeal and deleteDeal, and the inputs DealFilter, DealOrderBy,
// DealInput and DealPatch; a lookup from deal to account adds
// Account.deals, the reverse list. [SDL] prints the schema of a catalog.
//
// # How a request runs
//
// A tenant's schema is built from its catalog as a gqlparser schema
// document (no SDL text is parsed on the way; [SDL] prints the same
// document), checked by gqlparser's schema validator, and cached per
// tenant, audience (a role sees its own reduced schema) and catalog
// revision, built once however many requests ask at the same time.
//
// A request is parsed once by gqlparser (github.com/vektah/gqlparser/v2)
// and that tree is validated and executed: nothing is parsed twice.
// Before validation our own check refuses wide or deep documents (at most
// 50 root fields and 200 aliases per operation, 5,000 selections with
// fragments expanded, depth 12, G3–G5). Validation runs gqlparser's rules
// with our ValuesOfCorrectType (validate.go). Then the variables of the
// chosen operation are coerced (CoerceVariableValues, coerce.go); page
// sizes and the records a query may fetch are checked (G6); for a
// mutation the arguments of every root field are coerced. Any failure so
// far is a request error: nothing has run and the response has no data
// entry. Only then does the executor (exec.go) run the operation over
// resolver functions generated from the same model as the schema;
// mutation fields one after another, each answering for itself.
// Relations are loaded in batches: records fetched together form a
// group, and the first lookup or reverse list resolved on one record of
// the group loads it for all of them with one engine call. Introspection
// is served from the same schema (introspect.go).
//
// # Why not graphql-go's executor
//
// DESIGN.md planned to run queries with graphql-go's executor over
// resolver types built at run time with reflect.StructOf. That fails for
// this API: the generated API is cyclic (Deal.account is an Account,
// Account.deals lists Deals), and reflect cannot build a type that refers
// to itself, directly or through others (golang.org/issue/20013);
// unrolling the cycle took seconds to build for 50 objects. So the
// executor here runs the operation. graphql-go then only parsed,
// validated and introspected, on a tree of its own that disagreed with
// ours; gqlparser exposes its tree and validator, so one tree serves both
// (docs/decisions.md has the measurements).
//
// # Conventions
//
//   - deal(id) is null when there is no such record; mutations on a missing
//     id fail with NOT_FOUND.
//   - In a DealPatch a field given as null clears the field and a field
//     not given is kept; in DealInput null and absent are the same.
//   - In a filter, everything in one filter object must hold; a null
//     operand sets no condition; "or: []" is refused.
//   - Errors carry extensions.code (see [engine.Code] and
//     [CodeQueryTooComplex]); invalid records add extensions.fields, one
//     entry per failing field; internal errors say "internal error" and
//     give extensions.requestId, the cause going to the log only.
//   - Picklists whose options are all valid enum names are enums
//     (DealStage); mutation results are nullable; docs/graphql.md is the
//     reference for clients.
//   - Messages are in English when Accept-Language prefers English over
//     Chinese, in Chinese otherwise.
package graphql
