// Package matching finds the best counterparts of a listing in its tenant,
// ranked by the estimated transport emissions per tonne delivered, with an
// explanation of every match and its saving against the baseline of taking
// the surplus to the nearest landfill and buying the need from the nearest
// quarry (V2, V9, B1, B2).
package matching

import (
	"context"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/masseflyt/masseflyt/core/emissions"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
)

// MaxStorage is the longest intermediate storage offered: beyond 3 years it
// counts as permanent disposal.
const MaxStorage = 3 * 365 * 24 * time.Hour

// Item is a listing as the engine sees it.
type Item struct {
	ID, OrgID, Kind string
	Title, OrgName  string
	Fractions       []string
	Tonnes          float64
	From, To        time.Time
	P               geo.Point
	Class           int    // 0 unknown; for capacity the highest class accepted
	Use             string // intended use of a need
	// For capacity listings on a facility: its type and, from its permits,
	// the fractions and highest class it may receive (nil: not known).
	FacilityType string
	Accepts      map[string]int
}

// Facility is a receiving or producing site used for baselines and storage.
type Facility struct {
	ID, Name, Type string
	P              geo.Point
	// Accepts maps a fraction to the highest class its valid permits allow;
	// StorageAccepts the same for its intermediate-storage permits.
	Accepts        map[string]int
	StorageAccepts map[string]int
	From, To       time.Time // permit validity (storage)
	Capacity       float64
}

// Leg is one transport of a match.
type Leg struct {
	From string `json:"from"`
	To   string `json:"to"`
	emissions.Estimate
	FromP, ToP geo.Point `json:"-"`
}

// Baseline is what happens without the match.
type Baseline struct {
	supplyP, landfillP, demandP, quarryP geo.Point

	LandfillID   string  `json:"landfill_id,omitempty"`
	LandfillName string  `json:"landfill_name,omitempty"`
	LandfillKm   float64 `json:"landfill_km,omitempty"`
	QuarryID     string  `json:"quarry_id,omitempty"`
	QuarryName   string  `json:"quarry_name,omitempty"`
	QuarryKm     float64 `json:"quarry_km,omitempty"`
	KgCO2e       float64 `json:"kg_co2e"`
	Complete     bool    `json:"complete"`
}

// Match is one ranked counterpart with its explanation.
type Match struct {
	CounterpartID   string    `json:"counterpart_id"`
	CounterpartKind string    `json:"counterpart_kind"`
	Title           string    `json:"title"`
	Organization    string    `json:"organization"`
	Fraction        string    `json:"fraction"`
	Via             string    `json:"via"` // direct or storage
	StorageID       string    `json:"storage_id,omitempty"`
	StorageName     string    `json:"storage_name,omitempty"`
	StorageDays     int       `json:"storage_days,omitempty"`
	Tonnes          float64   `json:"tonnes"`
	QuantityShare   float64   `json:"quantity_share"` // matched / the target's quantity
	RoadKm          float64   `json:"road_km"`
	Loads           int       `json:"loads"`
	KgCO2e          float64   `json:"kg_co2e"`
	KgPerTonne      float64   `json:"kg_co2e_per_tonne"`
	OverlapDays     int       `json:"overlap_days"`
	Quality         string    `json:"quality"` // ok, undocumented
	Fitness         string    `json:"fitness,omitempty"`
	Baseline        *Baseline `json:"baseline,omitempty"`
	SavingKg        float64   `json:"saving_kg_co2e"`
	Legs            []Leg     `json:"legs"`
	Router          string    `json:"router"`
	FactorSet       string    `json:"factor_set"`
}

// Engine ranks matches over an index of one tenant.
type Engine struct {
	Detour  float64 // road / straight-line factor (the haversine router's)
	Factors emissions.FactorSet
	Vehicle emissions.Vehicle
	Scope   string
	Router  string

	once            sync.Once
	prepErr         error
	fullKm, emptyKm float64
	laden           [3]float64 // loaded-leg factor at 0, 50, 100 % (piecewise linear like the tables)
}

// NewEngine returns an engine with the defaults.
func NewEngine() *Engine {
	return &Engine{Detour: geo.DefaultDetour, Factors: emissions.Default, Vehicle: emissions.DefaultVehicle, Scope: emissions.WTW, Router: "haversine"}
}

// Index holds a tenant's open listings and facilities.
type Index struct {
	items    []Item
	byFrac   map[string]map[string][]int // kind → fraction → item indexes
	landfill []Facility
	quarry   []Facility
	storage  []Facility

	// Per facility: its type and what its permits accept (for capacity listings on it).
	siteType map[string]string
	accepts  map[string]map[string]int
}

