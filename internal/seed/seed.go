package seed

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/plugins/bizreg/fake"
	"github.com/masseflyt/masseflyt/tenants"
)

// Services are the domain services a seed calls.
type Services struct {
	DB      *store.DB
	Tenants *tenants.Registry
	Roles   *tenants.Roles
	Users   *auth.Users
	// Directory provides the geocoder; the seed registers organizations
	// through its own directory service whose business register is
	// bizreg.fake, whatever the app is configured with (a seeded world's
	// companies are fictional: the live register does not know them).
	Directory *directory.Service
	// Market publishes; its match discovery runs off the seed, in the app's
	// outbox dispatcher (tests Settle before asserting on matches).
	Market *market.Service
	// Haul is tracked loads (the demo departs, releases and receives
	// loads through it); nil: a seed makes no loads.
	Haul *haul.Service
}

// OnDB builds the services a seed needs on db alone, as the app does but
// without a geocoder (every point of a seeded world is given) and without
// an outbox dispatcher: for tests. Close the roles when done.
func OnDB(ctx context.Context, db *store.DB) (Services, error) {
	reg := tenants.NewRegistry(db, "masseflyt.test")
	if err := reg.Load(ctx); err != nil {
		return Services{}, err
	}
	roles, err := tenants.NewRoles(db, 0)
	if err != nil {
		return Services{}, err
	}
	dir := &directory.Service{DB: db}
	mk := &market.Service{DB: db, Directory: dir}
	// Loads chain to a ledger signing with a key of the test's own.
	key := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(key); err != nil {
		return Services{}, err
	}
	keys, err := ledger.NewKeys(key)
	if err != nil {
		return Services{}, err
	}
	h := &haul.Service{DB: db, Ledger: &ledger.Ledger{DB: db, Keys: keys}, Market: mk, Orders: (&transport.Service{DB: db}).HaulOrders()}
	return Services{DB: db, Tenants: reg, Roles: roles, Users: &auth.Users{DB: db}, Directory: dir, Market: mk, Haul: h}, nil
}

// Of returns the services of an app.
func Of(a *app.App) Services {
	return Services{DB: a.DB, Tenants: a.Tenants, Roles: a.Roles, Users: a.Users, Directory: a.Directory, Market: a.Market, Haul: a.Haul}
}

// Run seeds w: the platform's users, then every tenant of w whose slug does
// not exist yet (one that exists is left alone, so seeding is idempotent).
// Everything is created through the domain methods as a user with the right
// to do it would: the platform creates the tenant with its admin; the tenant
// admin registers the organizations and approves memberships; an
// organization's admin (the tenant admin where it has none) enters its
// sites, permits, contacts, vehicles and listings. Each tenant is written in
// one transaction (a store.Unit), so a region is seeded whole or not at all,
// whether the domain refuses a row (the error, the domain's with its field,
// says which) or the process dies half-way.
func Run(ctx context.Context, s Services, w World) error { return RunWith(ctx, s, w, nil) }

// RunWith is Run, calling then for each new tenant inside the tenant's
// transaction once its world is seeded: what then writes through the
// store commits with the tenant, or goes with it.
func RunWith(ctx context.Context, s Services, w World, then func(ctx context.Context, t *tenants.Tenant) error) error {
	reg := fake.New()
	if err := reg.Validate(); err != nil {
		return err
	}
	r := &run{ctx: ctx, s: s, w: w, users: map[string]*auth.User{},
		dir: &directory.Service{DB: s.DB, Registry: reg, Geocoder: s.Directory.Geocoder}}
	for _, u := range w.Users {
		if err := r.user(u); err != nil {
			return fmt.Errorf("user %s: %w", u.Email, err)
		}
	}
	for _, t := range w.Tenants {
		if _, ok := s.Tenants.BySlug(t.Slug); ok {
			continue
		}
		err := s.DB.Unit(ctx, func(ctx context.Context) error {
			tr := *r
			tr.ctx = ctx
			nt, err := tr.tenant(t)
			if err != nil || then == nil {
				return err
			}
			return then(ctx, nt)
		})
		if err != nil {
			return fmt.Errorf("seed %s: %w", t.Slug, err)
		}
	}
	return nil
}

