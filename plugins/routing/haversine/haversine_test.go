package haversine

import (
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/app"
)

func TestDetourSetting(t *testing.T) {
	for _, c := range []struct{ value, want string }{
		{"", ""},
		{"1.5", ""},
		{"fast", "not a number"},
		{"5", "outside 1–3"},
		{"0.5", "outside 1–3"},
	} {
		r := &Router{Detour: 1.3}
		a := &app.App{Config: app.Config{Settings: map[string]string{"MASSEFLYT_ROUTING_DETOUR": c.value}}}
		err := r.Provision(a)
		if err == nil {
			err = r.Validate()
		}
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q refused: %v", c.value, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "MASSEFLYT_ROUTING_DETOUR")):
			t.Errorf("%q: err = %v, want %q naming the setting", c.value, err, c.want)
		}
	}
}
