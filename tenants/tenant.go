// Package tenants holds the tenant registry (mass regions), host and slug
// resolution, branding, and the per-tenant role rules (Casbin).
package tenants

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/invite"
	"github.com/masseflyt/masseflyt/core/store"
)

// Tenant is a mass region run by a county, municipality or resource bank forum.
type Tenant struct {
	ID             string  `gorm:"primaryKey" json:"id"`
	Slug           string  `json:"slug"`
	Name           string  `json:"name"`
	ShortName      string  `json:"short_name"`
	Description    string  `json:"description"`
	ColorPrimary   string  `json:"color_primary"`
	ColorAccent    string  `json:"color_accent"`
	LogoType       string  `json:"-"`
	Logo           []byte  `json:"-"`
	DefaultLocale  string  `json:"default_locale"`
	CenterLat      float64 `json:"center_lat"`
	CenterLon      float64 `json:"center_lon"`
	Zoom           int     `json:"zoom"`
	Municipalities string  `json:"-"`
	// TileURL and TileAttribution override the default OpenStreetMap tiles
	// in maps and widgets; EmbedOrigins lists the web origins (one per line)
	// allowed to embed the tenant's widgets.
	TileURL         string    `json:"-"`
	TileAttribution string    `json:"-"`
	EmbedOrigins    string    `json:"-"`
	Active          bool      `json:"-"`
	CreatedAt       time.Time `json:"-"`
	UpdatedAt       time.Time `json:"updated_at"`
	Domains         []string  `gorm:"-" json:"domains"`
}

func (Tenant) TableName() string { return "tenants" }

// MunicipalityList returns the region's municipality numbers.
func (t *Tenant) MunicipalityList() []string {
	if t.Municipalities == "" {
		return nil
	}
	return strings.Split(t.Municipalities, ",")
}

// HasLogo reports whether the tenant uploaded a logo.
func (t *Tenant) HasLogo() bool { return len(t.Logo) > 0 }

// Domain maps a custom host name to a tenant.
type Domain struct {
	Domain    string `gorm:"primaryKey"`
	TenantID  string
	CreatedAt time.Time
}

func (Domain) TableName() string { return "tenant_domains" }

var (
	slugRe   = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)
	colorRe  = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	domainRe = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// ValidSlug reports whether s is a usable tenant slug.
func ValidSlug(s string) bool { return slugRe.MatchString(s) && !reserved[s] }

// ValidColor reports whether s is a #rrggbb colour.
func ValidColor(s string) bool { return colorRe.MatchString(s) }

// ValidDomain reports whether s is a host name.
func ValidDomain(s string) bool { return len(s) <= 253 && domainRe.MatchString(s) }

var reserved = map[string]bool{"www": true, "api": true, "admin": true, "static": true, "widgets": true, "auth": true, "t": true}

// Errors.
var (
	ErrSlugTaken   = errors.New("tenants: slug taken")
	ErrDomainTaken = errors.New("tenants: domain taken")
)

// Registry caches all tenants in memory for resolution on every request and
// reloads after each change. Tenants are few (tens), so this is cheap.
type Registry struct {
	db         *store.DB
	baseDomain string

	// loads serializes Load: a load reads the tables and then swaps the
	// maps, and an older read must not be swapped in after a newer one.
	loads    sync.Mutex
	mu       sync.RWMutex
	bySlug   map[string]*Tenant
	byID     map[string]*Tenant
	byDomain map[string]*Tenant
	claims   map[string][]Claim // pending custom domains by tenant ID

	// publicHost is the platform's public host (SetPublicURL), never a
	// tenant's domain.
	publicHost string

	// Verifier proves custom domain claims; DNS (DNSVerifier) when nil.
	Verifier DomainVerifier

	// OnChange runs after this instance changed a tenant (settings, logo,
	// a new tenant), so other instances can be told to reload.
	OnChange func(tenantID string)
}

