package directory

import "testing"

func TestOrgNumber(t *testing.T) {
	cases := map[string]string{
		"974760673":   "",
		"988077917":   "",
		"915501680":   "",
		"974760674":   "checksum",
		"12345678":    "format",
		"1234567890":  "format",
		"97476067a":   "format",
		"":            "format",
		"000000000":   "",
		"123456785":   "",
		"123456789":   "checksum",
		"974 760 673": "format",
	}
	for in, want := range cases {
		if got := OrgNumberProblem(in); got != want {
			t.Errorf("OrgNumberProblem(%q) = %q, want %q", in, got, want)
		}
	}
	if NormalizeOrgNumber(" 974 760 673 ") != "974760673" {
		t.Error("normalize")
	}
}

func FuzzOrgNumber(f *testing.F) {
	f.Add("974760673")
	f.Fuzz(func(t *testing.T, s string) {
		p := OrgNumberProblem(s)
		if p == "" && len(s) != 9 {
			t.Fatalf("accepted %q", s)
		}
	})
}

func TestDisplayName(t *testing.T) {
	cases := map[string]string{
		"FORNEBU ANLEGG AS":              "Fornebu Anlegg AS",
		"BÆRUM DEPONI OG GJENVINNING AS": "Bærum Deponi og Gjenvinning AS",
		"MIDT-NORSK GEOLAB AS":           "Midt-Norsk Geolab AS",
		"Already Mixed AS":               "Already Mixed AS",
		"OSLO BYBYGG KF":                 "Oslo Bybygg KF",
	}
	for in, want := range cases {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}
