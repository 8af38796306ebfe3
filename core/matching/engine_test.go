package matching

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/geo"
)

// The engine reads no clock: it compares the windows of the items it is
// given. A scenario is laid out relative to a reference "now" the test
// chooses; the tests run it from the clock's today (MASSEFLYT_NOW moves it)
// and from a few awkward fixed days, so they pass on any date.

// today is the reference the suite runs at: the real clock, or MASSEFLYT_NOW.
func today(tb testing.TB) time.Time {
	tb.Helper()
	c, err := clock.FromSetting(os.Getenv(clock.EnvVar), false)
	if err != nil {
		tb.Fatal(err)
	}
	return c.Now().UTC()
}

// references are the "nows" a scenario is laid out from: today, and fixed
// days around a leap day and a year's end.
func references(t *testing.T) []time.Time {
	return []time.Time{
		today(t),
		time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC),
		time.Date(2030, 12, 31, 23, 0, 0, 0, time.UTC),
		time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// on is day (1-based; 0 for the last) of the month n months after ref's.
func on(ref time.Time, n, day int) time.Time {
	first := time.Date(ref.Year(), ref.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if day == 0 {
		return first.AddDate(0, 1, -1)
	}
	return first.AddDate(0, 0, day-1)
}

// Around Sandvika (59.89, 10.52): a surplus of rock over the year from two
// months on, needs near and far, a need for topsoil, a capacity, a landfill,
// a quarry and a storage site.
func scenario(ref time.Time) (*Index, Item) {
	from, to := on(ref, 2, 1), on(ref, 13, 0) // the surplus's twelve months
	surplus := Item{ID: "s", OrgID: "A", Kind: "surplus", Fractions: []string{"sprengstein"}, Tonnes: 10000, From: from, To: to, P: geo.Point{Lat: 59.89, Lon: 10.52}, Class: 1}
	items := []Item{
		surplus,
		// Overlaps the surplus's last seven months.
		{ID: "near", OrgID: "B", Kind: "need", Fractions: []string{"sprengstein", "pukk"}, Tonnes: 4000, From: on(ref, 7, 1), To: on(ref, 19, 1), P: geo.Point{Lat: 59.91, Lon: 10.55}, Use: "fill"},
		{ID: "far", OrgID: "C", Kind: "need", Fractions: []string{"sprengstein"}, Tonnes: 20000, From: on(ref, 4, 1), To: on(ref, 10, 1), P: geo.Point{Lat: 60.10, Lon: 10.90}, Use: "road_base"},
		{ID: "topsoil-use", OrgID: "D", Kind: "need", Fractions: []string{"sprengstein"}, Tonnes: 500, From: from, To: to, P: geo.Point{Lat: 59.89, Lon: 10.53}, Use: "topsoil"},
		// Starts fourteen months after the surplus ends: through storage.
		{ID: "later", OrgID: "E", Kind: "need", Fractions: []string{"sprengstein"}, Tonnes: 8000, From: on(ref, 28, 1), To: on(ref, 37, 0), P: geo.Point{Lat: 59.92, Lon: 10.60}, Use: "fill"},
		// Starts four years after the surplus ends: beyond any storage.
		{ID: "too-late", OrgID: "F", Kind: "need", Fractions: []string{"sprengstein"}, Tonnes: 8000, From: on(ref, 62, 1), To: on(ref, 73, 0), P: geo.Point{Lat: 59.92, Lon: 10.60}, Use: "fill"},
		{ID: "own", OrgID: "A", Kind: "need", Fractions: []string{"sprengstein"}, Tonnes: 100, From: from, To: to, P: geo.Point{Lat: 59.89, Lon: 10.52}, Use: "fill"},
		{ID: "cap", OrgID: "G", Kind: "capacity", Fractions: []string{"sprengstein"}, Tonnes: 50000, From: on(ref, -10, 1), To: on(ref, 38, 1), P: geo.Point{Lat: 59.93, Lon: 10.43}, Accepts: map[string]int{"sprengstein": 1}},
		{ID: "sand-need", OrgID: "H", Kind: "need", Fractions: []string{"sand"}, Tonnes: 100, From: from, To: to, P: geo.Point{Lat: 59.89, Lon: 10.52}, Use: "fill"},
	}
	facilities := []Facility{
		{ID: "lf", Name: "Deponi", Type: "landfill", P: geo.Point{Lat: 59.87, Lon: 10.46}, Accepts: map[string]int{"sprengstein": 3}},
		{ID: "q", Name: "Pukkverk", Type: "quarry", P: geo.Point{Lat: 59.93, Lon: 10.43}},
		{ID: "st", Name: "Mellomlager", Type: "intermediate_storage", P: geo.Point{Lat: 59.79, Lon: 10.45}, Accepts: map[string]int{"sprengstein": 1}, StorageAccepts: map[string]int{"sprengstein": 1}, From: on(ref, -22, 1), To: on(ref, 49, 0)},
	}
	return NewIndex(items, facilities), surplus
}

func TestMatchRanksAndExplains(t *testing.T) {
	for _, ref := range references(t) {
		t.Run(ref.Format("2006-01-02"), func(t *testing.T) { testMatchRanksAndExplains(t, ref) })
	}
}

func testMatchRanksAndExplains(t *testing.T, ref time.Time) {
	ix, surplus := scenario(ref)
	e := NewEngine()
	ms := e.Match(ix, surplus, 20)
	ids := []string{}
	for _, m := range ms {
		ids = append(ids, m.CounterpartID)
	}
	got := fmt.Sprint(ids)
	// Not: the topsoil need (rock is unfit), its own organization, another
	// fraction, or a need more than three years after the surplus.
	for _, bad := range []string{"topsoil-use", "own", "sand-need", "too-late"} {
		for _, id := range ids {
			if id == bad {
				t.Fatalf("%s matched: %s", bad, got)
			}
		}
	}
	if len(ms) != 4 {
		t.Fatalf("matches %s", got)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].KgPerTonne < ms[i-1].KgPerTonne {
			t.Fatalf("not ranked by kg CO2e per tonne: %s", got)
		}
	}
	byID := map[string]Match{}
	for _, m := range ms {
		byID[m.CounterpartID] = m
	}
	near := byID["near"]
	if near.Via != "direct" || near.Tonnes != 4000 || near.QuantityShare != 0.4 || near.OverlapDays < 200 || near.Loads != 223 || near.Fitness != "fill" {
		t.Fatalf("near: %+v", near)
	}
	wantKm := geo.HaversineKm(surplus.P, geo.Point{Lat: 59.91, Lon: 10.55}) * 1.3
	if near.RoadKm < wantKm-1e-9 || near.RoadKm > wantKm+1e-9 || near.KgCO2e <= 0 {
		t.Fatalf("near km %.2f want %.2f", near.RoadKm, wantKm)
	}
	if b := near.Baseline; b == nil || !b.Complete || b.LandfillID != "lf" || b.QuarryID != "q" || near.SavingKg != b.KgCO2e-near.KgCO2e {
		t.Fatalf("baseline %+v", near.Baseline)
	}
	if ms[0].CounterpartID != "near" {
		t.Fatalf("the nearest need should rank first: %s", got)
	}
	// The later need is reached through the storage site, both legs costed.
	later := byID["later"]
	if later.Via != "storage" || later.StorageID != "st" || len(later.Legs) != 2 || later.StorageDays < 400 || later.StorageDays > 3*365 {
		t.Fatalf("later: %+v", later)
	}
	if later.KgCO2e != later.Legs[0].KgCO2e+later.Legs[1].KgCO2e {
		t.Fatal("both legs must be costed")
	}
	// The capacity accepts class 1 only: a class-3 surplus does not match it,
	// and no need (clean masses only) takes it either.
	dirty := surplus
	dirty.Class = 3
	if ms := e.Match(ix, dirty, 20); len(ms) != 0 {
		t.Fatalf("class 3 matched %v", ms)
	}
	// From the need's side, the surplus comes back.
	need, _ := ix.Lookup("near")
	if ms := e.Match(ix, need, 5); len(ms) != 1 || ms[0].CounterpartID != "s" {
		t.Fatalf("reverse: %+v", ms)
	}
}

func synthetic(ref time.Time, n, facilities int, seed int64) (*Index, Item) {
	r := rand.New(rand.NewSource(seed))
	fracs := []string{"sprengstein", "morene", "grus", "sand", "leire", "matjord", "pukk"}
	uses := []string{"fill", "sub_base", "landscaping", "noise_barrier"}
	kinds := []string{"surplus", "need", "capacity"}
	items := make([]Item, n)
	base := on(ref, -10, 1)
	for i := range items {
		from := base.AddDate(0, r.Intn(60), 0)
		items[i] = Item{ID: fmt.Sprintf("l%06d", i), OrgID: fmt.Sprintf("o%03d", r.Intn(400)), Kind: kinds[r.Intn(3)], Fractions: []string{fracs[r.Intn(len(fracs))]},
			Tonnes: 500 + r.Float64()*50000, From: from, To: from.AddDate(0, 3+r.Intn(24), 0), Use: uses[r.Intn(len(uses))],
			P: geo.Point{Lat: 59.6 + r.Float64()*0.7, Lon: 10.0 + r.Float64()*1.2}, Class: r.Intn(3)}
	}
	fs := make([]Facility, facilities)
	types := []string{"landfill", "quarry", "intermediate_storage"}
	for i := range fs {
		acc := map[string]int{}
		for _, f := range fracs {
			acc[f] = 1 + r.Intn(3)
		}
		fs[i] = Facility{ID: fmt.Sprintf("f%03d", i), Type: types[i%3], P: geo.Point{Lat: 59.6 + r.Float64()*0.7, Lon: 10.0 + r.Float64()*1.2}, Accepts: acc, From: base, To: base.AddDate(8, 0, 0)}
		if fs[i].Type == "intermediate_storage" {
			fs[i].StorageAccepts = acc
		}
	}
	target := Item{ID: "target", OrgID: "x", Kind: "surplus", Fractions: []string{"sprengstein"}, Tonnes: 20000, From: on(ref, 2, 1), To: on(ref, 13, 0), P: geo.Point{Lat: 59.89, Lon: 10.52}, Class: 1}
	return NewIndex(items, fs), target
}

// BenchmarkMatch: top-20 for a new surplus among n published listings and
// 300 facilities (the figure is n = 10 000: < 5 ms p50).
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("listings=%d", n), func(b *testing.B) {
			ix, target := synthetic(today(b), n, 300, 1)
			e := NewEngine()
			if len(e.Match(ix, target, 20)) != 20 {
				b.Fatal("fewer than 20 matches")
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := clock.Real() // elapsed time, not a date
				// What a request does: rank to the depth pages walk, explain a page.
				e.Explain(ix, target, e.Rank(ix, target, RankDepth)[:20])
				lat = append(lat, clock.Real().Sub(s))
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// TestFastPerTonneAgreesWithTransport: the engine's shortcut gives the
// emissions model's figures.
func TestFastPerTonneAgreesWithTransport(t *testing.T) {
	e := NewEngine()
	for _, tonnes := range []float64{1, 9, 18, 18.5, 100, 1234.5, 40000} {
		for _, km := range []float64{0.5, 7, 33} {
			est, err := e.Factors.Transport(tonnes, km, e.Vehicle, e.Scope)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.kgPerTonne(tonnes, km); got < est.KgPerTonne*(1-1e-9) || got > est.KgPerTonne*(1+1e-9) {
				t.Errorf("%v t, %v km: %v, want %v", tonnes, km, got, est.KgPerTonne)
			}
		}
	}
}

type fakeRoad struct {
	factor float64
	fail   bool
}

func (f fakeRoad) RoadKm(_ context.Context, a, b geo.Point) (float64, error) {
	if f.fail {
		return 0, errors.New("down")
	}
	return geo.HaversineKm(a, b) * f.factor, nil
}
func (f fakeRoad) Name() string { return "fake-road" }

// TestRefineWithRoadRouter: a road router's distances replace the estimate,
// costs follow, and a failing router leaves the estimate named as such. Every
// match comes back, refined; none is lost or made up.
func TestRefineWithRoadRouter(t *testing.T) {
	ix, surplus := scenario(today(t))
	e := NewEngine()
	est := e.Match(ix, surplus, 20)
	if len(est) != 4 {
		t.Fatalf("the scenario has 4 matches, got %d", len(est))
	}
	byID := map[string]Match{}
	for _, m := range est {
		byID[m.CounterpartID] = m
	}
	sameSet := func(what string, ms []Match) {
		t.Helper()
		if len(ms) != len(est) {
			t.Fatalf("%s: %d matches, want the %d estimated", what, len(ms), len(est))
		}
		seen := map[string]bool{}
		for _, m := range ms {
			if _, ok := byID[m.CounterpartID]; !ok || seen[m.CounterpartID] {
				t.Fatalf("%s: unexpected or repeated match %q", what, m.CounterpartID)
			}
			seen[m.CounterpartID] = true
		}
	}
	ref := e.Refine(context.Background(), fakeRoad{factor: 2.6}, e.Match(ix, surplus, 20))
	sameSet("refined", ref)
	for i, m := range ref {
		was := byID[m.CounterpartID]
		want := was.RoadKm * 2 // 2.6 / 1.3
		if m.RoadKm < want*0.999 || m.RoadKm > want*1.001 || m.Router != "fake-road" || m.KgCO2e <= was.KgCO2e {
			t.Fatalf("%s: %.2f km (want %.2f), router %s", m.CounterpartID, m.RoadKm, want, m.Router)
		}
		if m.Baseline == nil || was.Baseline == nil || m.Baseline.LandfillKm < was.Baseline.LandfillKm*1.99 {
			t.Fatalf("%s: baseline not refined: %+v (was %+v)", m.CounterpartID, m.Baseline, was.Baseline)
		}
		if i > 0 && m.KgPerTonne < ref[i-1].KgPerTonne {
			t.Fatalf("refined matches not ranked by kg CO2e per tonne: %s after %s", m.CounterpartID, ref[i-1].CounterpartID)
		}
	}
	down := e.Refine(context.Background(), fakeRoad{fail: true}, e.Match(ix, surplus, 20))
	sameSet("failing router", down)
	for _, m := range down {
		if m.Router != "fake-road+haversine" || m.RoadKm != byID[m.CounterpartID].RoadKm {
			t.Fatalf("failing router: %+v", m)
		}
	}
}
