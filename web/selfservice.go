package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
	"github.com/masseflyt/masseflyt/tenants"
)

// The self-service pages (issue 11): Kratos has no UI of its own, so it
// sends the browser to these pages with ?flow=ID. Each page fetches the
// flow and renders its UI nodes generically, group by group, so whatever
// Kratos offers (password, TOTP, WebAuthn and passkeys, recovery codes,
// OIDC providers such as ID-porten) shows without code here; the forms
// post straight to Kratos with its CSRF token node. Without ?flow the page
// starts a new browser flow at Kratos. They are served on every host: a
// region's own host (its branding), the platform's host (the region is
// read from the flow's return_to) and under /t/{slug}/.

// selfServicePaths are the pages, by flow kind; /error shows Kratos' errors.
var selfServicePaths = append(append([]string(nil), auth.FlowKinds...), "error")

// selfServiceShared is the pages' group on the shared routes (a group
// without Use: its handlers run per route, not for every path).
func (u *UI) selfServiceShared() route.Group {
	return u.selfServiceGroup("", []fiber.Handler{app.RateLimit(u.A.Config.UIRateLimit), u.A.Authenticate})
}

// selfServiceTenant is the same pages under /t/{tenant}.
func (u *UI) selfServiceTenant() route.Group {
	return u.selfServiceGroup("/t/:tenant", []fiber.Handler{app.RateLimit(u.A.Config.UIRateLimit), u.A.TenantMiddleware, u.A.Authenticate})
}

// selfServiceGroup is the pages behind before, and the settings page's
// own form (POST /settings/sessions: log out other devices), which
// carries the platform's CSRF token (the settings page gets one).
func (u *UI) selfServiceGroup(prefix string, before []fiber.Handler) route.Group {
	g := route.Group{Prefix: prefix, Check: []fiber.Handler{u.CSRFForm()}}
	withCSRF := append(append([]fiber.Handler(nil), before...), u.CSRF())
	for _, k := range selfServicePaths {
		b := before
		if k == "settings" {
			b = withCSRF
		}
		g.Routes = append(g.Routes, route.Route{Method: "GET", Path: "/" + k, Perm: access.Anyone, Handler: u.selfService(k), Before: b})
	}
	g.Routes = append(g.Routes, route.Route{Method: "POST", Path: "/settings/sessions", Perm: access.Anyone, Handler: u.endSessions, Before: withCSRF})
	return g
}

var flowIDRe = regexp.MustCompile(`^[0-9a-fA-F-]{36}$`)

// flowView is what auth_flow.html renders.
type flowView struct {
	Kind     string
	Heading  string
	Intro    string
	StepUp   bool
	Messages []flowMsg
	Forms    []flowForm
	Scripts  []auth.NodeAttrs
	Links    []flowLink
	Nonce    string
	// Problem is set when no flow could be shown: a message and a link to
	// start again.
	Problem  string
	Restart  string
	Expired  bool
	ReturnTo string
	// Sessions is the settings page's list of the person's other
	// sessions (providers with auth.Sessions); SessionsShown says the
	// section is shown, SessionsDown that the provider did not answer,
	// Ended how many the last request logged out (-1: none asked).
	Sessions      []auth.DeviceSession
	SessionsShown bool
	SessionsDown  bool
	Ended         int
	FlowID        string
	SessionsPath  string
}

type flowMsg struct{ Text, Type string }

type flowLink struct{ Href, Text string }

type flowForm struct {
	Group  string
	Legend string
	Action string
	Method string
	Nodes  []flowNode
}

type flowNode struct {
	Kind, ID, Name, Type, Value, Label, Autocomplete, Pattern string
	Required, Disabled                                        bool
	Text, Href, Title, Trigger                                string
	// Src is an image's address: Kratos' data: URI of the TOTP QR code.
	Src           template.URL
	Width, Height int
	Messages      []flowMsg
}