// NewIndex builds an index.
func NewIndex(items []Item, facilities []Facility) *Index {
	ix := &Index{items: items, byFrac: map[string]map[string][]int{}}
	ix.siteType, ix.accepts = facilityLookup(facilities)
	for i, it := range items {
		m := ix.byFrac[it.Kind]
		if m == nil {
			m = map[string][]int{}
			ix.byFrac[it.Kind] = m
		}
		for _, f := range it.Fractions {
			m[f] = append(m[f], i)
		}
	}
	for _, f := range facilities {
		switch f.Type {
		case "landfill":
			ix.landfill = append(ix.landfill, f)
		case "quarry":
			ix.quarry = append(ix.quarry, f)
		}
		if len(f.StorageAccepts) > 0 {
			ix.storage = append(ix.storage, f)
		}
	}
	return ix
}

// facilityLookup maps facility IDs to their type and to what their permits accept.
func facilityLookup(fs []Facility) (map[string]string, map[string]map[string]int) {
	types, accepts := make(map[string]string, len(fs)), make(map[string]map[string]int, len(fs))
	for _, f := range fs {
		types[f.ID] = f.Type
		if f.Accepts != nil {
			accepts[f.ID] = f.Accepts
		}
	}
	return types, accepts
}

// Len is the number of indexed listings.
func (ix *Index) Len() int { return len(ix.items) }

func overlap(aFrom, aTo, bFrom, bTo time.Time) time.Duration {
	from, to := aFrom, aTo
	if bFrom.After(from) {
		from = bFrom
	}
	if bTo.Before(to) {
		to = bTo
	}
	return to.Sub(from)
}

// classOK reports whether masses of class c may go to a receiver accepting up
// to max; 0 (undocumented) passes with a note.
func classOK(c, max int) bool { return c <= max || c == 0 }

type cand struct {
	idx      int
	fraction string
	km       float64
	kgPerT   float64
	tonnes   float64
	via      *Facility
	storeKm  float64
	days     int
}

// Match returns the best k counterparts of target, leaving out skip.
func (e *Engine) Match(ix *Index, target Item, k int, skip ...map[string]bool) []Match {
	var excluded map[string]bool
	if len(skip) > 0 {
		excluded = skip[0]
	}
	var wantKinds []string
	switch target.Kind {
	case "surplus":
		wantKinds = []string{"need", "capacity"}
	case "need", "capacity":
		wantKinds = []string{"surplus"}
	}
	var cands []cand
	memo := map[string][]storageDist{}
	for _, kind := range wantKinds {
		for _, frac := range target.Fractions {
			fr, ok := market.FractionByCode(frac)
			if !ok {
				continue
			}
			for _, i := range ix.byFrac[kind][frac] {
				it := &ix.items[i]
				if it.ID == target.ID || it.OrgID == target.OrgID || excluded[it.ID] {
					continue
				}
				supply, demand := &target, it
				if target.Kind != "surplus" {
					supply, demand = it, &target
				}
				if !e.compatible(fr, supply, demand) {
					continue
				}
				t := math.Min(supply.Tonnes, demand.Tonnes)
				if t <= 0 {
					continue
				}
				c := cand{idx: i, fraction: frac, tonnes: t, km: geo.HaversineKm(target.P, it.P) * e.Detour}
				ov := overlap(supply.From, supply.To, demand.From, demand.To)
				if ov >= 0 {
					c.days = int(ov.Hours() / 24)
				} else if demand.Kind == "need" && !demand.From.Before(supply.From) {
					// The need comes after the surplus: bridge through storage.
					via, km1, km2, days := e.storage(ix, fr, supply, demand, memo)
					if via == nil {
						continue
					}
					c.via, c.storeKm, c.km, c.days = via, km1, km2, -days
				} else {
					continue
				}
				c.kgPerT = e.perTonne(t, c)
				cands = append(cands, c)
			}
		}
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].kgPerT != cands[b].kgPerT {
			return cands[a].kgPerT < cands[b].kgPerT
		}
		return ix.items[cands[a].idx].ID < ix.items[cands[b].idx].ID
	})
	seen := map[int]bool{}
	var out []Match
	for _, c := range cands {
		if len(out) == k {
			break
		}
		if seen[c.idx] {
			continue // several shared fractions: keep the best
		}
		seen[c.idx] = true
		out = append(out, e.explain(ix, target, c))
	}
	return out
}

func (e *Engine) compatible(fr *market.Fraction, supply, demand *Item) bool {
	switch demand.Kind {
	case "need":
		if demand.Use != "" && !fr.FitFor(demand.Use) {
			return false
		}
		return fr.Clean && classOK(supply.Class, 1)
	case "capacity":
		if demand.Accepts != nil {
			max, ok := demand.Accepts[fr.Code]
			return ok && classOK(supply.Class, max)
		}
		max := demand.Class
		if max == 0 {
			max = 1
		}
		if fr.AcidForming {
			return false
		}
		return classOK(supply.Class, max)
	}
	return false
}

