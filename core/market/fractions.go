// Package market is the mass market: the fraction catalogue, quantities and
// densities, quality data (lab results classified by TA-2553), and listings.
package market

import catalogue "github.com/masseflyt/masseflyt/core/fraction"

// The fraction catalogue lives in core/fraction; these names are the market's
// view of it (one source, no second list).
type Fraction = catalogue.Fraction

// Intended uses of masses a need can state.
var Uses = catalogue.Uses

// Fractions is the catalogue (core/fraction.All).
var Fractions = catalogue.All

// FractionByCode returns a fraction of the catalogue.
func FractionByCode(code string) (*Fraction, bool) { return catalogue.ByCode(code) }

// Quantity units.
const (
	Tonnes    = catalogue.Tonnes
	M3InPlace = catalogue.M3InPlace
	M3Loose   = catalogue.M3Loose
)

// Units lists the accepted quantity units.
var Units = catalogue.Units

// ErrUnitNotApplicable is returned for a volume state the fraction lacks.
var ErrUnitNotApplicable = catalogue.ErrUnitNotApplicable
