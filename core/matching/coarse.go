package matching

import (
	"context"
	"math"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
)

// Matches explain a counterpart with figures that depend on its exact point
// and quantity: road_km, the legs, the baseline's distances, tonnes, loads,
// kg CO2e. Given exactly, three of them (from a draft moved three times)
// trilaterate a hidden point and reveal a hidden tonnage (M2). So a match is
// coarsened for its viewer when the viewer may not see the counterpart's
// exact point (market.AccessFor below Member and the point not made public)
// or its quantity (below Member):
//
//   - the counterpart's legs and baseline distances are measured from the
//     centre of its public ~1 km area (market.Coarse), by the engine's own
//     detour factor, and every distance is rounded to whole km;
//   - the matched quantity is its band (market.QuantityBand), and the
//     figures are computed for the band's middle (never more than the
//     viewer's own quantity): nothing finer than the band can be read back;
//   - loads, kg CO2e, kg per tonne, the baseline and the saving are all
//     recomputed from those coarse inputs;
//   - Approximate is set, which the explanation states.
//
// Counterparts the viewer may not see at all are left out.

// bandMiddle is the middle of the quantity band t falls in (the bands of
// market.QuantityBand; above the last, its lower bound).
func bandMiddle(t float64) float64 {
	bands := []float64{0, 500, 1000, 5000, 10000, 50000, 100000, 500000, 1000000}
	for i := 1; i < len(bands); i++ {
		if t < bands[i] {
			return (bands[i-1] + bands[i]) / 2
		}
	}
	return bands[len(bands)-1]
}

// forViewer coarsens ms for the actor in ctx (see above) and leaves out the
// counterparts the actor may not see.
func (s *Service) forViewer(ctx context.Context, own *market.Listing, ms []Match) ([]Match, error) {
	if len(ms) == 0 {
		return ms, nil
	}
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.CounterpartID)
	}
	var ls []market.Listing
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Where("id IN ?", ids).Find(&ls).Error
	}); err != nil {
		return nil, err
	}
	byID := make(map[string]*market.Listing, len(ls))
	for i := range ls {
		byID[ls[i].ID] = &ls[i]
	}
	a := access.From(ctx)
	out := make([]Match, 0, len(ms))
	for _, m := range ms {
		cp := byID[m.CounterpartID]
		if cp == nil {
			continue // gone since the index was built
		}
		skip, hidePoint, hideQty := CoarsenFor(a, cp)
		if skip {
			continue
		}
		m.Title = cp.Title // the index keeps no titles (index.go)
		if hideQty || hidePoint {
			m = s.Engine.Coarsen(m, own.QuantityTonnes, cp, hidePoint, hideQty)
		}
		out = append(out, m)
	}
	return out, nil
}

// CoarsenFor says what of counterpart cp the actor a may not read from a
// match: skip it (not visible at all), its point (below Member, unless the
// owner made it public), its quantity (below Member).
func CoarsenFor(a *access.Actor, cp *market.Listing) (skip, hidePoint, hideQty bool) {
	acc := market.AccessFor(a, cp)
	if acc == market.Hidden {
		return true, false, false
	}
	hideQty = acc < market.Member
	return false, hideQty && !cp.ExactLocationPublic, hideQty
}

// Coarsen returns m with the counterpart cp's point (hidePoint) and
// quantity (hideQty) no longer readable from it; ownTonnes is the viewer's
// own listing's quantity.
func (e *Engine) Coarsen(m Match, ownTonnes float64, cp *market.Listing, hidePoint, hideQty bool) Match {
	t := m.Tonnes
	if hideQty {
		m.TonnesBand = market.QuantityBand(m.Tonnes)
		t = bandMiddle(m.Tonnes)
		if ownTonnes > 0 && ownTonnes < t {
			t = ownTonnes
		}
		m.Tonnes = t
		if ownTonnes > 0 {
			m.QuantityShare = math.Round(t/ownTonnes*100) / 100
		}
	}
	cpP := geo.Point{Lat: cp.Lat, Lon: cp.Lon}
	if hidePoint {
		c := market.Coarse(cp.Lat, cp.Lon)
		cpP = geo.Point{Lat: c.Lat, Lon: c.Lon}
	}
	detour := e.Detour
	if detour <= 0 {
		detour = geo.DefaultDetour
	}
	km := func(exact float64, a, b geo.Point, touches bool) float64 {
		if hidePoint && touches {
			exact = geo.HaversineKm(a, b) * detour
		}
		if hidePoint {
			return math.Round(exact)
		}
		return exact
	}
	m.RoadKm, m.Loads, m.KgCO2e = 0, 0, 0
	legs := make([]Leg, len(m.Legs))
	for i, lg := range m.Legs {
		from, to := lg.FromP, lg.ToP
		if lg.From == cp.ID {
			from = cpP
		}
		if lg.To == cp.ID {
			to = cpP
		}
		d := km(lg.RoadKm, from, to, lg.From == cp.ID || lg.To == cp.ID)
		est, _ := e.Factors.Transport(t, d, e.Vehicle, e.Scope)
		legs[i] = Leg{From: lg.From, To: lg.To, Estimate: est, FromP: from, ToP: to}
		m.RoadKm += d
		m.Loads += est.Loads
		m.KgCO2e += est.KgCO2e
	}
	m.Legs = legs
	if t > 0 {
		m.KgPerTonne = m.KgCO2e / t
	}
	if b := m.Baseline; b != nil {
		nb := *b
		nb.KgCO2e = 0
		if nb.LandfillID != "" {
			sp := nb.supplyP
			if cp.Kind == "surplus" {
				sp = cpP
			}
			nb.supplyP = sp
			nb.LandfillKm = km(nb.LandfillKm, sp, nb.landfillP, cp.Kind == "surplus")
			nb.KgCO2e += e.kgPerTonne(t, nb.LandfillKm) * t
		}
		if nb.QuarryID != "" {
			dp := nb.demandP
			if cp.Kind == "need" {
				dp = cpP
			}
			nb.demandP = dp
			nb.QuarryKm = km(nb.QuarryKm, dp, nb.quarryP, cp.Kind == "need")
			nb.KgCO2e += e.kgPerTonne(t, nb.QuarryKm) * t
		}
		m.Baseline = &nb
		m.SavingKg = nb.KgCO2e - m.KgCO2e
	}
	m.Approximate = true
	return m
}
