package graphql

import (
	"context"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/message"
)

// inputFields names the input field that a refusal of createUser,
// updateUser or createApiKey is about, so that the error carries it in
// extensions.fields (code: the message key) and a form shows it there.
var inputFields = map[message.Key]string{
	"user.badName":          "username",
	"user.exists":           "username",
	"user.passwordTooShort": "password",
	"user.passwordTooLong":  "password",
	"user.noRole":           "role",
	"user.teamTooLong":      "team",
	"user.ownManager":       "manager",
	"user.managerNotActive": "manager",
	"user.managerLoop":      "manager",
	"user.badEmail":         "email",
	"user.badMobile":        "mobile",
	"apiKey.noRole":         "role",
	"apiKey.longName":       "name",
	"apiKey.expiryFuture":   "expiresAt",
}

// userResolvers serve the users API: me for everyone signed in; users,
// createUser and updateUser for administrators; changePassword for users.
func (s *execSchema) userResolvers(query, mutation map[string]resolver) {
	eng := s.srv.directory
	query["me"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		a := fc.req.actor
		role := a.Role
		if a.Admin {
			role = engine.AdminRole
		}
		me := map[string]any{"id": a.ID, "tenant": a.TenantID, "role": role, "admin": a.Admin,
			"username": nil, "displayName": nil, "email": nil, "mobile": nil, "mustChangePassword": a.MustChangePassword}
		if fc.selects("username") || fc.selects("displayName") || fc.selects("email") || fc.selects("mobile") {
			u, err := eng.CurrentUser(ctx)
			if err != nil {
				return nil, err
			}
			if u != nil {
				me["username"], me["displayName"] = u.Username, u.DisplayName
				me["email"], me["mobile"] = optString(u.Email), optString(u.Mobile)
			}
		}
		return me, nil
	}
	query["userDirectory"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		search, _ := fc.args["search"].(string)
		first := 0
		if n, ok := fc.args["first"].(int64); ok {
			if first = int(n); first == 0 {
				first = -1 // an explicit 0 is out of range, not the default
			}
		}
		entries, err := eng.UserDirectory(ctx, search, first)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(entries))
		for i := range entries {
			out[i] = &entries[i]
		}
		return out, nil
	}
	query["users"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		users, err := eng.Users(ctx, fc.req.actor.TenantID)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(users))
		for i := range users {
			out[i] = &users[i]
		}
		return out, nil
	}
	mutation["createUser"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		in, _ := fc.args["input"].(map[string]any)
		str := func(k string) string { s, _ := in[k].(string); return s }
		temporary, _ := in["mustChangePassword"].(bool)
		u, err := eng.CreateUser(ctx, fc.req.actor.TenantID, engine.NewUser{Username: str("username"), DisplayName: str("displayName"),
			Password: str("password"), Role: str("role"), Manager: str("manager"), Team: str("team"), Email: str("email"), Mobile: str("mobile"),
			MustChangePassword: temporary})
		if err != nil {
			return nil, err
		}
		return &u, nil
	}
	mutation["updateUser"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := fc.req.requireAdmin(); err != nil {
			return nil, err
		}
		in, _ := fc.args["input"].(map[string]any)
		str := func(k string) *string {
			v, set := in[k]
			if !set {
				return nil
			}
			s, _ := v.(string) // null clears
			return &s
		}
		ch := engine.UserChange{DisplayName: str("displayName"), Role: str("role"), Manager: str("manager"), Team: str("team"), Password: str("password"),
			Email: str("email"), Mobile: str("mobile")}
		if v, ok := in["active"].(bool); ok {
			ch.Active = &v
		}
		if v, ok := in["mustChangePassword"].(bool); ok {
			ch.MustChangePassword = &v
		}
		u, err := eng.UpdateUser(ctx, fc.req.actor.TenantID, fc.args["username"].(string), ch)
		if err != nil {
			return nil, err
		}
		return &u, nil
	}
	mutation["changePassword"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		if err := eng.ChangePassword(ctx, fc.args["current"].(string), fc.args["new"].(string)); err != nil {
			return nil, err
		}
		return true, nil
	}
}

// directoryResolvers serve DirectoryUser.
func directoryResolvers() map[string]resolver {
	d := func(p any) *engine.DirectoryEntry { return p.(*engine.DirectoryEntry) }
	return map[string]resolver{
		"username":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return d(p).Username, nil },
		"displayName": func(_ context.Context, p any, _ *fieldCall) (any, error) { return d(p).DisplayName, nil },
		"team":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(d(p).Team), nil },
	}
}

