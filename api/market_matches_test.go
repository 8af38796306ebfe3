package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/plugins/mail/logmail"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

func TestMatchesThroughAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		path := "/api/v1/tenants/baerum/listings/" + id + "/matches"
		var res struct {
			Items []struct {
				CounterpartID string  `json:"counterpart_id"`
				Title         string  `json:"title"`
				Via           string  `json:"via"`
				StorageName   string  `json:"storage_name"`
				KgPerTonne    float64 `json:"kg_co2e_per_tonne"`
				Tonnes        float64 `json:"tonnes"`
				Quality       string  `json:"quality"`
				Baseline      struct {
					LandfillName string `json:"landfill_name"`
					Complete     bool
				}
				SavingKg float64 `json:"saving_kg_co2e"`
			}
			FactorSet string `json:"factor_set"`
		}
		r := e.Do(apitest.Request{Path: path, As: apitest.OrgAdmin})
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		r.JSON(t, &res)
		titles := map[string]int{}
		for i, m := range res.Items {
			titles[m.Title] = i
			if i > 0 && m.KgPerTonne < res.Items[i-1].KgPerTonne {
				t.Fatalf("not ranked: %s", r.Body)
			}
			if m.Baseline.LandfillName != "Bærum massemottak og deponi" || m.Quality != "undocumented" {
				t.Fatalf("explanation: %+v", m)
			}
		}
		for _, want := range []string{"Fyllmasser til skolegård", "Forsterkningslag til parkeringskjeller", "Mottak av ren sprengstein for knusing", "Mellomlagring av stein og morene"} {
			if _, ok := titles[want]; !ok {
				t.Fatalf("missing match %q: %s", want, r.Body)
			}
		}
		chain := res.Items[titles["Forsterkningslag til parkeringskjeller"]]
		if chain.Via != "storage" || chain.StorageName != "Heggedal mellomlager" {
			t.Fatalf("the school's need must go through storage: %+v", chain)
		}
		school := res.Items[titles["Fyllmasser til skolegård"]]
		if school.Tonnes != 8000 || school.SavingKg <= 0 || !school.Baseline.Complete || res.FactorSet != "defra-2025" {
			t.Fatalf("school: %+v", school)
		}
		// Dismiss it: gone, and it stays gone.
		if r := e.Do(apitest.Request{Method: "POST", Path: path + "/" + school.CounterpartID + "/dismiss", As: apitest.OrgAdmin}); r.Status != 204 {
			t.Fatalf("dismiss: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Method: "POST", Path: path + "/" + school.CounterpartID + "/dismiss", As: apitest.OrgAdmin}); r.Status != 204 {
			t.Fatalf("dismiss twice: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/listings/" + id, As: apitest.OrgAdmin, Body: map[string]any{"title": "Sprengstein fra stasjonshallen, oppdatert"}}); r.Status != 200 {
			t.Fatalf("patch: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: path, As: apitest.OrgAdmin}); strings.Contains(string(r.Body), school.CounterpartID) {
			t.Fatal("a dismissed match came back")
		}
		// Others cannot see or dismiss this listing's matches.
		apitest.Problem(t, e.Do(apitest.Request{Path: path}), 401, "unauthorized")
		apitest.Problem(t, e.Do(apitest.Request{Path: path, As: apitest.Member}), 403, "not_own_organization")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path + "/" + school.CounterpartID + "/dismiss", As: apitest.Member}), 403, "not_own_organization")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path + "/" + e.FirstID("rogaland", "listings", "") + "/dismiss", As: apitest.OrgAdmin}), 404, "not_found")
		// A new need published next door shows up at once.
		r = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: apitest.Member, Body: map[string]any{"kind": "need", "title": "Fylling ved Fornebu", "organization_id": e.OrgID("baerum", "sandvika-bygg"),
			"fractions": []string{"sprengstein"}, "quantity": 3000, "unit": "t", "available_from": apitest.Month(-5), "available_to": apitest.Month(1), "lat": 59.8960, "lon": 10.6300, "intended_use": "fill", "transport": "seller_delivers", "publish": true}})
		if r.Status != 201 {
			t.Fatalf("new need: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Path: path, As: apitest.OrgAdmin})
		r.JSON(t, &res)
		if len(res.Items) == 0 || res.Items[0].Title != "Fylling ved Fornebu" {
			t.Fatalf("the neighbour must rank first: %s", r.Body)
		}
	})
}