func (r *Registry) changed(ctx context.Context, tenantID string) error {
	if err := r.Load(ctx); err != nil {
		return err
	}
	// In a unit of work (store.Unit) the registry has read the unit's
	// uncommitted rows: it reads the committed ones again if the unit
	// fails, and other instances hear of the change once it commits.
	store.OnRollback(ctx, func() { _ = r.Load(context.WithoutCancel(ctx)) })
	if r.OnChange != nil {
		store.AfterUnit(ctx, func() { r.OnChange(tenantID) })
	}
	return nil
}

// NewRegistry returns a registry; call Load before use.
func NewRegistry(db *store.DB, baseDomain string) *Registry {
	return &Registry{db: db, baseDomain: strings.ToLower(strings.TrimPrefix(baseDomain, "."))}
}

// Load (re)reads all tenants.
func (r *Registry) Load(ctx context.Context) error {
	r.loads.Lock()
	defer r.loads.Unlock()
	ctx = store.System(ctx, "tenant registry load")
	var ts []*Tenant
	var ds []Domain
	var cs []Claim
	err := r.db.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Order("name").Find(&ts).Error; err != nil {
			return err
		}
		if err := tx.Order("domain").Find(&cs).Error; err != nil {
			return err
		}
		return tx.Order("domain").Find(&ds).Error
	})
	if err != nil {
		return err
	}
	bySlug := make(map[string]*Tenant, len(ts))
	byID := make(map[string]*Tenant, len(ts))
	byDomain := make(map[string]*Tenant, len(ds))
	for _, t := range ts {
		bySlug[t.Slug] = t
		byID[t.ID] = t
	}
	claims := map[string][]Claim{}
	for _, c := range cs {
		claims[c.TenantID] = append(claims[c.TenantID], c)
	}
	for _, d := range ds {
		// A domain stored before the platform's own were refused (H3) is
		// ignored: it must not take the platform's host from every region.
		if r.platformHost(d.Domain) {
			continue
		}
		if t := byID[d.TenantID]; t != nil {
			t.Domains = append(t.Domains, d.Domain)
			byDomain[d.Domain] = t
		}
	}
	r.mu.Lock()
	r.bySlug, r.byID, r.byDomain, r.claims = bySlug, byID, byDomain, claims
	r.mu.Unlock()
	return nil
}

// BySlug returns an active tenant by slug.
func (r *Registry) BySlug(slug string) (*Tenant, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.bySlug[slug]
	return t, ok && t.Active
}

// ByID returns a tenant by ID.
func (r *Registry) ByID(id string) (*Tenant, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.byID[id]
	return t, ok
}

// ByHost resolves a Host header: a custom domain, or {slug}.{base domain}.
func (r *Registry) ByHost(host string) (*Tenant, bool) {
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	r.mu.RLock()
	t, ok := r.byDomain[host]
	r.mu.RUnlock()
	if ok && t.Active && !r.platformHost(host) {
		return t, true
	}
	if r.baseDomain != "" && strings.HasSuffix(host, "."+r.baseDomain) {
		slug := strings.TrimSuffix(host, "."+r.baseDomain)
		if !strings.Contains(slug, ".") {
			return r.BySlug(slug)
		}
	}
	return nil, false
}

// All returns every tenant, sorted by name.
func (r *Registry) All() []*Tenant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Tenant, 0, len(r.byID))
	for _, t := range r.byID {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Create inserts a tenant with its domains.
func (r *Registry) Create(ctx context.Context, t *Tenant) error {
	ctx = store.System(ctx, "platform: create tenant")
	if t.ID == "" {
		t.ID = store.NewID()
	}
	t.Active = true
	err := r.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(t).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return ErrSlugTaken
			}
			return err
		}
		return r.insertDomains(tx, t.ID, t.Domains)
	})
	if err != nil {
		return err
	}
	return r.changed(ctx, t.ID)
}

// ErrAdminGrant: the tenant admin could not be granted (the tenant was
// removed again).
var ErrAdminGrant = errors.New("grant tenant admin")

