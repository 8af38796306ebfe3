package apitest

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// SSEEvent is one event read from an event stream.
type SSEEvent struct{ Type, Data string }

// SSEConnect opens an event stream at url (a served app: Serve), checks it
// is one (neither compressed nor tagged), and reports each event as it
// arrives; stop closes it.
func SSEConnect(t testing.TB, url string) (events <-chan SSEEvent, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream: %d %v", resp.StatusCode, resp.Header)
	}
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("ETag") != "" {
		t.Fatalf("an event stream must not be compressed or tagged: %v", resp.Header)
	}
	ch := make(chan SSEEvent, 100)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev SSEEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Type = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			case line == "" && ev.Type != "":
				ch <- ev
				ev = SSEEvent{}
			}
		}
	}()
	return ch, func() { cancel(); resp.Body.Close() }
}

// WaitEvent reads ch until an event of type typ arrives (true), or the
// stream ends or within passes (false).
func WaitEvent(t testing.TB, ch <-chan SSEEvent, typ string, within time.Duration) (SSEEvent, bool) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return SSEEvent{}, false
			}
			if ev.Type == typ {
				return ev, true
			}
		case <-deadline:
			return SSEEvent{}, false
		}
	}
}

// FastGet sends a GET for uri (with a bearer token when given) straight to
// a fasthttp handler, reusing ctx, and returns the status: for benchmarks
// that measure the stack without a network.
func FastGet(h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx, uri, token string) int {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.ResetUserValues() // as the server does between requests
	ctx.Request.SetRequestURI(uri)
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.Header.SetHost("localhost")
	if token != "" {
		ctx.Request.Header.Set("Authorization", "Bearer "+token)
	}
	h(ctx)
	return ctx.Response.StatusCode()
}

// KratosFake answers /sessions/whoami like Ory Kratos for two sessions of
// the fixture tenant admin, by X-Session-Token: "aal2" with a second factor
// and "aal1" without; any other token has no session.
func KratosFake(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		aal := ""
		switch r.Header.Get("X-Session-Token") {
		case "aal2":
			aal = "aal2"
		case "aal1":
			aal = "aal1"
		default:
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"error":{"code":401,"status":"Unauthorized"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"id":"s1","active":true,"expires_at":"` + Now().AddDate(0, 0, 1).UTC().Format(time.RFC3339) + `","authenticator_assurance_level":"` + aal +
			`","identity":{"id":"dev:` + TenantAdmin + `","schema_id":"default","schema_url":"","traits":{"email":"` + TenantAdmin + `","name":"Ingrid Ressursbank"}}}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}
