package report_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/report"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// The supervision package's figure (docs/PERFORMANCE.md, "Supervision
// package"):
//
//	go test ./core/report/ -run '^$' -bench Package -benchtime 1x
//
// A project with LOADS loads (default 50 000) on AGREEMENTS agreements
// (default 50) over 100 days, three signed ledger entries per load and
// the days' roots sealed, seeded with bulk inserts; then the whole
// package is written to a counting writer. It reports the seconds, the
// CPU time, the peak Go heap while writing (sampled every 5 ms) and the
// package's size.
// With MASSEFLYT_TEST_POSTGRES set it runs on Postgres too.
func BenchmarkPackage(b *testing.B) {
	n, nAg := envInt("LOADS", 50000), envInt("AGREEMENTS", 50)
	backends := []string{storetest.SQLite}
	if os.Getenv(storetest.PostgresEnv) != "" {
		backends = append(backends, storetest.Postgres)
	}
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			db := storetest.Open(b, backend, storetest.Clock(clock.At(now)))
			ctx, site, keys := seedProject(b, db, now, n, nAg)
			s := report.New(db, &ledger.Ledger{DB: db, Keys: keys})
			tid, _ := store.TenantID(ctx)
			sc := &report.Scope{Kind: report.KindProject, ID: site, Name: "E18 Vestkorridoren", TenantID: tid, From: "2026-01-01", To: "2026-11-26",
				Start: time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), Until: now.Add(time.Hour)}
			for it := 0; it < b.N; it++ {
				runtime.GC()
				var base runtime.MemStats
				runtime.ReadMemStats(&base)
				var peak atomic.Uint64
				done := make(chan struct{})
				go func() {
					t := time.NewTicker(5 * time.Millisecond)
					defer t.Stop()
					var m runtime.MemStats
					for {
						select {
						case <-done:
							return
						case <-t.C:
							runtime.ReadMemStats(&m)
							if h := m.HeapInuse; h > peak.Load() {
								peak.Store(h)
							}
						}
					}
				}()
				var w counter
				start, cpu0 := time.Now(), cpuTime()
				if err := s.Write(ctx, sc, "nb", &w); err != nil {
					b.Fatal(err)
				}
				el, cpu := time.Since(start), cpuTime()-cpu0
				close(done)
				b.ReportMetric(el.Seconds(), "s/package")
				b.ReportMetric(cpu.Seconds(), "s-cpu/package")
				b.ReportMetric(float64(peak.Load())/(1<<20), "MB-peak-heap")
				b.ReportMetric(float64(base.HeapInuse)/(1<<20), "MB-heap-before")
				b.ReportMetric(float64(w.n)/(1<<20), "MB-zip")
			}
		})
	}
}

// cpuTime is the process's CPU time (user and system): on a shared machine
// it does not depend on the load.
func cpuTime() time.Duration {
	var r syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*counter)(nil)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// seedProject bulk-inserts a project's agreements, loads, ledger entries
