// Package engine runs the CRM's use cases behind every edge (GraphQL, the
// command line, the HTTP server): tenants and their users, roles and API
// keys; object definitions with versions and safe evolution; records
// (create, read, update, delete, query, sum) validated against the current
// definition; scripts, rules, formulas and automations; audit, background
// work and template installs. Every call is scoped to the tenant of the
// [Actor] in its context; there is no way to name another tenant's data.
// Errors are classified for the edge by [CodeOf].
//
// The engine's rooms, by file:
//
//   - the engine and a call's scope: engine.go (the [Engine] and its
//     [Config]), scope.go (the actor, tenant store and metadata snapshot
//     a call works in, resolved once per request, see [WithRequest]);
//   - tenants and their store: tenant.go, tenant_admin.go, transfer.go
//     (export and import), seal.go (every tenant store wrapped by package
//     [github.com/crmkit/crm/engine/seal], the key check), platform.go
//     and platform/*.json (the engine's own per-tenant objects), limits.go,
//     ops.go;
//   - metadata: catalog.go (the snapshot of a tenant's definitions),
//     object.go, object_delete.go, definitions.go, layouts.go, views.go,
//     navigation.go;
//   - records: record_read.go, record_write.go, record_owner.go, writer.go
//     (the write path with its hooks), query.go, cursor.go, sum.go,
//     rollup.go, pipeline.go, guesses.go, personal.go;
//   - access: roles.go (loading, saving and applying a tenant's roles),
//     access.go (a caller's reading rules and sharing circle, resolved
//     from the snapshot); the role model and its check, field levels,
//     masking, the reading rules and the sharing circle of a user
//     hierarchy are package [github.com/crmkit/crm/engine/access];
//   - identity: actor.go, users.go, users_admin.go, apikey.go,
//     directory.go (the user directory of a snapshot) and passwords.go
//     (the sign-in throttle; hashing in bounded slots is package
//     [github.com/crmkit/crm/engine/password]); user names, the password
//     policy, session tokens, API key secrets and their hashes, and the
//     directory's order and search are package
//     [github.com/crmkit/crm/engine/identity];
//   - scripts and automation: scripts.go, script_host.go, script_admin.go,
//     automation.go, timer.go;
//   - background work: queues.go ([Engine.Queues], what the worker of
//     package [github.com/crmkit/crm/engine/worker] asks of the engine:
//     the tenants, a step of each queue, a tenant's outbox), due.go (the
//     records a step claims), outbox.go (entries written in a record's
//     transaction, listed and retried by administrators, the webhook
//     secret), jobs.go, jobs_run.go; the loop over tenants and over each
//     queue's due items, the lease, retries, backoff and dead letters of
//     deliveries and the counts of a pass are package
//     [github.com/crmkit/crm/engine/worker];
//   - templates: template.go (what planning reads of a tenant and what
//     applying a plan writes, the install records, export),
//     template_docs.go (roles, layouts and views as template documents),
//     template_sample.go (writing and resetting sample data); what a
//     template is, its versions, the three-way merge, the checks, the
//     plans, the order they are applied and undone in and the install
//     records' format are package [github.com/crmkit/crm/engine/template];
//   - usage: usage.go (a tenant's usage figures for its administrators,
//     from the counts of package [github.com/crmkit/crm/engine/usage],
//     where the engine's sandbox counts script runs and the HTTP edge
//     requests);
//   - audit.go and errors.go (errors name their texts in the catalogue of
//     package [github.com/crmkit/crm/message]).
package engine
