package app_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestFloodingMemberLeavesOtherRegionServed: on the whole server, a member
// of one region holding their share of in-flight requests (here one: a
// write whose body never comes) is refused more at once with 429, while a
// member of another region, from the same address, is served.
func TestFloodingMemberLeavesOtherRegionServed(t *testing.T) {
	apitest.Each(t, floodingMemberLeavesOtherRegionServed)
}

func floodingMemberLeavesOtherRegionServed(t *testing.T, e *apitest.Env) {
	a := e.Variant(func(c *app.Config) {
		c.Fair = app.FairLimits{PerClient: 1, PerAddr: 8, Anonymous: 8, Imports: 1}
	}, app.Options{})
	base := apitest.Serve(t, a, "127.0.0.1")
	attacker := e.Token("baerum", apitest.OrgAdmin, "read", "write")
	victim := e.Token("rogaland", apitest.RogAdmin, "read", "write")

	// hold sends a write whose body never comes, on a connection of its own.
	hold := func() net.Conn {
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /api/v1/tenants/baerum/listings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{%s", attacker, strings.Repeat(" ", 20<<10))
		// (fasthttp reads the first 8 KB of a streamed body before the handlers run.)
		return conn
	}
	conn := hold()
	defer func() { conn.Close() }()
	// answered reports whether the held write was answered: on a busy
	// machine one of the GETs below can reach the gate before it, and then
	// the write is the one refused. It is sent again until it is held.
	answered := func() bool {
		_ = conn.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		n, _ := conn.Read(b[:])
		_ = conn.SetReadDeadline(time.Time{})
		return n > 0
	}

	get := func(token string) (int, string) {
		req, _ := http.NewRequest("GET", base+"/api/v1/tenants/"+map[string]string{attacker: "baerum", victim: "rogaland"}[token]+"/listings?limit=5", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Retry-After") + " " + string(b)
	}
	deadline := time.Now().Add(15 * time.Second)
	resent := 0
	for {
		s, body := get(attacker)
		if s == 429 {
			if !strings.Contains(body, "rate_limited") || strings.HasPrefix(body, " ") {
				t.Fatalf("refusal: %s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			_ = conn.SetReadDeadline(time.Now().Add(time.Second))
			held, _ := io.ReadAll(conn)
			t.Fatalf("the flooding member's second request in flight: %d, want 429 (held request, sent %d times: %q)", s, resent+1, held)
		}
		if answered() {
			conn.Close()
			conn = hold()
			resent++
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	if s, body := get(victim); s != 200 {
		t.Fatalf("the other region's member: %d %s", s, body)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the other region's member waited %v", d)
	}
}