// CreateWithAdmin creates a tenant and makes adminID (when set) its tenant
// admin, all or nothing: Casbin writes through its own connection, so the
// grant cannot join the tenant's transaction, and a failed grant removes the
// tenant again. The error says so if even that fails.
func (r *Registry) CreateWithAdmin(ctx context.Context, t *Tenant, roles *Roles, adminID string) error {
	if err := r.Create(ctx, t); err != nil {
		return err
	}
	if adminID == "" {
		return nil
	}
	err := roles.AssignIn(ctx, adminID, auth.RoleTenantAdmin, t.ID)
	if err == nil || store.InUnit(ctx) { // a unit that fails takes the tenant with it
		return err
	}
	_ = roles.Unassign(adminID, auth.RoleTenantAdmin, t.ID) // in case the rule was half-added
	if uerr := r.remove(ctx, t.ID); uerr != nil {
		return fmt.Errorf("%w: %w; removing the half-created tenant %s (%s) failed too, remove it by hand: %v", ErrAdminGrant, err, t.Slug, t.ID, uerr)
	}
	return fmt.Errorf("%w: %w", ErrAdminGrant, err)
}

// CreateInviting creates a tenant and makes the holder of the verified
// address email its tenant admin, or invites the address (core/invite);
// all or nothing, like CreateWithAdmin. by is who creates it.
func (r *Registry) CreateInviting(ctx context.Context, t *Tenant, inv *invite.Service, email, by string) (invite.Outcome, error) {
	if err := r.Create(ctx, t); err != nil {
		return invite.Outcome{}, err
	}
	if email == "" {
		return invite.Outcome{}, nil
	}
	out, err := inv.Grant(ctx, t.ID, email, auth.RoleTenantAdmin, by, t.DefaultLocale)
	if err == nil {
		return out, nil
	}
	if uerr := r.remove(ctx, t.ID); uerr != nil {
		return out, fmt.Errorf("%w: %w; removing the half-created tenant %s (%s) failed too, remove it by hand: %v", ErrAdminGrant, err, t.Slug, t.ID, uerr)
	}
	return out, fmt.Errorf("%w: %w", ErrAdminGrant, err)
}

// remove deletes a tenant created moments ago, before anything else could
// refer to it.
func (r *Registry) remove(ctx context.Context, id string) error {
	err := r.db.Tx(store.System(ctx, "platform: undo a half-created tenant"), func(tx *gorm.DB) error {
		if err := tx.Where("tenant_id = ?", id).Delete(&Domain{}).Error; err != nil {
			return err
		}
		if err := tx.Where("tenant_id = ?", id).Delete(&Claim{}).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", id).Delete(&Tenant{}).Error
	})
	if err != nil {
		return err
	}
	return r.changed(ctx, id)
}

// insertDomains gives a new tenant the domains the platform admin named
// (verified by the platform, so in effect at once), never the platform's own.
func (r *Registry) insertDomains(tx *gorm.DB, tenantID string, domains []string) error {
	for _, d := range domains {
		if err := r.DomainProblem(tenantID, d); err != nil {
			return err
		}
		if err := tx.Create(&Domain{Domain: d, TenantID: tenantID}).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return ErrDomainTaken
			}
			return err
		}
	}
	return nil
}

// Update saves a tenant's settings and makes t.Domains its domains: those
// already verified stay in effect, new ones become claims that take effect
// once verified (VerifyDomain), and those left out go.
func (r *Registry) Update(ctx context.Context, t *Tenant) error {
	ctx = store.System(ctx, "tenant admin: update own tenant settings")
	err := r.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&Tenant{}).Where("id = ?", t.ID).Updates(map[string]any{
			"name": t.Name, "short_name": t.ShortName, "description": t.Description,
			"color_primary": t.ColorPrimary, "color_accent": t.ColorAccent,
			"default_locale": t.DefaultLocale, "center_lat": t.CenterLat, "center_lon": t.CenterLon,
			"zoom": t.Zoom, "municipalities": t.Municipalities, "tile_url": t.TileURL, "tile_attribution": t.TileAttribution,
			"embed_origins": t.EmbedOrigins, "updated_at": r.db.Now(),
		}).Error; err != nil {
			return err
		}
		return r.setDomains(tx, t.ID, t.Domains)
	})
	if err != nil {
		return err
	}
	return r.changed(ctx, t.ID)
}