// kgPerTonne is the emissions per tonne of moving t tonnes km one way. It is
// linear in km, so the engine computes the per-km figure per quantity once
// (the same result as emissions.Transport, checked by a test).
func (e *Engine) kgPerTonne(t, km float64) float64 {
	return km * e.perTonneKm(t)
}

func (e *Engine) perTonneKm(t float64) float64 {
	e.once.Do(e.prepare)
	if e.prepErr != nil || t <= 0 {
		return math.Inf(1)
	}
	p := e.Vehicle.PayloadTonnes
	full := math.Floor(t / p)
	rest := t - full*p
	loads := full
	kg := full * e.fullKm
	if rest > 1e-9 {
		loads++
		kg += e.ladenKm(rest / p)
	}
	kg += loads * e.emptyKm
	return kg / t
}

func (e *Engine) prepare() {
	for i, share := range []float64{0, 0.5, 1} {
		f, err := e.Factors.LegKm(e.Vehicle, e.Scope, share)
		if err != nil {
			e.prepErr = err
			return
		}
		e.laden[i] = f
	}
	e.emptyKm, e.fullKm = e.laden[0], e.laden[2]
}

// ladenKm interpolates the loaded-leg factor of a partial load.
func (e *Engine) ladenKm(share float64) float64 {
	x := share * float64(len(e.laden)-1)
	i := int(x)
	if i >= len(e.laden)-1 {
		return e.laden[len(e.laden)-1]
	}
	return e.laden[i] + (e.laden[i+1]-e.laden[i])*(x-float64(i))
}

func (e *Engine) perTonne(t float64, c cand) float64 {
	if c.via != nil {
		return e.kgPerTonne(t, c.storeKm) + e.kgPerTonne(t, c.km)
	}
	return e.kgPerTonne(t, c.km)
}

// storage picks the storage facility that makes the surplus→storage→need
// chain cheapest, if the gap fits within three years and the facility's
// permit covers the period and the masses.
func (e *Engine) storage(ix *Index, fr *market.Fraction, supply, demand *Item, memo map[string][]storageDist) (*Facility, float64, float64, int) {
	gap := demand.From.Sub(supply.To)
	if gap <= 0 || gap > MaxStorage {
		return nil, 0, 0, 0
	}
	var best *Facility
	var bestKm1, bestKm2, bestSum float64
	for _, sd := range e.storageFrom(ix, supply, memo) { // nearest to the supply first
		if best != nil && sd.km >= bestSum {
			break // km2 ≥ 0: no farther storage can do better
		}
		f := sd.f
		max, ok := f.StorageAccepts[fr.Code]
		if !ok || !classOK(supply.Class, max) {
			continue
		}
		if (!f.From.IsZero() && f.From.After(supply.To)) || (!f.To.IsZero() && f.To.Before(demand.From)) {
			continue
		}
		km1 := sd.km
		km2 := geo.HaversineKm(f.P, demand.P) * e.Detour
		if best == nil || km1+km2 < bestSum {
			best, bestKm1, bestKm2, bestSum = f, km1, km2, km1+km2
		}
	}
	return best, bestKm1, bestKm2, int(gap.Hours() / 24)
}

type storageDist struct {
	f  *Facility
	km float64
}

// storageFrom lists storage sites by road distance from a supply. A query
// keeps the list of its own target (asked about many times) in memo; the
// index itself is never written, so queries may run concurrently.
func (e *Engine) storageFrom(ix *Index, supply *Item, memo map[string][]storageDist) []storageDist {
	if out, ok := memo[supply.ID]; ok {
		return out
	}
	out := make([]storageDist, len(ix.storage))
	for i := range ix.storage {
		out[i] = storageDist{&ix.storage[i], geo.HaversineKm(supply.P, ix.storage[i].P) * e.Detour}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].km < out[b].km })
	memo[supply.ID] = out
	return out
}

func nearest(fs []Facility, p geo.Point, fraction string, class int, needAccept bool) (*Facility, float64) {
	var best *Facility
	bestKm := math.Inf(1)
	for i := range fs {
		f := &fs[i]
		if needAccept {
			max, ok := f.Accepts[fraction]
			if !ok || !classOK(class, max) {
				continue
			}
		}
		if d := geo.HaversineKm(p, f.P); d < bestKm {
			best, bestKm = f, d
		}
	}
	return best, bestKm
}