type run struct {
	ctx   context.Context
	s     Services
	w     World
	dir   *directory.Service
	users map[string]*auth.User
}

// user creates (or finds) a person as their first dev login would.
func (r *run) user(u User) error {
	if u.Email == "" || u.Name == "" {
		return errors.New("a user needs an e-mail and a name")
	}
	au, err := r.s.Users.Ensure(r.ctx, &auth.Session{Subject: Subject(u.Email), Email: u.Email, Name: u.Name, EmailVerified: true}) // demo addresses count as verified
	if err != nil {
		return err
	}
	r.users[u.Email] = au
	if u.Role == auth.RoleSuperadmin {
		return r.s.Roles.Assign(au.ID, auth.RoleSuperadmin, "*")
	}
	return nil
}

// tenant seeds one tenant, inside the unit of work of r.ctx.
func (r *run) tenant(wt Tenant) (*tenants.Tenant, error) {
	var admin *auth.User
	for _, u := range r.w.Users {
		if u.Tenant == wt.Slug && u.Role == auth.RoleTenantAdmin {
			admin = r.users[u.Email]
			break
		}
	}
	if admin == nil {
		return nil, errors.New("the world names no tenant admin")
	}
	t, err := r.createTenant(wt, admin)
	if err != nil {
		return nil, err
	}
	ts := &tenantSeed{run: r, t: t, admin: admin, orgIDs: map[string]string{}, orgAdmin: map[string]*auth.User{}, sites: map[string]*directory.Site{}}
	if err := ts.seed(); err != nil {
		return nil, err
	}
	return t, nil
}

// createTenant checks the region as the platform's tenant form does and
// creates it with its admin (tenants.Registry.CreateWithAdmin).
func (r *run) createTenant(wt Tenant, admin *auth.User) (*tenants.Tenant, error) {
	switch {
	case !tenants.ValidSlug(wt.Slug):
		return nil, fmt.Errorf("invalid slug %q", wt.Slug)
	case strings.TrimSpace(wt.Name) == "":
		return nil, errors.New("a tenant needs a name")
	case !tenants.ValidColor(wt.Primary) || !tenants.ValidColor(wt.Accent):
		return nil, fmt.Errorf("invalid colours %q, %q", wt.Primary, wt.Accent)
	case wt.Domain != "" && !tenants.ValidDomain(wt.Domain):
		return nil, fmt.Errorf("invalid domain %q", wt.Domain)
	}
	t := &tenants.Tenant{Slug: wt.Slug, Name: wt.Name, ShortName: wt.Short, Description: wt.Description, ColorPrimary: wt.Primary, ColorAccent: wt.Accent,
		DefaultLocale: "nb", CenterLat: wt.Lat, CenterLon: wt.Lon, Zoom: wt.Zoom, Municipalities: strings.Join(wt.Municipalities, ","),
		LogoType: "image/svg+xml", Logo: LogoSVG(wt.Short, wt.Primary, wt.Accent)}
	if wt.Domain != "" {
		t.Domains = []string{wt.Domain}
	}
	if err := r.s.Tenants.CreateWithAdmin(r.ctx, t, r.s.Roles, admin.ID); err != nil {
		return nil, err
	}
	return t, nil
}

