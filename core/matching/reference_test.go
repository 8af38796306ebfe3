package matching

import (
	"math"
	"sort"
	"time"

	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
)

// The engine as it was before issue 16: every candidate of the index is
// costed and all of them are sorted. Kept as the reference that the
// sublinear engine must agree with (TestSameTopAsReference).

type refIndex struct {
	items   []Item
	byFrac  map[string]map[string][]int
	storage []Facility
}

func newRefIndex(items []Item, facilities []Facility) *refIndex {
	ix := &refIndex{items: items, byFrac: map[string]map[string][]int{}}
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
		if len(f.StorageAccepts) > 0 {
			ix.storage = append(ix.storage, f)
		}
	}
	return ix
}

type refRanked struct {
	ID         string
	KgPerTonne float64
	Via        string
	Km         float64
}

func (e *Engine) refRank(ix *refIndex, target Item, k int, excluded map[string]bool) []refRanked {
	var wantKinds []string
	switch target.Kind {
	case "surplus":
		wantKinds = []string{"need", "capacity"}
	case "need", "capacity":
		wantKinds = []string{"surplus"}
	}
	type rcand struct {
		idx            int
		km, storeKm    float64
		kgPerT, tonnes float64
		via            *Facility
	}
	var cands []rcand
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
				if !refCompatible(fr, supply, demand) {
					continue
				}
				t := math.Min(supply.Tonnes, demand.Tonnes)
				if t <= 0 {
					continue
				}
				c := rcand{idx: i, tonnes: t, km: geo.HaversineKm(target.P, it.P) * e.Detour}
				ov := overlap(supply.From, supply.To, demand.From, demand.To)
				if ov >= 0 {
				} else if demand.Kind == "need" && !demand.From.Before(supply.From) {
					via, km1, km2 := e.refStorage(ix, fr, supply, demand, memo)
					if via == nil {
						continue
					}
					c.via, c.storeKm, c.km = via, km1, km2
				} else {
					continue
				}
				if c.via != nil {
					c.kgPerT = e.kgPerTonne(t, c.storeKm) + e.kgPerTonne(t, c.km)
				} else {
					c.kgPerT = e.kgPerTonne(t, c.km)
				}
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
	var out []refRanked
	for _, c := range cands {
		if len(out) == k {
			break
		}
		if seen[c.idx] {
			continue
		}
		seen[c.idx] = true
		r := refRanked{ID: ix.items[c.idx].ID, KgPerTonne: c.kgPerT, Via: "direct", Km: c.km}
		if c.via != nil {
			r.Via, r.Km = "storage", c.storeKm+c.km
		}
		out = append(out, r)
	}
	return out
}

func refCompatible(fr *market.Fraction, supply, demand *Item) bool {
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

func (e *Engine) refStorage(ix *refIndex, fr *market.Fraction, supply, demand *Item, memo map[string][]storageDist) (*Facility, float64, float64) {
	gap := demand.From.Sub(supply.To)
	if gap <= 0 || gap > MaxStorage {
		return nil, 0, 0
	}
	var best *Facility
	var bestKm1, bestKm2, bestSum float64
	out, ok := memo[supply.ID]
	if !ok {
		out = make([]storageDist, len(ix.storage))
		for i := range ix.storage {
			out[i] = storageDist{&ix.storage[i], geo.HaversineKm(supply.P, ix.storage[i].P) * e.Detour}
		}
		sort.Slice(out, func(a, b int) bool { return out[a].km < out[b].km })
		memo[supply.ID] = out
	}
	for _, sd := range out {
		if best != nil && sd.km >= bestSum {
			break
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
	return best, bestKm1, bestKm2
}

var _ = time.Second
