package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/live"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// BenchmarkLiveFanout holds MASSEFLYT_LIVE_CLIENTS (default 1,000) live-view
// SSE clients on one app instance over real loopback connections and
// measures, per event, the time from just before the transaction that
// emits it until each client has read it. Clients and server share the
// machine's cores. On SQLite the event is emitted on the same instance; on
// PostgreSQL it is emitted on a second instance, whose NOTIFY wakes the
// first one's dispatcher, which reads it from the outbox. Reported: p50, p99 and max
// latency over all clients and events (target p99 < 1 s).
func BenchmarkLiveFanout(b *testing.B) {
	for _, backend := range apitest.Backends(b) {
		b.Run(backend, func(b *testing.B) { liveFanout(b, backend) })
	}
}

func liveFanout(b *testing.B, backend string) {
	n := 1000
	if s := os.Getenv("MASSEFLYT_LIVE_CLIENTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	e := apitest.New(b, backend)
	publisher := e.App
	if backend == "postgres" {
		publisher = e.Instance()
	}
	base := apitest.Serve(b, e.App, "127.0.0.1")
	addr := strings.TrimPrefix(base, "http://")
	tid := e.Tenant("baerum").ID
	old := live.StatsDelay
	live.StatsDelay = time.Hour // measure the event itself, not the statistics push
	defer func() { live.StatsDelay = old }()

	var mu sync.Mutex
	var lat []time.Duration
	var got sync.WaitGroup
	var connected sync.WaitGroup
	connected.Add(n)
	conns := make([]net.Conn, 0, n)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatalf("client %d: %v", i, err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET /t/baerum/live/events HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", addr)
		go func(c net.Conn) {
			r := bufio.NewReaderSize(c, 8192)
			first := true
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if first && strings.HasPrefix(line, "retry:") {
					first = false
					connected.Done()
				}
				// data: {"at":...,"data":{"sent":<unix ns>,...}}
				if i := strings.Index(line, `"sent":`); i >= 0 {
					j := i + 7
					k := j
					for k < len(line) && line[k] >= '0' && line[k] <= '9' {
						k++
					}
					ns, _ := strconv.ParseInt(line[j:k], 10, 64)
					d := time.Since(time.Unix(0, ns))
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
					got.Done()
				}
			}
		}(c)
	}
	connected.Wait()
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	if e.App.Live.Clients() != n {
		b.Fatalf("%d clients connected, want %d", e.App.Live.Clients(), n)
	}
	payload := map[string]any{"id": "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d", "kind": "surplus", "title": "Sprengstein fra tunnel", "fractions": []string{"sprengstein"},
		"quantity_band": "10 000–50 000 t", "period": apitest.Month(4) + "/" + apitest.Month(13), "area": map[string]any{"lat": 59.895, "lon": 10.63, "exact": false, "radius_km": 1}}
	ctx := store.WithTenant(context.Background(), tid)
	runtime.GC() // a collection owed to the setup does not land in the measured events
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got.Add(n)
		// Through the outbox, as a published listing travels: written in a
		// transaction, then read by the dispatcher (on Postgres, the first
		// instance's, woken by NOTIFY) and fanned out.
		payload["sent"] = time.Now().UnixNano()
		listing, _ := json.Marshal(payload)
		if err := publisher.DB.Tx(ctx, func(tx *gorm.DB) error {
			return events.Emit(tx, events.ListingPublished{ListingID: "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d", Kind: "surplus", Listing: listing})
		}); err != nil {
			b.Fatal(err)
		}
		wait := make(chan struct{})
		go func() { got.Wait(); close(wait) }()
		select {
		case <-wait:
		case <-time.After(30 * time.Second):
			b.Fatalf("event %d did not reach all clients", i)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e6 }
	b.ReportMetric(float64(n), "clients")
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}
