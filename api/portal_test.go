package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/tenants"
)

func TestStatisticsAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		before := e.Stats("baerum")
		rog := e.Stats("rogaland")
		if before.OpenListings == 0 || before.Offered.Text("") == "0 t" || len(before.Fractions) == 0 {
			t.Fatalf("demo statistics look empty: %+v", before)
		}
		e.PublishNeed("Fylling ved Fornebu", nil)
		after := e.Stats("baerum")
		if after.OpenListings != before.OpenListings+1 || after.PublishedListings != before.PublishedListings+1 {
			t.Fatalf("a published need of 3000 t must count at once: before %+v after %+v", before, after)
		}
		e.Settle() // its matches are found after the request, from the outbox
		after = e.Stats("baerum")
		if after.Matches <= before.Matches || after.MatchedListings < 2 || after.MatchRate <= 0 || after.MatchRate > 1 {
			t.Fatalf("the new need matches Fornebu's surplus: %+v", after)
		}
		if after.MedianHoursToFirstMatch == nil || *after.MedianHoursToFirstMatch < 0 {
			t.Fatalf("median time to first match: %+v", after.MedianHoursToFirstMatch)
		}
		if after.EstimatedCO2eSavedTonnes == nil || *after.EstimatedCO2eSavedTonnes <= 0 || after.EstimatedMatched.Band == "" {
			t.Fatalf("saving estimate: %+v", after)
		}
		var sp *stats.Fraction
		for i := range after.Fractions {
			if after.Fractions[i].Code == "sprengstein" {
				sp = &after.Fractions[i]
			}
		}
		if sp == nil || sp.Name != "Sprengstein" || sp.OpenListings == 0 {
			t.Fatalf("per fraction: %+v", after.Fractions)
		}
		// Tenants do not see each other's figures.
		if got := e.Stats("rogaland"); got.Matches != rog.Matches || got.Offered.Text("-") != rog.Offered.Text("-") || got.Needed.Text("-") != rog.Needed.Text("-") || got.OpenListings != rog.OpenListings {
			t.Fatalf("Rogaland's statistics changed with a Bærum listing: %+v → %+v", rog, got)
		}
		// English names on request; CORS open (open data).
		r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/stats", Header: map[string]string{"Accept-Language": "en"}})
		if r.Status != 200 {
			t.Fatalf("stats in English: %d %s", r.Status, r.Body)
		}
		var en stats.Stats
		r.JSON(t, &en)
		if len(en.Fractions) == 0 {
			t.Fatalf("stats in English list no fractions: %s", r.Body)
		}
		enLoc, nbLoc := locales.New(locales.MustBundle(), "en"), locales.New(locales.MustBundle(), "nb")
		sawSprengstein := false
		for _, f := range en.Fractions {
			want := enLoc.T("Fraction_" + f.Code)
			if f.Name != want {
				t.Errorf("fraction %s in English is named %q, want %q", f.Code, f.Name, want)
			}
			if f.Code == "sprengstein" {
				sawSprengstein = true
				if f.Name == nbLoc.T("Fraction_sprengstein") {
					t.Errorf("sprengstein keeps its Bokmål name %q in English", f.Name)
				}
			}
		}
		if !sawSprengstein {
			t.Fatalf("stats in English lack sprengstein: %+v", en.Fractions)
		}
		if r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatal("the statistics API is open data (CORS *)")
		}
		// A tenant admin may close the statistics to the public.
		if err := e.App.Roles.AddRule(e.Tenant("baerum").ID, tenants.Rule{Role: "anonymous", Object: "statistics", Action: "read", Effect: "deny"}); err != nil {
			t.Fatal(err)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/stats"}), 401, "unauthorized")
		if r := e.Do(apitest.Request{Path: "/t/baerum/statistics"}); r.Status == 200 {
			t.Fatal("the statistics page follows the same rule")
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/stats"}); r.Status != 200 {
			t.Fatalf("another tenant's rule does not apply: %d", r.Status)
		}
	})
}

func TestPublicFeed(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.PublishNeed("Behov med pris", nil)
		membersOnly := e.PublishNeed("Bare for medlemmer", map[string]any{"visibility": "members"})
		anon := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings"})
		asMember := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings", As: apitest.Member})
		if anon.Status != 200 || !bytes.Equal(anon.Body, asMember.Body) {
			t.Fatalf("the feed is the public view whoever asks: %d / %d", anon.Status, asMember.Status)
		}
		var f market.Feed
		anon.JSON(t, &f)
		if f.Tenant != "baerum" || f.License != "NLOD-2.0" || f.Count != len(f.Listings) || f.Count == 0 {
			t.Fatalf("feed: %+v", f)
		}
		body := string(anon.Body)
		for _, bad := range []string{membersOnly, "Bare for medlemmer", "price_nok_per_tonne\":55", "quantity_tonnes", "Fornebu Anlegg\",\"email", "@"} {
			if strings.Contains(body, bad) {
				t.Fatalf("the public feed must not contain %q", bad)
			}
		}
		for _, l := range f.Listings {
			if !l.Area.Exact && l.Area.RadiusKm == 0 || !strings.HasSuffix(l.URL, "/t/baerum/listings/"+l.ID) || l.Status == "draft" {
				t.Fatalf("feed item: %+v", l)
			}
		}
		if anon.Header.Get("Access-Control-Allow-Origin") != "*" || anon.Header.Get("ETag") == "" {
			t.Fatalf("feed headers: %v", anon.Header)
		}
		// Conditional requests and gzip.
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings", Header: map[string]string{"If-None-Match": anon.Header.Get("ETag")}}); r.Status != 304 {
			t.Fatalf("If-None-Match: %d", r.Status)
		}
		gz := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings", Header: map[string]string{"Accept-Encoding": "gzip"}})
		zr, err := gzip.NewReader(bytes.NewReader(gz.Body))
		if err != nil || gz.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("gzip: %v %v", err, gz.Header)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, anon.Body) {
			t.Fatal("gzip body differs")
		}
		// GeoJSON: coarse points, no members-only listing, filters checked.
		g := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings.geojson", As: apitest.TenantAdmin})
		if g.Status != 200 || strings.Contains(string(g.Body), membersOnly) || !strings.Contains(string(g.Body), `"approx":1`) {
			t.Fatalf("geojson feed: %d %.300s", g.Status, g.Body)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings.geojson?fraction=gull"}), 422, "validation")
		// Made-up hosts do not multiply cached feeds: after three link bases
		// the feed links relative to the platform.
		var rel market.Feed
		for i := 0; i < 5; i++ {
			r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings", Host: "h" + string(rune('a'+i)) + ".example"})
			r.JSON(t, &rel)
		}
		if u := rel.Listings[0].URL; !strings.HasPrefix(u, "/t/baerum/listings/") {
			t.Fatalf("the sixth host's feed links %q, want a relative link", u)
		}
		// Other tenants' feeds do not mix.
		r := e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/feed/listings"})
		if strings.Contains(string(r.Body), "Fornebu") || strings.Contains(string(r.Body), "/t/baerum/") {
			t.Fatal("Rogaland's feed shows Bærum listings")
		}
	})
}
