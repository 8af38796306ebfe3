package httpx

import (
	"io"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func clientIPOf(t *testing.T, trusted []netip.Prefix, xff ...string) string {
	t.Helper()
	f := fiber.New()
	f.Use(ClientAddress(trusted))
	f.Get("/", func(c *fiber.Ctx) error { return c.SendString(ClientIP(c)) })
	req := httptest.NewRequest("GET", "/", nil)
	for _, h := range xff {
		req.Header.Add("X-Forwarded-For", h)
	}
	resp, err := f.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestClientAddressRightmostUntrustedM7: behind a trusted proxy the client
// is the rightmost X-Forwarded-For entry that is not a trusted proxy; what
// the client wrote to the left of it, and the header from an untrusted
// peer, are ignored.
func TestClientAddressRightmostUntrustedM7(t *testing.T) {
	proxy := netip.MustParsePrefix("0.0.0.0/32") // the test connection's peer
	inner := netip.MustParsePrefix("10.0.0.0/8")
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		xff     []string
		want    string
	}{
		{"no proxy configured: the header is ignored", nil, []string{"1.1.1.1"}, "0.0.0.0"},
		{"untrusted peer: the header is ignored", []netip.Prefix{inner}, []string{"1.1.1.1"}, "0.0.0.0"},
		{"one proxy", []netip.Prefix{proxy}, []string{"1.1.1.1"}, "1.1.1.1"},
		{"a spoofed leftmost entry is ignored", []netip.Prefix{proxy}, []string{"6.6.6.6, 1.1.1.1"}, "1.1.1.1"},
		{"trusted hops are skipped", []netip.Prefix{proxy, inner}, []string{"6.6.6.6, 1.1.1.1, 10.0.0.7"}, "1.1.1.1"},
		{"several headers are one list", []netip.Prefix{proxy, inner}, []string{"6.6.6.6", "2.2.2.2, 10.1.1.1"}, "2.2.2.2"},
		{"garbage to the left stops nothing", []netip.Prefix{proxy}, []string{"junk, 3.3.3.3"}, "3.3.3.3"},
		{"ports and IPv6", []netip.Prefix{proxy}, []string{"[2001:db8::1]:4711"}, "2001:db8::1"},
		{"all trusted: the leftmost", []netip.Prefix{proxy, inner}, []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
		{"no header", []netip.Prefix{proxy}, nil, "0.0.0.0"},
	} {
		if got := clientIPOf(t, tc.trusted, tc.xff...); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
