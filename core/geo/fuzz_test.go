package geo

import (
	"math"
	"testing"
)

// FuzzCoordinates: InNorway never panics, refuses NaN and ±Inf, accepts
// only points within Norway's bounding box (mainland, Svalbard to 35° E, Jan
// Mayen), and distances from an accepted point are finite.
// Seeds: testdata/fuzz/FuzzCoordinates.
func FuzzCoordinates(f *testing.F) {
	f.Add(59.91, 10.6)       // Oslo
	f.Add(10.6, 59.91)       // swapped
	f.Add(78.22, 15.65)      // Longyearbyen
	f.Add(70.98, -8.6)       // Jan Mayen
	f.Add(59.33, 18.07)      // Stockholm
	f.Add(math.NaN(), 10.0)  // not a number
	f.Add(math.Inf(1), 10.0) // infinite
	f.Add(69.7, 30.1)        // by the Russian border
	f.Add(-1e308, 1e308)     // absurd
	f.Add(58.85, 11.45)      // a vertex of the outline
	f.Add(0.0, 0.0)          // null island
	f.Fuzz(func(t *testing.T, lat, lon float64) {
		p := Point{Lat: lat, Lon: lon}
		in := InNorway(p)
		if math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lat, 0) || math.IsInf(lon, 0) {
			if in {
				t.Fatalf("%v accepted", p)
			}
			return
		}
		if in && (lat < 57 || lat > 81.5 || lon < -9.5 || lon > 35) {
			t.Fatalf("%v accepted outside Norway's bounding box", p)
		}
		if in {
			if d := HaversineKm(p, Point{Lat: 59.91, Lon: 10.75}); math.IsNaN(d) || math.IsInf(d, 0) || d < 0 || d > 2500 {
				t.Fatalf("distance from %v: %v", p, d)
			}
		}
		if InNorway(p) != in {
			t.Fatal("not deterministic")
		}
	})
}
