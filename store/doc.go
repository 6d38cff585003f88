// Package store defines the persistence contract of the CRM: the [Store] and
// [TenantStore] interfaces that every storage adapter implements, the query
// model ([Filter], [Sort], [Query]) and the sentinel errors adapters translate
// their driver errors into. It holds no driver code.
//
// Every record operation runs inside one tenant's [TenantStore]; there is no
// call that reaches across tenants, which makes the tenant the one scoping
// choke point for both adapters.
package store