// userTypeResolvers serve User and Me.
func userTypeResolvers() (user, me map[string]resolver) {
	u := func(p any) *engine.User { return p.(*engine.User) }
	user = map[string]resolver{
		"username":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return u(p).Username, nil },
		"displayName": func(_ context.Context, p any, _ *fieldCall) (any, error) { return u(p).DisplayName, nil },
		"role":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return u(p).Role, nil },
		"manager":     func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(u(p).Manager), nil },
		"team":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(u(p).Team), nil },
		"email":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(u(p).Email), nil },
		"mobile":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(u(p).Mobile), nil },
		"active":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return u(p).Active, nil },
		"mustChangePassword": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return u(p).MustChangePassword, nil
		},
		"createdAt": func(_ context.Context, p any, _ *fieldCall) (any, error) { return outDateTime(u(p).CreatedAt), nil },
	}
	m := func(p any, k string) any { return p.(map[string]any)[k] }
	me = map[string]resolver{}
	for _, k := range []string{"id", "tenant", "role", "admin", "username", "displayName", "email", "mobile", "mustChangePassword"} {
		me[k] = func(_ context.Context, p any, _ *fieldCall) (any, error) { return m(p, k), nil }
	}
	return user, me
}

const userSDL = `
"A person who signs in to the tenant."
type User {
  username: String!
  displayName: String!
  "admin or one of the tenant's roles"
  role: String!
  "The user name of the user's manager, who sees and changes what the user owns."
  manager: String
  "The user's team, whose members read each other's records of private objects."
  team: String
  "Where e-mail notifications reach the user."
  email: String
  "Where WeCom, DingTalk and Feishu notifications @mention the user."
  mobile: String
  "Whether the user may sign in."
  active: Boolean!
  "Whether the user's password is temporary: until they change it, they may only call me and changePassword."
  mustChangePassword: Boolean!
  createdAt: DateTime!
}

"A colleague as everyone signed in sees them in the user directory."
type DirectoryUser {
  "Owners of records are user:<username>."
  username: String!
  "The name as shown; the user name when none is set."
  displayName: String!
  team: String
}

"Who is making this request."
type Me {
  "user:<name> for a signed-in user, key:<id> for an API key"
  id: String!
  tenant: String!
  role: String!
  admin: Boolean!
  "The signed-in user's name; null for an API key."
  username: String
  "The signed-in user's name as shown; null for an API key."
  displayName: String
  "The signed-in user's e-mail address (updateMyContact changes it); null for none or an API key."
  email: String
  "The signed-in user's mobile number; null for none or an API key."
  mobile: String
  "The password is temporary: until changePassword, every other field is FORBIDDEN (extensions.reason PASSWORD_CHANGE_REQUIRED)."
  mustChangePassword: Boolean!
}

input NewUserInput {
  username: String!
  displayName: String
  "At least 10 characters."
  password: String!
  "admin (the default) or one of the tenant's roles"
  role: String
  manager: String
  team: String
  email: String
  "6 to 15 digits, with + and the country code outside China; spaces and hyphens are dropped."
  mobile: String
  "The password is temporary: the user must change it at their first sign-in."
  mustChangePassword: Boolean
}

"Fields present are changed; null clears manager or team. A password or active: false ends the user's sessions."
input UserChangeInput {
  displayName: String
  role: String
  manager: String
  team: String
  "null clears it"
  email: String
  "null clears it"
  mobile: String
  active: Boolean
  password: String
  "Set with a new password that the user must change at their next sign-in; false lifts the demand."
  mustChangePassword: Boolean
}
`

// passwordChangeFields are the root fields a session with a temporary
// password may call.
var passwordChangeFields = map[string]bool{"me": true, "changePassword": true}

// guardPasswordChange wraps every other root field so that a session
// whose password is temporary gets FORBIDDEN with reason
// PASSWORD_CHANGE_REQUIRED until the user changes it.
func guardPasswordChange(root map[string]resolver) {
	for name, res := range root {
		if passwordChangeFields[name] {
			continue
		}
		root[name] = func(ctx context.Context, parent any, fc *fieldCall) (any, error) {
			if fc.req.actor.MustChangePassword {
				return nil, passwordChangeRequired(fc.req.lang)
			}
			return res(ctx, parent, fc)
		}
	}
}

func passwordChangeRequired(lang string) *Error {
	e := forbidden(lang, "request.passwordFirst")
	e.Ext = map[string]any{"reason": "PASSWORD_CHANGE_REQUIRED"}
	return e
}
