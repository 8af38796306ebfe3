package directory

import (
	"testing"
	"unicode/utf8"
)

// TestRegistrationNorwegianFormats: ordinary, electric and personalised
// plates pass in one stored form; foreign plates only when marked.
func TestRegistrationNorwegianFormats(t *testing.T) {
	ok := map[string]string{
		"EB 12345":    "EB12345",
		"eb12345":     "EB12345",
		"EB-12345":    "EB12345",
		" el 34567":   "EL34567",
		"EK 10001":    "EK10001",
		"ZT11223":     "ZT11223",
		"ÅSE 1":       "ÅSE1",
		"TRUCK7":      "TRUCK7",
		"MASSE":       "MASSE",
		"s: abc 123":  "S:ABC123",
		"D:B-MW 1234": "D:BMW1234",
	}
	for in, want := range ok {
		got := NormalizeRegistration(in)
		if got != want {
			t.Errorf("NormalizeRegistration(%q) = %q, want %q", in, got, want)
		}
		if p := RegistrationProblem(got); p != "" {
			t.Errorf("%q refused: %s", in, p)
		}
	}
	bad := map[string]string{
		"":           "ErrFieldRequired",
		"EB 1234":    "ErrRegistrationFormat", // an ordinary plate has five digits
		"EB 123456":  "ErrRegistrationFormat",
		"1234567":    "ErrRegistrationFormat", // no letter
		"ABCDEFGH":   "ErrRegistrationFormat", // eight characters: not Norwegian
		"ABC 123 DE": "ErrRegistrationFormat",
		"MÜNCHEN":    "ErrRegistrationFormat", // not a Norwegian letter
		"XX:ABC123":  "ErrRegistrationCountry",
		"S:":         "ErrRegistrationFormat",
		"E":          "ErrRegistrationFormat",
		"EB<12345>":  "ErrRegistrationFormat",
	}
	for in, want := range bad {
		if got := RegistrationProblem(NormalizeRegistration(in)); got != want {
			t.Errorf("RegistrationProblem(%q) = %q, want %q", in, got, want)
		}
	}
	if got := FormatRegistration("EB12345"); got != "EB 12345" {
		t.Errorf("FormatRegistration = %q", got)
	}
	if got := FormatRegistration("TRUCK7"); got != "TRUCK7" {
		t.Errorf("FormatRegistration personalised = %q", got)
	}
}

// FuzzRegistrationNormalize: normalising is idempotent, and what is
// accepted is short, valid UTF-8 without separators.
func FuzzRegistrationNormalize(f *testing.F) {
	for _, s := range []string{"EB 12345", "eb-12345", "EL34567", "ÅSE1", "S:ABC 123", "\xff\xfe", "", "ß", "ǆ1", "D:B-MW 1234", "EB\u200b12345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := NormalizeRegistration(s)
		if twice := NormalizeRegistration(once); twice != once {
			t.Fatalf("NormalizeRegistration(%q) = %q, but again gives %q", s, once, twice)
		}
		if RegistrationProblem(once) != RegistrationProblem(NormalizeRegistration(once)) {
			t.Fatalf("validity changed on a second pass: %q", s)
		}
		if RegistrationProblem(once) == "" {
			if !utf8.ValidString(once) || utf8.RuneCountInString(once) > 14 {
				t.Fatalf("accepted %q from %q", once, s)
			}
			if f := FormatRegistration(once); NormalizeRegistration(f) != once {
				t.Fatalf("FormatRegistration(%q) = %q does not normalise back", once, f)
			}
		}
	})
}