// groupOrder is how the groups follow each other on a page.
var groupOrder = []string{"profile", "identifier_first", "password", "code", "passkey", "webauthn", "totp", "lookup_secret", "oidc", "captcha"}

func (u *UI) selfService(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ss, ok := u.A.Identity.(auth.SelfService)
		if !ok {
			// The demo identity has its own picker.
			if kind == "login" {
				return c.Redirect(u.A.Identity.LoginURL(httpx.SafePath(c.Query("return_to"))), fiber.StatusSeeOther)
			}
			return httpx.NotFound()
		}
		t := request.Tenant(c)
		if t == nil {
			t, _ = u.A.Tenants.ByHost(c.Hostname())
		}
		if kind == "error" {
			u.regionLanguage(c, t)
			return u.selfServiceError(c, ss, t)
		}
		id := c.Query("flow")
		if id == "" {
			return c.Redirect(ss.StartURL(kind, u.startQuery(c, kind, t)), fiber.StatusSeeOther)
		}
		u.regionLanguage(c, t)
		v := &flowView{Kind: kind, Restart: u.selfPath(t, kind)}
		if !flowIDRe.MatchString(id) {
			return u.flowProblem(c, t, v, 400, "AuthFlowUnknown")
		}
		f, err := ss.Flow(c.UserContext(), kind, id, c.Get(fiber.HeaderCookie))
		var fe *auth.FlowError
		switch {
		case errors.As(err, &fe):
			switch {
			case fe.ErrorID == "self_service_flow_expired" && flowIDRe.MatchString(fe.UseFlowID):
				return c.Redirect(u.selfPath(t, kind)+"?flow="+fe.UseFlowID, fiber.StatusSeeOther)
			case fe.ErrorID == "self_service_flow_expired":
				v.Expired = true
				return u.flowProblem(c, t, v, 410, "AuthFlowExpired")
			case fe.ErrorID == "session_aal2_required" && strings.HasPrefix(fe.RedirectTo, ss.Origin()+"/"):
				return c.Redirect(fe.RedirectTo, fiber.StatusSeeOther)
			case fe.Status == 401 || fe.ErrorID == "session_inactive":
				return c.Redirect(u.selfPath(t, "login")+"?return_to="+url.QueryEscape(u.selfPath(t, kind)), fiber.StatusSeeOther)
			case fe.ErrorID == "security_csrf_violation" || fe.Status == 403:
				return u.flowProblem(c, t, v, 403, "AuthFlowCSRF")
			default:
				return u.flowProblem(c, t, v, 404, "AuthFlowUnknown")
			}
		case err != nil:
			u.A.Log.Warn("self-service flow unavailable", "kind", kind, "err", err)
			return u.flowProblem(c, t, v, 503, "ErrIdentityUnavailable")
		}
		if t == nil {
			t = u.tenantOf(f.ReturnTo)
			u.regionLanguage(c, t)
		}
		u.buildFlow(httpx.Loc(c), v, f, t)
		if kind == "settings" {
			u.otherSessions(c, v, f.ID, t)
		}
		return u.renderFlow(c, t, v, 200, ss.Origin())
	}
}

// otherSessions adds the person's other sessions to the settings page.
func (u *UI) otherSessions(c *fiber.Ctx, v *flowView, flowID string, t *tenants.Tenant) {
	sm, ok := u.A.Identity.(auth.Sessions)
	if !ok {
		return
	}
	v.SessionsShown, v.FlowID, v.SessionsPath, v.Ended = true, flowID, u.selfPath(t, "settings")+"/sessions", -1
	if n, err := strconv.Atoi(c.Query("ended")); err == nil && n >= 0 {
		v.Ended = n
	}
	list, err := sm.OtherSessions(c.UserContext(), auth.Credentials{CookieHeader: c.Get(fiber.HeaderCookie)})
	if err != nil {
		u.A.Log.Warn("sessions unavailable", "err", err)
		v.SessionsDown = true
		return
	}
	v.Sessions = list
}

