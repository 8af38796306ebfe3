package app

import (
	"encoding/json"
	"html"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
)

// Fair scheduling (issue 10): one client flooding must not take the
// server's CPU from other regions' members. Rate limits count requests per
// minute; these limits bound what a client holds at once, and refuse the
// excess at once and cheaply (no body read, no template, no i18n lookup, no
// log line), before the request costs anything:
//
//   - connections per client address, at accept (ConnsPerAddr; a trusted
//     proxy's own connections are not counted: the proxy carries many
//     clients and must cap its own);
//   - requests in flight per client (PerClient): the credential it sends
//     (API token, session cookie or header) or, without one, its address;
//   - requests in flight per address (PerAddr), whatever the credentials,
//     so that made-up credentials cannot escape PerClient;
//   - anonymous requests in flight on the whole instance (Anonymous):
//     when the CPU is saturated, logged-in members keep the rest of it;
//   - lab imports in flight per client (Imports): the costly uploads;
//   - requests running on the instance (Running): beyond it a request
//     waits its turn, and the turns go round the clients that wait, one
//     request each, so that a client with many requests waiting does not
//     make another wait behind all of them (fair queueing); one address
//     runs at most half of them. A request that has waited QueueWait is
//     answered 503.
//
// Live-view streams (…/events) are not counted: they last and have their
// own caps (MASSEFLYT_MAX_LIVE_*).
type FairLimits struct {
	ConnsPerAddr int           // MASSEFLYT_MAX_CONNS_PER_ADDR, default 256
	PerClient    int           // MASSEFLYT_MAX_INFLIGHT_PER_CLIENT, default 16
	PerAddr      int           // MASSEFLYT_MAX_INFLIGHT_PER_ADDR, default 64
	Anonymous    int           // MASSEFLYT_MAX_INFLIGHT_ANONYMOUS, default 64
	Imports      int           // MASSEFLYT_MAX_IMPORTS_PER_CLIENT, default 1
	Running      int           // MASSEFLYT_MAX_RUNNING, default 4 × GOMAXPROCS (at least 8)
	QueueWait    time.Duration // how long a request waits for a running slot, default 10 s
}

// DefaultFairLimits are the defaults; 0 turns a limit off.
var DefaultFairLimits = FairLimits{ConnsPerAddr: 256, PerClient: 16, PerAddr: 64, Anonymous: 64, Imports: 1,
	Running: max(8, 4*runtime.GOMAXPROCS(0)), QueueWait: 10 * time.Second}

// fairGate counts requests in flight. Entries exist only while a request
// is in flight, so it holds no memory per visitor.
type fairGate struct {
	lim       FairLimits
	mu        sync.Mutex
	inflight  map[string]int
	anonymous atomic.Int64
	queue     *fairQueue
	bundle    func() *i18n.Bundle
	once      sync.Once
	refusals  map[int]map[string][]byte // status → "api:"/"ui:" + lang → body, made once
}

const (
	keyClient = "c\x00"
	keyAddr   = "a\x00"
	keyImport = "i\x00"
)

func newFairGate(lim FairLimits, bundle func() *i18n.Bundle) *fairGate {
	g := &fairGate{lim: lim, inflight: map[string]int{}, bundle: bundle}
	if lim.Running > 0 {
		g.queue = newFairQueue(lim.Running, lim.Running/2)
	}
	return g
}

// makeRefusals renders the refusals' bodies, once.
func (g *fairGate) makeRefusals() {
	b := g.bundle()
	g.refusals = map[int]map[string][]byte{}
	for _, r := range []struct {
		status      int
		code, msgID string
	}{{429, "rate_limited", "ErrRateLimited"}, {503, "busy", "ErrBusy"}} {
		m := map[string][]byte{}
		for _, lang := range locales.Supported {
			msg := locales.New(b, lang).T(r.msgID)
			api, _ := json.Marshal(httpx.Problem{Type: "urn:masseflyt:problem:" + r.code, Title: msg, Status: r.status})
			m["api:"+lang] = api
			m["ui:"+lang] = []byte(`<!doctype html><html lang="` + lang + `"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>` +
				html.EscapeString(msg) + `</title><main><h1>` + html.EscapeString(msg) + `</h1></main></html>`)
		}
		g.refusals[r.status] = m
	}
}

// take counts one request in for each key, unless one is at its limit.
func (g *fairGate) take(keys []string, limits []int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, k := range keys {
		if limits[i] > 0 && g.inflight[k] >= limits[i] {
			return false
		}
	}
	for _, k := range keys {
		g.inflight[k]++
	}
	return true
}

