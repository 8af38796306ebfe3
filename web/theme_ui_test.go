package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestUIThemeAdjustedColour: a tenant admin saves a light yellow main
// colour. It is kept (adjust, not refuse); the theme puts black text on it
// and a darker shade on white, and the admin page says which.
func TestUIThemeAdjustedColour(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		r := e.Do(apitest.Request{Path: "/t/baerum/admin", As: apitest.TenantAdmin})
		if r.Status != 200 {
			t.Fatalf("admin page: %d", r.Status)
		}
		tn := e.Tenant("baerum")
		r = e.PostForm("/t/baerum/admin/settings", apitest.TenantAdmin, url.Values{"name": {tn.Name}, "short_name": {tn.ShortName}, "description": {tn.Description},
			"color_primary": {"#ffd500"}, "color_accent": {"#1864ab"}, "default_locale": {tn.DefaultLocale}, "zoom": {"10"},
			"center_lat": {"59,9"}, "center_lon": {"10,6"}, "municipalities": {strings.Join(tn.MunicipalityList(), " ")}})
		if r.Status != 303 {
			t.Fatalf("save colours: %d %s", r.Status, r.Body)
		}
		css := string(e.Do(apitest.Request{Path: "/t/baerum/theme.css"}).Body)
		for _, want := range []string{"--brand:#ffd500;", "--on-brand:#000000;", "--brand-strong:#8c7500;", "--ds-color-accent-base-default:#8c7500;", "--ds-color-accent-base-contrast-default:#ffffff;"} {
			if !strings.Contains(css, want) {
				t.Errorf("theme.css lacks %s:\n%s", want, css)
			}
		}
		page := string(e.Do(apitest.Request{Path: "/t/baerum/admin", As: apitest.TenantAdmin}).Body)
		if !strings.Contains(page, `id="color_primary_note"`) || !strings.Contains(page, "#8c7500") || strings.Contains(page, `id="color_accent_note"`) {
			t.Errorf("admin page does not say (only) that the main colour was adjusted")
		}
	})
}
