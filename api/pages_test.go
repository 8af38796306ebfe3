package api_test

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

type listingPage struct {
	Items []struct {
		ID             string  `json:"id"`
		QuantityTonnes float64 `json:"quantity_tonnes"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// TestVisitorCursorsShowNothingExact: a visitor sees a listing's quantity
// as a band, its window by month and its place coarsely; the cursor of a
// page ending at that listing must not tell more.
func TestVisitorCursorsShowNothingExact(t *testing.T) {
	e := apitest.New(t, "sqlite")
	base := "/api/v1/tenants/baerum/listings?limit=1&sort="
	for _, sort := range []string{"quantity", "date", "distance&lat=59.9&lon=10.6"} {
		var p listingPage
		e.Do(apitest.Request{Path: base + sort}).JSON(t, &p)
		if len(p.Items) != 1 || p.NextCursor == "" {
			t.Fatalf("%s: %+v", sort, p)
		}
		var full struct {
			QuantityTonnes float64 `json:"quantity_tonnes"`
			AvailableFrom  string  `json:"available_from"`
		}
		e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + p.Items[0].ID, As: apitest.TenantAdmin}).JSON(t, &full)
		raw, _ := base64.RawURLEncoding.DecodeString(p.NextCursor)
		for _, secret := range []string{strconv.FormatFloat(full.QuantityTonnes, 'g', -1, 64), full.AvailableFrom[:10], p.Items[0].ID} {
			if strings.Contains(string(raw), secret) || strings.Contains(p.NextCursor, secret) {
				t.Errorf("%s: the cursor shows %q", sort, secret)
			}
		}
		var next listingPage
		if r := e.Do(apitest.Request{Path: base + sort + "&cursor=" + p.NextCursor}); r.Status != 200 {
			t.Fatalf("%s: next page %d", sort, r.Status)
		} else {
			r.JSON(t, &next)
		}
		if len(next.Items) == 0 || next.Items[0].ID == p.Items[0].ID {
			t.Fatalf("%s: the next page does not go on", sort)
		}
	}
}

// TestListingPagesAreFull: rows the visitor may not see (drafts) and rows
// outside the radius are left out before a page is cut, so every page but
// the last is full, and the walk sees each visible listing once.
func TestListingPagesAreFull(t *testing.T) {
	e := apitest.New(t, "sqlite")
	e.MarketLoad(150, 0)
	if e.Count("baerum", "listings", "status = 'draft'") == 0 {
		t.Fatal("the fixtures have no draft to hide")
	}
	for _, q := range []string{"", "&sort=quantity", "&lat=59.9&lon=10.6&radius_km=12", "&sort=distance&lat=59.9&lon=10.6&radius_km=12"} {
		path, seen, pages := "/api/v1/tenants/baerum/listings?limit=7"+q, map[string]bool{}, 0
		for {
			var p listingPage
			r := e.Do(apitest.Request{Path: path})
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
			r.JSON(t, &p)
			pages++
			for _, it := range p.Items {
				if seen[it.ID] {
					t.Fatalf("%s: %s twice", q, it.ID)
				}
				seen[it.ID] = true
			}
			if p.NextCursor == "" {
				break
			}
			if len(p.Items) != 7 {
				t.Fatalf("%s: page %d has %d items and a next page", q, pages, len(p.Items))
			}
			path = "/api/v1/tenants/baerum/listings?limit=7" + q + "&cursor=" + p.NextCursor
		}
		var all listingPage
		e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings?limit=1000" + q}).JSON(t, &all)
		if len(seen) != len(all.Items) || pages < 2 {
			t.Fatalf("%s: walked %d pages and %d listings, one page has %d", q, pages, len(seen), len(all.Items))
		}
		t.Logf("%s: %d listings in %d pages", q, len(seen), pages)
	}
}

// TestMatchPagesWalkTheRanking: the matches API pages through the ranking
// (only the page is explained): small pages give the one-page order.
func TestMatchPagesWalkTheRanking(t *testing.T) {
	e := apitest.New(t, "sqlite")
	e.MarketLoad(300, 20)
	id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
	type matchPage struct {
		Items []struct {
			CounterpartID string  `json:"counterpart_id"`
			KgPerTonne    float64 `json:"kg_co2e_per_tonne"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	base := "/api/v1/tenants/baerum/listings/" + id + "/matches"
	var all matchPage
	e.Do(apitest.Request{Path: base + "?limit=100", As: apitest.OrgAdmin}).JSON(t, &all)
	if len(all.Items) < 10 {
		t.Fatalf("only %d matches to walk", len(all.Items))
	}
	var walked []string
	path := base + "?limit=3"
	for i := 0; i < 50; i++ {
		var p matchPage
		e.Do(apitest.Request{Path: path, As: apitest.OrgAdmin}).JSON(t, &p)
		for _, m := range p.Items {
			walked = append(walked, m.CounterpartID)
		}
		if p.NextCursor == "" {
			break
		}
		path = base + "?limit=3&cursor=" + p.NextCursor
	}
	if len(walked) != len(all.Items) {
		t.Fatalf("walked %d matches, one page has %d", len(walked), len(all.Items))
	}
	for i, m := range all.Items {
		if walked[i] != m.CounterpartID {
			t.Fatalf("place %d: %s walked, %s in one page", i, walked[i], m.CounterpartID)
		}
		if i > 0 && m.KgPerTonne < all.Items[i-1].KgPerTonne {
			t.Fatalf("place %d ranks better than %d", i, i-1)
		}
	}
}
