package market

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/store"
)

// ListingInput is the body of listing create and update.
type ListingInput struct {
	Kind                *string   `json:"kind"`
	Title               *string   `json:"title"`
	Description         *string   `json:"description"`
	OrganizationID      *string   `json:"organization_id"`
	SiteID              *string   `json:"site_id"`
	Fractions           *[]string `json:"fractions"`
	Quantity            *float64  `json:"quantity"`
	Unit                *string   `json:"unit"`
	AvailableFrom       *string   `json:"available_from"`
	AvailableTo         *string   `json:"available_to"`
	Lat                 *float64  `json:"lat"`
	Lon                 *float64  `json:"lon"`
	ContaminationClass  *int      `json:"contamination_class"`
	IntendedUse         *string   `json:"intended_use"`
	RockType            *string   `json:"rock_type"`
	GrainMinMM          *float64  `json:"grain_min_mm"`
	GrainMaxMM          *float64  `json:"grain_max_mm"`
	LAValue             *float64  `json:"la_value"`
	MicroDeval          *float64  `json:"micro_deval"`
	PriceNOKPerTonne    *float64  `json:"price_nok_per_tonne"`
	PricePublic         *bool     `json:"price_public"`
	ExactLocationPublic *bool     `json:"exact_location_public"`
	Transport           *string   `json:"transport"`
	Visibility          *string   `json:"visibility"`
	Publish             bool      `json:"publish"`
}

func parseDay(v *fail.Validation, field, s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006-01"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 2000 && t.Year() <= 2100 {
			return t, true
		}
	}
	v.Add(field, "date", "ErrFieldInvalid")
	return time.Time{}, false
}

// apply validates input onto l (for create, l starts empty).
func apply(l *Listing, in *ListingInput, v *fail.Validation) {
	str := func(field string, dst *string, src *string, max int, required bool) {
		if src == nil {
			if required && *dst == "" {
				v.Add(field, "required", "ErrFieldRequired")
			}
			return
		}
		t := strings.TrimSpace(*src)
		switch {
		case required && t == "":
			v.Add(field, "required", "ErrFieldRequired")
		case len([]rune(t)) > max:
			v.Add(field, "too_long", "ErrFieldTooLong", "Max", max)
		default:
			*dst = t
		}
	}
	if in.Kind != nil {
		l.Kind = *in.Kind
	}
	if !inSet(l.Kind, Kinds) {
		enumErr(v, "kind", Kinds)
	}
	str("title", &l.Title, in.Title, 200, true)
	str("description", &l.Description, in.Description, 4000, false)
	if in.Fractions != nil {
		l.Fractions = directory.List{}
		seen := map[string]bool{}
		for _, f := range *in.Fractions {
			if _, ok := FractionByCode(f); !ok {
				v.Add("fractions", "unknown_fraction", "ErrUnknownFraction", "Fraction", f)
				continue
			}
			if !seen[f] {
				seen[f] = true
				l.Fractions = append(l.Fractions, f)
			}
		}
	}
	if len(l.Fractions) == 0 {
		v.Add("fractions", "required", "ErrFieldRequired")
	} else if l.Kind == "surplus" && len(l.Fractions) > 1 {
		v.Add("fractions", "one_fraction", "ErrSurplusOneFraction")
	}
	applyQuantity(l, in, v)
	if in.AvailableFrom != nil {
		if t, ok := parseDay(v, "available_from", *in.AvailableFrom); ok {
			l.AvailableFrom = t
		}
	}
	if in.AvailableTo != nil {
		if t, ok := parseDay(v, "available_to", *in.AvailableTo); ok {
			l.AvailableTo = t
		}
	}
	if l.AvailableFrom.IsZero() {
		v.Add("available_from", "required", "ErrFieldRequired")
	}
	if l.AvailableTo.IsZero() {
		v.Add("available_to", "required", "ErrFieldRequired")
	}
	if !l.AvailableFrom.IsZero() && !l.AvailableTo.IsZero() && l.AvailableTo.Before(l.AvailableFrom) {
		v.Add("available_to", "date_order", "ErrDateOrder")
	}
	if in.ContaminationClass != nil {
		if *in.ContaminationClass < 0 || *in.ContaminationClass > HazardousClass {
			v.Add("contamination_class", "range", "ErrFieldRange", "Min", 0, "Max", HazardousClass)
		}
		l.ContaminationClass = *in.ContaminationClass
	}
	if in.IntendedUse != nil {
		l.IntendedUse = *in.IntendedUse
	}
	if l.IntendedUse != "" && !inSet(l.IntendedUse, Uses) {
		enumErr(v, "intended_use", Uses)
	}
	if l.Kind == "need" && l.IntendedUse == "" {
		v.Add("intended_use", "required", "ErrFieldRequired")
	}
	applyQuality(l, in, v)
	if in.PricePublic != nil {
		l.PricePublic = *in.PricePublic
	}
	if in.ExactLocationPublic != nil {
		l.ExactLocationPublic = *in.ExactLocationPublic
	}
	if in.Transport != nil {
		l.Transport = *in.Transport
	}
	if !inSet(l.Transport, Transports) {
		enumErr(v, "transport", Transports)
	}
	if in.Visibility != nil {
		l.Visibility = *in.Visibility
	}
	if l.Visibility == "" {
		l.Visibility = "public"
	}
	if !inSet(l.Visibility, Visibilities) {
		enumErr(v, "visibility", Visibilities)
	}
	// Location: the listing's own point, else its site's.
	if (in.Lat == nil) != (in.Lon == nil) {
		v.Add("lon", "required", "ErrFieldRequired")
	} else if in.Lat != nil {
		if !geo.InNorway(geo.Point{Lat: *in.Lat, Lon: *in.Lon}) {
			v.Add("lat", "outside_norway", "ErrOutsideNorway")
		}
		l.Lat, l.Lon = *in.Lat, *in.Lon
	}
}

