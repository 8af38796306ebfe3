// Package admin is region administration (branding, domains, language,
// map, embedding, role rules and assignments) and platform administration
// (tenants). Its commands take a context carrying the actor; routes.go is
// its part of the API table, and the UI calls the same commands.
package admin

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/invite"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/tenants"
)

// tenant is the actor's region.
func (ad *Admin) tenant(ctx context.Context) *tenants.Tenant {
	t, _ := ad.A.Tenants.ByID(access.From(ctx).TenantID)
	return t
}

// tenantID is the actor's region's ID.
func tenantID(ctx context.Context) string { return access.From(ctx).TenantID }

// Settings is the editable part of a tenant.
type Settings struct {
	Name           *string   `json:"name"`
	ShortName      *string   `json:"short_name"`
	Description    *string   `json:"description"`
	ColorPrimary   *string   `json:"color_primary"`
	ColorAccent    *string   `json:"color_accent"`
	DefaultLocale  *string   `json:"default_locale"`
	CenterLat      *float64  `json:"center_lat"`
	CenterLon      *float64  `json:"center_lon"`
	Zoom           *int      `json:"zoom"`
	Municipalities *[]string `json:"municipalities"`
	Domains        *[]string `json:"domains"`
	// Embedding: the pages allowed to show the widgets, and the map tiles.
	EmbedOrigins    *[]string `json:"embed_origins"`
	TileURL         *string   `json:"tile_url"`
	TileAttribution *string   `json:"tile_attribution"`
}

// SettingsView is what admins read.
type SettingsView struct {
	Slug           string   `json:"slug"`
	Name           string   `json:"name"`
	ShortName      string   `json:"short_name"`
	Description    string   `json:"description"`
	ColorPrimary   string   `json:"color_primary"`
	ColorAccent    string   `json:"color_accent"`
	DefaultLocale  string   `json:"default_locale"`
	CenterLat      float64  `json:"center_lat"`
	CenterLon      float64  `json:"center_lon"`
	Zoom           int      `json:"zoom"`
	Municipalities []string `json:"municipalities"`
	Domains        []string `json:"domains"`
	// PendingDomains are custom domains asked for and not yet proved: each
	// takes effect once its DNS challenge is published and verified.
	PendingDomains  []DomainChallenge `json:"pending_domains"`
	HasLogo         bool              `json:"has_logo"`
	EmbedOrigins    []string          `json:"embed_origins"`
	TileURL         string            `json:"tile_url"`
	TileAttribution string            `json:"tile_attribution"`
}

// DomainChallenge is how to prove a pending custom domain: publish a TXT
// record named Record with the value Token, then verify.
type DomainChallenge struct {
	Domain string `json:"domain"`
	Record string `json:"record"`
	Token  string `json:"token"`
}

// domainsOf are the tenant's domains, verified and pending, as admins set them.
func (ad *Admin) domainsOf(t *tenants.Tenant) []string {
	out := append([]string(nil), t.Domains...)
	for _, c := range ad.A.Tenants.Claims(t.ID) {
		out = append(out, c.Domain)
	}
	return out
}

// View is what a tenant admin reads of the region's settings.
func (ad *Admin) View(t *tenants.Tenant) SettingsView {
	v := view(t)
	for _, c := range ad.A.Tenants.Claims(t.ID) {
		v.PendingDomains = append(v.PendingDomains, DomainChallenge{Domain: c.Domain, Record: c.Record(), Token: c.Token})
	}
	return v
}

// VerifyDomain checks the challenge of one of the region's pending domains;
// once found, the domain serves the region.
func (ad *Admin) VerifyDomain(ctx context.Context, domain string) (SettingsView, error) {
	t := ad.tenant(ctx)
	if t == nil {
		return SettingsView{}, fail.NotFoundErr()
	}
	err := ad.A.Tenants.VerifyDomain(ctx, t.ID, domain)
	switch {
	case errors.Is(err, tenants.ErrNoClaim):
		return SettingsView{}, fail.NotFoundErr()
	case errors.Is(err, tenants.ErrNotVerified):
		return SettingsView{}, fail.ConflictErr("ErrDomainNotVerified", "Domain", domain, "Record", tenants.ChallengePrefix+domain)
	case errors.Is(err, tenants.ErrDomainTaken):
		return SettingsView{}, fail.ConflictErr("ErrDomainTaken", "Domain", domain)
	case errors.Is(err, tenants.ErrDomainPlatform):
		return SettingsView{}, fail.ConflictErr("ErrDomainPlatform", "Domain", domain)
	case err != nil:
		return SettingsView{}, err
	}
	nt, _ := ad.A.Tenants.ByID(t.ID)
	return ad.View(nt), nil
}

