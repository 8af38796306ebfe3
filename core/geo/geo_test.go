package geo

import (
	"math"
	"testing"
)

func TestInNorway(t *testing.T) {
	cases := []struct {
		name string
		p    Point
		want bool
	}{
		{"Oslo", Point{59.9139, 10.7522}, true},
		{"Sandvika", Point{59.8890, 10.5237}, true},
		{"Trondheim", Point{63.4305, 10.3951}, true},
		{"Stavanger", Point{58.9700, 5.7331}, true},
		{"Bergen", Point{60.3913, 5.3221}, true},
		{"Tromsø", Point{69.6492, 18.9553}, true},
		{"Kirkenes", Point{69.7271, 30.0450}, true},
		{"Lindesnes", Point{57.9826, 7.0477}, true},
		{"Bodø", Point{67.2804, 14.4049}, true},
		{"Longyearbyen", Point{78.2232, 15.6267}, true},
		{"Stockholm", Point{59.3293, 18.0686}, false},
		{"Gothenburg", Point{57.7089, 11.9746}, false},
		{"Helsinki", Point{60.1699, 24.9384}, false},
		{"Copenhagen", Point{55.6761, 12.5683}, false},
		{"Östersund", Point{63.1792, 14.6357}, false},
		{"Kiruna", Point{67.8558, 20.2253}, false},
		{"Murmansk", Point{68.9585, 33.0827}, false},
		{"swapped Oslo", Point{10.7522, 59.9139}, false},
		{"null island", Point{0, 0}, false},
		{"NaN", Point{math.NaN(), 10}, false},
	}
	for _, c := range cases {
		if got := InNorway(c.p); got != c.want {
			t.Errorf("%s %v: InNorway = %v, want %v", c.name, c.p, got, c.want)
		}
	}
}

func TestHaversine(t *testing.T) {
	// Oslo S to Trondheim S is about 391 km as the crow flies.
	d := HaversineKm(Point{59.9111, 10.7528}, Point{63.4363, 10.3985})
	if d < 388 || d > 395 {
		t.Fatalf("Oslo–Trondheim = %.1f km, want ≈391", d)
	}
	if HaversineKm(Point{60, 10}, Point{60, 10}) != 0 {
		t.Fatal("distance to self must be 0")
	}
}
