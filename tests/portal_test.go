package tests

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/tenants"
)

// publishNeed publishes a need near Fornebu's surplus (a match is found).
func publishNeed(t *testing.T, e *apitest.Env, title string, extra map[string]any) string {
	t.Helper()
	id := publishNeedNoWait(t, e, title, extra)
	e.Settle() // discovery runs after the request; its writes change the region's caches
	return id
}

// publishNeedNoWait publishes as publishNeed does, without waiting for the
// background work the publication starts.
func publishNeedNoWait(t *testing.T, e *apitest.Env, title string, extra map[string]any) string {
	t.Helper()
	body := map[string]any{"kind": "need", "title": title, "organization_id": e.OrgID("baerum", "sandvika-bygg"),
		"fractions": []string{"sprengstein"}, "quantity": 3000, "unit": "t", "available_from": apitest.Month(-5), "available_to": apitest.Month(13), "lat": 59.8960, "lon": 10.6300,
		"intended_use": "fill", "transport": "seller_delivers", "publish": true, "price_nok_per_tonne": 55}
	for k, v := range extra {
		body[k] = v
	}
	r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: member, Body: body})
	if r.Status != 201 {
		t.Fatalf("publish need: %d %s", r.Status, r.Body)
	}
	var l struct{ ID string }
	r.JSON(t, &l)
	return l.ID
}

func getStats(t *testing.T, e *apitest.Env, slug string) stats.Stats {
	t.Helper()
	r := e.Do(apitest.Request{Path: "/api/v1/tenants/" + slug + "/stats"})
	if r.Status != 200 {
		t.Fatalf("stats: %d %s", r.Status, r.Body)
	}
	var s stats.Stats
	r.JSON(t, &s)
	return s
}

func TestStatisticsAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		before := getStats(t, e, "baerum")
		rog := getStats(t, e, "rogaland")
		if before.OpenListings == 0 || before.OfferedTonnes <= 0 || len(before.Fractions) == 0 {
			t.Fatalf("demo statistics look empty: %+v", before)
		}
		publishNeed(t, e, "Fylling ved Fornebu", nil)
		after := getStats(t, e, "baerum")
		if after.NeededTonnes != before.NeededTonnes+3000 || after.OpenListings != before.OpenListings+1 || after.PublishedListings != before.PublishedListings+1 {
			t.Fatalf("a published need of 3000 t must count at once: before %+v after %+v", before, after)
		}
		e.Settle() // its matches are found after the request, from the outbox
		after = getStats(t, e, "baerum")
		if after.Matches <= before.Matches || after.MatchedListings < 2 || after.MatchRate <= 0 || after.MatchRate > 1 {
			t.Fatalf("the new need matches Fornebu's surplus: %+v", after)
		}
		if after.MedianHoursToFirstMatch == nil || *after.MedianHoursToFirstMatch < 0 {
			t.Fatalf("median time to first match: %+v", after.MedianHoursToFirstMatch)
		}
		if after.EstimatedCO2eSavedTonnes <= 0 || after.EstimatedMatchedTonnes <= 0 || after.EstimatedMatchedTonnes > 3000*float64(after.MatchedListings) {
			t.Fatalf("saving estimate: %+v", after)
		}
		var sp *stats.Fraction
		for i := range after.Fractions {
			if after.Fractions[i].Code == "sprengstein" {
				sp = &after.Fractions[i]
			}
		}
		if sp == nil || sp.Name != "Sprengstein" || sp.NeededTonnes < 3000 {
			t.Fatalf("per fraction: %+v", after.Fractions)
		}
		// Tenants do not see each other's figures.
		if got := getStats(t, e, "rogaland"); got.Matches != rog.Matches || got.OfferedTonnes != rog.OfferedTonnes || got.NeededTonnes != rog.NeededTonnes {
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
		problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/stats"}), 401, "unauthorized")
		if r := e.Do(apitest.Request{Path: "/t/baerum/statistics"}); r.Status == 200 {
			t.Fatal("the statistics page follows the same rule")
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/stats"}); r.Status != 200 {
			t.Fatalf("another tenant's rule does not apply: %d", r.Status)
		}
	})
}