// and sealed roots.
func seedProject(b *testing.B, db *store.DB, now time.Time, n, nAg int) (context.Context, string, *ledger.Keys) {
	b.Helper()
	tid := storetest.Tenant(b, db, "baerum")
	ctx := store.WithTenant(context.Background(), tid)
	seed := make([]byte, 32)
	keys, err := ledger.NewKeys(seed)
	if err != nil {
		b.Fatal(err)
	}
	if err := keys.Register(ctx, db); err != nil {
		b.Fatal(err)
	}
	org := func(name string, kinds ...string) directory.Organization {
		return directory.Organization{ID: store.NewID(), OrgNumber: strconv.Itoa(900000000 + len(name)*7 + len(kinds[0])), Name: name, Kinds: kinds}
	}
	orgs := []directory.Organization{org("Statens vegvesen", "builder"), org("Veidekke Entreprenør", "contractor"), org("Lysaker Massetransport", "transporter"),
		org("Franzefoss Gjenvinning", "recycling_plant"), org("Lindum Deponi", "landfill")}
	site := func(o int, name, kind, ft string, lat float64) directory.Site {
		return directory.Site{ID: store.NewID(), OrganizationID: orgs[o].ID, Kind: kind, FacilityType: ft, Name: name, Lat: lat, Lon: 10.5}
	}
	sites := []directory.Site{site(0, "E18 Vestkorridoren", "project", "", 59.87), site(1, "Fornebubanen", "project", "", 59.9),
		site(3, "Franzefoss Lindum", "facility", "recycling_plant", 59.8), site(4, "Lindum deponi", "facility", "landfill", 59.7),
		site(3, "Mellomlager Ramstad", "facility", "intermediate_storage", 59.85)}
	vehicle := directory.Vehicle{ID: store.NewID(), OrganizationID: orgs[2].ID, Registration: "EB12345", BodyType: "tipper_4axle", EuroClass: "euro6", Fuel: "diesel", Status: "approved"}
	var ags []agreement.Agreement
	var vers []agreement.Version
	for i := 0; i < nAg; i++ {
		to := sites[1+i%4]
		sealed := now.AddDate(0, 0, -120)
		a := agreement.Agreement{ID: store.NewID(), Number: fmt.Sprintf("AVT-2026-%04d", i+1), Status: agreement.StatusSealed, Version: 1, SealedVersion: 1,
			TemplateKey: "delivery", TemplateVersion: 0, Locale: "nb", SupplierOrgID: orgs[0].ID, ReceiverOrgID: orgs[1].ID, Fraction: "sprengstein", Tonnes: 20000,
			SealHash: hex.EncodeToString(seed), SealedAt: &sealed, CreatedAt: sealed, UpdatedAt: sealed}
		ags = append(ags, a)
		t := agreement.Terms{Title: "Sprengstein", ConditionClass: 1 + i%3, QuantityTonnes: 20000, PeriodFrom: "2026-01-01", PeriodTo: "2027-12-31",
			Supplier: agreement.Party{OrganizationID: orgs[0].ID, SiteID: sites[0].ID, SiteName: sites[0].Name}, Receiver: agreement.Party{OrganizationID: orgs[1].ID, SiteID: to.ID, SiteName: to.Name}}
		vers = append(vers, agreement.Version{ID: store.NewID(), AgreementID: a.ID, Version: 1, Terms: agreement.TermsJSON(t), CreatedAt: sealed})
	}
	err = db.Tx(ctx, func(tx *gorm.DB) error {
		for _, x := range []any{&orgs, &sites, &vehicle, &ags, &vers} {
			if err := tx.Create(x).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Loads and their chains: departed, released, received.
	const batch = 1000
	seqs := map[string]int64{}
	heads := map[string]string{}
	start := now.AddDate(0, 0, -100)
	for lo := 0; lo < n; lo += batch {
		var loads []haul.Load
		var entries []ledger.Entry
		for i := lo; i < min(lo+batch, n); i++ {
			a := ags[i%nAg]
			dep := start.Add(time.Duration(i) * (100 * 24 * time.Hour / time.Duration(n)))
			rel, rec := dep.Add(10*time.Minute), dep.Add(50*time.Minute)
			kg := 25.0
			to := sites[1+(i%nAg)%4]
			l := haul.Load{ID: store.NewID(), Number: fmt.Sprintf("%s-%05d", a.Number, i/nAg+1), Code: fmt.Sprintf("C%07d", i), ReleaseCode: fmt.Sprintf("R%07d", i), Kind: haul.KindDelivery, AgreementID: a.ID,
				OrderID: store.NewID(), TransporterOrgID: orgs[2].ID, SupplierOrgID: orgs[0].ID, ReceiverOrgID: orgs[1].ID, PickupSiteID: &sites[0].ID, DeliverySiteID: &to.ID,
				VehicleID: vehicle.ID, Registration: "EB12345", DriverID: store.NewID(), Fraction: "sprengstein", Status: haul.StatusReceived, Seq: i/nAg + 1, EstTonnes: 17,
				DepartedAt: dep, ReleasedAt: &rel, ReceivedAt: &rec, WeightMethod: haul.WeighBridge, WeightTonnes: 17.3, AcceptedTonnes: 17.3, Result: haul.ResultAccepted,
				Checks: haul.Checks{}, Flags: haul.Flags{}, KgCO2e: &kg, FactorSet: "defra-2025", CreatedAt: dep, UpdatedAt: rec}
			if i%97 == 0 {
				l.Status, l.Result, l.AcceptedTonnes, l.Reason = haul.StatusRejected, haul.ResultRejected, 0, "Jord i lasset"
				l.Flags = haul.Flags{{Kind: haul.FlagFarFromSite}}
				l.Flagged = true
			}
			loads = append(loads, l)
			for k, kind := range []string{"load.departed", "load.released", "load.received"} {
				at := []time.Time{dep, rel, rec}[k]
				data, _ := ledger.CanonicalData(map[string]any{"tonnes": 17.3, "n": i})
				seqs[a.ID]++
				prev := heads[a.ID]
				if prev == "" {
					prev = ledger.ZeroHash
				}
				e := ledger.Entry{TenantRow: store.TenantRow{TenantID: tid}, ID: store.NewID(), Chain: a.ID, Seq: seqs[a.ID], Kind: kind, LoadID: l.ID, ActorID: store.NewID(),
					OrgID: orgs[0].ID, VehicleID: vehicle.ID, ServerAt: at.UTC().Truncate(time.Microsecond), Data: data, PrevHash: prev, KeyID: keys.ID()}
				h, err := e.ComputeHash()
				if err != nil {
					b.Fatal(err)
				}
				e.Hash = hex.EncodeToString(h)
				e.Signature = keys.Sign(h)
				heads[a.ID] = e.Hash
				entries = append(entries, e)
			}
		}
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			if err := tx.CreateInBatches(loads, 200).Error; err != nil {
				return err
			}
			return tx.CreateInBatches(entries, 200).Error
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := (&ledger.Ledger{DB: db, Keys: keys}).SealDays(ctx); err != nil {
		b.Fatal(err)
	}
	_ = auth.RoleSupervisor
	return ctx, sites[0].ID, keys
}