func (e *Engine) explain(ix *Index, target Item, c cand) Match {
	it := ix.items[c.idx]
	supply, demand := target, it
	if target.Kind != "surplus" {
		supply, demand = it, target
	}
	m := Match{CounterpartID: it.ID, CounterpartKind: it.Kind, Title: it.Title, Organization: it.OrgName, Fraction: c.fraction, Via: "direct",
		Tonnes: c.tonnes, QuantityShare: c.tonnes / target.Tonnes, Quality: "ok", Router: e.Router, FactorSet: e.Factors.Name}
	if supply.Class == 0 {
		m.Quality = "undocumented"
	}
	if demand.Kind == "need" && demand.Use != "" {
		m.Fitness = demand.Use
	}
	add := func(from, to string, fp, tp geo.Point, km float64) {
		est, _ := e.Factors.Transport(c.tonnes, km, e.Vehicle, e.Scope)
		m.Legs = append(m.Legs, Leg{From: from, To: to, Estimate: est, FromP: fp, ToP: tp})
		m.RoadKm += km
		m.Loads += est.Loads
		m.KgCO2e += est.KgCO2e
	}
	if c.via != nil {
		m.Via, m.StorageID, m.StorageName, m.StorageDays = "storage", c.via.ID, c.via.Name, -c.days
		add(supply.ID, c.via.ID, supply.P, c.via.P, c.storeKm)
		add(c.via.ID, demand.ID, c.via.P, demand.P, c.km)
	} else {
		m.OverlapDays = c.days
		add(supply.ID, demand.ID, supply.P, demand.P, c.km)
	}
	m.KgPerTonne = m.KgCO2e / c.tonnes
	// Baseline (V9): the surplus to the nearest landfill that may take it,
	// and, for a need, the masses bought from the nearest quarry.
	b := &Baseline{Complete: true}
	if lf, km := nearest(ix.landfill, supply.P, c.fraction, supply.Class, true); lf != nil {
		b.LandfillID, b.LandfillName, b.LandfillKm = lf.ID, lf.Name, km*e.Detour
		b.supplyP, b.landfillP = supply.P, lf.P
		b.KgCO2e += e.kgPerTonne(c.tonnes, b.LandfillKm) * c.tonnes
	} else {
		b.Complete = false
	}
	if demand.Kind == "need" {
		if q, km := nearest(ix.quarry, demand.P, "", 0, false); q != nil {
			b.QuarryID, b.QuarryName, b.QuarryKm = q.ID, q.Name, km*e.Detour
			b.demandP, b.quarryP = demand.P, q.P
			b.KgCO2e += e.kgPerTonne(c.tonnes, b.QuarryKm) * c.tonnes
		} else {
			b.Complete = false
		}
	}
	m.Baseline = b
	m.SavingKg = b.KgCO2e - m.KgCO2e
	return m
}

// Refine replaces the estimated distances of ranked matches with a road
// router's and ranks them again. Legs the router cannot answer keep their
// estimate; the match then names both methods.
func (e *Engine) Refine(ctx context.Context, r geo.Router, ms []Match) []Match {
	var wg sync.WaitGroup
	for i := range ms {
		wg.Add(1)
		go func(m *Match) {
			defer wg.Done()
			failed := false
			road := func(a, b geo.Point, est float64) float64 {
				km, err := r.RoadKm(ctx, a, b)
				if err != nil || km < 0 {
					failed = true
					return est
				}
				return km
			}
			m.RoadKm, m.Loads, m.KgCO2e = 0, 0, 0
			for j := range m.Legs {
				l := &m.Legs[j]
				km := road(l.FromP, l.ToP, l.RoadKm)
				l.Estimate, _ = e.Factors.Transport(m.Tonnes, km, e.Vehicle, e.Scope)
				m.RoadKm += km
				m.Loads += l.Loads
				m.KgCO2e += l.KgCO2e
			}
			m.KgPerTonne = m.KgCO2e / m.Tonnes
			if b := m.Baseline; b != nil {
				b.KgCO2e = 0
				if b.LandfillID != "" {
					b.LandfillKm = road(b.supplyP, b.landfillP, b.LandfillKm)
					b.KgCO2e += e.kgPerTonne(m.Tonnes, b.LandfillKm) * m.Tonnes
				}
				if b.QuarryID != "" {
					b.QuarryKm = road(b.quarryP, b.demandP, b.QuarryKm)
					b.KgCO2e += e.kgPerTonne(m.Tonnes, b.QuarryKm) * m.Tonnes
				}
				m.SavingKg = b.KgCO2e - m.KgCO2e
			}
			m.Router = r.Name()
			if failed {
				m.Router = r.Name() + "+" + e.Router
			}
		}(&ms[i])
	}
	wg.Wait()
	sort.SliceStable(ms, func(a, b int) bool { return ms[a].KgPerTonne < ms[b].KgPerTonne })
	return ms
}