func (g *fairGate) give(keys []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range keys {
		if n := g.inflight[k] - 1; n > 0 {
			g.inflight[k] = n
		} else {
			delete(g.inflight, k)
		}
	}
}

// credential is what the request authenticates with, unverified (verifying
// costs a lookup; PerAddr bounds what made-up ones can get).
func credential(c *fiber.Ctx) string {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		return h
	}
	if h := c.Get("X-Session-Token"); h != "" {
		return h
	}
	var cred string
	c.Request().Header.VisitAllCookie(func(k, v []byte) {
		if cred == "" && len(v) > 0 && isSessionCookie(string(k)) {
			cred = string(k) + "=" + string(v)
		}
	})
	return cred
}

// isSessionCookie reports whether a cookie is an identity provider's
// session: identity.dev's, Ory Kratos's or Ory Network's.
func isSessionCookie(name string) bool {
	return name == "mf_dev" || name == "ory_kratos_session" || strings.HasPrefix(name, "ory_session_")
}

// Handler is the middleware; it runs after httpx.ClientAddress and
// httpx.Bodies (which drains or closes what a refused request sent).
func (g *fairGate) Handler() fiber.Handler {
	return func(c *fiber.Ctx) error {
		path := c.Path()
		if strings.HasSuffix(path, "/events") {
			return c.Next()
		}
		addr := httpx.ClientIP(c)
		cred := credential(c)
		var kb [3]string
		var lb [3]int
		keys, limits := kb[:0], lb[:0]
		keys, limits = append(keys, keyAddr+addr), append(limits, g.lim.PerAddr)
		client := keyClient + addr
		if cred != "" {
			client = keyClient + cred
		}
		keys, limits = append(keys, client), append(limits, g.lim.PerClient)
		if strings.HasSuffix(path, "/samples/import") {
			keys, limits = append(keys, keyImport+client), append(limits, g.lim.Imports)
		}
		if !g.take(keys, limits) {
			return g.refuse(c, fiber.StatusTooManyRequests)
		}
		defer g.give(keys)
		if cred == "" && g.lim.Anonymous > 0 {
			if g.anonymous.Add(1) > int64(g.lim.Anonymous) {
				g.anonymous.Add(-1)
				return g.refuse(c, fiber.StatusServiceUnavailable)
			}
			defer g.anonymous.Add(-1)
		}
		if g.queue != nil {
			if !g.queue.acquire(client, addr, g.lim.QueueWait) {
				return g.refuse(c, fiber.StatusServiceUnavailable)
			}
			defer g.queue.release(addr)
		}
		return c.Next()
	}
}

