package matching

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/geo"
)

// Layouts of issue 16. dense: one busy region, the recorded synthetic
// layout (0.7° × 1.2° around Oslo). national: listings around Norway's
// towns, weighted by size, spread about 20 km.
var towns = []struct {
	lat, lon float64
	weight   int
}{
	{59.91, 10.75, 30}, {60.39, 5.32, 12}, {63.43, 10.39, 10}, {58.97, 5.73, 10}, {58.15, 8.00, 5}, {59.13, 10.22, 4},
	{59.74, 10.20, 5}, {59.28, 11.11, 4}, {60.79, 11.07, 3}, {61.11, 10.47, 3}, {62.47, 6.15, 3}, {62.74, 7.16, 2},
	{64.47, 11.50, 1}, {67.28, 14.40, 2}, {68.44, 17.43, 1}, {69.65, 18.96, 3}, {70.66, 23.68, 1}, {59.41, 5.27, 2},
	{61.46, 5.89, 1}, {60.13, 11.57, 1}, {59.21, 9.61, 2}, {58.46, 8.77, 1}, {66.31, 14.14, 1}, {63.11, 7.73, 1},
}

func layoutPoint(r *rand.Rand, national bool) geo.Point {
	if !national {
		return geo.Point{Lat: 59.6 + r.Float64()*0.7, Lon: 10.0 + r.Float64()*1.2}
	}
	total := 0
	for _, t := range towns {
		total += t.weight
	}
	w := r.Intn(total)
	for _, t := range towns {
		if w < t.weight {
			return geo.Point{Lat: t.lat + r.NormFloat64()*0.18, Lon: t.lon + r.NormFloat64()*0.35}
		}
		w -= t.weight
	}
	panic("unreachable")
}

// layout is synthetic() with a choice of layout and facilities spread the
// same way (facilities per town in the national one).
func layout(ref time.Time, n, facilities int, seed int64, national bool) ([]Item, []Facility, Item) {
	r := rand.New(rand.NewSource(seed))
	fracs := []string{"sprengstein", "morene", "grus", "sand", "leire", "matjord", "pukk"}
	uses := []string{"fill", "sub_base", "landscaping", "noise_barrier"}
	kinds := []string{"surplus", "need", "capacity"}
	items := make([]Item, n)
	base := on(ref, -10, 1)
	for i := range items {
		from := base.AddDate(0, r.Intn(60), 0)
		items[i] = Item{ID: synID(i), OrgID: fmt.Sprintf("o%04d", r.Intn(400+n/250)), Kind: kinds[r.Intn(3)], Fractions: []string{fracs[r.Intn(len(fracs))]},
			Tonnes: 500 + r.Float64()*50000, From: from, To: from.AddDate(0, 3+r.Intn(24), 0), Use: uses[r.Intn(len(uses))],
			P: layoutPoint(r, national), Class: r.Intn(3)}
		if r.Intn(10) == 0 { // a few with two fractions
			items[i].Fractions = append(items[i].Fractions, fracs[r.Intn(len(fracs))])
		}
	}
	fs := make([]Facility, facilities)
	types := []string{"landfill", "quarry", "intermediate_storage"}
	for i := range fs {
		acc := map[string]int{}
		for _, f := range fracs {
			acc[f] = 1 + r.Intn(3)
		}
		fs[i] = Facility{ID: fmt.Sprintf("f%04d", i), Type: types[i%3], P: layoutPoint(r, national), Accepts: acc, From: base, To: base.AddDate(8, 0, 0)}
		if fs[i].Type == "intermediate_storage" {
			fs[i].StorageAccepts = acc
		}
	}
	target := Item{ID: "target", OrgID: "x", Kind: "surplus", Fractions: []string{"sprengstein"}, Tonnes: 20000, From: on(ref, 2, 1), To: on(ref, 13, 0), P: geo.Point{Lat: 59.89, Lon: 10.52}, Class: 1}
	return items, fs, target
}

// synID is a listing ID as long as the store's (a UUID), so that the
// index's memory per listing is what a region's would be.
func synID(i int) string { return fmt.Sprintf("0190a3c2-0000-7000-8000-%012d", i) }

