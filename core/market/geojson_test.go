package market

import (
	"encoding/json"
	"testing"
)

// FuzzMapFeatureM4: whatever a title or fraction holds (a bell character
// broke the region's map when the JSON was built with strconv.Quote), a
// map feature is valid JSON that says the same text back (issue 10, M4).
func FuzzMapFeatureM4(f *testing.F) {
	for _, s := range []string{"Sprengstein", "bell\a", "quote\"", "back\\slash", "<script>", "\u2028", "\xff\xfe", "nul\x00"} {
		f.Add(s, "sprengstein")
	}
	f.Fuzz(func(t *testing.T, title, fraction string) {
		for _, class := range []string{"public", "member"} {
			b, _, _ := renderListing(&mapRow{ID: "id", Kind: "surplus", Title: title, Fractions: fraction, Tonnes: 12, Lat: 59.9, Lon: 10.6, From: "2027-01", To: "2027-06"}, class)
			var feat struct {
				Properties struct {
					Title     string   `json:"title"`
					Fractions []string `json:"fractions"`
				} `json:"properties"`
			}
			if err := json.Unmarshal(b, &feat); err != nil {
				t.Fatalf("title %q: invalid JSON %s: %v", title, b, err)
			}
			want, _ := json.Marshal(title) // invalid UTF-8 becomes U+FFFD, as in any JSON answer
			var back string
			_ = json.Unmarshal(want, &back)
			if feat.Properties.Title != back {
				t.Fatalf("title %q came back as %q", title, feat.Properties.Title)
			}
		}
	})
}