// refuse answers at once from bodies made at start: problem+json for the
// API, a small page for the UI, in the language asked for.
func (g *fairGate) refuse(c *fiber.Ctx, status int) error {
	g.once.Do(g.makeRefusals)
	lang := c.Query("lang")
	if !locales.IsSupported(lang) {
		lang = c.Cookies("lang")
	}
	if !locales.IsSupported(lang) {
		lang = locales.LangFromAcceptLanguage(c.Get(fiber.HeaderAcceptLanguage))
	}
	if !locales.IsSupported(lang) {
		lang = locales.Default
	}
	kind, ct := "ui:", fiber.MIMETextHTMLCharsetUTF8
	if !httpx.WantsHTML(c) {
		kind, ct = "api:", "application/problem+json; charset=utf-8"
	}
	h := &c.Response().Header
	if len(h.Peek(fiber.HeaderRetryAfter)) == 0 { // the rate limiter sets its own
		h.Set(fiber.HeaderRetryAfter, "1")
	}
	h.Set(fiber.HeaderContentLanguage, lang)
	h.Set(fiber.HeaderCacheControl, "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.SetContentType(ct)
	c.Status(status)
	return c.Send(g.refusals[status][kind+lang])
}

// fairQueue hands out the instance's running slots, round-robin over the
// clients waiting for one. One client address holds at most share of them,
// so that requests that hold a slot without using the CPU (a body sent
// slowly) cannot take them all.
type fairQueue struct {
	mu      sync.Mutex
	free    int
	share   int
	running map[string]int // slots held per client address
	order   []string       // clients with requests waiting, in turn order
	waiting map[string][]waiter
}

type waiter struct {
	ch   chan struct{}
	addr string
}

func newFairQueue(slots, share int) *fairQueue {
	return &fairQueue{free: slots, share: max(1, share), running: map[string]int{}, waiting: map[string][]waiter{}}
}

// acquire waits up to wait for a slot for one of client's requests from
// addr; false when none came.
func (q *fairQueue) acquire(client, addr string, wait time.Duration) bool {
	q.mu.Lock()
	if q.free > 0 && len(q.order) == 0 && q.running[addr] < q.share {
		q.free--
		q.running[addr]++
		q.mu.Unlock()
		return true
	}
	ch := make(chan struct{}, 1)
	if len(q.waiting[client]) == 0 {
		q.order = append(q.order, client)
	}
	q.waiting[client] = append(q.waiting[client], waiter{ch, addr})
	q.dispatch()
	q.mu.Unlock()
	if wait <= 0 {
		wait = 10 * time.Second
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	w := q.waiting[client]
	for i, x := range w {
		if x.ch == ch {
			w = append(w[:i], w[i+1:]...)
			if len(w) == 0 {
				delete(q.waiting, client)
				q.order = slices.DeleteFunc(q.order, func(k string) bool { return k == client })
			} else {
				q.waiting[client] = w
			}
			return false
		}
	}
	return true // granted as the timer fired
}

// release gives back a slot held for a request from addr.
func (q *fairQueue) release(addr string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n := q.running[addr] - 1; n > 0 {
		q.running[addr] = n
	} else {
		delete(q.running, addr)
	}
	q.free++
	q.dispatch()
}

// dispatch grants free slots to the waiting clients in turn, skipping a
// client whose next request's address holds its share.
func (q *fairQueue) dispatch() {
	for q.free > 0 {
		i := slices.IndexFunc(q.order, func(client string) bool { return q.running[q.waiting[client][0].addr] < q.share })
		if i < 0 {
			return
		}
		client := q.order[i]
		q.order = slices.Delete(q.order, i, i+1)
		w := q.waiting[client]
		next := w[0]
		if len(w) == 1 {
			delete(q.waiting, client)
		} else {
			q.waiting[client] = w[1:]
			q.order = append(q.order, client) // to the back of the round
		}
		q.free--
		q.running[next.addr]++
		next.ch <- struct{}{}
	}
}

// refusals answers the rate limits' 429 as cheaply as the gate's.
var rateRefusals = newFairGate(FairLimits{}, locales.MustBundle)

// fairListener refuses a client address's connections beyond max at
// accept: a short 429 and close. Trusted proxies' connections are not
// counted.
type fairListener struct {
	net.Listener
	max     int
	trusted []netip.Prefix
	mu      sync.Mutex
	conns   map[netip.Addr]int
}

func limitConns(ln net.Listener, max int, trusted []netip.Prefix) net.Listener {
	if max <= 0 {
		return ln
	}
	return &fairListener{Listener: ln, max: max, trusted: trusted, conns: map[netip.Addr]int{}}
}

var connRefusal = []byte("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")

func (l *fairListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ap, perr := netip.ParseAddrPort(c.RemoteAddr().String())
		if perr != nil {
			return c, nil
		}
		addr := ap.Addr().Unmap()
		if httpx.IsTrusted(addr, l.trusted) {
			return c, nil
		}
		l.mu.Lock()
		n := l.conns[addr]
		if n >= l.max {
			l.mu.Unlock()
			_ = c.SetWriteDeadline(clock.Real().Add(100 * time.Millisecond))
			_, _ = c.Write(connRefusal)
			_ = c.Close()
			continue
		}
		l.conns[addr] = n + 1
		l.mu.Unlock()
		release := func() {
			l.mu.Lock()
			if n := l.conns[addr] - 1; n > 0 {
				l.conns[addr] = n
			} else {
				delete(l.conns, addr)
			}
			l.mu.Unlock()
		}
		// Embedding the *net.TCPConn keeps its writev (net.Buffers) for the
		// live streams.
		if tc, ok := c.(*net.TCPConn); ok {
			return &countedTCPConn{TCPConn: tc, release: release}, nil
		}
		return &countedConn{Conn: c, release: release}, nil
	}
}

type countedTCPConn struct {
	*net.TCPConn
	once    sync.Once
	release func()
}

func (c *countedTCPConn) Close() error {
	c.once.Do(c.release)
	return c.TCPConn.Close()
}

type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// listen serves on Config.Addr, capping connections per client address
// (Fair.ConnsPerAddr).
func (a *App) listen() error {
	ln, err := net.Listen(a.Fiber.Config().Network, a.Config.Addr)
	if err != nil {
		return err
	}
	return a.Fiber.Listener(limitConns(ln, a.Config.Fair.ConnsPerAddr, a.Config.TrustedProxies))
}
