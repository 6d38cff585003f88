package server

import (
	"crypto/subtle"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crmkit/crm/engine"
)

// login signs a user in: {tenant, username, password} → the session
// cookie (HttpOnly, SameSite=Lax, Secure over TLS) and, in the body, the
// CSRF token that cookie-authenticated writes send as X-CSRF-Token.
func (s *Server) login(c *fiber.Ctx) error {
	var in struct {
		Tenant, Username, Password string
	}
	if err := c.BodyParser(&in); err != nil || in.Tenant == "" || in.Username == "" {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": "send {tenant, username, password}", "code": engine.CodeBadRequest})
	}
	sess, err := s.cfg.Sessions.SignIn(c.UserContext(), in.Tenant, in.Username, in.Password)
	if err != nil {
		return err // the error handler answers 401 or 429
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
		return unauthenticated(c, "not signed in", "未登录")
	}
	sess, err := s.cfg.Sessions.SessionOf(c.UserContext(), token)
	if err != nil {
		if engine.CodeOf(err) == engine.CodeUnauthenticated {
			return unauthenticated(c, engine.PublicMessage(err, "en"), engine.PublicMessage(err, "zh"))
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
			return unauthenticated(c, engine.PublicMessage(err, "en"), engine.PublicMessage(err, "zh"))
		}
		return err
	}
	if c.Method() != fiber.MethodGet {
		sent := strings.TrimSpace(c.Get("X-CSRF-Token"))
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(csrf)) != 1 {
			msg := "missing or wrong X-CSRF-Token header"
			if !preferEnglish(c) {
				msg = "缺少或错误的 X-CSRF-Token 请求头"
			}
			return c.Status(fiber.StatusForbidden).JSON(fiber.Map{
				"errors": []fiber.Map{{"message": msg, "extensions": fiber.Map{"code": engine.CodeForbidden}}},
			})
		}
	}
	if ok, wait := s.keyLimit.take(actor.TenantID + "\x00" + actor.ID); !ok {
		return tooMany(c, wait, "too many requests for this user; try again later", "该用户请求过于频繁，请稍后再试")
	}
	c.SetUserContext(engine.WithActor(c.UserContext(), actor))
	return c.Next()
}
