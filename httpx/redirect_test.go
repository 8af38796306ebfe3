package httpx

import (
	"net/url"
	"testing"
)

// TestOpenRedirectsM11: return_to accepts same-site paths only, parsed and
// rebuilt (issue 10, M11).
func TestOpenRedirectsM11(t *testing.T) {
	for raw, want := range map[string]string{
		"/t/baerum/listings?kind=need": "/t/baerum/listings?kind=need",
		"/":                            "/",
		"":                             "/",
		"/\\evil.example":              "/",
		"/\t/evil.example":             "/",
		"/\n/evil.example":             "/",
		"//evil.example":               "/",
		"///evil.example":              "/",
		"https://evil.example/":        "/",
		"http:/evil.example":           "/",
		"javascript:alert(1)":          "/",
		"evil.example":                 "/",
		"/%2F/evil.example":            "/",
		"/t/baerum/../../admin":        "/t/baerum/../../admin",
		"/ok#frag":                     "/ok",
		"/x?a=1&b=%20":                 "/x?a=1&b=%20",
	} {
		got := SafePath(raw)
		if got != want {
			t.Errorf("SafePath(%q) = %q, want %q", raw, got, want)
		}
		if u, err := url.Parse(got); err != nil || u.Host != "" || u.Scheme != "" {
			t.Errorf("SafePath(%q) = %q leaves the site", raw, got)
		}
	}
}

func FuzzSafePath(f *testing.F) {
	for _, s := range []string{"/", "/\\evil", "/\t/evil", "//evil", "/ok?x=1", "https://evil", "/%5Cevil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := SafePath(raw)
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || len(got) == 0 || got[0] != '/' || (len(got) > 1 && (got[1] == '/' || got[1] == '\\')) {
			t.Fatalf("SafePath(%q) = %q", raw, got)
		}
	})
}
