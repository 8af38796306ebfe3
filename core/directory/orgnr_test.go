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

// TestOrgNumberNormalizeIdempotent: normalising twice is normalising once
// (the old replacer trimmed before replacing: "\t.\t1" gave "\t1").
func TestOrgNumberNormalizeIdempotent(t *testing.T) {
	for _, in := range []string{"\t.\t974760673", " 974 760 673 ", "974\u00a0760\u202f673", "974.760.673", "\xff974", " . \n", "97 4\u200b760673", ""} {
		once := NormalizeOrgNumber(in)
		if twice := NormalizeOrgNumber(once); twice != once {
			t.Errorf("NormalizeOrgNumber(%q) = %q, but again gives %q", in, once, twice)
		}
	}
	if got := NormalizeOrgNumber("\t.\t974 760\u00a0673."); got != "974760673" {
		t.Errorf("got %q", got)
	}
}

// FuzzOrgNumberNormalize: normalise(normalise(x)) == normalise(x) for any x,
// and a number valid after normalising stays valid.
func FuzzOrgNumberNormalize(f *testing.F) {
	for _, s := range []string{"974760673", " 974 760 673 ", "\t.\t1", "974.760.673", "\u00a0974\u202f760 673", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := NormalizeOrgNumber(s)
		if twice := NormalizeOrgNumber(once); twice != once {
			t.Fatalf("NormalizeOrgNumber(%q) = %q, but again gives %q", s, once, twice)
		}
		if ValidOrgNumber(once) != ValidOrgNumber(NormalizeOrgNumber(once)) {
			t.Fatalf("validity changed on a second pass: %q", s)
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