// LogoSVG draws a simple logo in a tenant's colours.
func LogoSVG(short, primary, accent string) []byte {
	initial := strings.ToUpper(string([]rune(short)[:1]))
	return []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="%s"><rect width="64" height="64" rx="12" fill="%s"/><path d="M8 48 L24 26 L34 38 L42 28 L56 48 Z" fill="%s"/><text x="32" y="22" font-family="sans-serif" font-size="16" font-weight="700" fill="#fff" text-anchor="middle">%s</text></svg>`, short, primary, accent, initial))
}

// tenantSeed seeds one new tenant.
type tenantSeed struct {
	*run
	t        *tenants.Tenant
	admin    *auth.User
	orgIDs   map[string]string     // org key → ID
	orgAdmin map[string]*auth.User // org key → its approved admin
	sites    map[string]*directory.Site
}

// as is a context carrying u acting in the tenant with roles and
// memberships (organization ID → role).
func (ts *tenantSeed) as(u *auth.User, orgs map[string]string, roles ...string) context.Context {
	rs := append([]string{auth.RoleAnonymous, auth.RoleAuthenticated}, roles...)
	if len(orgs) > 0 {
		rs = append(rs, auth.RoleMember)
	}
	return access.With(ts.ctx, &access.Actor{TenantID: ts.t.ID, TenantSlug: ts.t.Slug, Locale: ts.t.DefaultLocale,
		Principal: &auth.Principal{User: u, AAL: auth.AAL2, Roles: rs, Orgs: orgs}, Rules: ts.s.Roles})
}

// asAdmin is the tenant admin.
func (ts *tenantSeed) asAdmin() context.Context { return ts.as(ts.admin, nil, auth.RoleTenantAdmin) }

// asOrg is the organization's own admin when it has one, else the tenant
// admin (who may edit any organization of the tenant).
func (ts *tenantSeed) asOrg(key string) context.Context {
	if u := ts.orgAdmin[key]; u != nil {
		return ts.as(u, map[string]string{ts.orgIDs[key]: directory.AdminRole})
	}
	return ts.asAdmin()
}

func (ts *tenantSeed) seed() error {
	for _, u := range ts.w.Users {
		if u.Tenant != ts.t.Slug || u.Role == "" || ts.users[u.Email] == ts.admin && u.Role == auth.RoleTenantAdmin {
			continue
		}
		if err := ts.s.Roles.AssignIn(ts.ctx, ts.users[u.Email].ID, u.Role, ts.t.ID); err != nil {
			return err
		}
	}
	steps := []struct {
		what string
		fn   func() error
	}{{"organizations", ts.orgs}, {"memberships", ts.memberships}, {"sites", ts.sitesAndPermits}, {"vehicles", ts.vehicles}, {"listings", ts.listings}}
	for _, st := range steps {
		if err := st.fn(); err != nil {
			return err
		}
	}
	return nil
}

func (ts *tenantSeed) orgs() error {
	ctx := ts.asAdmin()
	for _, o := range ts.w.Orgs {
		if o.Tenant != ts.t.Slug {
			continue
		}
		lat, lon := o.Lat, o.Lon
		in := &directory.OrgInput{OrgNumber: &o.OrgNumber, Description: &o.Description, Kinds: strs(o.Kinds), Services: strs(o.Services), Lat: &lat, Lon: &lon}
		if o.Website != "" {
			in.Website = &o.Website
		}
		org, err := ts.dir.CreateOrg(ctx, in)
		if err != nil {
			return fmt.Errorf("organization %s (%s): %w", o.Key, o.OrgNumber, err)
		}
		ts.orgIDs[o.Key] = org.ID
		for _, c := range o.Contacts {
			c := c
			if _, err := ts.dir.CreateContact(ctx, org.ID, &directory.ContactInput{Name: &c.Name, Title: &c.Title, Phone: &c.Phone, Email: &c.Email}); err != nil {
				return fmt.Errorf("contact %s of %s: %w", c.Name, o.Key, err)
			}
		}
	}
	return nil
}

func strs(s []string) *[]string {
	out := append([]string{}, s...)
	return &out
}

// memberships: each representative asks to represent their organization;
// the tenant admin approves those that are not pending.
func (ts *tenantSeed) memberships() error {
	for _, u := range ts.w.Users {
		if u.Tenant != ts.t.Slug || u.Org == "" {
			continue
		}
		orgID, ok := ts.orgIDs[u.Org]
		if !ok {
			return fmt.Errorf("membership of %s: no organization %q in %s", u.Email, u.Org, ts.t.Slug)
		}
		au := ts.users[u.Email]
		m, err := ts.dir.RequestMembership(ts.as(au, nil), orgID, &directory.MembershipInput{Role: u.OrgRole, Message: u.Message})
		if err != nil {
			return fmt.Errorf("membership of %s: %w", u.Email, err)
		}
		if u.Pending {
			continue
		}
		if _, err := ts.dir.DecideMembership(ts.asAdmin(), m.ID, directory.StatusApproved, ""); err != nil {
			return fmt.Errorf("approve membership of %s: %w", u.Email, err)
		}
		if u.OrgRole == directory.AdminRole && ts.orgAdmin[u.Org] == nil {
			ts.orgAdmin[u.Org] = au
		}
	}
	return nil
}

func (ts *tenantSeed) lay() Layout { return LayoutFor(ts.w.Authored, ts.s.DB.Now()) }

func (ts *tenantSeed) sitesAndPermits() error {
	lay := ts.lay()
	for _, s := range ts.w.Sites {
		orgID, ok := ts.orgIDs[s.Org]
		if !ok {
			if ts.orgOf(s.Org) == ts.t.Slug {
				return fmt.Errorf("site %q: no organization %q", s.Name, s.Org)
			}
			continue
		}
		ctx := ts.asOrg(s.Org)
		st, err := ts.dir.CreateSite(ctx, orgID, siteInput(&s.Site, lay))
		if err != nil {
			return fmt.Errorf("site %q: %w", s.Name, err)
		}
		ts.sites[s.Name] = st
		for _, p := range s.Permits {
			in := &directory.PermitInput{Kind: p.Kind, Authority: p.Authority, Reference: p.Reference, ValidFrom: day(lay.Ptr(p.ValidFrom)), ValidTo: day(lay.Ptr(p.ValidTo)),
				Fractions: append([]string{}, p.Fractions...), MaxClass: p.MaxClass, AnnualCapacityTonnes: p.AnnualCapacityTonnes}
			if _, err := ts.dir.CreatePermit(ctx, st.ID, in); err != nil {
				return fmt.Errorf("permit %s of %q: %w", p.Reference, s.Name, err)
			}
		}
	}
	return nil
}

func (ts *tenantSeed) orgOf(key string) string {
	for _, o := range ts.w.Orgs {
		if o.Key == key {
			return o.Tenant
		}
	}
	return ""
}

func day(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format("2006-01-02")
	return &s
}

func siteInput(s *directory.Site, lay Layout) *directory.SiteInput {
	str := func(v string) *string { return &v }
	num := func(v float64) *float64 { return &v }
	in := &directory.SiteInput{Kind: str(s.Kind), Name: str(s.Name), Description: str(s.Description), Address: str(s.Address), Postcode: optional(s.Postcode), City: str(s.City),
		MunicipalityNo: optional(s.MunicipalityNo), Lat: num(s.Lat), Lon: num(s.Lon), Phase: str(s.Phase), FacilityType: str(s.FacilityType), OpeningHours: str(s.OpeningHours),
		PlannedStart: day(lay.Ptr(s.PlannedStart)), PlannedEnd: day(lay.Ptr(s.PlannedEnd)), ExpectedSurplusTonnes: num(s.ExpectedSurplusTonnes), ExpectedNeedTonnes: num(s.ExpectedNeedTonnes),
		CapacityTonnes: num(s.CapacityTonnes), GateFeeNOKPerTonne: s.GateFeeNOKPerTonne}
	perm := s.Permanent
	in.Permanent = &perm
	return in
}

// optional is nil for "" (a pattern field left out, not one given empty).
func optional(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

func (ts *tenantSeed) vehicles() error {
	for _, v := range ts.w.Vehicles {
		orgID, ok := ts.orgIDs[v.Org]
		if !ok {
			if ts.orgOf(v.Org) == ts.t.Slug {
				return fmt.Errorf("vehicle %s: no organization %q", v.Registration, v.Org)
			}
			continue
		}
		// The company registers its own vehicles (approved at once); a
		// pending one was registered by a driver, a member of the company,
		// and awaits the company's approval.
		ctx := ts.asOrg(v.Org)
		if v.Status == directory.StatusPending {
			u := ts.orgAdmin[v.Org]
			if u == nil {
				u = ts.admin
			}
			ctx = ts.as(u, map[string]string{orgID: directory.MemberRole})
		}
		in := &directory.VehicleInput{Registration: v.Registration, Make: v.Make, Model: v.Model, BodyType: v.BodyType, EuroClass: v.EuroClass, Fuel: v.Fuel, PayloadTonnes: v.PayloadTonnes, PayloadM3: v.PayloadM3}
		if _, err := ts.dir.CreateVehicle(ctx, orgID, in); err != nil {
			return fmt.Errorf("vehicle %s: %w", v.Registration, err)
		}
	}
	return nil
}

// listings creates every listing as a draft, then publishes: a row that
// fails validation fails before anything of the tenant was announced.
// Publication dates are spread over the last weeks, newest last.
func (ts *tenantSeed) listings() error {
	lay := ts.lay()
	now := ts.s.DB.Now()
	type pub struct {
		id  string
		ctx context.Context
		at  time.Time
		l   Listing
	}
	var pubs []pub
	for i, wl := range ts.w.Listings {
		orgID, ok := ts.orgIDs[wl.Org]
		if !ok {
			if ts.orgOf(wl.Org) == ts.t.Slug {
				return fmt.Errorf("listing %q: no organization %q", wl.Title, wl.Org)
			}
			continue
		}
		st, ok := ts.sites[wl.Site]
		if !ok || st.OrganizationID != orgID {
			return fmt.Errorf("listing %q: no site %q of %s", wl.Title, wl.Site, wl.Org)
		}
		ctx := ts.asOrg(wl.Org)
		l, err := ts.s.Market.Create(ctx, listingInput(&wl.Listing, orgID, st.ID, lay))
		if err != nil {
			return fmt.Errorf("listing %q: %w", wl.Title, err)
		}
		for _, sm := range wl.Samples {
			sm := sm
			if _, err := ts.s.Market.AddSample(ctx, l.ID, &sm); err != nil {
				return fmt.Errorf("sample %s of %q: %w", sm.Name, wl.Title, err)
			}
		}
		if wl.Status == market.StatusPublished || wl.Status == market.StatusClosed {
			pubs = append(pubs, pub{l.ID, ctx, now.Add(-time.Duration(3*(len(ts.w.Listings)-i)) * 24 * time.Hour), wl})
		}
	}
	for _, p := range pubs {
		if _, err := ts.s.Market.PublishAt(p.ctx, p.id, p.at); err != nil {
			return fmt.Errorf("publish %q: %w", p.l.Title, err)
		}
		if p.l.Status == market.StatusClosed {
			if _, err := ts.s.Market.Close(p.ctx, p.id); err != nil {
				return fmt.Errorf("close %q: %w", p.l.Title, err)
			}
		}
	}
	return nil
}

func listingInput(l *market.Listing, orgID, siteID string, lay Layout) *market.ListingInput {
	str := func(v string) *string { return &v }
	q, class := l.QuantityValue, l.ContaminationClass
	pricePublic, exact := l.PricePublic, l.ExactLocationPublic
	in := &market.ListingInput{Kind: str(l.Kind), Title: str(l.Title), Description: str(l.Description), OrganizationID: &orgID, SiteID: &siteID,
		Fractions: strs(l.Fractions), Quantity: &q, Unit: str(string(l.QuantityUnit)),
		AvailableFrom: str(lay.At(l.AvailableFrom).Format("2006-01-02")), AvailableTo: str(lay.At(l.AvailableTo).Format("2006-01-02")),
		ContaminationClass: &class, Transport: str(l.Transport), PricePublic: &pricePublic, ExactLocationPublic: &exact,
		GrainMinMM: l.GrainMinMM, GrainMaxMM: l.GrainMaxMM, LAValue: l.LAValue, MicroDeval: l.MicroDeval, PriceNOKPerTonne: l.PriceNOKPerTonne}
	if l.IntendedUse != "" {
		in.IntendedUse = str(l.IntendedUse)
	}
	if l.RockType != "" {
		in.RockType = str(l.RockType)
	}
	if l.Visibility != "" {
		in.Visibility = str(l.Visibility)
	}
	if l.Lat != 0 || l.Lon != 0 {
		lat, lon := l.Lat, l.Lon
		in.Lat, in.Lon = &lat, &lon
	}
	return in
}
