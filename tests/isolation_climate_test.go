package tests

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/climate"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// The climate accounts' share of the isolation suites: Bærum's accounts
// of a received load (their cells, the counted-load marker, a recompute
// record) by table, the account routes' path segments (projects,
// municipalities; agreements and organizations are the directory's), and
// a Rogaland marker that would reference Bærum's load.

func init() {
	isolationParts = append(isolationParts, isolationPart{
		ids: func(t *testing.T, e *apitest.Env, ids map[string]string) {
			w := haultest.New(e)
			l := w.Received(w.Order, 15)
			e.Settle()
			now := apitest.Now()
			rec := &climate.Recompute{ID: store.NewID(), ScopeKind: climate.ScopeRegion, ScopeID: climate.RegionID, FactorSet: "test", CreatedAt: now, UpdatedAt: now}
			w.Must(e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error { return tx.Create(rec).Error }))
			ids["climate_accounts"] = e.FirstID("baerum", "climate_accounts", "")
			ids["climate_loads"] = l.ID
			ids["climate_sets"] = rec.ID
			ids["projects"] = w.SandvikaSite
			ids["municipalities"] = "3201"
		},
		refs: func(t *testing.T, e *apitest.Env, ids map[string]string, refs map[string]any) {
			refs["climate_loads→loads"] = &climateMarker{ID: ids["climate_loads"], CreatedAt: apitest.Now()}
		},
		createdOnly: []string{"climate_loads"},
	})
}

// climateMarker is a row of climate_loads (core/climate keeps its type
// unexported).
type climateMarker struct {
	store.TenantRow
	ID        string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (climateMarker) TableName() string { return "climate_loads" }
