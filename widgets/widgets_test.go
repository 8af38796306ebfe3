package widgets_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/widgets"
)

// widgetBundle is the file name of the current map bundle.
func widgetBundle(e *apitest.Env) string {
	b, err := widgets.Load()
	if err != nil {
		e.T.Fatal(err)
	}
	return b.Bundles["map"].Name
}

func TestWidgetEndpoints(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.SetOrigins("baerum", "https://www.baerum.kommune.no")
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
		apitest.Problem(t, e.Do(apitest.Request{Path: "/widgets/v1/map-OLDHASH1.js"}), 404, "not_found")
		apitest.Problem(t, e.Do(apitest.Request{Path: "/widgets/v1/data/atlantis/config"}), 404, "unknown_tenant")

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
			h := map[string]string{"Cookie": apitest.Cookie(apitest.Member)}
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
				p := apitest.Problem(t, r, 403, "origin_not_allowed")
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
		membersOnly := e.PublishNeed("Bare for medlemmer", map[string]any{"visibility": "members"})
		a := e.Do(apitest.Request{Path: "/widgets/v1/data/baerum/listings"})
		m := e.Do(apitest.Request{Path: "/widgets/v1/data/baerum/listings", Header: map[string]string{"Cookie": apitest.Cookie(apitest.TenantAdmin)}})
		if a.Status != 200 || !bytes.Equal(a.Body, m.Body) || strings.Contains(string(a.Body), membersOnly) {
			t.Fatalf("widget listings: %d, same for all %v", a.Status, bytes.Equal(a.Body, m.Body))
		}
		if r := e.Do(apitest.Request{Path: "/widgets/v1/data/baerum/map?kind=surplus"}); r.Status != 200 || strings.Contains(string(r.Body), `"kind":"need"`) {
			t.Fatalf("map data: %d", r.Status)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/widgets/v1/data/baerum/map?kind=gold"}), 422, "validation")
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
			r := e.Do(apitest.Request{Method: "PATCH", Path: path, As: apitest.TenantAdmin, Body: b})
			apitest.Problem(t, r, 422, "validation")
		}
		if e.Tenant("baerum").EmbedOrigins != before {
			t.Fatal("a refused change must not be half saved")
		}
		ok := map[string]any{"embed_origins": []string{"https://www.baerum.kommune.no/", "https://WWW.baerum.kommune.no", "http://localhost:3000"},
			"tile_url": "https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png", "tile_attribution": "© Kartverket"}
		r := e.Do(apitest.Request{Method: "PATCH", Path: path, As: apitest.TenantAdmin, Body: ok})
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
		r = e.Do(apitest.Request{Method: "PATCH", Path: path, As: apitest.RogAdmin, Body: map[string]any{"embed_origins": []string{"https://evil.example"}}})
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
