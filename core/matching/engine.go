// Package matching finds the best counterparts of a listing in its tenant,
// ranked by the estimated transport emissions per tonne delivered, with an
// explanation of every match and its saving against the baseline of taking
// the surplus to the nearest landfill and buying the need from the nearest
// quarry (V2, V9, B1, B2).
package matching

import (
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
	// Approximate: the viewer may not see the counterpart's exact point or
	// quantity (B6, M2), so its distances are rounded to whole km from its
	// public ~1 km area and its quantity is a band; every figure above is
	// computed from those (see coarse.go).
	Approximate bool `json:"approximate,omitempty"`
	// TonnesBand is the matched quantity's band when the quantity is not
	// the viewer's to see ("1 000–5 000 t").
	TonnesBand string `json:"tonnes_band,omitempty"`
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

	byID       map[string]int // listing ID → item index
	facilities []Facility     // every facility (receivers to suggest)
}

// NewIndex builds an index.
func NewIndex(items []Item, facilities []Facility) *Index {
	ix := &Index{items: items, byFrac: map[string]map[string][]int{}, byID: make(map[string]int, len(items)), facilities: facilities}
	ix.siteType, ix.accepts = facilityLookup(facilities)
	for i, it := range items {
		ix.byID[it.ID] = i
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

// Match returns the best k counterparts of target, leaving out skip,
// explained.
func (e *Engine) Match(ix *Index, target Item, k int, skip ...map[string]bool) []Match {
	return e.Explain(ix, target, e.Rank(ix, target, k, skip...))
}

// Ranked is a counterpart in rank order, not yet explained: ranking many is
// cheap, explaining (legs, baseline) is done for those shown.
type Ranked struct {
	ID string
	// KgPerTonne is the rank: estimated transport kg CO2e per tonne.
	KgPerTonne float64
	c          cand
}

// Explain explains ranked counterparts of target.
func (e *Engine) Explain(ix *Index, target Item, rs []Ranked) []Match {
	out := make([]Match, 0, len(rs))
	for _, r := range rs {
		out = append(out, e.explain(ix, target, r.c))
	}
	return out
}

// Rank returns the best k counterparts of target in rank order (kg CO2e
// per tonne, then ID), leaving out skip.
func (e *Engine) Rank(ix *Index, target Item, k int, skip ...map[string]bool) []Ranked {
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
	var out []Ranked
	for _, c := range cands {
		if len(out) == k {
			break
		}
		if seen[c.idx] {
			continue // several shared fractions: keep the best
		}
		seen[c.idx] = true
		out = append(out, Ranked{ID: ix.items[c.idx].ID, KgPerTonne: c.kgPerT, c: c})
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
