package market

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
)

// decodeStrict decodes as the API's decoder does (httpx.DecodeJSON):
// unknown fields and trailing data are refused.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data")
	}
	return nil
}

// FuzzListingInput: whatever JSON arrives, decoding and validating a
// listing never panics, and what validation lets through is sane: a finite
// quantity within the limits, a point in Norway, known kinds, fractions
// and visibilities, dates in order, and a public view that encodes.
// Seeds: testdata/fuzz/FuzzListingInput.
func FuzzListingInput(f *testing.F) {
	f.Add([]byte(`{"kind":"surplus","title":"Sprengstein","fractions":["sprengstein"],"quantity":250001,"unit":"t","available_from":"2027-01","available_to":"2027-12","lat":59.91,"lon":10.6,"transport":"seller_delivers"}`))
	f.Add([]byte(`{"kind":"need","title":"Fylling","fractions":["sprengstein","morene"],"quantity":1e308,"unit":"m3","available_from":"2027-01-01","available_to":"2027-02-01","lat":59.9,"lon":10.7,"transport":"buyer_collects","intended_use":"fill"}`))
	f.Add([]byte(`{"kind":"surplus","title":"x","fractions":["sprengstein"],"quantity":4.9e-324,"unit":"t","available_from":"2027-01","available_to":"2026-01","lat":null,"lon":10,"transport":"x","visibility":"members"}`))
	f.Add([]byte(`{"quantity":"NaN"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var in ListingInput
		if decodeStrict(b, &in) != nil {
			return
		}
		l := &Listing{}
		v := &fail.Validation{}
		apply(l, &in, v)
		requirePoint(l, v)
		if !v.OK() {
			if err := v.Err(); err == nil {
				t.Fatal("fields without an error")
			}
			return
		}
		if math.IsNaN(l.QuantityTonnes) || math.IsInf(l.QuantityTonnes, 0) || l.QuantityTonnes < minListingTon || l.QuantityTonnes > maxListingTon {
			t.Fatalf("quantity %v let through", l.QuantityTonnes)
		}
		if !geo.InNorway(geo.Point{Lat: l.Lat, Lon: l.Lon}) {
			t.Fatalf("point %v,%v let through", l.Lat, l.Lon)
		}
		if !inSet(l.Kind, Kinds) || !inSet(l.Visibility, Visibilities) || !inSet(l.Transport, Transports) || len(l.Fractions) == 0 {
			t.Fatalf("enums let through: %+v", l)
		}
		if l.AvailableTo.Before(l.AvailableFrom) {
			t.Fatalf("dates out of order: %v %v", l.AvailableFrom, l.AvailableTo)
		}
		pv := l.Public()
		if _, err := json.Marshal(pv); err != nil {
			t.Fatalf("public view does not encode: %v", err)
		}
		if !strings.HasSuffix(pv.QuantityBand, " t") || pv.Area.Exact != l.ExactLocationPublic {
			t.Fatalf("public view: %+v", pv)
		}
	})
}

// FuzzPlanInput: decoding and validating a mass handling plan never
// panics; accepted lines have a known direction and fraction, finite
// positive tonnes within the limit and periods in order.
// Seeds: testdata/fuzz/FuzzPlanInput.
func FuzzPlanInput(f *testing.F) {
	f.Add([]byte(`{"lines":[{"direction":"cut","fraction":"sprengstein","quantity":12000,"unit":"m3","period_from":"2027-03","period_to":"2027-09"},{"direction":"fill","fraction":"pukk","quantity":500,"unit":"t","period_from":"2027-05-01","period_to":"2027-06-01","intended_use":"fill"}],"publish":true}`))
	f.Add([]byte(`{"lines":[{"direction":"cut","fraction":"sprengstein","quantity":1e308,"unit":"t","period_from":"2027-03","period_to":"2026-09"}]}`))
	f.Add([]byte(`{"lines":[]}`))
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		var in PlanInput
		if decodeStrict(b, &in) != nil {
			return
		}
		lines, err := planLines("site", &in, now)
		if err != nil {
			if _, ok := fail.As(err); !ok {
				t.Fatalf("not a domain error: %v", err)
			}
			return
		}
		if len(lines) != len(in.Lines) || len(lines) > MaxPlanLines {
			t.Fatalf("%d lines of %d", len(lines), len(in.Lines))
		}
		for _, pl := range lines {
			if pl.Direction != "cut" && pl.Direction != "fill" {
				t.Fatalf("direction %q", pl.Direction)
			}
			if _, ok := FractionByCode(pl.Fraction); !ok {
				t.Fatalf("fraction %q", pl.Fraction)
			}
			if math.IsNaN(pl.QuantityTonnes) || math.IsInf(pl.QuantityTonnes, 0) || pl.QuantityTonnes <= 0 || pl.QuantityTonnes > maxListingTon {
				t.Fatalf("tonnes %v", pl.QuantityTonnes)
			}
			if pl.PeriodTo.Before(pl.PeriodFrom) {
				t.Fatalf("period %v–%v", pl.PeriodFrom, pl.PeriodTo)
			}
		}
	})
}
