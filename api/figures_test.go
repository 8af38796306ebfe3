package api_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// TestRealizedFigures (B5): the open statistics carry the realized figures
// beside the potential ones (the old fields kept): from one agreement's
// received loads they are suppressed ("fewer than 3"); from three, the
// tonnes reused are a band and the savings are published, the loads
// counted once each, a rejected load not at all.
func TestRealizedFigures(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		w.Received(w.Order, 18)
		e.Settle()
		get := func() map[string]any {
			t.Helper()
			r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/stats"})
			if r.Status != 200 {
				t.Fatalf("stats: %d %s", r.Status, r.Body)
			}
			var body map[string]any
			r.JSON(t, &body)
			for _, k := range []string{"offered", "needed", "matches", "match_rate", "estimated_co2e_saved_tonnes", "agreements", "agreed"} {
				if _, ok := body[k]; !ok {
					t.Fatalf("the potential figure %q is gone: %v", k, body)
				}
			}
			re, _ := body["realized"].(map[string]any)
			if re == nil {
				t.Fatalf("no realized figures: %v", body)
			}
			return re
		}
		re := get()
		if re["agreements"] != 1.0 || re["loads"] != 1.0 || re["suppressed"] != true || re["reused_band"] != "" || re["co2e_saved_tonnes"] != nil || re["tonne_km_avoided"] != nil || re["reuse_rate"] != nil {
			t.Fatalf("one agreement's loads are suppressed: %v", re)
		}
		for i := 0; i < 2; i++ {
			_, o := w.Sealed(200, 10, 50)
			w.Received(o, 16)
		}
		l := w.OnTheRoad(w.Order, 15)
		rejectLoad(t, w, l.ID, l.Code)
		e.Settle()
		re = get()
		if re["agreements"] != 3.0 || re["loads"] != 3.0 || re["suppressed"] != false || re["reused_band"] != "0–500 t" || re["co2e_saved_tonnes"] == nil || re["tonne_km_avoided"] == nil {
			t.Fatalf("three agreements' loads: %v", re)
		}
		// The database's sums are the Go rules' (stats.AggregateLoads) on the same loads.
		ctx := e.Ctx("baerum")
		var loads []stats.LoadRow
		var ags []stats.AgreementRow
		if err := e.App.DB.Read(ctx, func(tx *gorm.DB) error {
			if err := tx.Table("loads").Select("loads.agreement_id, loads.kind, loads.status, loads.accepted_tonnes, loads.kg_co2e, loads.baseline_kg_co2e, loads.road_km, COALESCE(loads.baseline, '') AS baseline, loads.received_at, COALESCE(sites.kind, '') AS delivery_kind, COALESCE(sites.facility_type, '') AS delivery_facility_type").
				Joins("LEFT JOIN sites ON sites.tenant_id = loads.tenant_id AND sites.id = loads.delivery_site_id").Scan(&loads).Error; err != nil {
				return err
			}
			return tx.Table("agreements").Select("id, listing_id, counterpart_listing_id, match_id, sealed_at").Where("sealed_version > 0").Scan(&ags).Error
		}); err != nil {
			t.Fatal(err)
		}
		st := e.Stats("baerum")
		byGo := stats.ComputeRealized(stats.RealizedInput{Agreements: ags, Loads: loads})
		if st.Realized.Reused != byGo.Reused || *st.Realized.CO2eSavedTonnes != *byGo.CO2eSavedTonnes || *st.Realized.TonneKmAvoided != *byGo.TonneKmAvoided || *byGo.TonneKmAvoided == 0 || st.Realized.Loads != byGo.Loads {
			t.Fatalf("database %+v, Go %+v", st.Realized, byGo)
		}
	})
}

// rejectLoad rejects a load at the gate (Ola, Sandvika).
func rejectLoad(t *testing.T, w *haultest.World, id, code string) {
	t.Helper()
	if _, err := w.S.Receive(w.Ola, id, haul.ReceiptInput{Code: code, WeightTonnes: 15, Result: haul.ResultRejected, Reason: "Feil masse."}); err != nil {
		t.Fatal(err)
	}
}
