package api_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

func marketP50(lat []time.Duration) (time.Duration, time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat[len(lat)/2], lat[len(lat)*99/100]
}

// BenchmarkMatchesAPI: top-20 matches for a listing through the whole API
// stack with 10 000 published listings and 300 facilities in the tenant
// (target < 20 ms p50). The index is built once and reused while the
// tenant's data does not change.
func BenchmarkMatchesAPI(b *testing.B) {
	for _, backend := range apitest.Backends(b) {
		b.Run(backend, func(b *testing.B) {
			e := apitest.New(b, backend)
			e.MarketLoad(10000, 300)
			id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
			token := e.Token("baerum", apitest.OrgAdmin, "read")
			e.App.Fiber.Handler()
			h := e.App.Fiber.Server().Handler
			var ctx fasthttp.RequestCtx
			uri := "/api/v1/tenants/baerum/listings/" + id + "/matches?limit=20"
			if st := apitest.FastGet(h, &ctx, uri, token); st != 200 || bytes.Count(ctx.Response.Body(), []byte(`"counterpart_id"`)) != 20 {
				b.Fatalf("%d %s", st, ctx.Response.Body())
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := time.Now()
				apitest.FastGet(h, &ctx, uri, token)
				lat = append(lat, time.Since(s))
			}
			b.StopTimer()
			m, p99 := marketP50(lat)
			b.ReportMetric(float64(m.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkListingsGeoJSON: the public map of 10 000 listings and 300
// facilities — server time of the first request after a write (one listing
// edited before each), of the next request, and of a full rebuild (a delete
// before each); and the gzipped size (targets < 50 ms, < 400 KB).
func BenchmarkListingsGeoJSON(b *testing.B) {
	for _, backend := range apitest.Backends(b) {
		b.Run(backend, func(b *testing.B) {
			e := apitest.New(b, backend)
			e.MarketLoad(10000, 300)
			e.App.Fiber.Handler()
			h := e.App.Fiber.Server().Handler
			var ctx fasthttp.RequestCtx
			uri := "/api/v1/tenants/baerum/listings.geojson"
			if st := apitest.FastGet(h, &ctx, uri, ""); st != 200 {
				b.Fatal(st)
			}
			var gz bytes.Buffer
			w, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
			_, _ = w.Write(ctx.Response.Body())
			_ = w.Close()
			features := bytes.Count(ctx.Response.Body(), []byte(`"Feature"`))
			if features < 10300 {
				b.Fatalf("%d features", features)
			}
			victim := e.FirstID("baerum", "listings", "title LIKE 'Belastning%'")
			ctxB := e.Ctx("baerum")
			var afterWrite, cached, rebuild []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if err := e.App.DB.Tx(ctxB, func(tx *gorm.DB) error {
					return tx.Model(&market.Listing{}).Where("id = ?", victim).Updates(map[string]any{"title": fmt.Sprintf("Belastning endret %d", i), "updated_at": apitest.Now().UTC()}).Error
				}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				s := time.Now()
				apitest.FastGet(h, &ctx, uri, "")
				m := time.Now()
				apitest.FastGet(h, &ctx, uri, "")
				cached = append(cached, time.Since(m))
				afterWrite = append(afterWrite, m.Sub(s))
				b.StopTimer()
				e.App.Market.ResetMaps() // as after a delete: the next request reloads everything
				b.StartTimer()
				s = time.Now()
				apitest.FastGet(h, &ctx, uri, "")
				rebuild = append(rebuild, time.Since(s))
			}
			b.StopTimer()
			a50, _ := marketP50(afterWrite)
			c50, _ := marketP50(cached)
			r50, _ := marketP50(rebuild)
			b.ReportMetric(float64(a50.Microseconds())/1000, "after-write-p50-ms")
			b.ReportMetric(float64(c50.Microseconds())/1000, "cached-p50-ms")
			b.ReportMetric(float64(r50.Microseconds())/1000, "full-rebuild-p50-ms")
			b.ReportMetric(float64(len(ctx.Response.Body()))/1024, "raw-KB")
			b.ReportMetric(float64(gz.Len())/1024, "gzip-KB")
		})
	}
}