// endSessions logs out one of the person's other sessions (session_id) or all of
// them (all): Kratos has no browser form for it. Back to the same
// settings flow, which says how many were ended.
func (u *UI) endSessions(c *fiber.Ctx) error {
	sm, ok := u.A.Identity.(auth.Sessions)
	if !ok {
		return httpx.NotFound()
	}
	t := request.Tenant(c)
	if t == nil {
		t, _ = u.A.Tenants.ByHost(c.Hostname())
	}
	creds := auth.Credentials{CookieHeader: c.Get(fiber.HeaderCookie)}
	id, all := c.FormValue("session_id"), c.FormValue("all") == "1"
	if !all && !flowIDRe.MatchString(id) {
		v := &fail.Validation{}
		v.Add("session_id", "required", "ErrFieldRequired")
		return v.Err()
	}
	n, err := 1, error(nil)
	if all {
		n, err = sm.EndOtherSessions(c.UserContext(), creds)
	} else {
		err = sm.EndSession(c.UserContext(), creds, id)
	}
	settings := u.selfPath(t, "settings")
	var fe *auth.FlowError
	switch {
	case errors.As(err, &fe) && fe.Status == 401:
		return c.Redirect(u.selfPath(t, "login")+"?return_to="+url.QueryEscape(settings), fiber.StatusSeeOther)
	case errors.As(err, &fe):
		n = 0 // gone already, or this very session: nothing ended
	case err != nil:
		u.A.Log.Warn("sessions unavailable", "err", err)
		return httpx.NewError(503, "identity_unavailable", "ErrIdentityUnavailable")
	}
	if p := request.Principal(c); p != nil && p.User != nil {
		u.A.Log.Info("sessions ended", "user", p.User.ID, "count", n, "all", all)
	}
	q := url.Values{"ended": {strconv.Itoa(n)}}
	if f := c.FormValue("flow"); flowIDRe.MatchString(f) {
		q.Set("flow", f)
	}
	return c.Redirect(settings+"?"+q.Encode(), fiber.StatusSeeOther)
}

// origin is Kratos' browser origin.
func (u *UI) origin() string {
	if ss, ok := u.A.Identity.(auth.SelfService); ok {
		return ss.Origin()
	}
	return ""
}

// regionLanguage shows a region's page in its language unless the visitor
// chose one (as TenantMiddleware does for the region's other pages).
func (u *UI) regionLanguage(c *fiber.Ctx, t *tenants.Tenant) {
	if t == nil || c.Query("lang") != "" || c.Cookies("lang") != "" || !(httpx.WantsHTML(c) || c.Get(fiber.HeaderAcceptLanguage) == "") {
		return
	}
	if locales.IsSupported(t.DefaultLocale) && t.DefaultLocale != httpx.Loc(c).Lang {
		httpx.SetLoc(c, locales.New(u.A.Bundle, t.DefaultLocale))
	}
}

// startQuery is the new flow's query: a return address on this site (made
// absolute, as Kratos wants it), and for login the assurance level asked for.
func (u *UI) startQuery(c *fiber.Ctx, kind string, t *tenants.Tenant) url.Values {
	q := url.Values{}
	rt := c.Query("return_to")
	switch {
	case strings.HasPrefix(rt, "/") && !strings.HasPrefix(rt, "//"):
		q.Set("return_to", c.BaseURL()+httpx.SafePath(rt))
	case u.ownURL(rt):
		q.Set("return_to", rt)
	case t != nil:
		q.Set("return_to", c.BaseURL()+"/t/"+t.Slug+"/")
	}
	if kind == "login" {
		if aal := c.Query("aal"); aal == "aal2" || aal == "aal1" {
			q.Set("aal", aal)
		}
		if c.Query("refresh") == "true" {
			q.Set("refresh", "true")
		}
	}
	return q
}