// TestComputeStats checks the arithmetic on a fixed set, laid out around the
// harness clock's now.
func TestComputeStats(t *testing.T) {
	now := apitest.Now().UTC()
	p := func(h int) *time.Time { x := now.Add(-time.Duration(h) * time.Hour); return &x }
	end := now.AddDate(1, 0, 0)
	ls := []stats.ListingRow{
		{ID: "s1", Kind: "surplus", Fractions: "sprengstein", Status: "published", Tonnes: 1000, PublishedAt: p(100), AvailableTo: end},
		{ID: "n1", Kind: "need", Fractions: "sprengstein,morene", Status: "published", Tonnes: 600, PublishedAt: p(50), AvailableTo: end},
		{ID: "n2", Kind: "need", Fractions: "sprengstein", Status: "partly_matched", Tonnes: 800, PublishedAt: p(10), AvailableTo: end},
		{ID: "c1", Kind: "surplus", Fractions: "leire", Status: "closed", Tonnes: 5000, PublishedAt: p(300), AvailableTo: end},
		{ID: "x1", Kind: "surplus", Fractions: "leire", Status: "published", Tonnes: 7000, PublishedAt: p(300), AvailableTo: now.AddDate(0, 0, -2)},
	}
	ms := []stats.MatchRow{
		// s1→n1: 600 t saving 6000 kg (10 kg/t); s1→n2: 800 t saving 16000 kg (20 kg/t)
		{ListingID: "n1", CounterpartID: "s1", Tonnes: 600, Saving: 6000, CreatedAt: now.Add(-40 * time.Hour)},
		{ListingID: "n2", CounterpartID: "s1", Tonnes: 800, Saving: 16000, CreatedAt: now.Add(-8 * time.Hour)},
	}
	st := stats.Compute("x", now, ls, ms)
	if st.OpenListings != 3 || st.OfferedTonnes != 1000 || st.NeededTonnes != 1400 || st.PublishedListings != 5 || st.AgreedListings != 1 {
		t.Fatalf("totals: %+v", st)
	}
	if st.Matches != 2 || st.MatchedListings != 3 || st.MatchRate != 0.6 {
		t.Fatalf("matches: %+v", st)
	}
	// First matches: s1 after 60 h (published 100 h ago, matched 40 h ago), n1 after 10 h, n2 after 2 h → median 10 h.
	if st.MedianHoursToFirstMatch == nil || *st.MedianHoursToFirstMatch != 10 {
		t.Fatalf("median: %v", st.MedianHoursToFirstMatch)
	}
	// Greedy: s1→n2 800 t × 20 kg = 16 t; then s1 has 200 t left → n1 200 t × 10 kg = 2 t; total 18 t over 1000 t.
	if st.EstimatedCO2eSavedTonnes != 18 || st.EstimatedMatchedTonnes != 1000 {
		t.Fatalf("saving: %v t over %v t", st.EstimatedCO2eSavedTonnes, st.EstimatedMatchedTonnes)
	}
	sawMorene := false
	for _, f := range st.Fractions {
		if f.Code == "morene" {
			sawMorene = true
			if f.NeededTonnes != 300 {
				t.Fatalf("a need for two fractions is split evenly: %+v", f)
			}
		}
		if f.Code == "leire" {
			t.Fatalf("closed and expired listings are not open: %+v", f)
		}
	}
	if !sawMorene {
		t.Fatalf("no morene among the fractions of open listings: %+v", st.Fractions)
	}
}