// applyQuantity converts the quantity to tonnes through the first fraction.
func applyQuantity(l *Listing, in *ListingInput, v *fail.Validation) {
	if in.Quantity != nil || in.Unit != nil {
		q, unit := l.QuantityValue, l.QuantityUnit
		if in.Quantity != nil {
			q = *in.Quantity
		}
		if in.Unit != nil {
			unit = *in.Unit
		}
		switch {
		case !inSet(unit, Units):
			enumErr(v, "unit", Units)
		case math.IsNaN(q) || math.IsInf(q, 0) || q <= 0:
			v.Add("quantity", "positive", "ErrQuantityPositive")
		case len(l.Fractions) > 0:
			f, _ := FractionByCode(l.Fractions[0])
			t, err := f.ToTonnes(q, unit)
			switch {
			case errors.Is(err, ErrUnitNotApplicable):
				v.Add("unit", "not_applicable", "ErrUnitNotApplicable", "Fraction", f.Code)
			case err != nil:
				v.Add("unit", "invalid", "ErrFieldInvalid")
			case t > maxListingTon || t < minListingTon:
				v.Add("quantity", "range", "ErrFieldRange", "Min", strconv.Itoa(int(minListingTon))+" t", "Max", strconv.Itoa(int(maxListingTon))+" t")
			default:
				l.QuantityValue, l.QuantityUnit, l.QuantityTonnes = q, unit, t
			}
		}
	}
	if l.QuantityTonnes <= 0 && v.OK() {
		v.Add("quantity", "required", "ErrFieldRequired")
	}
}

// applyQuality reads the rock properties and the price.
func applyQuality(l *Listing, in *ListingInput, v *fail.Validation) {
	if in.RockType != nil {
		l.RockType = *in.RockType
		if l.RockType != "" && !inSet(l.RockType, RockTypes) {
			enumErr(v, "rock_type", RockTypes)
		}
	}
	num := func(field string, dst **float64, src *float64, lo, hi float64) {
		if src == nil {
			return
		}
		if *src < lo || *src > hi || math.IsNaN(*src) {
			v.Add(field, "range", "ErrFieldRange", "Min", lo, "Max", hi)
			return
		}
		x := *src
		*dst = &x
	}
	num("grain_min_mm", &l.GrainMinMM, in.GrainMinMM, 0, 2000)
	num("grain_max_mm", &l.GrainMaxMM, in.GrainMaxMM, 0, 2000)
	num("la_value", &l.LAValue, in.LAValue, 0, 100)
	num("micro_deval", &l.MicroDeval, in.MicroDeval, 0, 100)
	num("price_nok_per_tonne", &l.PriceNOKPerTonne, in.PriceNOKPerTonne, -10000, 10000)
	if l.GrainMinMM != nil && l.GrainMaxMM != nil && *l.GrainMaxMM < *l.GrainMinMM {
		v.Add("grain_max_mm", "order", "ErrFieldInvalid")
	}
}