// SetLogo stores a tenant's logo.
func (r *Registry) SetLogo(ctx context.Context, tenantID, contentType string, data []byte) error {
	ctx = store.System(ctx, "tenant admin: set own logo")
	err := r.db.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Tenant{}).Where("id = ?", tenantID).Updates(map[string]any{
			"logo": data, "logo_type": contentType, "updated_at": r.db.Now(),
		}).Error
	})
	if err != nil {
		return err
	}
	return r.changed(ctx, tenantID)
}

// Default map tiles (OpenStreetMap) used when a tenant sets none.
const (
	DefaultTileURL         = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	DefaultTileAttribution = "© OpenStreetMap"
)

// Tiles returns the tenant's tile URL template and attribution.
func (t *Tenant) Tiles() (url, attribution string) {
	if t.TileURL == "" {
		return DefaultTileURL, DefaultTileAttribution
	}
	return t.TileURL, t.TileAttribution
}

// TileOrigin is the scheme://host of the tile server, for CSP img-src.
func (t *Tenant) TileOrigin() string {
	u, _ := t.Tiles()
	p, err := neturl.Parse(strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(u))
	if err != nil || p.Host == "" {
		return ""
	}
	host := p.Host
	if strings.Contains(u, "{s}.") {
		host = "*." + strings.SplitN(host, ".", 2)[1]
	}
	return p.Scheme + "://" + host
}

// ValidTileURL reports whether u is an https tile URL template with {z}, {x}
// and {y} and no characters that could break out of a CSP or an attribute.
func ValidTileURL(u string) bool {
	if len(u) > 300 || !strings.HasPrefix(u, "https://") || strings.ContainsAny(u, " \t\n\"'<>;,") {
		return false
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(u, p) {
			return false
		}
	}
	p, err := neturl.Parse(strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(u))
	return err == nil && p.Host != "" && p.User == nil
}

// Origins returns the origins allowed to embed the tenant's widgets.
func (t *Tenant) Origins() []string {
	var out []string
	for _, o := range strings.Fields(t.EmbedOrigins) {
		out = append(out, o)
	}
	return out
}

// AllowsOrigin reports whether a page at origin may embed the widgets.
func (t *Tenant) AllowsOrigin(origin string) bool {
	for _, o := range t.Origins() {
		if o == origin {
			return true
		}
	}
	return false
}

// MaxEmbedOrigins bounds the allowlist.
const MaxEmbedOrigins = 30

// NormalizeOrigin turns "https://www.example.no/" into "https://www.example.no";
// it reports false for anything but an http(s) origin (http only for localhost).
func NormalizeOrigin(s string) (string, bool) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	p, err := neturl.Parse(s)
	if err != nil || p.Host == "" || p.User != nil || p.Path != "" || p.RawQuery != "" || p.Fragment != "" || len(s) > 200 {
		return "", false
	}
	host := strings.ToLower(p.Hostname())
	local := host == "localhost" || host == "127.0.0.1"
	if p.Scheme != "https" && !(p.Scheme == "http" && local) {
		return "", false
	}
	if !local && !ValidDomain(host) {
		return "", false
	}
	out := p.Scheme + "://" + host
	if p.Port() != "" {
		out += ":" + p.Port()
	}
	return out, true
}

// TileTemplate is the tile URL template maps use (templates call it).
func (t *Tenant) TileTemplate() string { u, _ := t.Tiles(); return u }

// TileCredit is the tile attribution maps show.
func (t *Tenant) TileCredit() string { _, a := t.Tiles(); return a }
