package stats

import (
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestComputeRealized checks the realized figures on a hand-computed set
// laid out around the harness clock's now.
func TestComputeRealized(t *testing.T) {
	now := storetest.DefaultClock().Now().UTC()
	ago := func(days int) *time.Time { x := now.AddDate(0, 0, -days); return &x }
	f := func(x float64) *float64 { return &x }
	s := func(x string) *string { return &x }
	ls := []ListingRow{
		{ID: "s1", Kind: "surplus", Status: "published", Visibility: "public", Tonnes: 1000, PublishedAt: ago(10)},
		{ID: "s2", Kind: "surplus", Status: "partly_matched", Visibility: "public", Tonnes: 2000, PublishedAt: ago(20)},
		{ID: "s3", Kind: "surplus", Status: "closed", Visibility: "public", Tonnes: 3000, PublishedAt: ago(30)},
		{ID: "n1", Kind: "need", Status: "published", Visibility: "public", Tonnes: 500, PublishedAt: ago(20)},
		{ID: "n2", Kind: "need", Status: "published", Visibility: "public", Tonnes: 500, PublishedAt: ago(20)},
		{ID: "m1", Kind: "surplus", Status: "published", Visibility: "members", Tonnes: 4000, PublishedAt: ago(20)},
	}
	ms := []MatchRow{
		{ID: "x1", ListingID: "n1", CounterpartID: "s1"}, // a1 joins them
		{ID: "x2", ListingID: "s2", CounterpartID: "n1"}, // a2 joins them (the other way round)
		{ID: "x3", ListingID: "n1", CounterpartID: "s3"}, // no agreement between them
		{ID: "x4", ListingID: "n2", CounterpartID: "m1"}, // a members-only listing: not public
	}
	ags := []AgreementRow{
		{ID: "a1", ListingID: s("s1"), CounterpartListingID: s("n1"), SealedAt: ago(8)},
		{ID: "a2", ListingID: s("s2"), CounterpartListingID: s("n1"), SealedAt: ago(14)},
		{ID: "a3", ListingID: s("s3"), SealedAt: ago(20)},
	}
	full := func(landfill, quarry string) string {
		return `{"landfill_km":` + landfill + `,"quarry_km":` + quarry + `,"kg_co2e":1,"complete":true}`
	}
	loads := []LoadRow{
		// a1: 20 t; saved 50 − 10 = 40 kg; 20 × (15 + 20 − 10) = 500 tkm.
		{AgreementID: "a1", Kind: "delivery", Status: "received", AcceptedTonnes: 20, KgCO2e: f(10), BaselineKgCO2e: f(50), RoadKm: f(10), Baseline: full("15", "20"), ReceivedAt: ago(7), DeliveryKind: "project"},
		// a2: 30 t; saved 80 kg; 30 × (10 + 10 − 5) = 450 tkm.
		{AgreementID: "a2", Kind: "delivery", Status: "received", AcceptedTonnes: 30, KgCO2e: f(20), BaselineKgCO2e: f(100), RoadKm: f(5), Baseline: full("10", "10"), ReceivedAt: ago(12), DeliveryKind: "facility", DeliveryFacilityType: "recycling_plant"},
		// a2, partly: 10 t; saved 20 kg; an incomplete baseline adds no tonne-km.
		{AgreementID: "a2", Kind: "delivery", Status: "partly_accepted", AcceptedTonnes: 10, KgCO2e: f(5), BaselineKgCO2e: f(25), RoadKm: f(5), Baseline: `{"landfill_km":99,"complete":false}`, ReceivedAt: ago(10), DeliveryKind: "project"},
		// a3: 40 t, no climate account yet.
		{AgreementID: "a3", Kind: "delivery", Status: "received", AcceptedTonnes: 40, ReceivedAt: ago(18), DeliveryKind: "facility", DeliveryFacilityType: "quarry"},
		// a3: 50 t to a landfill and 25 t into intermediate storage:
		// delivered loads, but not reused.
		{AgreementID: "a3", Kind: "delivery", Status: "received", AcceptedTonnes: 50, ReceivedAt: ago(17), DeliveryKind: "facility", DeliveryFacilityType: "landfill"},
		{AgreementID: "a3", Kind: "delivery", Status: "received", AcceptedTonnes: 25, ReceivedAt: ago(17), DeliveryKind: "facility", DeliveryFacilityType: "storage"},
		// Not counted: rejected, a return, on the road, an agreement not signed.
		{AgreementID: "a3", Kind: "delivery", Status: "rejected", AcceptedTonnes: 0, ReceivedAt: ago(1)},
		{AgreementID: "a3", Kind: "return", Status: "received", AcceptedTonnes: 15, ReceivedAt: ago(1)},
		{AgreementID: "a3", Kind: "delivery", Status: "released", AcceptedTonnes: 0},
		{AgreementID: "gone", Kind: "delivery", Status: "received", AcceptedTonnes: 500, KgCO2e: f(0), BaselineKgCO2e: f(1e6), ReceivedAt: ago(30)},
	}
	cases := []struct {
		name                             string
		in                               RealizedInput
		agreements, loads                int
		suppressed                       bool
		band                             string
		rate, co2, tkm, toAgr, toDel, mt *float64
		matchRate                        float64
	}{
		{name: "full", in: RealizedInput{Listings: ls, Matches: ms, Agreements: ags, Loads: loads, SurplusTonnes: 10000},
			agreements: 3, loads: 6, band: "0–500 t", rate: f(0.01), co2: f(0.14), tkm: f(950),
			// first agreement: s1 2 d, s2 6 d, s3 10 d, n1 6 d (a2) → 6; first delivery: s1 3, s2 8, s3 12, n1 8 (a2) → 8.
			toAgr: f(6), toDel: f(8), mt: f(0.667), matchRate: 0.8},
		{name: "two agreements suppressed", in: RealizedInput{Listings: ls, Matches: ms[:2], Agreements: ags[:2], Loads: loads[:3], SurplusTonnes: 10000},
			// three listings are behind each time: s1, s2, n1.
			agreements: 2, loads: 3, suppressed: true, toAgr: f(6), toDel: f(8), matchRate: 0.6},
		{name: "nothing delivered", in: RealizedInput{Listings: ls, SurplusTonnes: 10000}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ComputeRealized(c.in)
			if r.Agreements != c.agreements || r.Loads != c.loads || r.Suppressed != c.suppressed || r.Reused != c.band || r.MatchRate != c.matchRate {
				t.Fatalf("got %+v", r)
			}
			for _, x := range []struct {
				what      string
				got, want *float64
			}{{"reuse rate", r.ReuseRate, c.rate}, {"co2", r.CO2eSavedTonnes, c.co2}, {"tonne-km", r.TonneKmAvoided, c.tkm},
				{"days to agreement", r.MedianDaysToFirstAgreement, c.toAgr}, {"days to delivery", r.MedianDaysToFirstDelivery, c.toDel}, {"matches to agreement", r.MatchesToAgreement, c.mt}} {
				if (x.got == nil) != (x.want == nil) || x.got != nil && *x.got != *x.want {
					t.Errorf("%s: got %v want %v", x.what, val(x.got), val(x.want))
				}
			}
		})
	}
}

func val(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
