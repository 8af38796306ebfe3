package testenv

import "testing"

func TestCI(t *testing.T) {
	for _, c := range []struct {
		v    string
		want bool
	}{{"", false}, {"true", true}, {"1", true}, {"yes", true}, {"TRUE", true}, {"0", true}, {" ", true}} {
		t.Setenv("CI", c.v)
		if got := CI(); got != c.want {
			t.Errorf("CI=%q: CI() = %v, want %v", c.v, got, c.want)
		}
	}
}
