package web

import (
	"testing"

	"github.com/masseflyt/masseflyt/core/matching"
)

// TestMatchesLeft: once an agreement took part of a listing, its match rows
// show no more than is left, with loads, emissions and saving in
// proportion; rows within what is left, and listings with nothing agreed,
// are as matching ranked them.
func TestMatchesLeft(t *testing.T) {
	row := func(tonnes float64, band string) matching.Match {
		return matching.Match{Tonnes: tonnes, TonnesBand: band, Loads: 100, KgCO2e: 10000, KgPerTonne: 10000 / tonnes, SavingKg: 4000, QuantityShare: 1, Baseline: &matching.Baseline{KgCO2e: 14000}}
	}
	for _, c := range []struct {
		name                  string
		in                    matching.Match
		agreed, left          float64
		tonnes, kg, saving    float64
		loads                 int
		band                  string
		baseline, perTonneOld float64
	}{
		{"nothing agreed", row(945000, ""), 0, 945000, 945000, 10000, 4000, 100, "", 14000, 10000.0 / 945000},
		{"above what is left", row(945000, ""), 20000, 925000, 925000, 10000 * 925000.0 / 945000, 4000 * 925000.0 / 945000, 98, "", 14000 * 925000.0 / 945000, 10000.0 / 945000},
		{"within what is left", row(500000, ""), 20000, 925000, 500000, 10000, 4000, 100, "", 14000, 10000.0 / 500000},
		{"a band above what is left", row(800000, "500 000–1 000 000 t"), 700000, 200000, 200000, 2500, 1000, 25, "", 3500, 10000.0 / 800000},
		{"fully agreed", row(945000, ""), 945000, 0, 945000, 10000, 4000, 100, "", 14000, 10000.0 / 945000},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			got := matchesLeft([]matching.Match{in}, c.agreed, c.left)[0]
			near := func(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }
			if !near(got.Tonnes, c.tonnes) || !near(got.KgCO2e, c.kg) || !near(got.SavingKg, c.saving) || got.Loads != c.loads || got.TonnesBand != c.band || !near(got.Baseline.KgCO2e, c.baseline) || !near(got.KgPerTonne, c.perTonneOld) {
				t.Errorf("got %+v (baseline %v)", got, got.Baseline.KgCO2e)
			}
			if in.Baseline.KgCO2e != 14000 {
				t.Errorf("the ranked match was changed in place: baseline %v", in.Baseline.KgCO2e)
			}
		})
	}
}
