package widgets_test

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// Issue 16: what requests cost at scale, server time in process (the whole
// middleware stack, no network).

type scaleReq struct {
	uri, encoding, ifNoneMatch, origin string
}

func scaleDo(h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx, r scaleReq) int {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.ResetUserValues()
	ctx.Request.SetRequestURI(r.uri)
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.Header.SetHost("localhost")
	if r.encoding != "" {
		ctx.Request.Header.Set("Accept-Encoding", r.encoding)
	}
	if r.ifNoneMatch != "" {
		ctx.Request.Header.Set("If-None-Match", r.ifNoneMatch)
	}
	if r.origin != "" {
		ctx.Request.Header.Set("Origin", r.origin)
	}
	h(ctx)
	return ctx.Response.StatusCode()
}

// scaleMeasure runs b.N requests and returns their p50 in ms (reported
// by the caller at the end: b.ResetTimer drops reported metrics).
func scaleMeasure(b *testing.B, h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx, r scaleReq, status int, name string) float64 {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		s := time.Now()
		if st := scaleDo(h, ctx, r); st != status {
			b.Fatalf("%s: %d, want %d", name, st, status)
		}
		lat = append(lat, time.Since(s))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return float64(lat[len(lat)/2].Microseconds()) / 1000
}

// BenchmarkScaleMapBrowser: the public map of 10 000 listings and 300
// facilities asked for as a browser does (Accept-Encoding: gzip, br), from
// the API and from the map widget, and again conditionally (If-None-Match:
// 304). The document is compressed once per change: target < 1 ms.
func BenchmarkScaleMapBrowser(b *testing.B) {
	for _, backend := range apitest.Backends(b) {
		b.Run(backend, func(b *testing.B) {
			e := apitest.New(b, backend)
			e.MarketLoad(10000, 300)
			e.SetOrigins("baerum", "https://www.baerum.kommune.no")
			e.App.Fiber.Handler()
			h := e.App.Fiber.Server().Handler
			var ctx fasthttp.RequestCtx
			metrics := map[string]float64{}
			defer func() {
				for k, v := range metrics {
					b.ReportMetric(v, k)
				}
			}()
			for _, c := range []struct{ name, uri, origin string }{
				{"api", "/api/v1/tenants/baerum/listings.geojson", ""},
				{"widget", "/widgets/v1/data/baerum/map", "https://www.baerum.kommune.no"},
			} {
				browser := scaleReq{uri: c.uri, encoding: "gzip, deflate, br, zstd", origin: c.origin}
				if st := scaleDo(h, &ctx, browser); st != 200 || string(ctx.Response.Header.Peek("Content-Encoding")) != "gzip" {
					b.Fatalf("%s: %d %q", c.name, st, ctx.Response.Header.Peek("Content-Encoding"))
				}
				gz := len(ctx.Response.Body())
				etag := string(ctx.Response.Header.Peek("ETag"))
				if etag == "" {
					b.Fatalf("%s: no ETag", c.name)
				}
				b.ResetTimer()
				metrics[c.name+"-gzip-p50-ms"] = scaleMeasure(b, h, &ctx, browser, 200, c.name+"-gzip")
				if got := len(ctx.Response.Body()); got != gz || !bytes.Equal(ctx.Response.Header.Peek("ETag"), []byte(etag)) {
					b.Fatalf("%s: the document changed: %d bytes, was %d", c.name, got, gz)
				}
				metrics[c.name+"-304-p50-ms"] = scaleMeasure(b, h, &ctx, scaleReq{uri: c.uri, encoding: browser.encoding, ifNoneMatch: etag, origin: c.origin}, 304, c.name+"-304")
				b.StopTimer()
				metrics[c.name+"-gzip-KB"] = float64(gz) / 1024
			}
		})
	}
}

// BenchmarkScaleMarketPage: the market list at 100 000 listings (and the
// demo's) for a visitor: the web page and the API's first page, by date;
// the API's later pages walk on by cursor. Target: the page < 10 ms.
func BenchmarkScaleMarketPage(b *testing.B) {
	for _, backend := range apitest.Backends(b) {
		b.Run(backend, func(b *testing.B) {
			e := apitest.New(b, backend)
			e.MarketLoad(scaleN(100_000), 300)
			e.App.Fiber.Handler()
			h := e.App.Fiber.Server().Handler
			var ctx fasthttp.RequestCtx
			metrics := map[string]float64{}
			defer func() {
				for k, v := range metrics {
					b.ReportMetric(v, k)
				}
			}()
			for _, c := range []struct{ name, uri string }{
				{"page", "/t/baerum/listings"},
				{"page-quantity", "/t/baerum/listings?sort=quantity"},
				{"api", "/api/v1/tenants/baerum/listings?limit=100"},
				{"api-quantity", "/api/v1/tenants/baerum/listings?limit=100&sort=quantity"},
			} {
				r := scaleReq{uri: c.uri}
				if st := scaleDo(h, &ctx, r); st != 200 {
					b.Fatalf("%s: %d %s", c.name, st, ctx.Response.Body())
				}
				b.ResetTimer()
				metrics[c.name+"-p50-ms"] = scaleMeasure(b, h, &ctx, r, 200, c.name)
				b.StopTimer()
			}
		})
	}
}

// scaleN is n, or MASSEFLYT_SCALE_N when set (a quicker profile).
func scaleN(n int) int {
	if v, err := strconv.Atoi(os.Getenv("MASSEFLYT_SCALE_N")); err == nil && v > 0 {
		return v
	}
	return n
}

// BenchmarkScaleMapViews: the map widget's data at 50 000 listings by
// viewport and zoom, as a phone (400 × 800 px) asks for it, from the whole
// region at zoom 8 to a street at zoom 16: the largest gzipped payload
// (target < 300 KB at any zoom) and the p50 server time.
func BenchmarkScaleMapViews(b *testing.B) {
	for _, backend := range apitest.Backends(b) {
		b.Run(backend, func(b *testing.B) {
			e := apitest.New(b, backend)
			e.MarketLoad(scaleN(50_000), 300)
			e.SetOrigins("baerum", "https://www.baerum.kommune.no")
			e.App.Fiber.Handler()
			h := e.App.Fiber.Server().Handler
			var ctx fasthttp.RequestCtx
			metrics := map[string]float64{}
			defer func() {
				for k, v := range metrics {
					b.ReportMetric(v, k)
				}
			}()
			var lat []time.Duration
			maxKB := 0.0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for zoom := 8; zoom <= 16; zoom++ {
					// The phone's view around the region's middle.
					deg := 360 / (256 * float64(uint(1)<<uint(zoom)))
					cLat, cLon := 59.9, 10.65
					bbox := fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", cLon-200*deg, cLat-400*deg*0.5, cLon+200*deg, cLat+400*deg*0.5)
					r := scaleReq{uri: "/widgets/v1/data/baerum/map?bbox=" + bbox + "&zoom=" + strconv.Itoa(zoom), encoding: "gzip, br", origin: "https://www.baerum.kommune.no"}
					s := time.Now()
					if st := scaleDo(h, &ctx, r); st != 200 {
						b.Fatalf("zoom %d: %d %s", zoom, st, ctx.Response.Body())
					}
					lat = append(lat, time.Since(s))
					if kb := float64(len(ctx.Response.Body())) / 1024; kb > maxKB {
						maxKB = kb
					}
				}
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			metrics["p50-ms"] = float64(lat[len(lat)/2].Microseconds()) / 1000
			metrics["max-gzip-KB"] = maxKB
		})
	}
}
