// Package matching finds the best counterparts of a listing in its tenant,
// ranked by the estimated transport emissions per tonne delivered, with an
// explanation of every match and its saving against the baseline of taking
// the surplus to the nearest landfill and buying the need from the nearest
// quarry (V2, V9, B1, B2).
package matching

import (
	"math"
	"slices"
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
	// SiteID: the facility a capacity is on; the index then follows its
	// permits when they change.
	SiteID string
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
	// MaxHaulKm: a haul longer than this by road (the sum of its legs) is
	// uneconomic and never ranked (MASSEFLYT_MAX_HAUL_KM; +Inf: no limit).
	MaxHaulKm float64

	once            sync.Once
	prepErr         error
	fullKm, emptyKm float64
	laden           [3]float64 // loaded-leg factor at 0, 50, 100 % (piecewise linear like the tables)
	// minPerTonneKm is the least kg CO2e per tonne-km of any quantity: a
	// candidate d km away costs at least d × minPerTonneKm per tonne.
	minPerTonneKm float64
}

// DefaultMaxHaulKm is the default haul radius.
const DefaultMaxHaulKm = 60

// NewEngine returns an engine with the defaults.
func NewEngine() *Engine {
	return &Engine{Detour: geo.DefaultDetour, Factors: emissions.Default, Vehicle: emissions.DefaultVehicle, Scope: emissions.WTW, Router: "haversine", MaxHaulKm: DefaultMaxHaulKm}
}

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

// party is one side of a match as the ranking compares it.
type party struct {
	id      string
	kind    uint8
	class   int
	use     string
	accepts map[string]int
	from    int64
	to      int64
	p       geo.Point
	tonnes  float64
}

func (ix *Index) party(e *entry) party {
	pa := party{id: e.id, kind: e.kind, class: int(e.class), use: ix.uses[e.use], from: e.from, to: e.to, p: e.p, tonnes: e.tonnes}
	if e.acc >= 0 {
		pa.accepts = ix.acc[e.acc].accepts
	}
	return pa
}

func itemParty(it *Item) party {
	return party{id: it.ID, kind: kindCode(it.Kind), class: it.Class, use: it.Use, accepts: it.Accepts, from: it.From.Unix(), to: it.To.Unix(), p: it.P, tonnes: it.Tonnes}
}

type cand struct {
	slot     int32
	id       string
	fraction string
	km       float64
	kgPerT   float64
	tonnes   float64
	via      *Facility
	storeKm  float64
	days     int
	item     Item // the counterpart, filled for the ranked ones
}

// worse orders candidates: higher kg per tonne, then higher ID, is worse.
func worse(a, b *cand) bool {
	if a.kgPerT != b.kgPerT {
		return a.kgPerT > b.kgPerT
	}
	return a.id > b.id
}

// topK keeps the best k candidates in a heap with the worst on top.
type topK struct {
	k int
	h []cand
}

func (t *topK) full() bool { return len(t.h) == t.k }

// bound is the kg per tonne a candidate must beat (+Inf until full).
func (t *topK) bound() float64 {
	if !t.full() {
		return math.Inf(1)
	}
	return t.h[0].kgPerT
}

func (t *topK) offer(c cand) {
	if !t.full() {
		t.h = append(t.h, c)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !worse(&t.h[i], &t.h[p]) {
				break
			}
			t.h[i], t.h[p] = t.h[p], t.h[i]
			i = p
		}
		return
	}
	if !worse(&t.h[0], &c) {
		return
	}
	t.h[0] = c
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(t.h) && worse(&t.h[l], &t.h[m]) {
			m = l
		}
		if r < len(t.h) && worse(&t.h[r], &t.h[m]) {
			m = r
		}
		if m == i {
			break
		}
		t.h[i], t.h[m] = t.h[m], t.h[i]
		i = m
	}
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
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]Match, 0, len(rs))
	for _, r := range rs {
		out = append(out, e.explain(ix, target, r.c))
	}
	return out
}

// query is the state of one ranking.
type query struct {
	e        *Engine
	ix       *Index
	target   party
	targetID string
	org      int32
	excluded map[string]bool
	top      topK
	maxKm    float64 // the haul radius
	cosLow   float64 // cos of the highest latitude a near candidate can have
	memo     []storageDist
	memoOK   bool
}

