package market_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestLocationChangeLimitM2: a listing's point may be moved at most
// MaxLocationChanges times a day (a draft moved again and again would
// trilaterate hidden counterparts); other edits are not limited, and the
// limit is the service's setting.
func TestLocationChangeLimitM2(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.s.MaxLocationChanges = 2
		l, err := w.s.Create(w.owner, surplus(w.own, "Flyttes", 1000))
		if err != nil {
			t.Fatal(err)
		}
		for i, lat := range []float64{59.91, 59.92} {
			if _, err := w.s.Update(w.owner, l.ID, &market.ListingInput{Lat: &lat, Lon: ptr(10.6)}); err != nil {
				t.Fatalf("move %d: %v", i+1, err)
			}
		}
		lat := 59.93
		_, err = w.s.Update(w.owner, l.ID, &market.ListingInput{Lat: &lat, Lon: ptr(10.6)})
		e := failure(t, err, fail.Invalid, "validation")
		if len(e.Fields) != 1 || e.Fields[0].Pointer != "/lat" || e.Fields[0].Code != "location_changes" || e.Fields[0].MsgID != "ErrLocationChanges" {
			t.Fatalf("fields: %+v", e.Fields)
		}
		got, err := w.s.Get(w.owner, l.ID)
		if err != nil || got.Lat != 59.92 {
			t.Fatalf("the third move must not be saved: %v %v", got.Lat, err)
		}
		// Other changes, and the same point again, are not moves.
		same := 59.92
		if _, err := w.s.Update(w.owner, l.ID, &market.ListingInput{Title: ptr("Nytt navn"), Lat: &same, Lon: ptr(10.6)}); err != nil {
			t.Fatal(err)
		}
		// Unlimited when the setting says so.
		w.s.MaxLocationChanges = -1
		if _, err := w.s.Update(w.owner, l.ID, &market.ListingInput{Lat: &lat, Lon: ptr(10.6)}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestProjectPointOutlets: a project whose owner keeps its point private
// (the default) gives visitors only its ~1 km cell everywhere: its
// listing's public view and the public feed, the site itself, and the
// public map (which the widgets serve) for a facility whose owner chose so.
func TestProjectPointOutlets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		lat, lon := 59.91, 10.60
		prj, err := w.s.Directory.CreateSite(w.owner, w.own, &directory.SiteInput{Kind: ptr("project"), Name: ptr("Prosjekt"), Phase: ptr("idea"), Lat: &lat, Lon: &lon})
		if err != nil {
			t.Fatal(err)
		}
		in := surplus(w.own, "Fra prosjektet", 1000)
		in.Lat, in.Lon, in.SiteID, in.Publish = nil, nil, &prj.ID, true
		l, err := w.s.Create(w.owner, in)
		if err != nil || l.Lat != lat {
			t.Fatalf("listing on the project: %v %+v", err, l)
		}
		cl, co := geo.Cell(lat, lon)
		feed, err := w.s.Feed(w.anyone, "x", "https://example.no")
		if err != nil || len(feed.Listings) != 1 {
			t.Fatalf("feed: %v %+v", err, feed)
		}
		if a := feed.Listings[0].Area; a.Exact || a.Lat != cl || a.Lon != co {
			t.Fatalf("feed area: %+v", a)
		}
		st, err := w.s.Directory.GetSite(w.anyone, prj.ID)
		if err != nil || st.Lat != cl || st.Lon != co || !st.PointApproximate {
			t.Fatalf("the project's page undoes the listing's area: %v %+v", err, st)
		}
		// A facility that keeps its point to members: the public map (the
		// widgets' map) shows its cell, members the point.
		fac, err := w.s.Directory.CreateSite(w.owner, w.own, &directory.SiteInput{Kind: ptr("facility"), Name: ptr("Mottak"), FacilityType: ptr("landfill"), Lat: ptr(59.95), Lon: ptr(10.65), ExactPointPublic: ptr(false)})
		if err != nil || fac.ExactPointPublic {
			t.Fatalf("facility: %v %+v", err, fac)
		}
		fl, fo := geo.Cell(59.95, 10.65)
		pub, err := w.s.PublicGeoJSON(w.anyone, "", "")
		if err != nil {
			t.Fatal(err)
		}
		want := `"coordinates":[` + strconv.FormatFloat(fo, 'f', 5, 64) + `,` + strconv.FormatFloat(fl, 'f', 5, 64) + `]},"properties":{"approx":1,"id":"` + fac.ID + `"`
		if !strings.Contains(string(pub), want) || strings.Contains(string(pub), "59.95000") {
			t.Fatalf("public map: want %s in %s", want, pub)
		}
		mem, err := w.s.GeoJSON(w.outsider, "", "")
		if err != nil || !strings.Contains(string(mem), `"coordinates":[10.65000,59.95000]`) {
			t.Fatalf("members' map: %v %s", err, mem)
		}
	})
}
