package server

import (
	"context"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crmkit/crm/engine"
)

// SignOns signs users in with WeCom, DingTalk or Feishu (engine/signon.go).
type SignOns interface {
	EnabledSignOns(ctx context.Context, tenantID string) ([]string, error)
	StartSignOn(ctx context.Context, tenantID, provider string) (engine.SignOnStart, error)
	StartSignOnLink(ctx context.Context, provider string) (engine.SignOnStart, error)
	FinishSignOn(ctx context.Context, provider, ticket, state, code string) (engine.SignOnResult, error)
}

// signOnCookie keeps a started sign-in's sealed ticket in the browser
// until the provider sends it back; only the callback reads it.
const (
	signOnCookie     = "crm_sso"
	signOnCookiePath = "/auth/sso/"
)

// signOnRoutes serve the sign-in with a provider:
//
//	GET  /auth/sso/providers?tenant=T       → {"providers": ["wecom", ...]} (switched on)
//	GET  /auth/sso/:provider/start?tenant=T → 302 to the provider's page, ticket cookie set
//	POST /auth/sso/:provider/link           → {"url": ...} (a signed-in user, with X-CSRF-Token)
//	GET  /auth/sso/:provider/callback       → 302 to the web app with the session cookie
//
// Failures of start and callback, which a browser opens, answer a short
// page saying what went wrong with a link back to the sign-in page.
//
// What fiber gives (query, parameters, cookies) lives in a buffer the next
// request reuses: it is cloned before the engine keeps any of it.
func (s *Server) signOnRoutes() {
	s.app.Get("/auth/sso/providers", s.signOnProviders)
	s.app.Get("/auth/sso/:provider/start", s.signOnStart)
	s.app.Post("/auth/sso/:provider/link", s.authEndpoint, func(c *fiber.Ctx) error {
		c.SetUserContext(engine.WithRequest(c.UserContext()))
		return c.Next()
	}, s.sessionAuth, s.signOnLink)
	s.app.Get("/auth/sso/:provider/callback", s.signOnCallback)
}

func (s *Server) signOnProviders(c *fiber.Ctx) error {
	list, err := s.cfg.SignOns.EnabledSignOns(c.UserContext(), strings.Clone(c.Query("tenant")))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"providers": list})
}

func (s *Server) setTicket(c *fiber.Ctx, st engine.SignOnStart) {
	c.Cookie(&fiber.Cookie{Name: signOnCookie, Value: st.Ticket, Path: signOnCookiePath, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https", Expires: st.ExpiresAt})
}

func (s *Server) signOnStart(c *fiber.Ctx) error {
	tenant := strings.Clone(c.Query("tenant"))
	if tenant == "" {
		return s.signOnFailed(c, fiber.StatusBadRequest, say(c, "sso.noTenant"), "")
	}
	st, err := s.cfg.SignOns.StartSignOn(c.UserContext(), tenant, strings.Clone(c.Params("provider")))
	if err != nil {
		return s.signOnError(c, err, "")
	}
	s.setTicket(c, st)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect(st.URL, fiber.StatusFound)
}

func (s *Server) signOnLink(c *fiber.Ctx) error {
	st, err := s.cfg.SignOns.StartSignOnLink(c.UserContext(), strings.Clone(c.Params("provider")))
	if err != nil {
		return err
	}
	s.setTicket(c, st)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"url": st.URL})
}

func (s *Server) signOnCallback(c *fiber.Ctx) error {
	ticket := strings.Clone(c.Cookies(signOnCookie))
	// The ticket is good once: the cookie goes whatever happens.
	c.Cookie(&fiber.Cookie{Name: signOnCookie, Value: "", Path: signOnCookiePath, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0)})
	c.Set(fiber.HeaderCacheControl, "no-store")
	res, err := s.cfg.SignOns.FinishSignOn(c.UserContext(), strings.Clone(c.Params("provider")), ticket, strings.Clone(c.Query("state")), strings.Clone(c.Query("code")))
	if err != nil {
		return s.signOnError(c, err, res.AppURL)
	}
	if res.Linked {
		return c.Redirect(res.AppURL+"/me?linked="+url.QueryEscape(res.Provider), fiber.StatusFound)
	}
	sess := res.Session
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: c.Protocol() == "https", Expires: sess.ExpiresAt})
	return c.Redirect(res.AppURL+"/", fiber.StatusFound)
}

// signOnError answers an engine error of a browser's sign-in as a page.
func (s *Server) signOnError(c *fiber.Ctx, err error, appURL string) error {
	status := fiber.StatusBadRequest
	switch engine.CodeOf(err) {
	case engine.CodeUnauthenticated:
		status = fiber.StatusUnauthorized
	case engine.CodeForbidden:
		status = fiber.StatusForbidden
	case engine.CodeRateLimited:
		status = fiber.StatusTooManyRequests
	case engine.CodeConflict:
		status = fiber.StatusConflict
	case engine.CodeUnavailable:
		status = fiber.StatusServiceUnavailable
		c.Set(fiber.HeaderRetryAfter, "1")
	case engine.CodeBadRequest, engine.CodeValidation:
	default:
		return err // the error handler logs and answers it
	}
	return s.signOnFailed(c, status, engine.PublicMessage(err, langOf(c)), appURL)
}

// signOnFailed answers a small page: what went wrong, and a link back to
// the sign-in page of the web app (the configured address, else this
// server's).
func (s *Server) signOnFailed(c *fiber.Ctx, status int, msg, appURL string) error {
	back := appURL + "/"
	title := say(c, "sso.failedTitle")
	page := "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>" +
		html.EscapeString(title) + "</title></head><body style=\"font-family:sans-serif;max-width:36em;margin:4em auto;padding:0 1em\"><h1>" +
		html.EscapeString(title) + "</h1><p id=\"sso-error\">" + html.EscapeString(msg) + "</p><p><a href=\"" + html.EscapeString(back) + "\">" +
		html.EscapeString(say(c, "sso.backToSignIn")) + "</a></p></body></html>"
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	return c.Status(status).SendString(page)
}
