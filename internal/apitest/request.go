package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/server"
)

// Request is one call.
type Request struct {
	Method string
	Path   string
	Host   string
	Body   any    // string, []byte or a value sent as JSON
	As     string // fixture user e-mail (dev-login cookie)
	Token  string
	Header map[string]string
}

// Response is the outcome.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends a request through the whole middleware stack.
func (e *Env) Do(r Request) *Response {
	e.T.Helper()
	var body io.Reader = http.NoBody
	ct := ""
	switch b := r.Body.(type) {
	case nil:
	case string:
		body, ct = strings.NewReader(b), "application/json"
	case []byte:
		body, ct = bytes.NewReader(b), "application/octet-stream"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		body, ct = bytes.NewReader(j), "application/json"
	}
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	if r.Host != "" {
		req.Host = r.Host
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if r.As != "" {
		req.Header.Set("Cookie", Cookie(r.As))
		// A browser on the region's own pages: its writes with the session
		// cookie are same-origin (a test of a cross-site write sets
		// Sec-Fetch-Site or Origin itself).
		if r.Header["Sec-Fetch-Site"] == "" && r.Header["Origin"] == "" {
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	if strings.HasSuffix(req.URL.Path, "/events") {
		return e.stream(req)
	}
	resp, err := e.App.Fiber.Test(req, -1)
	if err != nil {
		e.T.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	e.checkContract(req, out)
	return out
}

// stream sends an event-stream request over a real connection (a stream
// never ends, so app.Test cannot) and returns what arrived in the first
// 300 ms after the headers.
func (e *Env) stream(req *http.Request) *Response {
	e.T.Helper()
	if e.base == "" {
		e.base = Serve(e.T, e.App, "127.0.0.1")
	}
	out, err := http.NewRequest(req.Method, e.base+req.URL.RequestURI(), req.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	out.Header = req.Header.Clone()
	if req.Host != "" && req.Host != "example.com" {
		out.Host = req.Host
	}
	// The headers may take a while on a loaded machine (a stream's first
	// frame waits for the region's snapshot); the 300 ms of body count from
	// their arrival.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deadline := time.AfterFunc(10*time.Second, cancel)
	defer deadline.Stop()
	resp, err := http.DefaultClient.Do(out.WithContext(ctx))
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	deadline.Reset(300 * time.Millisecond)
	b, _ := io.ReadAll(resp.Body) // ends at the deadline
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Variant builds another app on the env's database with the env's
// configuration changed by tweak (rate limits, an address, the identity
// provider) and the given options (a logger); migrations are skipped. It
// is closed when the test ends.
func (e *Env) Variant(tweak func(*app.Config), o app.Options) *app.App {
	e.T.Helper()
	cfg := e.App.Config
	tweak(&cfg)
	o.SkipMigrate = true
	if o.Logger == nil {
		o.Logger = quiet
	}
	a, err := server.New(cfg, o)
	if err != nil {
		e.T.Fatalf("app variant: %v", err)
	}
	e.T.Cleanup(func() { _ = a.Close() })
	return a
}

// Problem asserts that r is a problem+json answer with status and the
// stable type code, with a localized title, and returns it.
func Problem(t testing.TB, r *Response, status int, code string) httpx.Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want problem+json: %s", ct, r.Body)
	}
	var p httpx.Problem
	r.JSON(t, &p)
	if p.Type != "urn:masseflyt:problem:"+code {
		t.Fatalf("problem type %q, want %s: %s", p.Type, code, r.Body)
	}
	if p.Title == "" || strings.HasPrefix(p.Title, "Err") {
		t.Fatalf("problem title not localized: %q", p.Title)
	}
	return p
}

// CSRF opens the tenant's home page as the user (anonymous when as is
// empty) and returns the CSRF cookie the UI's forms must echo.
func (e *Env) CSRF(slug, as string) string {
	e.T.Helper()
	r := e.Do(Request{Path: "/t/" + slug + "/", As: as})
	for _, c := range r.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(c, "mf_csrf="); ok {
			return strings.SplitN(v, ";", 2)[0]
		}
	}
	e.T.Fatal("no csrf cookie")
	return ""
}

// PostForm submits a UI form (path /t/{slug}/…) as the user, with a valid
// CSRF token.
func (e *Env) PostForm(path, as string, v url.Values) *Response {
	e.T.Helper()
	slug, _, _ := strings.Cut(strings.TrimPrefix(path, "/t/"), "/")
	if !strings.HasPrefix(path, "/t/") || slug == "" {
		e.T.Fatalf("PostForm: %s is not a tenant's UI path (/t/{slug}/…)", path)
	}
	tok := e.CSRF(slug, as)
	v.Set("_csrf", tok)
	cookie := "mf_csrf=" + tok
	if as != "" {
		cookie += "; " + Cookie(as)
	}
	return e.Do(Request{Method: "POST", Path: path, Body: []byte(v.Encode()), Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}})
}