// ownURL reports whether s is an absolute URL on the platform's or a
// region's host.
func (u *UI) ownURL(s string) bool {
	p, err := url.Parse(s)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.User != nil {
		return false
	}
	if pub, err := url.Parse(u.A.Config.PublicURL); err == nil && pub.Host == p.Host {
		return true
	}
	_, ok := u.A.Tenants.ByHost(p.Host)
	return ok
}

// tenantOf finds the region a flow returns to: by host, or /t/{slug}/.
func (u *UI) tenantOf(returnTo string) *tenants.Tenant {
	p, err := url.Parse(returnTo)
	if err != nil {
		return nil
	}
	if t, ok := u.A.Tenants.ByHost(p.Host); ok {
		return t
	}
	if rest, ok := strings.CutPrefix(p.Path, "/t/"); ok {
		slug, _, _ := strings.Cut(rest, "/")
		if t, ok := u.A.Tenants.BySlug(slug); ok {
			return t
		}
	}
	return nil
}

// selfPath is a self-service page's path for the region (or the platform).
func (u *UI) selfPath(t *tenants.Tenant, kind string) string {
	if t == nil {
		return "/" + kind
	}
	return "/t/" + t.Slug + "/" + kind
}

// kratosText translates a Kratos message by its ID where we have it, and
// keeps Kratos' English text otherwise.
func kratosText(l *locales.Localizer, m *auth.FlowMessage) string {
	if m == nil {
		return ""
	}
	id := fmt.Sprintf("Kratos%d", m.ID)
	if m.ID != 0 && l.Has(id) {
		var kv []any
		for k, v := range m.Context {
			if k == "" {
				continue
			}
			kv = append(kv, strings.ToUpper(k[:1])+k[1:], fmt.Sprint(v))
		}
		return l.T(id, kv...)
	}
	return m.Text
}

func msgs(l *locales.Localizer, in []auth.FlowMessage) []flowMsg {
	var out []flowMsg
	for i := range in {
		out = append(out, flowMsg{Text: kratosText(l, &in[i]), Type: in[i].Type})
	}
	return out
}

