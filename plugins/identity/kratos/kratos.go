// Package kratos is the production identity provider: Ory Kratos, asked
// through github.com/ory/client-go (FrontendAPI.ToSession) with the browser's
// cookie or a native session token. Lookups are cached briefly and limited
// per client (cache.go); the self-service flows are fetched for the
// platform's own pages (flows.go).
package kratos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	ory "github.com/ory/client-go"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/route"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "identity.kratos", New: func() app.Module { return new(Kratos) }})
}

// Kratos authenticates against an Ory Kratos public API.
type Kratos struct {
	PublicURL  string // server-to-server URL of the public API
	BrowserURL string // the same API as browsers reach it
	client     *ory.APIClient
	http       *http.Client
	now        func() time.Time
	cache      *sessionCache
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
	k.http = &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cfg := ory.NewConfiguration()
	cfg.Servers = ory.ServerConfigurations{{URL: k.PublicURL}}
	cfg.HTTPClient = k.http
	cfg.UserAgent = "masseflyt"
	k.client = ory.NewAPIClient(cfg)
	// Kratos stamps sessions on its own, real clock: they are judged on the
	// machine's clock, not on the platform clock MASSEFLYT_NOW may move in
	// development (a shifted clock would expire every fresh session).
	k.now = clock.Real
	k.cache = newSessionCache()
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

// kratosCookies is the part of a Cookie header Kratos reads: its session
// cookie (and Ory Network's), nothing else of the browser's.
func kratosCookies(h string) string {
	var keep []string
	for _, part := range strings.Split(h, ";") {
		p := strings.TrimSpace(part)
		if strings.HasPrefix(p, "ory_kratos_session=") || strings.HasPrefix(p, "ory_session_") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "; ")
}

// Authenticate asks Kratos whom the credentials belong to: from the cache
// when it answered lately, and at most a few times a minute per client for
// credentials it has not seen.
func (k *Kratos) Authenticate(ctx context.Context, c auth.Credentials) (*auth.Session, error) {
	cookie := kratosCookies(c.CookieHeader)
	if c.SessionToken == "" && cookie == "" {
		return nil, nil
	}
	key := cacheKey(c.SessionToken, cookie)
	if s, err, ok := k.cache.get(key); ok {
		return s, err
	}
	if !k.cache.allow(c.ClientIP) {
		return nil, nil // too many unknown credentials from this client: anonymous, no call
	}
	s, ttl, err := k.whoami(ctx, c.SessionToken, cookie)
	if !errors.Is(err, auth.ErrProviderUnavailable) {
		k.cache.put(key, s, err, ttl)
	}
	return s, err
}

// Forget drops the cached answer for the credentials: the platform's
// self-service pages call it, since a login, step-up or verification
// changes the session behind the same cookie.
func (k *Kratos) Forget(c auth.Credentials) {
	k.cache.forget(cacheKey(c.SessionToken, kratosCookies(c.CookieHeader)))
}

// Calls is how many times Kratos was asked for a session (tests, metrics).
func (k *Kratos) Calls() int64 { return k.cache.calls.Load() }

// Cache lifetimes: a valid session until shortly before it expires, at
// most maxPositive; an invalid one negatively for negative.
const (
	maxPositive = 60 * time.Second
	expirySlack = 30 * time.Second
	negative    = 15 * time.Second
)

// errorBody is Kratos' JSON error (herodot), with the redirect it suggests.
type errorBody struct {
	Error struct {
		ID     string `json:"id"`
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"error"`
	RedirectBrowserTo string `json:"redirect_browser_to"`
	UseFlowID         string `json:"use_flow_id"`
}

func (k *Kratos) whoami(ctx context.Context, token, cookie string) (*auth.Session, time.Duration, error) {
	k.cache.calls.Add(1)
	req := k.client.FrontendAPI.ToSession(ctx)
	if token != "" {
		req = req.XSessionToken(token)
	} else {
		req = req.Cookie(cookie)
	}
	s, resp, err := req.Execute()
	if resp != nil && resp.StatusCode == http.StatusForbidden {
		var eb errorBody
		if oerr, ok := err.(*ory.GenericOpenAPIError); ok {
			_ = json.Unmarshal(oerr.Body(), &eb)
		}
		if eb.Error.ID == "session_aal2_required" {
			return nil, negative, auth.ErrStepUpRequired
		}
		return nil, negative, nil
	}
	if resp != nil && resp.StatusCode == http.StatusUnauthorized {
		return nil, negative, nil // no session: anonymous
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", auth.ErrProviderUnavailable, err)
	}
	out, err := k.sessionFrom(s)
	if err != nil || out == nil {
		return out, negative, err
	}
	ttl := maxPositive
	if !out.Expires.IsZero() {
		ttl = min(ttl, out.Expires.Sub(k.now())-expirySlack)
	}
	return out, max(ttl, 0), nil
}

func (k *Kratos) sessionFrom(s *ory.Session) (*auth.Session, error) {
	if s == nil || s.Identity == nil || (s.Active != nil && !*s.Active) {
		return nil, nil
	}
	if s.ExpiresAt != nil && k.now().After(*s.ExpiresAt) {
		return nil, nil
	}
	out := &auth.Session{Subject: s.Identity.Id, AAL: "aal1", ID: s.Id}
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
	// The address counts once Kratos verified it (T15).
	for _, va := range s.Identity.VerifiableAddresses {
		if va.Verified && strings.EqualFold(va.Value, out.Email) {
			out.EmailVerified = true
		}
	}
	if out.Subject == "" {
		return nil, errors.New("kratos: session without identity id")
	}
	return out, nil
}

// LoginURL is the platform's login page, which starts a Kratos browser
// login flow returning to returnTo.
func (k *Kratos) LoginURL(returnTo string) string {
	return "/login?return_to=" + url.QueryEscape(returnTo)
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
	cookie := kratosCookies(c.Get(fiber.HeaderCookie))
	k.cache.forget(cacheKey("", cookie))
	// Kratos wants an absolute return address (checked against its
	// allowed_return_urls); a local path is made one on this host.
	rt := c.Query("return_to")
	if strings.HasPrefix(rt, "/") {
		rt = c.BaseURL() + httpx.SafePath(rt)
	}
	flow, _, err := k.client.FrontendAPI.CreateBrowserLogoutFlow(c.UserContext()).Cookie(c.Get(fiber.HeaderCookie)).ReturnTo(rt).Execute()
	if err != nil || flow == nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return c.Redirect(flow.LogoutUrl, fiber.StatusSeeOther)
}

// getJSON asks Kratos' public API and decodes a 200 into v; any other
// answer is a *auth.FlowError (or ErrProviderUnavailable).
func (k *Kratos) getJSON(ctx context.Context, path string, q url.Values, cookie string, v any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", k.PublicURL+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := k.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", auth.ErrProviderUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 2<<20))
	if err != nil {
		return fmt.Errorf("%w: %v", auth.ErrProviderUnavailable, err)
	}
	if resp.StatusCode == http.StatusOK {
		return json.Unmarshal(body, v)
	}
	if resp.StatusCode >= 500 {
		return fmt.Errorf("%w: status %d", auth.ErrProviderUnavailable, resp.StatusCode)
	}
	var eb errorBody
	_ = json.Unmarshal(body, &eb)
	fe := &auth.FlowError{Status: resp.StatusCode, ErrorID: eb.Error.ID, Reason: eb.Error.Reason, RedirectTo: eb.RedirectBrowserTo, UseFlowID: eb.UseFlowID}
	if fe.ErrorID == "" {
		fe.ErrorID = map[int]string{404: "self_service_flow_not_found", 410: "self_service_flow_expired", 401: "session_inactive", 403: "security_csrf_violation"}[resp.StatusCode]
	}
	return fe
}

var (
	_ auth.Identity     = (*Kratos)(nil)
	_ auth.StepUp       = (*Kratos)(nil)
	_ auth.SelfService  = (*Kratos)(nil)
	_ auth.SessionCache = (*Kratos)(nil)
)