func view(t *tenants.Tenant) SettingsView {
	v := SettingsView{Slug: t.Slug, Name: t.Name, ShortName: t.ShortName, Description: t.Description, ColorPrimary: t.ColorPrimary, ColorAccent: t.ColorAccent,
		DefaultLocale: t.DefaultLocale, CenterLat: t.CenterLat, CenterLon: t.CenterLon, Zoom: t.Zoom, Municipalities: t.MunicipalityList(), Domains: t.Domains, HasLogo: t.HasLogo()}
	if v.Municipalities == nil {
		v.Municipalities = []string{}
	}
	if v.Domains == nil {
		v.Domains = []string{}
	}
	v.PendingDomains = []DomainChallenge{}
	v.EmbedOrigins = t.Origins()
	if v.EmbedOrigins == nil {
		v.EmbedOrigins = []string{}
	}
	v.TileURL, v.TileAttribution = t.TileURL, t.TileAttribution
	return v
}

// ApplySettings validates and saves settings for the request's tenant.
func (ad *Admin) ApplySettings(ctx context.Context, in *Settings) (*tenants.Tenant, error) {
	cur := ad.tenant(ctx)
	if cur == nil {
		return nil, fail.NotFoundErr()
	}
	t := *cur
	t.Domains = ad.domainsOf(cur)
	v := &fail.Validation{}
	str := func(field string, dst *string, src *string, max int, required bool) {
		if src == nil {
			return
		}
		s := strings.TrimSpace(*src)
		switch {
		case required && s == "":
			v.Add(field, "required", "ErrFieldRequired")
		case len([]rune(s)) > max:
			v.Add(field, "too_long", "ErrFieldTooLong", "Max", max)
		default:
			*dst = s
		}
	}
	str("name", &t.Name, in.Name, 120, true)
	str("short_name", &t.ShortName, in.ShortName, 40, false)
	str("description", &t.Description, in.Description, 1000, false)
	if in.ColorPrimary != nil {
		if !tenants.ValidColor(*in.ColorPrimary) {
			v.Add("color_primary", "invalid", "ErrFieldInvalid")
		}
		t.ColorPrimary = strings.ToLower(*in.ColorPrimary)
	}
	if in.ColorAccent != nil {
		if !tenants.ValidColor(*in.ColorAccent) {
			v.Add("color_accent", "invalid", "ErrFieldInvalid")
		}
		t.ColorAccent = strings.ToLower(*in.ColorAccent)
	}
	if in.DefaultLocale != nil {
		if !locales.IsSupported(*in.DefaultLocale) {
			v.Add("default_locale", "enum", "ErrFieldEnum", "Allowed", strings.Join(locales.Supported, ", "))
		}
		t.DefaultLocale = *in.DefaultLocale
	}
	if in.CenterLat != nil {
		t.CenterLat = *in.CenterLat
	}
	if in.CenterLon != nil {
		t.CenterLon = *in.CenterLon
	}
	if in.CenterLat != nil || in.CenterLon != nil {
		if !inNorway(t.CenterLat, t.CenterLon) {
			v.Add("center_lat", "outside_norway", "ErrOutsideNorway")
		}
	}
	if in.Zoom != nil {
		if *in.Zoom < 4 || *in.Zoom > 18 {
			v.Add("zoom", "range", "ErrFieldRange", "Min", 4, "Max", 18)
		}
		t.Zoom = *in.Zoom
	}
	if in.Municipalities != nil {
		var ms []string
		for _, m := range *in.Municipalities {
			m = strings.TrimSpace(m)
			if len(m) != 4 || strings.Trim(m, "0123456789") != "" {
				v.Add("municipalities", "invalid", "ErrFieldInvalid")
				break
			}
			ms = append(ms, m)
		}
		if len(ms) > 100 {
			v.Add("municipalities", "too_long", "ErrFieldTooLong", "Max", 100)
		}
		t.Municipalities = strings.Join(ms, ",")
	}
	if in.Domains != nil {
		t.Domains = nil
		seen := map[string]bool{}
		for _, d := range *in.Domains {
			d = strings.ToLower(strings.TrimSpace(d))
			if d == "" || seen[d] {
				continue
			}
			if !tenants.ValidDomain(d) {
				v.Add("domains", "invalid", "ErrFieldInvalid")
				break
			}
			// Never the platform's own host or a name under its base domain
			// (H3), nor another tenant's domain.
			if err := ad.A.Tenants.DomainProblem(t.ID, d); errors.Is(err, tenants.ErrDomainPlatform) {
				v.Add("domains", "platform", "ErrDomainPlatform", "Domain", d)
				break
			} else if err != nil {
				v.Add("domains", "taken", "ErrDomainTaken", "Domain", d)
				break
			}
			seen[d] = true
			t.Domains = append(t.Domains, d)
		}
		if len(t.Domains) > 10 {
			v.Add("domains", "too_long", "ErrFieldTooLong", "Max", 10)
		}
	}
	if in.EmbedOrigins != nil {
		var os []string
		seen := map[string]bool{}
		for _, o := range *in.EmbedOrigins {
			if strings.TrimSpace(o) == "" {
				continue
			}
			n, ok := tenants.NormalizeOrigin(o)
			if !ok {
				if len(o) > 100 {
					o = o[:100]
				}
				v.Add("embed_origins", "invalid_origin", "ErrEmbedOrigin", "Origin", strings.TrimSpace(o))
				break
			}
			if !seen[n] {
				seen[n] = true
				os = append(os, n)
			}
		}
		if len(os) > tenants.MaxEmbedOrigins {
			v.Add("embed_origins", "too_long", "ErrFieldTooLong", "Max", tenants.MaxEmbedOrigins)
		}
		t.EmbedOrigins = strings.Join(os, "\n")
	}
	if in.TileURL != nil {
		u := strings.TrimSpace(*in.TileURL)
		if u != "" && !tenants.ValidTileURL(u) {
			v.Add("tile_url", "invalid", "ErrTileURL")
		}
		t.TileURL = u
	}
	if in.TileAttribution != nil {
		a := strings.TrimSpace(*in.TileAttribution)
		switch {
		case len([]rune(a)) > 200:
			v.Add("tile_attribution", "too_long", "ErrFieldTooLong", "Max", 200)
		case strings.ContainsAny(a, "<>"):
			v.Add("tile_attribution", "invalid", "ErrPlainText")
		}
		t.TileAttribution = a
	}
	if t.TileURL != "" && t.TileAttribution == "" {
		v.Add("tile_attribution", "required", "ErrFieldRequired")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := ad.A.Tenants.Update(ctx, &t); err != nil {
		if err == tenants.ErrDomainTaken {
			return nil, fail.ConflictErr("ErrDomainTaken", "Domain", strings.Join(t.Domains, ", "))
		}
		if err == tenants.ErrDomainPlatform {
			return nil, fail.ConflictErr("ErrDomainPlatform", "Domain", strings.Join(t.Domains, ", "))
		}
		return nil, err
	}
	nt, ok := ad.A.Tenants.ByID(t.ID)
	if !ok {
		return nil, fail.NotFoundErr()
	}
	return nt, nil
}

func inNorway(lat, lon float64) bool {
	return geo.InNorway(geo.Point{Lat: lat, Lon: lon})
}

// MaxLogo is the largest logo accepted.
const MaxLogo = 256 << 10

// SniffLogo checks an upload is an image we serve as a logo and returns its
// type: a bitmap (PNG, JPEG, WebP) whose header says at most MaxLogoPixels
// in each direction, or an SVG that SanitizeSVG accepts.
func SniffLogo(data []byte) (string, bool) {
	ct := http.DetectContentType(data)
	switch ct {
	case "image/png", "image/jpeg", "image/webp":
		if _, err := LogoConfig(data); err != nil {
			return "", false
		}
		return ct, true
	}
	head := bytes.ToLower(bytes.TrimSpace(data[:min(len(data), 512)]))
	if bytes.HasPrefix(head, []byte("<svg")) || bytes.HasPrefix(head, []byte("<?xml")) || bytes.HasPrefix(head, []byte("<!--")) {
		if _, err := SanitizeSVG(data); err == nil {
			return "image/svg+xml", true
		}
	}
	return "", false
}

// SetLogo validates and stores a logo: a bitmap within MaxLogoPixels, or an
// SVG stored as SanitizeSVG rewrote it (an allowlist of elements and
// attributes).
func (ad *Admin) SetLogo(ctx context.Context, data []byte) error {
	if len(data) == 0 {
		return fail.New(fail.BadRequest, "empty_body", "ErrEmptyBody")
	}
	if len(data) > MaxLogo {
		return fail.New(fail.TooLarge, "too_large", "ErrUploadTooLarge", "Max", "256 KB")
	}
	if ct := http.DetectContentType(data); ct == "image/png" || ct == "image/jpeg" || ct == "image/webp" {
		if cfg, err := LogoConfig(data); errors.Is(err, ErrLogoPixels) {
			return fail.New(fail.TooLarge, "too_many_pixels", "ErrLogoPixels", "Width", cfg.Width, "Height", cfg.Height, "Max", MaxLogoPixels)
		}
	}
	ct, ok := SniffLogo(data)
	if !ok {
		return fail.New(fail.UnsupportedType, "upload_type", "ErrUploadType")
	}
	if ct == "image/svg+xml" {
		clean, err := SanitizeSVG(data)
		if err != nil {
			return fail.New(fail.UnsupportedType, "upload_type", "ErrUploadType")
		}
		data = clean
	}
	return ad.A.Tenants.SetLogo(ctx, tenantID(ctx), ct, data)
}

// AssignmentView is a role assignment with the user's name, or a pending
// invitation of an address (Pending, with its expiry).
type AssignmentView struct {
	UserID    string     `json:"user_id"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Role      string     `json:"role"`
	Pending   bool       `json:"pending,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Assignments lists the tenant's role assignments with names, then the
// open invitations.
func (ad *Admin) Assignments(ctx context.Context) []AssignmentView {
	var out []AssignmentView
	for _, as := range ad.A.Roles.Assignments(tenantID(ctx)) {
		av := AssignmentView{UserID: as.UserID, Role: as.Role}
		if u, err := ad.A.Users.ByID(ctx, as.UserID); err == nil {
			av.Name, av.Email = u.Name, u.Email
		}
		out = append(out, av)
	}
	if invs, err := ad.A.Invites.Open(ctx); err == nil {
		for _, inv := range invs {
			exp := inv.ExpiresAt
			out = append(out, AssignmentView{Email: inv.Email, Role: inv.Role, Pending: true, ExpiresAt: &exp})
		}
	}
	if out == nil {
		out = []AssignmentView{}
	}
	return out
}

// AssignmentInput names a user by e-mail (or ID) and a role.
type AssignmentInput struct {
	Email  string `json:"email"`
	UserID string `json:"user_id"`
	Role   string `json:"role"`
}

// ChangeAssignment adds or removes a role assignment in the request's
// tenant. By e-mail, the role goes to the user whose address is verified,
// or waits in an invitation mailed to the address (14 days); never to an
// unverified identity. Removing by e-mail also withdraws invitations.
func (ad *Admin) ChangeAssignment(ctx context.Context, in AssignmentInput, add bool) error {
	v := &fail.Validation{}
	okRole := false
	for _, r := range auth.AssignableRoles {
		okRole = okRole || r == in.Role
	}
	if !okRole {
		v.Add("role", "enum", "ErrFieldEnum", "Allowed", strings.Join(auth.AssignableRoles, ", "))
	}
	var u *auth.User
	if in.UserID != "" {
		var err error
		if u, err = ad.A.Users.ByID(ctx, in.UserID); err != nil {
			v.Add("user_id", "unknown", "ErrFieldInvalid")
		}
	} else if !invite.ValidEmail(auth.NormalizeEmail(in.Email)) {
		v.Add("email", "invalid", "ErrEmailInvalid")
	}
	if err := v.Err(); err != nil {
		return err
	}
	tid := tenantID(ctx)
	by := access.From(ctx).UserID()
	if !add {
		holders := ad.A.Roles.Holders(tid, in.Role)
		if in.Role == auth.RoleTenantAdmin && len(holders) <= 1 {
			for _, h := range holders {
				if hu, err := ad.A.Users.ByID(ctx, h); err == nil && (u != nil && hu.ID == u.ID || u == nil && auth.NormalizeEmail(hu.Email) == auth.NormalizeEmail(in.Email)) {
					return fail.ConflictErr("ErrLastAdmin")
				}
			}
		}
		if u != nil {
			return ad.A.Roles.Unassign(u.ID, in.Role, tid)
		}
		changed, err := ad.A.Invites.Revoke(ctx, tid, in.Email, in.Role, by)
		if err == nil && !changed {
			return fail.NotFoundErr()
		}
		return err
	}
	if u != nil && u.Verified() {
		return ad.A.Roles.Assign(u.ID, in.Role, tid)
	}
	if u != nil {
		// An identity whose address is not verified gets no role: the
		// grant waits as an invitation for its address, taken when the
		// address is verified (T12).
		if !invite.ValidEmail(auth.NormalizeEmail(u.Email)) {
			v.Add("user_id", "unverified", "ErrFieldInvalid")
			return v.Err()
		}
		in.Email = u.Email
	}
	locale := locales.Default
	if t := ad.tenant(ctx); t != nil {
		locale = t.DefaultLocale
	}
	_, err := ad.A.Invites.Grant(ctx, tid, in.Email, in.Role, by, locale)
	return err
}

// TenantInput creates a tenant.
type TenantInput struct {
	Slug          string  `json:"slug"`
	Name          string  `json:"name"`
	ColorPrimary  string  `json:"color_primary"`
	ColorAccent   string  `json:"color_accent"`
	DefaultLocale string  `json:"default_locale"`
	CenterLat     float64 `json:"center_lat"`
	CenterLon     float64 `json:"center_lon"`
	AdminEmail    string  `json:"admin_email"`
}

// CreateTenant validates and creates a tenant, optionally naming its first admin.
func (ad *Admin) CreateTenant(ctx context.Context, in TenantInput) (*tenants.Tenant, error) {
	v := &fail.Validation{}
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	in.Name = strings.TrimSpace(in.Name)
	if !tenants.ValidSlug(in.Slug) {
		v.Add("slug", "invalid", "ErrFieldInvalid")
	}
	if in.Name == "" {
		v.Add("name", "required", "ErrFieldRequired")
	} else if len([]rune(in.Name)) > 120 {
		v.Add("name", "too_long", "ErrFieldTooLong", "Max", 120)
	}
	if in.ColorPrimary == "" {
		in.ColorPrimary = "#1f5f3f"
	}
	if in.ColorAccent == "" {
		in.ColorAccent = "#f2b134"
	}
	if !tenants.ValidColor(in.ColorPrimary) {
		v.Add("color_primary", "invalid", "ErrFieldInvalid")
	}
	if !tenants.ValidColor(in.ColorAccent) {
		v.Add("color_accent", "invalid", "ErrFieldInvalid")
	}
	if in.DefaultLocale == "" {
		in.DefaultLocale = locales.Default
	}
	if !locales.IsSupported(in.DefaultLocale) {
		v.Add("default_locale", "enum", "ErrFieldEnum", "Allowed", strings.Join(locales.Supported, ", "))
	}
	if in.CenterLat == 0 && in.CenterLon == 0 {
		in.CenterLat, in.CenterLon = 59.91, 10.75
	}
	if !inNorway(in.CenterLat, in.CenterLon) {
		v.Add("center_lat", "outside_norway", "ErrOutsideNorway")
	}
	// The first admin: the user whose address is verified, or an
	// invitation to the address once the region exists.
	in.AdminEmail = auth.NormalizeEmail(in.AdminEmail)
	if in.AdminEmail != "" && !invite.ValidEmail(in.AdminEmail) {
		v.Add("admin_email", "invalid", "ErrEmailInvalid")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := &tenants.Tenant{Slug: in.Slug, Name: in.Name, ShortName: in.Name, ColorPrimary: strings.ToLower(in.ColorPrimary), ColorAccent: strings.ToLower(in.ColorAccent),
		DefaultLocale: in.DefaultLocale, CenterLat: in.CenterLat, CenterLon: in.CenterLon, Zoom: 10}
	if _, err := ad.A.Tenants.CreateInviting(ctx, t, ad.A.Invites, in.AdminEmail, access.From(ctx).UserID()); err != nil {
		if errors.Is(err, tenants.ErrSlugTaken) {
			return nil, fail.ConflictErr("ErrSlugTaken", "Slug", in.Slug)
		}
		return nil, err
	}
	return t, nil
}
