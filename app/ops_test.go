package app_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// opsApp builds an app on a seeded SQLite copy with a changed configuration
// and its logs written to logs.
func opsApp(t *testing.T, tweak func(*app.Config), logs *bytes.Buffer) *app.App {
	return apitest.New(t, "sqlite").Variant(tweak, app.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
}

func TestRateLimits(t *testing.T) {
	a := opsApp(t, func(c *app.Config) { c.APIRateLimit, c.LoginRateLimit = 3, 2 }, &bytes.Buffer{})
	e := &apitest.Env{T: t, App: a, Backend: "sqlite"}
	for i := 0; i < 3; i++ {
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations"}); r.Status != 200 {
			t.Fatalf("request %d: %d", i, r.Status)
		}
	}
	p := apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations"}), 429, "rate_limited")
	if !strings.Contains(p.Title, "For mange") {
		t.Fatalf("title %q", p.Title)
	}
	for i := 0; i < 2; i++ {
		e.Do(apitest.Request{Path: "/auth/dev"})
	}
	if r := e.Do(apitest.Request{Path: "/auth/dev"}); r.Status != 429 {
		t.Fatalf("login limit: %d", r.Status)
	}
}

// TestLogsCarryNoPersonalData: one JSON line per request with a request ID,
// and no query string, e-mail, IP or user agent.
func TestLogsCarryNoPersonalData(t *testing.T) {
	var logs bytes.Buffer
	a := opsApp(t, func(c *app.Config) {}, &logs)
	e := &apitest.Env{T: t, App: a, Backend: "sqlite"}
	r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations?q=kari.nordmann@example.no", As: apitest.OrgAdmin, Header: map[string]string{"User-Agent": "SecretAgent/1.0", "X-Forwarded-For": "203.0.113.7"}})
	if r.Status != 200 {
		t.Fatal(r.Status)
	}
	out := logs.String()
	for _, secret := range []string{"kari.nordmann", "example.no", "SecretAgent", "203.0.113.7", apitest.OrgAdmin} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, `"request_id":"`+r.Header.Get("X-Request-Id")+`"`) || !strings.Contains(out, `"route":"/api/v1/tenants/:tenant/organizations"`) {
		t.Fatalf("log line lacks request ID or route: %s", out)
	}
}

// TestGracefulShutdown: Serve answers, then returns cleanly when its context ends.
func TestGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	a := opsApp(t, func(c *app.Config) { c.Addr = addr }, &bytes.Buffer{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get(fmt.Sprintf("http://%s/readyz", addr)); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v", err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no shutdown within 10 s")
	}
}