// Rank returns the best k counterparts of target in rank order (kg CO2e
// per tonne, then ID), leaving out skip, within the haul radius.
//
// It visits the grid cells around the target ring by ring, nearest first.
// A counterpart d km away costs at least d × detour × the least kg per
// tonne-km of any quantity (storage chains are longer than the direct
// line), so once the ring's nearest point is too far to beat the k-th best
// found, or beyond the radius, no farther one can: the search stops. Within
// a ring, a candidate is costed exactly (haversine, like the result) only
// when a cheap lower bound of its distance could still beat the k-th.
// The result is the same as costing and sorting every candidate
// (TestSameTopAsReference).
func (e *Engine) Rank(ix *Index, target Item, k int, skip ...map[string]bool) []Ranked {
	if k <= 0 {
		return nil
	}
	e.once.Do(e.prepare)
	if e.prepErr != nil {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	q := &query{e: e, ix: ix, target: itemParty(&target), targetID: target.ID, org: -1, top: topK{k: k}, maxKm: e.MaxHaulKm}
	if q.maxKm <= 0 || math.IsNaN(q.maxKm) {
		q.maxKm = math.Inf(1)
	}
	if len(skip) > 0 {
		q.excluded = skip[0]
	}
	if i, ok := ix.orgByID[target.OrgID]; ok {
		q.org = i
	}
	var want []uint8
	switch target.Kind {
	case "surplus":
		want = []uint8{kindNeed, kindCapacity}
	case "need", "capacity":
		want = []uint8{kindSurplus}
	}
	// The target's fractions, known ones once each, in its order.
	var tf []uint8
	var mask uint32
	for _, f := range target.Fractions {
		if b, ok := fracBit[f]; ok && mask&(1<<b) == 0 {
			mask |= 1 << b
			tf = append(tf, b)
		}
	}
	if len(want) == 0 || len(tf) == 0 || !ix.bounds {
		return nil
	}
	q.cosLow = math.Cos(math.Min(90, math.Abs(target.P.Lat)+nearDeg) * math.Pi / 180)
	cy, cx := cellOf(target.P)
	// The rings needed to cover every cell of the index.
	maxR := max(abs32(cy-ix.minCy), abs32(ix.maxCy-cy), abs32(cx-ix.minCx), abs32(ix.maxCx-cx))
	for r := int32(0); r <= maxR; r++ {
		if r >= 2 {
			lb := ringKm(target.P.Lat, r) * e.Detour
			if lb > q.maxKm || lb*e.minPerTonneKm > q.top.bound() {
				break
			}
		}
		for dy := -r; dy <= r; dy++ {
			y := cy + dy
			if y < ix.minCy || y > ix.maxCy {
				continue
			}
			step := 2 * r
			if dy == -r || dy == r || r == 0 {
				step = 1
			}
			for dx := -r; dx <= r; dx += step {
				x := cx + dx
				if x < ix.minCx || x > ix.maxCx {
					continue
				}
				for _, kind := range want {
					for _, b := range tf {
						for _, s := range ix.cells[cellKey(kind, b, y, x)] {
							c := &ix.slots[s]
							// An entry with several of the target's
							// fractions is costed once, from the list of
							// the first of them.
							if first := firstShared(c.fracs&mask, tf); first != b {
								continue
							}
							q.consider(s, c, tf, mask)
						}
					}
				}
			}
		}
	}
	// Best first.
	h := q.top.h
	slices.SortFunc(h, func(a, b cand) int {
		if worse(&b, &a) {
			return -1
		}
		if worse(&a, &b) {
			return 1
		}
		return 0
	})
	out := make([]Ranked, len(h))
	for i := range h {
		h[i].item = ix.item(&ix.slots[h[i].slot])
		out[i] = Ranked{ID: h[i].id, KgPerTonne: h[i].kgPerT, c: h[i]}
	}
	return out
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

func firstShared(shared uint32, order []uint8) uint8 {
	for _, b := range order {
		if shared&(1<<b) != 0 {
			return b
		}
	}
	return 255
}

// nearDeg bounds the latitude difference of "near" candidates, whose
// distance is first bounded cheaply (farther ones are costed exactly).
const nearDeg = 3.0

// ringKm is a lower bound of the great-circle distance from a point at
// latitude lat to any point of a cell in ring r (r ≥ 1) around its cell:
// such a cell is at least r-1 cells away north–south or east–west, and
// hav(d) ≥ hav(Δφ) + cos²(φmax)·hav(Δλ).
func ringKm(lat float64, r int32) float64 {
	dLat := float64(r-1) * cellLat * math.Pi / 180
	dLon := float64(r-1) * cellLon * math.Pi / 180
	phiMax := math.Min(90, math.Abs(lat)+float64(r+1)*cellLat) * math.Pi / 180
	ns := geo.EarthRadiusKm * dLat
	s := math.Cos(phiMax) * math.Sin(math.Min(dLon, math.Pi)/2)
	ew := 2 * geo.EarthRadiusKm * math.Asin(math.Min(1, s))
	return math.Min(ns, ew)
}

// nearKm is a lower bound of the distance between the target and p when
// both are within nearDeg of each other's latitude and longitude (small
// angles: hav x ≥ x²/4·(1−x²/12)); -1 when they are not.
func (q *query) nearKm(p geo.Point) float64 {
	dφ := (p.Lat - q.target.p.Lat) * math.Pi / 180
	dλ := (p.Lon - q.target.p.Lon) * math.Pi / 180
	const lim = nearDeg * math.Pi / 180
	if dφ > lim || dφ < -lim || dλ > lim || dλ < -lim {
		return -1
	}
	x := q.cosLow * dλ
	return geo.EarthRadiusKm * math.Sqrt(dφ*dφ+x*x) * (1 - 1e-3)
}

// consider costs entry c against the target, for each fraction both have,
// and offers the best.
func (q *query) consider(slot int32, c *entry, tf []uint8, mask uint32) {
	if c.id == q.targetID || c.org == q.org || (q.excluded != nil && q.excluded[c.id]) {
		return
	}
	e, ix := q.e, q.ix
	cp := ix.party(c)
	supply, demand := &q.target, &cp
	if q.target.kind != kindSurplus {
		supply, demand = &cp, &q.target
	}
	t := math.Min(supply.tonnes, demand.tonnes)
	if t <= 0 {
		return
	}
	ptk := e.perTonneKm(t)
	bound := q.top.bound()
	lb := q.nearKm(c.p)
	if lb >= 0 && (lb*e.Detour > q.maxKm || lb*e.Detour*ptk > bound) {
		return
	}
	km := -1.0
	var best cand
	found := false
	shared := c.fracs & mask
	for _, b := range tf {
		if shared&(1<<b) == 0 {
			continue
		}
		fr := fracs[b]
		if !e.compatible(fr, supply, demand) {
			continue
		}
		if km < 0 {
			km = geo.HaversineKm(q.target.p, c.p) * e.Detour
			if km > q.maxKm || km*ptk > bound {
				return // a chain through storage is longer still
			}
		}
		x := cand{slot: slot, id: c.id, fraction: fr.Code, tonnes: t, km: km}
		ov := overlapUnix(supply.from, supply.to, demand.from, demand.to)
		if ov >= 0 {
			x.days = int(ov.Hours() / 24)
		} else if demand.kind == kindNeed && demand.from >= supply.from {
			// The need comes after the surplus: bridge through storage.
			limit := math.Min(q.maxKm, bound/ptk)
			if found {
				limit = math.Min(limit, best.kgPerT/ptk)
			}
			via, km1, km2, days := q.storage(fr, supply, demand, km, limit)
			if via == nil {
				continue
			}
			if km1+km2 > q.maxKm {
				continue
			}
			x.via, x.storeKm, x.km, x.days = via, km1, km2, -days
		} else {
			continue
		}
		x.kgPerT = e.perTonne(t, x)
		if !found || x.kgPerT < best.kgPerT {
			best, found = x, true
		}
	}
	if found {
		q.top.offer(best)
	}
}

func overlapUnix(aFrom, aTo, bFrom, bTo int64) time.Duration {
	return time.Duration(min(aTo, bTo)-max(aFrom, bFrom)) * time.Second
}

func (e *Engine) compatible(fr *market.Fraction, supply, demand *party) bool {
	switch demand.kind {
	case kindNeed:
		if demand.use != "" && !fr.FitFor(demand.use) {
			return false
		}
		return fr.Clean && classOK(supply.class, 1)
	case kindCapacity:
		if demand.accepts != nil {
			max, ok := demand.accepts[fr.Code]
			return ok && classOK(supply.class, max)
		}
		max := demand.class
		if max == 0 {
			max = 1
		}
		if fr.AcidForming {
			return false
		}
		return classOK(supply.class, max)
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
	// Per tonne-km, n full loads and a partial one of share s cost a mix
	// of (full+empty)/payload and (laden(s)+empty)/(s·payload); the latter
	// falls on each linear piece of laden towards its right end, so the
	// least is at s = ½ or s = 1.
	p := e.Vehicle.PayloadTonnes
	e.minPerTonneKm = math.Min((e.fullKm+e.emptyKm)/p, (e.laden[1]+e.emptyKm)/(0.5*p)) * (1 - 1e-9)
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
