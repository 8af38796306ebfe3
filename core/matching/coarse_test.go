package matching

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
)

// trilaterate finds the point whose distances (by the engine's detour) to
// the probes fit the reported road_km best, by a fine grid search.
func trilaterate(e *Engine, probes []geo.Point, km []float64) geo.Point {
	best, bestErr := geo.Point{}, math.Inf(1)
	for lat := 59.85; lat <= 59.97; lat += 0.0002 {
		for lon := 10.50; lon <= 10.75; lon += 0.0004 {
			p := geo.Point{Lat: lat, Lon: lon}
			var sq float64
			for i, q := range probes {
				d := geo.HaversineKm(p, q)*e.Detour - km[i]
				sq += d * d
			}
			if sq < bestErr {
				best, bestErr = p, sq
			}
		}
	}
	return best
}

// TestTrilaterationAttackM2: a member moves a draft three times and reads
// road_km and tonnes of a counterpart whose point and quantity it may not
// see. With the exact figures the point is recovered (to 59.910000,
// 10.600000) and the tonnes read; coarsened, the best fit is the public
// ~1 km area's centre, not the point, and the tonnes are a band.
func TestTrilaterationAttackM2(t *testing.T) {
	ref := today(t)
	from, to := on(ref, 2, 1), on(ref, 13, 0)
	secret := geo.Point{Lat: 59.91, Lon: 10.60}
	hidden := Item{ID: "h", OrgID: "B", Kind: "surplus", Fractions: []string{"sprengstein"}, Tonnes: 2345, From: from, To: to, P: secret, Class: 1}
	cp := &market.Listing{ID: "h", OrganizationID: "B", Kind: "surplus", Status: market.StatusPublished, Visibility: "public", Lat: secret.Lat, Lon: secret.Lon, QuantityTonnes: 2345}
	e := NewEngine()
	probes := []geo.Point{{Lat: 59.95, Lon: 10.55}, {Lat: 59.88, Lon: 10.70}, {Lat: 59.94, Lon: 10.69}}
	landfill := Facility{ID: "lf", Name: "Deponi", Type: "landfill", P: geo.Point{Lat: 59.80, Lon: 10.40}, Accepts: map[string]int{"sprengstein": 2}}
	var exact, coarse []float64
	for _, p := range probes {
		own := Item{ID: "n", OrgID: "A", Kind: "need", Fractions: []string{"sprengstein"}, Tonnes: 100000, From: from, To: to, P: p}
		ix := NewIndex([]Item{hidden, own}, []Facility{landfill})
		ms := e.Match(ix, own, 10)
		if len(ms) != 1 || ms[0].CounterpartID != "h" {
			t.Fatalf("matches: %+v", ms)
		}
		m := ms[0]
		if m.Tonnes != 2345 {
			t.Fatalf("the engine matches the exact tonnes: %v", m.Tonnes)
		}
		exact = append(exact, m.RoadKm)
		c := e.Coarsen(m, own.Tonnes, cp, true, true)
		coarse = append(coarse, c.RoadKm)
		b, _ := json.Marshal(c)
		if !c.Approximate || c.TonnesBand != "1\u00a0000–5\u00a0000 t" || c.Tonnes != 3000 || strings.Contains(string(b), "2345") {
			t.Fatalf("tonnes must be a band: %s", b)
		}
		if c.RoadKm != math.Round(c.RoadKm) || c.Baseline == nil || c.Baseline.LandfillKm != math.Round(c.Baseline.LandfillKm) {
			t.Fatalf("distances must be whole km: %s", b)
		}
		for _, lg := range c.Legs {
			if lg.RoadKm != math.Round(lg.RoadKm) || lg.Tonnes != 3000 {
				t.Fatalf("leg: %+v", lg)
			}
		}
		// kg per tonne is computed from the coarse inputs, not the exact ones.
		if want := c.KgCO2e / c.Tonnes; math.Abs(c.KgPerTonne-want) > 1e-9 {
			t.Fatalf("kg/t %v, want %v", c.KgPerTonne, want)
		}
	}
	if got := trilaterate(e, probes, exact); geo.HaversineKm(got, secret) > 0.05 {
		t.Fatalf("the attack should work on exact figures: %v", got)
	}
	got := trilaterate(e, probes, coarse)
	if d := geo.HaversineKm(got, secret); d < 0.5 {
		t.Fatalf("coarse figures recover the point to %.2f km: %v", d, got)
	}
	area := market.Coarse(secret.Lat, secret.Lon)
	if d := geo.HaversineKm(got, geo.Point{Lat: area.Lat, Lon: area.Lon}); d > 1.5 {
		t.Fatalf("coarse figures should point at the public area (%v), got %v (%.2f km off)", area, got, d)
	}
}

// TestCoarsenForAccessM2: exact figures for counterparts the viewer may
// see (members, owners); coarse for the public; a point its owner made
// public is not hidden; members-only counterparts are left out for
// non-members.
func TestCoarsenForAccessM2(t *testing.T) {
	cp := &market.Listing{ID: "h", OrganizationID: "B", Kind: "surplus", Status: market.StatusPublished, Visibility: "public"}
	actor := func(roles ...string) *access.Actor {
		return &access.Actor{TenantID: "t", Principal: &auth.Principal{Roles: append([]string{auth.RoleAnonymous, auth.RoleAuthenticated}, roles...), Orgs: map[string]string{"A": "admin"}}}
	}
	if skip, hp, hq := CoarsenFor(actor(auth.RoleMember), cp); skip || hp || hq {
		t.Fatalf("a member sees exact figures: %v %v %v", skip, hp, hq)
	}
	if skip, hp, hq := CoarsenFor(actor(), cp); skip || !hp || !hq {
		t.Fatalf("a non-member sees coarse figures: %v %v %v", skip, hp, hq)
	}
	pub := *cp
	pub.ExactLocationPublic = true
	if skip, hp, hq := CoarsenFor(actor(), &pub); skip || hp || !hq {
		t.Fatalf("a public point is not hidden, the quantity is: %v %v %v", skip, hp, hq)
	}
	mo := *cp
	mo.Visibility = "members"
	if skip, _, _ := CoarsenFor(actor(), &mo); !skip {
		t.Fatal("a members-only counterpart is left out for a non-member")
	}
	own := *cp
	own.OrganizationID = "A"
	if skip, hp, hq := CoarsenFor(actor(), &own); skip || hp || hq {
		t.Fatal("one's own listing is exact")
	}
}
