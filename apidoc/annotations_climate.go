package apidoc

import "github.com/masseflyt/masseflyt/core/climate"

// climateNotes describe the climate accounts (issue 14: V8, V9, B3).
func climateNotes() map[string]note {
	return map[string]note{
		"climate.RecomputeInput.factor_set":    req(d("A registered factor set newer than every set the recorded account used (the method page lists them)")),
		"climate.Account.scope":                enum("The account's kind", climate.Scopes),
		"climate.Account.id":                   d("The agreement, project site or organization ID, the kommunenummer, or \"all\" for the region"),
		"climate.Account.from":                 d("First month of the period, YYYY-MM (Oslo)"),
		"climate.Account.to":                   d("Last month of the period, YYYY-MM (Oslo)"),
		"climate.Account.variant":              d("\"recorded\" (each load's own figures under the set it was computed with) or the factor set the account was recomputed with"),
		"climate.Account.factor_sets":          d("The factor sets the figures were computed with"),
		"climate.Account.zero_emission_share":  d("Zero-emission tonnes / tonnes (0–1)"),
		"climate.Account.newer_sets":           d("Registered factor sets the account may be recomputed with"),
		"climate.Figures.loads":                d("Delivered loads (received or partly accepted; returns and rejected loads not counted, though a rejected load's trip is in kg_co2e and tonne_km)"),
		"climate.Figures.tonnes":               d("Accepted tonnes"),
		"climate.Figures.tonnes_reused":        d("Accepted tonnes delivered to a project site, recycling plant, environmental park, quarry or port"),
		"climate.Figures.tonne_km":             d("Weighed tonnes × loaded road km (a rejected load: both ways)"),
		"climate.Figures.kg_co2e":              d("kg CO2e well to wheel, the empty return included (ISO 14083 / GLEC), from the actual vehicle and fuel as it departed; rejected loads' trips included"),
		"climate.Figures.baseline_kg_co2e":     d("kg CO2e of the baseline: the tonnes to the nearest landfill that may take them plus the same tonnes from the nearest quarry, by a diesel tipper"),
		"climate.Figures.saving_kg_co2e":       d("Baseline minus emitted"),
		"climate.Figures.zero_emission_tonnes": d("Accepted tonnes carried by battery-electric or hydrogen trucks"),
		"climate.Row.month":                    d("YYYY-MM (Oslo)"),
		"climate.Row.municipality_no":          d("The pickup site's kommunenummer (Kartverket)"),
		"climate.Row.label":                    d("The municipality's name"),
		"climate.Recompute.recomputed_at":      d("When the account was last recomputed with this set"),
		"climate.Recompute.loads":              d("Loads the recompute covered; later loads are added as they arrive"),
	}
}
