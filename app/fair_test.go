package app

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
)

// fairServer serves the middleware chain's front (client address, bodies,
// the fair gate) over a real listener with the connection cap. /slow holds
// its request until release is closed; every other path answers at once.
func fairServer(t *testing.T, lim FairLimits, trusted []netip.Prefix) (addr string, entered <-chan struct{}, release func()) {
	t.Helper()
	f := fiber.New(fiber.Config{DisableStartupMessage: true, StreamRequestBody: true})
	f.Use(httpx.ClientAddress(trusted))
	f.Use(httpx.Bodies(1 << 20))
	f.Use(newFairGate(lim, locales.MustBundle).Handler())
	in := make(chan struct{}, 64)
	hold := make(chan struct{})
	slow := func(c *fiber.Ctx) error {
		in <- struct{}{}
		<-hold
		return c.SendString("slow")
	}
	f.Get("/slow", slow)
	f.Post("/api/v1/tenants/:t/listings/:id/samples/import", slow)
	f.Get("/api/v1/slow", slow)
	f.Get("/t/baerum/live/events", slow)
	f.Get("/fast", func(c *fiber.Ctx) error { return c.SendString("fast") })
	f.Get("/api/v1/fast", func(c *fiber.Ctx) error { return c.SendString("fast") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = f.Listener(limitConns(ln, lim.ConnsPerAddr, trusted)) }()
	var closed bool
	release = func() {
		if !closed {
			closed = true
			close(hold)
		}
	}
	t.Cleanup(func() { release(); _ = f.ShutdownWithTimeout(2 * time.Second) })
	return ln.Addr().String(), in, release
}

// from is an HTTP client whose connections come from a loopback address
// of its own (127.0.0.0/8 is all loopback on Linux).
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 2 * time.Second}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64}}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, c *http.Client, method, url string, header ...string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(b)}
}

// hold starts n requests that stay in flight, and waits until they are.
func hold(t *testing.T, c *http.Client, entered <-chan struct{}, n int, method, url string, header ...string) {
	t.Helper()
	for i := 0; i < n; i++ {
		go func() {
			req, _ := http.NewRequest(method, url, nil)
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			if res, err := c.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case <-entered:
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d of %d held requests reached the handler", i, n)
		}
	}
}

