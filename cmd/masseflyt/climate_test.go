package main

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/climate"
)

// TestClimateRebuild: when the outbox gave up on loads' events, `climate
// rebuild` gives those loads their own climate account and rebuilds the
// region's accounts to what they were.
func TestClimateRebuild(t *testing.T) {
	dir := setup(t)
	mustCLI(t, "seed")
	b, ok := tenantRow(t, dir, "baerum")
	if !ok {
		t.Fatal("no demo region")
	}
	totals := func() (kg float64, loads, missing int64) {
		withDB(t, dir, func(tx *gorm.DB) error {
			if err := tx.Table("climate_accounts").Where("tenant_id = ? AND scope_kind = ? AND variant = ?", b.ID, climate.ScopeRegion, climate.Recorded).
				Select("COALESCE(SUM(kg_co2e), 0)").Scan(&kg).Error; err != nil {
				return err
			}
			if err := tx.Table("loads").Where("tenant_id = ? AND kind = 'delivery' AND status IN ('received', 'partly_accepted', 'rejected') AND kg_co2e IS NULL", b.ID).Count(&missing).Error; err != nil {
				return err
			}
			return tx.Table("climate_loads").Where("tenant_id = ?", b.ID).Count(&loads).Error
		})
		return
	}
	kg0, loads0, missing0 := totals()
	if kg0 <= 0 || loads0 < 100 || missing0 != 0 {
		t.Fatalf("the demo's accounts: %.1f kg CO2e from %d loads, %d loads without an account", kg0, loads0, missing0)
	}
	// The events of ten loads were given up on, and the accounts are lost.
	withDB(t, dir, func(tx *gorm.DB) error {
		var ids []string
		if err := tx.Table("loads").Where("tenant_id = ? AND kind = 'delivery' AND status IN ('received', 'partly_accepted') AND kg_co2e IS NOT NULL", b.ID).Order("id").Limit(10).Pluck("id", &ids).Error; err != nil {
			return err
		}
		if err := tx.Table("loads").Where("tenant_id = ? AND id IN ?", b.ID, ids).Update("kg_co2e", gorm.Expr("NULL")).Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM climate_accounts WHERE tenant_id = ?", b.ID).Error; err != nil {
			return err
		}
		return tx.Exec("DELETE FROM climate_loads WHERE tenant_id = ?", b.ID).Error
	})
	if kg, loads, missing := totals(); kg != 0 || loads != 0 || missing != 10 {
		t.Fatalf("after the loss: %.1f kg, %d loads counted, %d without an account", kg, loads, missing)
	}
	out := mustCLI(t, "climate", "rebuild", "--tenant", "baerum")
	// The demo's one rejected load is in the accounts with its trip.
	if want := fmt.Sprintf("baerum: %d delivered loads and the trips of 1 rejected ones in the climate accounts (10 given their own account now)\n", loads0-1); out != want {
		t.Errorf("printed %q, want %q", out, want)
	}
	kg1, loads1, missing1 := totals()
	if loads1 != loads0 || missing1 != 0 || math.Abs(kg1-kg0) > 1e-6*kg0 {
		t.Errorf("rebuilt: %.3f kg CO2e from %d loads (%d without an account), was %.3f from %d", kg1, loads1, missing1, kg0, loads0)
	}
	// Every region, and the errors.
	// Each region counts its own loads only (Bærum's rejected one is not
	// Rogaland's).
	if out := mustCLI(t, "climate", "rebuild"); !strings.Contains(out, "rogaland: 0 delivered loads and the trips of 0 rejected ones") ||
		!strings.Contains(out, fmt.Sprintf("baerum: %d delivered loads and the trips of 1 rejected ones", loads0-1)) {
		t.Errorf("rebuilding every region printed %q", out)
	}
	_, err := cli(t, "climate", "rebuild", "--tenant", "nowhere")
	wantErr(t, err, `no region "nowhere"`)
	_, err = cli(t, "climate")
	wantErr(t, err, "the subcommand is rebuild")
}