// buildFlow turns the flow's nodes into forms: one per group, each with
// the hidden default nodes (the CSRF token) and, but for OIDC, the visible
// default nodes (the identifier); script nodes go to the page's end.
func (u *UI) buildFlow(l *locales.Localizer, v *flowView, f *auth.Flow, t *tenants.Tenant) {
	v.Heading = l.T("AuthTitle_" + v.Kind)
	v.StepUp = v.Kind == "login" && f.RequestedAAL == "aal2"
	if v.StepUp {
		v.Heading = l.T("AuthTitle_stepup")
		v.Intro = l.T("AuthIntro_stepup")
	} else if l.Has("AuthIntro_" + v.Kind) {
		v.Intro = l.T("AuthIntro_" + v.Kind)
	}
	v.Messages = msgs(l, f.UI.Messages)
	var hidden, visible []auth.Node
	groups := map[string][]auth.Node{}
	for _, n := range f.UI.Nodes {
		switch {
		case n.Type == "script":
			// Only Kratos' own scripts (WebAuthn), which the policy allows.
			if strings.HasPrefix(n.Attributes.Src, u.origin()+"/") {
				v.Scripts = append(v.Scripts, n.Attributes)
			}
		case n.Group == "default" && n.Type == "input" && n.Attributes.Type == "hidden":
			hidden = append(hidden, n)
		case n.Group == "default":
			visible = append(visible, n)
		default:
			groups[n.Group] = append(groups[n.Group], n)
		}
	}
	order := append([]string(nil), groupOrder...)
	for g := range groups {
		if !hasGroup(order, g) {
			order = append(order, g)
		}
	}
	for _, g := range order {
		nodes, ok := groups[g]
		if !ok {
			continue
		}
		form := flowForm{Group: g, Action: f.UI.Action, Method: f.UI.Method}
		// Settings name every part; the other pages only the alternatives
		// to their main form (a second factor, OIDC, recovery codes).
		if l.Has("AuthGroup_"+g) && (v.Kind == "settings" || !hasGroup([]string{"password", "code", "identifier_first", "profile"}, g)) {
			form.Legend = l.T("AuthGroup_" + g)
		}
		all := append([]auth.Node(nil), hidden...)
		if g != "oidc" {
			all = append(all, visible...)
		}
		all = append(all, nodes...)
		for _, n := range all {
			form.Nodes = append(form.Nodes, nodeView(l, g, n))
		}
		v.Forms = append(v.Forms, form)
	}
	if len(v.Forms) == 0 && len(visible) > 0 { // a flow with default nodes only
		form := flowForm{Group: "default", Action: f.UI.Action, Method: f.UI.Method}
		for _, n := range append(hidden, visible...) {
			form.Nodes = append(form.Nodes, nodeView(l, "default", n))
		}
		v.Forms = append(v.Forms, form)
	}
	rt := ""
	if f.ReturnTo != "" {
		rt = "?return_to=" + url.QueryEscape(f.ReturnTo)
	}
	switch {
	case v.StepUp:
		v.Links = append(v.Links, flowLink{Href: u.A.Identity.LogoutURL(u.selfPath(t, "login")), Text: l.T("LogOut")})
	case v.Kind == "login":
		v.Links = append(v.Links, flowLink{Href: u.selfPath(t, "registration") + rt, Text: l.T("AuthLinkRegister")},
			flowLink{Href: u.selfPath(t, "recovery") + rt, Text: l.T("AuthLinkRecovery")})
	case v.Kind == "registration":
		v.Links = append(v.Links, flowLink{Href: u.selfPath(t, "login") + rt, Text: l.T("AuthLinkLogin")})
	case v.Kind == "recovery" || v.Kind == "verification":
		v.Links = append(v.Links, flowLink{Href: u.selfPath(t, "login"), Text: l.T("AuthLinkLogin")})
	}
}

func nodeView(l *locales.Localizer, group string, n auth.Node) flowNode {
	a := n.Attributes
	out := flowNode{Kind: n.Type, Name: a.Name, Type: a.Type, Required: a.Required, Disabled: a.Disabled,
		Autocomplete: a.Autocomplete, Pattern: a.Pattern, Label: kratosText(l, n.Meta.Label), Messages: msgs(l, n.Messages)}
	if a.Value != nil {
		out.Value = fmt.Sprint(a.Value)
	}
	if out.Label == "" && n.Type == "input" && a.Type != "hidden" && a.Type != "submit" {
		// Kratos labels traits from the identity schema's titles; without
		// one, our own name for the field, or the field's name.
		out.Label = a.Name
		if id := "AuthField_" + strings.NewReplacer(".", "_").Replace(a.Name); l.Has(id) {
			out.Label = l.T(id)
		}
	}
	if out.Autocomplete == "" && n.Type == "input" {
		// The input's purpose (WCAG 1.3.5) where Kratos gives none.
		switch a.Name {
		case "identifier", "traits.email", "email":
			out.Autocomplete = "email"
		case "traits.name":
			out.Autocomplete = "name"
		case "totp_code", "code", "lookup_secret":
			out.Autocomplete = "one-time-code"
		}
	}
	id := a.ID
	if id == "" {
		id = a.Name
	}
	out.ID = "f-" + group + "-" + strings.NewReplacer(".", "-", "_", "-").Replace(id)
	switch n.Type {
	case "input":
		switch a.Type {
		case "hidden":
			out.Kind = "hidden"
		case "submit":
			out.Kind = "submit"
		case "button":
			out.Kind = "button"
			out.Trigger = a.OnclickTrigger
		case "checkbox":
			out.Kind = "checkbox"
		}
		if out.Label == "" && (out.Kind == "submit" || out.Kind == "button") {
			out.Label = out.Value
		}
	case "img":
		if strings.HasPrefix(a.Src, "data:image/png;base64,") || strings.HasPrefix(a.Src, "https://") {
			out.Src = template.URL(a.Src)
		}
	case "text":
		out.Text = kratosText(l, a.Text)
		if a.Text != nil {
			if secrets, ok := a.Text.Context["secrets"].([]any); ok { // recovery codes
				var codes []string
				for _, s := range secrets {
					if m, ok := s.(map[string]any); ok {
						if c, ok := m["context"].(map[string]any); ok {
							codes = append(codes, fmt.Sprint(c["secret"]))
						}
					}
				}
				out.Text = strings.Join(codes, " · ")
			}
		}
	case "a":
		out.Href = a.Href
		out.Title = kratosText(l, a.Title)
	}
	return out
}

