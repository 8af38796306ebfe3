package sheet

import "testing"

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "Fornebu Anlegg AS": "Fornebu Anlegg AS", "=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+47 1": "'+47 1", "-1+1": "'-1+1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}