func TestPublicFeed(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		publishNeed(t, e, "Behov med pris", nil)
		membersOnly := publishNeed(t, e, "Bare for medlemmer", map[string]any{"visibility": "members"})
		anon := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings"})
		asMember := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings", As: member})
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
		g := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings.geojson", As: tenantAdmin})
		if g.Status != 200 || strings.Contains(string(g.Body), membersOnly) || !strings.Contains(string(g.Body), `"approx":1`) {
			t.Fatalf("geojson feed: %d %.300s", g.Status, g.Body)
		}
		problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings.geojson?fraction=gull"}), 422, "validation")
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

func setOrigins(t testing.TB, e *apitest.Env, slug string, origins ...string) {
	t.Helper()
	tn := *e.Tenant(slug)
	tn.EmbedOrigins = strings.Join(origins, "\n")
	if err := e.App.Tenants.Update(e.Ctx(slug), &tn); err != nil {
		t.Fatal(err)
	}
}

func TestWidgetEndpoints(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		setOrigins(t, e, "baerum", "https://www.baerum.kommune.no")
		loader := e.Do(apitest.Request{Path: "/widgets/v1/embed.js"})
		if loader.Status != 200 || loader.Header.Get("Cache-Control") != "public, max-age=300" || !strings.Contains(string(loader.Body), "masseflyt-") {
			t.Fatalf("loader: %d %v", loader.Status, loader.Header)
		}
		name := widgetBundle(e)
		if !strings.Contains(string(loader.Body), name) {
			t.Fatalf("the loader must name the current bundle %s", name)
		}
		b := e.Do(apitest.Request{Path: "/widgets/v1/" + name})
		if b.Status != 200 || !strings.Contains(b.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(b.Header.Get("Content-Type"), "text/javascript") {
			t.Fatalf("bundle: %d %v", b.Status, b.Header)
		}
		problem(t, e.Do(apitest.Request{Path: "/widgets/v1/map-OLDHASH1.js"}), 404, "not_found")
		problem(t, e.Do(apitest.Request{Path: "/widgets/v1/data/atlantis/config"}), 404, "unknown_tenant")

		cfgPath := "/widgets/v1/data/baerum/config?lang=en"
		for _, c := range []struct {
			origin string
			status int
		}{
			{"", 200},
			{"https://www.baerum.kommune.no", 200},
			{"https://masser.baerum.localhost", 200}, // the tenant's own domain
			{"https://evil.example", 403},
			{"https://www.baerum.kommune.no.evil.example", 403},
			{"null", 403},
		} {
			h := map[string]string{"Cookie": apitest.Cookie(member)}
			if c.origin != "" {
				h["Origin"] = c.origin
			}
			r := e.Do(apitest.Request{Path: cfgPath, Header: h})
			if r.Status != c.status {
				t.Fatalf("Origin %q: %d, want %d: %s", c.origin, r.Status, c.status, r.Body)
			}
			if r.Header.Get("Set-Cookie") != "" {
				t.Fatalf("widget traffic must not set cookies: %v", r.Header)
			}
			if c.origin != "" && r.Header.Get("Access-Control-Allow-Origin") != c.origin {
				t.Fatalf("Origin %q: ACAO %q", c.origin, r.Header.Get("Access-Control-Allow-Origin"))
			}
			if c.status == 403 {
				p := problem(t, r, 403, "origin_not_allowed")
				if !strings.Contains(p.Title, "Bærum ressursbank") {
					t.Fatalf("the refusal names the region: %+v", p)
				}
			}
			if !strings.Contains(r.Header.Get("Vary"), "Origin") {
				t.Fatalf("Vary must include Origin: %v", r.Header)
			}
		}
		var cfg struct {
			Name           string
			ColorPrimary   string `json:"color_primary"`
			Labels         map[string]string
			Tiles          struct{ URL string }
			MarketplaceURL string `json:"marketplace_url"`
		}
		e.Do(apitest.Request{Path: cfgPath}).JSON(t, &cfg)
		if cfg.ColorPrimary != e.Tenant("baerum").ColorPrimary || cfg.Labels["listings"] != "Mass listings" || cfg.Tiles.URL == "" || !strings.HasSuffix(cfg.MarketplaceURL, "/t/baerum") {
			t.Fatalf("config: %+v", cfg)
		}
		// Listing data: the same for a member's cookie as for anyone (no
		// personal view), never a members-only listing.
		membersOnly := publishNeed(t, e, "Bare for medlemmer", map[string]any{"visibility": "members"})
		a := e.Do(apitest.Request{Path: "/widgets/v1/data/baerum/listings"})
		m := e.Do(apitest.Request{Path: "/widgets/v1/data/baerum/listings", Header: map[string]string{"Cookie": apitest.Cookie(tenantAdmin)}})
		if a.Status != 200 || !bytes.Equal(a.Body, m.Body) || strings.Contains(string(a.Body), membersOnly) {
			t.Fatalf("widget listings: %d, same for all %v", a.Status, bytes.Equal(a.Body, m.Body))
		}
		if r := e.Do(apitest.Request{Path: "/widgets/v1/data/baerum/map?kind=surplus"}); r.Status != 200 || strings.Contains(string(r.Body), `"kind":"need"`) {
			t.Fatalf("map data: %d", r.Status)
		}
		problem(t, e.Do(apitest.Request{Path: "/widgets/v1/data/baerum/map?kind=gold"}), 422, "validation")
		// The iframe page: frame-ancestors from the allowlist, no X-Frame-Options.
		f := e.Do(apitest.Request{Path: "/widgets/v1/frame/baerum/listings?kind=surplus&lang=nn"})
		csp := f.Header.Get("Content-Security-Policy")
		if f.Status != 200 || f.Header.Get("X-Frame-Options") != "" || !strings.Contains(csp, "frame-ancestors 'self' https://www.baerum.kommune.no https://masser.baerum.localhost") {
			t.Fatalf("frame: %d %v", f.Status, f.Header)
		}
		if !strings.Contains(string(f.Body), `<masseflyt-listings tenant="baerum" lang="nn" kind="surplus">`) {
			t.Fatalf("frame body: %s", f.Body)
		}
		for _, bad := range []string{"/widgets/v1/frame/baerum/chart", "/widgets/v1/frame/baerum/map?height=99999", "/widgets/v1/frame/baerum/map?fraction=gull", "/widgets/v1/frame/baerum/map?kind=%3Cscript%3E"} {
			if r := e.Do(apitest.Request{Path: bad}); r.Status != 404 && r.Status != 422 {
				t.Fatalf("%s: %d", bad, r.Status)
			}
		}
	})
}

