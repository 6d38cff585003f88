package server

import (
	"crypto/subtle"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crmkit/crm/engine"
)

// authBodyLimit bounds the body of the sign-in and sign-out endpoints,
// which anyone may call: a tenant id, a user name and a password fit in
// far less.
const authBodyLimit = 8 << 10

// login signs a user in: a JSON body {tenant, username, password} → the
// session cookie (HttpOnly, SameSite=Lax, Secure over TLS) and, in the
// body, the CSRF token that cookie-authenticated writes send as
// X-CSRF-Token. Only JSON is accepted, and only from the server's own
// origin (or Config.AllowedOrigins) when the browser says where the
// request comes from: a form posted from another site cannot sign the
// victim's browser into the attacker's account (login CSRF).
func (s *Server) login(c *fiber.Ctx) error {
	if !c.Is("json") {
		return c.Status(fiber.StatusUnsupportedMediaType).JSON(fiber.Map{
			"error": say(c, "session.signInNotJSON"),
			"code":  engine.CodeBadRequest})
	}
	var in struct {
		Tenant   string `json:"tenant"`
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.Unmarshal(c.Body(), &in); err != nil || in.Tenant == "" || in.Username == "" {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{
			"error": say(c, "session.badSignIn"),
			"code":  engine.CodeBadRequest})
	}
	sess, err := s.cfg.Sessions.SignIn(c.UserContext(), in.Tenant, in.Username, in.Password)
	if err != nil {
		if engine.CodeOf(err) == engine.CodeUnavailable {
			c.Set(fiber.HeaderRetryAfter, "1")
		}
		return err // the error handler answers 400, 401, 429 or 503
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: c.Protocol() == "https", Expires: sess.ExpiresAt})
	return sessionAnswer(c, sess)
}

// session answers, for a page that was reloaded, who is signed in with
// the session cookie: the same body as login's, with the session's CSRF
// token. It is a same-origin GET without CORS headers, so another site
// cannot read the token; the answer is never cached.
func (s *Server) session(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	if token == "" {
		return unauthenticated(c, say(c, "session.notSignedIn"))
	}
	sess, err := s.cfg.Sessions.SessionOf(c.UserContext(), token)
	if err != nil {
		if engine.CodeOf(err) == engine.CodeUnauthenticated {
			return unauthenticated(c, engine.PublicMessage(err, langOf(c)))
		}
		return err
	}
	return sessionAnswer(c, sess)
}

// sessionAnswer is the body of login and session: {user: {username,
// displayName, role}, tenant, csrfToken, expiresAt, mustChangePassword}.
func sessionAnswer(c *fiber.Ctx, sess *engine.Session) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{
		"user":               fiber.Map{"username": sess.User.Username, "displayName": sess.User.DisplayName, "role": sess.User.Role},
		"tenant":             sess.Tenant,
		"csrfToken":          sess.CSRF,
		"expiresAt":          sess.ExpiresAt.UTC().Format(time.RFC3339),
		"mustChangePassword": sess.User.MustChangePassword,
	})
}

// authEndpoint guards the endpoints anyone may call before signing in:
// a small body, and a request from the server's own origin (or an allowed
// one) when the browser names its origin. Requests without an Origin
// header (curl, scripts, other servers) pass, unless the browser's
// Sec-Fetch-Site says they come from another site.
func (s *Server) authEndpoint(c *fiber.Ctx) error {
	if len(c.Body()) > authBodyLimit {
		return c.Status(fiber.StatusRequestEntityTooLarge).JSON(fiber.Map{
			"error": say(c, "session.bodyTooLarge", authBodyLimit),
			"code":  engine.CodeBadRequest})
	}
	if !s.sameOrigin(c) {
		return c.Status(fiber.StatusForbidden).JSON(fiber.Map{
			"error": say(c, "session.crossSite"),
			"code":  engine.CodeForbidden})
	}
	return c.Next()
}

// sameOrigin reports whether the request comes from the server's own
// origin or one of Config.AllowedOrigins, as far as the browser says.
func (s *Server) sameOrigin(c *fiber.Ctx) bool {
	origin := strings.TrimSpace(c.Get(fiber.HeaderOrigin))
	if origin == "" {
		return c.Get("Sec-Fetch-Site") != "cross-site"
	}
	own := c.Protocol() + "://" + c.Hostname()
	if strings.EqualFold(origin, own) {
		return true
	}
	for _, o := range s.cfg.AllowedOrigins {
		if strings.EqualFold(origin, strings.TrimRight(o, "/")) {
			return true
		}
	}
	return false // "null" (sandboxed pages, file:), other sites
}

func (s *Server) logout(c *fiber.Ctx) error {
	if token := c.Cookies(sessionCookie); token != "" {
		if err := s.cfg.Sessions.SignOut(c.UserContext(), token); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0)})
	return c.SendStatus(fiber.StatusNoContent)
}

// sessionAuth authenticates by the session cookie. A POST — which may
// change data — must carry the session's CSRF token in the X-CSRF-Token
// header (never in the query string), so that another site cannot make
// the browser write with its cookie (H10).
func (s *Server) sessionAuth(c *fiber.Ctx) error {
	actor, csrf, err := s.cfg.Sessions.AuthenticateSession(c.UserContext(), c.Cookies(sessionCookie))
	if err != nil {
		if engine.CodeOf(err) == engine.CodeUnauthenticated {
			return unauthenticated(c, engine.PublicMessage(err, langOf(c)))
		}
		return err
	}
	if c.Method() != fiber.MethodGet {
		sent := strings.TrimSpace(c.Get("X-CSRF-Token"))
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(csrf)) != 1 {
			return c.Status(fiber.StatusForbidden).JSON(fiber.Map{
				"errors": []fiber.Map{{"message": say(c, "session.badCSRF"), "extensions": fiber.Map{"code": engine.CodeForbidden}}},
			})
		}
	}
	if ok, wait := s.admit(c.UserContext(), actor); !ok {
		return tooMany(c, wait, say(c, "server.tooManyForUser"))
	}
	c.SetUserContext(engine.WithActor(c.UserContext(), actor))
	return c.Next()
}
