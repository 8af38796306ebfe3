package climate_test

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/climate"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// benchLoad is a delivered load as core/haul leaves it, for bulk seeding.
type benchLoad struct {
	store.TenantRow
	ID               string `gorm:"primaryKey"`
	Number           string
	Code             string
	ReleaseCode      string
	Kind             string
	AgreementID      string
	TransporterOrgID string
	SupplierOrgID    string
	ReceiverOrgID    string
	PickupSiteID     *string
	DeliverySiteID   *string
	VehicleID        string
	DriverID         string
	Fraction         string
	Status           string
	DepartedAt       time.Time
	ReceivedAt       *time.Time
	WeightTonnes     float64
	AcceptedTonnes   float64
	KgCO2e           *float64 `gorm:"column:kg_co2e"`
	RoadKm           *float64
	FactorSet        string
	BaselineKgCO2e   *float64 `gorm:"column:baseline_kg_co2e"`
	Baseline         string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (benchLoad) TableName() string { return "loads" }

type benchWorld struct {
	agreements []agreement.Agreement
	sites      []string
	vehicle    string
	n          int
}

func (w *benchWorld) load(i int, now time.Time) benchLoad {
	ag := w.agreements[i%len(w.agreements)]
	from, to := w.sites[i%len(w.sites)], w.sites[(i/7+3)%len(w.sites)]
	at := now.Add(-time.Duration((i*8)%(730*24)) * time.Hour) // two years back
	road := 3 + float64(i%40)
	tonnes := 12 + float64(i%7)
	kg := road * (1.2 + 0.956) * 0.2
	base := 30 * (1.371 + 0.956) * 2
	id := store.NewID()
	n := strconv.Itoa(i)
	return benchLoad{ID: id, Number: "B-" + n, Code: "C" + n, ReleaseCode: "R" + n, Kind: "delivery", AgreementID: ag.ID, TransporterOrgID: ag.SupplierOrgID,
		SupplierOrgID: ag.SupplierOrgID, ReceiverOrgID: ag.ReceiverOrgID, PickupSiteID: &from, DeliverySiteID: &to, VehicleID: w.vehicle, DriverID: "bench",
		Fraction: []string{"sprengstein", "leire", "morene", "grus", "sand", "betong"}[i%6], Status: "received", DepartedAt: at.Add(-time.Hour), ReceivedAt: &at,
		WeightTonnes: tonnes, AcceptedTonnes: tonnes, KgCO2e: &kg, RoadKm: &road, FactorSet: "defra-2025", BaselineKgCO2e: &base,
		Baseline: `{"landfill_km":20,"quarry_km":10,"kg_co2e":139.62,"complete":true}`, CreatedAt: at, UpdatedAt: at}
}

// seedRegion bulk-writes n delivered loads into Bærum (40 agreements
// between its organizations, over its sites, two years back) and builds
// the accounts once.
func seedRegion(b *testing.B, e *apitest.Env, n int) *benchWorld {
	ctx := e.Ctx("baerum")
	now := apitest.Now().UTC()
	w := &benchWorld{vehicle: e.FirstID("baerum", "vehicles", "registration = ?", "EB12345")}
	var orgs []string
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(e.App.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Table("organizations").Order("id").Pluck("id", &orgs).Error; err != nil {
			return err
		}
		return tx.Table("sites").Order("id").Pluck("id", &w.sites).Error
	}))
	for i := 0; i < 40; i++ {
		w.agreements = append(w.agreements, agreement.Agreement{ID: store.NewID(), Number: fmt.Sprintf("AVT-BENCH-%03d", i), Status: agreement.StatusSealed, Version: 1, SealedVersion: 1,
			TemplateKey: "delivery", Locale: "nb", SupplierOrgID: orgs[i%len(orgs)], ReceiverOrgID: orgs[(i+1)%len(orgs)], Fraction: "sprengstein", CreatedAt: now, UpdatedAt: now})
	}
	must(e.App.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(&w.agreements).Error }))
	// Templates written through the store, then copied in SQL with a
	// suffix (a recursive CTE works on both engines): far faster than a
	// million inserts from Go.
	start := time.Now()
	const templates = 2000
	rows := make([]benchLoad, 0, templates)
	for i := 0; i < templates && i < n; i++ {
		rows = append(rows, w.load(i, now))
	}
	must(e.App.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.CreateInBatches(rows, 500).Error }))
	if copies := n/templates - 1; copies > 0 {
		tid, _ := store.TenantID(ctx)
		cols := "kind, agreement_id, transporter_org_id, supplier_org_id, receiver_org_id, pickup_site_id, delivery_site_id, vehicle_id, driver_id, fraction, status, " +
			"departed_at, received_at, weight_tonnes, accepted_tonnes, kg_co2e, road_km, factor_set, baseline_kg_co2e, baseline, created_at, updated_at"
		must(e.App.DB.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Exec(`INSERT INTO loads (tenant_id, id, number, code, release_code, `+cols+`)
				WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
				SELECT t.tenant_id, t.id || '-' || seq.i, t.number || '-' || seq.i, t.code || '-' || seq.i, t.release_code || '-' || seq.i, `+cols+`
				FROM loads t CROSS JOIN seq WHERE t.tenant_id = ? AND t.driver_id = 'bench'`, copies, tid).Error
		}))
	}
	n = (n / templates) * templates
	if n == 0 {
		n = len(rows)
	}
	w.n = n
	b.Logf("%d loads written in %s", n, time.Since(start).Round(time.Second))
	start = time.Now()
	must(e.App.Climate.Rebuild(ctx))
	var cells int64
	must(e.App.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Model(&climate.Cell{}).Count(&cells).Error }))
	b.Logf("accounts rebuilt from %d loads in %s: %d cells", n, time.Since(start).Round(time.Millisecond), cells)
	return w
}

