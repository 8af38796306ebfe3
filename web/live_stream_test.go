package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// openStreams opens n live streams on raw connections and reads each one's
// head and first event.
func openStreams(t *testing.T, addr string, n int, proto string) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	buf := make([]byte, 64<<10)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET /t/baerum/live/events %s\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", proto, addr)
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		got := ""
		for !strings.Contains(got, "event: stats") {
			k, err := c.Read(buf)
			if err != nil {
				t.Fatalf("stream %d: %v after %q", i, err, got)
			}
			got += string(buf[:k])
		}
		_ = c.SetReadDeadline(time.Time{})
	}
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	return conns
}

// TestLiveStreamCostsLittle: a live stream holds one goroutine of its own
// and none of fasthttp's buffers (issue 16: the body stream writer took two
// goroutines, a pipe, a 16 KB read and two 4 KB write buffers, about 40 KB
// a client): 300 streams add one goroutine each, none inside fasthttp's
// hijack handler (which would keep the request's read buffer and context),
// none in a stream pipe, and under 12 KB of heap and stacks each, counted
// in this process with the clients' side.
func TestLiveStreamCostsLittle(t *testing.T) {
	e := apitest.New(t, "sqlite")
	a := e.Variant(func(c *app.Config) { c.MaxLivePerClient, c.MaxLivePerTenant = 0, 0 }, app.Options{})
	base := apitest.Serve(t, a, "127.0.0.1")
	addr := strings.TrimPrefix(base, "http://")
	openStreams(t, addr, 5, "HTTP/1.1") // warm the pools and the statistics
	time.Sleep(100 * time.Millisecond)
	before, mem0 := runtime.NumGoroutine(), memInUse()
	const n = 300
	openStreams(t, addr, n, "HTTP/1.1")
	time.Sleep(100 * time.Millisecond)
	if a.Live.Clients() != n+5 {
		t.Fatalf("%d streams", a.Live.Clients())
	}
	perStream := float64(memInUse()-mem0) / n
	stacks := make([]byte, 64<<20)
	all := string(stacks[:runtime.Stack(stacks, true)])
	pump, hijack, pipe := 0, 0, 0
	for _, g := range strings.Split(all, "\n\n") {
		switch {
		case strings.Contains(g, "hijackConnHandler"):
			hijack++
		case strings.Contains(g, "NewStreamReader") || strings.Contains(g, "fasthttputil"):
			pipe++
		case strings.Contains(g, "(*sseWriter).pump"):
			pump++
		}
	}
	if pump != n+5 || hijack != 0 || pipe != 0 {
		t.Fatalf("goroutines: %d writing streams, %d in fasthttp's hijack handler, %d in body stream pipes; want %d, 0, 0", pump, hijack, pipe, n+5)
	}
	// Workers fasthttp keeps idle for a while may remain: allow a few.
	// (The count of writing streams above is exact; the process's total
	// may also lose a goroutine that ended meanwhile, as one did in CI.)
	if d := runtime.NumGoroutine() - before; d > n+20 {
		t.Fatalf("%d streams added %d goroutines", n, d)
	}
	t.Logf("%.0f bytes of heap and stacks per stream", perStream)
	if perStream > 12<<10 {
		t.Fatalf("%.0f bytes per stream, want under 12 KB", perStream)
	}
}

func memInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// TestLiveStreamFraming: an HTTP/1.1 stream is chunked and ends cleanly
// when the hub closes; an HTTP/1.0 one is the plain body until the
// connection closes.
func TestLiveStreamFraming(t *testing.T) {
	e := apitest.New(t, "sqlite")
	base := apitest.Serve(t, e.App, "127.0.0.1")
	addr := strings.TrimPrefix(base, "http://")
	read := func(c net.Conn) string {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, _ := io.ReadAll(bufio.NewReader(c))
		return string(b)
	}
	c11 := openStreams(t, addr, 1, "HTTP/1.1")[0]
	c10 := openStreams(t, addr, 1, "HTTP/1.0")[0]
	e.App.Live.Close()
	if rest := read(c11); !strings.HasSuffix(rest, "0\r\n\r\n") {
		t.Fatalf("HTTP/1.1 stream did not end with the last chunk: %q", rest)
	}
	if rest := read(c10); strings.Contains(rest, "0\r\n\r\n") {
		t.Fatalf("HTTP/1.0 stream is chunked: %q", rest)
	}
}
