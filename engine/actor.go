package engine

import "context"

// Actor is who performs a call: a tenant and the principal acting in it.
type Actor struct {
	TenantID string
	// ID names the principal in audit fields (createdBy): "key:<id>" for an
	// API key, "system" for the CLI.
	ID string
	// Admin principals may change metadata and introspect the schema.
	Admin bool
	// Role limits what a principal that is not an administrator may do
	// with records (see [Role]); "" does not limit it.
	Role string
	// Session is the id of a signed-in user's session (a hash of its
	// token, never the token); "" for API keys and the CLI.
	Session string
	// MustChangePassword is set for a signed-in user whose password is
	// temporary: the API edges let them read who they are and change the
	// password, nothing else.
	MustChangePassword bool
}

type actorKey struct{}

// WithActor returns a context that carries the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx; ok is false when there is none.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.TenantID != ""
}
