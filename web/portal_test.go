package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

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
	off := e.Do(apitest.Request{Path: "/t/rogaland/offline", As: apitest.Member})
	if off.Status != 200 || strings.Contains(string(off.Body), "Ola") || !strings.Contains(string(off.Body), "Du er frakoblet") {
		t.Fatalf("offline page (cached by the worker: nothing personal): %d", off.Status)
	}
	home := e.Do(apitest.Request{Path: "/t/rogaland/"})
	if !strings.Contains(string(home.Body), `<link rel="manifest" href="/t/rogaland/manifest.webmanifest">`) {
		t.Fatal("pages link the manifest")
	}
}

// TestLiveStream: publishing sends listing.published (public data only),
// match.found and fresh statistics to the tenant's streams, and nothing to
// another tenant's.
func TestLiveStream(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		base := apitest.Serve(t, e.App, "127.0.0.1")
		a, stopA := apitest.SSEConnect(t, base+"/t/baerum/live/events")
		defer stopA()
		b, stopB := apitest.SSEConnect(t, base+"/t/rogaland/live/events")
		defer stopB()
		if _, ok := apitest.WaitEvent(t, a, "stats", 2*time.Second); !ok {
			t.Fatal("a stream starts with the statistics")
		}
		if _, ok := apitest.WaitEvent(t, b, "stats", 2*time.Second); !ok {
			t.Fatal("a stream starts with the statistics")
		}
		id := e.PublishNeed("Direkte-test", map[string]any{"lat": 59.89612, "lon": 10.63077})
		ev, ok := apitest.WaitEvent(t, a, "listing.published", 2*time.Second)
		if !ok || !strings.Contains(ev.Data, id) || !strings.Contains(ev.Data, "Direkte-test") {
			t.Fatalf("listing.published: %+v", ev)
		}
		for _, leak := range []string{"price_nok_per_tonne", "59.89612", "10.63077", "ola@", "quantity_tonnes", "created_by"} {
			if strings.Contains(ev.Data, leak) {
				t.Fatalf("the live event must carry public data only; found %q in %s", leak, ev.Data)
			}
		}
		if ev, ok := apitest.WaitEvent(t, a, "match.found", 2*time.Second); !ok || !strings.Contains(ev.Data, "saving_kg_co2e") {
			t.Fatalf("match.found: %+v", ev)
		}
		st, ok := apitest.WaitEvent(t, a, "stats", 3*time.Second)
		if !ok {
			t.Fatal("statistics are pushed after events")
		}
		var s stats.Stats
		if err := json.Unmarshal([]byte(st.Data), &s); err != nil || s.Tenant != "baerum" || s.Matches == 0 {
			t.Fatalf("pushed statistics: %s", st.Data)
		}
		if ev, ok := apitest.WaitEvent(t, b, "listing.published", 500*time.Millisecond); ok {
			t.Fatalf("Rogaland's stream received Bærum's event: %+v", ev)
		}
		// Closing a listing removes it from the views.
		if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + id + "/close", As: apitest.Member}); r.Status != 200 {
			t.Fatalf("close: %d %s", r.Status, r.Body)
		}
		if ev, ok := apitest.WaitEvent(t, a, "listing.closed", 2*time.Second); !ok || !strings.Contains(ev.Data, id) {
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
	a, stop := apitest.SSEConnect(t, baseA+"/t/baerum/live/events")
	defer stop()
	apitest.WaitEvent(t, a, "stats", 2*time.Second)
	// Warm A's caches, then write through B.
	before := e.Stats("baerum")
	feedBefore := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings"})
	other := &apitest.Env{T: t, App: second, Backend: "postgres", Cfg: e.Cfg}
	id := other.PublishNeed("Fra instans B", nil)
	ev, ok := apitest.WaitEvent(t, a, "listing.published", 3*time.Second)
	if !ok || !strings.Contains(ev.Data, id) {
		t.Fatalf("instance A's stream did not get B's event: %+v", ev)
	}
	if after := e.Stats("baerum"); after.OpenListings != before.OpenListings+1 {
		t.Fatalf("A's statistics must follow B's write at once: %v → %v", before.OpenListings, after.OpenListings)
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
