package seed_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// Services builds the domain services a seed needs on db.
func Services(t testing.TB, db *store.DB) seed.Services {
	t.Helper()
	s, err := seed.OnDB(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Roles.Close)
	return s
}

var authored = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// small is a world of two regions, "fjell" and "dal", with one company,
// site and listing each (the register numbers are bizreg.fake's).
func small() seed.World {
	w := seed.World{Authored: authored,
		Tenants: []seed.Tenant{
			{Slug: "fjell", Name: "Fjell masseforum", Short: "Fjell", Primary: "#0b5a3c", Accent: "#f2b134", Lat: 59.9, Lon: 10.6, Zoom: 10},
			{Slug: "dal", Name: "Dal masseforum", Short: "Dal", Primary: "#00507d", Accent: "#e4a11b", Lat: 63.4, Lon: 10.4, Zoom: 10},
		},
		Users: []seed.User{
			{Email: "admin@fjell.example.no", Name: "Fjell Admin", Tenant: "fjell", Role: auth.RoleTenantAdmin},
			{Email: "kari@fjell.example.no", Name: "Kari Fjell", Tenant: "fjell", Org: "anlegg", OrgRole: directory.AdminRole},
			{Email: "admin@dal.example.no", Name: "Dal Admin", Tenant: "dal", Role: auth.RoleTenantAdmin},
		},
		Orgs: []seed.Org{
			{Key: "anlegg", Tenant: "fjell", OrgNumber: "928157040", Kinds: []string{"contractor"}, Lat: 59.8983, Lon: 10.6237, Contacts: []seed.Contact{{Name: "Anne Hansen", Title: "Prosjektleder", Phone: "+47 901 12 301", Email: "anne@example.no"}}},
			{Key: "transport", Tenant: "fjell", OrgNumber: "928162524", Kinds: []string{"transporter"}, Services: []string{"tipper"}, Lat: 59.91, Lon: 10.63},
			{Key: "bygg", Tenant: "dal", OrgNumber: "928172112", Kinds: []string{"builder"}, Lat: 63.4, Lon: 10.4},
		},
		Sites: []seed.Site{
			{Org: "anlegg", Site: directory.Site{Kind: "project", Name: "Tunnelen", Lat: 59.8955, Lon: 10.6290, Phase: "construction", PlannedStart: seed.Date("2025-01-01"), PlannedEnd: seed.Date("2028-12-31"), ExpectedSurplusTonnes: 1000}},
			{Org: "bygg", Site: directory.Site{Kind: "project", Name: "Skolen", Lat: 63.43, Lon: 10.46, Phase: "design"}},
		},
		Vehicles: []seed.Vehicle{
			{Org: "transport", Vehicle: directory.Vehicle{Registration: "EB12345", BodyType: "tipper_4axle", EuroClass: "euro6", Fuel: "hvo", PayloadTonnes: 18, Status: "approved"}},
			{Org: "transport", Vehicle: directory.Vehicle{Registration: "EB45678", BodyType: "tipper_4axle", EuroClass: "euro5", Fuel: "diesel", PayloadTonnes: 17, Status: "pending"}},
		},
		Listings: []seed.Listing{
			{Org: "anlegg", Site: "Tunnelen", Listing: market.Listing{Kind: "surplus", Title: "Sprengstein", Fractions: directory.List{"sprengstein"}, QuantityValue: 5000, QuantityUnit: market.Tonnes, AvailableFrom: seed.Day("2025-01-01"), AvailableTo: seed.Day("2028-12-31"), Transport: "seller_delivers", Status: "published"}},
			{Org: "anlegg", Site: "Tunnelen", Listing: market.Listing{Kind: "surplus", Title: "Leire (utkast)", Fractions: directory.List{"leire"}, QuantityValue: 100, QuantityUnit: market.Tonnes, AvailableFrom: seed.Day("2025-01-01"), AvailableTo: seed.Day("2028-12-31"), Transport: "transport_needed"}},
			{Org: "bygg", Site: "Skolen", Listing: market.Listing{Kind: "need", Title: "Fyllmasser", Fractions: directory.List{"morene"}, QuantityValue: 800, QuantityUnit: market.Tonnes, AvailableFrom: seed.Day("2026-01-01"), AvailableTo: seed.Day("2028-12-31"), IntendedUse: "fill", Transport: "seller_delivers", Status: "published"}},
		},
	}
	return w
}

