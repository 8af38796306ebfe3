package matching

import (
	"math"
	"sort"

	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
)

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