func TestMatchDiscoveryNotifies(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var mu sync.Mutex
		var got []events.Envelope
		e.App.Events.Listen(func(ev events.Envelope) { mu.Lock(); got = append(got, ev); mu.Unlock() })
		mailer := e.App.Matching.Mailer.(*logmail.Mailer)
		sentBefore := len(mailer.Messages())
		r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: apitest.Member, Body: map[string]any{"kind": "need", "title": "Fylling ved Fornebu", "organization_id": e.OrgID("baerum", "sandvika-bygg"),
			"fractions": []string{"sprengstein"}, "quantity": 3000, "unit": "t", "available_from": apitest.Month(-5), "available_to": apitest.Month(1), "lat": 59.8960, "lon": 10.6300, "intended_use": "fill", "transport": "seller_delivers", "publish": true}})
		if r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var l struct{ ID string }
		r.JSON(t, &l)
		e.Settle() // discovery runs after the request, from the outbox
		surplus := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		if e.Count("baerum", "matches", "listing_id = ? AND counterpart_id = ?", l.ID, surplus) != 1 {
			t.Fatal("match not stored")
		}
		// listing.published first, then match.found for the new match.
		mu.Lock()
		if len(got) < 2 || got[0].Type() != "listing.published" || got[1].Type() != "match.found" || got[1].TenantID != e.Tenant("baerum").ID ||
			got[1].Event.(events.MatchFound).ListingID != l.ID {
			t.Fatalf("events %+v", got)
		}
		mu.Unlock()
		if len(mailer.Messages()) <= sentBefore {
			t.Fatal("no mail")
		}
		// Kari (Fornebu) is told about her surplus's new counterpart.
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/notifications", As: apitest.OrgAdmin})
		if r.Status != 200 || !strings.Contains(string(r.Body), "Fylling ved Fornebu") {
			t.Fatalf("notifications: %d %s", r.Status, r.Body)
		}
		var ns struct{ Items []struct{ ID string } }
		r.JSON(t, &ns)
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/notifications/" + ns.Items[0].ID + "/read", As: apitest.Member}), 404, "not_found")
		if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/notifications/" + ns.Items[0].ID + "/read", As: apitest.OrgAdmin}); r.Status != 204 {
			t.Fatalf("read: %d", r.Status)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/notifications"}), 401, "unauthorized")
		// Publishing again finds nothing new: no duplicates.
		n := e.Count("baerum", "matches", "")
		if r := e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/listings/" + l.ID, As: apitest.Member, Body: map[string]any{"title": "Fylling ved Fornebu (oppdatert)"}}); r.Status != 200 {
			t.Fatal(r.Status)
		}
		e.Settle()
		if e.Count("baerum", "matches", "") != n {
			t.Fatal("duplicate matches stored")
		}
	})
}

// TestMatchesWithOSRM: with routing.osrm the ranked matches carry the road
// router's distances.
func TestMatchesWithOSRM(t *testing.T) {
	var calls atomic.Int64 // Refine asks for legs concurrently
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(`{"code":"Ok","routes":[{"distance":12345.6,"duration":900}]}`))
	}))
	defer srv.Close()
	base := apitest.New(t, "sqlite")
	a := base.Variant(func(c *app.Config) {
		c.Routing, c.Settings = "routing.osrm", map[string]string{"MASSEFLYT_OSRM_URL": srv.URL}
	}, app.Options{})
	e := &apitest.Env{T: t, App: a, Backend: "sqlite"}
	id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
	e.Settle()
	// A read never waits on the router: legs not measured yet keep their
	// estimates (and say so).
	before := calls.Load()
	r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + id + "/matches?limit=100", As: apitest.OrgAdmin})
	if r.Status != 200 || calls.Load() != before {
		t.Fatalf("a read asked the router %d times: %d %s", calls.Load()-before, r.Status, r.Body)
	}
	// The road router measures in match discovery, after a write, never in
	// a read: announce the listing again and let discovery run.
	if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + id + "/publish", As: apitest.OrgAdmin}); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	e.Settle()
	measured := calls.Load()
	r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + id + "/matches", As: apitest.OrgAdmin})
	if calls.Load() != measured {
		t.Fatal("reading matches asked the router")
	}
	if r.Status != 200 || !strings.Contains(string(r.Body), `"router":"osrm"`) || !strings.Contains(string(r.Body), `"road_km":12.3456`) || calls.Load() == 0 {
		t.Fatalf("%d calls, %s", calls.Load(), r.Body)
	}
}
