package matching

import (
	"math"
	"sort"
	"time"

	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
)

type storageDist struct {
	f  *Facility
	km float64
}

// storage picks the storage facility that makes the surplus→storage→need
// chain cheapest, if the gap fits within three years and the facility's
// permit covers the period and the masses. Storage sites are visited by
// road distance from the target (sorted once per query); the search stops
// when a site's leg from the target alone, or the two legs it at least
// needs (triangle inequality: the other leg is at least its distance from
// the target less the direct distance), exceed the cheapest chain found or
// limit (the km a chain may have and still rank).
func (q *query) storage(fr *market.Fraction, supply, demand *party, direct, limit float64) (*Facility, float64, float64, int) {
	gap := time.Duration(demand.from-supply.to) * time.Second
	if gap <= 0 || gap > MaxStorage {
		return nil, 0, 0, 0
	}
	limit = limit*(1+1e-9) + 1e-9
	fromSupply := q.target.kind == kindSurplus
	var best *Facility
	var bestKm1, bestKm2, bestSum float64
	for _, sd := range q.storageList() {
		if best != nil && sd.km >= bestSum {
			break // the other leg is ≥ 0: no farther storage can do better
		}
		if sd.km > limit || 2*sd.km-direct > limit {
			break
		}
		f := sd.f
		max, ok := f.StorageAccepts[fr.Code]
		if !ok || !classOK(supply.class, max) {
			continue
		}
		if (!f.From.IsZero() && f.From.Unix() > supply.to) || (!f.To.IsZero() && f.To.Unix() < demand.from) {
			continue
		}
		var km1, km2 float64
		if fromSupply {
			km1, km2 = sd.km, geo.HaversineKm(f.P, demand.p)*q.e.Detour
		} else {
			km1, km2 = geo.HaversineKm(supply.p, f.P)*q.e.Detour, sd.km
		}
		if best == nil || km1+km2 < bestSum {
			best, bestKm1, bestKm2, bestSum = f, km1, km2, km1+km2
		}
	}
	return best, bestKm1, bestKm2, int(gap.Hours() / 24)
}

// storageList lists the storage sites by road distance from the target,
// once per query; the index itself is never written by a query.
func (q *query) storageList() []storageDist {
	if q.memoOK {
		return q.memo
	}
	st := q.ix.storage
	out := make([]storageDist, len(st))
	for i := range st {
		out[i] = storageDist{&st[i], geo.HaversineKm(q.target.p, st[i].P) * q.e.Detour}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].km < out[b].km })
	q.memo, q.memoOK = out, true
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
