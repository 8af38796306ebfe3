package widgets_test

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// BenchmarkWidgetData compares the widgets' listing data endpoint (a
// tenant's 10,000 listings, served from cache through the whole stack:
// host rewrite, tenant, origin check, rate limiter, ETag) with a static
// file of the same bytes served by Fiber's file server, over real HTTP on
// loopback. Parallel clients alternate between the two request by request,
// so both see the same machine load. Sub-benchmarks: identity and gzip
// (the static server then compresses from its own file cache, as a CDN or
// nginx with gzip_static would). widget-rps-%-of-static must be ≥ 50.
func BenchmarkWidgetData(b *testing.B) {
	for _, backend := range apitest.Backends(b) {
		e := apitest.New(b, backend)
		e.MarketLoad(10000, 0)
		e.SetOrigins("baerum", "https://www.baerum.kommune.no")
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = e.App.Fiber.Listener(ln) }()
		path := "/widgets/v1/data/baerum/listings"
		client := &fasthttp.Client{MaxConnsPerHost: 64, MaxResponseBodySize: 64 << 20, ReadBufferSize: 64 << 10}
		get := func(addr string, gz bool) []byte {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://" + addr + path)
			req.Header.Set("Origin", "https://www.baerum.kommune.no")
			if gz {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
				b.Fatalf("%s: %v %d", addr, err, resp.StatusCode())
			}
			return append([]byte(nil), resp.Body()...)
		}
		body := get(ln.Addr().String(), false)
		if n := bytes.Count(body, []byte(`"url":`)); n < 10000 {
			b.Fatalf("the feed has %d listings, want 10000", n)
		}
		dir := b.TempDir()
		file := filepath.Join(dir, "widgets", "v1", "data", "baerum")
		if err := os.MkdirAll(file, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(file, "listings"), body, 0o644); err != nil {
			b.Fatal(err)
		}
		static := fiber.New(fiber.Config{DisableStartupMessage: true})
		static.Static("/", dir, fiber.Static{Compress: true})
		sln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = static.Listener(sln) }()
		if !bytes.Equal(get(sln.Addr().String(), false), body) {
			b.Fatal("static body differs")
		}
		for _, gz := range []bool{false, true} {
			name := backend + "/identity"
			if gz {
				name = backend + "/gzip"
			}
			b.Run(name, func(b *testing.B) {
				var tStatic, tWidget atomic.Int64
				b.SetBytes(int64(len(body)))
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						s := time.Now()
						get(sln.Addr().String(), gz)
						m := time.Now()
						get(ln.Addr().String(), gz)
						tWidget.Add(int64(time.Since(m)))
						tStatic.Add(int64(m.Sub(s)))
					}
				})
				b.StopTimer()
				sNs := float64(tStatic.Load()) / float64(b.N)
				wNs := float64(tWidget.Load()) / float64(b.N)
				b.ReportMetric(sNs/1e6, "static-ms/req")
				b.ReportMetric(wNs/1e6, "widget-ms/req")
				b.ReportMetric(100*sNs/wNs, "widget-rps-%-of-static")
				b.ReportMetric(float64(len(body))/1024, "body-KB")
			})
		}
		_ = static.Shutdown()
		_ = e.App.Fiber.Shutdown()
	}
}
