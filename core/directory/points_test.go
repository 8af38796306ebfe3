package directory_test

import (
	"testing"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestProjectPointPrivateByDefault: a project's exact point is not public
// unless its owner says so; a facility's is. Visitors get the ~1 km cell's
// centre on the site page/API (GetSite), the lists (ListSites), the front
// page (Summarize) and the directory map (MapFeatures); the owner, members
// of the region and supervisors get the point; the owner may make it public.
func TestProjectPointPrivateByDefault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		lat, lon := 59.91, 10.60
		prj, err := f.s.CreateSite(f.ctx(f.member), f.a.ID, &directory.SiteInput{Kind: ptr("project"), Name: ptr("Prosjekt"), Phase: ptr("idea"), Lat: &lat, Lon: &lon})
		if err != nil {
			t.Fatal(err)
		}
		if prj.ExactPointPublic || prj.Lat != lat || prj.PointApproximate {
			t.Fatalf("the owner sees the exact point of a private project: %+v", prj)
		}
		fac, err := f.s.CreateSite(f.ctx(f.member), f.a.ID, &directory.SiteInput{Kind: ptr("facility"), Name: ptr("Mottak"), FacilityType: ptr("landfill"), Lat: ptr(59.95), Lon: ptr(10.65)})
		if err != nil || !fac.ExactPointPublic {
			t.Fatalf("a facility's point is public by default: %v %+v", err, fac)
		}
		cl, co := geo.Cell(lat, lon)
		visitor := f.anon()
		got, err := f.s.GetSite(visitor, prj.ID)
		if err != nil || got.Lat != cl || got.Lon != co || !got.PointApproximate {
			t.Fatalf("site page for a visitor: %v %+v", err, got)
		}
		if geo.HaversineKm(geo.Point{Lat: got.Lat, Lon: got.Lon}, geo.Point{Lat: lat, Lon: lon}) < 0.1 {
			t.Fatal("the cell's centre must not be the point")
		}
		if got, _ := f.s.GetSite(visitor, fac.ID); got.Lat != 59.95 || got.PointApproximate {
			t.Fatalf("a facility's point is public: %+v", got)
		}
		for _, a := range []struct {
			name  string
			exact bool
		}{{"outsider", false}, {"admin", true}, {"adminB", false}} {
			ctx := f.ctx(f.outsider)
			switch a.name {
			case "admin":
				ctx = f.ctx(f.admin)
			case "adminB":
				ctx = f.ctx(f.adminB)
			}
			got, err := f.s.GetSite(ctx, prj.ID)
			if err != nil || (got.Lat == lat) != a.exact {
				t.Fatalf("%s: exact %v: %+v", a.name, a.exact, got)
			}
		}
		list, err := f.s.ListSites(visitor, directory.SiteFilter{Page: page.Request{Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range list.Items {
			if st.ID == prj.ID && (st.Lat != cl || !st.PointApproximate) {
				t.Fatalf("site list for a visitor: %+v", st)
			}
		}
		fc, err := f.s.MapFeatures(visitor, directory.SiteFilter{})
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, ft := range fc.Features {
			c := ft.Geometry["coordinates"].([]float64)
			switch ft.Properties["id"] {
			case prj.ID:
				seen++
				if c[0] != co || c[1] != cl || ft.Properties["approx"] != 1 {
					t.Fatalf("map feature for a visitor: %+v", ft)
				}
			case fac.ID:
				seen++
				if c[1] != 59.95 || ft.Properties["approx"] != nil {
					t.Fatalf("facility feature: %+v", ft)
				}
			}
		}
		if seen != 2 {
			t.Fatalf("map: %d of 2 sites", seen)
		}
		sum, err := f.s.Summarize(visitor, 10)
		if err != nil || len(sum.Upcoming) == 0 || sum.Upcoming[0].Lat != cl {
			t.Fatalf("front page: %v %+v", err, sum.Upcoming)
		}
		// The owner makes the point public; visitors see it.
		if _, err := f.s.UpdateSite(f.ctx(f.member), prj.ID, &directory.SiteInput{ExactPointPublic: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.s.GetSite(visitor, prj.ID); got.Lat != lat || got.PointApproximate || !got.ExactPointPublic {
			t.Fatalf("public point: %+v", got)
		}
	})
}