// TestFloodFromOneAddressLeavesOthersServed: a client holding its share of
// in-flight requests is refused further ones at once with 429 and
// Retry-After, in the API's problem+json or a small page, while another
// address, another member and a logged-in member are served at once.
func TestFloodFromOneAddressLeavesOthersServed(t *testing.T) {
	lim := FairLimits{PerClient: 2, PerAddr: 4, Anonymous: 3, Imports: 1}
	cases := []struct {
		name string
		run  func(t *testing.T, base string, entered <-chan struct{})
	}{
		{"anonymous address full, another address served", func(t *testing.T, base string, entered <-chan struct{}) {
			atk := from("127.0.0.1")
			hold(t, atk, entered, 2, "GET", base+"/slow")
			start := time.Now()
			a := get(t, atk, "GET", base+"/api/v1/fast", "Accept-Language", "en")
			if a.status != 429 || a.header.Get("Retry-After") == "" || !strings.HasPrefix(a.header.Get("Content-Type"), "application/problem+json") ||
				!strings.Contains(a.body, `"status":429`) || !strings.Contains(a.body, "Too many requests") {
				t.Fatalf("third request from the flooding address: %d %v %s", a.status, a.header, a.body)
			}
			if p := get(t, atk, "GET", base+"/fast", "Cookie", "lang=nn"); p.status != 429 || !strings.Contains(p.body, `lang="nn"`) || !strings.Contains(p.body, "For mange førespurnader") {
				t.Fatalf("refused page: %d %s", p.status, p.body)
			}
			if o := get(t, from("127.0.0.2"), "GET", base+"/fast"); o.status != 200 {
				t.Fatalf("another address: %d %s", o.status, o.body)
			}
			if d := time.Since(start); d > time.Second {
				t.Fatalf("refusal and service took %v", d)
			}
		}},
		{"member full, another member at the same address served", func(t *testing.T, base string, entered <-chan struct{}) {
			c := from("127.0.0.1")
			hold(t, c, entered, 2, "GET", base+"/api/v1/slow", "Authorization", "Bearer member-a")
			if a := get(t, c, "GET", base+"/api/v1/fast", "Authorization", "Bearer member-a"); a.status != 429 {
				t.Fatalf("member a's third request: %d", a.status)
			}
			if b := get(t, c, "GET", base+"/api/v1/fast", "Authorization", "Bearer member-b"); b.status != 200 {
				t.Fatalf("member b: %d %s", b.status, b.body)
			}
		}},
		{"a session cookie is the member's credential", func(t *testing.T, base string, entered <-chan struct{}) {
			c := from("127.0.0.1")
			hold(t, c, entered, 2, "GET", base+"/slow", "Cookie", "lang=nb; mf_dev=member-a")
			if a := get(t, c, "GET", base+"/fast", "Cookie", "mf_dev=member-a; lang=en"); a.status != 429 {
				t.Fatalf("member a's third request: %d", a.status)
			}
			if b := get(t, c, "GET", base+"/fast", "Cookie", "ory_session_abc=member-b"); b.status != 200 {
				t.Fatalf("member b: %d", b.status)
			}
		}},
		{"made-up credentials stop at the address's share", func(t *testing.T, base string, entered <-chan struct{}) {
			c := from("127.0.0.1")
			for i := 0; i < 4; i++ {
				hold(t, c, entered, 1, "GET", base+"/api/v1/slow", "Authorization", "Bearer made-up-"+strconv.Itoa(i))
			}
			if a := get(t, c, "GET", base+"/api/v1/fast", "Authorization", "Bearer made-up-9"); a.status != 429 {
				t.Fatalf("fifth request from one address: %d", a.status)
			}
			if o := get(t, from("127.0.0.2"), "GET", base+"/api/v1/fast", "Authorization", "Bearer made-up-9"); o.status != 200 {
				t.Fatalf("another address: %d", o.status)
			}
		}},
		{"anonymous requests saturate, members keep being served", func(t *testing.T, base string, entered <-chan struct{}) {
			for _, ip := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
				hold(t, from(ip), entered, 1, "GET", base+"/slow")
			}
			a := get(t, from("127.0.0.4"), "GET", base+"/api/v1/fast")
			if a.status != 503 || a.header.Get("Retry-After") == "" || !strings.Contains(a.body, "busy") {
				t.Fatalf("anonymous request beyond the instance's share: %d %s", a.status, a.body)
			}
			if m := get(t, from("127.0.0.4"), "GET", base+"/api/v1/fast", "Authorization", "Bearer member"); m.status != 200 {
				t.Fatalf("member while anonymous requests saturate: %d", m.status)
			}
		}},
		{"one lab import at a time per member", func(t *testing.T, base string, entered <-chan struct{}) {
			c := from("127.0.0.1")
			imp := base + "/api/v1/tenants/baerum/listings/x/samples/import"
			hold(t, c, entered, 1, "POST", imp, "Authorization", "Bearer member")
			if a := get(t, c, "POST", imp, "Authorization", "Bearer member"); a.status != 429 {
				t.Fatalf("second concurrent import: %d", a.status)
			}
			hold(t, c, entered, 1, "POST", imp, "Authorization", "Bearer other") // another member's import goes in
		}},
		{"live streams do not count", func(t *testing.T, base string, entered <-chan struct{}) {
			c := from("127.0.0.1")
			hold(t, c, entered, 5, "GET", base+"/t/baerum/live/events")
			if a := get(t, c, "GET", base+"/fast"); a.status != 200 {
				t.Fatalf("a page while 5 streams are open: %d", a.status)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, entered, release := fairServer(t, lim, nil)
			tc.run(t, "http://"+addr, entered)
			release()
		})
	}
}

// TestGateOffWhenZero: 0 turns every limit off.
func TestGateOffWhenZero(t *testing.T) {
	addr, entered, release := fairServer(t, FairLimits{}, nil)
	defer release()
	c := from("127.0.0.1")
	hold(t, c, entered, 20, "GET", "http://"+addr+"/slow")
	if a := get(t, c, "GET", "http://"+addr+"/fast"); a.status != 200 {
		t.Fatalf("%d", a.status)
	}
}

