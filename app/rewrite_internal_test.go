package app

import "testing"

// TestRewriteForTenantH3: on a tenant's host, shared routes stay, the
// tenant's own slug-addressed paths stay, other regions' go nowhere (404),
// the rest is the tenant's.
func TestRewriteForTenantH3(t *testing.T) {
	shared := []string{"/static/*", "/favicon.ico", "/lang/:lang", "/widgets/v1/embed.js", "/widgets/v1/data/:tenant/map", "/auth/login", "/healthz", "/api/v1/openapi.json", "/api/v1/tenants", "/api/v1/platform/tenants", "/admin"}
	for path, want := range map[string]string{
		"/":                                 "/t/baerum/",
		"/organizations":                    "/t/baerum/organizations",
		"/static/app.css":                   "/static/app.css",
		"/favicon.ico":                      "/favicon.ico",
		"/lang/en":                          "/lang/en",
		"/lang":                             "/t/baerum/lang",
		"/widgets/v1/embed.js":              "/widgets/v1/embed.js",
		"/widgets/v1/data/rogaland/map":     "/widgets/v1/data/rogaland/map",
		"/auth/login":                       "/auth/login",
		"/healthz":                          "/healthz",
		"/api/v1/openapi.json":              "/api/v1/openapi.json",
		"/api/v1/tenants":                   "/api/v1/tenants",
		"/api/v1/organizations":             "/api/v1/tenants/baerum/organizations",
		"/api/v1":                           "/api/v1/tenants/baerum",
		"/t/baerum":                         "/t/baerum",
		"/t/baerum/sites":                   "/t/baerum/sites",
		"/t/rogaland/sites":                 notOnThisHost,
		"/t/baerum-evil/sites":              notOnThisHost,
		"/api/v1/tenants/baerum/sites":      "/api/v1/tenants/baerum/sites",
		"/api/v1/tenants/rogaland/sites":    "/api/v1/tenants" + notOnThisHost,
		"/api/v1/tenants/baerumx":           "/api/v1/tenants" + notOnThisHost,
		"/static":                           "/static", // Fiber's * matches nothing too
		"/widgets/v1/data/rogaland/map/xyz": "/t/baerum/widgets/v1/data/rogaland/map/xyz",
	} {
		got, _ := rewriteForTenant(path, path, "baerum", shared)
		if got != want {
			t.Errorf("%s → %s, want %s", path, got, want)
		}
	}
}
