// Package fraction is the one catalogue of mass fractions: codes, EU waste
// list codes, densities, cleanliness and fitness for intended uses, with the
// conversions between tonnes and volumes. It is a leaf package: the
// directory (permits) and the market (listings, plans) both read it.
package fraction

import (
	"fmt"
	"math"
)

// Fraction is a kind of mass.
type Fraction struct {
	Code string `json:"code"`
	// EAL is the EU waste list code (⚠ where the source hedges).
	EAL string `json:"eal"`
	// Densities in tonnes per m³: in place (pfm³) and loose on the truck (lm³).
	// Zero means not applicable (a produced aggregate has no in-place state).
	DensityInPlace float64 `json:"density_in_place"`
	DensityLoose   float64 `json:"density_loose"`
	// Uncertain marks ⚠ defaults: shown as editable estimates, never as fact.
	Uncertain bool `json:"density_uncertain"`
	// Clean is the legal "rene masser"; demolition materials never are.
	Clean bool `json:"clean"`
	// AcidForming (alum shale) is refused by many receivers.
	AcidForming bool `json:"acid_forming,omitempty"`
	// Uses lists the intended uses the fraction is fit for (V2).
	Uses []string `json:"uses"`
}

// Intended uses of masses a need can state.
var Uses = []string{"fill", "road_base", "sub_base", "drainage", "landscaping", "noise_barrier", "topsoil", "concrete_aggregate", "asphalt_aggregate", "capping"}

// All is the catalogue (REFERENCE.md; ⚠ where the reference gives a
// range or no figure). Clay uses the wet figures: excavated clay is wet.
var All = []Fraction{
	{Code: "sprengstein", EAL: "17 05 04", DensityInPlace: 2.7, DensityLoose: 1.75, Uncertain: true, Clean: true, Uses: []string{"fill", "road_base", "sub_base", "drainage", "noise_barrier", "concrete_aggregate", "asphalt_aggregate"}},
	{Code: "pukk", EAL: "17 05 04", DensityLoose: 1.6, Uncertain: true, Clean: true, Uses: []string{"fill", "road_base", "sub_base", "drainage", "concrete_aggregate", "asphalt_aggregate"}},
	{Code: "grus", EAL: "17 05 04", DensityInPlace: 2.17, DensityLoose: 1.93, Clean: true, Uses: []string{"fill", "sub_base", "drainage", "landscaping", "concrete_aggregate"}},
	{Code: "sand", EAL: "17 05 04", DensityInPlace: 1.60, DensityLoose: 1.42, Clean: true, Uses: []string{"fill", "sub_base", "drainage", "landscaping", "concrete_aggregate"}},
	{Code: "leire", EAL: "17 05 04", DensityInPlace: 2.08, DensityLoose: 1.66, Clean: true, Uses: []string{"fill", "noise_barrier", "capping", "landscaping"}},
	{Code: "silt", EAL: "17 05 04", DensityInPlace: 1.9, DensityLoose: 1.5, Uncertain: true, Clean: true, Uses: []string{"fill", "noise_barrier", "landscaping"}},
	{Code: "morene", EAL: "17 05 04", DensityInPlace: 2.1, DensityLoose: 1.7, Uncertain: true, Clean: true, Uses: []string{"fill", "noise_barrier", "landscaping", "capping", "sub_base"}},
	{Code: "matjord", EAL: "17 05 04", DensityInPlace: 1.37, DensityLoose: 0.95, Clean: true, Uses: []string{"topsoil", "landscaping"}},
	{Code: "myr", EAL: "17 05 04", DensityInPlace: 1.1, DensityLoose: 1.12, Uncertain: true, Clean: true, Uses: []string{"landscaping"}},
	{Code: "fyllitt", EAL: "17 05 04", DensityInPlace: 2.7, DensityLoose: 1.75, Uncertain: true, Clean: true, Uses: []string{"fill", "noise_barrier"}},
	{Code: "alunskifer", EAL: "17 05 03*", DensityInPlace: 2.6, DensityLoose: 1.7, Uncertain: true, Clean: false, AcidForming: true, Uses: []string{}},
	{Code: "asfalt", EAL: "17 03 02", DensityInPlace: 2.3, DensityLoose: 1.4, Uncertain: true, Clean: false, Uses: []string{"road_base", "sub_base", "asphalt_aggregate"}},
	{Code: "betong", EAL: "17 01 01", DensityInPlace: 2.4, DensityLoose: 1.5, Uncertain: true, Clean: false, Uses: []string{"fill", "road_base", "sub_base", "concrete_aggregate"}},
}

var byCode = func() map[string]*Fraction {
	m := map[string]*Fraction{}
	for i := range All {
		m[All[i].Code] = &All[i]
	}
	return m
}()

// ByCode returns a fraction of the catalogue.
func ByCode(code string) (*Fraction, bool) {
	f, ok := byCode[code]
	return f, ok
}

// Codes lists the catalogue's codes in catalogue order.
func Codes() []string {
	out := make([]string, 0, len(All))
	for _, f := range All {
		out = append(out, f.Code)
	}
	return out
}

// FitFor reports whether the fraction is fit for an intended use.
func (f *Fraction) FitFor(use string) bool {
	for _, u := range f.Uses {
		if u == use {
			return true
		}
	}
	return false
}

// Quantity units.
const (
	Tonnes    = "t"
	M3InPlace = "m3_in_place" // pfm³
	M3Loose   = "m3_loose"    // lm³
)

// Units lists the accepted quantity units.
var Units = []string{Tonnes, M3InPlace, M3Loose}

// ErrUnitNotApplicable is returned for a volume state the fraction lacks.
var ErrUnitNotApplicable = fmt.Errorf("market: the fraction has no density for that volume state")

// ToTonnes converts a quantity to tonnes through the fraction's density.
func (f *Fraction) ToTonnes(value float64, unit string) (float64, error) {
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return 0, fmt.Errorf("market: invalid quantity")
	}
	switch unit {
	case Tonnes:
		return value, nil
	case M3InPlace:
		if f.DensityInPlace == 0 {
			return 0, ErrUnitNotApplicable
		}
		return value * f.DensityInPlace, nil
	case M3Loose:
		if f.DensityLoose == 0 {
			return 0, ErrUnitNotApplicable
		}
		return value * f.DensityLoose, nil
	}
	return 0, fmt.Errorf("market: unknown unit %q", unit)
}

// FromTonnes converts tonnes to a unit (for display in the unit a user chose).
func (f *Fraction) FromTonnes(tonnes float64, unit string) (float64, error) {
	one, err := f.ToTonnes(1, unit)
	if err != nil {
		return 0, err
	}
	return tonnes / one, nil
}
