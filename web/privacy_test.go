package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// exact250001 finds 250 001 written any way a page or JSON might.
var exact250001 = regexp.MustCompile(`250[\s\x{00a0}\x{202f}.,]?001`)

// exactTonnes finds a field of exact tonnes in the statistics.
var exactTonnes = regexp.MustCompile(`"(offered|needed|capacity|estimated_matched)_tonnes"`)

// TestLiveStreamNoExactTonnesM3: the live view's first event (the
// statistics) carries bands, never tonnes; a members-only listing is not
// shown on the stream (neither title nor fractions nor quantity), and its
// 250 001 t appear nowhere public: not in the stream's statistics, the
// statistics API, the statistics page or the front page.
func TestLiveStreamNoExactTonnesM3(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		base := apitest.Serve(t, e.App, "127.0.0.1")
		a, stop := apitest.SSEConnect(t, base+"/t/baerum/live/events")
		defer stop()
		first, ok := apitest.WaitEvent(t, a, "stats", 2*time.Second)
		if !ok {
			t.Fatal("a stream starts with the statistics")
		}
		if exactTonnes.MatchString(first.Data) || !strings.Contains(first.Data, `"band"`) {
			t.Fatalf("first event: %s", first.Data)
		}
		e.PublishNeed("Hemmelig behov", map[string]any{"visibility": "members", "quantity": 250001})
		ev, ok := apitest.WaitEvent(t, a, "listing.published", 2*time.Second)
		if ok && (strings.Contains(ev.Data, "Hemmelig") || strings.Contains(ev.Data, "sprengstein") || exact250001.MatchString(ev.Data)) {
			t.Fatalf("a members-only listing shown on the open stream: %s", ev.Data)
		}
		if st, ok := apitest.WaitEvent(t, a, "stats", 3*time.Second); ok && exact250001.MatchString(st.Data) {
			t.Fatalf("stream statistics: %s", st.Data)
		}
		for _, p := range []string{"/api/v1/tenants/baerum/stats", "/t/baerum/statistics", "/t/baerum/", "/t/baerum/live"} {
			r := e.Do(apitest.Request{Path: p})
			if r.Status != 200 || exact250001.MatchString(string(r.Body)) || strings.Contains(string(r.Body), "Hemmelig") {
				t.Fatalf("%s: %d, members-only tonnes or title public", p, r.Status)
			}
		}
	})
}
