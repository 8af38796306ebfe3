package httpx

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

const localsClientIP = "mf.client"

// ClientAddress decides the request's client address once: the peer's
// address, or, when the peer is a trusted proxy, the rightmost
// X-Forwarded-For entry that is not itself a trusted proxy (entries left of
// it were written by the client and prove nothing). Rate limits, live-view
// caps and logs read it with ClientIP.
func ClientAddress(trusted []netip.Prefix) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(localsClientIP, clientAddr(c, trusted))
		return c.Next()
	}
}

// ClientIP is the request's client address (see ClientAddress); the peer's
// address when the middleware did not run.
func ClientIP(c *fiber.Ctx) string {
	if s, ok := c.Locals(localsClientIP).(string); ok {
		return s
	}
	return peer(c).String()
}

func peer(c *fiber.Ctx) netip.Addr {
	a, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	return a.Unmap()
}

// IsTrusted reports whether addr is in one of the prefixes.
func IsTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	addr = addr.Unmap()
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// FromTrustedProxy reports whether the request's peer is a trusted proxy.
func FromTrustedProxy(c *fiber.Ctx, trusted []netip.Prefix) bool {
	return len(trusted) > 0 && IsTrusted(peer(c), trusted)
}

func clientAddr(c *fiber.Ctx, trusted []netip.Prefix) string {
	p := peer(c)
	if len(trusted) == 0 || !IsTrusted(p, trusted) {
		return p.String()
	}
	// Every X-Forwarded-For header, in order, as one list.
	var hops []string
	c.Request().Header.VisitAll(func(k, v []byte) {
		if strings.EqualFold(string(k), fiber.HeaderXForwardedFor) {
			for _, h := range strings.Split(string(v), ",") {
				hops = append(hops, strings.TrimSpace(h))
			}
		}
	})
	client := p
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break // garbage from the client side: stop at the last good hop
		}
		client = a
		if !IsTrusted(a, trusted) {
			break
		}
	}
	return client.String()
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port ("1.2.3.4:5", "[::1]:5").
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
