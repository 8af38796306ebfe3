// Package demo is the demo world that `masseflyt serve --demo` and
// `masseflyt seed` load: three regions with the real projects and sites of
// the regions' own presentations (Bærum ressursbank's large projects of
// 2020–2030 and the Avtjerna storage area; the sorting and storage sites of
// Trondheimsregionen), worked by fictional companies. It is seeded through
// the domain by internal/seed and is free to change: the tests run on
// internal/fixtures.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/tenants"
	"gorm.io/gorm"
)

// Authored is the day the demo's dates were written for; seeding lays them
// out again relative to the clock (seed.Layout).
var Authored = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// Tenants are the demo regions.
var Tenants = []seed.Tenant{
	{Slug: "baerum", Name: "Bærum ressursbank", Short: "Bærum", Description: "Ressursbank for overskuddsmasser i Asker, Bærum og Oslo: Fornebubanen, E16, E18 Vestkorridoren, Ringeriksbanen og flere – om lag 25 millioner m³ masser fram mot 2030.", Primary: "#0b5a3c", Accent: "#f2b134", Lat: 59.92, Lon: 10.55, Zoom: 10, Municipalities: []string{"3201", "3203", "0301", "3312", "3305"}, Domain: "masser.baerum.localhost"},
	{Slug: "trondelag", Name: "Trøndelag ressursbankforum", Short: "Trøndelag", Description: "Forum for bærekraftig massehåndtering i Trondheimsregionen: gjenbruk av lett forurensede masser, mellomlagring og datainnsamling.", Primary: "#00507d", Accent: "#e4a11b", Lat: 63.39, Lon: 10.35, Zoom: 10, Municipalities: []string{"5001", "5028", "5031", "5035", "5059"}},
	{Slug: "rogaland", Name: "Rogaland masseforum", Short: "Rogaland", Description: "Masseforum for Nord-Jæren: Stavanger, Sandnes, Sola og Randaberg.", Primary: "#7a1f2b", Accent: "#2e86ab", Lat: 58.90, Lon: 5.70, Zoom: 11, Municipalities: []string{"1103", "1108", "1124", "1127"}},
}

// Users are the demo people (README lists them); their dev-login subject
// is "dev:" + e-mail.
var Users = []seed.User{
	{Email: "plattform@masseflyt.no", Name: "Petter Plattform", Role: auth.RoleSuperadmin},
	{Email: "admin@baerum-ressursbank.no", Name: "Ingrid Ressursbank", Tenant: "baerum", Role: auth.RoleTenantAdmin},
	{Email: "tilsyn@statsforvalteren-oslo.no", Name: "Tone Tilsyn", Tenant: "baerum", Role: auth.RoleSupervisor},
	{Email: "kari@fornebu-anlegg.no", Name: "Kari Anlegg", Tenant: "baerum", Org: "fornebu-anlegg", OrgRole: directory.AdminRole, Message: "Massekoordinator på Fornebubanen."},
	{Email: "ola@sandvika-bygg.no", Name: "Ola Byggherre", Tenant: "baerum", Org: "sandvika-bygg", OrgRole: directory.MemberRole, Message: "Prosjektleder for Sandvika Fjordpark."},
	{Email: "lars@lysaker-transport.no", Name: "Lars Sjåfør", Tenant: "baerum", Org: "lysaker-transport", OrgRole: directory.AdminRole, Message: "Daglig leder."},
	{Email: "nina@vestmarka-pukk.no", Name: "Nina Pukkverk", Tenant: "baerum", Org: "vestmarka-pukk", OrgRole: directory.MemberRole, Pending: true, Message: "Jeg har ansvar for mottaket på pukkverket."},
	{Email: "admin@trondelag-ressursbank.no", Name: "Trond Forum", Tenant: "trondelag", Role: auth.RoleTenantAdmin},
	{Email: "siri@nidaros-entreprenor.no", Name: "Siri Entreprenør", Tenant: "trondelag", Org: "nidaros", OrgRole: directory.AdminRole, Message: "Prosjektleder."},
	{Email: "admin@rogaland-masseforum.no", Name: "Rune Masseforum", Tenant: "rogaland", Role: auth.RoleTenantAdmin},
	{Email: "marit@jaeren-anlegg.no", Name: "Marit Jæren", Tenant: "rogaland", Org: "jaeren-anlegg", OrgRole: directory.AdminRole, Message: "Prosjektleder på Bussveien."},
}

