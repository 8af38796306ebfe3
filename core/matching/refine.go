package matching

import (
	"context"
	"sort"
	"sync"

	"github.com/masseflyt/masseflyt/core/geo"
)

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
