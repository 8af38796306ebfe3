package transport

import (
	"math"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
)

// SpecInput is the period, rhythm, vehicle requirements and price of a
// request or an order, as sent.
type SpecInput struct {
	DateFrom     string   `json:"date_from" doc:"First day (YYYY-MM-DD), within the agreement's period"`
	DateTo       string   `json:"date_to" doc:"Last day (YYYY-MM-DD), within the agreement's period"`
	TimeWindows  string   `json:"time_windows,omitempty" doc:"Daily time windows, e.g. \"07:00-11:00, 12:00-15:30\""`
	LoadsPerDay  int      `json:"loads_per_day,omitempty" doc:"Loads per day (0–500); give this or tonnes_per_day"`
	TonnesPerDay float64  `json:"tonnes_per_day,omitempty" doc:"Tonnes per day (0–20 000); give this or loads_per_day"`
	MinEuroClass string   `json:"min_euro_class,omitempty" doc:"The lowest Euro class allowed: euro3, euro4, euro5, euro6 or zero_emission (empty: any)"`
	Fuels        []string `json:"fuels,omitempty" doc:"The fuels allowed: diesel, hvo, electric, biogas, hydrogen (empty: any)"`
	MaxAxles     int      `json:"max_axles,omitempty" doc:"The most axles a vehicle may have (0: any; else 2–9)"`
	PriceNOK     *float64 `json:"price_nok,omitempty" doc:"The parties' own price in NOK (optional; Masseflyt sets no rates)"`
	PriceUnit    string   `json:"price_unit,omitempty" doc:"What the price is per: load, t, day or total"`
}

var windowRe = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$`)

// finite reports whether f is a number.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// cleanText trims a text and checks it: no control characters but line
// breaks, at most max characters.
func cleanText(v *fail.Validation, field, s string, max int, required bool) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		v.Add(field, "invalid", "ErrFieldInvalid")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "too_long", "ErrFieldTooLong", "Max", max)
	case s == "" && required:
		v.Add(field, "required", "ErrFieldRequired")
	}
	return s
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

// dates checks a period: both dates, from not after to, at most
// MaxPeriodDays, and within [lo, hi] when those are set.
func dates(v *fail.Validation, fromS, toS string, lo, hi time.Time) (time.Time, time.Time) {
	from, ok1 := parseDate(fromS)
	to, ok2 := parseDate(toS)
	if !ok1 {
		v.Add("date_from", "invalid", "ErrTransportDate")
	}
	if !ok2 {
		v.Add("date_to", "invalid", "ErrTransportDate")
	}
	if !ok1 || !ok2 {
		return from, to
	}
	switch {
	case to.Before(from):
		v.Add("date_to", "order", "ErrDateOrder")
	case to.Sub(from) > MaxPeriodDays*24*time.Hour:
		v.Add("date_to", "too_long", "ErrTransportPeriodTooLong", "Max", MaxPeriodDays)
	}
	out := func(field string, d time.Time) {
		if (!lo.IsZero() && d.Before(lo)) || (!hi.IsZero() && d.After(hi)) {
			v.Add(field, "outside_agreement", "ErrTransportOutsideAgreement", "From", lo.Format(time.DateOnly), "To", hi.Format(time.DateOnly))
		}
	}
	out("date_from", from)
	out("date_to", to)
	return from, to
}

// spec checks a SpecInput against the agreement's period [lo, hi].
func spec(v *fail.Validation, in SpecInput, lo, hi time.Time) Spec {
	var s Spec
	s.DateFrom, s.DateTo = dates(v, in.DateFrom, in.DateTo, lo, hi)
	s.TimeWindows = cleanText(v, "time_windows", in.TimeWindows, 200, false)
	if s.TimeWindows != "" {
		var ws []string
		for _, w := range strings.Split(s.TimeWindows, ",") {
			w = strings.ReplaceAll(strings.TrimSpace(w), "–", "-")
			w = strings.ReplaceAll(w, " ", "")
			if !windowRe.MatchString(w) || w[6:] <= w[:5] {
				v.Add("time_windows", "invalid", "ErrTransportTimeWindows")
				break
			}
			ws = append(ws, w)
		}
		s.TimeWindows = strings.Join(ws, ", ")
	}
	s.LoadsPerDay, s.TonnesPerDay = in.LoadsPerDay, in.TonnesPerDay
	switch {
	case in.LoadsPerDay < 0 || in.LoadsPerDay > MaxLoadsPerDay:
		v.Add("loads_per_day", "range", "ErrFieldRange", "Min", 0, "Max", MaxLoadsPerDay)
	case !finite(in.TonnesPerDay) || in.TonnesPerDay < 0 || in.TonnesPerDay > MaxTonnesPerDay:
		v.Add("tonnes_per_day", "range", "ErrFieldRange", "Min", 0, "Max", MaxTonnesPerDay)
	case in.LoadsPerDay == 0 && in.TonnesPerDay == 0:
		v.Add("loads_per_day", "required", "ErrTransportRhythm")
	}
	if s.MinEuroClass = in.MinEuroClass; s.MinEuroClass != "" && !oneOf(s.MinEuroClass, directory.EuroClasses) {
		v.Add("min_euro_class", "enum", "ErrFieldEnum", "Allowed", strings.Join(directory.EuroClasses, ", "))
	}
	seen := map[string]bool{}
	s.Fuels = directory.List{}
	for _, f := range in.Fuels {
		f = strings.TrimSpace(f)
		if f == "" || seen[f] {
			continue
		}
		if !oneOf(f, directory.Fuels) {
			v.Add("fuels", "enum", "ErrFieldEnum", "Allowed", strings.Join(directory.Fuels, ", "))
			break
		}
		seen[f] = true
		s.Fuels = append(s.Fuels, f)
	}
	if s.MaxAxles = in.MaxAxles; s.MaxAxles != 0 && (s.MaxAxles < 2 || s.MaxAxles > 9) {
		v.Add("max_axles", "range", "ErrFieldRange", "Min", 2, "Max", 9)
	}
	if in.PriceNOK != nil {
		p := *in.PriceNOK
		if !finite(p) || p < 0 || p > MaxPriceNOK {
			v.Add("price_nok", "range", "ErrFieldRange", "Min", 0, "Max", MaxPriceNOK)
		}
		s.PriceNOK = &p
		if s.PriceUnit = in.PriceUnit; !oneOf(s.PriceUnit, PriceUnits) {
			v.Add("price_unit", "enum", "ErrFieldEnum", "Allowed", strings.Join(PriceUnits, ", "))
		}
	}
	return s
}

// fits reports whether an approved vehicle meets the requirements.
func (s *Spec) fits(v Truck) bool {
	if s.MinEuroClass != "" && euroRank(v.EuroClass) < euroRank(s.MinEuroClass) {
		return false
	}
	if len(s.Fuels) > 0 && !s.Fuels.Has(v.Fuel) {
		return false
	}
	if s.MaxAxles > 0 && v.Axles > s.MaxAxles {
		return false
	}
	return true
}