func benchLoads() int {
	if v, err := strconv.Atoi(os.Getenv("MASSEFLYT_BENCH_LOADS")); err == nil && v > 0 {
		return v
	}
	return 1_000_000
}

func p50p99(lat []time.Duration) (float64, float64) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100])
}

// BenchmarkClimate: a region with 1,000,000 delivered loads
// (MASSEFLYT_BENCH_LOADS to change): adding one new load to every account
// it belongs to (agreement, projects, organizations, municipality, region;
// the load.received subscriber's work), target < 50 ms; and rendering
// account pages (the region, an organization, an agreement, a
// municipality; HTML through the whole UI stack, and the region as JSON
// through the API), target < 150 ms.
func BenchmarkClimate(b *testing.B) {
	for _, backend := range apitest.Backends(b) {
		b.Run(backend, func(b *testing.B) {
			e := apitest.New(b, backend)
			w := seedRegion(b, e, benchLoads())
			ctx := e.Ctx("baerum")
			e.App.Fiber.Handler()
			h := e.App.Fiber.Server().Handler
			cookie := apitest.Cookie(apitest.TenantAdmin)
			token := e.Token("baerum", apitest.Supervisor, "read") // a tenant admin reads with an admin token (second factor)
			var muni string
			_ = e.App.DB.Read(ctx, func(tx *gorm.DB) error {
				return tx.Model(&climate.Cell{}).Where("scope_kind = ?", climate.ScopeMunicipality).Order("loads DESC").Limit(1).Pluck("scope_id", &muni).Error
			})
			pages := []string{"/t/baerum/climate/region", "/t/baerum/climate/organizations/" + w.agreements[0].SupplierOrgID,
				"/t/baerum/climate/agreements/" + w.agreements[0].ID, "/t/baerum/climate/municipalities/" + muni}
			var fc fasthttp.RequestCtx
			get := func(uri string, api bool) int {
				fc.Request.Reset()
				fc.Response.Reset()
				fc.ResetUserValues()
				fc.Request.SetRequestURI(uri)
				fc.Request.Header.SetMethod("GET")
				fc.Request.Header.SetHost("localhost")
				if api {
					fc.Request.Header.Set("Authorization", "Bearer "+token)
				} else {
					fc.Request.Header.Set("Cookie", cookie)
				}
				h(&fc)
				return fc.Response.StatusCode()
			}
			for _, p := range pages {
				if st := get(p, false); st != 200 {
					b.Fatalf("%s: %d %s", p, st, fc.Response.Body())
				}
			}
			if st := get("/api/v1/tenants/baerum/climate/region", true); st != 200 {
				b.Fatalf("api: %d", st)
			}
			var apply, page, api []time.Duration
			now := apitest.Now().UTC()
			// b.Loop runs the set-up above once, however many rounds.
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				l := w.load(w.n+i, now)
				if err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(&l).Error }); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				s := time.Now()
				if err := e.App.Climate.Apply(ctx, l.ID); err != nil {
					b.Fatal(err)
				}
				apply = append(apply, time.Since(s))
				s = time.Now()
				get(pages[i%len(pages)], false)
				page = append(page, time.Since(s))
				s = time.Now()
				get("/api/v1/tenants/baerum/climate/region", true)
				api = append(api, time.Since(s))
			}
			b.StopTimer()
			a50, a99 := p50p99(apply)
			p50, p99 := p50p99(page)
			j50, j99 := p50p99(api)
			b.ReportMetric(a50, "apply-p50-ms")
			b.ReportMetric(a99, "apply-p99-ms")
			b.ReportMetric(p50, "page-p50-ms")
			b.ReportMetric(p99, "page-p99-ms")
			b.ReportMetric(j50, "api-p50-ms")
			b.ReportMetric(j99, "api-p99-ms")
		})
	}
}