func hasGroup(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// flowProblem shows why the flow cannot be shown, with a way to start again.
func (u *UI) flowProblem(c *fiber.Ctx, t *tenants.Tenant, v *flowView, status int, msgID string) error {
	v.Problem = httpx.Loc(c).T(msgID)
	v.Heading = httpx.Loc(c).T("AuthTitle_" + v.Kind)
	return u.renderFlow(c, t, v, status, "")
}

func (u *UI) selfServiceError(c *fiber.Ctx, ss auth.SelfService, t *tenants.Tenant) error {
	l := httpx.Loc(c)
	v := &flowView{Kind: "error", Heading: l.T("AuthTitle_error"), Restart: u.selfPath(t, "login")}
	id := c.Query("id")
	if !flowIDRe.MatchString(id) {
		v.Problem = l.T("AuthErrorUnknown")
		return u.renderFlow(c, t, v, 404, "")
	}
	fe, err := ss.FlowErrorDetail(c.UserContext(), id)
	switch {
	case errors.Is(err, auth.ErrProviderUnavailable):
		v.Problem = l.T("ErrIdentityUnavailable")
		return u.renderFlow(c, t, v, 503, "")
	case err != nil:
		v.Problem = l.T("AuthErrorUnknown")
		return u.renderFlow(c, t, v, 404, "")
	}
	msg := "AuthError_" + fe.ErrorID
	if fe.ErrorID == "" || !l.Has(msg) {
		msg = "AuthErrorUnknown"
	}
	v.Problem = l.T(msg)
	return u.renderFlow(c, t, v, 200, "")
}

// renderFlow renders auth_flow.html in the region's branding, with a
// policy that lets the forms post to Kratos (and OIDC providers after it)
// and Kratos' WebAuthn script run.
func (u *UI) renderFlow(c *fiber.Ctx, t *tenants.Tenant, v *flowView, status int, origin string) error {
	// The flow shown may change the session behind this cookie (a login,
	// a step-up, a verified address): the next request asks Kratos again.
	if sc, ok := u.A.Identity.(auth.SessionCache); ok {
		sc.Forget(auth.Credentials{CookieHeader: c.Get(fiber.HeaderCookie), SessionToken: c.Get("X-Session-Token")})
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	v.Nonce = base64.RawStdEncoding.EncodeToString(nonce)
	p := u.page(c, v.Heading, v)
	if t != nil {
		p.Tenant, p.Base = t, "/t/"+t.Slug
	}
	c.Status(status)
	if err := u.render(c, "auth_flow", p); err != nil {
		return err
	}
	tiles := ""
	if t != nil {
		tiles = t.TileOrigin()
	}
	csp := httpx.CSP(tiles)
	scripts := "script-src 'self' 'nonce-" + v.Nonce + "'"
	forms := "form-action 'self'"
	if origin != "" {
		scripts += " " + origin
		forms += " " + origin + " https:"
	}
	csp = strings.Replace(csp, "script-src 'self'", scripts, 1)
	csp = strings.Replace(csp, "form-action 'self'", forms, 1)
	c.Set("Content-Security-Policy", csp)
	return nil
}