// TestSameTopAsReference: the sublinear engine ranks exactly as costing and
// sorting every candidate did (reference_test.go): the same counterparts
// in the same order with the same kg per tonne, for targets of every kind
// in random regions, without a radius; with one, the same as the
// reference's ranking without the hauls beyond it.
func TestSameTopAsReference(t *testing.T) {
	ref := today(t)
	for _, national := range []bool{false, true} {
		for seed := int64(1); seed <= 6; seed++ {
			t.Run(fmt.Sprintf("national=%v/seed=%d", national, seed), func(t *testing.T) {
				r := rand.New(rand.NewSource(seed * 7))
				n := 2000 + r.Intn(8000)
				items, fs, target := layout(ref, n, 30+r.Intn(200), seed, national)
				ix, rix := NewIndex(items, fs), newRefIndex(items, fs)
				targets := []Item{target}
				for i := 0; i < 12; i++ {
					targets = append(targets, items[r.Intn(len(items))])
				}
				// A need long after most surpluses: storage chains.
				late := target
				late.ID, late.Kind, late.Use, late.OrgID = "late", "need", "fill", "y"
				late.From, late.To = on(ref, 30, 1), on(ref, 40, 0)
				targets = append(targets, late)
				skip := map[string]bool{items[0].ID: true, items[1].ID: true}
				for _, radius := range []float64{math.Inf(1), DefaultMaxHaulKm, 15} {
					e := NewEngine()
					e.MaxHaulKm = radius
					for _, tg := range targets {
						for _, k := range []int{1, 20, RankDepth} {
							got := e.Rank(ix, tg, k, skip)
							all := e.refRank(rix, tg, len(items), skip)
							var want []refRanked
							for _, w := range all {
								if w.Km <= radius && len(want) < k {
									want = append(want, w)
								}
							}
							if len(got) != len(want) {
								t.Fatalf("radius %v, target %s (%s), k %d: %d ranked, reference %d", radius, tg.ID, tg.Kind, k, len(got), len(want))
							}
							for i := range got {
								g, w := got[i], want[i]
								via := "direct"
								if g.c.via != nil {
									via = "storage"
								}
								if g.ID != w.ID || g.KgPerTonne != w.KgPerTonne || via != w.Via {
									t.Fatalf("radius %v, target %s (%s), k %d, #%d: %s %.9f %s, reference %s %.9f %s", radius, tg.ID, tg.Kind, k, i, g.ID, g.KgPerTonne, via, w.ID, w.KgPerTonne, w.Via)
								}
							}
						}
					}
				}
			})
		}
	}
}

// TestIncrementalSameAsBuilt: an index changed listing by listing (added,
// changed, moved, closed) ranks as one built from the final listings.
func TestIncrementalSameAsBuilt(t *testing.T) {
	ref := today(t)
	items, fs, target := layout(ref, 6000, 120, 3, false)
	r := rand.New(rand.NewSource(5))
	ix := NewIndex(items[:3000], fs)
	live := map[string]Item{}
	for _, it := range items[:3000] {
		live[it.ID] = it
	}
	for _, it := range items[3000:] {
		ix.Upsert(it)
		live[it.ID] = it
	}
	for i := 0; i < 2000; i++ {
		it := items[r.Intn(len(items))]
		switch r.Intn(3) {
		case 0:
			ix.Remove(it.ID)
			delete(live, it.ID)
		default:
			it.P = layoutPoint(r, false)
			it.Tonnes = 500 + r.Float64()*50000
			it.Kind = []string{"surplus", "need", "capacity"}[r.Intn(3)]
			ix.Upsert(it)
			live[it.ID] = it
		}
	}
	final := make([]Item, 0, len(live))
	for _, it := range live {
		final = append(final, it)
	}
	sort.Slice(final, func(i, j int) bool { return final[i].ID < final[j].ID })
	built := NewIndex(final, fs)
	if ix.Len() != built.Len() {
		t.Fatalf("incremental index has %d listings, built %d", ix.Len(), built.Len())
	}
	e := NewEngine()
	for i := 0; i < 30; i++ {
		tg := final[r.Intn(len(final))]
		if i == 0 {
			tg = target
		}
		a, b := e.Rank(ix, tg, RankDepth), e.Rank(built, tg, RankDepth)
		if len(a) != len(b) || len(a) == 0 && tg.ID == "target" {
			t.Fatalf("target %s: %d ranked incrementally, %d built", tg.ID, len(a), len(b))
		}
		for j := range a {
			if a[j].ID != b[j].ID || a[j].KgPerTonne != b[j].KgPerTonne {
				t.Fatalf("target %s #%d: %s, built %s", tg.ID, j, a[j].ID, b[j].ID)
			}
		}
	}
}

