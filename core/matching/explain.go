package matching

import "github.com/masseflyt/masseflyt/core/geo"

func (e *Engine) explain(ix *Index, target Item, c cand) Match {
	it := c.item
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
