package httpx

import (
	"net/url"
	"strings"
)

// SafePath returns raw as a path on this site, or "/" when it is not one:
// it is parsed, must have no scheme, host or user, no control characters
// or backslashes (browsers drop or turn them into slashes, so "/\evil" or
// "/<tab>/evil" would leave the site), must start with one slash, and is
// rebuilt from its path and query alone.
func SafePath(raw string) string {
	if raw == "" || strings.IndexFunc(raw, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) >= 0 {
		return "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	out := (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.ContainsAny(out, "\\") {
		return "/"
	}
	return out
}
