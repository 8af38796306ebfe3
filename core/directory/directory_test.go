package directory_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// registry answers every valid organization number with a unit named after
// it, except those listed as unknown or removed.
type registry struct{ unknown, gone map[string]bool }

func (r registry) Lookup(_ context.Context, num string) (*directory.RegistryUnit, error) {
	switch {
	case r.unknown[num]:
		return nil, directory.ErrRegistryNotFound
	case r.gone[num]:
		return nil, directory.ErrRegistryGone
	}
	return &directory.RegistryUnit{OrgNumber: num, Name: "Firma " + num + " AS", Address: "Storgata 1", Postcode: "0155", City: "Oslo", MunicipalityNo: "0301"}, nil
}

// orgNumber is the i-th valid organization number (MOD11) from 91000000x.
func orgNumber(i int) string {
	weights := [8]int{3, 2, 7, 6, 5, 4, 3, 2}
	for n := 91000000 + i*7; ; n++ {
		s := fmt.Sprint(n)
		sum := 0
		for k := 0; k < 8; k++ {
			sum += int(s[k]-'0') * weights[k]
		}
		r := 11 - sum%11
		if r == 11 {
			r = 0
		}
		if r != 10 {
			return s + fmt.Sprint(r)
		}
	}
}

// fixture is one tenant with a tenant admin, two organizations (A with
// member and orgAdmin, B with adminB) and a transporter company T.
type fixture struct {
	s                        *directory.Service
	tenant, other            string
	admin, member, orgAdmin  *access.Actor
	adminB, outsider, driver *access.Actor
	a, b, t                  *directory.Organization
}

func (f *fixture) ctx(a *access.Actor) context.Context { return storetest.Ctx(f.tenant, a) }
func (f *fixture) anon() context.Context               { return storetest.Ctx(f.tenant) }

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{s: &directory.Service{DB: db, Registry: registry{}}}
	f.tenant = storetest.Tenant(t, db, "alfa")
	f.other = storetest.Tenant(t, db, "beta")
	user := func(email string, roles ...string) *access.Actor {
		return storetest.As(storetest.User(t, db, email), roles...)
	}
	f.admin = user("admin@example.no", auth.RoleTenantAdmin)
	f.member, f.orgAdmin = user("member@example.no"), user("orgadmin@example.no")
	f.adminB, f.outsider, f.driver = user("adminb@example.no"), user("outsider@example.no"), user("driver@example.no")
	org := func(i int, kinds ...string) *directory.Organization {
		num := orgNumber(i)
		email, phone := "post@example.no", "+47 22 33 44 55"
		o, err := f.s.CreateOrg(f.ctx(f.admin), &directory.OrgInput{OrgNumber: &num, Kinds: &kinds, Email: &email, Phone: &phone, Lat: ptr(59.91), Lon: ptr(10.75)})
		if err != nil {
			t.Fatalf("org %d: %v", i, err)
		}
		return o
	}
	f.a, f.b, f.t = org(1, "builder"), org(2, "quarry"), org(3, "transporter")
	f.member.Principal.Orgs[f.a.ID] = directory.MemberRole
	f.orgAdmin.Principal.Orgs[f.a.ID] = directory.AdminRole
	f.adminB.Principal.Orgs[f.b.ID] = directory.AdminRole
	f.driver.Principal.Orgs[f.t.ID] = directory.MemberRole
	return f
}

func ptr[T any](v T) *T { return &v }

// year is the harness clock's year plus n, as the API writes a year.
func year(n int) string { return strconv.Itoa(storetest.DefaultClock().Now().Year() + n) }

// is reports whether err is a domain error of kind with code.
func is(err error, kind fail.Kind, code string) bool {
	e, ok := fail.As(err)
	return ok && e.Kind == kind && e.Code == code
}

// field reports whether err is a validation error naming pointer.
func field(err error, pointer string) bool {
	e, ok := fail.As(err)
	if !ok || e.Kind != fail.Invalid {
		return false
	}
	for _, f := range e.Fields {
		if f.Pointer == pointer {
			return true
		}
	}
	return false
}

func TestOrganizationRowRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		desc := "Ny beskrivelse"
		// A member edits its own organization …
		o, err := f.s.UpdateOrg(f.ctx(f.member), f.a.ID, &directory.OrgInput{Description: &desc})
		if err != nil || o.Description != desc {
			t.Fatalf("own organization: %v %+v", err, o)
		}
		// … but not another's, nor does it delete its own (org admins do).
		if _, err := f.s.UpdateOrg(f.ctx(f.member), f.b.ID, &directory.OrgInput{Description: &desc}); !errors.Is(err, directory.ErrNotOwnOrganization) {
			t.Fatalf("another's organization: %v", err)
		}
		if err := f.s.DeleteOrg(f.ctx(f.member), f.a.ID); !errors.Is(err, directory.ErrNotOwnOrganization) {
			t.Fatalf("member deletes: %v", err)
		}
		if err := f.s.DeleteOrg(f.ctx(f.adminB), f.a.ID); !errors.Is(err, directory.ErrNotOwnOrganization) {
			t.Fatalf("another org admin deletes: %v", err)
		}
		if err := f.s.DeleteOrg(f.ctx(f.orgAdmin), f.a.ID); err != nil {
			t.Fatalf("org admin deletes: %v", err)
		}
		if _, err := f.s.GetOrg(f.ctx(f.admin), f.a.ID); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("deleted organization: %v", err)
		}
		// The organization number never changes.
		other := orgNumber(9)
		if _, err := f.s.UpdateOrg(f.ctx(f.admin), f.b.ID, &directory.OrgInput{OrgNumber: &other}); !field(err, "/org_number") {
			t.Fatalf("org number changed: %v", err)
		}
		// Malformed IDs and another tenant's rows are not found.
		if _, err := f.s.GetOrg(f.ctx(f.admin), "not-an-id"); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("malformed ID: %v", err)
		}
		if _, err := f.s.GetOrg(storetest.Ctx(f.other, f.admin), f.b.ID); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("another tenant's organization: %v", err)
		}
	})
}

func TestCreateOrganization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		gone, unknown := orgNumber(20), orgNumber(21)
		f.s.Registry = registry{gone: map[string]bool{gone: true}, unknown: map[string]bool{unknown: true}}
		lab := []string{"lab"}
		for name, c := range map[string]struct {
			in      directory.OrgInput
			pointer string
		}{
			"no number":   {directory.OrgInput{Kinds: &lab}, "/org_number"},
			"checksum":    {directory.OrgInput{OrgNumber: ptr("974760674"), Kinds: &lab}, "/org_number"},
			"unknown":     {directory.OrgInput{OrgNumber: &unknown, Kinds: &lab}, "/org_number"},
			"removed":     {directory.OrgInput{OrgNumber: &gone, Kinds: &lab}, "/org_number"},
			"no kinds":    {directory.OrgInput{OrgNumber: ptr(orgNumber(22))}, "/kinds"},
			"half point":  {directory.OrgInput{OrgNumber: ptr(orgNumber(22)), Kinds: &lab, Lat: ptr(60.0)}, "/lon"},
			"outside":     {directory.OrgInput{OrgNumber: ptr(orgNumber(22)), Kinds: &lab, Lat: ptr(59.33), Lon: ptr(18.07)}, "/lat"},
			"bad website": {directory.OrgInput{OrgNumber: ptr(orgNumber(22)), Kinds: &lab, Website: ptr("javascript:alert(1)")}, "/website"},
		} {
			if _, err := f.s.CreateOrg(f.ctx(f.outsider), &c.in); !field(err, c.pointer) {
				t.Errorf("%s: %v, want a validation error on %s", name, err, c.pointer)
			}
		}
		if _, err := f.s.CreateOrg(f.ctx(f.outsider), &directory.OrgInput{OrgNumber: ptr(f.a.OrgNumber), Kinds: &lab}); !is(err, fail.Conflict, "conflict") {
			t.Fatalf("duplicate: %v", err)
		}
		// A user who registers an organization asks to be its admin.
		o, err := f.s.CreateOrg(f.ctx(f.outsider), &directory.OrgInput{OrgNumber: ptr(" " + orgNumber(23) + " "), Kinds: &lab})
		if err != nil || o.Name != "Firma "+orgNumber(23)+" AS" || o.City != "Oslo" {
			t.Fatalf("registered: %v %+v", err, o)
		}
		mine, err := f.s.Memberships(f.ctx(f.outsider), directory.MembershipFilter{Mine: true})
		if err != nil || len(mine.Items) != 1 || mine.Items[0].OrganizationID != o.ID || mine.Items[0].Role != directory.AdminRole || mine.Items[0].Status != directory.StatusPending {
			t.Fatalf("creator's request: %v %+v", err, mine)
		}
		// The register is the only source of names: the same number in
		// another tenant is another directory's row.
		if _, err := f.s.CreateOrg(storetest.Ctx(f.other, f.admin), &directory.OrgInput{OrgNumber: ptr(orgNumber(23)), Kinds: &lab}); err != nil {
			t.Fatalf("second tenant: %v", err)
		}
		// Registry lookups.
		if _, err := f.s.LookupRegistry(f.ctx(f.outsider), gone); !is(err, fail.Gone, "org_number_deleted") {
			t.Fatalf("removed: %v", err)
		}
		if _, err := f.s.LookupRegistry(f.ctx(f.outsider), unknown); !is(err, fail.NotFound, "org_number_unknown") {
			t.Fatalf("unknown: %v", err)
		}
		if _, err := f.s.LookupRegistry(f.ctx(f.outsider), "12345"); !field(err, "/org_number") {
			t.Fatalf("malformed: %v", err)
		}
	})
}

func TestVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		// Anonymous visitors see no organization e-mail or phone.
		o, err := f.s.GetOrg(f.anon(), f.a.ID)
		if err != nil || o.Email != "" || o.Phone != "" {
			t.Fatalf("anonymous: %v %+v", err, o)
		}
		orgs, err := f.s.ListOrgs(f.anon(), directory.OrgFilter{})
		if err != nil || len(orgs.Items) != 3 || orgs.Items[0].Email != "" {
			t.Fatalf("anonymous list: %v %+v", err, orgs)
		}
		if o, _ := f.s.GetOrg(f.ctx(f.outsider), f.a.ID); o.Email == "" || o.Phone == "" {
			t.Fatalf("logged in: %+v", o)
		}
		// Contacts are for logged-in users only.
		if _, err := f.s.CreateContact(f.ctx(f.member), f.a.ID, &directory.ContactInput{Name: ptr("Kari")}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreateContact(f.ctx(f.member), f.b.ID, &directory.ContactInput{Name: ptr("Ola")}); !errors.Is(err, directory.ErrNotOwnOrganization) {
			t.Fatalf("contact of another's organization: %v", err)
		}
		if _, err := f.s.Contacts(f.anon(), f.a.ID, page.Request{}); !errors.Is(err, fail.ErrUnauthorized) {
			t.Fatalf("anonymous contacts: %v", err)
		}
		if cs, err := f.s.Contacts(f.ctx(f.outsider), f.a.ID, page.Request{}); err != nil || len(cs.Items) != 1 {
			t.Fatalf("contacts: %v %+v", err, cs)
		}
		// A vehicle a member registers waits for the company's admin; the
		// public sees approved vehicles only.
		veh := &directory.VehicleInput{Registration: "eb 12345", BodyType: "tipper_4axle", EuroClass: "euro6", Fuel: "diesel", PayloadTonnes: 18}
		if _, err := f.s.CreateVehicle(f.ctx(f.member), f.a.ID, veh); !is(err, fail.Invalid, "not_transporter") {
			t.Fatalf("vehicle of a builder: %v", err)
		}
		vh, err := f.s.CreateVehicle(f.ctx(f.driver), f.t.ID, veh)
		if err != nil || vh.Status != directory.StatusPending || vh.Registration != "EB12345" {
			t.Fatalf("vehicle: %v %+v", err, vh)
		}
		if _, err := f.s.CreateVehicle(f.ctx(f.driver), f.t.ID, veh); !is(err, fail.Conflict, "conflict") {
			t.Fatalf("duplicate vehicle: %v", err)
		}
		if vs, _ := f.s.Vehicles(f.anon(), f.t.ID, page.Request{}); len(vs.Items) != 0 {
			t.Fatalf("the public sees a pending vehicle: %+v", vs)
		}
		if vs, _ := f.s.Vehicles(f.ctx(f.driver), f.t.ID, page.Request{}); len(vs.Items) != 1 {
			t.Fatalf("the company does not see its pending vehicle: %+v", vs)
		}
		if _, err := f.s.DecideVehicle(f.ctx(f.driver), vh.ID, directory.StatusApproved); !errors.Is(err, directory.ErrNotOwnOrganization) {
			t.Fatalf("a member approves: %v", err)
		}
		if vh, err := f.s.DecideVehicle(f.ctx(f.admin), vh.ID, directory.StatusApproved); err != nil || vh.Status != directory.StatusApproved {
			t.Fatalf("tenant admin approves: %v %+v", err, vh)
		}
		if vs, _ := f.s.Vehicles(f.anon(), f.t.ID, page.Request{}); len(vs.Items) != 1 {
			t.Fatalf("the public sees the approved vehicle: %+v", vs)
		}
	})
}

