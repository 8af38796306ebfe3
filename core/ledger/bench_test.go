package ledger_test

import (
	"os"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// The ledger's figures (docs/PERFORMANCE.md, "Load ledger"):
//
//	go test ./core/ledger/ -run '^$' -bench 'Append|Verify' -benchtime 1x
//
// with MASSEFLYT_TEST_POSTGRES set for the Postgres rows. Each benchmark
// reports its own metrics (events/s, p50/p99 ms, s per 100k).

// benchBackends are the backends of a benchmark run.
func benchBackends(b *testing.B) []string {
	out := []string{storetest.SQLite}
	if os.Getenv(storetest.PostgresEnv) != "" {
		out = append(out, storetest.Postgres)
	}
	return out
}

func benchEvent(chain string, i int) ledger.Event {
	lat, lon := 59.9+float64(i%100)/1000, 10.6
	dev := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	return ledger.Event{Chain: chain, Kind: "load.departed", LoadID: store.NewID(), ActorID: store.NewID(), OrgID: store.NewID(), VehicleID: store.NewID(),
		Lat: &lat, Lon: &lon, DeviceAt: &dev, Data: map[string]any{"est_tonnes": 18.5, "photo_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "code_hash": "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c"}}
}

// BenchmarkAppendConcurrent: sustained appends by concurrent writers
// across many chains (one transaction per event, as core/haul makes
// them), each signed and chained. ENTRIES sets the events per run
// (default 20 000), WRITERS the writers (default 16), CHAINS the chains
// (default 200).
func BenchmarkAppendConcurrent(b *testing.B) {
	n, writers, chains := envInt("ENTRIES", 20000), envInt("WRITERS", 16), envInt("CHAINS", 200)
	for _, backend := range benchBackends(b) {
		b.Run(backend, func(b *testing.B) {
			for it := 0; it < b.N; it++ {
				e := open(b, backend)
				ids := make([]string, chains)
				for i := range ids {
					ids[i] = store.NewID()
				}
				lat := make([][]time.Duration, writers)
				var wg sync.WaitGroup
				var mu sync.Mutex
				var firstErr error
				start, cpu0 := time.Now(), cpuTime()
				for w := 0; w < writers; w++ {
					wg.Add(1)
					go func(w int) {
						defer wg.Done()
						for i := w; i < n; i += writers {
							t0 := time.Now()
							var err error
							for try := 0; try < 50; try++ {
								err = e.db.Tx(e.ctx, func(tx *gorm.DB) error {
									_, err := e.l.Append(tx, benchEvent(ids[i%chains], i))
									return err
								})
								if !store.IsBusy(err) {
									break
								}
							}
							if err != nil {
								mu.Lock()
								if firstErr == nil {
									firstErr = err
								}
								mu.Unlock()
								return
							}
							lat[w] = append(lat[w], time.Since(t0))
						}
					}(w)
				}
				wg.Wait()
				elapsed, cpu := time.Since(start), cpuTime()-cpu0
				if firstErr != nil {
					b.Fatal(firstErr)
				}
				var all []time.Duration
				for _, l := range lat {
					all = append(all, l...)
				}
				sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
				pct := func(p float64) float64 { return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000 }
				b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
				b.ReportMetric(pct(0.50), "p50_ms")
				b.ReportMetric(pct(0.99), "p99_ms")
				// This process's CPU per event (the machine may be shared:
				// with 2 idle cores, SQLite appends are bounded by 2 s / this).
				b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu_µs/event")
				// Every chain verifies after the burst.
				for _, c := range ids[:5] {
					if rep, err := e.l.Verify(e.ctx, c); err != nil || !rep.OK {
						b.Fatalf("chain %s: %+v %v", c, rep.Broken, err)
					}
				}
			}
		})
	}
}

// BenchmarkVerify100k: verifying one chain of 100 000 events (hashes,
// links, signatures, and inclusion in the day's root).
func BenchmarkVerify100k(b *testing.B) {
	n := envInt("CHAIN", 100000)
	for _, backend := range benchBackends(b) {
		b.Run(backend, func(b *testing.B) {
			e := open(b, backend)
			chain := store.NewID()
			const batch = 2000
			for i := 0; i < n; i += batch {
				err := e.db.Tx(e.ctx, func(tx *gorm.DB) error {
					for j := i; j < i+batch && j < n; j++ {
						if _, err := e.l.Append(tx, benchEvent(chain, j)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			e.clk.Advance(48 * time.Hour)
			if _, err := e.l.SealDays(e.ctx); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for it := 0; it < b.N; it++ {
				start, cpu0 := time.Now(), cpuTime()
				rep, err := e.l.Verify(e.ctx, chain)
				if err != nil || !rep.OK || rep.Size != n || !rep.Entries[n-1].Rooted {
					b.Fatalf("verify: %v %v", rep.Broken, err)
				}
				b.ReportMetric(time.Since(start).Seconds()*100000/float64(n), "s/100k")
				b.ReportMetric((cpuTime()-cpu0).Seconds()*100000/float64(n), "cpu_s/100k")
			}
		})
	}
}

// cpuTime is this process's user and system CPU time.
func cpuTime() time.Duration {
	var r syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