func TestEmbeddingSettings(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		path := "/api/v1/tenants/baerum/admin/settings"
		bad := []map[string]any{
			{"embed_origins": []string{"www.baerum.kommune.no"}},        // no scheme
			{"embed_origins": []string{"http://www.baerum.kommune.no"}}, // http only for localhost
			{"embed_origins": []string{"https://www.baerum.kommune.no/kart"}},
			{"embed_origins": []string{"javascript:alert(1)"}},
			{"embed_origins": []string{"https://user@www.example.no"}},
			{"embed_origins": manyOrigins(31)},
			{"tile_url": "http://tiles.example.no/{z}/{x}/{y}.png", "tile_attribution": "X"},
			{"tile_url": "https://tiles.example.no/tiles.png", "tile_attribution": "X"},
			{"tile_url": "https://tiles.example.no/{z}/{x}/{y}.png; script-src *", "tile_attribution": "X"},
			{"tile_url": "https://tiles.example.no/{z}/{x}/{y}.png"},
			{"tile_attribution": "<b>Kartverket</b>", "tile_url": "https://cache.kartverket.no/{z}/{y}/{x}.png"},
		}
		before := e.Tenant("baerum").EmbedOrigins
		for _, b := range bad {
			r := e.Do(apitest.Request{Method: "PATCH", Path: path, As: tenantAdmin, Body: b})
			problem(t, r, 422, "validation")
		}
		if e.Tenant("baerum").EmbedOrigins != before {
			t.Fatal("a refused change must not be half saved")
		}
		ok := map[string]any{"embed_origins": []string{"https://www.baerum.kommune.no/", "https://WWW.baerum.kommune.no", "http://localhost:3000"},
			"tile_url": "https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png", "tile_attribution": "© Kartverket"}
		r := e.Do(apitest.Request{Method: "PATCH", Path: path, As: tenantAdmin, Body: ok})
		if r.Status != 200 {
			t.Fatalf("settings: %d %s", r.Status, r.Body)
		}
		if got := e.Tenant("baerum").Origins(); strings.Join(got, " ") != "https://www.baerum.kommune.no http://localhost:3000" {
			t.Fatalf("origins normalized and deduplicated: %v", got)
		}
		// The tiles reach the UI's CSP and the widgets' config.
		page := e.Do(apitest.Request{Path: "/t/baerum/map"})
		if !strings.Contains(page.Header.Get("Content-Security-Policy"), "https://cache.kartverket.no") || !strings.Contains(string(page.Body), "webmercator/{z}/{y}/{x}.png") {
			t.Fatal("the tenant's tiles must be allowed and used on its map page")
		}
		if r := e.Do(apitest.Request{Path: "/t/rogaland/map"}); strings.Contains(string(r.Body), "webmercator") {
			t.Fatal("another tenant's tiles leak")
		}
		// Rogaland's admin cannot change Bærum's allowlist.
		r = e.Do(apitest.Request{Method: "PATCH", Path: path, As: rogAdmin, Body: map[string]any{"embed_origins": []string{"https://evil.example"}}})
		if r.Status != 403 || e.Tenant("baerum").AllowsOrigin("https://evil.example") {
			t.Fatalf("cross-tenant settings: %d", r.Status)
		}
	})
}