// TestRadius: nothing beyond the haul radius is ranked.
func TestRadius(t *testing.T) {
	items, fs, target := layout(today(t), 5000, 100, 9, false)
	ix := NewIndex(items, fs)
	e := NewEngine()
	e.MaxHaulKm = 10
	ms := e.Match(ix, target, RankDepth)
	if len(ms) == 0 {
		t.Fatal("nothing within 10 km")
	}
	for _, m := range ms {
		if m.RoadKm > 10+1e-9 {
			t.Fatalf("%s ranked at %.1f km", m.CounterpartID, m.RoadKm)
		}
	}
}

type scaleCase struct {
	name     string
	n        int
	national bool
}

var scaleCases = []scaleCase{
	{"dense/listings=10000", 10_000, false},
	{"dense/listings=100000", 100_000, false},
	{"national/listings=1000000", 1_000_000, true},
	{"dense/listings=1000000", 1_000_000, false},
}

// BenchmarkScaleMatch: what a request costs (rank to the depth pages walk,
// explain a page of 20) in the layouts of issue 16, with 300 facilities
// (3 000 nationally), and the index's memory per listing.
func BenchmarkScaleMatch(b *testing.B) {
	for _, c := range scaleCases {
		b.Run(c.name, func(b *testing.B) {
			facilities := 300
			if c.national {
				facilities = 3000
			}
			// The index's memory, with its listings' IDs and the
			// facilities: the heap it keeps alive once the listings it was
			// built from are gone.
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			items, fs, target := layout(today(b), c.n, facilities, 1, c.national)
			ix := NewIndex(items, fs)
			items, fs = nil, nil
			runtime.GC()
			runtime.ReadMemStats(&after)
			perListing := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(c.n)
			e := NewEngine()
			if len(e.Rank(ix, target, 20)) != 20 {
				b.Fatal("fewer than 20 matches")
			}
			// Targets: the recorded one and listings of the layout.
			r := rand.New(rand.NewSource(2))
			targets := []Item{target}
			for len(targets) < 64 {
				if it, ok := ix.Lookup(synID(r.Intn(c.n))); ok {
					targets = append(targets, it)
				}
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tg := targets[i%len(targets)]
				s := clock.Real() // elapsed time, not a date
				rs := e.Rank(ix, tg, RankDepth)
				e.Explain(ix, tg, rs[:min(20, len(rs))])
				lat = append(lat, clock.Real().Sub(s))
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(perListing, "index-B/listing")
		})
	}
}

// BenchmarkScaleUpsert: the index work of publishing (or changing) one
// listing in a region of 100 000.
func BenchmarkScaleUpsert(b *testing.B) {
	items, fs, _ := layout(today(b), 100_000, 300, 1, false)
	ix := NewIndex(items, fs)
	r := rand.New(rand.NewSource(3))
	extra, _, _ := layout(today(b), 1000, 0, 4, false)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it := extra[i%len(extra)]
		it.ID = fmt.Sprintf("new%07d", r.Intn(50_000))
		ix.Upsert(it)
	}
}

// BenchmarkScaleReference: today's engine before issue 16 (cost every
// candidate, sort all: reference_test.go) on the same layouts, for the
// ratio (rank to the depth pages walk).
func BenchmarkScaleReference(b *testing.B) {
	for _, c := range scaleCases {
		b.Run(c.name, func(b *testing.B) {
			facilities := 300
			if c.national {
				facilities = 3000
			}
			items, fs, target := layout(today(b), c.n, facilities, 1, c.national)
			rix := newRefIndex(items, fs)
			e := NewEngine()
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := clock.Real() // elapsed time, not a date
				e.refRank(rix, target, RankDepth, nil)
				lat = append(lat, clock.Real().Sub(s))
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		})
	}
}

// TestConcurrentQueriesAndChanges: queries rank and explain while
// listings change and facilities are replaced (run with -race).
func TestConcurrentQueriesAndChanges(t *testing.T) {
	items, fs, target := layout(today(t), 3000, 60, 11, false)
	ix := NewIndex(items, fs)
	e := NewEngine()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := rand.New(rand.NewSource(1))
		for i := 0; i < 500; i++ {
			it := items[r.Intn(len(items))]
			if i%3 == 0 {
				ix.Remove(it.ID)
			} else {
				it.P = layoutPoint(r, false)
				ix.Upsert(it)
			}
			if i%100 == 0 {
				ix.SetFacilities(fs)
			}
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-done:
			return
		default:
		}
		rs := e.Rank(ix, target, 20)
		e.Explain(ix, target, rs)
		e.Holds(ix, items[i%len(items)].ID, items[(i+1)%len(items)].ID)
	}
}
