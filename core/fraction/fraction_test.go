package fraction

import "testing"

func TestCodes(t *testing.T) {
	codes := Codes()
	if len(codes) != len(All) || len(codes) != 13 {
		t.Fatalf("%d codes for %d fractions", len(codes), len(All))
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if c != All[i].Code || seen[c] {
			t.Fatalf("code %d: %q (duplicate %v)", i, c, seen[c])
		}
		seen[c] = true
		if f, ok := ByCode(c); !ok || f != &All[i] {
			t.Fatalf("ByCode(%q) = %p, %v", c, f, ok)
		}
	}
	if _, ok := ByCode("gullsand"); ok {
		t.Fatal("an unknown code was found")
	}
}
