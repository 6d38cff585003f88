// Package store defines the persistence contract of the CRM: the [Store] and
// [TenantStore] interfaces that every storage adapter implements, the query
// model ([Filter], [Sort], [Query]) and the sentinel errors adapters translate
// their driver errors into. It holds no driver code.
//
// It also holds the backend-independent half of every adapter: a query's
// [Plan] ([PlanQuery], [PlanFilter]) resolves fields to [Column]s, checks
// operators against one table per kind of field, converts, bounds and
// de-duplicates values and checks the sort and cursor, so that adapters
// only render it into SQL or BSON, and [Cond.Match] and [Match] give it
// the same meaning in memory. [IndexSpecs] likewise derives the indexes an
// object needs, which adapters render.
//
// Every record operation runs inside one tenant's [TenantStore]; there is no
// call that reaches across tenants, which makes the tenant the one scoping
// choke point for both adapters.
package store