func count(t *testing.T, db *store.DB, ctx context.Context, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	err := db.Read(ctx, func(tx *gorm.DB) error {
		q := tx.Table(table)
		if where != "" {
			q = q.Where(where, args...)
		}
		return q.Count(&n).Error
	})
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// TestRunThroughTheDomain: a world goes in as its users would enter it,
// and seeding it again changes nothing.
func TestRunThroughTheDomain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := Services(t, db)
		if err := seed.Run(context.Background(), s, small()); err != nil {
			t.Fatal(err)
		}
		fjell, ok := s.Tenants.BySlug("fjell")
		if !ok {
			t.Fatal("no tenant fjell")
		}
		ctx := store.WithTenant(context.Background(), fjell.ID)
		var orgs []directory.Organization
		if err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Order("org_number").Find(&orgs).Error }); err != nil {
			t.Fatal(err)
		}
		// The register named them; the domain made the tipper company a transporter.
		if len(orgs) != 2 || orgs[0].Name != "Fornebu Anlegg AS" || orgs[0].Address != "Snarøyveien 36" || orgs[0].RegistryStatus == "" {
			t.Fatalf("organizations: %+v", orgs)
		}
		kari, err := s.Users.ByEmail(context.Background(), "kari@fjell.example.no")
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, ctx, "memberships", "user_id = ? AND status = 'approved' AND role = 'admin' AND decided_by <> ''", kari.ID); n != 1 {
			t.Errorf("Kari's approved admin membership: %d", n)
		}
		if n := count(t, db, ctx, "vehicles", "status = 'pending'"); n != 1 {
			t.Errorf("pending vehicles: %d", n)
		}
		if n := count(t, db, ctx, "contacts", ""); n != 1 {
			t.Errorf("contacts: %d", n)
		}
		var ls []market.Listing
		if err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Order("title").Find(&ls).Error }); err != nil {
			t.Fatal(err)
		}
		if len(ls) != 2 || ls[0].Status != market.StatusDraft || ls[1].Status != market.StatusPublished || ls[1].CreatedBy != kari.ID {
			t.Fatalf("listings: %+v", ls)
		}
		if p := ls[1].PublishedAt; p == nil || !p.Before(db.Now().Add(-24*time.Hour)) {
			t.Errorf("the seed dates a publication in the past, got %v", p)
		}
		// Published through the domain: announced in the outbox for the
		// dispatcher (matching), never matched by the seed itself.
		if n := count(t, db, ctx, "outbox", ""); n == 0 {
			t.Error("the publication was not announced")
		}
		if n := count(t, db, ctx, "matches", ""); n != 0 {
			t.Errorf("the seed ran discovery itself: %d matches", n)
		}
		if ar := s.Roles.UserRoles(kari.ID, fjell.ID); len(ar) != 0 {
			t.Errorf("Kari got tenant roles: %v", ar)
		}

		before := map[string]int64{}
		sys := store.System(context.Background(), "test")
		for _, tb := range []string{"tenants", "users", "organizations", "sites", "listings", "memberships", "vehicles"} {
			before[tb] = count(t, db, sys, tb, "")
		}
		if err := seed.Run(context.Background(), s, small()); err != nil {
			t.Fatal(err)
		}
		for tb, n := range before {
			if m := count(t, db, sys, tb, ""); m != n {
				t.Errorf("second run: %s %d → %d", tb, n, m)
			}
		}
	})
}

// TestInvalidRowFails: a world with a row the domain refuses fails with the
// domain's validation error, and the region it was in is removed again with
// everything it got; the regions seeded before it stay.
func TestInvalidRowFails(t *testing.T) {
	for _, c := range []struct {
		name, pointer string
		spoil         func(w *seed.World)
	}{
		{"negative quantity", "/quantity", func(w *seed.World) { w.Listings[2].QuantityValue = -800 }},
		{"site outside Norway", "/lat", func(w *seed.World) { w.Sites[1].Lat, w.Sites[1].Lon = 55.68, 12.57 }},
		{"unknown organization number", "/org_number", func(w *seed.World) { w.Orgs[2].OrgNumber = "928199517" }},
		{"vehicle payload", "/payload_tonnes", func(w *seed.World) {
			w.Orgs[2].Kinds = []string{"transporter"}
			w.Vehicles[0].Org = "bygg"
			w.Vehicles[0].PayloadTonnes = 90
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				s := Services(t, db)
				w := small()
				c.spoil(&w)
				err := seed.Run(context.Background(), s, w)
				fe, ok := fail.As(err)
				if !ok || fe.Kind != fail.Invalid {
					t.Fatalf("want the domain's validation error, got %v", err)
				}
				found := false
				for _, f := range fe.Fields {
					found = found || f.Pointer == c.pointer
				}
				if !found {
					t.Fatalf("want a field error at %s: %+v", c.pointer, fe.Fields)
				}
				if _, ok := s.Tenants.BySlug("fjell"); !ok {
					t.Error("the valid region seeded before was removed")
				}
				if _, ok := s.Tenants.BySlug("dal"); ok {
					t.Error("the failed region stays")
				}
				sys := store.System(context.Background(), "test")
				fjell, _ := s.Tenants.BySlug("fjell")
				for _, tb := range db.TenantTables() {
					if n := count(t, db, sys, tb, "tenant_id <> ?", fjell.ID); n != 0 {
						t.Errorf("%d rows of the failed region left in %s", n, tb)
					}
				}
				if n := count(t, db, sys, "tenants", ""); n != 1 {
					t.Errorf("%d tenants, want 1", n)
				}
				if n := count(t, db, sys, "tenant_domains", ""); n != 0 {
					t.Errorf("%d tenant domains", n)
				}
				dalAdmin, err := s.Users.ByEmail(context.Background(), "admin@dal.example.no")
				if err != nil {
					t.Fatal(err)
				}
				for _, tn := range s.Tenants.All() {
					if rs := s.Roles.UserRoles(dalAdmin.ID, tn.ID); len(rs) != 0 {
						t.Errorf("the failed region's admin keeps %v in %s", rs, tn.Slug)
					}
				}
				// Fixed, the world seeds: the failed region was not half there.
				if err := seed.Run(context.Background(), s, small()); err != nil {
					t.Fatalf("seeding the fixed world: %v", err)
				}
				if _, ok := s.Tenants.BySlug("dal"); !ok {
					t.Error("the fixed region was not seeded")
				}
			})
		})
	}
}
