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
// The schema text is generated from the catalog ([SDL]) and parsed with
// graphql-go, once per tenant and catalog revision (cached, built once
// however many requests ask at the same time). graphql-go validates every
// query against it (types, arguments, fragments, variables, MaxDepth,
// MaxQueryLength, overlap limit) and serves introspection data. Before
// validation, our own check refuses wide or costly operations: at most 50
// root fields and 200 aliases, page sizes 1 to 100, at most about 50,000
// records by the product of page sizes along nested lists, at most 5,000
// selections with fragments expanded (G4–G6); introspection is for
// administrators (G8). The operation is then run by this package's
// executor over resolver functions generated from the same model as the
// schema text. Relations are loaded in batches: records fetched together
// form a group, and the first lookup or reverse list resolved on one record
// of the group loads it for all of them with one engine call.
//
// # Why not graphql-go's executor
//
// DESIGN.md planned to run queries with graphql-go's executor over
// resolver types built at run time with reflect.StructOf. That fails for
// this API: graphql-go needs a Go type per GraphQL type whose fields are
// resolved by struct fields (names known only at run time, so the types
// must come from reflect.StructOf), and it walks every type reachable from
// Query when the schema is parsed. The generated API is cyclic (Deal.account
// is an Account, Account.deals lists Deals), and reflect cannot build a
// type that refers to itself, directly or through others
// (golang.org/issue/20013). Unrolling the cycle into one set of types per
// nesting level, down to MaxDepth, did run a nested query in a prototype,
// but building it for 50 objects × 40 fields with only two relations per
// object took 3.3–7 s instead of well under 100 ms, and it grows
// exponentially with the relations per object, because the name of an
// unnamed reflect type spells out every type it refers to. So graphql-go
// parses, validates and introspects, and the executor here runs the
// operation (about as much code as the reflection glue would have been).
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
//   - Messages are in English when Accept-Language prefers English over
//     Chinese, in Chinese otherwise.
package graphql