// TestConnectionsPerAddressCapped: one address's connections beyond the
// cap are refused at accept with 429; another address connects, and a
// trusted proxy's connections (which carry many clients) are not capped.
func TestConnectionsPerAddressCapped(t *testing.T) {
	proxy := netip.MustParsePrefix("127.0.0.9/32")
	addr, _, release := fairServer(t, FairLimits{ConnsPerAddr: 2}, []netip.Prefix{proxy})
	defer release()
	dial := func(ip string) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 2 * time.Second}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	status := func(c net.Conn) int {
		_ = c.SetDeadline(time.Now().Add(3 * time.Second))
		if _, err := io.WriteString(c, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return -1 // refused and closed before the request was written
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return -1
		}
		res.Body.Close()
		return res.StatusCode
	}
	a, b := dial("127.0.0.1"), dial("127.0.0.1")
	for _, c := range []net.Conn{a, b} {
		if s := status(c); s != 200 {
			t.Fatalf("connection within the cap: %d", s)
		}
	}
	if s := status(dial("127.0.0.1")); s != 429 {
		t.Fatalf("third connection from one address: %d, want 429", s)
	}
	if s := status(dial("127.0.0.2")); s != 200 {
		t.Fatalf("another address: %d", s)
	}
	for i := 0; i < 4; i++ {
		if s := status(dial("127.0.0.9")); s != 200 {
			t.Fatalf("trusted proxy's connection %d: %d", i+1, s)
		}
	}
	// A closed connection gives its place back.
	a.Close()
	deadline := time.Now().Add(3 * time.Second)
	for {
		s := status(dial("127.0.0.1"))
		if s == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a connection closed: %d", s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWaitingClientsTakeTurns: when every running slot is taken, the
// clients waiting get the freed slots in turn, one request each: a client
// with one request waiting is not served after all of a flooding client's.
// A request that waits too long is refused and leaves no trace.
func TestWaitingClientsTakeTurns(t *testing.T) {
	q := newFairQueue(1, 1)
	if !q.acquire("flood", "flood", time.Second) {
		t.Fatal("a free slot was not given")
	}
	waiters := func() int {
		q.mu.Lock()
		defer q.mu.Unlock()
		n := 0
		for _, w := range q.waiting {
			n += len(w)
		}
		return n
	}
	granted := make(chan string, 8)
	enqueue := func(client string) {
		n := waiters()
		go func() {
			if q.acquire(client, client, 10*time.Second) {
				granted <- client
			}
		}()
		for waiters() == n {
			time.Sleep(time.Millisecond)
		}
	}
	enqueue("flood")
	enqueue("flood")
	enqueue("flood")
	enqueue("other")
	var order []string
	for i := 0; i < 4; i++ {
		holder := "flood" // the first slot's
		if len(order) > 0 {
			holder = order[len(order)-1]
		}
		q.release(holder)
		select {
		case c := <-granted:
			order = append(order, c)
		case <-time.After(5 * time.Second):
			t.Fatalf("no grant after release %d (so far %v)", i+1, order)
		}
	}
	if got := strings.Join(order, ","); got != "flood,other,flood,flood" {
		t.Fatalf("turns %s, want flood,other,flood,flood", got)
	}
	// The slot is still held: a request that waits too long gets false.
	if q.acquire("late", "late", 30*time.Millisecond) {
		t.Fatal("acquired a slot that was taken")
	}
	if n := waiters(); n != 0 || len(q.order) != 0 {
		t.Fatalf("a refused waiter left %d waiting, order %v", n, q.order)
	}
	q.release("flood")
	if !q.acquire("late", "late", time.Second) || q.free != 0 {
		t.Fatalf("the freed slot was not given (free %d)", q.free)
	}
}

// TestOneAddressCannotHoldEverySlot: requests that hold their slot without
// using the CPU (a body sent slowly) from one address get at most its
// share; another address is served at once.
func TestOneAddressCannotHoldEverySlot(t *testing.T) {
	q := newFairQueue(4, 2)
	for i := 0; i < 2; i++ {
		if !q.acquire("slow-"+strconv.Itoa(i), "10.0.0.1", time.Second) {
			t.Fatal("within the share")
		}
	}
	if q.acquire("slow-2", "10.0.0.1", 30*time.Millisecond) {
		t.Fatal("an address got more than its share while slots were free")
	}
	// Nothing is released before it: a slot given within the wait is one
	// that was free, and the bound only catches a wait for the timeout.
	start := time.Now()
	if !q.acquire("other", "10.0.0.2", 5*time.Second) || time.Since(start) > 2*time.Second {
		t.Fatal("another address waited")
	}
	q.release("10.0.0.1")
	if !q.acquire("slow-2", "10.0.0.1", time.Second) {
		t.Fatal("the address's freed share was not given back")
	}
}

// TestFairSettingsAreReadAndChecked: the fairness limits have their
// defaults, are read from the environment (0 turns one off), and an
// unreadable value stops the start.
func TestFairSettingsAreReadAndChecked(t *testing.T) {
	for _, name := range []string{"MASSEFLYT_MAX_CONNS_PER_ADDR", "MASSEFLYT_MAX_INFLIGHT_PER_CLIENT", "MASSEFLYT_MAX_INFLIGHT_PER_ADDR",
		"MASSEFLYT_MAX_INFLIGHT_ANONYMOUS", "MASSEFLYT_MAX_IMPORTS_PER_CLIENT", "MASSEFLYT_MAX_RUNNING"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, "-1")
			cfg := DefaultConfig()
			if err := cfg.Finish(); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=-1: err = %v", name, err)
			}
		})
	}
	if cfg := DefaultConfig(); cfg.Fair != DefaultFairLimits || cfg.Fair.PerClient != 16 || cfg.Fair.Running < 8 {
		t.Errorf("defaults %+v", cfg.Fair)
	}
	t.Setenv("MASSEFLYT_MAX_INFLIGHT_PER_CLIENT", "3")
	t.Setenv("MASSEFLYT_MAX_RUNNING", "0")
	if cfg := DefaultConfig(); cfg.Fair.PerClient != 3 || cfg.Fair.Running != 0 || cfg.Fair.PerAddr != 64 {
		t.Errorf("from the environment %+v", cfg.Fair)
	}
}