func TestMemberships(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		if _, err := f.s.RequestMembership(f.anon(), f.a.ID, &directory.MembershipInput{}); !errors.Is(err, fail.ErrUnauthorized) {
			t.Fatalf("anonymous request: %v", err)
		}
		m, err := f.s.RequestMembership(f.ctx(f.outsider), f.a.ID, &directory.MembershipInput{Message: "Jeg jobber her"})
		if err != nil || m.Role != directory.MemberRole || m.Status != directory.StatusPending {
			t.Fatalf("request: %v %+v", err, m)
		}
		if _, err := f.s.RequestMembership(f.ctx(f.outsider), f.a.ID, &directory.MembershipInput{}); !is(err, fail.Conflict, "conflict") {
			t.Fatalf("duplicate request: %v", err)
		}
		// Who sees an organization's requests, and the tenant's.
		if _, err := f.s.Memberships(f.ctx(f.adminB), directory.MembershipFilter{OrganizationID: f.a.ID}); !errors.Is(err, directory.ErrNotOwnOrganization) {
			t.Fatalf("another org's admin lists: %v", err)
		}
		if ms, err := f.s.Memberships(f.ctx(f.orgAdmin), directory.MembershipFilter{OrganizationID: f.a.ID, Status: directory.StatusPending}); err != nil || len(ms.Items) != 1 || ms.Items[0].UserName == "" {
			t.Fatalf("org admin lists: %v %+v", err, ms)
		}
		if _, err := f.s.Memberships(f.ctx(f.orgAdmin), directory.MembershipFilter{All: true}); !errors.Is(err, fail.ErrForbidden) {
			t.Fatalf("org admin lists the tenant's: %v", err)
		}
		supervisor := storetest.As(storetest.User(t, db, "tilsyn@example.no"), auth.RoleSupervisor)
		if ms, err := f.s.Memberships(f.ctx(supervisor), directory.MembershipFilter{All: true}); err != nil || len(ms.Items) != 1 {
			t.Fatalf("supervisor lists the tenant's: %v %+v", err, ms)
		}
		// Org admins decide for their organization, once.
		if _, err := f.s.DecideMembership(f.ctx(f.adminB), m.ID, directory.StatusApproved, ""); !errors.Is(err, directory.ErrNotOwnOrganization) {
			t.Fatalf("another org's admin decides: %v", err)
		}
		if _, err := f.s.DecideMembership(f.ctx(f.orgAdmin), m.ID, directory.StatusApproved, "owner"); !field(err, "/role") {
			t.Fatalf("unknown role: %v", err)
		}
		if d, err := f.s.DecideMembership(f.ctx(f.orgAdmin), m.ID, directory.StatusApproved, directory.AdminRole); err != nil || d.Status != directory.StatusApproved || d.Role != directory.AdminRole {
			t.Fatalf("decide: %v %+v", err, d)
		}
		if _, err := f.s.DecideMembership(f.ctx(f.orgAdmin), m.ID, directory.StatusRejected, ""); !is(err, fail.Conflict, "conflict") {
			t.Fatalf("decided twice: %v", err)
		}
		orgs, _, err := f.s.PrincipalOrgs(f.ctx(f.outsider), f.outsider.UserID())
		if err != nil || orgs[f.a.ID] != directory.AdminRole {
			t.Fatalf("approved membership: %v %v", err, orgs)
		}
	})
}

