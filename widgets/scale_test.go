package widgets_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestMapByViewport (issue 16): the map endpoints answer a viewport (bbox
// and zoom) with its part, clustered when zoomed out, on every backend;
// a bad bbox or zoom is a 422 naming the field, in the caller's language;
// without bbox the whole map is one document with an ETag, 304 when the
// client has it.
func TestMapByViewport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.SetOrigins("baerum", "https://www.baerum.kommune.no")
		origin := map[string]string{"Origin": "https://www.baerum.kommune.no"}
		for _, path := range []string{"/api/v1/tenants/baerum/listings.geojson", "/api/v1/tenants/baerum/feed/listings.geojson", "/widgets/v1/data/baerum/map"} {
			for _, bad := range []struct{ q, field string }{
				{"bbox=10,59,11&zoom=8", "/bbox"},
				{"bbox=11,59,10,60&zoom=8", "/bbox"},
				{"bbox=10,59,11,60&zoom=99", "/zoom"},
				{"bbox=10,59,11,60", "/zoom"},
			} {
				p := apitest.Problem(t, e.Do(apitest.Request{Path: path + "?" + bad.q, Header: origin}), 422, "validation")
				if len(p.Errors) == 0 || p.Errors[0].Pointer != bad.field || strings.HasPrefix(p.Errors[0].Label, "Label") {
					t.Fatalf("%s?%s: %+v", path, bad.q, p.Errors)
				}
			}
			var whole, far, near struct {
				Features []struct {
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			r := e.Do(apitest.Request{Path: path, Header: origin})
			r.JSON(t, &whole)
			etag := r.Header.Get("ETag")
			if r.Status != 200 || etag == "" || len(whole.Features) < 5 {
				t.Fatalf("%s: %d, ETag %q, %d features", path, r.Status, etag, len(whole.Features))
			}
			if r := e.Do(apitest.Request{Path: path, Header: map[string]string{"Origin": origin["Origin"], "If-None-Match": etag}}); r.Status != 304 {
				t.Fatalf("%s with If-None-Match: %d", path, r.Status)
			}
			// The whole region from afar: clusters counting every place.
			r = e.Do(apitest.Request{Path: path + "?bbox=9,59,12,61&zoom=5", Header: origin})
			r.JSON(t, &far)
			total, clusters := 0, 0
			for _, f := range far.Features {
				if f.Properties["cluster"] == true {
					clusters++
					total += int(f.Properties["count"].(float64))
				} else {
					total++
				}
			}
			if r.Status != 200 || clusters == 0 || total != len(whole.Features) {
				t.Fatalf("%s from afar: %d clusters counting %d places, the whole map has %d: %s", path, clusters, total, len(whole.Features), r.Body)
			}
			// Close up somewhere empty: nothing.
			r = e.Do(apitest.Request{Path: path + "?bbox=5.0,58.0,5.01,58.01&zoom=16", Header: origin})
			r.JSON(t, &near)
			if r.Status != 200 || len(near.Features) != 0 {
				b, _ := json.Marshal(near)
				t.Fatalf("%s close up elsewhere: %d %s", path, r.Status, b)
			}
		}
	})
}