func manyOrigins(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, "https://site"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+".example.no")
	}
	return out
}

func TestPWA(t *testing.T) {
	e := apitest.New(t, "sqlite")
	r := e.Do(apitest.Request{Path: "/t/rogaland/manifest.webmanifest"})
	var m struct {
		Name, Scope, Display string
		ShortName            string `json:"short_name"`
		StartURL             string `json:"start_url"`
		ThemeColor           string `json:"theme_color"`
		Icons                []struct{ Src, Sizes, Purpose string }
	}
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/manifest+json") {
		t.Fatalf("manifest: %d %v", r.Status, r.Header)
	}
	r.JSON(t, &m)
	tn := e.Tenant("rogaland")
	if !strings.HasPrefix(m.Name, tn.Name) || m.StartURL != "/t/rogaland/?source=pwa" || m.Scope != "/t/rogaland/" || m.Display != "standalone" || m.ThemeColor != tn.ColorPrimary || len(m.Icons) < 3 {
		t.Fatalf("manifest: %+v", m)
	}
	for _, ic := range m.Icons {
		r := e.Do(apitest.Request{Path: ic.Src})
		img, err := png.Decode(bytes.NewReader(r.Body))
		if r.Status != 200 || err != nil {
			t.Fatalf("icon %s: %d %v", ic.Src, r.Status, err)
		}
		if want, _ := strconv.Atoi(ic.Sizes[:strings.Index(ic.Sizes, "x")]); img.Bounds().Dx() != want || img.Bounds().Dy() != want {
			t.Fatalf("icon %s is %v, want %s", ic.Src, img.Bounds(), ic.Sizes)
		}
		// The brand colour fills the corner (maskable icons bleed to the edge).
		c := img.At(2, 2)
		cr, cg, cb, _ := c.RGBA()
		if hex := fmt.Sprintf("#%02x%02x%02x", cr>>8, cg>>8, cb>>8); hex != tn.ColorPrimary {
			t.Fatalf("icon %s corner %s, want the brand colour %s", ic.Src, hex, tn.ColorPrimary)
		}
	}
	for _, p := range []string{"/t/rogaland/icons/../../etc/passwd", "/t/rogaland/icons/icon-1024.png", "/t/rogaland/icons/%2e%2e%2fapp.go"} {
		if r := e.Do(apitest.Request{Path: p}); r.Status != 404 {
			t.Fatalf("%s: %d", p, r.Status)
		}
	}
	sw := e.Do(apitest.Request{Path: "/t/rogaland/sw.js"})
	if sw.Status != 200 || !strings.HasPrefix(sw.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(string(sw.Body), `"/t/rogaland/offline"`) || sw.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("service worker: %d %v", sw.Status, sw.Header)
	}
	off := e.Do(apitest.Request{Path: "/t/rogaland/offline", As: member})
	if off.Status != 200 || strings.Contains(string(off.Body), "Ola") || !strings.Contains(string(off.Body), "Du er frakoblet") {
		t.Fatalf("offline page (cached by the worker: nothing personal): %d", off.Status)
	}
	home := e.Do(apitest.Request{Path: "/t/rogaland/"})
	if !strings.Contains(string(home.Body), `<link rel="manifest" href="/t/rogaland/manifest.webmanifest">`) {
		t.Fatal("pages link the manifest")
	}
}

// sseClient reads an event stream and reports each event's type and data.
type sseEvent struct{ Type, Data string }

func sseConnect(t *testing.T, url string) (<-chan sseEvent, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream: %d %v", resp.StatusCode, resp.Header)
	}
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("ETag") != "" {
		t.Fatalf("an event stream must not be compressed or tagged: %v", resp.Header)
	}
	ch := make(chan sseEvent, 100)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Type = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			case line == "" && ev.Type != "":
				ch <- ev
				ev = sseEvent{}
			}
		}
	}()
	return ch, func() { cancel(); resp.Body.Close() }
}

func waitEvent(t *testing.T, ch <-chan sseEvent, typ string, within time.Duration) (sseEvent, bool) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return sseEvent{}, false
			}
			if ev.Type == typ {
				return ev, true
			}
		case <-deadline:
			return sseEvent{}, false
		}
	}
}