func TestSitesAndPermits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		in := &directory.SiteInput{Kind: ptr("facility"), Name: ptr("Mottak"), FacilityType: ptr("landfill"), Lat: ptr(59.9), Lon: ptr(10.6)}
		if _, err := f.s.CreateSite(f.ctx(f.member), f.b.ID, in); !errors.Is(err, directory.ErrNotOwnOrganization) {
			t.Fatalf("site of another's organization: %v", err)
		}
		if _, err := f.s.CreateSite(f.ctx(f.member), f.a.ID, &directory.SiteInput{Kind: ptr("project"), Name: ptr("A"), Phase: ptr("idea")}); !field(err, "/lat") {
			t.Fatalf("no location without a geocoder: %v", err)
		}
		st, err := f.s.CreateSite(f.ctx(f.member), f.a.ID, in)
		if err != nil || st.OrganizationName != f.a.Name {
			t.Fatalf("site: %v %+v", err, st)
		}
		permit := &directory.PermitInput{Kind: "receiving", Authority: "Statsforvalteren", Fractions: []string{"pukk"}, MaxClass: 1, ValidFrom: ptr(year(-1)), ValidTo: ptr(year(-2))}
		if _, err := f.s.CreatePermit(f.ctx(f.member), st.ID, permit); !field(err, "/valid_to") {
			t.Fatalf("permit ends before it starts: %v", err)
		}
		permit.ValidTo = ptr(year(4) + "-12-31")
		p, err := f.s.CreatePermit(f.ctx(f.member), st.ID, permit)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.DeletePermit(f.ctx(f.adminB), p.ID); !errors.Is(err, directory.ErrNotOwnOrganization) {
			t.Fatalf("another's permit: %v", err)
		}
		if got, _ := f.s.GetSite(f.anon(), st.ID); len(got.Permits) != 1 {
			t.Fatalf("permits: %+v", got)
		}
		fc, err := f.s.MapFeatures(f.anon(), directory.SiteFilter{Kind: "facility"})
		if err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 1 || fc.Features[0].Properties["facility_type"] != "landfill" {
			t.Fatalf("map: %v %+v", err, fc)
		}
		if _, err := f.s.ListSites(f.anon(), directory.SiteFilter{Kind: "warehouse"}); !field(err, "/kind") {
			t.Fatalf("unknown kind: %v", err)
		}
		if err := f.s.DeleteSite(f.ctx(f.orgAdmin), st.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.GetSite(f.anon(), st.ID); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("deleted site: %v", err)
		}
	})
}

// walk pages through a list with limit 2 and returns the IDs in order.
func walk[T any](t *testing.T, list func(r page.Request) (page.Page[T], error), id func(T) string) []string {
	t.Helper()
	var ids []string
	r := page.Request{Limit: 2}
	for i := 0; i < 50; i++ {
		p, err := list(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > 2 || (p.NextCursor != "" && len(p.Items) != 2) {
			t.Fatalf("page of %d with cursor %q", len(p.Items), p.NextCursor)
		}
		for _, x := range p.Items {
			ids = append(ids, id(x))
		}
		if p.NextCursor == "" {
			return ids
		}
		r.Cursor = p.NextCursor
	}
	t.Fatal("the pages do not end")
	return nil
}

func once(t *testing.T, what string, ids []string, want int) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("%s: %s twice in %v", what, id, ids)
		}
		seen[id] = true
	}
	if len(ids) != want {
		t.Fatalf("%s: %d rows, want %d", what, len(ids), want)
	}
}

func TestPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := f.ctx(f.admin)
		for i := 0; i < 4; i++ {
			num := orgNumber(30 + i)
			if _, err := f.s.CreateOrg(ctx, &directory.OrgInput{OrgNumber: &num, Kinds: &[]string{"lab"}, Lat: ptr(59.9), Lon: ptr(10.7)}); err != nil {
				t.Fatal(err)
			}
			// Equal names: the ID breaks the tie.
			if _, err := f.s.CreateSite(ctx, f.a.ID, &directory.SiteInput{Kind: ptr("project"), Name: ptr("Samme navn"), Phase: ptr("idea"), Lat: ptr(59.9), Lon: ptr(10.6)}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.CreateContact(ctx, f.a.ID, &directory.ContactInput{Name: ptr(fmt.Sprint("Person ", i%2))}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.CreateVehicle(ctx, f.t.ID, &directory.VehicleInput{Registration: fmt.Sprint("AB1234", i), BodyType: "tipper_4axle", EuroClass: "euro6", Fuel: "diesel", PayloadTonnes: 18}); err != nil {
				t.Fatal(err)
			}
			u := storetest.As(storetest.User(t, db, fmt.Sprint("person", i, "@example.no")))
			if _, err := f.s.RequestMembership(f.ctx(u), f.b.ID, &directory.MembershipInput{}); err != nil {
				t.Fatal(err)
			}
		}
		orgs := walk(t, func(r page.Request) (page.Page[directory.Organization], error) {
			return f.s.ListOrgs(f.anon(), directory.OrgFilter{Page: r})
		}, func(o directory.Organization) string { return o.Name })
		once(t, "organizations", orgs, 7)
		for i := 1; i < len(orgs); i++ {
			if orgs[i] < orgs[i-1] {
				t.Fatalf("organizations out of order: %v", orgs)
			}
		}
		sites := walk(t, func(r page.Request) (page.Page[directory.Site], error) {
			return f.s.ListSites(f.anon(), directory.SiteFilter{OrganizationID: f.a.ID, Page: r})
		}, func(s directory.Site) string { return s.ID })
		once(t, "sites", sites, 4)
		contacts := walk(t, func(r page.Request) (page.Page[directory.Contact], error) { return f.s.Contacts(ctx, f.a.ID, r) },
			func(c directory.Contact) string { return c.ID })
		once(t, "contacts", contacts, 4)
		vehicles := walk(t, func(r page.Request) (page.Page[directory.Vehicle], error) { return f.s.Vehicles(ctx, f.t.ID, r) },
			func(v directory.Vehicle) string { return v.ID })
		once(t, "vehicles", vehicles, 4)
		members := walk(t, func(r page.Request) (page.Page[directory.Membership], error) {
			return f.s.Memberships(ctx, directory.MembershipFilter{OrganizationID: f.b.ID, Page: r})
		}, func(m directory.Membership) string { return m.ID })
		once(t, "memberships", members, 4)
		// A cursor that is not one of ours is a validation error on cursor.
		for _, bad := range []string{"!!", page.Key{"x"}.Encode(), page.Key{"x", "not-an-id"}.Encode()} {
			if _, err := f.s.ListOrgs(f.anon(), directory.OrgFilter{Page: page.Request{Cursor: bad}}); !field(err, "/cursor") {
				t.Errorf("cursor %q: %v", bad, err)
			}
			if _, err := f.s.Memberships(ctx, directory.MembershipFilter{All: true, Page: page.Request{Cursor: bad}}); !field(err, "/cursor") {
				t.Errorf("membership cursor %q: %v", bad, err)
			}
		}
	})
}
