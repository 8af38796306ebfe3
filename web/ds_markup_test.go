package web_test

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestTemplatesUseDesignsystemet: the templates' components are
// Designsystemet's classes (ds-button, ds-field, ds-input, ds-alert, ds-tag,
// ds-card, ds-table …), not the home-made ones app.css no longer styles; a
// scrollable table region is a named keyboard stop.
func TestTemplatesUseDesignsystemet(t *testing.T) {
	legacy := map[string]bool{"button": true, "secondary": true, "field": true, "field-error": true, "error-summary": true, "notice": true, "warning": true, "tag": true, "warn": true, "badge": true, "card": true}
	classRe := regexp.MustCompile(`class="([^"{]*)"`)
	wrapRe := regexp.MustCompile(`<div class="table-wrap"[^>]*>`)
	files, _ := filepath.Glob("templates/*.html")
	if len(files) < 30 {
		t.Fatalf("templates: %d files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range classRe.FindAllStringSubmatch(string(b), -1) {
			for _, c := range strings.Fields(m[1]) {
				if legacy[c] {
					t.Errorf("%s: class %q is not Designsystemet's (%s)", f, c, m[0])
				}
			}
		}
		for _, w := range wrapRe.FindAllString(string(b), -1) {
			if !strings.Contains(w, `tabindex="0"`) || !strings.Contains(w, `role="region"`) || !strings.Contains(w, "aria-label") {
				if why, ok := pendingRegions[filepath.Base(f)]; ok {
					t.Logf("PENDING %s (%s): a table region that is not a named keyboard stop: %s", f, why, w)
					continue
				}
				t.Errorf("%s: a table region that is not a named keyboard stop: %s", f, w)
			}
		}
	}
}

// pendingRegions are templates written while this check came in, whose
// table regions are not yet named keyboard stops; each is logged, not
// failed. Remove an entry once its template is fixed.
var pendingRegions = map[string]string{}

// TestFieldErrorTiedToInput: a refused form marks the field invalid and
// points it at its message (aria-invalid, aria-describedby), which stands
// under the field as Designsystemet's validation message.
func TestFieldErrorTiedToInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		org := e.OrgID("baerum", "fornebu-anlegg")
		r := e.PostForm("/t/baerum/listings/new", apitest.OrgAdmin, url.Values{"kind": {"surplus"}, "organization_id": {org}, "title": {"Pukk"}, "fractions": {"sprengstein"},
			"quantity": {"5000"}, "unit": {"t"}, "available_from": {apitest.Month(2)}, "available_to": {apitest.Month(13)}, "transport": {"seller_delivers"}, "lat": {"nord"}, "lon": {"10.6"}})
		body := string(r.Body)
		if r.Status != 422 {
			t.Fatalf("refused form: %d", r.Status)
		}
		input := regexp.MustCompile(`<input id="lat"[^>]*>`).FindString(body)
		if !strings.Contains(input, `class="ds-input"`) || !strings.Contains(input, `aria-invalid="true"`) || !strings.Contains(input, `aria-describedby="lat-err"`) {
			t.Errorf("the latitude field: %s", input)
		}
		if !regexp.MustCompile(`<p class="ds-validation-message" data-field="validation" id="lat-err">[^<]+</p>`).MatchString(body) {
			t.Errorf("no validation message lat-err: %.300s", body[strings.Index(body, `id="lat"`):])
		}
		if lon := regexp.MustCompile(`<input id="lon"[^>]*>`).FindString(body); strings.Contains(lon, "aria-invalid") {
			t.Errorf("a valid field marked invalid: %s", lon)
		}
	})
}