// TestLiveStream: publishing sends listing.published (public data only),
// match.found and fresh statistics to the tenant's streams, and nothing to
// another tenant's.
func TestLiveStream(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		base := apitest.Serve(t, e.App, "127.0.0.1")
		a, stopA := sseConnect(t, base+"/t/baerum/live/events")
		defer stopA()
		b, stopB := sseConnect(t, base+"/t/rogaland/live/events")
		defer stopB()
		if _, ok := waitEvent(t, a, "stats", 2*time.Second); !ok {
			t.Fatal("a stream starts with the statistics")
		}
		if _, ok := waitEvent(t, b, "stats", 2*time.Second); !ok {
			t.Fatal("a stream starts with the statistics")
		}
		id := publishNeed(t, e, "Direkte-test", map[string]any{"lat": 59.89612, "lon": 10.63077})
		ev, ok := waitEvent(t, a, "listing.published", 2*time.Second)
		if !ok || !strings.Contains(ev.Data, id) || !strings.Contains(ev.Data, "Direkte-test") {
			t.Fatalf("listing.published: %+v", ev)
		}
		for _, leak := range []string{"price_nok_per_tonne", "59.89612", "10.63077", "ola@", "quantity_tonnes", "created_by"} {
			if strings.Contains(ev.Data, leak) {
				t.Fatalf("the live event must carry public data only; found %q in %s", leak, ev.Data)
			}
		}
		if ev, ok := waitEvent(t, a, "match.found", 2*time.Second); !ok || !strings.Contains(ev.Data, "saving_kg_co2e") {
			t.Fatalf("match.found: %+v", ev)
		}
		st, ok := waitEvent(t, a, "stats", 3*time.Second)
		if !ok {
			t.Fatal("statistics are pushed after events")
		}
		var s stats.Stats
		if err := json.Unmarshal([]byte(st.Data), &s); err != nil || s.Tenant != "baerum" || s.Matches == 0 {
			t.Fatalf("pushed statistics: %s", st.Data)
		}
		if ev, ok := waitEvent(t, b, "listing.published", 500*time.Millisecond); ok {
			t.Fatalf("Rogaland's stream received Bærum's event: %+v", ev)
		}
		// Closing a listing removes it from the views.
		if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + id + "/close", As: member}); r.Status != 200 {
			t.Fatalf("close: %d %s", r.Status, r.Body)
		}
		if ev, ok := waitEvent(t, a, "listing.closed", 2*time.Second); !ok || !strings.Contains(ev.Data, id) {
			t.Fatalf("listing.closed: %+v", ev)
		}
	})
}

// TestEventsAcrossInstances: with Postgres, an event published on one
// instance reaches the other's live streams, and its caches are refreshed.
func TestEventsAcrossInstances(t *testing.T) {
	apitest.RequirePostgres(t, "events cross instances through LISTEN/NOTIFY")
	e := apitest.New(t, "postgres")
	second := e.Instance()
	baseA := apitest.Serve(t, e.App, "127.0.0.1")
	_ = apitest.Serve(t, second, "127.0.0.1")
	a, stop := sseConnect(t, baseA+"/t/baerum/live/events")
	defer stop()
	waitEvent(t, a, "stats", 2*time.Second)
	// Warm A's caches, then write through B.
	before := getStats(t, e, "baerum")
	feedBefore := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings"})
	other := &apitest.Env{T: t, App: second, Backend: "postgres", Cfg: e.Cfg}
	id := publishNeed(t, other, "Fra instans B", nil)
	ev, ok := waitEvent(t, a, "listing.published", 3*time.Second)
	if !ok || !strings.Contains(ev.Data, id) {
		t.Fatalf("instance A's stream did not get B's event: %+v", ev)
	}
	if after := getStats(t, e, "baerum"); after.NeededTonnes != before.NeededTonnes+3000 {
		t.Fatalf("A's statistics must follow B's write at once: %v → %v", before.NeededTonnes, after.NeededTonnes)
	}
	if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings"}); bytes.Equal(r.Body, feedBefore.Body) || !strings.Contains(string(r.Body), id) {
		t.Fatal("A's feed must follow B's write at once")
	}
	// Settings changed on B reach A's registry.
	cur, _ := second.Tenants.BySlug("baerum")
	tn := *cur
	tn.EmbedOrigins = "https://fra-b.example.no"
	if err := second.Tenants.Update(context.Background(), &tn); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for !e.Tenant("baerum").AllowsOrigin("https://fra-b.example.no") {
		if time.Now().After(deadline) {
			t.Fatal("instance A did not reload the tenant changed on B")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