// resolveOwner checks the owning organization (one the actor may edit for)
// and the site, whose point the listing takes unless it has its own.
func (s *Service) resolveOwner(ctx context.Context, l *Listing, in *ListingInput, v *fail.Validation) error {
	if in.OrganizationID != nil {
		l.OrganizationID = *in.OrganizationID
	}
	if l.OrganizationID == "" {
		v.Add("organization_id", "required", "ErrFieldRequired")
		return nil
	}
	if !store.ValidID(l.OrganizationID) {
		v.Add("organization_id", "invalid", "ErrFieldInvalid")
		return nil
	}
	if _, err := s.Directory.GetOrg(ctx, l.OrganizationID); err != nil {
		v.Add("organization_id", "invalid", "ErrFieldInvalid")
		return nil
	}
	if !access.From(ctx).CanEditOrg(l.OrganizationID) {
		return access.NotOwnOrganization()
	}
	if in.SiteID != nil {
		if *in.SiteID == "" {
			l.SiteID = nil
		} else {
			st, err := s.Directory.GetSite(ctx, *in.SiteID)
			if err != nil || st.OrganizationID != l.OrganizationID {
				v.Add("site_id", "invalid", "ErrFieldInvalid")
				return nil
			}
			id := st.ID
			l.SiteID = &id
			if in.Lat == nil {
				l.Lat, l.Lon = st.Lat, st.Lon
			}
		}
	}
	return nil
}

func requirePoint(l *Listing, v *fail.Validation) {
	if l.Lat == 0 && l.Lon == 0 && v.OK() {
		v.Add("lat", "required", "ErrCoordinatesMissing")
	}
}

// Sorts are the orders the listing search offers.
var Sorts = []string{"date", "quantity", "distance"}

// ParseFilter reads and checks a listing search as sent (query parameters
// by name; a missing one is ""). Every invalid parameter is named.
func ParseFilter(get func(name string) string) (Filter, error) {
	v := &fail.Validation{}
	f := Filter{Kind: get("kind"), Fraction: get("fraction"), OrganizationID: get("organization_id"), Sort: get("sort")}
	if f.Kind != "" && !inSet(f.Kind, Kinds) {
		enumErr(v, "kind", Kinds)
	}
	if _, ok := FractionByCode(f.Fraction); f.Fraction != "" && !ok {
		v.Add("fraction", "unknown_fraction", "ErrUnknownFraction", "Fraction", f.Fraction)
	}
	if f.Sort != "" && !inSet(f.Sort, Sorts) {
		enumErr(v, "sort", Sorts)
	}
	numQ := func(name string) float64 {
		s := get(name)
		if s == "" {
			return 0
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x < 0 || math.IsNaN(x) {
			v.Add(name, "invalid", "ErrFieldInvalid")
		}
		return x
	}
	f.MinTonnes, f.MaxTonnes, f.RadiusKm = numQ("min_tonnes"), numQ("max_tonnes"), numQ("radius_km")
	f.MaxClass = int(numQ("max_class"))
	if s := get("from"); s != "" {
		f.From, _ = parseDay(v, "from", s)
	}
	if s := get("to"); s != "" {
		f.To, _ = parseDay(v, "to", s)
	}
	if get("lat") != "" || get("lon") != "" {
		p := geo.Point{Lat: numQ("lat"), Lon: numQ("lon")}
		if !geo.InNorway(p) {
			v.Add("lat", "outside_norway", "ErrOutsideNorway")
		}
		f.Near = &p
	}
	if f.Sort == "distance" && f.Near == nil {
		v.Add("lat", "required", "ErrFieldRequired")
	}
	return f, v.Err()
}

// CheckMapFilter checks the kind and fraction filters of a map.
func CheckMapFilter(kind, fraction string) error {
	v := &fail.Validation{}
	if kind != "" && !inSet(kind, Kinds) {
		enumErr(v, "kind", Kinds)
	}
	if _, ok := FractionByCode(fraction); fraction != "" && !ok {
		v.Add("fraction", "unknown_fraction", "ErrUnknownFraction", "Fraction", fraction)
	}
	return v.Err()
}
