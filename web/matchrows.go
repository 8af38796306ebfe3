package web

import (
	"math"

	"github.com/masseflyt/masseflyt/core/matching"
)

// matchesLeft caps the listing page's match rows at what is left of the
// listing once agreements took their part: a row offers no more than can
// still be agreed. Matching ranks on the listing's whole quantity; a row
// above what is left shows what is left (the owner's own figure, so never a
// band), with its loads, emissions and saving in proportion. The per-tonne
// figures, and so the ranking, do not change.
func matchesLeft(ms []matching.Match, agreed, left float64) []matching.Match {
	if agreed <= 0 || left <= 0 {
		return ms
	}
	out := make([]matching.Match, len(ms))
	for i, m := range ms {
		if m.Tonnes > left {
			f := left / m.Tonnes
			m.Tonnes, m.TonnesBand = left, ""
			m.QuantityShare = math.Round(m.QuantityShare*f*100) / 100
			m.Loads = int(math.Ceil(float64(m.Loads) * f))
			m.KgCO2e *= f
			m.SavingKg *= f
			if m.Baseline != nil {
				b := *m.Baseline
				b.KgCO2e *= f
				m.Baseline = &b
			}
		}
		out[i] = m
	}
	return out
}