// Subject returns the dev-login subject of a demo user.
func Subject(email string) string { return seed.Subject(email) }

// World is the demo world.
func World() seed.World {
	orgs := make([]seed.Org, len(Orgs))
	for i, o := range Orgs {
		if c, ok := contacts[o.Key]; ok {
			o.Contacts = []seed.Contact{c}
		}
		orgs[i] = o
	}
	return seed.World{Authored: Authored, Tenants: Tenants, Users: Users, Orgs: orgs, Sites: sites, Vehicles: vehicles, Listings: listings}
}

// Seed loads the demo world (idempotent: existing regions are left alone).
func Seed(ctx context.Context, s seed.Services) error { return SeedWith(ctx, s, Options{}) }

// Options leave parts of the demo out.
type Options struct {
	// NoHistory leaves out the months of history (history.go): for tests
	// of the other parts, which need not wait for its few hundred loads.
	NoHistory bool
	// BeforeCommit, when set, runs last inside each new region's
	// transaction (a test looks at the region from outside it before it
	// commits); an error rolls the region back.
	BeforeCommit func(ctx context.Context, t *tenants.Tenant) error
}

// SeedWith loads the demo world with o. Each new region is written in one
// transaction with all its parts (seed.RunWith): a failure or a crash
// half-way leaves no trace of it, and the next run seeds it whole.
func SeedWith(ctx context.Context, s seed.Services, o Options) error {
	return seed.RunWith(ctx, s, World(), func(ctx context.Context, t *tenants.Tenant) error {
		steps := []func(context.Context, seed.Services, *tenants.Tenant) error{
			seedDialogs,    // internal/demo/dialogs.go
			seedBilling,    // internal/demo/billing.go, before the agreements it meters
			seedAgreements, // internal/demo/agreements.go
			seedTransport,  // internal/demo/transport.go, on the signed agreement
			seedLoads,      // internal/demo/loads.go, on the transport order
		}
		if !o.NoHistory {
			steps = append(steps, seedHistory) // internal/demo/history.go: months of agreements and loads on the region's projects
		}
		if t.Slug == "baerum" { // the parts above are Bærum's
			for _, step := range steps {
				if err := step(ctx, s, t); err != nil {
					return err
				}
			}
		}
		if err := seedClimate(ctx, s, t); err != nil { // internal/demo/climate.go: the climate accounts from the loads
			return err
		}
		if o.BeforeCommit != nil {
			return o.BeforeCommit(ctx, t)
		}
		return nil
	})
}

// firstID is the ID of the first row (by ID) of table where where holds,
// read in ctx's region; part names the demo part in the error when there
// is none.
func firstID(ctx context.Context, s seed.Services, part, table, where string, args ...any) (string, error) {
	var out string
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Table(table).Where(where, args...).Order("id").Limit(1).Pluck("id", &out).Error
	})
	if err == nil && out == "" {
		err = fmt.Errorf("demo %s: no %s where %s %v", part, table, where, args)
	}
	return out, err
}

// demoOrgID is the ID of the demo organization key of region t.
func demoOrgID(ctx context.Context, s seed.Services, part string, t *tenants.Tenant, key string) (string, error) {
	for _, o := range Orgs {
		if o.Key == key && o.Tenant == t.Slug {
			return firstID(ctx, s, part, "organizations", "org_number = ?", o.OrgNumber)
		}
	}
	return "", fmt.Errorf("demo %s: no organization %s", part, key)
}
