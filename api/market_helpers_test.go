package api_test

import (
	"bytes"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/server"
)

// Helpers of the market's API tests (named for the market, so other test
// files of the package may keep their own).

const marketPNG = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"

// marketOpsApp builds an app on a seeded SQLite copy with a custom config.
func marketOpsApp(t *testing.T, tweak func(*app.Config), logs *bytes.Buffer) *app.App {
	base := apitest.New(t, "sqlite")
	cfg := base.App.Config
	tweak(&cfg)
	o := app.Options{SkipMigrate: true}
	if logs != nil {
		o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	}
	a, err := server.New(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// marketPostForm posts a UI form as the person as, with a CSRF token.
func marketPostForm(e *apitest.Env, path, as string, v url.Values) *apitest.Response {
	tok := marketCSRF(e, "baerum", as)
	v.Set("_csrf", tok)
	cookie := "mf_csrf=" + tok
	if as != "" {
		cookie += "; " + apitest.Cookie(as)
	}
	return e.Do(apitest.Request{Method: "POST", Path: path, Body: []byte(v.Encode()), Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}})
}

func marketCSRF(e *apitest.Env, slug, as string) string {
	r := e.Do(apitest.Request{Path: "/t/" + slug + "/", As: as})
	for _, c := range r.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(c, "mf_csrf="); ok {
			return strings.SplitN(v, ";", 2)[0]
		}
	}
	e.T.Fatal("no csrf cookie")
	return ""
}
