package usage_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/usage"
	"github.com/masseflyt/masseflyt/locales"
)

// TestCSVInjection: an organization or project name a spreadsheet would
// run as a formula gets a leading apostrophe in the CSV.
func TestCSVInjection(t *testing.T) {
	l := locales.New(locales.MustBundle(), "nb")
	r := &usage.Report{Lines: []usage.Row{
		{OrgID: "o1", OrgName: "=HYPERLINK(\"http://x\")", ProjectID: "p1", ProjectName: "+1-2", Agreements: 1},
		{OrgID: "o2", OrgName: "@SUM(A1)", ProjectID: "p2", ProjectName: "-3", Agreements: 1},
		{OrgID: "o3", OrgName: "Fornebu Anlegg AS", ProjectID: "p3", ProjectName: "Fornebubanen", Agreements: 1},
	}}
	var b bytes.Buffer
	if err := usage.CSV(&b, l, r); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimPrefix(b.String(), "\uFEFF"), "\n")[1:] {
		for _, c := range strings.Split(line, ";") {
			c = strings.TrimPrefix(c, `"`)
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("cell %q starts a formula in %q", c, line)
			}
		}
	}
	if !strings.Contains(b.String(), "Fornebu Anlegg AS;p3;Fornebubanen") {
		t.Errorf("plain names changed:\n%s", b.String())
	}
}
