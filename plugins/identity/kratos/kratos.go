// Package kratos is the production identity provider: Ory Kratos, asked
// through github.com/ory/client-go (FrontendAPI.ToSession) with the browser's
// cookie or a native session token.
package kratos

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/route"

	"github.com/gofiber/fiber/v2"
	ory "github.com/ory/client-go"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "identity.kratos", New: func() app.Module { return new(Kratos) }})
}

// Kratos authenticates against an Ory Kratos public API.
type Kratos struct {
	PublicURL  string // server-to-server URL of the public API
	BrowserURL string // the same API as browsers reach it
	client     *ory.APIClient
}

// Provision reads the Kratos URLs.
func (k *Kratos) Provision(a *app.App) error {
	k.PublicURL = strings.TrimRight(a.Config.Setting("MASSEFLYT_KRATOS_URL", "http://127.0.0.1:4433"), "/")
	k.BrowserURL = strings.TrimRight(a.Config.Setting("MASSEFLYT_KRATOS_BROWSER_URL", ""), "/")
	if k.BrowserURL == "" {
		k.BrowserURL = k.PublicURL
	}
	k.init()
	return nil
}

func (k *Kratos) init() {
	cfg := ory.NewConfiguration()
	cfg.Servers = ory.ServerConfigurations{{URL: k.PublicURL}}
	cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	cfg.UserAgent = "masseflyt"
	k.client = ory.NewAPIClient(cfg)
}

// New returns a Kratos client for a public API URL (tests, tools).
func New(publicURL string) *Kratos {
	k := &Kratos{PublicURL: strings.TrimRight(publicURL, "/"), BrowserURL: strings.TrimRight(publicURL, "/")}
	k.init()
	return k
}

// Validate checks the URLs.
func (k *Kratos) Validate() error {
	if err := app.CheckURL("MASSEFLYT_KRATOS_URL", k.PublicURL); err != nil {
		return err
	}
	return app.CheckURL("MASSEFLYT_KRATOS_BROWSER_URL", k.BrowserURL)
}

// hasKratosCookie avoids a round trip for requests that carry no Kratos session.
func hasKratosCookie(h string) bool {
	return strings.Contains(h, "ory_kratos_session") || strings.Contains(h, "ory_session_")
}

// Authenticate asks Kratos whom the credentials belong to.
func (k *Kratos) Authenticate(ctx context.Context, c auth.Credentials) (*auth.Session, error) {
	if c.SessionToken == "" && !hasKratosCookie(c.CookieHeader) {
		return nil, nil
	}
	req := k.client.FrontendAPI.ToSession(ctx)
	if c.SessionToken != "" {
		req = req.XSessionToken(c.SessionToken)
	} else {
		req = req.Cookie(c.CookieHeader)
	}
	s, resp, err := req.Execute()
	if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		return nil, nil // no session, or one needing a higher AAL: anonymous
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", auth.ErrProviderUnavailable, err)
	}
	return sessionFrom(s)
}

func sessionFrom(s *ory.Session) (*auth.Session, error) {
	if s == nil || s.Identity == nil || (s.Active != nil && !*s.Active) {
		return nil, nil
	}
	if s.ExpiresAt != nil && time.Now().After(*s.ExpiresAt) {
		return nil, nil
	}
	out := &auth.Session{Subject: s.Identity.Id, AAL: "aal1"}
	if s.AuthenticatorAssuranceLevel != nil {
		out.AAL = string(*s.AuthenticatorAssuranceLevel)
	}
	if s.ExpiresAt != nil {
		out.Expires = *s.ExpiresAt
	}
	if traits, ok := s.Identity.Traits.(map[string]any); ok {
		out.Email, _ = traits["email"].(string)
		switch n := traits["name"].(type) {
		case string:
			out.Name = n
		case map[string]any:
			first, _ := n["first"].(string)
			last, _ := n["last"].(string)
			out.Name = strings.TrimSpace(first + " " + last)
		}
	}
	if out.Subject == "" {
		return nil, errors.New("kratos: session without identity id")
	}
	return out, nil
}

// LoginURL starts a Kratos browser login flow that returns to returnTo.
func (k *Kratos) LoginURL(returnTo string) string {
	return k.BrowserURL + "/self-service/login/browser?return_to=" + url.QueryEscape(returnTo)
}

// LogoutURL is the app route that creates a Kratos logout flow.
func (k *Kratos) LogoutURL(returnTo string) string {
	return "/auth/logout?return_to=" + url.QueryEscape(returnTo)
}

// SecondFactorURL asks Kratos to step the session up to AAL2.
func (k *Kratos) SecondFactorURL(returnTo string) string {
	return k.BrowserURL + "/self-service/login/browser?aal=aal2&return_to=" + url.QueryEscape(returnTo)
}

// Routes is /auth/logout, which turns the browser's cookie into a Kratos
// logout URL; open to anyone.
func (k *Kratos) Routes() []route.Route {
	return []route.Route{{Method: "GET", Path: "/auth/logout", Perm: access.Anyone, Handler: k.logout}}
}

func (k *Kratos) logout(c *fiber.Ctx) error {
	flow, _, err := k.client.FrontendAPI.CreateBrowserLogoutFlow(c.UserContext()).Cookie(c.Get(fiber.HeaderCookie)).Execute()
	if err != nil || flow == nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return c.Redirect(flow.LogoutUrl, fiber.StatusSeeOther)
}

var _ auth.Identity = (*Kratos)(nil)
